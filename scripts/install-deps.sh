#!/bin/sh
# install-deps.sh - install what balboard needs to build, test and run.
# Idempotent and non-interactive: installs only the Debian packages missing.
set -eu

PACKAGES="build-essential cmake pkg-config git ca-certificates \
  libzmq3-dev libczmq-dev libcurl4-openssl-dev liblmdb-dev lmdb-utils \
  libprotobuf-c-dev protobuf-c-compiler libjansson-dev libmicrohttpd-dev \
  libcmocka-dev libssl-dev zlib1g-dev curl wrk valgrind python3 \
  python3-venv prometheus"

# The store benchmark (bench/bench_store.c) measures Redis and SQLite
# beside the store for the same dashboard page: redis-server, hiredis to
# talk to it, SQLite's library and shell; scripts/bench.sh draws its
# charts with gnuplot.
PACKAGES="$PACKAGES redis-server libhiredis-dev sqlite3 libsqlite3-dev \
  gnuplot-nox"

# The browser test (tests/gateway/test_dashboard_browser.py): Chromium, its
# WebDriver and a font for the page's screenshots.
PACKAGES="$PACKAGES chromium chromium-driver fonts-dejavu-core"

# The fuzz targets (scripts/fuzz.sh): clang with libFuzzer and the
# sanitizer runtimes (libclang-rt, only recommended by clang), and
# llvm-symbolizer for readable crash reports.
PACKAGES="$PACKAGES clang libclang-rt-14-dev llvm-14"

missing=""
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
