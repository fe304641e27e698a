//! Payment providers' I/O: Stripe, PayPal and GoCardless over their REST APIs, webhook
//! signature checks. Nothing here opens a transaction: services record what a call asks for,
//! workers and handlers make the call with the recorded idempotency key, then a service records
//! its outcome. Empty until online payments arrive.
