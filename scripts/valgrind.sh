#!/bin/sh
# valgrind.sh - run integration tests with every balboard process under
# valgrind memcheck, and fail on any memory error or definite leak.
#
# The tests start their processes from BALBOARD_BIN_DIR; here that is a
# directory of wrappers (build/valgrind/wrap/<binary>) that exec the real
# binary under memcheck, each process writing its own report
# (build/valgrind/reports/<binary>.<pid>.log). The test programs run
# directly, not through ctest, since ctest sets BALBOARD_BIN_DIR itself.
# At the end every report is read: a process with an error (invalid read
# or write, use of uninitialised memory, bad free...) or with memory
# "definitely lost" fails the run; "possibly lost" and "still reachable"
# (libzmq's and libcurl's global state at exit) are not counted. A
# process killed by SIGKILL (test_e2e_restart does) writes no summary
# and is listed as such.
#
#   BALBOARD_VALGRIND_TESTS="test_cli …"  which test programs (default
#                                         below)
#   BALBOARD_JOBS=2                       parallel build jobs
#
# The default tests start every kind of balboard process and pass at
# valgrind's pace: the CLI against a whole system, a full e2e rotation,
# the scheduler killed and restarted, the bad frames of test_doors, the
# store's ingest and query semantics, and the gateway's routes and SSE
# streams. The e2e tests that judge timing (fetchers, health, budget:
# heartbeats of 250 ms, fetchers ready within 10 s) fail under
# valgrind's slowdown without any memory error, so they are left out.
# About 6 minutes on two cores, build included; not called from CI.
set -eu
cd "$(dirname "$0")/.."

default_tests="test_cli test_e2e_rotation test_e2e_restart test_doors \
  test_store_ingest test_store_query test_gateway test_gateway_sse"
tests="${BALBOARD_VALGRIND_TESTS:-$default_tests}"
jobs="${BALBOARD_JOBS:-$(nproc)}"
build=build/valgrind
binaries="balboard balboard-store balboard-scheduler balboard-fetcher \
  balboard-gateway balboard-mock-upstream"

./scripts/install-deps.sh

echo "== valgrind: configure and build ($build)"
mkdir -p build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    > "$build.configure.log" 2>&1 \
    || { cat "$build.configure.log"; exit 1; }
# shellcheck disable=SC2086
cmake --build "$build" -j "$jobs" --target $binaries $tests

wrap="$PWD/$build/wrap"
reports="$PWD/$build/reports"
rm -rf "$wrap" "$reports" "$build/scratch"
mkdir -p "$wrap" "$reports" "$build/out"
for binary in $binaries; do
    cat > "$wrap/$binary" <<WRAPPER
#!/bin/sh
exec valgrind --tool=memcheck --leak-check=full \\
    --show-leak-kinds=definite --errors-for-leak-kinds=definite \\
    --num-callers=30 --log-file="$reports/$binary.%p.log" \\
    "$PWD/$build/bin/$binary" "\$@"
WRAPPER
    chmod +x "$wrap/$binary"
done

failed_tests=""
for test in $tests; do
    start=$(date +%s)
    rc=0
    BALBOARD_BIN_DIR="$wrap" BALBOARD_FIXTURES="$PWD/tests/fixtures" \
    BALBOARD_SOURCE_DIR="$PWD" \
    BALBOARD_TEST_SCRATCH="$PWD/$build/scratch/$test" \
        "$build/bin/$test" > "$build/out/$test.log" 2>&1 || rc=$?
    echo "valgrind: $test exited $rc in $(( $(date +%s) - start )) s" \
         "(output: $build/out/$test.log)"
    [ "$rc" -eq 0 ] || failed_tests="$failed_tests $test"
done

# One line per process with a problem; a count of the clean ones.
clean=0
unfinished=0
bad=0
for report in "$reports"/*.log; do
    [ -e "$report" ] || continue
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$report" \
             | tr -d ,)
    lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$report" \
           | tr -d ,)
    if [ -z "$errors" ]; then
        unfinished=$((unfinished + 1))      # killed: no summary written
    elif [ "$errors" -ne 0 ] || [ "${lost:-0}" -ne 0 ]; then
        bad=$((bad + 1))
        echo "valgrind: $(basename "$report"): $errors errors," \
             "${lost:-0} bytes definitely lost"
    else
        clean=$((clean + 1))
    fi
done
echo "valgrind: $clean processes clean, $bad with errors or definite" \
     "leaks, $unfinished killed before their summary (reports: $reports)"
[ -z "$failed_tests" ] || echo "valgrind: failing tests:$failed_tests"
[ "$bad" -eq 0 ] && [ -z "$failed_tests" ]
