-- 0011: the change feed of the workers' catalog caches.
--
-- Each worker keeps product pages and listing cards in memory (see
-- fcgi-app/src/changes.h).  Triggers on the tables they are made of write
-- one row here per change a shopper could see, in the same transaction as
-- the change, so a row reaches a replica together with what it announces.
-- Workers read the rows after the last they saw, every change_poll_ms, and
-- drop what they hold of the products named.  Triggers (not the app's
-- write paths) so that an import, a job or an operator's hand-written SQL
-- is seen the same way.  The master's job runner deletes rows older than
-- an hour.  A bulk writer (the demo seed) sets @jishi_bulk = 1 on its
-- connection so that its million rows write nothing here, and writes one
-- 'a' row when it is done.
--
-- kind 'p': product ref changed; 'a': something every product page may
-- show (a merchant's, brand's or category's name or status) changed.
CREATE TABLE IF NOT EXISTS cache_changes (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind CHAR(1) NOT NULL,
    ref BIGINT UNSIGNED NOT NULL DEFAULT 0,
    at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
    KEY ix_cache_changes_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii;

CREATE OR REPLACE TRIGGER tr_products_changed AFTER UPDATE ON products
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', NEW.id FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_products_deleted AFTER DELETE ON products
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', OLD.id FROM DUAL WHERE @jishi_bulk IS NULL;

-- A SKU's stock is shown only as a status: out (0), low (1..5, LOW_STOCK
-- in catalog.c) or in stock.  Orders and cancellations that keep the
-- status write nothing here, so checkout does not pay for the feed.
CREATE OR REPLACE TRIGGER tr_skus_added AFTER INSERT ON skus
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', NEW.product_id FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_skus_changed AFTER UPDATE ON skus
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', NEW.product_id FROM DUAL
    WHERE @jishi_bulk IS NULL
      AND NOT (NEW.price <=> OLD.price
               AND NEW.compare_at_price <=> OLD.compare_at_price
               AND (NEW.stock > 0) + (NEW.stock > 5)
                   = (OLD.stock > 0) + (OLD.stock > 5)
               AND NEW.product_id <=> OLD.product_id
               AND NEW.code <=> OLD.code
               AND NEW.option1 <=> OLD.option1
               AND NEW.option2 <=> OLD.option2
               AND NEW.option3 <=> OLD.option3
               AND NEW.barcode <=> OLD.barcode
               AND NEW.image_position <=> OLD.image_position
               AND NEW.position <=> OLD.position);
CREATE OR REPLACE TRIGGER tr_skus_deleted AFTER DELETE ON skus
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', OLD.product_id FROM DUAL WHERE @jishi_bulk IS NULL;

CREATE OR REPLACE TRIGGER tr_images_added AFTER INSERT ON product_images
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', NEW.product_id FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_images_changed AFTER UPDATE ON product_images
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', NEW.product_id FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_images_deleted AFTER DELETE ON product_images
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', OLD.product_id FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_specs_added AFTER INSERT ON product_specs
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', NEW.product_id FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_specs_changed AFTER UPDATE ON product_specs
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', NEW.product_id FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_specs_deleted AFTER DELETE ON product_specs
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', OLD.product_id FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_options_added AFTER INSERT ON product_options
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', NEW.product_id FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_options_changed AFTER UPDATE ON product_options
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', NEW.product_id FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_options_deleted AFTER DELETE ON product_options
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', OLD.product_id FROM DUAL WHERE @jishi_bulk IS NULL;

-- A flash sale changes its SKU's product page and card.  (Its start and
-- end are times, not writes: a worker keeps a page only until the next.)
CREATE OR REPLACE TRIGGER tr_flash_added AFTER INSERT ON flash_sales
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', product_id FROM skus
    WHERE id = NEW.sku_id AND @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_flash_changed AFTER UPDATE ON flash_sales
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', product_id FROM skus
    WHERE id IN (NEW.sku_id, OLD.sku_id) AND @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_flash_deleted AFTER DELETE ON flash_sales
    FOR EACH ROW INSERT INTO cache_changes (kind, ref)
    SELECT 'p', product_id FROM skus
    WHERE id = OLD.sku_id AND @jishi_bulk IS NULL;

CREATE OR REPLACE TRIGGER tr_merchants_changed AFTER UPDATE ON merchants
    FOR EACH ROW INSERT INTO cache_changes (kind)
    SELECT 'a' FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_brands_changed AFTER UPDATE ON brands
    FOR EACH ROW INSERT INTO cache_changes (kind)
    SELECT 'a' FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_brands_deleted AFTER DELETE ON brands
    FOR EACH ROW INSERT INTO cache_changes (kind)
    SELECT 'a' FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_categories_changed AFTER UPDATE ON categories
    FOR EACH ROW INSERT INTO cache_changes (kind)
    SELECT 'a' FROM DUAL WHERE @jishi_bulk IS NULL;
CREATE OR REPLACE TRIGGER tr_categories_deleted AFTER DELETE ON categories
    FOR EACH ROW INSERT INTO cache_changes (kind)
    SELECT 'a' FROM DUAL WHERE @jishi_bulk IS NULL;
