/*  =========================================================================
    bb_verbs - the balboard CLI's verbs and their manual pages

    Owns the verb table. Every verb builds one request envelope, sends it
    with bb_client to the store (query or ingest socket) or the scheduler
    (control socket), and prints the reply with bb_table (people) or
    bb_render (--json). Imports go in batches of --batch-size agents.
    =========================================================================
*/
#include "bb_verbs.h"

#include <czmq.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bb_address.h"
#include "bb_client.h"
#include "bb_curve.h"
#include "bb_import.h"
#include "bb_progress.h"
#include "bb_render.h"
#include "bb_table.h"
#include "bb_wire.h"

//  How often agents sync asks the scheduler whether its sync reported.
#define SYNC_POLL_MS 100

//  ---------------------------------------------------------------------------
//  Talking to the services

//  The network addresses are checked for (main checked the name).
static bb_network_t
s_network (bb_config_t *config)
{
    bb_network_t network = BB_NETWORK_MAINNET;
    bb_address_network_parse (bb_config_str (config, "network"), &network);
    return network;
}

//  The option naming the public cert of the server at the endpoint option
//  names, or NULL when that socket has no CURVE (docs/security.md).
static const char *
s_key_option (const char *option)
{
    return streq (option, "store-ingest") ? "store-key"
         : streq (option, "scheduler-control") ? "scheduler-key"
         : NULL;
}

//  A client for the endpoint named by option, with its CURVE in *curve_p
//  (free it after the client), or NULL (printed) when the endpoint is
//  malformed or a key cannot be loaded.
static bb_client_t *
s_client (bb_config_t *config, const char *option, bb_curve_t **curve_p)
{
    const char *endpoint = bb_config_str (config, option);
    const char *key_option = s_key_option (option);
    *curve_p = NULL;
    if (key_option && bb_curve_client_setup (config, key_option, curve_p)) {
        fprintf (stderr, "balboard: --%s or --curve-cert: cannot load the "
                 "certificate\n", key_option);
        return NULL;
    }
    bb_client_t *client = bb_client_new_curve (
        endpoint, (int) bb_config_int (config, "timeout-ms"), *curve_p);
    if (!client)
        fprintf (stderr, "balboard: --%s: '%s' is not a valid endpoint\n",
                 option, endpoint);
    return client;
}

//  The exit status for the outcome rc of a call on client, printing what
//  went wrong.
static int
s_outcome (bb_config_t *config, bb_client_t *client, const char *option,
           int rc)
{
    const char *endpoint = bb_config_str (config, option);
    int status = BB_EXIT_OK;
    if (rc == BB_CLIENT_TIMEOUT) {
        fprintf (stderr, "balboard: no answer from %s within %lld ms (--%s); "
                 "is it running?\n", endpoint,
                 bb_config_int (config, "timeout-ms"), option);
        status = BB_EXIT_UNREACHABLE;
    }
    else
    if (rc) {
        fprintf (stderr, "balboard: %s: %s\n", endpoint,
                 bb_client_reason (client));
        status = BB_EXIT_REJECTED;
    }
    return status;
}

//  Print json (consumed) on stdout.
static void
s_print_json (json_t *json)
{
    char *text = bb_render_to_string (json, true);
    json_decref (json);
    puts (text);
    free (text);
}

static bool
s_json (bb_config_t *config)
{
    return bb_config_bool (config, "json");
}

static uint64_t
s_now_ms (void)
{
    return (uint64_t) zclock_time ();
}

static int
s_usage (const char *verb_name)
{
    const bb_verb_t *verb = bb_verbs_find (1, &verb_name);
    fprintf (stderr, "usage: balboard %s\n       (balboard help %s for the "
             "manual)\n", verb ? verb->synopsis : verb_name, verb_name);
    return BB_EXIT_USAGE;
}

//  Sends a verb's one request on client, with what the verb asked for in
//  args; returns the bb_client result, the reply in *reply_p.
typedef int (ask_fn) (bb_config_t *config, bb_client_t *client,
                      const void *args, bb_envelope_t **reply_p);

//  Prints a verb's reply: JSON with --json, else a table.
typedef void (show_fn) (bb_config_t *config, const bb_envelope_t *reply);

