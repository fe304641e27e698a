DROP INDEX stock_movements_reason ON stock_movements;
DROP TABLE menu_changes;
ALTER TABLE stock_levels DROP COLUMN low_since;
