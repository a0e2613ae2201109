-- 0004: the vocabulary of live products' names and brands (ASCII words,
-- lower-case), for correcting misspelt search words by edit distance.
-- Derived data, like product_search: rebuilt by `jishi-fcgi reindex`.
CREATE TABLE IF NOT EXISTS search_terms (
    term VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
        PRIMARY KEY
) ENGINE=InnoDB;