//  Ask the service at the endpoint named by option (ask with args), and
//  show its reply when it answered. Returns the exit status.
static int
s_request (bb_config_t *config, const char *option, ask_fn *ask,
           const void *args, show_fn *show)
{
    bb_curve_t *curve;
    bb_client_t *client = s_client (config, option, &curve);
    bb_envelope_t *reply = NULL;
    int status = BB_EXIT_USAGE;
    if (client)
        status = s_outcome (config, client, option,
                            ask (config, client, args, &reply));
    bb_client_destroy (&client);
    bb_curve_destroy (&curve);
    if (status == BB_EXIT_OK)
        show (config, reply);
    bb_wire_envelope_destroy (&reply);
    return status;
}

//  ---------------------------------------------------------------------------
//  Queries

//  Ask the store for one page of the dashboard (--offset, --limit).
static int
s_ask_dashboard (bb_config_t *config, bb_client_t *client, const void *args,
                 bb_envelope_t **reply_p)
{
    return bb_client_dashboard (client, bb_config_int (config, "offset"),
                                bb_config_int (config, "limit"), reply_p);
}

//  Print a dashboard page.
static void
s_show_dashboard (bb_config_t *config, const bb_envelope_t *reply)
{
    if (s_json (config))
        s_print_json (bb_render_dashboard (reply->dashboard_page));
    else
        bb_table_dashboard (stdout, reply->dashboard_page, s_now_ms ());
}

static int
s_dashboard (bb_config_t *config, size_t argc, const char **argv)
{
    if (argc)
        return s_usage ("dashboard");
    return s_request (config, "store-query", s_ask_dashboard, NULL,
                      s_show_dashboard);
}

//  A verb's single STX address argument, checked. Returns it or NULL.
static const char *
s_address_argument (bb_config_t *config, const char *verb, size_t argc,
                    const char **argv)
{
    if (argc != 1) {
        s_usage (verb);
        return NULL;
    }
    const char *reason;
    if (bb_address_check_stx (argv [0], s_network (config), &reason)) {
        fprintf (stderr, "balboard %s: '%s' is not a valid STX address: "
                 "%s\n", verb, argv [0], reason);
        return NULL;
    }
    return argv [0];
}

//  Ask the store for the agent whose address is args (--history entries).
static int
s_ask_agent (bb_config_t *config, bb_client_t *client, const void *args,
             bb_envelope_t **reply_p)
{
    return bb_client_agent (client, args,
                            (uint32_t) bb_config_int (config, "history"),
                            reply_p);
}

//  Print an agent's detail.
static void
s_show_agent (bb_config_t *config, const bb_envelope_t *reply)
{
    if (s_json (config))
        s_print_json (bb_render_agent_detail (reply->agent_detail));
    else
        bb_table_agent (stdout, reply->agent_detail, s_now_ms ());
}

static int
s_agent (bb_config_t *config, size_t argc, const char **argv)
{
    const char *address = s_address_argument (config, "agent", argc, argv);
    if (!address)
        return BB_EXIT_USAGE;
    return s_request (config, "store-query", s_ask_agent, address,
                      s_show_agent);
}

//  Ask the store for the rank of the agent whose address is args.
static int
s_ask_rank (bb_config_t *config, bb_client_t *client, const void *args,
            bb_envelope_t **reply_p)
{
    return bb_client_rank (client, args, reply_p);
}

//  Print an agent's rank.
static void
s_show_rank (bb_config_t *config, const bb_envelope_t *reply)
{
    if (s_json (config))
        s_print_json (bb_render_rank (reply->rank_reply));
    else
        bb_table_rank (stdout, reply->rank_reply);
}

static int
s_rank (bb_config_t *config, size_t argc, const char **argv)
{
    const char *address = s_address_argument (config, "rank", argc, argv);
    if (!address)
        return BB_EXIT_USAGE;
    return s_request (config, "store-query", s_ask_rank, address,
                      s_show_rank);
}

//  Ask the store for its counters.
static int
s_ask_stats (bb_config_t *config, bb_client_t *client, const void *args,
             bb_envelope_t **reply_p)
{
    return bb_client_stats (client, reply_p);
}

