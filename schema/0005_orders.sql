-- 0005: carts, shipping rates, checkouts and orders (one per merchant),
-- the inventory ledger and the payment records.

-- A cart belongs to a signed-in user or to a guest session.
CREATE TABLE IF NOT EXISTS carts (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT UNSIGNED NULL,
    session_id BIGINT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    UNIQUE KEY uq_carts_user (user_id),
    UNIQUE KEY uq_carts_session (session_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS cart_items (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    cart_id BIGINT UNSIGNED NOT NULL,
    sku_id BIGINT UNSIGNED NOT NULL,
    quantity INT UNSIGNED NOT NULL,
    -- the unit price when added, to warn when it changed since
    price_seen BIGINT NOT NULL,
    added_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    UNIQUE KEY uq_cart_sku (cart_id, sku_id),
    CONSTRAINT fk_cart_items_cart FOREIGN KEY (cart_id) REFERENCES carts (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Shipping rates by merchant (0: platform default), region and method.
CREATE TABLE IF NOT EXISTS shipping_rates (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    merchant_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
    region VARCHAR(16) NOT NULL DEFAULT '*',
    method VARCHAR(24) NOT NULL DEFAULT 'standard',
    first_weight_g INT UNSIGNED NOT NULL DEFAULT 1000,
    first_fee BIGINT NOT NULL DEFAULT 0,
    step_weight_g INT UNSIGNED NOT NULL DEFAULT 1000,
    step_fee BIGINT NOT NULL DEFAULT 0,
    free_over BIGINT NOT NULL DEFAULT 0,
    UNIQUE KEY uq_rates (merchant_id, region, method)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO shipping_rates
    (merchant_id, region, method, first_weight_g, first_fee, step_weight_g,
     step_fee, free_over)
VALUES (0, '*', 'standard', 1000, 1000, 1000, 500, 9900),
       (0, '*', 'express', 1000, 2000, 1000, 1000, 0),
       (0, 'CN', 'standard', 1000, 800, 1000, 400, 9900);

-- One checkout: one payment covering one order per merchant.  The
-- idempotency key makes a retried checkout return the first result.
CREATE TABLE IF NOT EXISTS checkouts (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT UNSIGNED NULL,
    idem_key VARCHAR(128) NOT NULL,
    request_hash BINARY(32) NOT NULL,
    currency CHAR(3) NOT NULL DEFAULT 'CNY',
    total BIGINT NOT NULL,
    payment_method VARCHAR(16) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    UNIQUE KEY uq_checkout_idem (user_id, idem_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS orders (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    checkout_id BIGINT UNSIGNED NOT NULL,
    user_id BIGINT UNSIGNED NULL,
    merchant_id BIGINT UNSIGNED NOT NULL,
    status ENUM('pending_payment', 'paid', 'shipped', 'delivered',
                'completed', 'cancelled', 'refund_requested', 'refunded')
        NOT NULL DEFAULT 'pending_payment',
    currency CHAR(3) NOT NULL DEFAULT 'CNY',
    subtotal BIGINT NOT NULL,
    discount BIGINT NOT NULL DEFAULT 0,
    shipping BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL,
    shipping_method VARCHAR(24) NOT NULL,
    payment_method VARCHAR(16) NOT NULL,
    ship_recipient VARCHAR(64) NOT NULL,
    ship_phone VARCHAR(32) NOT NULL,
    ship_country CHAR(2) NOT NULL,
    ship_region VARCHAR(64) NOT NULL DEFAULT '',
    ship_city VARCHAR(64) NOT NULL,
    ship_district VARCHAR(64) NOT NULL DEFAULT '',
    ship_line1 VARCHAR(200) NOT NULL,
    ship_line2 VARCHAR(200) NOT NULL DEFAULT '',
    ship_postal_code VARCHAR(16) NOT NULL DEFAULT '',
    carrier VARCHAR(32) NULL,
    tracking_no VARCHAR(64) NULL,
    pay_before DATETIME(6) NULL,
    paid_at DATETIME(6) NULL,
    shipped_at DATETIME(6) NULL,
    delivered_at DATETIME(6) NULL,
    completed_at DATETIME(6) NULL,
    cancelled_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    KEY ix_orders_user (user_id, id),
    KEY ix_orders_merchant (merchant_id, status, id),
    KEY ix_orders_checkout (checkout_id),
    KEY ix_orders_expiry (status, pay_before)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS order_items (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id BIGINT UNSIGNED NOT NULL,
    sku_id BIGINT UNSIGNED NOT NULL,
    product_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(200) NOT NULL,
    options VARCHAR(160) NOT NULL DEFAULT '',
    unit_price BIGINT NOT NULL,
    quantity INT UNSIGNED NOT NULL,
    subtotal BIGINT NOT NULL,
    discount BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL,
    KEY ix_items_order (order_id),
    KEY ix_items_sku (sku_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every status change of an order: when, from what, by whom.
CREATE TABLE IF NOT EXISTS order_events (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id BIGINT UNSIGNED NOT NULL,
    from_status VARCHAR(24) NULL,
    to_status VARCHAR(24) NOT NULL,
    actor_role VARCHAR(16) NOT NULL,
    actor_user_id BIGINT UNSIGNED NULL,
    note VARCHAR(255) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    KEY ix_events_order (order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The inventory ledger: every change of a SKU's stock, with its reason.
CREATE TABLE IF NOT EXISTS inventory_movements (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sku_id BIGINT UNSIGNED NOT NULL,
    delta INT NOT NULL,
    reason ENUM('reserve', 'release', 'restock', 'adjust') NOT NULL,
    order_id BIGINT UNSIGNED NULL,
    actor_user_id BIGINT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    KEY ix_moves_sku (sku_id, id),
    KEY ix_moves_order (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
