-- 0006: payments for checkouts, the webhook events received from payment
-- providers, and the simulated gateway's own outgoing webhook queue.

-- One attempt to pay a checkout through a provider.  Only pending ->
-- succeeded | failed (-> refunded, later).  At most one pending payment
-- per checkout (pending_checkout is the checkout id only while pending);
-- a declined payment may be followed by another.
CREATE TABLE IF NOT EXISTS payments (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    checkout_id BIGINT UNSIGNED NOT NULL,
    provider ENUM('cod', 'sandbox') NOT NULL,
    status ENUM('pending', 'succeeded', 'failed', 'refunded')
        NOT NULL DEFAULT 'pending',
    amount BIGINT NOT NULL,
    currency CHAR(3) NOT NULL,
    -- the provider's reference; sandbox: 'sbx_' + 24 hex digits
    provider_ref VARCHAR(40) NOT NULL,
    pending_checkout BIGINT UNSIGNED
        AS (IF(status = 'pending', checkout_id, NULL)) PERSISTENT,
    created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    UNIQUE KEY uq_payments_ref (provider_ref),
    UNIQUE KEY uq_payments_pending (pending_checkout),
    KEY ix_payments_checkout (checkout_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every authentic webhook event, applied or not, in the transaction that
-- applied it: the unique key makes each event count at most once.
-- Forged or stale requests are refused before this and only logged.
CREATE TABLE IF NOT EXISTS payment_events (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    provider VARCHAR(16) NOT NULL,
    event_id VARCHAR(64) NOT NULL,
    payment_id BIGINT UNSIGNED NULL,
    type VARCHAR(40) NOT NULL,
    body TEXT NOT NULL,
    -- 1 when the event changed the payment
    applied TINYINT(1) NOT NULL DEFAULT 0,
    note VARCHAR(255) NOT NULL DEFAULT '',
    received_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    UNIQUE KEY uq_payment_events (provider, event_id),
    KEY ix_payment_events_payment (payment_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The sandbox gateway's outgoing webhooks: one row per decided payment
-- (so a second decision is refused), retried with backoff until answered.
CREATE TABLE IF NOT EXISTS sandbox_deliveries (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    payment_ref VARCHAR(40) NOT NULL,
    event_id VARCHAR(64) NOT NULL,
    body TEXT NOT NULL,
    attempts INT UNSIGNED NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    last_status INT NULL,
    last_error VARCHAR(255) NOT NULL DEFAULT '',
    delivered_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    UNIQUE KEY uq_sandbox_ref (payment_ref),
    KEY ix_sandbox_due (delivered_at, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