//  Print the store's counters.
static void
s_show_stats (bb_config_t *config, const bb_envelope_t *reply)
{
    if (s_json (config))
        s_print_json (bb_render_store_stats (reply->store_stats));
    else
        bb_table_stats (stdout, reply->store_stats, s_now_ms ());
}

static int
s_stats (bb_config_t *config, size_t argc, const char **argv)
{
    if (argc)
        return s_usage ("stats");
    return s_request (config, "store-query", s_ask_stats, NULL,
                      s_show_stats);
}

//  ---------------------------------------------------------------------------
//  Scheduler control

//  Send the scheduler the command args points to.
static int
s_ask_control (bb_config_t *config, bb_client_t *client, const void *args,
               bb_envelope_t **reply_p)
{
    const Balboard__SchedulerControl__Command *command = args;
    return bb_client_scheduler_control (client, *command, reply_p);
}

//  Print the scheduler's status.
static void
s_show_status (bb_config_t *config, const bb_envelope_t *reply)
{
    if (s_json (config))
        s_print_json (bb_render_scheduler_status (reply->scheduler_status));
    else
        bb_table_status (stdout, reply->scheduler_status, s_now_ms ());
}

//  Send command to the scheduler and print its status.
static int
s_control (bb_config_t *config, Balboard__SchedulerControl__Command command)
{
    return s_request (config, "scheduler-control", s_ask_control, &command,
                      s_show_status);
}

static int
s_status (bb_config_t *config, size_t argc, const char **argv)
{
    return argc ? s_usage ("status")
                : s_control (config, BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS);
}

static int
s_pause (bb_config_t *config, size_t argc, const char **argv)
{
    return argc ? s_usage ("pause")
                : s_control (config, BALBOARD__SCHEDULER_CONTROL__COMMAND__PAUSE);
}

static int
s_resume (bb_config_t *config, size_t argc, const char **argv)
{
    return argc ? s_usage ("resume")
                : s_control (config, BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME);
}

static int
s_tick (bb_config_t *config, size_t argc, const char **argv)
{
    return argc ? s_usage ("tick")
                : s_control (config, BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK);
}

//  ---------------------------------------------------------------------------
//  Registry sync

//  The generation of the scheduler's last sync report, 0 before one.
static uint64_t
s_sync_generation (const bb_envelope_t *reply)
{
    const Balboard__SchedulerStatus *status = reply->scheduler_status;
    return status->registry_sync ? status->registry_sync->generation : 0;
}

//  True while a registry is configured and no sync after generation
//  after has reported.
static bool
s_sync_running (const bb_envelope_t *reply, uint64_t after)
{
    const Balboard__SchedulerStatus *status = reply->scheduler_status;
    return status->registry_source && *status->registry_source
        && s_sync_generation (reply) <= after;
}

//  Ask the scheduler for a sync (confirm: apply held removals) and poll
//  its status until that sync reported or --timeout-ms passed; *done
//  says which. A sync already out when asked reports first: the one
//  asked for comes after it (the scheduler runs one at a time).
//  Returns the bb_client result, the last status in *reply_p.
static int
s_sync_and_wait (bb_config_t *config, bb_client_t *client, bool confirm,
                 bb_envelope_t **reply_p, bool *done)
{
    int rc = bb_client_scheduler_control (
        client, BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS, reply_p);
    if (rc)
        return rc;
    uint64_t after = s_sync_generation (*reply_p)
                   + ((*reply_p)->scheduler_status->registry_syncing ? 1 : 0);
    bb_wire_envelope_destroy (reply_p);
    rc = bb_client_scheduler_sync (client, confirm, reply_p);
    int64_t deadline = zclock_mono () + bb_config_int (config, "timeout-ms");
    while (rc == 0 && s_sync_running (*reply_p, after)
           && zclock_mono () < deadline) {
        zclock_sleep (SYNC_POLL_MS);
        bb_wire_envelope_destroy (reply_p);
        rc = bb_client_scheduler_control (
            client, BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS, reply_p);
    }
    *done = rc == 0 && !s_sync_running (*reply_p, after);
    return rc;
}

