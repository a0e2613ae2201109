/*
 * seed.c - demo data: accounts, merchants, categories, brands and a
 * generated catalog (see seed.h for the contract and conventions).
 *
 * Small reference data (accounts, merchants, categories, brands) is
 * upserted row by row from the tables below, so a re-run finds the same
 * rows by their unique keys.  The same tables are then copied into
 * per-connection MEMORY temporary tables (seed_leaf, seed_brand, ...),
 * which are not binary-logged in ROW format.  Each batch of products
 * first fills seed_plan (one row per product: its hashes and choices)
 * from the sequence engine, then the real tables are filled by
 * INSERT ... SELECT joins over seed_plan inside one transaction.
 */
#include "config.h"
#include "seed.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "db.h"
#include "log.h"
#include "media.h"
#include "req.h"
#include "search.h"
#include "seed_data.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* SQL: reference rows                                                  */

static const char SQL_HAS_SEQUENCE[] = "SELECT COUNT(*) FROM seq_1_to_3";
/* Seeded means the demo merchants have products; other shops' products
 * (a real install, or test fixtures) do not count. */
static const char SQL_HAS_PRODUCTS[] =
    "SELECT EXISTS (SELECT 1 FROM products p"
    " JOIN merchants m ON m.id = p.merchant_id WHERE m.name = ?)";
static const char SQL_USER_UPSERT[] =
    "INSERT INTO users (email, password_hash, display_name, status,"
    " is_admin) VALUES (?, ?, ?, 'active', ?) "
    "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id),"
    " password_hash = VALUES(password_hash),"
    " display_name = VALUES(display_name), status = 'active',"
    " is_admin = VALUES(is_admin), deleted_at = NULL,"
    " updated_at = UTC_TIMESTAMP(6)";
static const char SQL_MERCHANT_UPSERT[] =
    "INSERT INTO merchants (name, status, commission_bp) "
    "VALUES (?, 'active', ?) "
    "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), status = 'active',"
    " updated_at = UTC_TIMESTAMP(6)";
static const char SQL_MEMBER_UPSERT[] =
    "INSERT INTO merchant_members (merchant_id, user_id, role) "
    "VALUES (?, ?, 'owner') ON DUPLICATE KEY UPDATE role = 'owner'";
static const char SQL_CATEGORY_UPSERT[] =
    "INSERT INTO categories (parent_id, slug, name_zh, name_en, position,"
    " depth) VALUES (?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id),"
    " parent_id = VALUES(parent_id), name_zh = VALUES(name_zh),"
    " name_en = VALUES(name_en), position = VALUES(position),"
    " depth = VALUES(depth)";
static const char SQL_CATEGORY_PATH[] =
    "UPDATE categories SET path = ? WHERE id = ?";
static const char SQL_BRAND_UPSERT[] =
    "INSERT INTO brands (slug, name) VALUES (?, ?) "
    "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), name = VALUES(name)";

/* ------------------------------------------------------------------ */
/* SQL: the temporary tables (MEMORY, this connection only)             */

#define TMP " ENGINE=MEMORY DEFAULT CHARSET=utf8mb4 " \
    "COLLATE=utf8mb4_unicode_ci"

