-- 0007: refunds.  A shopper asks for a refund of a paid, shipped or
-- delivered order; the merchant approves (the money goes back through the
-- payment provider, the stock back into the ledger) or rejects it (the
-- order returns to where it was).
CREATE TABLE IF NOT EXISTS refunds (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id BIGINT UNSIGNED NOT NULL,
    amount BIGINT NOT NULL,
    reason VARCHAR(500) NOT NULL,
    -- the order's status before the request, restored on rejection
    from_status VARCHAR(24) NOT NULL,
    status ENUM('requested', 'refunded', 'rejected') NOT NULL
        DEFAULT 'requested',
    note VARCHAR(255) NOT NULL DEFAULT '',
    decided_by BIGINT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    decided_at DATETIME(6) NULL,
    KEY ix_refunds_order (order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How much of a payment has been given back (several orders of one
-- checkout may be refunded one by one).
ALTER TABLE payments
    ADD COLUMN IF NOT EXISTS refunded_amount BIGINT NOT NULL DEFAULT 0;
