/*
 * seed_data.h - the reference data of the demo catalog, for seed.c only
 * (defined in seed_data.c).  The SQL in seed.c copies these tables into
 * temporary tables and picks from them by index, so their sizes are part
 * of the generator: every option type has exactly 8 values, every top
 * category SEED_BRANDS_PER_TOP brands and SEED_WORDS_PER_TOP word sets.
 */
#ifndef JISHI_SEED_DATA_H
#define JISHI_SEED_DATA_H

#define SEED_NMERCHANTS 8
#define SEED_NCATS 118
#define SEED_NTOPS 6
#define SEED_BRANDS_PER_TOP 10
#define SEED_WORDS_PER_TOP 6

/* Option types; SEED_OT_NONE marks an unused option slot. */
enum { SEED_OT_NONE, SEED_OT_COLOR, SEED_OT_SIZE, SEED_OT_SHOE,
       SEED_OT_STORAGE, SEED_OT_VOLUME, SEED_OT_WEIGHT, SEED_OT_MATERIAL,
       SEED_OT_COUNT };

/* Merchant i is owned by merchant<i+1>@jishi.test; 0-5 specialise in top
 * category i, 6 and 7 sell everything. */
struct seed_merchant {
    const char *name;
    unsigned commission_bp;
};

/* Up to three option types per leaf, and how many values of each a
 * product may pick (1..max; the product of the maxima is at most 12). */
struct seed_kind {
    unsigned char type[3], max[3];
};

/* The tree in order: a mid (depth 1) belongs to the last top (depth 0), a
 * leaf (depth 2) to the last mid.  Leaves carry an option kind (an index
 * into seed_kinds) and a price band in yuan. */
struct seed_cat {
    unsigned char depth, kind;
    int lo, hi;
    const char *slug, *zh, *en;
};

/* Display names of seed_accounts (seed.h), in the same order. */
extern const char *const seed_account_names[];
extern const struct seed_merchant seed_merchants[SEED_NMERCHANTS];
extern const struct seed_kind seed_kinds[];
extern const char *const seed_option_names[SEED_OT_COUNT];
extern const char *const seed_option_values[SEED_OT_COUNT][8];
extern const struct seed_cat seed_cats[SEED_NCATS];

/* Per top category: {zh, en, slug}. */
extern const char *const
    seed_brands[SEED_NTOPS][SEED_BRANDS_PER_TOP][3];

/* Per top category: adjective, model suffix and selling point, each zh
 * then en. */
extern const char *const seed_words[SEED_NTOPS][SEED_WORDS_PER_TOP][6];

/* Demo image colours (0xRRGGBB): per top, 4 images "demo/c<top>-<n>". */
extern const unsigned seed_image_rgb[SEED_NTOPS][4];

#endif