static const char *const sql_tmp_create[] = {
    "DROP TEMPORARY TABLE IF EXISTS seed_leaf, seed_brand, seed_word,"
    " seed_optname, seed_optval, seed_merchant, seed_plan",
    "CREATE TEMPORARY TABLE seed_leaf (n SMALLINT NOT NULL PRIMARY KEY,"
    " category_id INT UNSIGNED NOT NULL, top_n TINYINT NOT NULL,"
    " lo INT NOT NULL, hi INT NOT NULL, t1 TINYINT NOT NULL,"
    " t2 TINYINT NOT NULL, t3 TINYINT NOT NULL, m1 TINYINT NOT NULL,"
    " m2 TINYINT NOT NULL, m3 TINYINT NOT NULL, slug VARCHAR(100) NOT NULL,"
    " zh VARCHAR(100) NOT NULL, en VARCHAR(100) NOT NULL)" TMP,
    "CREATE TEMPORARY TABLE seed_brand (top_n TINYINT NOT NULL,"
    " k TINYINT NOT NULL, id INT UNSIGNED NOT NULL,"
    " zh VARCHAR(50) NOT NULL, en VARCHAR(50) NOT NULL,"
    " slug VARCHAR(100) NOT NULL, PRIMARY KEY (top_n, k))" TMP,
    "CREATE TEMPORARY TABLE seed_word (top_n TINYINT NOT NULL,"
    " i TINYINT NOT NULL, adj_zh VARCHAR(20) NOT NULL,"
    " adj_en VARCHAR(30) NOT NULL, sfx_zh VARCHAR(20) NOT NULL,"
    " sfx_en VARCHAR(30) NOT NULL, feat_zh VARCHAR(60) NOT NULL,"
    " feat_en VARCHAR(100) NOT NULL, PRIMARY KEY (top_n, i))" TMP,
    "CREATE TEMPORARY TABLE seed_optname (t TINYINT NOT NULL PRIMARY KEY,"
    " name VARCHAR(50) NOT NULL)" TMP,
    "CREATE TEMPORARY TABLE seed_optval (t TINYINT NOT NULL,"
    " i TINYINT NOT NULL, value VARCHAR(50) NOT NULL,"
    " PRIMARY KEY (t, i))" TMP,
    "CREATE TEMPORARY TABLE seed_merchant (n TINYINT NOT NULL PRIMARY KEY,"
    " id BIGINT UNSIGNED NOT NULL, KEY (id))" TMP,
    /* One row per product of the current batch: hashes h, g, u of its
     * sequence number and every choice derived from them. */
    "CREATE TEMPORARY TABLE seed_plan (id BIGINT UNSIGNED NOT NULL"
    " PRIMARY KEY, leaf_n SMALLINT NOT NULL, top_n TINYINT NOT NULL,"
    " brand_k TINYINT NOT NULL, mer_n TINYINT NOT NULL,"
    " adj TINYINT NOT NULL, adj2 TINYINT NOT NULL,"
    " h BIGINT NOT NULL, g BIGINT NOT NULL,"
    " t1 TINYINT NOT NULL, t2 TINYINT NOT NULL, t3 TINYINT NOT NULL,"
    " c1 TINYINT NOT NULL, c2 TINYINT NOT NULL, c3 TINYINT NOT NULL,"
    " o1 TINYINT NOT NULL DEFAULT 0, o2 TINYINT NOT NULL DEFAULT 0,"
    " o3 TINYINT NOT NULL DEFAULT 0, nsku TINYINT NOT NULL DEFAULT 1,"
    " nimg TINYINT NOT NULL, nspec TINYINT NOT NULL, base INT NOT NULL,"
    " wt INT NOT NULL, stc TINYINT NOT NULL, age INT NOT NULL,"
    " rc INT NOT NULL, ra INT NOT NULL, lo BIGINT NOT NULL DEFAULT 0,"
    " hi BIGINT NOT NULL DEFAULT 0, st TINYINT NOT NULL DEFAULT 0)" TMP,
};

static const char SQL_TMP_LEAF[] =
    "INSERT INTO seed_leaf VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_TMP_BRAND[] =
    "INSERT INTO seed_brand VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_TMP_WORD[] =
    "INSERT INTO seed_word VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_TMP_OPTNAME[] = "INSERT INTO seed_optname VALUES (?, ?)";
static const char SQL_TMP_OPTVAL[] = "INSERT INTO seed_optval VALUES (?, ?, ?)";
static const char SQL_TMP_MERCHANT[] =
    "INSERT INTO seed_merchant VALUES (?, ?)";

/* ------------------------------------------------------------------ */
/* SQL: --force                                                         */

static const char SQL_ONLY_DEMO[] =
    "SELECT NOT EXISTS (SELECT 1 FROM products p"
    " LEFT JOIN seed_merchant m ON m.id = p.merchant_id WHERE m.id IS NULL)";
static const char *const sql_truncate[] = {
    "TRUNCATE TABLE skus", "TRUNCATE TABLE product_options",
    "TRUNCATE TABLE product_option_values", "TRUNCATE TABLE product_specs",
    "TRUNCATE TABLE product_images", "TRUNCATE TABLE products",
};
/* Demo flash sales: on the two best-selling well-stocked SKUs of each of
 * the first three demo merchants, 20% off; running (for three days from
 * the seed) and, on the next two, upcoming (tomorrow, two hours). */
static const char SQL_FLASH_DEMO[] =
    "INSERT INTO flash_sales (merchant_id, sku_id, sale_price, starts_at,"
    " ends_at) "
    "SELECT x.merchant_id, x.id, x.price * 8 DIV 10,"
    " IF(x.n <= 2, UTC_TIMESTAMP(6) - INTERVAL 1 HOUR,"
    "  UTC_TIMESTAMP(6) + INTERVAL 1 DAY),"
    " IF(x.n <= 2, UTC_TIMESTAMP(6) + INTERVAL 3 DAY,"
    "  UTC_TIMESTAMP(6) + INTERVAL 26 HOUR) "
    "FROM (SELECT k.id, k.price, p.merchant_id, ROW_NUMBER() OVER"
    "  (PARTITION BY p.merchant_id ORDER BY p.sales_count DESC, k.id) AS n"
    "  FROM skus k JOIN products p ON p.id = k.product_id"
    "  JOIN merchants m ON m.id = p.merchant_id"
    "  WHERE m.name IN (?, ?, ?) AND p.status = 'live' AND k.stock > 20"
    "  AND k.price >= 1000 AND k.position = 1) x "
    "WHERE x.n <= 4";
static const char SQL_FLASH_CLEAR[] =
    "DELETE f FROM flash_sales f JOIN seed_merchant m"
    " ON m.id = f.merchant_id";
static const char SQL_DEMO_RANGE[] =
    "SELECT COALESCE(MIN(p.id), 0), COALESCE(MAX(p.id), -1) FROM products p"
    " JOIN seed_merchant m ON m.id = p.merchant_id";

