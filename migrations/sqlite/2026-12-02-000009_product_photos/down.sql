ALTER TABLE products DROP COLUMN photo;
