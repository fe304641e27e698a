-- A short number per pizzeria and day (Paris), said aloud by staff and customers: #042.
ALTER TABLE orders ADD COLUMN service_date DATE NULL, ADD COLUMN number INTEGER NULL CHECK (number > 0);
-- Orders placed before: numbered in the order they came, per pizzeria and day (Paris winter
-- time for the day boundary).
UPDATE orders SET service_date = DATE(DATE_ADD(created_at, INTERVAL 1 HOUR));
UPDATE orders o
    JOIN (SELECT id, ROW_NUMBER() OVER (PARTITION BY pizzeria_id, service_date ORDER BY id) AS n
          FROM orders) ranked ON ranked.id = o.id
    SET o.number = ranked.n;
CREATE UNIQUE INDEX orders_number ON orders (pizzeria_id, service_date, number);

-- The last number given per pizzeria and day: one row locked by each placement, at its end.
CREATE TABLE order_numbers (
    pizzeria_id BIGINT NOT NULL,
    service_date DATE NOT NULL,
    last_number INTEGER NOT NULL CHECK (last_number > 0),
    PRIMARY KEY (pizzeria_id, service_date),
    FOREIGN KEY (pizzeria_id) REFERENCES pizzerias(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO order_numbers (pizzeria_id, service_date, last_number)
    SELECT pizzeria_id, service_date, MAX(number) FROM orders
    WHERE number IS NOT NULL GROUP BY pizzeria_id, service_date;
