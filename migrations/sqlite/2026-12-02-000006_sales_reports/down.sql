DROP INDEX orders_service_date;
