-- 0008: a low-stock threshold per SKU; at or below it the SKU is flagged
-- to its merchant (GET /api/v1/merchant/inventory/low-stock).
ALTER TABLE skus
    ADD COLUMN IF NOT EXISTS low_stock_threshold INT UNSIGNED NOT NULL
        DEFAULT 5;
