#!/bin/sh
# run.sh - build balboard and run the whole system on loopback.
#
# Installs the dependencies, builds Release into build/run, then starts the
# mock upstream (1,000 deterministic sample agents with valid addresses),
# the store, the scheduler, two fetchers and the HTTP gateway, prints the
# live dashboard page's URL (first thing, and again once the gateway
# answers), lets the scheduler sync the agents from the mock's registry
# API (BALBOARD_REGISTRY_URL, docs/registry.md), shows the first
# rotation's progress, prints the top of the ranked
# dashboard and refreshes it every few seconds until Ctrl-C; then stops
# every process with SIGTERM and waits for each.
#
# Data lives in data/run and starts fresh on every run (the directory is
# removed first), so the first rotation always covers the whole sample.
# Logs go to data/run/logs/. Offline: the fetchers talk to the mock only,
# and the scheduler runs without upstream budgets (the mock has no limits).
#
# Every endpoint is the design's default and can be moved with the usual
# variables (BALBOARD_INGEST_BIND/BALBOARD_STORE_INGEST, BALBOARD_QUERY_BIND/
# BALBOARD_STORE_QUERY, BALBOARD_JOBS_BIND/BALBOARD_SCHEDULER_JOBS,
# BALBOARD_CONTROL_BIND/BALBOARD_SCHEDULER_CONTROL, BALBOARD_EVENTS_BIND/
# BALBOARD_STORE_EVENTS, BALBOARD_MOCK_BIND, BALBOARD_HTTP_BIND for the
# gateway).
#   RUN_AGENTS=1000        sample agents      RUN_FETCHERS=2    fetchers
#   RUN_REFRESH_S=5        dashboard refresh  RUN_TOP=20        rows shown
set -eu
cd "$(dirname "$0")/.."

AGENTS="${RUN_AGENTS:-1000}"
FETCHERS="${RUN_FETCHERS:-2}"
REFRESH_S="${RUN_REFRESH_S:-5}"
TOP="${RUN_TOP:-20}"
DATA=data/run
BIN=build/run/bin

# One endpoint per socket, the same for the side that binds and the side
# that connects.
export BALBOARD_MOCK_BIND="${BALBOARD_MOCK_BIND:-127.0.0.1:8090}"
export BALBOARD_INGEST_BIND="${BALBOARD_INGEST_BIND:-tcp://127.0.0.1:7701}"
export BALBOARD_QUERY_BIND="${BALBOARD_QUERY_BIND:-tcp://127.0.0.1:7702}"
export BALBOARD_JOBS_BIND="${BALBOARD_JOBS_BIND:-tcp://127.0.0.1:7711}"
export BALBOARD_CONTROL_BIND="${BALBOARD_CONTROL_BIND:-tcp://127.0.0.1:7712}"
export BALBOARD_EVENTS_BIND="${BALBOARD_EVENTS_BIND:-tcp://127.0.0.1:7703}"
export BALBOARD_STORE_INGEST="${BALBOARD_STORE_INGEST:-$BALBOARD_INGEST_BIND}"
export BALBOARD_STORE_QUERY="${BALBOARD_STORE_QUERY:-$BALBOARD_QUERY_BIND}"
export BALBOARD_SCHEDULER_JOBS="${BALBOARD_SCHEDULER_JOBS:-$BALBOARD_JOBS_BIND}"
export BALBOARD_SCHEDULER_CONTROL="${BALBOARD_SCHEDULER_CONTROL:-$BALBOARD_CONTROL_BIND}"
export BALBOARD_STORE_EVENTS="${BALBOARD_STORE_EVENTS:-$BALBOARD_EVENTS_BIND}"
export BALBOARD_HTTP_BIND="${BALBOARD_HTTP_BIND:-127.0.0.1:8080}"
PAGE="http://$BALBOARD_HTTP_BIND/dashboard"
API="http://$BALBOARD_HTTP_BIND/api/dashboard"
MOCK="http://$BALBOARD_MOCK_BIND"
export HIRO_BASE="$MOCK"
export MEMPOOL_BASE="$MOCK/api"
export PRICE_URL="$MOCK/api/v3/simple/price?ids=bitcoin,blockstack&vs_currencies=usd"

