-- The pace of each pizzeria's kitchen, for the times promised to customers and the kitchen
-- screen: minutes per pizza and ovens working at once, the delivery run, when a later order
-- enters the queue, and when a ticket's age turns amber then red.
ALTER TABLE pizzerias
    ADD COLUMN minutes_per_pizza INTEGER NOT NULL DEFAULT 6 CHECK (minutes_per_pizza BETWEEN 1 AND 60),
    ADD COLUMN ovens INTEGER NOT NULL DEFAULT 2 CHECK (ovens BETWEEN 1 AND 20),
    ADD COLUMN delivery_minutes INTEGER NOT NULL DEFAULT 20 CHECK (delivery_minutes BETWEEN 1 AND 180),
    ADD COLUMN later_lead_minutes INTEGER NOT NULL DEFAULT 30 CHECK (later_lead_minutes BETWEEN 0 AND 240),
    ADD COLUMN amber_after_minutes INTEGER NOT NULL DEFAULT 10 CHECK (amber_after_minutes BETWEEN 1 AND 240),
    ADD COLUMN red_after_minutes INTEGER NOT NULL DEFAULT 20 CHECK (red_after_minutes BETWEEN 1 AND 480);

-- What the customer was promised at checkout (ready, or delivered), the driver who took the
-- order out, and why the last delivery failed (until the manager decides).
ALTER TABLE orders
    ADD COLUMN promised_at DATETIME(6) NULL,
    ADD COLUMN driver_id BIGINT NULL,
    ADD COLUMN delivery_problem VARCHAR(200) NULL,
    ADD CONSTRAINT orders_driver_fk FOREIGN KEY (driver_id) REFERENCES users(id);
CREATE INDEX orders_driver ON orders (driver_id, status);
