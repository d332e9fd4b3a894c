#!/bin/bash
# test_completion - cli/balboard.bash completes what the real CLI offers:
# every verb and option its --help lists, the agents sub-verbs, and the
# values of --network and --log-level.
#   test_completion.sh SOURCE_DIR BALBOARD_BINARY
set -u
source_dir=$1
binary=$2
# shellcheck source=/dev/null
source "$source_dir/cli/balboard.bash"
failures=0

# complete WORD... : COMPREPLY for the command line "balboard WORD..."
complete_line()
{
    COMP_WORDS=(balboard "$@")
    COMP_CWORD=$#
    COMPREPLY=()
    _balboard
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect()
{
    local want=$1; shift
    local got
    got=$(complete_line "$@")
    if [ "$got" != "$want" ]; then
        echo "FAIL: balboard $*<TAB> gave '$got', expected '$want'"
        failures=$((failures + 1))
    fi
}

help=$("$binary" --help 2>&1)
verbs=$(echo "$help" | sed -n 's/^  balboard \([a-z]*\).*/\1/p' | sort -u \
        | tr '\n' ' ' | sed 's/ $//')
options=$(echo "$help" | sed -n 's/^  \(--[a-z-]*\).*/\1/p' | sort -u \
          | tr '\n' ' ' | sed 's/ $//')
[ -n "$verbs" ] && [ -n "$options" ] \
    || { echo "FAIL: cannot read verbs and options from --help"; exit 1; }

expect "$(echo "$verbs help" | tr ' ' '\n' | sort -u | tr '\n' ' ' \
          | sed 's/ $//')" ""
expect "$options" "--"
expect "agent agents" "ag"
expect "agent agents" "--json" "ag"
expect "import remove sync" "agents" ""
expect "mainnet testnet" "--network" ""
expect "debug error info warn" "--log-level" ""
expect "" "--limit" ""
expect "stats status" "--store-query" "tcp://x:1" "st"
expect "fetcher operator reader server" "--role" ""
expect "keygen" "ke"
expect "" "--name" ""

if [ "$failures" -ne 0 ]; then
    echo "$failures completion case(s) failed"
    exit 1
fi
echo "completion: verbs ($verbs) and options match balboard --help"
