-- 0003: the catalog: categories, brands, products with options, variants
-- (SKUs), specifications and images, and the full-text search index.
--
-- Money is integer minor units (fen for CNY).  Only status 'live' is
-- visible to shoppers.  products.min_price / max_price / in_stock are kept
-- in step with the product's SKUs by the catalog module, so listings sort
-- and filter without touching the SKU table.

CREATE TABLE IF NOT EXISTS categories (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    parent_id INT UNSIGNED NULL,
    slug VARCHAR(100) NOT NULL,
    name_zh VARCHAR(100) NOT NULL,
    name_en VARCHAR(100) NOT NULL,
    position INT NOT NULL DEFAULT 0,
    -- materialised path of ids, "/1/5/12/": a subtree is a prefix match
    path VARCHAR(255) NOT NULL DEFAULT '/',
    depth TINYINT UNSIGNED NOT NULL DEFAULT 0,
    UNIQUE KEY uq_categories_slug (slug),
    KEY ix_categories_parent (parent_id, position),
    KEY ix_categories_path (path)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS brands (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    slug VARCHAR(100) NOT NULL,
    name VARCHAR(100) NOT NULL,
    UNIQUE KEY uq_brands_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS products (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    merchant_id BIGINT UNSIGNED NOT NULL,
    category_id INT UNSIGNED NOT NULL,
    brand_id INT UNSIGNED NULL,
    slug VARCHAR(160) NOT NULL,
    name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    status ENUM('draft', 'pending', 'live', 'rejected', 'archived')
        NOT NULL DEFAULT 'draft',
    currency CHAR(3) NOT NULL DEFAULT 'CNY',
    min_price BIGINT NOT NULL DEFAULT 0,
    max_price BIGINT NOT NULL DEFAULT 0,
    in_stock TINYINT(1) NOT NULL DEFAULT 0,
    rating_sum INT UNSIGNED NOT NULL DEFAULT 0,
    rating_count INT UNSIGNED NOT NULL DEFAULT 0,
    -- average rating x 100 (0..500), for sorting and filtering
    rating_avg SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    sales_count INT UNSIGNED NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    published_at DATETIME(6) NULL,
    UNIQUE KEY uq_products_slug (slug),
    KEY ix_products_cat_price (status, category_id, min_price),
    KEY ix_products_cat_new (status, category_id, published_at),
    KEY ix_products_cat_sales (status, category_id, sales_count),
    KEY ix_products_cat_rating (status, category_id, rating_avg),
    KEY ix_products_brand (status, brand_id),
    KEY ix_products_merchant (merchant_id, status),
    KEY ix_products_updated (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Option names per product ("颜色", "尺码"), in order.
CREATE TABLE IF NOT EXISTS product_options (
    product_id BIGINT UNSIGNED NOT NULL,
    position TINYINT UNSIGNED NOT NULL,
    name VARCHAR(50) NOT NULL,
    PRIMARY KEY (product_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS skus (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    product_id BIGINT UNSIGNED NOT NULL,
    code VARCHAR(64) NOT NULL,
    option1 VARCHAR(50) NOT NULL DEFAULT '',
    option2 VARCHAR(50) NOT NULL DEFAULT '',
    option3 VARCHAR(50) NOT NULL DEFAULT '',
    price BIGINT NOT NULL,
    compare_at_price BIGINT NULL,
    stock INT NOT NULL DEFAULT 0,
    weight_g INT UNSIGNED NOT NULL DEFAULT 0,
    barcode VARCHAR(32) NOT NULL DEFAULT '',
    image_position TINYINT UNSIGNED NULL,
    position SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    UNIQUE KEY uq_skus_code (product_id, code),
    KEY ix_skus_product (product_id, position),
    CONSTRAINT ck_skus_stock CHECK (stock >= 0),
    CONSTRAINT ck_skus_price CHECK (price >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Distinct option values of live products, for option facets and filters.
CREATE TABLE IF NOT EXISTS product_option_values (
    product_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(50) NOT NULL,
    value VARCHAR(50) NOT NULL,
    PRIMARY KEY (product_id, name, value),
    KEY ix_pov_value (name, value, product_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS product_specs (
    product_id BIGINT UNSIGNED NOT NULL,
    position SMALLINT UNSIGNED NOT NULL,
    name VARCHAR(64) NOT NULL,
    value VARCHAR(255) NOT NULL,
    PRIMARY KEY (product_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Images: files live under media_dir as <base>-<size>.<webp|jpg> for the
-- sizes thumb (160), card (480) and full (1200).
CREATE TABLE IF NOT EXISTS product_images (
    product_id BIGINT UNSIGNED NOT NULL,
    position TINYINT UNSIGNED NOT NULL,
    base VARCHAR(160) NOT NULL,
    alt VARCHAR(200) NOT NULL DEFAULT '',
    width SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    height SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Full-text index of live products (Mroonga, bigram tokenizer: Chinese and
-- English alike).  Mroonga storage tables do not roll back, so this is a
-- derived table fed from catalog writes and rebuilt by
-- `jishi-fcgi reindex`; the catalog tables stay the truth.
CREATE TABLE IF NOT EXISTS product_search (
    product_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    body TEXT NOT NULL,
    FULLTEXT KEY ft_name (name),
    FULLTEXT KEY ft_all (name, body)
) ENGINE=Mroonga DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
