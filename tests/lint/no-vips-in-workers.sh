#!/bin/sh
# no-vips-in-workers.sh - the workers must not map libvips: only the
# jishi-media helper links it (fcgi-app/src/media_image.h).  Run by
# `make check` from the build directory.
bin=${1:-fcgi-app/jishi-fcgi}
[ -x "$bin" ] || { echo "no $bin"; exit 1; }
if ldd "$bin" | grep -q 'libvips'; then
    echo "$bin links libvips; only jishi-media may"
    exit 1
fi
ldd fcgi-app/jishi-media | grep -q 'libvips' ||
    { echo "fcgi-app/jishi-media does not link libvips"; exit 1; }