static int
s_agents_sync (bb_config_t *config, size_t argc, const char **argv)
{
    if (argc)
        return s_usage ("agents");
    bb_curve_t *curve;
    bb_client_t *client = s_client (config, "scheduler-control", &curve);
    bb_envelope_t *reply = NULL;
    bool done = false;
    int status = BB_EXIT_USAGE;
    if (client)
        status = s_outcome (config, client, "scheduler-control",
                            s_sync_and_wait (config, client,
                                             bb_config_bool (config,
                                                             "confirm"),
                                             &reply, &done));
    bb_client_destroy (&client);
    bb_curve_destroy (&curve);
    if (status == BB_EXIT_OK)
        s_show_status (config, reply);
    if (status == BB_EXIT_OK && !done) {
        fprintf (stderr, "balboard: the sync is still running after %lld ms "
                 "(--timeout-ms); balboard status shows its outcome\n",
                 bb_config_int (config, "timeout-ms"));
        status = BB_EXIT_UNREACHABLE;
    }
    bb_wire_envelope_destroy (&reply);
    return status;
}

static int
s_version (bb_config_t *config, size_t argc, const char **argv)
{
    if (argc)
        return s_usage ("version");
    bb_config_print_version (config, stdout);
    return BB_EXIT_OK;
}

//  ---------------------------------------------------------------------------
//  Agent registry

//  What an import or removal added up to, over all its batches.
typedef struct {
    uint64_t inserted;
    uint64_t updated;
    uint64_t unchanged;
    uint64_t removed;
    json_t *rejected;           // [{index, stxAddress, reason}]
} s_tally_t;

static void
s_tally_reject (s_tally_t *tally, size_t index, const char *stx_address,
                const char *reason)
{
    json_array_append_new (tally->rejected,
        json_pack ("{s:I, s:s, s:s}", "index", (json_int_t) index,
                   "stxAddress", stx_address ? stx_address : "",
                   "reason", reason ? reason : ""));
}

//  Add one AgentAck to the tally; its rejection indexes are relative to a
//  batch whose agents came from positions (in the input) listed in origin.
static void
s_tally_ack (s_tally_t *tally, const Balboard__AgentAck *ack,
             const size_t *origin, size_t origin_count)
{
    tally->inserted += ack->inserted;
    tally->updated += ack->updated;
    tally->unchanged += ack->unchanged;
    tally->removed += ack->removed;
    for (size_t i = 0; i < ack->n_rejected; i++) {
        const Balboard__AgentRejection *rejection = ack->rejected [i];
        size_t index = rejection->index < origin_count
                     ? origin [rejection->index] : rejection->index;
        s_tally_reject (tally, index, rejection->stx_address,
                        rejection->reason);
    }
}

//  Print the summary of an import or removal. Returns the exit status.
static int
s_tally_print (bb_config_t *config, s_tally_t *tally, const char *verb)
{
    size_t rejected = json_array_size (tally->rejected);
    if (s_json (config)) {
        json_t *summary = json_pack ("{s:I, s:I, s:I, s:I, s:O}",
            "accepted", (json_int_t) tally->inserted,
            "updated", (json_int_t) tally->updated,
            "unchanged", (json_int_t) tally->unchanged,
            "removed", (json_int_t) tally->removed,
            "rejected", tally->rejected);
        s_print_json (summary);
    }
    else {
        if (strcmp (verb, "remove") == 0)
            printf ("removed %" PRIu64 ", rejected %zu\n", tally->removed,
                    rejected);
        else
            printf ("accepted %" PRIu64 ", updated %" PRIu64 ", unchanged %"
                    PRIu64 ", rejected %zu\n", tally->inserted, tally->updated,
                    tally->unchanged, rejected);
        size_t index;
        json_t *rejection;
        json_array_foreach (tally->rejected, index, rejection)
            printf ("  rejected #%" JSON_INTEGER_FORMAT " %s: %s\n",
                    json_integer_value (json_object_get (rejection, "index")),
                    json_string_value (json_object_get (rejection,
                                                        "stxAddress")),
                    json_string_value (json_object_get (rejection, "reason")));
    }
    return rejected ? BB_EXIT_REJECTED : BB_EXIT_OK;
}

