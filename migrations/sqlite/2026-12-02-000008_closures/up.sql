-- Exceptional closures of a pizzeria (a holiday, works): no order is taken for that day,
-- whatever its weekly hours.
CREATE TABLE pizzeria_closures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pizzeria_id BIGINT NOT NULL REFERENCES pizzerias(id),
    day DATE NOT NULL,
    reason VARCHAR(200) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (pizzeria_id, day)
);