#define DEMO_OF(t) \
    "DELETE c FROM " t " c JOIN products p ON p.id = c.product_id" \
    " JOIN seed_merchant m ON m.id = p.merchant_id" \
    " WHERE c.product_id BETWEEN ? AND ?"

static const char *const sql_delete_demo[] = {
    DEMO_OF("skus"), DEMO_OF("product_options"),
    DEMO_OF("product_option_values"), DEMO_OF("product_specs"),
    DEMO_OF("product_images"),
    "DELETE p FROM products p JOIN seed_merchant m ON m.id = p.merchant_id"
    " WHERE p.id BETWEEN ? AND ?",
};

/* ------------------------------------------------------------------ */
/* SQL: one batch of products                                           */

static const char SQL_MAX_PRODUCT[] =
    "SELECT COALESCE(MAX(id), 0) FROM products";
static const char SQL_PLAN_CLEAR[] = "DELETE FROM seed_plan";

/* Params: id base, first seq, last seq, number of leaves. */
static const char SQL_PLAN_FILL[] =
    "INSERT INTO seed_plan (id, leaf_n, top_n, brand_k, mer_n, adj, adj2,"
    " h, g, t1, t2, t3, c1, c2, c3, nimg, nspec, base, wt, stc, age, rc, ra) "
    "SELECT t.id, l.n, l.top_n, (t.g DIV 7) % 10,"
    " CASE (t.h DIV 83) % 6 WHEN 0 THEN 6 WHEN 1 THEN 7 ELSE l.top_n END,"
    " (t.g DIV 70) % 6, ((t.g DIV 70) % 6 + 1 + (t.h DIV 249) % 5) % 6,"
    " t.h, t.g, l.t1, l.t2, l.t3,"
    " IF(l.m1 = 0, 1, 1 + t.u % l.m1),"
    " IF(l.m2 = 0, 1, 1 + (t.u DIV 8) % l.m2),"
    " IF(l.m3 = 0, 1, 1 + (t.u DIV 64) % l.m3),"
    " 1 + (t.h DIV 1000) % 4, 3 + (t.g DIV 4096) % 4,"
    " l.lo + (t.u DIV 512) % (l.hi - l.lo + 1), 50 + (t.g DIV 100) % 1950,"
    " CASE (t.u DIV 10000) % 100 WHEN 97 THEN 1 WHEN 98 THEN 2"
    "  WHEN 99 THEN 3 ELSE 0 END,"
    " (t.h DIV 3) % 31536000, IF(t.h % 7 = 0, 0, (t.g DIV 3) % 800),"
    " 350 + (t.u DIV 7) % 151 "
    "FROM (SELECT ? + seq AS id, CRC32(seq) AS h, CRC32(seq + 1000003) AS g,"
    "  CRC32(seq + 2000003) AS u FROM seq_1_to_2000000"
    "  WHERE seq BETWEEN ? AND ?) t "
    "JOIN seed_leaf l ON l.n = t.h % ?";

/* Value windows start where the picked values still fit in the 8. */
static const char SQL_PLAN_DERIVE[] =
    "UPDATE seed_plan SET nsku = c1 * c2 * c3, o1 = h % (9 - c1),"
    " o2 = (h DIV 9) % (9 - c2), o3 = (h DIV 81) % (9 - c3)";

/* SKU k (0-based) picks value k % c1 of option 1, (k / c1) % c2 of
 * option 2, k / (c1 c2) of option 3; price grows with each index.  The
 * barcode is EAN-13: "69" + 10 digits unique per SKU + check digit. */
#define EAN_D(b, p, w) " + " #w " * (((" b ") DIV " #p ") % 10)"
static const char SQL_SKUS[] =
    "INSERT INTO skus (product_id, code, option1, option2, option3, price,"
    " compare_at_price, stock, weight_g, barcode, image_position, position) "
    "SELECT x.id, CONCAT('SKU-', x.id, '-', x.k + 1),"
    " COALESCE(v1.value, ''), COALESCE(v2.value, ''),"
    " COALESCE(v3.value, ''), x.price,"
    " IF(x.h % 5 = 0, x.price * 5 DIV 400 * 100, NULL),"
    " IF(x.h % 40 = 0 OR (x.g + 7 * x.k) % 9 = 0, 0,"
    "  1 + (x.g DIV 13 + 37 * x.k) % 300),"
    " x.wt + 20 * x.i2,"
    " CONCAT(x.b, (10 - (0"
    EAN_D("x.b", 1, 3) EAN_D("x.b", 10, 1) EAN_D("x.b", 100, 3)
    EAN_D("x.b", 1000, 1) EAN_D("x.b", 10000, 3) EAN_D("x.b", 100000, 1)
    EAN_D("x.b", 1000000, 3) EAN_D("x.b", 10000000, 1)
    EAN_D("x.b", 100000000, 3) EAN_D("x.b", 1000000000, 1)
    EAN_D("x.b", 10000000000, 3) EAN_D("x.b", 100000000000, 1)
    ") % 10) % 10),"
    " 1 + x.i1 % x.nimg, x.k + 1 "
    "FROM (SELECT p.id, p.h, p.g, p.wt, p.nimg, p.t1, p.t2, p.t3,"
    "  p.o1, p.o2, p.o3, k.seq AS k, k.seq % p.c1 AS i1,"
    "  (k.seq DIV p.c1) % p.c2 AS i2, k.seq DIV (p.c1 * p.c2) AS i3,"
    "  p.base * (100 + 5 * (k.seq % p.c1) + 25 * ((k.seq DIV p.c1) % p.c2)"
    "   + 10 * (k.seq DIV (p.c1 * p.c2))) DIV 100 * 100 - 10 AS price,"
    "  690000000000 + p.id * 12 + k.seq AS b"
    "  FROM seed_plan p JOIN seq_0_to_11 k ON k.seq < p.nsku) x "
    "LEFT JOIN seed_optval v1 ON v1.t = x.t1 AND v1.i = x.o1 + x.i1 "
    "LEFT JOIN seed_optval v2 ON v2.t = x.t2 AND v2.i = x.o2 + x.i2 "
    "LEFT JOIN seed_optval v3 ON v3.t = x.t3 AND v3.i = x.o3 + x.i3";

