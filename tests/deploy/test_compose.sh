#!/bin/sh
# test_compose - the docker compose deployment, end to end.
#
# Builds the images FROM scratch, brings up the offline stack with the
# monitoring profile exactly as deploy/README.md says (docker-compose.yml +
# offline.yml, 2 fetchers, on this test's own ports), imports the mock's
# 1,000 agents with the CLI from the host, ticks, waits for a full
# rotation, reads them from the gateway's /api/dashboard, waits until
# Prometheus's own query API has a balboard_ series, scales the
# fetchers to 4 and shows every fetcher gets jobs, kills a fetcher and then
# the store mid-rotation and shows the stack recovers with no acked data
# lost, then takes everything down with its volumes. Prints how long each
# step took. Exits 77 (skipped) when no docker engine is reachable.
#
#   test_compose.sh SOURCE_DIR CLI_PATH
set -eu
src="$1"
cli="$2"
agents=1000
project="balboard_test_$$"
compose_files="-f $src/deploy/docker-compose.yml -f $src/deploy/offline.yml"

if ! docker info > /dev/null 2>&1; then
    echo "test_compose: no docker engine reachable; skipped"
    exit 77
fi
if docker compose version > /dev/null 2>&1; then
    # shellcheck disable=SC2086
    dc() { docker compose -p "$project" $compose_files --profile monitoring "$@"; }
elif command -v docker-compose > /dev/null 2>&1; then
    # shellcheck disable=SC2086
    dc() { docker-compose -p "$project" $compose_files --profile monitoring "$@"; }
else
    echo "test_compose: no docker compose; skipped"
    exit 77
fi

# The offline stack as deploy/README.md brings it up (its budgets, alarm
# and mock are offline.yml's), on its own loopback ports.
export BALBOARD_IMAGE="balboard:test"
export BALBOARD_PROMETHEUS_IMAGE="balboard-prometheus:test"
export BALBOARD_INGEST_PORT=17701 BALBOARD_QUERY_PORT=17702
export BALBOARD_CONTROL_PORT=17712 BALBOARD_MOCK_PORT=18090
export BALBOARD_HTTP_PORT=18080 BALBOARD_PROMETHEUS_PORT=19090
gateway=http://127.0.0.1:18080
prometheus=http://127.0.0.1:19090
export BALBOARD_STORE_QUERY=tcp://127.0.0.1:17702
export BALBOARD_STORE_INGEST=tcp://127.0.0.1:17701
export BALBOARD_SCHEDULER_CONTROL=tcp://127.0.0.1:17712

# The stack runs with CURVE keys (docs/security.md): the CLI on the host
# takes the operator's key pair and the servers' public keys from the
# keys volume the keygen services wrote.
keys=$(mktemp -d)
export BALBOARD_CURVE_CERT="$keys/operator.key_secret"
export BALBOARD_STORE_KEY="$keys/store.key"
export BALBOARD_SCHEDULER_KEY="$keys/scheduler.key"

cleanup() { dc down -v > /dev/null 2>&1 || true; rm -rf "$keys"; }
trap cleanup EXIT

step_start=0
step() { step_start=$(date +%s); printf 'test_compose: %s ... ' "$1"; }
done_step() { echo "ok ($(( $(date +%s) - step_start )) s)"; }
fail() { echo "FAILED: $*"; dc ps; dc logs --tail=30; exit 1; }

# A field of `balboard status --json` or `balboard stats --json`:
# field VERB KEY... ("error" when there is no answer).
field() {
    verb="$1"
    shift
    "$cli" "$verb" --json --timeout-ms 2000 2>/dev/null | python3 -c '
import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1:]:
    value = value[key]
print(json.dumps(value) if isinstance(value, (list, dict)) else value)
' "$@" 2>/dev/null || echo error
}

# A field of the JSON document at URL $1: json URL KEY... ("error" when
# there is no answer).
json() {
    url="$1"
    shift
    curl -sf --max-time 5 "$url" 2>/dev/null | python3 -c '
import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1:]:
    value = value[int(key)] if isinstance(value, list) else value[key]
print(json.dumps(value) if isinstance(value, (list, dict)) else value)
' "$@" 2>/dev/null || echo error
}

# The value of the first sample Prometheus's query API gives for query $1.
prometheus_value() {
    json "$prometheus/api/v1/query?query=$1" data result 0 value 1
}

# Wait for command $1 to succeed; $2 seconds catch a hang.
wait_for() {
    deadline=$(( $(date +%s) + $2 ))
    while ! eval "$1"; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 1
    done
}

rotation_done() {
    [ "$(field stats agentsFetched)" = "$agents" ] &&
    [ "$(field status rotationsCompleted)" != error ] &&
    [ "$(field status rotationsCompleted)" -gt "$1" ]
}

step "build images"
"$src/deploy/build-images.sh" | tail -2
done_step
size=$(docker image inspect -f '{{.Size}}' balboard:test)
echo "test_compose: image balboard:test is $(( size / 1000000 )) MB"
# No shell, no build tools in the image.
if docker run --rm --entrypoint /bin/sh balboard:test -c true \
        > /dev/null 2>&1; then
    fail "the image has a shell"
