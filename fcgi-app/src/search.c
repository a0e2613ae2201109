/*
 * search.c - full-text product search (see search.h).
 *
 * Queries reach Mroonga only through search_build_query(), which keeps
 * letters, digits and CJK text and drops every boolean-mode operator, so a
 * user cannot write Groonga syntax.  Words are all required; when that
 * finds nothing, catalog.c retries with search_fuzzy(): each ASCII word
 * that is not in the vocabulary of product names (search_terms) is
 * replaced by the closest word there by edit distance, and CJK words
 * become optional.
 */
#include "config.h"
#include "search.h"

#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "reply.h"
#include "req.h"
#include "strbuf.h"
#include "util.h"

#define MAX_WORDS 8
#define MAX_WORD_BYTES 64
#define SUGGEST_LIMIT 8
#define REINDEX_BATCH 20000

/* The indexed text of a live product: name; description, brand and the
 * names of its category and the category's parent, in both languages. */
#define INDEX_SELECT \
    "SELECT p.id, p.name, CONCAT_WS(' ', p.description, b.name," \
    " c.name_zh, c.name_en, pc.name_zh, pc.name_en) " \
    "FROM products p JOIN categories c ON c.id = p.category_id " \
    "LEFT JOIN categories pc ON pc.id = c.parent_id " \
    "LEFT JOIN brands b ON b.id = p.brand_id "

static const char SQL_INDEX_ONE[] =
    "REPLACE INTO product_search (product_id, name, body) "
    INDEX_SELECT "WHERE p.id = ? AND p.status = 'live'";
static const char SQL_UNINDEX_ONE[] =
    "DELETE FROM product_search WHERE product_id = ?";
static const char SQL_IS_LIVE[] =
    "SELECT status = 'live' FROM products WHERE id = ?";
/* TRUNCATE: deleting row by row from Mroonga took minutes at 100k rows. */
static const char SQL_CLEAR[] = "TRUNCATE TABLE product_search";
static const char SQL_INDEX_BATCH[] =
    "INSERT INTO product_search (product_id, name, body) "
    INDEX_SELECT "WHERE p.id > ? AND p.id <= ? AND p.status = 'live'";
static const char SQL_MAX_ID[] = "SELECT COALESCE(MAX(id), 0) FROM products";
static const char SQL_TERMS_CLEAR[] = "TRUNCATE TABLE search_terms";
static const char SQL_NAMES[] =
    "SELECT CONCAT_WS(' ', p.name, b.name) FROM products p "
    "LEFT JOIN brands b ON b.id = p.brand_id "
    "WHERE p.id > ? AND p.id <= ? AND p.status = 'live'";
static const char SQL_NAME_ONE[] =
    "SELECT CONCAT_WS(' ', p.name, b.name) FROM products p "
    "LEFT JOIN brands b ON b.id = p.brand_id "
    "WHERE p.id = ? AND p.status = 'live'";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM product_search";
static const char SQL_SUGGEST[] =
    "SELECT s.product_id, s.name, p.slug FROM ("
    " SELECT product_id, name,"
    "  MATCH(name) AGAINST(? IN BOOLEAN MODE) AS score"
    " FROM product_search WHERE MATCH(name) AGAINST(? IN BOOLEAN MODE)"
    " ORDER BY score DESC LIMIT 8) s "
    "JOIN products p ON p.id = s.product_id AND " SQL_SHOWN " "
    "ORDER BY s.score DESC";

static unsigned split_words(struct req *r, const char *q, char **words);

static bool
is_ascii_word(const char *w)
{
    for (; *w; w++)
        if ((unsigned char)*w >= 0x80)
            return false;
    return true;
}


#define TERMS_PER_INSERT 200

