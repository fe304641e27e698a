-- The production database and its user, with every privilege on that database and none
-- elsewhere. Run as the server's administrator, the password from the environment:
--   OCPIZZA_DB_PASSWORD='...' envsubst < deploy/mysql/create-database.sql | sudo mysql
-- The app then connects with
--   OCPIZZA_DATABASE_URL=mysql://ocpizza_dbadmin:PASSWORD@127.0.0.1:3306/ocpizza_db
CREATE DATABASE IF NOT EXISTS ocpizza_db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'ocpizza_dbadmin'@'localhost' IDENTIFIED BY '${OCPIZZA_DB_PASSWORD}';
CREATE USER IF NOT EXISTS 'ocpizza_dbadmin'@'127.0.0.1' IDENTIFIED BY '${OCPIZZA_DB_PASSWORD}';
GRANT ALL PRIVILEGES ON ocpizza_db.* TO 'ocpizza_dbadmin'@'localhost';
GRANT ALL PRIVILEGES ON ocpizza_db.* TO 'ocpizza_dbadmin'@'127.0.0.1';
FLUSH PRIVILEGES;
