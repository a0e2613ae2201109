#!/bin/sh
# static.sh - cppcheck and clang-tidy over fcgi-app/src (`make lint`).
#
#   tests/lint/static.sh [BUILD_DIR]
#
# BUILD_DIR is a configured build directory (for config.h); default
# ./build.  Uses .clang-tidy at the top of the tree.  Prints findings and
# exits 1 when either tool reports any; 2 when a tool is missing.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" 2>/dev/null && pwd) || {
    echo "static.sh: no build directory '${1:-$root/build}'" >&2
    exit 2
}
[ -f "$build/config.h" ] || {
    echo "static.sh: '$build/config.h' missing: run configure" >&2
    exit 2
}
for tool in cppcheck clang-tidy pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "static.sh: $tool not installed" >&2
        exit 2
    }
done

cd "$root" || exit 2
srcs=$(ls fcgi-app/src/*.c)
pkgs="json-c libmariadb libxml-2.0 libsodium vips"
rc=0

echo "== cppcheck"
# Library headers are not scanned (-I for ours only); missingIncludeSystem
# and unmatched suppressions are expected noise.
cppcheck --quiet --enable=warning,performance,portability \
    --error-exitcode=1 --inline-suppr --std=c11 \
    --suppress=missingIncludeSystem --library=tests/lint/jishi.cfg \
    -DHAVE_CONFIG_H -I fcgi-app/src -I "$build" \
    --template='{file}:{line}: {severity}: {message} [{id}]' \
    $srcs || rc=1

echo "== clang-tidy"
out=$(clang-tidy --quiet $srcs -- -std=gnu11 -DHAVE_CONFIG_H \
    -I "$build" -I fcgi-app/src $(pkg-config --cflags $pkgs) 2>&1)
# clang-tidy exits 0 on warnings unless made errors: count them instead.
printf '%s\n' "$out" | grep -v -E '^[0-9]+ warnings? generated\.$' |
    grep -v -E '^Suppressed [0-9]+ warnings|^Use -header-filter' | sed '/^$/d'
if printf '%s\n' "$out" | grep -q -E ': (warning|error): '; then
    rc=1
fi
exit $rc