//  Send agents [first, first + count) of import as one AgentUpsert.
static int
s_upsert_batch (bb_config_t *config, bb_client_t *client, bb_import_t *import,
                size_t first, size_t count, s_tally_t *tally)
{
    bb_envelope_t *reply = NULL;
    int rc = bb_client_agent_upsert (client, bb_import_agents (import) + first,
                                     count, &reply);
    int status = s_outcome (config, client, "store-ingest", rc);
    if (status == BB_EXIT_OK) {
        size_t *origin = malloc (count * sizeof *origin);
        for (size_t i = 0; i < count; i++)
            origin [i] = first + i;
        s_tally_ack (tally, reply->agent_ack, origin, count);
        free (origin);
    }
    bb_wire_envelope_destroy (&reply);
    return status;
}

static int
s_agents_import (bb_config_t *config, size_t argc, const char **argv)
{
    if (argc != 1)
        return s_usage ("agents");
    bb_import_t *import = bb_import_new (s_network (config),
        bb_config_bool (config, "registry-owned")
        ? BALBOARD__AGENT_OWNER__AGENT_OWNER_REGISTRY
        : BALBOARD__AGENT_OWNER__AGENT_OWNER_MANUAL);
    if (bb_import_read (import, argv [0], bb_config_int (config,
                                                          "timeout-ms"))) {
        fprintf (stderr, "balboard agents import: %s\n",
                 bb_import_error (import));
        bb_import_destroy (&import);
        return BB_EXIT_REJECTED;
    }
    s_tally_t tally = { .rejected = json_array () };
    //  Rejected locally keep their input position; the store's rejections
    //  are mapped back to input positions by s_tally_ack.
    for (size_t i = 0; i < bb_import_rejected_count (import); i++) {
        const bb_import_rejection_t *rejection = bb_import_rejection (import,
                                                                      i);
        s_tally_reject (&tally, rejection->index, rejection->stx_address,
                        rejection->reason);
    }
    size_t total = bb_import_count (import);
    size_t batch = (size_t) bb_config_int (config, "batch-size");
    bb_curve_t *curve;
    bb_client_t *client = s_client (config, "store-ingest", &curve);
    bb_progress_t *progress = bb_progress_new ("importing", total);
    int status = client ? BB_EXIT_OK : BB_EXIT_USAGE;
    for (size_t first = 0; first < total && status == BB_EXIT_OK;
         first += batch) {
        size_t count = total - first < batch ? total - first : batch;
        status = s_upsert_batch (config, client, import, first, count, &tally);
        bb_progress_update (progress, first + count);
    }
    bb_progress_destroy (&progress);
    bb_client_destroy (&client);
    bb_curve_destroy (&curve);
    if (status == BB_EXIT_OK)
        status = s_tally_print (config, &tally, "import");
    json_decref (tally.rejected);
    bb_import_destroy (&import);
    return status;
}

static int
s_agents_remove (bb_config_t *config, size_t argc, const char **argv)
{
    if (argc == 0)
        return s_usage ("agents");
    bb_curve_t *curve;
    bb_client_t *client = s_client (config, "store-ingest", &curve);
    bb_envelope_t *reply = NULL;
    int status = BB_EXIT_USAGE;
    if (client)
        status = s_outcome (config, client, "store-ingest",
                            bb_client_agent_remove (client, argv, argc,
                                                    &reply));
    bb_client_destroy (&client);
    bb_curve_destroy (&curve);
    if (status == BB_EXIT_OK) {
        s_tally_t tally = { .rejected = json_array () };
        s_tally_ack (&tally, reply->agent_ack, NULL, 0);
        status = s_tally_print (config, &tally, "remove");
        json_decref (tally.rejected);
    }
    bb_wire_envelope_destroy (&reply);
    return status;
}

//  ---------------------------------------------------------------------------
//  Keys

