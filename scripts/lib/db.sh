# shellcheck shell=bash
# Private MariaDB primary and GTID replica under $VAR.
#
# Instances: "primary" and "replica1". First start of the pair:
# mariadb-install-db once into a template, cp -a into both datadirs, start the
# primary, lock root down, create the database and the accounts (logged, so
# they replicate), start the replica, point it at the primary with
# MASTER_USE_GTID=slave_pos and wait until it has caught up. Later starts
# just start. Every server and client call uses --defaults-file.

DB_INSTANCES="primary replica1"

db_cnf()     { echo "$CONF_DIR/$1.cnf"; }
db_datadir() { echo "$VAR/db/$1"; }
db_socket()  { case $1 in primary) echo "$RUN_DIR/p.sock" ;; *) echo "$RUN_DIR/r${1#replica}.sock" ;; esac; }
db_pidfile() { echo "$RUN_DIR/$1.pid"; }
db_port()    { case $1 in primary) echo "$PRIMARY_PORT" ;; *) echo "$REPLICA_PORT" ;; esac; }

# db_render NAME: write the option file of NAME from conf/.
# Locals below are read by render through ${!name}.
# shellcheck disable=SC2034
db_render() {
    local name=$1 tpl
    local DATADIR SOCKET PORT PIDFILE ERRLOG TMPDIR SERVER_ID BUFFER_POOL
    local FLUSH_AT_COMMIT SYNC_BINLOG DURABILITY_NOTE
    DATADIR=$(db_datadir "$name")
    SOCKET=$(db_socket "$name")
    PORT=$(db_port "$name")
    PIDFILE=$(db_pidfile "$name")
    ERRLOG=$LOG_DIR/mariadb-$name.err
    TMPDIR=$VAR/db/tmp
    SERVER_ID=2
    BUFFER_POOL=${JISHI_DB_BUFFER_POOL:-128M}
    if [ "${JISHI_DB_DURABLE:-1}" = 1 ]; then
        FLUSH_AT_COMMIT=1 SYNC_BINLOG=1
        DURABILITY_NOTE="full (flush and sync on every commit), as production needs"
    else
        FLUSH_AT_COMMIT=2 SYNC_BINLOG=0
        DURABILITY_NOTE="RELAXED for a throwaway test instance (scripts/test): an OS crash may lose the last second of commits"
    fi
    mkdir -p "$TMPDIR"
    case $name in
        primary) tpl=$REPO/conf/mariadb-primary.cnf.in ;;
        *) tpl=$REPO/conf/mariadb-replica.cnf.in ;;
    esac
    (
        umask 077
        render "$tpl" "$(db_cnf "$name")" DB_ROOT_PASSWORD DATADIR SOCKET PORT \
            PIDFILE ERRLOG TMPDIR SERVER_ID BUFFER_POOL FLUSH_AT_COMMIT \
            SYNC_BINLOG DURABILITY_NOTE
    )
}

# db_sql NAME SQL: run SQL as DB root on NAME; batch output without headers.
db_sql() {
    mariadb --defaults-file="$(db_cnf "$1")" --connect-timeout=5 -N -B -e "$2"
}

# db_sql_fresh NAME SQL: the same on a fresh datadir (root without password).
db_sql_fresh() {
    mariadb --defaults-file="$(db_cnf "$1")" --password= --connect-timeout=5 \
        -N -B -e "$2"
}

db_pid()     { pidfile_pid "$(db_pidfile "$1")" mariadbd; }
db_running() { db_pid "$1" >/dev/null; }

db_ping() {
    [ -S "$(db_socket "$1")" ] &&
        mariadb-admin --defaults-file="$(db_cnf "$1")" --connect-timeout=2 \
            ping >/dev/null 2>&1
}

# db_fresh_datadirs: make the template once and copy it into every datadir
# that does not exist yet (before any server starts).
db_fresh_datadirs() {
    local tpl=$VAR/db/template name user_opt=()
    [ "$(id -u)" = 0 ] && user_opt=(--user=root)
    for name in $DB_INSTANCES; do
        [ -f "$STATE_DIR/$name.initialized" ] && continue
        if [ ! -d "$tpl/mysql" ]; then
            rm -rf "$tpl"
            info "mariadb-install-db"
            mariadb-install-db --no-defaults --datadir="$tpl" "${user_opt[@]}" \
                --auth-root-authentication-method=normal --skip-test-db \
                >"$LOG_DIR/mariadb-install-db.log" 2>&1 ||
                { tail -20 "$LOG_DIR/mariadb-install-db.log" >&2;
                  die "mariadb-install-db failed"; }
        fi
        rm -rf "$(db_datadir "$name")"
        cp -a "$tpl" "$(db_datadir "$name")"
    done
    rm -rf "$tpl"
}

