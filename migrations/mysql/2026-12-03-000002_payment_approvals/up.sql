-- When the payer approved an attempt at a provider that takes the money only once we ask
-- (PayPal: the order is captured after its approval). Set only while the order still waits
-- for this attempt; the payments worker captures what is approved and not yet captured.
ALTER TABLE payments ADD COLUMN approved_at DATETIME(6) NULL;