/* Add the ASCII words (3+ letters) of the names in res to search_terms. */
static int
add_terms(struct req *r, const struct db_result *res)
{
    struct strbuf sql = STRBUF_INIT;
    struct db_param *p = arena_alloc(&r->arena, TERMS_PER_INSERT *
                                                    sizeof(*p));
    unsigned np = 0;
    int rc = JS_OK;

    for (unsigned i = 0; i <= res->nrows && rc == JS_OK; i++) {
        char *words[MAX_WORDS];
        unsigned n = 0;

        if (i < res->nrows && db_get(res, i, 0))
            n = split_words(r, db_get(res, i, 0), words);
        for (unsigned k = 0; k < n; k++)
            if (strlen(words[k]) >= 3 && is_ascii_word(words[k]))
                p[np++] = DBP_S(words[k]);
        if (np && (np + MAX_WORDS > TERMS_PER_INSERT || i == res->nrows)) {
            /* One statement per batch: constant text, bound values. */
            strbuf_reset(&sql);
            strbuf_adds(&sql, "INSERT IGNORE INTO search_terms (term) "
                              "VALUES (?)");
            for (unsigned k = 1; k < np; k++)
                strbuf_adds(&sql, ", (?)");
            rc = db_write(r, arena_strndup(&r->arena, sql.buf, sql.len), p,
                          np, NULL);
            np = 0;
        }
    }
    strbuf_release(&sql);
    return rc;
}

int
search_index_product(struct req *r, int64_t product_id)
{
    struct db_result res;
    int rc = db_read_primary(r, SQL_IS_LIVE, DB_ARGS(DBP_I(product_id)),
                             &res);

    if (rc)
        return rc;
    if (res.nrows && db_get_int(&res, 0, 0, 0) == 1) {
        rc = db_write(r, SQL_INDEX_ONE, DB_ARGS(DBP_I(product_id)), NULL);
        if (!rc)
            rc = db_read_primary(r, SQL_NAME_ONE, DB_ARGS(DBP_I(product_id)),
                                 &res);
        return rc ? rc : add_terms(r, &res);
    }
    return db_write(r, SQL_UNINDEX_ONE, DB_ARGS(DBP_I(product_id)), NULL);
}

int64_t
search_reindex_all(struct req *r)
{
    struct db_result res;
    int64_t max, from;
    int rc;

    rc = db_write(r, SQL_CLEAR, DB_NOARGS, NULL);
    if (!rc)
        rc = db_write(r, SQL_TERMS_CLEAR, DB_NOARGS, NULL);
    if (!rc)
        rc = db_read_primary(r, SQL_MAX_ID, DB_NOARGS, &res);
    if (rc)
        return rc;
    max = db_get_int(&res, 0, 0, 0);
    for (from = 0; from < max; from += REINDEX_BATCH) {
        struct db_result names;

        rc = db_write(r, SQL_INDEX_BATCH,
                      DB_ARGS(DBP_I(from), DBP_I(from + REINDEX_BATCH)), NULL);
        if (!rc)
            rc = db_read_primary(r, SQL_NAMES,
                                 DB_ARGS(DBP_I(from),
                                         DBP_I(from + REINDEX_BATCH)),
                                 &names);
        if (!rc)
            rc = add_terms(r, &names);
        if (rc)
            return rc;
    }
    rc = db_read_primary(r, SQL_COUNT, DB_NOARGS, &res);
    if (rc)
        return rc;
    return db_get_int(&res, 0, 0, 0);
}

/* Length of the UTF-8 sequence starting with byte c (1 for junk). */
static size_t
u8len(unsigned char c)
{
    if (c >= 0xf0)
        return 4;
    if (c >= 0xe0)
        return 3;
    if (c >= 0xc0)
        return 2;
    return 1;
}

/* Code point of the UTF-8 sequence at p (valid UTF-8 assumed). */
static unsigned
u8cp(const unsigned char *p, size_t len)
{
    unsigned cp = len == 1 ? p[0] : p[0] & (0xff >> (len + 1));

    for (size_t i = 1; i < len; i++)
        cp = (cp << 6) | (p[i] & 0x3f);
    return cp;
}

