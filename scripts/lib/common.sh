# shellcheck shell=bash
# Shared helpers for scripts/run, scripts/test, scripts/stop and scripts/ctl.
#
# Owns: locating the checkout and the var dir, ports, secrets, dependency
# installation, the autotools build, pid files and deadline-bound waiting.
# Sourced, never executed; the caller has already done `set -euo pipefail`.
#
# Layout of a var dir ($JISHI_VAR, default $REPO/var):
#   ports.env secrets.env (0600) jishi.json      what the stack was set up with
#   conf/        rendered MariaDB option files (0600: they hold the root password)
#   db/primary db/replica1                       MariaDB datadirs
#   run/         unix sockets and pid files (a symlink to /tmp when the path
#                would be too long for sun_path)
#   log/         every log: MariaDB, jishi-fcgi, sanitizer reports
#   nginx/       nginx prefix: conf/ logs/ tmp/
#   media/ mail/ state/

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
export REPO

# ---------------------------------------------------------------- messages

say()  { printf '%s\n' "$*"; }
info() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- var dir

# var_init [DIR]: set VAR (absolute) and the paths below it; create the dirs.
var_init() {
    VAR=${1:-${JISHI_VAR:-$REPO/var}}
    mkdir -p "$VAR"
    VAR=$(cd "$VAR" && pwd -P)
    export JISHI_VAR=$VAR
    LOG_DIR=$VAR/log
    CONF_DIR=$VAR/conf
    STATE_DIR=$VAR/state
    NGINX_PREFIX=$VAR/nginx
    mkdir -p "$LOG_DIR" "$CONF_DIR" "$STATE_DIR" "$VAR/db" "$VAR/media" \
        "$VAR/mail" "$NGINX_PREFIX/conf" "$NGINX_PREFIX/logs" \
        "$NGINX_PREFIX/tmp"
    run_dir_init
}

