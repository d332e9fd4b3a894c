#!/bin/bash
# test_version - every binary says what it is, and so do running processes.
#   test_version.sh BIN_DIR SCRATCH_DIR
# - each binary's --version prints "<name> <x.y.z> (<describe>)", the
#   protocol version, libzmq, czmq and the other libraries it links;
# - `balboard version` prints what `balboard --version` prints;
# - --help lists --version;
# - a running store's stats and a running scheduler's status carry the
#   build's version (table and JSON), so a mixed deployment shows;
# - balboard-mock-upstream --health is 0 against a running mock and 1
#   where none listens.
set -u
bin=$1
scratch=$2
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

rm -rf "$scratch" && mkdir -p "$scratch"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done; }
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_until COMMAND...: run it every 50 ms until it succeeds (the ctest
# timeout catches a hang); prints how long it took.
wait_until() {
    local start=$SECONDS
    until "$@" > /dev/null 2>&1; do sleep 0.05; done
    echo "ok: '$*' after $((SECONDS - start)) s"
}

# check_version BINARY LIBRARY...
check_version() {
    local name=$1; shift
    local out
    out=$("$bin/$name" --version) || fail "$name --version exited $?"
    echo "$out" | head -1 | grep -Eq "^$name [0-9]+\.[0-9]+\.[0-9]+ \(.+\)$" \
        || fail "$name --version first line: $(echo "$out" | head -1)"
    for line in "protocol [0-9]+" "libzmq [0-9.]+" "czmq [0-9.]+" "$@"; do
        echo "$out" | grep -Eqx "$line" \
            || fail "$name --version has no line '$line': $out"
    done
    "$bin/$name" --help | grep -q -- "--version" \
        || fail "$name --help does not list --version"
}

check_version balboard "libcurl [0-9.]+"
check_version balboard-store "lmdb .+"
check_version balboard-scheduler "lmdb .+"
check_version balboard-fetcher "libcurl [0-9.]+"
check_version balboard-mock-upstream "libmicrohttpd [0-9.]+"
[ "$("$bin/balboard" version)" = "$("$bin/balboard" --version)" ] \
    || fail "balboard version differs from balboard --version"
identity=$("$bin/balboard-store" --version | head -1 | cut -d' ' -f2-)

# A running store and scheduler report the build they run.
ingest=$(free_port); query=$(free_port); jobs=$(free_port); control=$(free_port)
"$bin/balboard-store" --data-dir "$scratch/store" \
    --ingest-bind "tcp://127.0.0.1:$ingest" \
    --query-bind "tcp://127.0.0.1:$query" --log-level warn &
pids+=($!)
"$bin/balboard-scheduler" --data-dir "$scratch/scheduler" \
    --jobs-bind "tcp://127.0.0.1:$jobs" \
    --control-bind "tcp://127.0.0.1:$control" \
    --store-query "tcp://127.0.0.1:$query" --paused --log-level warn &
pids+=($!)
cli=("$bin/balboard" --store-query "tcp://127.0.0.1:$query"
     --scheduler-control "tcp://127.0.0.1:$control")
wait_until "${cli[@]}" stats
wait_until "${cli[@]}" status
"${cli[@]}" stats | grep -qx "store version *$identity" \
    || fail "balboard stats shows no 'store version $identity'"
"${cli[@]}" status | grep -qx "scheduler version *$identity" \
    || fail "balboard status shows no 'scheduler version $identity'"
for verb in stats status; do
    "${cli[@]}" "$verb" --json \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])' \
        | grep -qxF "$identity" \
        || fail "balboard $verb --json has no version \"$identity\""
done

# The mock's --health: 1 with nothing listening, 0 once it serves.
mock=$(free_port)
"$bin/balboard-mock-upstream" --health --bind "127.0.0.1:$mock" \
    && fail "mock --health is 0 with no mock on port $mock"
"$bin/balboard-mock-upstream" --bind "0.0.0.0:$mock" --log-level warn &
pids+=($!)
wait_until "$bin/balboard-mock-upstream" --health --bind "0.0.0.0:$mock"

if [ "$failures" -ne 0 ]; then
    echo "$failures version check(s) failed"
    exit 1
fi
echo "version checks passed"