/* Params: the batch's first and last product id. */
static const char SQL_PLAN_PRICES[] =
    "UPDATE seed_plan p JOIN (SELECT product_id, MIN(price) AS lo,"
    " MAX(price) AS hi, MAX(stock > 0) AS st FROM skus"
    " WHERE product_id BETWEEN ? AND ? GROUP BY product_id) s"
    " ON s.product_id = p.id SET p.lo = s.lo, p.hi = s.hi, p.st = s.st";

static const char SQL_PRODUCTS[] =
    "INSERT INTO products (id, merchant_id, category_id, brand_id, slug,"
    " name, description, status, currency, min_price, max_price, in_stock,"
    " rating_sum, rating_count, rating_avg, sales_count, created_at,"
    " updated_at, published_at) "
    "SELECT p.id, m.id, l.category_id, b.id,"
    " CONCAT('p-', p.id, '-', b.slug, '-', l.slug),"
    " CONCAT_WS(' ', b.zh, CONCAT(w.adj_zh, l.zh), NULLIF(x.sfx_zh, ''),"
    "  b.en, w.adj_en, l.en, NULLIF(x.sfx_en, ''),"
    "  IF(p.top_n = 0, 2024 + p.h % 3, NULL)),"
    " CONCAT(b.zh, w.adj_zh, l.zh, '：', w.feat_zh, '；', x.feat_zh, '。',"
    "  ELT(1 + p.g % 4, '正品保障，支持7天无理由退换',"
    "   '全国包邮，48小时内发货', '官方授权，全国联保',"
    "   '支持分期付款，下单即送运费险'), '。\\n\\n',"
    "  b.en, ' ', w.adj_en, ' ', l.en, ': ', w.feat_en, '; ', x.feat_en,"
    "  '. ', ELT(1 + p.g % 4, 'Genuine product with 7-day no-reason returns',"
    "   'Free shipping nationwide, dispatched within 48 hours',"
    "   'Officially authorised with a nationwide warranty',"
    "   'Instalments available, return shipping insurance included'), '.'),"
    " ELT(1 + p.stc, 'live', 'draft', 'pending', 'archived'), 'CNY',"
    " p.lo, p.hi, p.st, (p.rc * p.ra + 50) DIV 100, p.rc,"
    " IF(p.rc = 0, 0, ROUND((p.rc * p.ra + 50) DIV 100 * 100 / p.rc)),"
    " ((p.g DIV 11) % 100) * ((p.h DIV 13) % 100),"
    " UTC_TIMESTAMP(6) - INTERVAL p.age + 86400 * (1 + p.h % 30) SECOND,"
    " UTC_TIMESTAMP(6) - INTERVAL p.age SECOND,"
    " IF(p.stc IN (1, 2), NULL, UTC_TIMESTAMP(6) - INTERVAL p.age SECOND) "
    "FROM seed_plan p JOIN seed_leaf l ON l.n = p.leaf_n"
    " JOIN seed_brand b ON b.top_n = p.top_n AND b.k = p.brand_k"
    " JOIN seed_merchant m ON m.n = p.mer_n"
    " JOIN seed_word w ON w.top_n = p.top_n AND w.i = p.adj"
    " JOIN seed_word x ON x.top_n = p.top_n AND x.i = p.adj2";

static const char SQL_OPTIONS[] =
    "INSERT INTO product_options (product_id, position, name) "
    "SELECT p.id, o.seq, n.name FROM seed_plan p JOIN seq_1_to_3 o"
    " JOIN seed_optname n ON n.t = CASE o.seq WHEN 1 THEN p.t1"
    "  WHEN 2 THEN p.t2 ELSE p.t3 END";

/* A product's SKUs are every combination of its options' value windows,
 * so its distinct values are the windows themselves (no DISTINCT over
 * the SKUs, which spills to disk). */
#define OPT_OF(p1, p2, p3) \
    "CASE o.seq WHEN 1 THEN " p1 " WHEN 2 THEN " p2 " ELSE " p3 " END"
