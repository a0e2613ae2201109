-- 0010: each product's first image on its own row, for listing cards.
--
-- A page of cards read the first image with a subquery per product, about
-- a quarter of the page's time in MariaDB.  products.image_base is that
-- image's base, kept by triggers on product_images whoever writes them
-- (the app, the seed, an operator's SQL), which also move the product's
-- updated_at so pages that check it see the new images.
ALTER TABLE products ADD COLUMN IF NOT EXISTS image_base VARCHAR(160) NULL;

UPDATE products p SET p.image_base = (SELECT i.base FROM product_images i
    WHERE i.product_id = p.id ORDER BY i.position LIMIT 1);

CREATE OR REPLACE TRIGGER tr_product_images_ai AFTER INSERT ON product_images
FOR EACH ROW UPDATE products SET image_base = (SELECT i.base
    FROM product_images i WHERE i.product_id = NEW.product_id
    ORDER BY i.position LIMIT 1), updated_at = UTC_TIMESTAMP(6)
  WHERE id = NEW.product_id;

CREATE OR REPLACE TRIGGER tr_product_images_au AFTER UPDATE ON product_images
FOR EACH ROW UPDATE products SET image_base = (SELECT i.base
    FROM product_images i WHERE i.product_id = products.id
    ORDER BY i.position LIMIT 1), updated_at = UTC_TIMESTAMP(6)
  WHERE id IN (OLD.product_id, NEW.product_id);

CREATE OR REPLACE TRIGGER tr_product_images_ad AFTER DELETE ON product_images
FOR EACH ROW UPDATE products SET image_base = (SELECT i.base
    FROM product_images i WHERE i.product_id = OLD.product_id
    ORDER BY i.position LIMIT 1), updated_at = UTC_TIMESTAMP(6)
  WHERE id = OLD.product_id;
