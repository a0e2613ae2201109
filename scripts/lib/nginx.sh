# shellcheck shell=bash
# The private nginx under $VAR/nginx (prefix), from conf/nginx.conf.in.

nginx_conf()    { echo "$NGINX_PREFIX/conf/nginx.conf"; }
nginx_pidfile() { echo "$NGINX_PREFIX/nginx.pid"; }
nginx_cmd()     { nginx -p "$NGINX_PREFIX/" -c "$(nginx_conf)" -e "$NGINX_PREFIX/logs/error.log" "$@"; }
nginx_pid()     { pidfile_pid "$(nginx_pidfile)" nginx; }
nginx_running() { nginx_pid >/dev/null; }
nginx_url()     { echo "http://127.0.0.1:$NGINX_PORT"; }

# Locals below are read by render through ${!name}.
# shellcheck disable=SC2034
nginx_render() {
    local NGINX_USER_LINE="" NGINX_MIME_TYPES NGINX_CONF NGINX_LISTEN
    local FCGI_UPSTREAM FRONTEND_DIST MEDIA_DIR MAX_BODY_BYTES
    local ECHO_MAX_BODY_BYTES AUTH_RATE AUTH_BURST
    [ "$(id -u)" = 0 ] && NGINX_USER_LINE="user root;"
    NGINX_MIME_TYPES=${JISHI_NGINX_MIME_TYPES:-/etc/nginx/mime.types}
    NGINX_CONF=$NGINX_PREFIX/conf
    NGINX_LISTEN=${JISHI_BIND:-127.0.0.1}:$NGINX_PORT
    FCGI_UPSTREAM=unix:$(fcgi_socket)
    FRONTEND_DIST=${JISHI_FRONTEND_DIST:-$REPO/frontend/dist}
    MEDIA_DIR=$VAR/media
    MAX_BODY_BYTES=$APP_MAX_BODY_BYTES
    ECHO_MAX_BODY_BYTES=$((APP_MAX_BODY_BYTES * 2))
    AUTH_RATE=${JISHI_AUTH_RATE:-10r/s}
    AUTH_BURST=${JISHI_AUTH_BURST:-20}
    mkdir -p "$NGINX_CONF" "$NGINX_PREFIX/logs" "$NGINX_PREFIX/tmp"
    cp "$REPO/conf/jishi-fastcgi.conf" "$REPO/conf/jishi-security-headers.conf" \
        "$REPO/conf/jishi-microcache.conf" "$NGINX_CONF/"
    render "$REPO/conf/nginx.conf.in" "$(nginx_conf)" NGINX_USER_LINE \
        NGINX_PREFIX NGINX_MIME_TYPES NGINX_CONF NGINX_LISTEN FCGI_UPSTREAM \
        FRONTEND_DIST MEDIA_DIR MAX_BODY_BYTES ECHO_MAX_BODY_BYTES AUTH_RATE \
        AUTH_BURST
}

nginx_answers() {
    curl -s -o /dev/null --max-time 2 "$(nginx_url)/" 2>/dev/null
}

nginx_start() {
    nginx_render
    nginx_cmd -t -q || die "nginx configuration test failed ($(nginx_conf))"
    if nginx_running; then
        nginx_cmd -s reload
        return 0
    fi
    # A listener only: a load test's closed connections linger in TIME_WAIT.
    if port_in_use "$NGINX_PORT" listen; then
        die "port $NGINX_PORT is taken by another program (set JISHI_PORT)"
    fi
    nginx_cmd </dev/null || die "nginx did not start ($NGINX_PREFIX/logs/error.log)"
    wait_until 30 "nginx on port $NGINX_PORT" nginx_ready ||
        die "nginx did not come up ($NGINX_PREFIX/logs/error.log)"
}

nginx_ready() { nginx_running && nginx_answers; }

nginx_stop() {
    local pid kids
    pid=$(nginx_pid) || return 0
    kids=$(children_of "$pid")
    stop_pid "$pid" nginx QUIT 30
    for pid in $kids; do
        stop_pid "$pid" "nginx worker" TERM 10
    done
    rm -f "$(nginx_pidfile)"
}

nginx_status() {
    local pid
    if pid=$(nginx_pid); then
        say "nginx: running, pid $pid, $(nginx_url)/"
    else
        say "nginx: stopped"
        return 1
    fi
}
