# bash completion for balboard, the balboard CLI.
# Installed to share/bash-completion/completions/balboard; to try it from a
# checkout: source cli/balboard.bash
_balboard()
{
    local cur prev verb word i
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    local options="--store-query --store-ingest --scheduler-control
        --timeout-ms --json --offset --limit --history --batch-size
        --registry-owned --confirm --network --log-level --help --version
        --curve-cert --store-key --scheduler-key --role --name"
    local verbs="dashboard agent rank stats status pause resume tick
        version agents help keygen"

    case "$prev" in
        --network) COMPREPLY=($(compgen -W "mainnet testnet" -- "$cur"));
                   return ;;
        --log-level) COMPREPLY=($(compgen -W "debug info warn error" \
                                  -- "$cur")); return ;;
        --role) COMPREPLY=($(compgen -W "fetcher operator reader server" \
                             -- "$cur")); return ;;
        --curve-cert|--store-key|--scheduler-key)
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --store-query|--store-ingest|--scheduler-control|--timeout-ms|\
        --offset|--limit|--history|--batch-size|--name) return ;;
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
        return
    fi
    # The verb: the first word that is not an option or an option's value
    verb=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        case "$word" in
            --json|--registry-owned|--confirm|--help|--version) ;;
            -*) ((i++)) ;;
            *) verb="$word"; break ;;
        esac
    done
    case "$verb" in
        keygen) COMPREPLY=($(compgen -d -- "$cur")) ;;
        "") COMPREPLY=($(compgen -W "$verbs" -- "$cur")) ;;
        help) COMPREPLY=($(compgen -W "$verbs" -- "$cur")) ;;
        agents)
            if [[ "$prev" == agents ]]; then
                COMPREPLY=($(compgen -W "import remove sync" -- "$cur"))
            elif [[ "$prev" == import ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
            fi ;;
    esac
}
complete -F _balboard balboard
