ALTER TABLE orders DROP FOREIGN KEY orders_driver_fk;
DROP INDEX orders_driver ON orders;
ALTER TABLE orders DROP COLUMN delivery_problem, DROP COLUMN driver_id, DROP COLUMN promised_at;
ALTER TABLE pizzerias
    DROP COLUMN red_after_minutes,
    DROP COLUMN amber_after_minutes,
    DROP COLUMN later_lead_minutes,
    DROP COLUMN delivery_minutes,
    DROP COLUMN ovens,
    DROP COLUMN minutes_per_pizza;
