-- The group's dashboard and the accountant's export read every pizzeria's orders of a day
-- or a range of days.
CREATE INDEX orders_service_date ON orders (service_date, pizzeria_id);
