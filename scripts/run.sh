#!/bin/sh
# run.sh - build balboard and run the whole system on loopback.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build/run -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build/run -j "$(nproc)"
echo "run.sh: the runnable system (scheduler, fetchers, store, mock upstream)"
echo "run.sh: arrives with the scheduler issue; the build above is ready."
