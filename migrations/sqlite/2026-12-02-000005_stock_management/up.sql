-- Low stock: when the alert of the current crossing was raised (NULL while the ingredient is
-- above its threshold, or not alerted yet). One alert per crossing, whatever the number of orders.
ALTER TABLE stock_levels ADD COLUMN low_since TIMESTAMP;

-- Every menu switch of a pizzeria (a product taken off or put back on its menu), by whom: the
-- history of the switches, and the feed that tells every app process to refresh its open menus.
CREATE TABLE menu_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pizzeria_id BIGINT NOT NULL REFERENCES pizzerias(id),
    product_id BIGINT NOT NULL REFERENCES products(id),
    enabled BOOLEAN NOT NULL,
    user_id BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX menu_changes_pizzeria ON menu_changes (pizzeria_id, id);
-- The ledger of a pizzeria by reason and time: the consumption of the last days.
CREATE INDEX stock_movements_reason ON stock_movements (pizzeria_id, reason, created_at);
