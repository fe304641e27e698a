-- OC Pizza data model (MySQL 8 / MariaDB). Keep in step with migrations/sqlite/: same tables, same meaning.
-- Money is integer cents (EUR, VAT included); timestamps are UTC; enums are text with CHECKs.
-- Tokens, keys and provider ids compare byte for byte (utf8mb4_bin), as they do on SQLite.

CREATE TABLE pizzerias (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    slug VARCHAR(60) NOT NULL UNIQUE,
    name VARCHAR(120) NOT NULL,
    street VARCHAR(200) NOT NULL,
    postal_code VARCHAR(10) NOT NULL,
    city VARCHAR(80) NOT NULL,
    phone VARCHAR(20) NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE opening_hours (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    pizzeria_id BIGINT NOT NULL,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    opens_at INTEGER NOT NULL CHECK (opens_at BETWEEN 0 AND 1440),
    closes_at INTEGER NOT NULL CHECK (closes_at BETWEEN 0 AND 1440),
    CHECK (opens_at < closes_at),
    FOREIGN KEY (pizzeria_id) REFERENCES pizzerias(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX opening_hours_pizzeria ON opening_hours (pizzeria_id, weekday);

CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(254) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    full_name VARCHAR(120) NOT NULL,
    phone VARCHAR(20),
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A staff member belongs to exactly one pizzeria, with one role there.
CREATE TABLE staff_memberships (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE,
    pizzeria_id BIGINT NOT NULL,
    role VARCHAR(20) NOT NULL CHECK (role IN ('counter', 'pizzaiolo', 'driver', 'manager')),
    created_at DATETIME(6) NOT NULL,
    FOREIGN KEY (user_id) REFERENCES users(id),
    FOREIGN KEY (pizzeria_id) REFERENCES pizzerias(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX staff_memberships_pizzeria ON staff_memberships (pizzeria_id, role);

CREATE TABLE customer_addresses (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    label VARCHAR(60) NOT NULL,
    street VARCHAR(200) NOT NULL,
    postal_code VARCHAR(10) NOT NULL,
    city VARCHAR(80) NOT NULL,
    instructions VARCHAR(500),
    created_at DATETIME(6) NOT NULL,
    FOREIGN KEY (user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX customer_addresses_user ON customer_addresses (user_id);

CREATE TABLE ingredients (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(120) NOT NULL UNIQUE,
    unit VARCHAR(10) NOT NULL CHECK (unit IN ('g', 'ml', 'piece')),
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE products (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind VARCHAR(10) NOT NULL CHECK (kind IN ('pizza', 'drink', 'dessert')),
    name VARCHAR(120) NOT NULL UNIQUE,
    description VARCHAR(500) NOT NULL,
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    position INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE recipe_lines (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    product_id BIGINT NOT NULL,
    ingredient_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    UNIQUE (product_id, ingredient_id),
    FOREIGN KEY (product_id) REFERENCES products(id),
    FOREIGN KEY (ingredient_id) REFERENCES ingredients(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX recipe_lines_ingredient ON recipe_lines (ingredient_id);

CREATE TABLE recipe_steps (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    product_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    instruction VARCHAR(500) NOT NULL,
    UNIQUE (product_id, position),
    FOREIGN KEY (product_id) REFERENCES products(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per-pizzeria menu switch: a product is on a pizzeria's menu when its row is enabled.
CREATE TABLE menu_items (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    pizzeria_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (pizzeria_id, product_id),
    FOREIGN KEY (pizzeria_id) REFERENCES pizzerias(id),
    FOREIGN KEY (product_id) REFERENCES products(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE stock_levels (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    pizzeria_id BIGINT NOT NULL,
    ingredient_id BIGINT NOT NULL,
    on_hand BIGINT NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    low_threshold BIGINT NOT NULL DEFAULT 0 CHECK (low_threshold >= 0),
    updated_at DATETIME(6) NOT NULL,
    UNIQUE (pizzeria_id, ingredient_id),
    FOREIGN KEY (pizzeria_id) REFERENCES pizzerias(id),
    FOREIGN KEY (ingredient_id) REFERENCES ingredients(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE orders (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    pizzeria_id BIGINT NOT NULL,
    token VARCHAR(64) COLLATE utf8mb4_bin NOT NULL UNIQUE,
    user_id BIGINT,
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
    desired_at DATETIME(6),
    total_cents BIGINT NOT NULL CHECK (total_cents >= 0),
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    FOREIGN KEY (pizzeria_id) REFERENCES pizzerias(id),
    FOREIGN KEY (user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- Kitchen queue / delivery board: a pizzeria's orders in one status, oldest first.
CREATE INDEX orders_queue ON orders (pizzeria_id, status, created_at);
CREATE INDEX orders_user ON orders (user_id, created_at);
CREATE INDEX orders_phone ON orders (pizzeria_id, customer_phone);

CREATE TABLE order_lines (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    product_name VARCHAR(120) NOT NULL,
    unit_price_cents BIGINT NOT NULL CHECK (unit_price_cents >= 0),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    UNIQUE (order_id, product_id),
    FOREIGN KEY (order_id) REFERENCES orders(id),
    FOREIGN KEY (product_id) REFERENCES products(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only: every status change of an order. Tailed by id for live updates.
CREATE TABLE order_events (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id BIGINT NOT NULL,
    pizzeria_id BIGINT NOT NULL,
    from_status VARCHAR(20),
    to_status VARCHAR(20) NOT NULL,
    actor_kind VARCHAR(10) NOT NULL CHECK (actor_kind IN ('customer', 'staff', 'system', 'provider')),
    actor_user_id BIGINT,
    reason VARCHAR(500),
    created_at DATETIME(6) NOT NULL,
    FOREIGN KEY (order_id) REFERENCES orders(id),
    FOREIGN KEY (pizzeria_id) REFERENCES pizzerias(id),
    FOREIGN KEY (actor_user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX order_events_order ON order_events (order_id, id);

-- Append-only stock ledger: the sum of the deltas of a (pizzeria, ingredient) is its stock level.
CREATE TABLE stock_movements (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    pizzeria_id BIGINT NOT NULL,
    ingredient_id BIGINT NOT NULL,
    reason VARCHAR(20) NOT NULL CHECK (reason IN ('reserve', 'release', 'consume', 'supplier_delivery', 'adjustment', 'inventory_count', 'waste')),
    delta_on_hand BIGINT NOT NULL,
    delta_reserved BIGINT NOT NULL,
    order_id BIGINT,
    user_id BIGINT,
    note VARCHAR(500),
    created_at DATETIME(6) NOT NULL,
    FOREIGN KEY (pizzeria_id) REFERENCES pizzerias(id),
    FOREIGN KEY (ingredient_id) REFERENCES ingredients(id),
    FOREIGN KEY (order_id) REFERENCES orders(id),
    FOREIGN KEY (user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX stock_movements_item ON stock_movements (pizzeria_id, ingredient_id, id);
CREATE INDEX stock_movements_order ON stock_movements (order_id);

CREATE TABLE payments (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id BIGINT NOT NULL,
    provider VARCHAR(20) NOT NULL CHECK (provider IN ('stripe', 'paypal', 'gocardless', 'cash', 'card')),
    provider_ref VARCHAR(255) COLLATE utf8mb4_bin,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    status VARCHAR(20) NOT NULL CHECK (status IN ('PENDING', 'PAID', 'FAILED', 'CANCELLED', 'REFUNDED', 'PARTIALLY_REFUNDED')),
    idempotency_key VARCHAR(64) NOT NULL UNIQUE,
    recorded_by BIGINT,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE (provider, provider_ref),
    FOREIGN KEY (order_id) REFERENCES orders(id),
    FOREIGN KEY (recorded_by) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX payments_order ON payments (order_id);

CREATE TABLE refunds (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    payment_id BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    status VARCHAR(20) NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
    provider_ref VARCHAR(255) COLLATE utf8mb4_bin,
    idempotency_key VARCHAR(64) NOT NULL UNIQUE,
    reason VARCHAR(500),
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    FOREIGN KEY (payment_id) REFERENCES payments(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX refunds_payment ON refunds (payment_id);

-- Each provider event is processed once.
CREATE TABLE webhook_events (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    provider VARCHAR(20) NOT NULL,
    event_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    received_at DATETIME(6) NOT NULL,
    UNIQUE (provider, event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Emails are queued in the transaction that causes them; a worker claims and sends them.
CREATE TABLE email_outbox (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    dedupe_key VARCHAR(191) COLLATE utf8mb4_bin NOT NULL UNIQUE,
    recipient VARCHAR(254) NOT NULL,
    template VARCHAR(60) NOT NULL,
    payload TEXT NOT NULL,
    order_id BIGINT,
    status VARCHAR(10) NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6) NOT NULL,
    locked_until DATETIME(6),
    last_error VARCHAR(1000),
    sent_at DATETIME(6),
    created_at DATETIME(6) NOT NULL,
    FOREIGN KEY (order_id) REFERENCES orders(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX email_outbox_claim ON email_outbox (status, next_attempt_at);

-- Server-side sessions: the cookie carries a random token, the table keeps its SHA-256.
CREATE TABLE sessions (
    id VARCHAR(64) COLLATE utf8mb4_bin PRIMARY KEY NOT NULL,
    user_id BIGINT,
    csrf_token VARCHAR(64) NOT NULL,
    data TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    last_seen_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    FOREIGN KEY (user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE idempotency_keys (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    scope VARCHAR(40) NOT NULL,
    idem_key VARCHAR(128) COLLATE utf8mb4_bin NOT NULL,
    order_id BIGINT,
    created_at DATETIME(6) NOT NULL,
    UNIQUE (scope, idem_key),
    FOREIGN KEY (order_id) REFERENCES orders(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

CREATE TABLE login_attempts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(254) NOT NULL,
    ip VARCHAR(45) NOT NULL,
    succeeded BOOLEAN NOT NULL,
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX login_attempts_email ON login_attempts (email, created_at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, created_at);