# Unix socket paths must fit in sun_path (107 bytes). When $VAR/run would
# make them too long, $VAR/run becomes a symlink to a short dir under /tmp.
run_dir_init() {
    RUN_DIR=$VAR/run
    if [ -L "$RUN_DIR" ] && [ ! -d "$RUN_DIR/" ]; then
        rm -f "$RUN_DIR"        # dangling: /tmp was cleaned
    fi
    if [ ! -e "$RUN_DIR" ]; then
        if [ $((${#RUN_DIR} + 16)) -gt 100 ]; then
            ln -s "$(mktemp -d /tmp/jishi-run.XXXXXX)" "$RUN_DIR"
        else
            mkdir -p "$RUN_DIR"
        fi
    fi
    if [ -L "$RUN_DIR" ]; then
        RUN_DIR=$(readlink "$RUN_DIR")
    fi
    export RUN_DIR
}

# ---------------------------------------------------------------- ports

# port_in_use PORT [listen]: true when a TCP socket (IPv4 or IPv6) is bound
# to PORT; with "listen", only a listening one counts (a restarting server
# may reuse its port while old connections linger in TIME_WAIT).
port_in_use() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" -v l="${2:-}" 'NR > 1 && substr($2, length($2) - 4) == p &&
        (l == "" || $4 == "0A") { f = 1 } END { exit !f }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# free_port START [EXCLUDE...]: first port >= START not in use nor excluded.
free_port() {
    local p=$1 x taken
    shift
    while [ "$p" -lt 65535 ]; do
        taken=0
        for x in "$@"; do
            [ "$x" = "$p" ] && taken=1
        done
        if [ "$taken" = 0 ] && ! port_in_use "$p"; then
            echo "$p"
            return 0
        fi
        p=$((p + 1))
    done
    die "no free TCP port above $1"
}

# ports_init [random]: load $VAR/ports.env or choose and record the ports.
# The nginx port is JISHI_PORT (default 8080); with "random" (scripts/test)
# it is a free port in a random high range. MariaDB ports start at
# nginx+100 / nginx+101 and move up past anything in use.
ports_init() {
    local mode=${1:-}
    if [ -f "$VAR/ports.env" ]; then
        # shellcheck disable=SC1091
        . "$VAR/ports.env"
        if [ -n "${JISHI_PORT:-}" ] && [ "$JISHI_PORT" != "$NGINX_PORT" ] &&
           ! nginx_running; then
            NGINX_PORT=$JISHI_PORT
            ports_write
        fi
        # Something else took a port while our server was down: move.
        if ! db_running primary && port_in_use "$PRIMARY_PORT" listen; then
            PRIMARY_PORT=$(free_port "$PRIMARY_PORT" "$NGINX_PORT" "$REPLICA_PORT")
            ports_write
        fi
        if ! db_running replica1 && port_in_use "$REPLICA_PORT" listen; then
            REPLICA_PORT=$(free_port "$REPLICA_PORT" "$NGINX_PORT" "$PRIMARY_PORT")
            ports_write
        fi
    else
        if [ "$mode" = random ]; then
            # below the ephemeral range (32768-), so no outgoing connection
            # holds one of the ports derived from it
            NGINX_PORT=$(free_port $((20000 + RANDOM % 10000)))
        else
            NGINX_PORT=${JISHI_PORT:-8080}
        fi
        PRIMARY_PORT=$(free_port $((NGINX_PORT + 100)) "$NGINX_PORT")
        REPLICA_PORT=$(free_port $((PRIMARY_PORT + 1)) "$NGINX_PORT" \
            "$PRIMARY_PORT")
        ports_write
    fi
    export NGINX_PORT PRIMARY_PORT REPLICA_PORT
}

ports_write() {
    cat >"$VAR/ports.env" <<EOF
# chosen by scripts/lib/common.sh; reused while this var dir lives
NGINX_PORT=$NGINX_PORT
PRIMARY_PORT=$PRIMARY_PORT
REPLICA_PORT=$REPLICA_PORT
EOF
}

# ---------------------------------------------------------------- secrets

random_secret() {
    od -An -N24 -tx1 /dev/urandom | tr -d ' \n'
}

# secrets_init: load or create $VAR/secrets.env (mode 0600).
secrets_init() {
    if [ ! -f "$VAR/secrets.env" ]; then
        (
            umask 077
            cat >"$VAR/secrets.env" <<EOF
# generated once per var dir by scripts/lib/common.sh
DB_ROOT_PASSWORD=$(random_secret)
DB_APP_PASSWORD=$(random_secret)
DB_REPL_PASSWORD=$(random_secret)
EOF
        )
    fi
    # shellcheck disable=SC1091
    . "$VAR/secrets.env"
}

# ---------------------------------------------------------------- templates

# render TEMPLATE OUT NAME...: copy TEMPLATE to OUT replacing @NAME@ by the
# value of the shell variable NAME for each NAME given.
render() {
    local in=$1 out=$2 name val script=
    shift 2
    for name in "$@"; do
        val=${!name}
        val=${val//\\/\\\\}
        val=${val//|/\\|}
        val=${val//&/\\&}
        script+="s|@${name}@|${val}|g;"
    done
    sed -e "$script" "$in" >"$out.tmp"
    if grep -n '@[A-Z_][A-Z0-9_]*@' "$out.tmp" >&2; then
        rm -f "$out.tmp"
        die "unfilled placeholder in $in"
    fi
    mv -f "$out.tmp" "$out"
}

# ---------------------------------------------------------------- processes

# pid_alive PID: true while PID exists and is not a zombie. (Processes
# reparented to PID 1 here are reaped late: kill -0 is not enough.)
pid_alive() {
    local pid=$1 stat
    [ -n "$pid" ] || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ] && [ "${stat%% *}" != X ]
}

# pid_comm PID: the command name of PID.
pid_comm() {
    cat "/proc/$1/comm" 2>/dev/null || true
}

# pidfile_pid FILE NAME: print the pid in FILE when that process is alive and
# its command name starts with NAME; fail otherwise.
pidfile_pid() {
    local file=$1 name=$2 pid
    [ -s "$file" ] || return 1
    pid=$(tr -dc 0-9 <"$file")
    pid_alive "$pid" || return 1
    case $(pid_comm "$pid") in
        "$name"*) echo "$pid" ;;
        *) return 1 ;;
    esac
}

# children_of PID: pids whose parent is PID.
children_of() {
    local parent=$1 f stat ppid
    for f in /proc/[0-9]*/stat; do
        stat=$(cat "$f" 2>/dev/null) || continue
        read -r _ ppid _ <<<"${stat##*) }"
        if [ "$ppid" = "$parent" ]; then
            f=${f#/proc/}
            echo "${f%/stat}"
        fi
    done
}

# descendants_of PID: every process below PID.
descendants_of() {
    local p
    for p in $(children_of "$1"); do
        echo "$p"
        descendants_of "$p"
    done
}

# wait_until SECONDS WHAT CMD...: poll CMD every 0.1 s until it succeeds;
# fail with a message after SECONDS.
wait_until() {
    local secs=$1 what=$2 deadline
    shift 2
    deadline=$((SECONDS + secs))
    until "$@"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            warn "timed out after ${secs}s waiting for $what"
            return 1
        fi
        sleep 0.1
    done
}

pid_gone() { ! pid_alive "$1"; }

# stop_pid PID WHAT [SIGNAL] [SECONDS]: signal PID and wait until it is gone;
# SIGKILL when it outlives the deadline.
stop_pid() {
    local pid=$1 what=$2 sig=${3:-TERM} secs=${4:-60}
    pid_alive "$pid" || return 0
    info "stopping $what (pid $pid)"
    kill "-$sig" "$pid" 2>/dev/null || true
    if ! wait_until "$secs" "$what (pid $pid) to exit" pid_gone "$pid"; then
        warn "killing $what (pid $pid)"
        kill -KILL "$pid" 2>/dev/null || true
        wait_until 10 "$what (pid $pid) to die" pid_gone "$pid" || true
    fi
}

# ---------------------------------------------------------------- deps

DEB_PACKAGES="mariadb-server mariadb-client mariadb-plugin-mroonga nginx
 libfcgi-dev libmariadb-dev libjson-c-dev libxml2-dev libsodium-dev check
 pkg-config autoconf automake libtool build-essential wrk chromium
 libxml2-utils curl valgrind libvips-dev fonts-wqy-microhei cppcheck
 clang-tidy"

# ensure_deps: install missing Debian packages (root) or say what to run.
ensure_deps() {
    local missing=() p
    for p in $DEB_PACKAGES; do
        if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" \
             != installed ]; then
            missing+=("$p")
        fi
    done
    # Node.js may come from elsewhere (its own npm inside): only ask Debian
    # for it when there is no node/npm at all.
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ]; then
        say "missing packages; run as root:" >&2
        say "  apt-get update && apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    info "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
}

# npm_ci DIR: install node_modules when missing or older than the lockfile.
npm_ci() {
    local dir=$1
    [ -f "$dir/package.json" ] || return 0
    if [ -d "$dir/node_modules" ] && [ ! "$dir/package.json" -nt "$dir/node_modules" ] &&
       { [ ! -f "$dir/package-lock.json" ] ||
         [ ! "$dir/package-lock.json" -nt "$dir/node_modules" ]; }; then
        return 0
    fi
    info "npm install in ${dir#"$REPO"/}"
    if [ -f "$dir/package-lock.json" ]; then
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    else
        (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
    touch "$dir/node_modules"
}

# frontend_build: build frontend/dist when missing or older than its sources.
frontend_build() {
    local fe=$REPO/frontend
    [ -f "$fe/package.json" ] || { warn "no frontend/package.json"; return 0; }
    npm_ci "$fe"
    if [ -f "$fe/dist/index.html" ] &&
       [ -z "$(find "$fe" -path "$fe/node_modules" -prune -o \
               -path "$fe/dist" -prune -o -type f \
               -newer "$fe/dist/index.html" -print -quit)" ]; then
        return 0
    fi
    info "building frontend"
    (cd "$fe" && npm run build)
}

# ---------------------------------------------------------------- build

# build_app DIR [CONFIGURE_ARGS...]: autotools build out of tree in DIR;
# sets JISHI_BIN. Reconfigures only when configure.ac/Makefile.am changed.
build_app() {
    local dir=$1
    shift
    [ -f "$REPO/configure.ac" ] || die "no configure.ac in $REPO"
    if [ -f "$REPO/config.status" ] && [ "$dir" != "$REPO" ]; then
        die "$REPO is configured in-tree; run 'make distclean' there first"
    fi
    if [ ! -x "$REPO/configure" ] || [ ! -f "$REPO/build-aux/install-sh" ] ||
       [ -n "$(find "$REPO" -maxdepth 3 \( -name configure.ac -o \
              -name Makefile.am \) -newer "$REPO/configure" -print -quit)" ]; then
        info "autogen"
        (cd "$REPO" && ./autogen.sh)
    fi
    mkdir -p "$dir"
    if [ ! -f "$dir/Makefile" ] || [ "$REPO/configure" -nt "$dir/Makefile" ] ||
       [ "$(cat "$dir/.jishi-configure-args" 2>/dev/null)" != "$*" ]; then
        info "configure $* (in ${dir#"$REPO"/})"
        (cd "$dir" && "$REPO/configure" "$@")
        printf '%s' "$*" >"$dir/.jishi-configure-args"
    fi
    info "make (in ${dir#"$REPO"/})"
    make -C "$dir" -j"$(nproc)" >"$dir/make.out" 2>&1 || {
        tail -60 "$dir/make.out" >&2
        die "build failed (full output in $dir/make.out)"
    }
    JISHI_BIN=$dir/fcgi-app/jishi-fcgi
    [ -x "$JISHI_BIN" ] || die "build produced no $JISHI_BIN"
    export JISHI_BIN
}
