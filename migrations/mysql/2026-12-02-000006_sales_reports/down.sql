DROP INDEX orders_service_date ON orders;