static int
s_keygen (bb_config_t *config, size_t argc, const char **argv)
{
    if (argc != 1)
        return s_usage ("keygen");
    const char *role = bb_config_str (config, "role");
    const char *name = bb_config_is_set (config, "name")
                     ? bb_config_str (config, "name") : role;
    char reason [BB_REASON_SIZE];
    int rc = bb_curve_keygen (argv [0], name, role, reason);
    if (rc == -1) {
        fprintf (stderr, "balboard keygen: %s\n", reason);
        return BB_EXIT_USAGE;
    }
    if (rc == 1) {
        printf ("%s/%s.key exists: kept\n", argv [0], name);
        return BB_EXIT_OK;
    }
    printf ("%s/%s.key          public, role %s: give it to the servers "
            "(allow-list) or the clients\n%s/%s.key_secret   secret (mode "
            "0600): this process only\n", argv [0], name, role, argv [0],
            name);
    return BB_EXIT_OK;
}

//  ---------------------------------------------------------------------------
//  The table

#define CONNECT_STORE_QUERY \
    "Asks the store's query socket (--store-query, BALBOARD_STORE_QUERY).\n"
#define CONNECT_STORE_INGEST \
    "Sends to the store's ingest socket (--store-ingest, " \
    "BALBOARD_STORE_INGEST).\n"
#define CONNECT_SCHEDULER \
    "Asks the scheduler's control socket (--scheduler-control,\n" \
    "BALBOARD_SCHEDULER_CONTROL) and prints its status afterwards.\n"

static const bb_verb_t s_verbs [] = {
    { "dashboard", 1, s_dashboard, "dashboard [--offset N] [--limit N] [--json]",
      "Print one page of the ranked leaderboard: rank, agent, BTC, STX, sBTC,\n"
      "the count of other tokens, total USD, and how fresh the balances are\n"
      "(\"*stale\" when the last fetch failed and older rows are shown).\n"
      "--limit defaults to 100 and is clamped to 1..500 by the store; an\n"
      "--offset past the end prints an empty page. With --json, prints the\n"
      "dashboard JSON document (the shape the gateway serves).\n"
      CONNECT_STORE_QUERY },
    { "agent", 1, s_agent, "agent ADDR [--history N] [--json]",
      "Print one agent: its tokens with amount, USD value, source and age,\n"
      "its rank, and its balance history (newest first, --history entries).\n"
      CONNECT_STORE_QUERY },
    { "rank", 1, s_rank, "rank ADDR [--json]",
      "Print the rank of the agent with STX address ADDR.\n"
      CONNECT_STORE_QUERY },
    { "stats", 1, s_stats, "stats [--json]",
      "Print the store's counters: agents, rows, last commit, batches,\n"
      "rotation progress as reported by batches, map usage.\n"
      CONNECT_STORE_QUERY },
    { "status", 1, s_status, "status [--json]",
      "Print the scheduler's state: rotation and progress, cursor, interval\n"
      "mode, connected fetchers, in-flight jobs, per-upstream health.\n"
      CONNECT_SCHEDULER },
    { "pause", 1, s_pause, "pause [--json]",
      "Stop dispatching jobs (in-flight jobs finish).\n" CONNECT_SCHEDULER },
    { "resume", 1, s_resume, "resume [--json]",
      "Dispatch jobs again after pause.\n" CONNECT_SCHEDULER },
    { "tick", 1, s_tick, "tick [--json]",
      "Run a tick now instead of waiting for the alarm.\n" CONNECT_SCHEDULER },
    { "agents import", 2, s_agents_import,
      "agents import FILE|URL|- [--registry-owned] [--json]",
      "Import agents. Accepts the agent registry's JSON\n"
      "({\"agents\":[...],\"pagination\":{...}}), a bare JSON array of agents,\n"
      "or NDJSON. From an http(s) URL it pages through the registry API with\n"
      "?limit=&offset= until pagination.hasMore is false. Every address is\n"
      "checked; valid agents go in batches of --batch-size; each rejected\n"
      "agent is listed with its position and reason. Importing the same\n"
      "input again changes nothing. Exit status 1 if any agent was rejected.\n"
      "The agents are the operator's (owner manual: a registry sync never\n"
      "removes them); with --registry-owned they are the registry's, and a\n"
      "complete sync that no longer lists them removes them.\n"
      CONNECT_STORE_INGEST },
    { "agents remove", 2, s_agents_remove, "agents remove ADDR... [--json]",
      "Remove agents (and their balances and history) by STX address.\n"
      CONNECT_STORE_INGEST },
    { "agents sync", 2, s_agents_sync, "agents sync [--confirm] [--json]",
      "Sync the agents with the registry (BALBOARD_REGISTRY_URL on the\n"
      "scheduler) now: a fetcher reads every page and the store applies the\n"
      "snapshot in one transaction. Waits up to --timeout-ms for the sync's\n"
      "report, then prints the status (status's registry lines). A sync\n"
      "that would remove every agent the registry owns, or more than\n"
      "--registry-max-remove-pct of the agents, is held: its additions and\n"
      "updates apply, its removals wait; --confirm runs a sync that applies\n"
      "them. Agents imported by hand are never removed by a sync.\n"
      "Exit status 2 if the sync had not reported within --timeout-ms.\n"
      CONNECT_SCHEDULER },
    { "keygen", 1, s_keygen,
      "keygen DIR [--role fetcher|operator|reader|server] [--name NAME]",
      "Write a new CURVE key pair into DIR (made 0700 if absent): NAME.key,\n"
      "the public certificate with the role (default operator) and the name\n"
      "(default the role), and NAME.key_secret, the secret one, mode 0600.\n"
      "Copy a client's NAME.key into the server's --curve-allow directory\n"
      "and a server's NAME.key to its clients (--store-key, --scheduler-key);\n"
      "each process takes its own NAME.key_secret as --curve-cert. An\n"
      "existing pair is kept, never overwritten (exit 0). See\n"
      "docs/security.md.\n" },
    { "version", 1, s_version, "version",
      "Print the CLI's version, the protocol version and the libraries it\n"
      "runs with (as --version does). The versions of the running store and\n"
      "scheduler are in stats and status.\n" },
};
#define VERB_COUNT (sizeof s_verbs / sizeof *s_verbs)

