DROP TABLE order_numbers;
DROP INDEX orders_number;
ALTER TABLE orders DROP COLUMN number;
ALTER TABLE orders DROP COLUMN service_date;
