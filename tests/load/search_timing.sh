#!/usr/bin/env bash
# tests/load/search_timing.sh — time the catalog search query inside MariaDB.
#
#   tests/load/search_timing.sh DEFAULTS_FILE ITERATIONS TERM...
#
# Runs, on the server of DEFAULTS_FILE (a MariaDB option file with the
# root login, e.g. $VAR/conf/primary.cnf), database jishi, the query the
# app runs for the page of a search (fcgi-app/src/catalog.c list_items with
# catalog_query.c cq_from_where/cq_order): the top 1,000 ids from the
# Mroonga table product_search by MATCH ... AGAINST in boolean mode in a
# derived table, then the join with products, relevance order, first page
# of 24. Each TERM is turned into the app's boolean query ("+w1 +w2",
# ASCII lower-cased). ITERATIONS queries in all, round-robin over the
# terms, after one untimed warm-up query per term; each is timed by the
# server (SET profiling = 1; SHOW PROFILES: parse to end, no client or
# network time), in sessions of 100 (profiling_history_size's maximum).
#
# Prints one line per term and one for all: n, matches (capped at 1000),
# p50, p99, max, mean in ms.
set -euo pipefail

[ $# -ge 3 ] || { sed -n '3,16s/^# \{0,1\}//p' "$0" >&2; exit 2; }
CNF=$1 ITERS=$2
shift 2
TERMS=("$@")
TMP=$(mktemp -d /tmp/jst.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

sql() { mariadb --defaults-file="$CNF" --connect-timeout=5 -N -B jishi "$@"; }

# mquery TERM: the app's boolean query (search.c search_build_query).
mquery() {
    local w out=""
    for w in $(printf '%s' "$1" | tr 'A-Z' 'a-z'); do
        out="$out${out:+ }+$w"
    done
    printf '%s' "$out"
}

page_sql() {
    local q n
    q=$(mquery "$1") n=${1//\'/\'\'}
    printf '%s' "SELECT p.id, p.slug, p.name, p.currency, p.min_price, p.max_price, p.in_stock, p.rating_avg, p.rating_count, p.merchant_id FROM products p JOIN (SELECT product_id, MATCH(name, body) AGAINST('$q' IN BOOLEAN MODE) AS score FROM product_search WHERE MATCH(name, body) AGAINST('$q' IN BOOLEAN MODE) ORDER BY score DESC LIMIT 1000) s ON s.product_id = p.id WHERE p.status = 'live' ORDER BY (p.name = '$n') DESC, s.score DESC, p.id DESC LIMIT 24 OFFSET 0"
}

declare -A MATCHES
for t in "${TERMS[@]}"; do
    q=$(mquery "$t")
    MATCHES[$t]=$(sql -e "SELECT COUNT(*) FROM (SELECT product_id FROM product_search WHERE MATCH(name, body) AGAINST('$q' IN BOOLEAN MODE) LIMIT 1000) x")
    sql -e "$(page_sql "$t")" >/dev/null      # warm-up, untimed
done

# Sessions of up to 100 timed queries; record "term<TAB>seconds".
done_n=0 k=0
: >"$TMP/times"
while [ "$done_n" -lt "$ITERS" ]; do
    n=$((ITERS - done_n)); [ "$n" -gt 100 ] && n=100
    : >"$TMP/batch.sql" ; : >"$TMP/order"
    echo "SET profiling_history_size = 100; SET profiling = 1;" >>"$TMP/batch.sql"
    for ((i = 0; i < n; i++)); do
        t=${TERMS[$((k % ${#TERMS[@]}))]}
        k=$((k + 1))
        printf '%s;\n' "$(page_sql "$t")" >>"$TMP/batch.sql"
        printf '%s\n' "$t" >>"$TMP/order"
    done
    echo "SHOW PROFILES;" >>"$TMP/batch.sql"
    sql <"$TMP/batch.sql" | awk -F'\t' 'NF >= 3 && $1 ~ /^[0-9]+$/ && $3 ~ /^SELECT p.id/ {print $2}' \
        >"$TMP/durs"
    [ "$(wc -l <"$TMP/durs")" -eq "$n" ] ||
        { echo "search_timing: expected $n profiles, got $(wc -l <"$TMP/durs")" >&2; exit 1; }
    paste "$TMP/order" "$TMP/durs" >>"$TMP/times"
    done_n=$((done_n + n))
done

stats() {   # stdin: seconds, one a line
    sort -g | awk '{ v[NR] = $1 * 1000; s += v[NR] }
        END { if (!NR) exit; i99 = int(NR * 0.99 + 0.999); if (i99 < 1) i99 = 1
              printf "n=%-4d p50 %7.2f  p99 %7.2f  max %7.2f  mean %7.2f ms\n",
                  NR, v[int((NR + 1) / 2)], v[i99], v[NR], s / NR }'
}

for t in "${TERMS[@]}"; do
    printf '  %-16s matches %-5s ' "$t" "${MATCHES[$t]}"
    awk -F'\t' -v t="$t" '$1 == t {print $2}' "$TMP/times" | stats
done
printf '  %-16s %-13s ' "ALL" ""
cut -f2 "$TMP/times" | stats
