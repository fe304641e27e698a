DROP TABLE order_numbers;
DROP INDEX orders_number ON orders;
ALTER TABLE orders DROP COLUMN number, DROP COLUMN service_date;