/* Punctuation and spaces of CJK text: separators like ASCII ones. */
static bool
cjk_separator(unsigned cp)
{
    return (cp >= 0x3000 && cp <= 0x303f) ||   /* 、。「」〈〉 space */
           (cp >= 0xff00 && cp <= 0xff0f) ||   /* ！＂＃…／ */
           (cp >= 0xff1a && cp <= 0xff20) ||   /* ：；＜＝＞？＠ */
           (cp >= 0xff3b && cp <= 0xff40) ||
           (cp >= 0xff5b && cp <= 0xff65) ||
           (cp >= 0x2000 && cp <= 0x206f) ||   /* general punctuation */
           cp == 0x00a0 || cp == 0x00b7;
}

/* Letters, digits and non-ASCII characters other than punctuation form
 * words; the rest, including every Groonga operator, separates them. */
static bool
word_at(const unsigned char *p, size_t *len)
{
    *len = u8len(*p);
    if (*p < 0x80)
        return (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
               (*p >= 'A' && *p <= 'Z');
    return !cjk_separator(u8cp(p, *len));
}

/*
 * Split q into at most MAX_WORDS words, ASCII lower-cased (matching
 * ignores case anyway, and Groonga reads upper-case OR as an operator);
 * returns the count.
 */
static unsigned
split_words(struct req *r, const char *q, char **words)
{
    const unsigned char *p = (const unsigned char *)q;
    unsigned n = 0;
    size_t l;

    while (*p && n < MAX_WORDS) {
        char *w;
        size_t len = 0;

        while (*p && !word_at(p, &l))
            p += l;
        w = arena_alloc(&r->arena, MAX_WORD_BYTES + 1);
        while (*p && word_at(p, &l)) {
            if (len + l > MAX_WORD_BYTES)
                break;
            for (size_t i = 0; i < l; i++) {
                char c = (char)p[i];

                w[len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
            }
            p += l;
        }
        /* skip the rest of an over-long word */
        while (*p && word_at(p, &l))
            p += l;
        w[len] = '\0';
        if (len)
            words[n++] = w;
    }
    return n;
}

char *
search_build_query(struct req *r, const char *q)
{
    char *words[MAX_WORDS];
    struct strbuf sb = STRBUF_INIT;
    unsigned n;
    char *out;

    if (!q || !utf8_valid(q, strlen(q)))
        return NULL;
    n = split_words(r, q, words);
    if (!n)
        return NULL;
    for (unsigned i = 0; i < n; i++)
        strbuf_addf(&sb, "%s+%s", i ? " " : "", words[i]);
    out = arena_strndup(&r->arena, sb.buf, sb.len);
    strbuf_release(&sb);
    return out;
}

unsigned
search_edit_distance(const char *a, const char *b, unsigned max)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned rows[3][MAX_WORD_BYTES + 1];
    unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

    if (la > MAX_WORD_BYTES || lb > MAX_WORD_BYTES)
        return max + 1;
    if ((la > lb ? la - lb : lb - la) > max)
        return max + 1;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (unsigned)j;
    /* Optimal string alignment: insert, delete, substitute, or swap two
     * neighbours ("knfie" is one step from "knife"). */
    for (size_t i = 1; i <= la; i++) {
        unsigned best, *t;

        cur[0] = (unsigned)i;
        best = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
            unsigned v = prev[j - 1] + cost;

            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
        t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb] > max ? max + 1 : prev[lb];
}


char *
search_build_fuzzy(struct req *r, const char *q, search_corrector fix,
                   void *ctx, const char **shown)
{
    char *words[MAX_WORDS];
    struct strbuf sb = STRBUF_INIT, text = STRBUF_INIT;
    unsigned n, fixed = 0, cjk = 0;
    char *out = NULL;

    *shown = NULL;
    if (!q || !utf8_valid(q, strlen(q)))
        return NULL;
    n = split_words(r, q, words);
    for (unsigned i = 0; i < n; i++) {
        const char *w = words[i], *c = NULL;

        if (is_ascii_word(w) && strlen(w) >= 4)
            c = fix(r, w, ctx);
        if (!is_ascii_word(w))
            cjk++;
        if (c)
            fixed++;
        /* Corrected words are required; the rest may match. */
        strbuf_addf(&sb, "%s%s%s", i ? " " : "", c ? "+" : "", c ? c : w);
        strbuf_addf(&text, "%s%s", i ? " " : "", c ? c : w);
    }
    if (fixed || cjk) {
        out = arena_strndup(&r->arena, sb.buf, sb.len);
        *shown = arena_strndup(&r->arena, text.buf, text.len);
    }
    strbuf_release(&sb);
    strbuf_release(&text);
    return out;
}

static const char SQL_TERM_EXISTS[] =
    "SELECT 1 FROM search_terms WHERE term = ?";
static const char SQL_TERM_CANDIDATES[] =
    "SELECT term FROM search_terms WHERE term LIKE CONCAT(?, '%')"
    " AND CHAR_LENGTH(term) BETWEEN ? AND ? LIMIT 2000";

/* The closest known word: same first two letters, within 1 edit for
 * words up to 5 letters and 2 beyond; ties go to the first found. */
static const char *
vocabulary_fix(struct req *r, const char *w, void *ctx)
{
    struct db_result res;
    size_t len = strlen(w);
    unsigned max = len <= 5 ? 1 : 2, best = max + 1;
    const char *found = NULL;
    char prefix[3];

    (void)ctx;
    if (db_read(r, SQL_TERM_EXISTS, DB_ARGS(DBP_S(w)), &res) || res.nrows)
        return NULL;   /* a known word is not misspelt */
    memcpy(prefix, w, 2);
    prefix[2] = '\0';
    if (db_read(r, SQL_TERM_CANDIDATES,
                DB_ARGS(DBP_S(prefix), DBP_I((int64_t)(len - max)),
                        DBP_I((int64_t)(len + max))), &res))
        return NULL;
    for (unsigned i = 0; i < res.nrows; i++) {
        const char *t = db_get(&res, i, 0);
        unsigned d = search_edit_distance(w, t, max);

        if (d < best) {
            best = d;
            found = t;
        }
    }
    return found;
}

char *
search_fuzzy(struct req *r, const char *q, const char **shown)
{
    return search_build_fuzzy(r, q, vocabulary_fix, NULL, shown);
}

int
search_suggest(struct req *r)
{
    const char *q = req_query(r, "q");
    struct db_result res;
    json_object *items;
    char *mq;
    int rc;

    if (q && strlen(q) > 200)
        return reply_err(r, JS_INVALID, "q", "'q' is too long");
    items = json_object_new_array();
    mq = search_build_query(r, q);
    if (mq) {
        size_t n = strlen(mq);

        /* The last word may be unfinished: match an ASCII word as a
         * prefix.  CJK needs no '*': bigrams already match inside words
         * (and Groonga's prefix search does not apply to them). */
        if ((unsigned char)mq[n - 1] < 0x80)
            mq = arena_printf(&r->arena, "%s*", mq);
        rc = db_read(r, SQL_SUGGEST, DB_ARGS(DBP_S(mq), DBP_S(mq)), &res);
        if (rc) {
            json_object_put(items);
            return rc;
        }
        for (unsigned i = 0; i < res.nrows && i < SUGGEST_LIMIT; i++) {
            json_object *o = json_object_new_object();

            json_object_object_add(o, "id",
                                   json_int(db_get_int(&res, i, 0, 0)));
            json_object_object_add(o, "name", json_str(db_get(&res, i, 1)));
            json_object_object_add(o, "slug", json_str(db_get(&res, i, 2)));
            json_object_array_add(items, o);
        }
    }
    reply_list(r, items, (int64_t)json_object_array_length(items), 1,
               SUGGEST_LIMIT);
    reply_header(r, "Cache-Control", "public, max-age=60");
    return JS_OK;
}
