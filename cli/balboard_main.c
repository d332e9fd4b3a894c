/*  =========================================================================
    balboard - the command-line client

    Parses the shared options, finds the verb and runs it. See bb_verbs for
    the verbs, their manual pages and the exit statuses.
    =========================================================================
*/
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bb_address.h"
#include "bb_config.h"
#include "bb_curl_version.h"
#include "bb_curve.h"
#include "bb_log.h"
#include "bb_verbs.h"

static const bb_option_t s_options [] = {
    BB_OPTION_STRING ("store-query", "BALBOARD_STORE_QUERY",
                      "tcp://127.0.0.1:7702",
                      "the store's query socket (dashboard, agent, rank, "
                      "stats)"),
    BB_OPTION_STRING ("store-ingest", "BALBOARD_STORE_INGEST",
                      "tcp://127.0.0.1:7701",
                      "the store's ingest socket (agents import, agents "
                      "remove)"),
    BB_OPTION_STRING ("scheduler-control", "BALBOARD_SCHEDULER_CONTROL",
                      "tcp://127.0.0.1:7712", "the scheduler's control socket "
                      "(status, pause, resume, tick, agents sync)"),
    { "timeout-ms", "BALBOARD_TIMEOUT_MS", BB_OPT_INT, "5000", 1, 3600000,
      false, "how long to wait for an answer" },
    { "json", NULL, BB_OPT_BOOL, "false", 0, 0, false,
      "print JSON instead of a table" },
    { "offset", NULL, BB_OPT_INT, "0", 0, 1000000000000LL, false,
      "dashboard: first rank to show, 0-based" },
    { "limit", NULL, BB_OPT_INT, "100", 1, 1000000, false,
      "dashboard: rows to show (the store clamps it to 1..500)" },
    { "history", NULL, BB_OPT_INT, "20", 0, 10000, false,
      "agent: history entries to show" },
    { "batch-size", NULL, BB_OPT_INT, "500", 1, 5000, false,
      "agents import: agents per request" },
    { "registry-owned", NULL, BB_OPT_BOOL, "false", 0, 0, false,
      "agents import: the agents belong to the registry (a sync may remove "
      "them)" },
    { "confirm", NULL, BB_OPT_BOOL, "false", 0, 0, false,
      "agents sync: apply the removals a sync held" },
    BB_OPTION_STRING ("network", "BALBOARD_NETWORK", "mainnet",
                      "which addresses are valid: mainnet or testnet"),
    BB_OPTION_CURVE_CERT,
    BB_OPTION_STORE_KEY,
    BB_OPTION_SCHEDULER_KEY,
    { "role", NULL, BB_OPT_STRING, "operator", 0, 0, false,
      "keygen: the key's role: " BB_CURVE_ROLES },
    BB_OPTION_STRING ("name", NULL, NULL, "keygen: the files' name, NAME.key "
                      "and NAME.key_secret (default: the role)"),
    BB_OPTION_STRING ("log-level", "BALBOARD_LOG_LEVEL", "warn",
                      "lowest log level written: debug, info, warn, error"),
};

#define SUMMARY \
    "balboard - query and administer a balboard leaderboard.\n\n" \
    "usage: balboard [options] VERB [arguments]\n" \
    "       balboard help [VERB]     the manual of a verb"

static const bb_library_t s_libraries [] = { { "libcurl", bb_curl_version } };

static const bb_program_t s_program = {
    "balboard", SUMMARY, BB_TABLE (s_options), BB_TABLE (s_libraries),
    NULL, NULL
};

//  Take "--help" and "-h" out of argv (in place); true if there were any.
static bool
s_take_help_flags (int *argc, char **argv)
{
    bool asked = false;
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp (argv [i], "--help") == 0 || strcmp (argv [i], "-h") == 0)
            asked = true;
        else
            argv [kept++] = argv [i];
    }
    *argc = kept;
    argv [kept] = NULL;
    return asked;
}

//  Print the manual of the verb in words (after "help"), of every verb
//  of a group ("agents"), or the overview.
static void
s_print_help (bb_config_t *config, size_t count, const char **words)
{
    const bb_verb_t *verb = bb_verbs_find (count, words);
    if (verb)
        bb_verbs_print_manual (verb, stdout);
    else
    if (count != 1 || !bb_verbs_print_group (words [0], stdout)) {
        bb_config_print_help (config, stdout);
        bb_verbs_print_list (stdout);
    }
}

int
main (int argc, char **argv)
{
    bb_log_init ("balboard", BB_LOG_WARN);
    bool help = s_take_help_flags (&argc, argv);
    int status;
    bb_config_t *config = bb_config_start (&s_program, argc, argv, &status);
    if (!config)
        return status;
    status = BB_EXIT_OK;
    bb_network_t network;
    if (bb_address_network_parse (bb_config_str (config, "network"),
                                  &network)) {
        fprintf (stderr, "balboard: --network: '%s' is not mainnet or "
                 "testnet\n", bb_config_str (config, "network"));
        bb_config_destroy (&config);
        return BB_EXIT_USAGE;
    }
    size_t words = bb_config_positional_count (config);
    const char *args [words ? words : 1];
    for (size_t i = 0; i < words; i++)
        args [i] = bb_config_positional (config, i);
    bool help_verb = words && strcmp (args [0], "help") == 0;
    const bb_verb_t *verb = bb_verbs_find (words, args);
    if (help || help_verb) {
        size_t skip = help_verb ? 1 : 0;
        s_print_help (config, words - skip, args + skip);
    }
    else
    if (!verb) {
        fprintf (stderr, "balboard: %s%s\n", words ? "unknown verb: "
                 : "no verb given", words ? args [0] : "");
        bb_verbs_print_list (stderr);
        status = BB_EXIT_USAGE;
    }
    else {
        curl_global_init (CURL_GLOBAL_DEFAULT);
        status = verb->run (config, words - verb->words, args + verb->words);
        curl_global_cleanup ();
    }
    bb_config_destroy (&config);
    return status;
}