static const char SQL_OPTION_VALUES[] =
    "INSERT INTO product_option_values (product_id, name, value) "
    "SELECT p.id, n.name, v.value FROM seed_plan p JOIN seq_1_to_3 o"
    " JOIN seq_0_to_5 j ON j.seq < " OPT_OF("p.c1", "p.c2", "p.c3")
    " JOIN seed_optname n ON n.t = " OPT_OF("p.t1", "p.t2", "p.t3")
    " JOIN seed_optval v ON v.t = n.t"
    "  AND v.i = j.seq + " OPT_OF("p.o1", "p.o2", "p.o3")
    " WHERE p.stc = 0";

static const char SQL_SPECS[] =
    "INSERT INTO product_specs (product_id, position, name, value) "
    "SELECT p.id, s.seq, ELT(s.seq, '品牌 Brand', '型号 Model',"
    "  '产地 Origin', '上市时间 Released',"
    "  IF(p.top_n = 4, '保质期 Shelf life', '保修 Warranty'), '重量 Weight'),"
    " ELT(s.seq, CONCAT(b.zh, ' ', b.en),"
    "  CONCAT(UPPER(LEFT(b.slug, 2)), '-', 1000 + p.id % 9000),"
    "  ELT(1 + p.g % 6, '广东深圳 Shenzhen, Guangdong',"
    "   '浙江杭州 Hangzhou, Zhejiang', '上海 Shanghai',"
    "   '福建厦门 Xiamen, Fujian', '江苏苏州 Suzhou, Jiangsu',"
    "   '四川成都 Chengdu, Sichuan'),"
    "  CONCAT(2024 + p.h % 3, '-', LPAD(1 + p.g % 12, 2, '0')),"
    "  IF(p.top_n = 4, CONCAT(6 + p.g % 13, '个月 months'),"
    "   CONCAT(1 + p.h % 3, '年 years')),"
    "  CONCAT(p.wt, ' g')) "
    "FROM seed_plan p JOIN seq_1_to_6 s ON s.seq <= p.nspec"
    " JOIN seed_brand b ON b.top_n = p.top_n AND b.k = p.brand_k";

static const char SQL_IMAGES[] =
    "INSERT INTO product_images (product_id, position, base, alt, width,"
    " height) "
    "SELECT p.id, i.seq, CONCAT('demo/c', p.top_n + 1, '-',"
    "  1 + (p.h + i.seq) % 4),"
    " LEFT(CONCAT(b.zh, ' ', l.zh, ' ', b.en, ' ', l.en), 200), 1200, 1200 "
    "FROM seed_plan p JOIN seq_1_to_4 i ON i.seq <= p.nimg"
    " JOIN seed_brand b ON b.top_n = p.top_n AND b.k = p.brand_k"
    " JOIN seed_leaf l ON l.n = p.leaf_n";

static const char SQL_COUNTS[] =
    "SELECT (SELECT COUNT(*) FROM products), (SELECT COUNT(*) FROM skus),"
    " (SELECT COUNT(*) FROM categories), (SELECT COUNT(*) FROM brands),"
    " (SELECT COUNT(*) FROM product_images)";

/* ------------------------------------------------------------------ */
/* reference rows                                                       */

struct seed {
    const struct seed_opts *o;
    const char *hash[SEED_NACCOUNTS];    /* per account */
    char hashes[SEED_NACCOUNTS][crypto_pwhash_STRBYTES];
    int64_t merchant_id[SEED_NMERCHANTS];
    int64_t cat_id[SEED_NCATS];
    int64_t brand_id[SEED_NTOPS][SEED_BRANDS_PER_TOP];
    int64_t lo, hi;             /* the current batch's product ids */
};

/* Argon2id is slow on purpose: hash each distinct password once. */
static int
hash_passwords(struct seed *s)
{
    for (unsigned i = 0; i < SEED_NACCOUNTS; i++) {
        s->hash[i] = NULL;
        for (unsigned j = 0; j < i && !s->hash[i]; j++)
            if (strcmp(seed_accounts[j].password,
                       seed_accounts[i].password) == 0)
                s->hash[i] = s->hash[j];
        if (s->hash[i])
            continue;
        if (auth_password_hash(seed_accounts[i].password, s->hashes[i],
                               sizeof(s->hashes[i])))
            return error("cannot hash the password of '%s'",
                         seed_accounts[i].email);
        s->hash[i] = s->hashes[i];
    }
    return JS_OK;
}

static int
upsert_accounts(struct req *r, struct seed *s)
{
    int64_t uid[SEED_NACCOUNTS];
    struct db_result res;
    unsigned m;
    int rc;

    for (unsigned i = 0; i < SEED_NACCOUNTS; i++) {
        const struct seed_account *a = &seed_accounts[i];

        rc = db_write(r, SQL_USER_UPSERT,
                      DB_ARGS(DBP_S(a->email), DBP_S(s->hash[i]),
                              DBP_S(seed_account_names[i]),
                              DBP_I(strcmp(a->role, "admin") == 0)), &res);
        if (rc)
            return rc;
        uid[i] = (int64_t)res.insert_id;
    }
    for (m = 0; m < SEED_NMERCHANTS; m++) {
        rc = db_write(r, SQL_MERCHANT_UPSERT,
                      DB_ARGS(DBP_S(seed_merchants[m].name),
                              DBP_I(seed_merchants[m].commission_bp)), &res);
        if (rc)
            return rc;
        s->merchant_id[m] = (int64_t)res.insert_id;
        /* merchant<m+1>@ is account 2 + m */
        rc = db_write(r, SQL_MEMBER_UPSERT,
                      DB_ARGS(DBP_I(s->merchant_id[m]), DBP_I(uid[2 + m])),
                      NULL);
        if (rc)
            return rc;
    }
    return JS_OK;
}

