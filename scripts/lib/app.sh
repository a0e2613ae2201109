# shellcheck shell=bash
# The jishi-fcgi master and its app config ($VAR/jishi.json).

APP_MAX_BODY_BYTES=${JISHI_MAX_BODY_BYTES:-1048576}

fcgi_socket()  { echo "$RUN_DIR/fcgi.sock"; }
fcgi_pidfile() { echo "$RUN_DIR/jishi-fcgi.pid"; }
fcgi_log()     { echo "$LOG_DIR/jishi-fcgi.log"; }
fcgi_pid()     { pidfile_pid "$(fcgi_pidfile)" jishi; }
fcgi_running() { fcgi_pid >/dev/null; }

# build_env_save BIN SANITIZERS: remember which binary this var dir runs.
build_env_save() {
    cat >"$STATE_DIR/build.env" <<EOF
JISHI_BIN=$1
JISHI_SANITIZERS=$2
EOF
}

build_env_load() {
    [ -f "$STATE_DIR/build.env" ] ||
        die "no build recorded in $STATE_DIR/build.env (use scripts/run)"
    # shellcheck disable=SC1091
    . "$STATE_DIR/build.env"
    [ -x "$JISHI_BIN" ] || die "$JISHI_BIN is missing (rebuild with scripts/run)"
}

# app_config_write: $VAR/jishi.json from the ports and secrets of this var.
app_config_write() {
    # The sandbox gateway's webhook secret: made once, kept in secrets.env.
    grep -q '^SANDBOX_SECRET=' "$VAR/secrets.env" 2>/dev/null ||
        (umask 077; echo "SANDBOX_SECRET=$(random_secret)" >>"$VAR/secrets.env")
    SANDBOX_SECRET=$(sed -n 's/^SANDBOX_SECRET=//p' "$VAR/secrets.env" | tail -1)
    (
        umask 077
        cat >"$VAR/jishi.json.tmp" <<EOF
{
  "listen": "$(fcgi_socket)",
  "public_url": "http://127.0.0.1:$NGINX_PORT",
  "payments": {"sandbox_secret": "$SANDBOX_SECRET"},
  "workers": ${JISHI_APP_WORKERS:-4},
  "max_requests": 10000,
  "pidfile": "$(fcgi_pidfile)",
  "access_log": "$LOG_DIR/access.log",
  "schema_dir": "$REPO/schema",
  "media_dir": "$VAR/media",
  "mail_dir": "$VAR/mail",
  "frontend_dist": "${JISHI_FRONTEND_DIST:-$REPO/frontend/dist}",
  "product_cache_ms": ${JISHI_PRODUCT_CACHE_MS:-5000},
  "db": {
    "primary": {"host": "127.0.0.1", "port": $PRIMARY_PORT,
                "unix_socket": "$(db_socket primary)",
                "user": "jishi", "password": "$DB_APP_PASSWORD",
                "database": "jishi"},
    "replicas": [
      {"host": "127.0.0.1", "port": $REPLICA_PORT,
       "unix_socket": "$(db_socket replica1)",
       "user": "jishi", "password": "$DB_APP_PASSWORD", "database": "jishi"}
    ],
    "connect_timeout_ms": 1000, "gtid_wait_ms": 50, "max_replica_lag_ms": 5000
  },
  "limits": {"max_body_bytes": $APP_MAX_BODY_BYTES, "max_json_depth": 32}
}
EOF
    )
    mv -f "$VAR/jishi.json.tmp" "$VAR/jishi.json"
}

# Sanitizer builds: stop at the first report, keep every report as a file
# under log/ (scripts/test fails the run when one appears).
sanitizer_env() {
    export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:print_stacktrace=1:detect_leaks=${JISHI_DETECT_LEAKS:-1}:log_path=$LOG_DIR/asan"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$LOG_DIR/ubsan"
    # libvips/fontconfig keep one-time process globals (seed's labels).
    export LSAN_OPTIONS="suppressions=$REPO/tests/unit/lsan.supp:print_suppressions=0"
}