echo "run.sh: the live dashboard will be at $PAGE"
./scripts/install-deps.sh
cmake -S . -B build/run -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build/run -j "$(nproc)" --target balboard-mock-upstream \
    balboard-store balboard-scheduler balboard-fetcher balboard-gateway \
    balboard

rm -rf "$DATA"
mkdir -p "$DATA/logs"
PIDS=""

# Stop every process we started, newest first, and wait for each.
stop_all() {
    trap - INT TERM EXIT
    echo
    echo "run.sh: stopping"
    for pid in $PIDS; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $PIDS; do
        wait "$pid" 2>/dev/null || true
    done
    echo "run.sh: every process stopped; data and logs are in $DATA"
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

# start NAME COMMAND...: run in the background, logging to data/run/logs.
start() {
    name="$1"
    shift
    "$@" > "$DATA/logs/$name.log" 2>&1 &
    PIDS="$! $PIDS"
}

# wait_for WHAT COMMAND...: retry COMMAND (quietly) for up to 10 s.
wait_for() {
    what="$1"
    shift
    tries=0
    until "$@" > /dev/null 2>&1; do
        tries=$((tries + 1))
        if [ "$tries" -ge 100 ]; then
            echo "run.sh: $what did not come up; see $DATA/logs/" >&2
            exit 1
        fi
        sleep 0.1
    done
}

balboard() {
    "$BIN/balboard" "$@"
}

echo "run.sh: starting the mock upstream, the store, the scheduler," \
     "$FETCHERS fetchers and the gateway (logs in $DATA/logs)"
start mock "$BIN/balboard-mock-upstream" --agents "$AGENTS"
start store "$BIN/balboard-store" --data-dir "$DATA/store"
# The agents come from the registry: the first sync goes to the first
# fetcher ready, and the store's event starts the first rotation.
export BALBOARD_REGISTRY_URL="${BALBOARD_REGISTRY_URL:-$MOCK/api/agents}"
start scheduler "$BIN/balboard-scheduler" --data-dir "$DATA/scheduler" \
    --hiro-rpm 0 --mempool-rpm 0 --price-rpm 0 --registry-rpm 0
i=0
while [ "$i" -lt "$FETCHERS" ]; do
    start "fetcher$i" env BALBOARD_FETCHER_ID="fetcher-$i" \
        "$BIN/balboard-fetcher"
    i=$((i + 1))
done
start gateway "$BIN/balboard-gateway"
wait_for "the mock upstream" curl -sf "$MOCK/__mock/stats"
wait_for "the store" "$BIN/balboard-store" --health
wait_for "the scheduler" "$BIN/balboard-scheduler" --health
wait_for "the gateway" "$BIN/balboard-gateway" --health
echo "run.sh: dashboard: $PAGE (open it: it updates itself live)"
echo "run.sh: dashboard API: $API (?docs=1 describes it)"

echo "run.sh: syncing $AGENTS sample agents from the registry" \
     "$MOCK/api/agents (balboard agents sync runs one now)"

# status_field NAME: a number from the scheduler's status (JSON).
status_field() {
    balboard status --json | tr ',{}' '\n\n\n' \
        | sed -n "s/^ *\"$1\": *\([0-9]*\).*/\1/p" | head -n 1
}

echo "run.sh: first rotation"
while :; do
    done_agents="$(status_field rotationDone)"
    total="$(status_field rotationAgents)"
    completed="$(status_field rotationsCompleted)"
    printf '\r  %s / %s agents fetched' "${done_agents:-0}" "${total:-?}"
    [ "${completed:-0}" -ge 1 ] && break
    sleep 0.5
done
echo
echo "run.sh: rotation 1 complete in $(status_field lastRotationMs) ms"

# The dashboard until Ctrl-C.
while :; do
    echo
    echo "run.sh: dashboard: $PAGE (API: $API)"
    date '+run.sh: %H:%M:%S - top of the dashboard (Ctrl-C stops everything)'
    balboard dashboard --limit "$TOP" || true
    balboard status | head -n 12 || true
    sleep "$REFRESH_S"
done