# db_launch NAME: start mariadbd for NAME and wait until it answers.
db_launch() {
    local name=$1 user_opt=() pid
    [ "$(id -u)" = 0 ] && user_opt=(--user=root)
    rm -f "$(db_pidfile "$name")"
    setsid mariadbd --defaults-file="$(db_cnf "$name")" "${user_opt[@]}" \
        </dev/null >>"$LOG_DIR/mariadb-$name.out" 2>&1 &
    pid=$!
    if ! wait_until 120 "MariaDB $name" db_launch_ready "$name" "$pid"; then
        tail -20 "$LOG_DIR/mariadb-$name.err" >&2 || true
        die "MariaDB $name did not start (log: $LOG_DIR/mariadb-$name.err)"
    fi
}

db_launch_ready() {
    pid_alive "$2" || {
        tail -20 "$LOG_DIR/mariadb-$1.err" >&2 || true
        die "MariaDB $1 exited during start-up (log: $LOG_DIR/mariadb-$1.err)"
    }
    db_running "$1" && db_ping "$1"
}

# Lock down root on a fresh server; not binary-logged, so each server does
# it for itself and the GTID history holds only what must replicate.
DB_SECURE_SQL="SET SESSION sql_log_bin = 0;
DROP USER IF EXISTS ''@'localhost';
DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1';
DROP USER IF EXISTS 'root'@'$(hostname 2>/dev/null || echo localhost.invalid)';
ALTER USER 'root'@'localhost' IDENTIFIED BY '@PW@';"

db_secure() {
    db_sql_fresh "$1" "${DB_SECURE_SQL//@PW@/$DB_ROOT_PASSWORD}"
}

db_start_primary() {
    local name=primary
    db_render "$name"
    if db_running "$name"; then
        return 0
    fi
    if [ ! -f "$STATE_DIR/$name.initialized" ]; then
        db_fresh_datadirs
        db_launch "$name"
        db_secure "$name"
        db_sql "$name" "
CREATE DATABASE IF NOT EXISTS jishi CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'jishi'@'127.0.0.1' IDENTIFIED BY '$DB_APP_PASSWORD';
CREATE USER IF NOT EXISTS 'jishi'@'localhost' IDENTIFIED BY '$DB_APP_PASSWORD';
GRANT ALL PRIVILEGES ON jishi.* TO 'jishi'@'127.0.0.1', 'jishi'@'localhost';
CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY '$DB_REPL_PASSWORD';
GRANT REPLICATION SLAVE, REPLICATION SLAVE ADMIN, BINLOG MONITOR ON *.* TO 'repl'@'127.0.0.1';"
        touch "$STATE_DIR/$name.initialized"
    else
        db_launch "$name"
        if db_running replica1; then
            db_repoint replica1
        fi
    fi
}

db_start_replica() {
    local name=${1:-replica1}
    db_render "$name"
    if db_running "$name"; then
        return 0
    fi
    if [ ! -f "$STATE_DIR/$name.initialized" ]; then
        db_running primary || die "start the primary before a new replica"
        [ -d "$(db_datadir "$name")/mysql" ] || db_fresh_datadirs
        db_launch "$name"
        db_secure "$name"
        db_sql "$name" "
CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $PRIMARY_PORT,
  MASTER_USER = 'repl', MASTER_PASSWORD = '$DB_REPL_PASSWORD',
  MASTER_CONNECT_RETRY = 1, MASTER_USE_GTID = slave_pos;
START SLAVE;"
        db_replica_sync "$name" 120 ||
            die "replica $name did not catch up (log: $LOG_DIR/mariadb-$name.err)"
        touch "$STATE_DIR/$name.initialized"
    else
        db_launch "$name"
        db_repoint "$name"
    fi
}

# db_repoint NAME: follow the primary to its current port (ports.env may
# have moved it while both were down).
db_repoint() {
    local name=$1 port
    port=$(mariadb --defaults-file="$(db_cnf "$name")" -E -e "SHOW SLAVE STATUS" |
           awk '$1 == "Master_Port:" { print $2 }')
    [ -z "$port" ] || [ "$port" = "$PRIMARY_PORT" ] && return 0
    info "replica $name: primary moved to port $PRIMARY_PORT"
    db_sql "$name" "STOP SLAVE;
CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $PRIMARY_PORT;
START SLAVE;"
}

# db_replica_sync NAME SECONDS: wait until NAME has applied everything the
# primary had logged when this was called.
db_replica_sync() {
    local name=$1 secs=${2:-60} pos r
    pos=$(db_sql primary "SELECT @@GLOBAL.gtid_binlog_pos")
    [ -n "$pos" ] || return 0
    r=$(db_sql "$name" "SELECT MASTER_GTID_WAIT('$pos', $secs)")
    if [ "$r" != 0 ]; then
        mariadb --defaults-file="$(db_cnf "$name")" -E -e "SHOW SLAVE STATUS" >&2 || true
        return 1
    fi
}

db_stop() {
    local name=$1 pid
    pid=$(db_pid "$name") || return 0
    stop_pid "$pid" "MariaDB $name" TERM 120
    rm -f "$(db_pidfile "$name")"
}

db_status() {
    local name=$1 pid
    if pid=$(db_pid "$name"); then
        say "mariadb $name: running, pid $pid, port $(db_port "$name"), socket $(db_socket "$name")"
    else
        say "mariadb $name: stopped"
        return 1
    fi
}
