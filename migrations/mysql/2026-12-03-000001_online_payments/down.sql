ALTER TABLE payments DROP COLUMN failure;
ALTER TABLE payments DROP COLUMN checkout_url;
ALTER TABLE payments DROP COLUMN charge_ref;
