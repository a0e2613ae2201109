#!/usr/bin/env bash
# tests/valgrind/workers.sh BIN CONFIG BASE_URL LOGDIR
#
# Runs the jishi-fcgi master BIN (a build without sanitizers) under
# valgrind on the stack's own socket, sends a mix of requests through nginx
# (BASE_URL): parsing errors, routing errors, database reads and writes,
# guest sessions, the catalog, product pages, metrics; stops it gracefully
# and fails when valgrind reports any error or any definitely/indirectly
# lost block in the master, a worker or the job runner.  The caller stops
# the stack's own jishi-fcgi first and starts it again afterwards.
set -euo pipefail

BIN=$1 CONFIG=$2 BASE=$3 LOGDIR=$4
mkdir -p "$LOGDIR"
rm -f "$LOGDIR"/valgrind.*.log

pidfile=$(sed -nE 's/.*"pidfile": *"([^"]+)".*/\1/p' "$CONFIG")

JISHI_WORKERS=2 valgrind --quiet --leak-check=full \
    --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect \
    --log-file="$LOGDIR/valgrind.%p.log" \
    "$BIN" serve --config "$CONFIG" >"$LOGDIR/valgrind-master.out" 2>&1 &
vg=$!

deadline=$((SECONDS + 90))
until curl -sf -o /dev/null "$BASE/api/v1/ping"; do
    if [ $SECONDS -ge $deadline ] || ! kill -0 "$vg" 2>/dev/null; then
        echo "jishi-fcgi under valgrind never answered"
        cat "$LOGDIR/valgrind-master.out"
        exit 1
    fi
    sleep 0.2
done

jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
json=(-H 'Content-Type: application/json')
# A live product's page (the template cache and the head) and a missing one.
slug=$(curl -s "$BASE/api/v1/products?per_page=1" |
       grep -o '"slug":"[^"]*"' | head -1 | cut -d'"' -f4)
for round in 1 2 3; do
    curl -s -o /dev/null "$BASE/api/v1/health"
    curl -s -o /dev/null "$BASE/api/v1/no/such/route"
    curl -s -o /dev/null -X DELETE "$BASE/api/v1/health"
    curl -s -o /dev/null -X POST "${json[@]}" -d '{"a":[1,{"b":"蓝牙"}]}' "$BASE/api/v1/_echo"
    curl -s -o /dev/null -X POST "${json[@]}" -d '{"a":[1,' "$BASE/api/v1/_echo"
    curl -s -o /dev/null -X POST -H 'Content-Type: text/plain' -d 'x' "$BASE/api/v1/_echo"
    curl -s -o /dev/null -c "$jar" -b "$jar" "$BASE/api/v1/me"
    curl -s -o /dev/null -b "$jar" -X POST "${json[@]}" -d '{}' "$BASE/api/v1/auth/logout"
    curl -s -o /dev/null -X POST "${json[@]}" -d '{"email":"nobody@example.test","password":"x"}' \
        "$BASE/api/v1/auth/password-reset"
    curl -s -o /dev/null "$BASE/api/v1/categories"
    curl -s -o /dev/null "$BASE/api/v1/products?sort=price_asc&per_page=5&round=$round"
    curl -s -o /dev/null "$BASE/api/v1/products?q=%E8%93%9D%E7%89%99&round=$round"
    curl -s -o /dev/null "$BASE/api/v1/products?q=bluetoth&round=$round"
    curl -s -o /dev/null "$BASE/api/v1/products/1"
    curl -s -o /dev/null "$BASE/p/$slug?round=$round"
    curl -s -o /dev/null "$BASE/p/no-such-product?round=$round"
    curl -s -o /dev/null "$BASE/api/v1/search/suggest?q=blu&round=$round"
    curl -s -o /dev/null "$BASE/metrics"
done
# Let the job runner do a few rounds (heartbeat, outbox) too.
sleep 2

kill -TERM "$(cat "$pidfile")"
deadline=$((SECONDS + 60))
while kill -0 "$vg" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "master did not stop"; kill -KILL "$vg"; exit 1; }
    sleep 0.2
done
wait "$vg" || true

logs=("$LOGDIR"/valgrind.*.log)
echo "valgrind logs: ${#logs[@]} processes"
bad=0
for f in "${logs[@]}"; do
    # --quiet: valgrind writes only what it found.
    if [ -s "$f" ]; then
        echo "### $f"; cat "$f"
        bad=1
    fi
done
[ ${#logs[@]} -ge 3 ] || { echo "expected logs of the master, 2 workers and the job runner"; exit 1; }
[ "$bad" = 0 ] && echo "valgrind: clean"
exit "$bad"
