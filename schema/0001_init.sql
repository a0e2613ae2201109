-- 0001: foundation tables.
-- heartbeat: one row the job runner updates every second on the primary;
-- a replica's lag is the age of this row as the replica sees it.
CREATE TABLE IF NOT EXISTS heartbeat (
    id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
    ts DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO heartbeat (id, ts) VALUES (1, UTC_TIMESTAMP(6));
