#!/bin/sh
# test.sh - install dependencies, then build and run every test twice:
# once plain and once with AddressSanitizer + UndefinedBehaviorSanitizer.
# Any failing test or sanitizer report fails the run.
#
#   BALBOARD_TEST_VARIANTS="plain asan"   which builds to test (default both)
#   BALBOARD_JOBS=2                       parallel build jobs
#   BALBOARD_FUZZ_SECONDS=60              seconds per fuzz target after
#                                         the plain build (0: no fuzzing)
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
python="$(./scripts/python-env.sh | tail -1)"

jobs="${BALBOARD_JOBS:-$(nproc)}"
variants="${BALBOARD_TEST_VARIANTS:-plain asan}"

# Sanitizers: abort on the first report so the test (and ctest) fails.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

for variant in $variants; do
    case "$variant" in
        plain) flags="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DBALBOARD_COMPOSE_TEST=ON -DBALBOARD_HEAVY_TESTS=ON" ;;
        asan)  flags="-DCMAKE_BUILD_TYPE=Debug -DBALBOARD_SANITIZE=ON" ;;
        *) echo "test.sh: unknown variant '$variant'" >&2; exit 64 ;;
    esac
    build="build/test-$variant"
    mkdir -p build
    echo "== $variant: configure, build, test ($build)"
    start=$(date +%s)
    # shellcheck disable=SC2086
    cmake -S . -B "$build" $flags -DBALBOARD_PYTHON="$python" \
        > "$build.configure.log" 2>&1 \
        || { cat "$build.configure.log"; exit 1; }
    cmake --build "$build" -j "$jobs"
    (cd "$build" && ctest --output-on-failure --timeout 600)
    echo "== $variant: passed in $(( $(date +%s) - start )) s"
    # The fuzz targets, once, after the plain build (scripts/fuzz.sh).
    if [ "$variant" = plain ] && [ "${BALBOARD_FUZZ_SECONDS:-60}" != 0 ]; then
        start=$(date +%s)
        ./scripts/fuzz.sh
        echo "== fuzz: passed in $(( $(date +%s) - start )) s"
    fi
done