static int
upsert_categories(struct req *r, struct seed *s)
{
    int64_t parent[3] = { 0, 0, 0 };
    char path[3][64];
    int pos[3] = { 0, 0, 0 };
    struct db_result res;
    int rc;

    for (unsigned i = 0; i < SEED_NCATS; i++) {
        const struct seed_cat *c = &seed_cats[i];
        unsigned d = c->depth;

        pos[d]++;
        if (d < 2)
            pos[d + 1] = 0;
        rc = db_write(r, SQL_CATEGORY_UPSERT,
                      DB_ARGS(d ? DBP_I(parent[d - 1]) : DBP_NULLV,
                              DBP_S(c->slug), DBP_S(c->zh), DBP_S(c->en),
                              DBP_I(pos[d]), DBP_I(d)), &res);
        if (rc)
            return rc;
        s->cat_id[i] = (int64_t)res.insert_id;
        if (snprintf(path[d], sizeof(path[d]), "%s%lld/",
                     d ? path[d - 1] : "/", (long long)s->cat_id[i]) >=
            (int)sizeof(path[d]))
            BUG("category path of '%s' too long", c->slug);
        parent[d] = s->cat_id[i];
        rc = db_write(r, SQL_CATEGORY_PATH,
                      DB_ARGS(DBP_S(path[d]), DBP_I(s->cat_id[i])), NULL);
        if (rc)
            return rc;
    }
    return JS_OK;
}

static int
upsert_brands(struct req *r, struct seed *s)
{
    char name[128];
    struct db_result res;
    int rc;

    for (unsigned t = 0; t < SEED_NTOPS; t++)
        for (unsigned k = 0; k < SEED_BRANDS_PER_TOP; k++) {
            const char *const *b = seed_brands[t][k];

            snprintf(name, sizeof(name), "%s %s", b[0], b[1]);
            rc = db_write(r, SQL_BRAND_UPSERT,
                          DB_ARGS(DBP_S(b[2]), DBP_S(name)), &res);
            if (rc)
                return rc;
            s->brand_id[t][k] = (int64_t)res.insert_id;
        }
    return JS_OK;
}

/* db_txn body: every reference row, found again by its unique key. */
static int
upsert_refs(struct req *r, void *arg)
{
    struct seed *s = arg;
    int rc = upsert_accounts(r, s);

    if (!rc)
        rc = upsert_categories(r, s);
    if (!rc)
        rc = upsert_brands(r, s);
    return rc;
}

/* Copy the reference data, with its ids, into the temporary tables. */
static int
fill_temp(struct req *r, struct seed *s, unsigned *nleaf)
{
    unsigned i, k, top = 0, n = 0;
    int rc = JS_OK;

    for (i = 0; i < ARRAY_SIZE(sql_tmp_create) && !rc; i++)
        rc = db_write(r, sql_tmp_create[i], DB_NOARGS, NULL);
    for (i = 0; i < SEED_NCATS && !rc; i++) {
        const struct seed_cat *c = &seed_cats[i];

        if (c->depth == 0 && i)
            top++;
        if (c->depth != 2)
            continue;
        rc = db_write(r, SQL_TMP_LEAF,
                      DB_ARGS(DBP_I(n), DBP_I(s->cat_id[i]), DBP_I(top),
                              DBP_I(c->lo), DBP_I(c->hi),
                              DBP_I(seed_kinds[c->kind].type[0]),
                              DBP_I(seed_kinds[c->kind].type[1]),
                              DBP_I(seed_kinds[c->kind].type[2]),
                              DBP_I(seed_kinds[c->kind].max[0]),
                              DBP_I(seed_kinds[c->kind].max[1]),
                              DBP_I(seed_kinds[c->kind].max[2]),
                              DBP_S(c->slug), DBP_S(c->zh), DBP_S(c->en)),
                      NULL);
        n++;
    }
    if (top + 1 != SEED_NTOPS)
        BUG("seed_cats[] has %u top categories, expected %d", top + 1,
            SEED_NTOPS);
    for (i = 0; i < SEED_NTOPS && !rc; i++)
        for (k = 0; k < SEED_BRANDS_PER_TOP && !rc; k++)
            rc = db_write(r, SQL_TMP_BRAND,
                          DB_ARGS(DBP_I(i), DBP_I(k),
                                  DBP_I(s->brand_id[i][k]),
                                  DBP_S(seed_brands[i][k][0]),
                                  DBP_S(seed_brands[i][k][1]),
                                  DBP_S(seed_brands[i][k][2])), NULL);
    for (i = 0; i < SEED_NTOPS && !rc; i++)
        for (k = 0; k < SEED_WORDS_PER_TOP && !rc; k++) {
            const char *const *w = seed_words[i][k];

            rc = db_write(r, SQL_TMP_WORD,
                          DB_ARGS(DBP_I(i), DBP_I(k), DBP_S(w[0]),
                                  DBP_S(w[1]), DBP_S(w[2]), DBP_S(w[3]),
                                  DBP_S(w[4]), DBP_S(w[5])), NULL);
        }
    for (i = 1; i < SEED_OT_COUNT && !rc; i++) {
        rc = db_write(r, SQL_TMP_OPTNAME,
                      DB_ARGS(DBP_I(i), DBP_S(seed_option_names[i])), NULL);
        for (k = 0; k < 8 && !rc; k++)
            rc = db_write(r, SQL_TMP_OPTVAL,
                          DB_ARGS(DBP_I(i), DBP_I(k),
                                  DBP_S(seed_option_values[i][k])), NULL);
    }
    for (i = 0; i < SEED_NMERCHANTS && !rc; i++)
        rc = db_write(r, SQL_TMP_MERCHANT,
                      DB_ARGS(DBP_I(i), DBP_I(s->merchant_id[i])), NULL);
    *nleaf = n;
    return rc;
}

