#!/bin/sh
# fuzz.sh - build the libFuzzer targets (tests/fuzz) with clang, ASan and
# UBSan, and run each for BALBOARD_FUZZ_SECONDS, two at a time (one per
# core). Prints the executions of each target (libFuzzer's final stats)
# and exits 1 if any target crashed, leaked, timed out or ran out of
# memory; the input that did it is saved as build/fuzz/artifacts/<target>/
# crash-<sha1> (or leak-, timeout-, oom-). Keep it, once fixed, as
# tests/fuzz/regressions/<target>/<name>: fuzz_replay_<target> replays it
# in every build.
#
#   BALBOARD_FUZZ_SECONDS=60        seconds per target (default 60)
#   BALBOARD_FUZZ_TARGETS="wire …"  which targets (default: all five)
#   BALBOARD_FUZZ_PARALLEL=2        targets run at once (default: cores)
#   BALBOARD_JOBS=2                 parallel build jobs
#
# Each run starts from the seed corpus (tests/fuzz/corpus/<target>) plus
# what earlier runs found (build/fuzz/corpus/<target>, kept between runs
# of the same build directory), so a longer or repeated run goes deeper.
set -eu
cd "$(dirname "$0")/.."

seconds="${BALBOARD_FUZZ_SECONDS:-60}"
targets="${BALBOARD_FUZZ_TARGETS:-wire upstream address import gateway}"
parallel="${BALBOARD_FUZZ_PARALLEL:-$(nproc)}"
jobs="${BALBOARD_JOBS:-$(nproc)}"
build=build/fuzz

./scripts/install-deps.sh

echo "== fuzz: configure and build ($build, clang)"
mkdir -p build
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBALBOARD_FUZZ=ON -DBALBOARD_SANITIZE=ON \
    -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" \
    > "$build.configure.log" 2>&1 \
    || { cat "$build.configure.log"; exit 1; }
build_targets=""
for target in $targets; do
    build_targets="$build_targets fuzz_$target"
done
# shellcheck disable=SC2086
cmake --build "$build" -j "$jobs" --target $build_targets

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
symbolizer="$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer \
              || true)"
[ -z "$symbolizer" ] || export ASAN_SYMBOLIZER_PATH="$symbolizer"

# Run one target for $seconds; its log is $build/logs/<target>.log.
run_target () {
    target="$1"
    corpus="$build/corpus/$target"
    artifacts="$build/artifacts/$target"
    mkdir -p "$corpus" "$artifacts" "$build/logs"
    "$build/bin/fuzz_$target" -max_total_time="$seconds" \
        -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" \
        "$corpus" "tests/fuzz/corpus/$target" \
        > "$build/logs/$target.log" 2>&1
}

# Print what a finished target did; returns 1 if it found something.
report_target () {
    target="$1"
    rc="$2"
    log="$build/logs/$target.log"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    found=$(ls "$build/artifacts/$target" 2>/dev/null | head -1)
    if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
        echo "fuzz: $target: ${runs:-?} executions in ${seconds} s, no crash"
        return 0
    fi
    echo "fuzz: $target: FAILED (exit $rc) after ${runs:-?} executions;" \
         "input saved in $build/artifacts/$target/${found:-?}"
    grep -E 'ERROR|SUMMARY|check failed|runtime error' "$log" | head -20
    echo "   (whole log: $log)"
    return 1
}

echo "== fuzz: $seconds s per target, $parallel at once: $targets"
rm -rf "$build/artifacts"
failed=0
set -- $targets
while [ $# -gt 0 ]; do
    batch=""
    pids=""
    while [ $# -gt 0 ] && [ "$(echo $batch | wc -w)" -lt "$parallel" ]; do
        run_target "$1" &
        batch="$batch $1"
        pids="$pids $!"
        shift
    done
    index=1
    for target in $batch; do
        pid=$(echo $pids | cut -d' ' -f$index)
        index=$((index + 1))
        rc=0
        wait "$pid" || rc=$?
        report_target "$target" "$rc" || failed=1
    done
done
exit $failed