fi
container=$(docker create --entrypoint /usr/bin/balboard balboard:test)
extra=$(docker export "$container" | tar -t | grep -E '(^|/)s?bin/.' |
        grep -v '^usr/bin/balboard' || true)
docker rm "$container" > /dev/null
[ -z "$extra" ] || fail "the image holds other programs: $extra"

step "up (offline, 2 fetchers)"
up_at=$(date +%s)
dc up -d --scale fetcher=2 > /dev/null 2>&1 ||
    fail "compose up"
keygen=$(docker ps -aq --filter "label=com.docker.compose.project=$project" \
         --filter "label=com.docker.compose.service=keygen-operator")
docker cp "$keygen:/data/keys/." "$keys/" || fail "the keys volume"
wait_for '[ "$(field status fetchers connected)" = 2 ]' 60 ||
    fail "2 fetchers never connected"
mock=$(dc ps -q mock-upstream)
wait_for '[ "$(docker inspect -f "{{.State.Health.Status}}" "$mock")" = healthy ]' 60 ||
    fail "the mock upstream never became healthy"
gateway_container=$(dc ps -q gateway)
wait_for '[ "$(docker inspect -f "{{.State.Health.Status}}" "$gateway_container")" = healthy ]' 60 ||
    fail "the gateway never became healthy"
done_step

step "import $agents agents from the host"
"$cli" agents import "http://127.0.0.1:18090/api/agents" ||
    fail "import"
got=$(field stats agents)
[ "$got" = "$agents" ] || fail "store has $got agents, not $agents"
done_step

step "first full rotation (tick after the import)"
before=$(field status rotationsCompleted)
"$cli" tick > /dev/null
wait_for "rotation_done $before" 180 || fail "no full rotation"
done_step
echo "test_compose: the scheduler timed it at $(field status lastRotationMs) ms"

step "the gateway serves the imported agents"
[ "$(json "$gateway/api/dashboard?limit=1" pagination total)" = "$agents" ] ||
    fail "/api/dashboard does not count $agents agents"
first=$(json "$gateway/api/dashboard?limit=1" agents 0 stxAddress)
[ "$(json "$gateway/api/agents/$first" rank)" = 1 ] ||
    fail "/api/agents/$first is not rank 1"
[ "$(json "$gateway/api/dashboard?limit=1" agents 0 fetchError)" = error ] ||
    fail "the first agent is not fetched cleanly"
done_step

step "Prometheus (monitoring profile) has the gateway's series"
wait_for '[ "$(prometheus_value balboard_store_agents)" = "$agents" ]' 120 ||
    fail "Prometheus never had balboard_store_agents = $agents"
done_step
echo "test_compose: Prometheus had it $(( $(date +%s) - up_at )) s after up"
echo "test_compose: Prometheus says $(prometheus_value 'sum(balboard_http_requests_total)') gateway requests so far"

step "scale fetchers to 4, every one gets jobs"
dc up -d --scale fetcher=4 > /dev/null 2>&1 ||
    fail "scale"
wait_for '[ "$(field status fetchers connected)" = 4 ]' 60 ||
    fail "4 fetchers never connected"
before=$(field status rotationsCompleted)
"$cli" tick > /dev/null
wait_for "rotation_done $before" 180 || fail "no rotation with 4 fetchers"
idle=$(field status fetchers list | python3 -c \
    "import json,sys; print(sum(1 for f in json.load(sys.stdin) if f['jobs'] == 0))")
[ "$idle" = 0 ] || fail "$idle fetcher(s) got no job"
done_step

step "kill a fetcher, then the store, mid-rotation"
# Slow the mock down so the rotation is surely under way when we kill.
curl -sf -X POST -d '{"latency_ms":200}' \
    http://127.0.0.1:18090/__mock/control > /dev/null || fail "mock control"
before=$(field status rotationsCompleted)
"$cli" tick > /dev/null
wait_for '[ "$(field status rotationDone)" -gt 0 ]' 60 ||
    fail "rotation did not start"
rows_before=$(field stats balanceRows)
done_before=$(field status rotationDone)
[ "$done_before" -lt "$agents" ] || fail "rotation ended before the kill"
fetcher=$(dc ps -q fetcher | head -1)
docker kill "$fetcher" > /dev/null
docker kill "$(dc ps -q store)" > /dev/null
dc up -d --scale fetcher=4 > /dev/null 2>&1 ||
    fail "restart"
echo "killed at $done_before of $agents agents dispatched;"
wait_for '[ "$(field stats agents)" = "$agents" ]' 60 ||
    fail "store did not come back"
rows_after=$(field stats balanceRows)
[ "$rows_after" -ge "$rows_before" ] ||
    fail "acked rows lost: $rows_before before, $rows_after after"
"$cli" tick > /dev/null
wait_for "rotation_done $before" 240 || fail "no rotation after the kills"
done_step

step "without a key the store refuses writes"
if env -u BALBOARD_CURVE_CERT -u BALBOARD_STORE_KEY "$cli" --timeout-ms 2000 \
        agents remove SP000000000000000000002Q6VF78 > /dev/null 2>&1; then
    fail "a write without a key was answered"
fi
[ "$(field stats auth refused)" != 0 ] || fail "the refusal was not counted"
done_step

step "down -v"
dc down -v > /dev/null 2>&1 || fail "down"
trap - EXIT
done_step
echo "test_compose: passed"