/* ------------------------------------------------------------------ */
/* products                                                             */

/* db_txn body: delete the demo products with ids in [s->lo, s->hi]. */
static int
delete_batch(struct req *r, void *arg)
{
    struct seed *s = arg;
    int rc = JS_OK;

    for (unsigned i = 0; i < ARRAY_SIZE(sql_delete_demo) && !rc; i++)
        rc = db_write(r, sql_delete_demo[i],
                      DB_ARGS(DBP_I(s->lo), DBP_I(s->hi)), NULL);
    return rc;
}

static int
delete_demo(struct req *r, struct seed *s)
{
    struct db_result res;
    int64_t first, last;
    int rc;

    /* Only demo products: emptying the tables takes seconds where
     * deleting a million products row by row takes minutes.  TRUNCATE
     * fails when another table references one by a foreign key; then the
     * rows go in batches. */
    rc = db_read_primary(r, SQL_ONLY_DEMO, DB_NOARGS, &res);
    if (rc)
        return rc;
    if (db_get_int(&res, 0, 0, 0)) {
        for (unsigned i = 0; i < ARRAY_SIZE(sql_truncate) && !rc; i++)
            rc = db_write(r, sql_truncate[i], DB_NOARGS, NULL);
        if (!rc) {
            info("emptied the catalog (it held demo products only)");
            return JS_OK;
        }
        warning("cannot empty the catalog tables: deleting in batches");
    }
    rc = db_read_primary(r, SQL_DEMO_RANGE, DB_NOARGS, &res);
    if (rc)
        return rc;
    first = db_get_int(&res, 0, 0, 0);
    last = db_get_int(&res, 0, 1, -1);
    for (s->lo = first; s->lo <= last; s->lo += SEED_DELETE_BATCH) {
        s->hi = s->lo + SEED_DELETE_BATCH - 1;
        rc = db_txn(r, delete_batch, s);
        if (rc)
            return error("cannot delete demo products %lld-%lld",
                         (long long)s->lo, (long long)s->hi);
    }
    if (last >= first)
        info("deleted the demo products with ids %lld-%lld",
             (long long)first, (long long)last);
    return JS_OK;
}

/* db_txn body: the catalog rows of the products planned in seed_plan.
 * SKUs come first so the plan can take each product's price range and
 * stock from them. */
static int
insert_batch(struct req *r, void *arg)
{
    static const char *const after[] = {
        SQL_PRODUCTS, SQL_OPTIONS, SQL_OPTION_VALUES, SQL_SPECS, SQL_IMAGES,
    };
    struct seed *s = arg;
    int rc;

    rc = db_write(r, SQL_SKUS, DB_NOARGS, NULL);
    if (!rc)
        rc = db_write(r, SQL_PLAN_PRICES,
                      DB_ARGS(DBP_I(s->lo), DBP_I(s->hi)), NULL);
    for (unsigned i = 0; i < ARRAY_SIZE(after) && !rc; i++)
        rc = db_write(r, after[i], DB_NOARGS, NULL);
    return rc;
}

static int
insert_products(struct req *r, struct seed *s, unsigned nleaf)
{
    struct db_result res;
    int64_t base, n = s->o->products, first;
    int rc;

    rc = db_read_primary(r, SQL_MAX_PRODUCT, DB_NOARGS, &res);
    if (rc)
        return rc;
    base = db_get_int(&res, 0, 0, 0);
    for (first = 1; first <= n; first += SEED_BATCH) {
        int64_t last = first + SEED_BATCH - 1 < n ? first + SEED_BATCH - 1
                                                  : n;

        s->lo = base + first;
        s->hi = base + last;
        rc = db_write(r, SQL_PLAN_CLEAR, DB_NOARGS, NULL);
        if (!rc)
            rc = db_write(r, SQL_PLAN_FILL,
                          DB_ARGS(DBP_I(base), DBP_I(first), DBP_I(last),
                                  DBP_I(nleaf)), NULL);
        if (!rc)
            rc = db_write(r, SQL_PLAN_DERIVE, DB_NOARGS, NULL);
        if (!rc)
            rc = db_txn(r, insert_batch, s);
        if (rc)
            return error("cannot seed products %lld-%lld",
                         (long long)s->lo, (long long)s->hi);
        info("seeded %lld of %lld products", (long long)last, (long long)n);
    }
    return JS_OK;
}