app_migrate() {
    build_env_load
    [ "$JISHI_SANITIZERS" = 1 ] && sanitizer_env
    info "migrate"
    "$JISHI_BIN" migrate --config "$VAR/jishi.json" >>"$LOG_DIR/migrate.log" 2>&1 ||
        { tail -20 "$LOG_DIR/migrate.log" >&2;
          die "jishi-fcgi migrate failed (log: $LOG_DIR/migrate.log)"; }
}

# app_seed [N]: load the demo marketplace once (N products, default 3000,
# or JISHI_DEMO_PRODUCTS); a seeded database is left as it is.  The
# command's output (timings, demo logins) goes to $LOG_DIR/seed.log.
app_seed() {
    local n=${1:-${JISHI_DEMO_PRODUCTS:-3000}}
    build_env_load
    [ "$JISHI_SANITIZERS" = 1 ] && sanitizer_env
    info "demo data ($n products, first run only)"
    "$JISHI_BIN" seed --config "$VAR/jishi.json" --products "$n" \
        >"$LOG_DIR/seed.log" 2>&1 ||
        { tail -20 "$LOG_DIR/seed.log" >&2;
          die "jishi-fcgi seed failed (log: $LOG_DIR/seed.log)"; }
}

# app_demo_orders: the demo shopper's order history, made through the API
# of the running stack (scripts/lib/demo-orders.mjs; a no-op once the
# shopper has an order).  JISHI_DEMO_ORDERS=0 skips it; a failure only
# warns.
app_demo_orders() {
    [ "${JISHI_DEMO_ORDERS:-1}" = 1 ] || return 0
    info "demo orders (first run only)"
    if ! JISHI_DEMO_SHOPPER='' node "$REPO/scripts/lib/demo-orders.mjs" "$(nginx_url)" \
            >"$LOG_DIR/demo-orders.log" 2>&1; then
        warn "no demo orders: $(tail -1 "$LOG_DIR/demo-orders.log")"
    fi
}

fcgi_start() {
    local pid
    build_env_load
    fcgi_running && return 0
    [ "$JISHI_SANITIZERS" = 1 ] && sanitizer_env
    "$JISHI_BIN" check-config --config "$VAR/jishi.json" >>"$(fcgi_log)" 2>&1 ||
        { tail -5 "$(fcgi_log)" >&2; die "jishi-fcgi check-config failed"; }
    rm -f "$(fcgi_pidfile)"
    [ -S "$(fcgi_socket)" ] && rm -f "$(fcgi_socket)"
    setsid "$JISHI_BIN" serve --config "$VAR/jishi.json" \
        </dev/null >>"$(fcgi_log)" 2>&1 &
    pid=$!
    if ! wait_until 30 "jishi-fcgi" fcgi_ready "$pid"; then
        tail -20 "$(fcgi_log)" >&2
        die "jishi-fcgi did not start (log: $(fcgi_log))"
    fi
}

fcgi_ready() {
    pid_alive "$1" || {
        tail -20 "$(fcgi_log)" >&2
        die "jishi-fcgi exited during start-up (log: $(fcgi_log))"
    }
    fcgi_running && [ -S "$(fcgi_socket)" ] && [ -n "$(children_of "$1")" ]
}

fcgi_stop() {
    local pid kids
    pid=$(fcgi_pid) || {
        rm -f "$(fcgi_socket)"
        return 0
    }
    kids=$(children_of "$pid")
    stop_pid "$pid" "jishi-fcgi master" TERM 30
    for pid in $kids; do
        stop_pid "$pid" "jishi-fcgi worker" TERM 10
    done
    rm -f "$(fcgi_pidfile)" "$(fcgi_socket)"
}

fcgi_status() {
    local pid
    if pid=$(fcgi_pid); then
        say "jishi-fcgi: running, master pid $pid, workers $(children_of "$pid" | tr '\n' ' ')socket $(fcgi_socket)"
    else
        say "jishi-fcgi: stopped"
        return 1
    fi
}
