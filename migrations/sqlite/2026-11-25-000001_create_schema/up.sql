-- OC Pizza data model (SQLite). Keep in step with migrations/mysql/: same tables, same meaning.
-- Money is integer cents (EUR, VAT included); timestamps are UTC; enums are text with CHECKs.

CREATE TABLE pizzerias (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug VARCHAR(60) NOT NULL UNIQUE,
    name VARCHAR(120) NOT NULL,
    street VARCHAR(200) NOT NULL,
    postal_code VARCHAR(10) NOT NULL,
    city VARCHAR(80) NOT NULL,
    phone VARCHAR(20) NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE opening_hours (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pizzeria_id BIGINT NOT NULL REFERENCES pizzerias(id),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    opens_at INTEGER NOT NULL CHECK (opens_at BETWEEN 0 AND 1440),
    closes_at INTEGER NOT NULL CHECK (closes_at BETWEEN 0 AND 1440),
    CHECK (opens_at < closes_at)
);
CREATE INDEX opening_hours_pizzeria ON opening_hours (pizzeria_id, weekday);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email VARCHAR(254) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    full_name VARCHAR(120) NOT NULL,
    phone VARCHAR(20),
    is_admin BOOLEAN NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);

-- A staff member belongs to exactly one pizzeria, with one role there.
CREATE TABLE staff_memberships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users(id),
    pizzeria_id BIGINT NOT NULL REFERENCES pizzerias(id),
    role VARCHAR(20) NOT NULL CHECK (role IN ('counter', 'pizzaiolo', 'driver', 'manager')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_memberships_pizzeria ON staff_memberships (pizzeria_id, role);

CREATE TABLE customer_addresses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    label VARCHAR(60) NOT NULL,
    street VARCHAR(200) NOT NULL,
    postal_code VARCHAR(10) NOT NULL,
    city VARCHAR(80) NOT NULL,
    instructions VARCHAR(500),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX customer_addresses_user ON customer_addresses (user_id);

CREATE TABLE ingredients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(120) NOT NULL UNIQUE,
    unit VARCHAR(10) NOT NULL CHECK (unit IN ('g', 'ml', 'piece')),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind VARCHAR(10) NOT NULL CHECK (kind IN ('pizza', 'drink', 'dessert')),
    name VARCHAR(120) NOT NULL UNIQUE,
    description VARCHAR(500) NOT NULL,
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    position INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE recipe_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT NOT NULL REFERENCES products(id),
    ingredient_id BIGINT NOT NULL REFERENCES ingredients(id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    UNIQUE (product_id, ingredient_id)
);
CREATE INDEX recipe_lines_ingredient ON recipe_lines (ingredient_id);

CREATE TABLE recipe_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT NOT NULL REFERENCES products(id),
    position INTEGER NOT NULL,
    instruction VARCHAR(500) NOT NULL,
    UNIQUE (product_id, position)
);

-- Per-pizzeria menu switch: a product is on a pizzeria's menu when its row is enabled.
CREATE TABLE menu_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pizzeria_id BIGINT NOT NULL REFERENCES pizzerias(id),
    product_id BIGINT NOT NULL REFERENCES products(id),
    enabled BOOLEAN NOT NULL DEFAULT 1,
    UNIQUE (pizzeria_id, product_id)
);

CREATE TABLE stock_levels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pizzeria_id BIGINT NOT NULL REFERENCES pizzerias(id),
    ingredient_id BIGINT NOT NULL REFERENCES ingredients(id),
    on_hand BIGINT NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    low_threshold BIGINT NOT NULL DEFAULT 0 CHECK (low_threshold >= 0),
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (pizzeria_id, ingredient_id)
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pizzeria_id BIGINT NOT NULL REFERENCES pizzerias(id),
    token VARCHAR(64) NOT NULL UNIQUE,
    user_id BIGINT REFERENCES users(id),
    channel VARCHAR(10) NOT NULL CHECK (channel IN ('web', 'phone', 'counter')),
    fulfilment VARCHAR(10) NOT NULL CHECK (fulfilment IN ('delivery', 'pickup')),
    status VARCHAR(20) NOT NULL CHECK (status IN ('AWAITING_PAYMENT', 'RECEIVED', 'IN_PREPARATION', 'READY', 'OUT_FOR_DELIVERY', 'DELIVERED', 'PICKED_UP', 'CANCELLED')),
    payment_status VARCHAR(20) NOT NULL CHECK (payment_status IN ('UNPAID', 'PENDING', 'PAID', 'REFUNDED', 'PARTIALLY_REFUNDED', 'FAILED')),
    payment_method VARCHAR(20) NOT NULL CHECK (payment_method IN ('on_delivery', 'at_pickup', 'at_counter', 'stripe', 'paypal', 'gocardless')),
    customer_name VARCHAR(120) NOT NULL,
    customer_phone VARCHAR(20) NOT NULL,
    customer_email VARCHAR(254) NOT NULL,
    delivery_street VARCHAR(200),
    delivery_postal_code VARCHAR(10),
    delivery_city VARCHAR(80),
    delivery_instructions VARCHAR(500),
    desired_at TIMESTAMP,
    total_cents BIGINT NOT NULL CHECK (total_cents >= 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Kitchen queue / delivery board: a pizzeria's orders in one status, oldest first.
CREATE INDEX orders_queue ON orders (pizzeria_id, status, created_at);
CREATE INDEX orders_user ON orders (user_id, created_at);
CREATE INDEX orders_phone ON orders (pizzeria_id, customer_phone);

CREATE TABLE order_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders(id),
    product_id BIGINT NOT NULL REFERENCES products(id),
    product_name VARCHAR(120) NOT NULL,
    unit_price_cents BIGINT NOT NULL CHECK (unit_price_cents >= 0),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    UNIQUE (order_id, product_id)
);

