-- Exceptional closures of a pizzeria (a holiday, works): no order is taken for that day,
-- whatever its weekly hours.
CREATE TABLE pizzeria_closures (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    pizzeria_id BIGINT NOT NULL,
    day DATE NOT NULL,
    reason VARCHAR(200) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT pizzeria_closures_pizzeria_fk FOREIGN KEY (pizzeria_id) REFERENCES pizzerias(id),
    UNIQUE KEY pizzeria_closures_day (pizzeria_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
