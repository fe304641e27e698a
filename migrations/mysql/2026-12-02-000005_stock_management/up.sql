-- Low stock: when the alert of the current crossing was raised (NULL while the ingredient is
-- above its threshold, or not alerted yet). One alert per crossing, whatever the number of orders.
ALTER TABLE stock_levels ADD COLUMN low_since DATETIME(6) NULL;

-- Every menu switch of a pizzeria (a product taken off or put back on its menu), by whom: the
-- history of the switches, and the feed that tells every app process to refresh its open menus.
CREATE TABLE menu_changes (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    pizzeria_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    enabled BOOLEAN NOT NULL,
    user_id BIGINT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT menu_changes_pizzeria_fk FOREIGN KEY (pizzeria_id) REFERENCES pizzerias(id),
    CONSTRAINT menu_changes_product_fk FOREIGN KEY (product_id) REFERENCES products(id),
    CONSTRAINT menu_changes_user_fk FOREIGN KEY (user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX menu_changes_pizzeria ON menu_changes (pizzeria_id, id);
-- The ledger of a pizzeria by reason and time: the consumption of the last days.
CREATE INDEX stock_movements_reason ON stock_movements (pizzeria_id, reason, created_at);