-- Append-only: every status change of an order. Tailed by id for live updates.
CREATE TABLE order_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders(id),
    pizzeria_id BIGINT NOT NULL REFERENCES pizzerias(id),
    from_status VARCHAR(20),
    to_status VARCHAR(20) NOT NULL,
    actor_kind VARCHAR(10) NOT NULL CHECK (actor_kind IN ('customer', 'staff', 'system', 'provider')),
    actor_user_id BIGINT REFERENCES users(id),
    reason VARCHAR(500),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

-- Append-only stock ledger: the sum of the deltas of a (pizzeria, ingredient) is its stock level.
CREATE TABLE stock_movements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pizzeria_id BIGINT NOT NULL REFERENCES pizzerias(id),
    ingredient_id BIGINT NOT NULL REFERENCES ingredients(id),
    reason VARCHAR(20) NOT NULL CHECK (reason IN ('reserve', 'release', 'consume', 'supplier_delivery', 'adjustment', 'inventory_count', 'waste')),
    delta_on_hand BIGINT NOT NULL,
    delta_reserved BIGINT NOT NULL,
    order_id BIGINT REFERENCES orders(id),
    user_id BIGINT REFERENCES users(id),
    note VARCHAR(500),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX stock_movements_item ON stock_movements (pizzeria_id, ingredient_id, id);
CREATE INDEX stock_movements_order ON stock_movements (order_id);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders(id),
    provider VARCHAR(20) NOT NULL CHECK (provider IN ('stripe', 'paypal', 'gocardless', 'cash', 'card')),
    provider_ref VARCHAR(255),
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    status VARCHAR(20) NOT NULL CHECK (status IN ('PENDING', 'PAID', 'FAILED', 'CANCELLED', 'REFUNDED', 'PARTIALLY_REFUNDED')),
    idempotency_key VARCHAR(64) NOT NULL UNIQUE,
    recorded_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (provider, provider_ref)
);
CREATE INDEX payments_order ON payments (order_id);

CREATE TABLE refunds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id BIGINT NOT NULL REFERENCES payments(id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    status VARCHAR(20) NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
    provider_ref VARCHAR(255),
    idempotency_key VARCHAR(64) NOT NULL UNIQUE,
    reason VARCHAR(500),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX refunds_payment ON refunds (payment_id);

-- Each provider event is processed once.
CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider VARCHAR(20) NOT NULL,
    event_id VARCHAR(255) NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (provider, event_id)
);

-- Emails are queued in the transaction that causes them; a worker claims and sends them.
CREATE TABLE email_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key VARCHAR(191) NOT NULL UNIQUE,
    recipient VARCHAR(254) NOT NULL,
    template VARCHAR(60) NOT NULL,
    payload TEXT NOT NULL,
    order_id BIGINT REFERENCES orders(id),
    status VARCHAR(10) NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_error VARCHAR(1000),
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX email_outbox_claim ON email_outbox (status, next_attempt_at);

-- Server-side sessions: the cookie carries a random token, the table keeps its SHA-256.
CREATE TABLE sessions (
    id VARCHAR(64) PRIMARY KEY NOT NULL,
    user_id BIGINT REFERENCES users(id),
    csrf_token VARCHAR(64) NOT NULL,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE idempotency_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope VARCHAR(40) NOT NULL,
    idem_key VARCHAR(128) NOT NULL,
    order_id BIGINT REFERENCES orders(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (scope, idem_key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
-- Indexes MySQL creates for its foreign keys.
CREATE INDEX order_lines_product ON order_lines (product_id);
CREATE INDEX email_outbox_order ON email_outbox (order_id);
CREATE INDEX idempotency_keys_order ON idempotency_keys (order_id);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email VARCHAR(254) NOT NULL,
    ip VARCHAR(45) NOT NULL,
    succeeded BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, created_at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, created_at);