const bb_verb_t *
bb_verbs_find (size_t argc, const char **argv)
{
    for (size_t i = 0; i < VERB_COUNT; i++) {
        const bb_verb_t *verb = &s_verbs [i];
        if (argc < 1)
            break;
        if (verb->words == 1 && strcmp (verb->name, argv [0]) == 0)
            return verb;
        if (verb->words == 2 && argc >= 2) {
            char both [64];
            snprintf (both, sizeof both, "%s %s", argv [0], argv [1]);
            if (strcmp (verb->name, both) == 0)
                return verb;
        }
    }
    return NULL;
}

size_t
bb_verbs_print_group (const char *word, FILE *out)
{
    size_t length = strlen (word), printed = 0;
    for (size_t i = 0; i < VERB_COUNT; i++) {
        const bb_verb_t *verb = &s_verbs [i];
        if (verb->words == 2 && strncmp (verb->name, word, length) == 0
        &&  verb->name [length] == ' ') {
            if (printed++)
                fprintf (out, "\n");
            bb_verbs_print_manual (verb, out);
        }
    }
    return printed;
}

void
bb_verbs_print_list (FILE *out)
{
    fprintf (out, "verbs:\n");
    for (size_t i = 0; i < VERB_COUNT; i++)
        fprintf (out, "  balboard %s\n", s_verbs [i].synopsis);
}

void
bb_verbs_print_manual (const bb_verb_t *verb, FILE *out)
{
    fprintf (out, "NAME\n    balboard %s\n\nSYNOPSIS\n    balboard %s\n\n"
             "DESCRIPTION\n", verb->name, verb->synopsis);
    const char *line = verb->manual;
    while (*line) {
        const char *end = strchr (line, '\n');
        size_t length = end ? (size_t) (end - line) : strlen (line);
        fprintf (out, "    %.*s\n", (int) length, line);
        line += length + (end ? 1 : 0);
    }
    fprintf (out, "\nEXIT STATUS\n    0 done; 1 rejected by the service (its "
             "reason is printed); 2 no answer\n    within --timeout-ms; 64 bad "
             "arguments.\n\nOPTIONS\n    See balboard --help.\n");
}
