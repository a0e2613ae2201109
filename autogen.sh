#!/bin/sh
# Regenerate the autotools build system: ./autogen.sh && ./configure && make
set -e
cd "$(dirname "$0")"
mkdir -p build-aux m4
autoreconf --install --force
