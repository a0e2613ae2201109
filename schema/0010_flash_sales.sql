-- 0010: flash sales: one SKU at a lower price for a time window, set by
-- its merchant.  The pricing pipeline applies the lowest running sale of a
-- line's SKU as an item discount (promo.c); the order line keeps it.
-- Windows of one SKU never overlap (checked under the SKU's row lock).
CREATE TABLE IF NOT EXISTS flash_sales (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    merchant_id BIGINT UNSIGNED NOT NULL,
    sku_id BIGINT UNSIGNED NOT NULL,
    sale_price BIGINT NOT NULL,
    starts_at DATETIME(6) NOT NULL,
    ends_at DATETIME(6) NOT NULL,
    created_by BIGINT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    KEY ix_flash_sku (sku_id, ends_at),
    KEY ix_flash_window (ends_at, starts_at),
    KEY ix_flash_merchant (merchant_id, ends_at),
    CONSTRAINT ck_flash_price CHECK (sale_price >= 0),
    CONSTRAINT ck_flash_window CHECK (ends_at > starts_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
