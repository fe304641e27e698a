-- An online payment attempt: what the provider charged (Stripe's payment intent, PayPal's
-- capture, GoCardless's payment), the hosted page the customer was sent to, and why the
-- attempt could not be opened (shown to the customer, who chooses again).
ALTER TABLE payments ADD COLUMN charge_ref VARCHAR(255) NULL;
ALTER TABLE payments ADD COLUMN checkout_url VARCHAR(2000) NULL;
ALTER TABLE payments ADD COLUMN failure VARCHAR(500) NULL;
