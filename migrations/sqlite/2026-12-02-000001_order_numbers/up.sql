-- A short number per pizzeria and day (Paris), said aloud by staff and customers: #042.
ALTER TABLE orders ADD COLUMN service_date DATE;
ALTER TABLE orders ADD COLUMN number INTEGER CHECK (number > 0);
-- Orders placed before: numbered in the order they came, per pizzeria and day (Paris winter
-- time for the day boundary).
UPDATE orders SET service_date = date(created_at, '+1 hour');
UPDATE orders SET number = (
    SELECT COUNT(*) FROM orders o2
    WHERE o2.pizzeria_id = orders.pizzeria_id AND o2.service_date = orders.service_date
      AND o2.id <= orders.id
);
CREATE UNIQUE INDEX orders_number ON orders (pizzeria_id, service_date, number);

-- The last number given per pizzeria and day: one row locked by each placement, at its end.
CREATE TABLE order_numbers (
    pizzeria_id BIGINT NOT NULL REFERENCES pizzerias(id),
    service_date DATE NOT NULL,
    last_number INTEGER NOT NULL CHECK (last_number > 0),
    PRIMARY KEY (pizzeria_id, service_date)
);
INSERT INTO order_numbers (pizzeria_id, service_date, last_number)
    SELECT pizzeria_id, service_date, MAX(number) FROM orders
    WHERE number IS NOT NULL GROUP BY pizzeria_id, service_date;