/* The pool of demo images the product_images rows point at.  Labels are
 * Latin: media.h draws them with whatever fonts are installed. */
static int
generate_images(struct req *r, unsigned *count)
{
    char base[32], label[64];
    unsigned top = 0;
    int rc;

    *count = 0;
    for (unsigned i = 0; i < SEED_NCATS; i++) {
        if (seed_cats[i].depth != 0)
            continue;
        for (unsigned k = 0; k < 4; k++) {
            snprintf(base, sizeof(base), "demo/c%u-%u", top + 1, k + 1);
            snprintf(label, sizeof(label), "%s", seed_cats[i].en);
            rc = media_generate_demo_image(r, base, seed_image_rgb[top][k],
                                           label);
            if (rc)
                return error("cannot generate the demo image '%s'", base);
            (*count)++;
        }
        top++;
    }
    return JS_OK;
}

/* ------------------------------------------------------------------ */
/* the command                                                          */

/* While seeding, the catalog triggers write nothing to the change feed
 * (schema/0011); one 'a' row after tells running workers to drop all. */
static const char SQL_BULK_ON[] = "SET @jishi_bulk = 1";
static const char SQL_BULK_OFF[] = "SET @jishi_bulk = NULL";
static const char SQL_BULK_DONE[] =
    "INSERT INTO cache_changes (kind) VALUES ('a')";

static int seed_body(struct req *r, const struct seed_opts *o,
                     struct seed_result *out);

int
seed_run(struct req *r, const struct seed_opts *o, struct seed_result *out)
{
    int rc = db_write(r, SQL_BULK_ON, DB_NOARGS, NULL), off;

    if (!rc)
        rc = seed_body(r, o, out);
    off = db_write(r, SQL_BULK_OFF, DB_NOARGS, NULL);
    if (!off)
        off = db_write(r, SQL_BULK_DONE, DB_NOARGS, NULL);
    return rc ? rc : off;
}

static int
seed_body(struct req *r, const struct seed_opts *o, struct seed_result *out)
{
    static struct seed s;       /* ~3 KB of hashes: not on the stack */
    struct db_result res;
    unsigned nleaf = 0, nimages = 0;
    int64_t indexed;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    s.o = o;
    if (o->products < 1 || o->products > SEED_MAX_PRODUCTS)
        return error("products must be 1-%d, not %lld", SEED_MAX_PRODUCTS,
                     (long long)o->products);
    rc = db_read_primary(r, SQL_HAS_SEQUENCE, DB_NOARGS, &res);
    if (rc || db_get_int(&res, 0, 0, 0) != 3)
        return error("the SEQUENCE engine (seq_1_to_N tables) is missing");
    rc = db_read_primary(r, SQL_HAS_PRODUCTS,
                         DB_ARGS(DBP_S(seed_merchants[0].name)), &res);
    if (rc)
        return rc;
    if (db_get_int(&res, 0, 0, 0) && !o->force) {
        out->already_seeded = true;
        return JS_OK;
    }
    rc = hash_passwords(&s);
    if (!rc)
        rc = db_txn(r, upsert_refs, &s);
    if (!rc)
        rc = fill_temp(r, &s, &nleaf);
    if (rc)
        return error("cannot create the demo accounts and categories");
    info("accounts, %u merchants, %u categories and %d brands are ready",
         (unsigned)SEED_NMERCHANTS, (unsigned)SEED_NCATS,
         SEED_NTOPS * SEED_BRANDS_PER_TOP);
    if (o->force) {
        rc = db_write(r, SQL_FLASH_CLEAR, DB_NOARGS, NULL);
        if (!rc)
            rc = delete_demo(r, &s);
        if (rc)
            return rc;
    }
    rc = generate_images(r, &nimages);
    if (rc)
        return rc;
    info("%u demo images are ready", nimages);
    rc = insert_products(r, &s, nleaf);
    if (!rc)
        rc = db_write(r, SQL_FLASH_DEMO,
                      DB_ARGS(DBP_S(seed_merchants[0].name),
                              DBP_S(seed_merchants[1].name),
                              DBP_S(seed_merchants[2].name)), NULL);
    if (rc)
        return rc;
    indexed = search_reindex_all(r);
    if (indexed < 0)
        return error("cannot rebuild the search index");
    rc = db_read_primary(r, SQL_COUNTS, DB_NOARGS, &res);
    if (rc)
        return rc;
    out->products = db_get_int(&res, 0, 0, 0);
    out->skus = db_get_int(&res, 0, 1, 0);
    out->categories = db_get_int(&res, 0, 2, 0);
    out->brands = db_get_int(&res, 0, 3, 0);
    out->images = db_get_int(&res, 0, 4, 0);
    out->indexed = indexed;
    return JS_OK;
}
