/*  test_cli - the real balboard CLI against a real store, scheduler and
    mock upstream: every verb in both output modes, imports (file, stdin,
    NDJSON, URL with pagination, 10,000 agents with exact rejections,
    idempotent re-import), unreachable endpoints and bad arguments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "bb_test_main.h"
#include <jansson.h>

#include "bb_client.h"
#include "bb_mockdata.h"
#include "bb_test_command.h"
#include "bb_test_scratch.h"
#include "bb_child.h"
#include "bb_mock_process.h"
#include "bb_port.h"
#include "bb_test_shape.h"
#include "bb_agent_batch.h"

#define IMPORT_AGENTS 10000
#define URL_AGENTS 1200
#define START_TIMEOUT_MS 10000
#define CLI_TIMEOUT_MS 60000

typedef struct {
    bb_mock_process_t *mock;
    bb_child_t *store;
    bb_child_t *scheduler;
    char query [64];                // endpoints
    char ingest [64];
    char control [64];
    char mock_url [96];             // the mock's agent registry
    char scratch [512];
} fixture_t;

static fixture_t s_fx;

//  ---------------------------------------------------------------------------
//  Running the CLI

//  Run balboard with the fixture's endpoints plus args (NULL-terminated).
static bb_test_command_t
s_cli (const char *input, const char *arg, ...)
{
    const char *endpoints [] = { "--store-query", s_fx.query,
                                 "--store-ingest", s_fx.ingest,
                                 "--scheduler-control", s_fx.control, NULL };
    bb_test_command_t result;
    va_list args;
    va_start (args, arg);
    result = bb_test_command_run_bin ("balboard", endpoints, arg, args, input,
                                      CLI_TIMEOUT_MS);
    va_end (args);
    return result;
}

static json_t *
s_json_out (bb_test_command_t *result)
{
    json_error_t error;
    json_t *json = json_loads (result->out, 0, &error);
    if (!json)
        fail_msg ("not JSON (%s): %.400s / stderr %.400s", error.text,
                  result->out, result->err);
    return json;
}

//  ---------------------------------------------------------------------------
//  Inputs

//  Mock sample agent i as a registry JSON object.
static json_t *
s_agent_json (unsigned index)
{
    bb_mock_agent_t agent;
    bb_mockdata_agent (index, &agent);
    return json_pack ("{s:s, s:s, s:s, s:s*, s:i, s:s}",
                      "stxAddress", agent.stx_address,
                      "btcAddress", agent.btc_address,
                      "displayName", agent.display_name,
                      "bnsName", *agent.bns_name ? agent.bns_name : NULL,
                      "level", (int) agent.level,
                      "levelName", agent.level_name);
}

//  Spoil the last character of an address (breaks its checksum).
static void
s_spoil (json_t *agent, const char *key)
{
    char address [128];
    snprintf (address, sizeof address, "%s",
              json_string_value (json_object_get (agent, key)));
    size_t last = strlen (address) - 1;
    address [last] = address [last] == 'Q' ? 'R' : 'Q';
    json_object_set_new (agent, key, json_string (address));
}

//  The 10,000-agent registry file: every 997th agent gets a bad STX
//  address, every 1499th a bad BTC address. Returns the expected
//  rejections as [{index, reason-prefix}] in input order.
static json_t *
s_write_import_file (const char *path)
{
    json_t *agents = json_array ();
    json_t *expected = json_array ();
    for (unsigned i = 0; i < IMPORT_AGENTS; i++) {
        json_t *agent = s_agent_json (i);
        if (i % 997 == 5) {
            s_spoil (agent, "stxAddress");
            json_array_append_new (expected, json_pack ("{s:i, s:s}",
                "index", (int) i, "reason", "invalid stxAddress"));
        }
        else
        if (i % 1499 == 7) {
            s_spoil (agent, "btcAddress");
            json_array_append_new (expected, json_pack ("{s:i, s:s}",
                "index", (int) i, "reason", "invalid btcAddress"));
        }
        json_array_append_new (agents, agent);
    }
    json_t *document = json_pack ("{s:o, s:{s:i, s:i, s:i, s:b}}",
        "agents", agents, "pagination", "total", IMPORT_AGENTS,
        "limit", IMPORT_AGENTS, "offset", 0, "hasMore", 0);
    assert_int_equal (json_dump_file (document, path, JSON_COMPACT), 0);
    json_decref (document);
    return expected;
}

//  ---------------------------------------------------------------------------
//  Fixture: mock upstream, store and scheduler, started for real

static bb_child_t *
s_start (const char *name, const char *const args [], int port)
{
    bb_child_t *process = bb_child_start (name, args, NULL, port,
                                          START_TIMEOUT_MS);
    assert_non_null (process);
    return process;
}

static int
s_setup (void **state)
{
    if (bb_test_scratch_reset ("/tmp/balboard-test-cli", s_fx.scratch,
                               sizeof s_fx.scratch))
        return -1;
    int ingest_port = bb_port_free ();
    int query_port = bb_port_free ();
    int jobs_port = bb_port_free ();
    int control_port = bb_port_free ();
    char agents [16], jobs [64], store_dir [600], scheduler_dir [600];
    snprintf (agents, sizeof agents, "%d", URL_AGENTS);
    snprintf (s_fx.ingest, sizeof s_fx.ingest, "tcp://127.0.0.1:%d",
              ingest_port);
    snprintf (s_fx.query, sizeof s_fx.query, "tcp://127.0.0.1:%d",
              query_port);
    snprintf (jobs, sizeof jobs, "tcp://127.0.0.1:%d", jobs_port);
    snprintf (s_fx.control, sizeof s_fx.control, "tcp://127.0.0.1:%d",
              control_port);
    snprintf (store_dir, sizeof store_dir, "%s/store", s_fx.scratch);
    snprintf (scheduler_dir, sizeof scheduler_dir, "%s/scheduler",
              s_fx.scratch);
    s_fx.mock = bb_mock_process_new ((const char *[]) {
        "--agents", agents, NULL }, START_TIMEOUT_MS);
    assert_non_null (s_fx.mock);
    snprintf (s_fx.mock_url, sizeof s_fx.mock_url, "%s/api/agents",
              bb_mock_process_base (s_fx.mock));
    s_fx.store = s_start ("balboard-store", (const char *[]) {
        "--data-dir", store_dir, "--ingest-bind", s_fx.ingest,
        "--query-bind", s_fx.query, NULL }, query_port);
    //  A scheduler with a long alarm and no fetchers: it answers control
    //  requests; nothing is dispatched.
    s_fx.scheduler = s_start ("balboard-scheduler", (const char *[]) {
        "--data-dir", scheduler_dir, "--jobs-bind", jobs,
        "--control-bind", s_fx.control, "--store-query", s_fx.query,
        "--alarm-active-ms", "3600000", "--alarm-idle-ms", "3600000",
        NULL }, control_port);
    return 0;
}

static int
s_teardown (void **state)
{
    //  Every process stops cleanly on SIGTERM.
    int scheduler = bb_child_stop (s_fx.scheduler, SIGTERM, 10000);
    int store = bb_child_stop (s_fx.store, SIGTERM, 10000);
    int mock = bb_mock_process_end (&s_fx.mock, 10000);
    bb_child_destroy (&s_fx.scheduler);
    bb_child_destroy (&s_fx.store);
    return scheduler || store || mock ? -1 : 0;
}

//  ---------------------------------------------------------------------------
//  Bad arguments and unreachable endpoints

static void
s_expect_status (bb_test_command_t result, int status, const char *in_err)
{
    if (result.status != status || (in_err && !strstr (result.err, in_err)))
        fail_msg ("status %d (want %d), stderr: %s", result.status, status,
                  result.err);
    bb_test_command_reset (&result);
}

//  Require result to have succeeded and its stdout to contain each of
//  parts (NULL-terminated), then reset it.
static void
s_expect_out (bb_test_command_t result, const char *const parts [])
{
    if (result.status != 0)
        fail_msg ("status %d, stderr: %s", result.status, result.err);
    for (size_t i = 0; parts [i]; i++)
        if (!strstr (result.out, parts [i]))
            fail_msg ("'%s' not in stdout:\n%s", parts [i], result.out);
    bb_test_command_reset (&result);
}

static void
test_bad_arguments (void **state)
{
    s_expect_status (s_cli (NULL, NULL), 64, "no verb");
    s_expect_status (s_cli (NULL, "frobnicate", NULL), 64, "unknown verb");
    s_expect_status (s_cli (NULL, "dashboard", "--limit", "many", NULL), 64,
                     "not an integer");
    s_expect_status (s_cli (NULL, "dashboard", "--offset", "-1", NULL), 64,
                     "out of range");
    s_expect_status (s_cli (NULL, "dashboard", "--bogus", NULL), 64,
                     "unknown option");
    s_expect_status (s_cli (NULL, "rank", "SP-NOT-AN-ADDRESS", NULL), 64,
                     "not a valid STX address");
    s_expect_status (s_cli (NULL, "rank", NULL), 64, "usage");
    s_expect_status (s_cli (NULL, "agents", "import", NULL), 64, "usage");
    s_expect_status (s_cli (NULL, "agents", "remove", NULL), 64, "usage");
    s_expect_status (s_cli (NULL, "stats", "--network", "regtest", NULL), 64,
                     "not mainnet or testnet");
}

static void
test_help (void **state)
{
    s_expect_out (s_cli (NULL, "help", "agents", "import", NULL),
                  (const char *const []) { "SYNOPSIS", "hasMore", NULL });
    //  A group word gives the manual of each of its verbs
    bb_test_command_t result = s_cli (NULL, "help", "agents", NULL);
    assert_int_equal (result.status, 0);
    assert_non_null (strstr (result.out, "NAME\n    balboard agents import"));
    assert_non_null (strstr (result.out, "NAME\n    balboard agents remove"));
    assert_null (strstr (result.out, "verbs:"));
    bb_test_command_reset (&result);
    s_expect_out (s_cli (NULL, "--help", NULL),
                  (const char *const []) { "BALBOARD_STORE_QUERY",
                                           "balboard dashboard", NULL });
}

static void
test_unreachable (void **state)
{
    int port = bb_port_free ();
    char dead [64];
    snprintf (dead, sizeof dead, "tcp://127.0.0.1:%d", port);
    char *cli = bb_child_bin_path ("balboard");
    const char *argv [] = { cli, "--store-query", dead,
                            "--scheduler-control", dead, "--timeout-ms",
                            "300", "stats", NULL };
    bb_test_command_t result;
    assert_int_equal (bb_test_command_run (argv, NULL, NULL, CLI_TIMEOUT_MS,
                                           &result), 0);
    s_expect_status (result, 2, "no answer");
    argv [7] = "status";
    assert_int_equal (bb_test_command_run (argv, NULL, NULL, CLI_TIMEOUT_MS,
                                           &result), 0);
    s_expect_status (result, 2, "no answer");
    const char *bad [] = { cli, "--store-query", "nonsense://x", "stats",
                           NULL };
    assert_int_equal (bb_test_command_run (bad, NULL, NULL, CLI_TIMEOUT_MS,
                                           &result), 0);
    s_expect_status (result, 64, "not a valid endpoint");
    free (cli);
}

//  ---------------------------------------------------------------------------
//  Imports

static void
test_import_file_exact_rejections_then_idempotent (void **state)
{
    char path [600];
    snprintf (path, sizeof path, "%s/agents.json", s_fx.scratch);
    json_t *expected = s_write_import_file (path);
    size_t rejected = json_array_size (expected);

    bb_test_command_t result = s_cli (NULL, "agents", "import", path,
                                      "--json", NULL);
    assert_int_equal (result.status, 1);     // some were rejected
    json_t *summary = s_json_out (&result);
    assert_int_equal (json_integer_value (json_object_get (summary,
                      "accepted")), IMPORT_AGENTS - rejected);
    json_t *got = json_object_get (summary, "rejected");
    assert_int_equal (json_array_size (got), rejected);
    for (size_t i = 0; i < rejected; i++) {
        json_t *want = json_array_get (expected, i);
        json_t *have = json_array_get (got, i);
        assert_int_equal (json_integer_value (json_object_get (have, "index")),
                          json_integer_value (json_object_get (want, "index")));
        const char *reason = json_string_value (json_object_get (have,
                                                                 "reason"));
        const char *prefix = json_string_value (json_object_get (want,
                                                                 "reason"));
        if (strncmp (reason, prefix, strlen (prefix)))
            fail_msg ("rejection %zu: '%s' is not '%s…'", i, reason, prefix);
    }
    json_decref (summary);
    bb_test_command_reset (&result);

    //  The same file again changes nothing.
    result = s_cli (NULL, "agents", "import", path, "--json", NULL);
    summary = s_json_out (&result);
    assert_int_equal (json_integer_value (json_object_get (summary,
                      "accepted")), 0);
    assert_int_equal (json_integer_value (json_object_get (summary,
                      "updated")), 0);
    assert_int_equal (json_integer_value (json_object_get (summary,
                      "unchanged")), IMPORT_AGENTS - rejected);
    json_decref (summary);
    bb_test_command_reset (&result);

    //  The table mode says the same for people.
    result = s_cli (NULL, "agents", "import", path, NULL);
    assert_non_null (strstr (result.out, "accepted 0, updated 0"));
    assert_non_null (strstr (result.out, "rejected #5 "));
    bb_test_command_reset (&result);
    json_decref (expected);
}

static void
test_import_stdin_array_and_ndjson (void **state)
{
    //  A bare array on stdin: one update (new display name), one unknown.
    json_t *first = s_agent_json (0);
    json_object_set_new (first, "displayName", json_string ("Renamed"));
    json_t *array = json_pack ("[o, o]", first, s_agent_json (IMPORT_AGENTS));
    char *text = json_dumps (array, JSON_COMPACT);
    bb_test_command_t result = s_cli (text, "agents", "import", "-", "--json",
                                      NULL);
    assert_int_equal (result.status, 0);
    json_t *summary = s_json_out (&result);
    assert_int_equal (json_integer_value (json_object_get (summary,
                      "updated")), 1);
    assert_int_equal (json_integer_value (json_object_get (summary,
                      "accepted")), 1);
    json_decref (summary);
    bb_test_command_reset (&result);
    free (text);
    json_decref (array);

    //  NDJSON with a blank line and one agent missing its BTC address.
    json_t *next = s_agent_json (IMPORT_AGENTS + 1);
    char *one = json_dumps (next, JSON_COMPACT);
    json_decref (next);
    char ndjson [2048];
    snprintf (ndjson, sizeof ndjson, "%s\n\n{\"stxAddress\":\"%s\"}\n", one,
              "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3");
    result = s_cli (ndjson, "agents", "import", "-", "--json", NULL);
    assert_int_equal (result.status, 1);
    summary = s_json_out (&result);
    assert_int_equal (json_integer_value (json_object_get (summary,
                      "accepted")), 1);
    json_t *rejection = json_array_get (json_object_get (summary, "rejected"),
                                        0);
    assert_string_equal (json_string_value (json_object_get (rejection,
                         "reason")), "missing btcAddress");
    assert_int_equal (json_integer_value (json_object_get (rejection,
                      "index")), 1);
    json_decref (summary);
    bb_test_command_reset (&result);
    free (one);

    //  Not JSON at all: a clear error, exit 1.
    s_expect_status (s_cli ("this is { not json", "agents", "import", "-",
                            NULL), 1, "not JSON");
}

static void
test_import_from_url_pages (void **state)
{
    //  The mock serves the first URL_AGENTS sample agents 500 a page; the
    //  file import already holds all but the spoiled ones.
    bb_test_command_t result = s_cli (NULL, "agents", "import", s_fx.mock_url,
                                      "--json", NULL);
    assert_int_equal (result.status, 0);
    json_t *summary = s_json_out (&result);
    json_int_t accepted = json_integer_value (json_object_get (summary,
                                                               "accepted"));
    json_int_t unchanged = json_integer_value (json_object_get (summary,
                                                                "unchanged"));
    json_int_t updated = json_integer_value (json_object_get (summary,
                                                              "updated"));
    //  Agents 5 and 1002 (spoiled STX) are new; 7 (spoiled BTC) is new too.
    assert_int_equal (accepted, 3);
    assert_int_equal (updated, 1);          // agent 0 was renamed
    assert_int_equal (accepted + updated + unchanged, URL_AGENTS);
    json_decref (summary);
    bb_test_command_reset (&result);
}

//  ---------------------------------------------------------------------------
//  Queries

#define CAPTURED_AT_MS 1764000000000ULL

//  Give agent 0 real balances and a price snapshot through the ingest
//  socket, as a fetcher would.
static void
s_commit_agent_zero (void)
{
    bb_mock_agent_t agent;
    bb_mockdata_agent (0, &agent);
    bb_agent_batch_t batch;
    bb_agent_batch_init (&batch, "cli.1", 1, agent.stx_address,
                        CAPTURED_AT_MS);
    batch.batch.rotation = 1;
    bb_agent_batch_balance (&batch, BB_AGENT_BATCH_HIRO, "stx", "12345678");
    bb_agent_batch_balance (&batch, BB_AGENT_BATCH_HIRO, BB_TOKEN_ID_SBTC,
                           "5000000");
    bb_agent_batch_balance (&batch, BB_AGENT_BATCH_MEMPOOL, "btc-l1",
                           "150000000");
    //  Prices from the same moment
    bb_agent_batch_prices (&batch, 67187335893LL, 2500000, CAPTURED_AT_MS);
    bb_client_t *client = bb_client_new (s_fx.ingest, 5000);
    bb_envelope_t *reply = NULL;
    assert_int_equal (bb_client_balance_batch (client, &batch.batch, &reply),
                      0);
    assert_int_not_equal (reply->batch_ack->status,
                          BALBOARD__ACK_STATUS__ACK_REJECTED);
    bb_wire_envelope_destroy (&reply);
    bb_client_destroy (&client);
}

static void
test_dashboard_json_matches_shape (void **state)
{
    s_commit_agent_zero ();
    bb_test_command_t result = s_cli (NULL, "dashboard", "--limit", "5",
                                      "--json", NULL);
    assert_int_equal (result.status, 0);
    json_t *page = s_json_out (&result);
    char path [600];
    snprintf (path, sizeof path, "%s/dashboard_shape.json",
              getenv ("BALBOARD_FIXTURES"));
    json_error_t error;
    json_t *shape = json_load_file (path, 0, &error);
    assert_non_null (shape);
    char why [256] = "";
    if (bb_test_shape_check (page, shape, why, sizeof why))
        fail_msg ("dashboard --json does not match the shape: %s", why);
    //  Agent 0 is the richest (1.5 BTC + 0.05 sBTC + 12.3 STX): rank 1,
    //  with its tokens and their contract only on sBTC.
    json_t *top = json_array_get (json_object_get (page, "agents"), 0);
    bb_mock_agent_t agent;
    bb_mockdata_agent (0, &agent);
    assert_string_equal (json_string_value (json_object_get (top,
                         "stxAddress")), agent.stx_address);
    assert_int_equal (json_array_size (json_object_get (top, "tokens")), 3);
    json_t *pagination = json_object_get (page, "pagination");
    assert_int_equal (json_integer_value (json_object_get (pagination,
                      "limit")), 5);
    assert_true (json_is_true (json_object_get (pagination, "hasMore")));
    //  The second agent was never fetched.
    json_t *second = json_array_get (json_object_get (page, "agents"), 1);
    assert_string_equal (json_string_value (json_object_get (second,
                         "fetchError")), "pending");
    json_decref (shape);
    json_decref (page);
    bb_test_command_reset (&result);

    //  The table for people.
    result = s_cli (NULL, "dashboard", "--limit", "3", NULL);
    assert_int_equal (result.status, 0);
    assert_non_null (strstr (result.out, "RANK"));
    assert_non_null (strstr (result.out, "TOTAL USD"));
    bb_mockdata_agent (0, &agent);           // the URL import renamed it back
    assert_non_null (strstr (result.out, agent.display_name));
    assert_non_null (strstr (result.out, "1.5 "));      // its BTC, exact
    assert_non_null (strstr (result.out, "pending"));
    bb_test_command_reset (&result);

    //  Past the end: an empty page, not an error.
    result = s_cli (NULL, "dashboard", "--offset", "1000000", "--json", NULL);
    assert_int_equal (result.status, 0);
    page = s_json_out (&result);
    assert_int_equal (json_array_size (json_object_get (page, "agents")), 0);
    assert_false (json_is_true (json_object_get (json_object_get (page,
                  "pagination"), "hasMore")));
    json_decref (page);
    bb_test_command_reset (&result);
}

static void
test_agent_rank_stats (void **state)
{
    bb_mock_agent_t agent;
    bb_mockdata_agent (0, &agent);
    bb_test_command_t result = s_cli (NULL, "rank", agent.stx_address,
                                      "--json", NULL);
    assert_int_equal (result.status, 0);
    json_t *rank = s_json_out (&result);
    assert_int_equal (json_integer_value (json_object_get (rank, "rank")), 1);
    json_decref (rank);
    bb_test_command_reset (&result);

    result = s_cli (NULL, "rank", agent.stx_address, NULL);
    assert_non_null (strstr (result.out, "rank 1 of"));
    bb_test_command_reset (&result);

    result = s_cli (NULL, "agent", agent.stx_address, "--json", NULL);
    assert_int_equal (result.status, 0);
    json_t *detail = s_json_out (&result);
    assert_non_null (json_object_get (detail, "tokens"));
    json_decref (detail);
    bb_test_command_reset (&result);

    s_expect_out (s_cli (NULL, "agent", agent.stx_address, NULL),
                  (const char *const []) { "STX", "12.345678", NULL });

    result = s_cli (NULL, "stats", "--json", NULL);
    assert_int_equal (result.status, 0);
    json_t *stats = s_json_out (&result);
    assert_true (json_integer_value (json_object_get (stats, "agents"))
                 >= URL_AGENTS);
    json_decref (stats);
    bb_test_command_reset (&result);

    result = s_cli (NULL, "stats", NULL);
    assert_non_null (strstr (result.out, "agents"));
    bb_test_command_reset (&result);
}

static void
test_agents_remove (void **state)
{
    bb_mock_agent_t agent;
    bb_mockdata_agent (3, &agent);
    bb_test_command_t result = s_cli (NULL, "agents", "remove",
                                      agent.stx_address, "--json", NULL);
    assert_int_equal (result.status, 0);
    json_t *summary = s_json_out (&result);
    assert_int_equal (json_integer_value (json_object_get (summary,
                      "removed")), 1);
    json_decref (summary);
    bb_test_command_reset (&result);
    //  Gone: the store's reason comes back, exit 1.
    s_expect_status (s_cli (NULL, "rank", agent.stx_address, NULL), 1, NULL);
}

//  ---------------------------------------------------------------------------
//  Scheduler verbs

static json_t *
s_scheduler (const char *verb)
{
    bb_test_command_t result = s_cli (NULL, verb, "--json", NULL);
    if (result.status != 0)
        fail_msg ("%s: status %d: %s", verb, result.status, result.err);
    json_t *status = s_json_out (&result);
    bb_test_command_reset (&result);
    return status;
}

static void
test_scheduler_verbs (void **state)
{
    json_t *status = s_scheduler ("pause");
    assert_true (json_is_true (json_object_get (status, "paused")));
    json_decref (status);
    status = s_scheduler ("status");
    assert_true (json_is_true (json_object_get (status, "paused")));
    json_decref (status);
    status = s_scheduler ("resume");
    assert_false (json_is_true (json_object_get (status, "paused")));
    json_decref (status);
    status = s_scheduler ("tick");
    assert_non_null (json_object_get (status, "rotation"));
    json_decref (status);
    bb_test_command_t result = s_cli (NULL, "status", NULL);
    assert_int_equal (result.status, 0);
    assert_non_null (strstr (result.out, "rotation"));
    assert_non_null (strstr (result.out, "fetchers"));
    bb_test_command_reset (&result);
}

//  ---------------------------------------------------------------------------
//  Registry sync: the store's last report in stats, the scheduler's
//  registry (none configured here) in status.

static void
test_registry_sync_shown (void **state)
{
    //  A partial read that lists nothing: changes nothing, reported
    bb_client_t *client = bb_client_new (s_fx.ingest, CLI_TIMEOUT_MS);
    Balboard__RegistrySnapshot part = BALBOARD__REGISTRY_SNAPSHOT__INIT;
    part.generation = 1;
    part.attempt = 1;
    part.last_part = true;
    part.incomplete_reason = "page 2: http 500";
    part.source = "http://registry.test/api/agents";
    bb_envelope_t *reply;
    assert_int_equal (bb_client_registry_snapshot (client, &part, &reply), 0);
    assert_int_equal (reply->registry_sync_report->outcome,
                      BALBOARD__SYNC_OUTCOME__SYNC_PARTIAL);
    bb_wire_envelope_destroy (&reply);
    bb_client_destroy (&client);

    bb_test_command_t result = s_cli (NULL, "stats", "--json", NULL);
    assert_int_equal (result.status, 0);
    json_t *stats = s_json_out (&result);
    json_t *sync = json_object_get (stats, "registrySync");
    assert_string_equal (json_string_value (json_object_get (sync,
                         "outcome")), "partial");
    assert_string_equal (json_string_value (json_object_get (sync, "reason")),
                         "page 2: http 500");
    assert_int_equal (json_integer_value (json_object_get (sync, "removed")),
                      0);
    json_decref (stats);
    bb_test_command_reset (&result);
    s_expect_out (s_cli (NULL, "stats", NULL), (const char *const []) {
                  "last sync", "partial (generation 1)", "page 2: http 500",
                  NULL });

    json_t *status = s_scheduler ("status");
    json_t *registry = json_object_get (status, "registry");
    assert_non_null (registry);
    assert_true (json_is_null (json_object_get (registry, "source")));
    json_decref (status);
    s_expect_out (s_cli (NULL, "status", NULL), (const char *const []) {
                  "registry", "none (manual imports only)", NULL });
    s_expect_status (s_cli (NULL, "agents", "sync", NULL), 1, "no registry");
}

BB_TEST_MAIN (s_setup, s_teardown,
        cmocka_unit_test (test_bad_arguments),
        cmocka_unit_test (test_help),
        cmocka_unit_test (test_unreachable),
        cmocka_unit_test (test_import_file_exact_rejections_then_idempotent),
        cmocka_unit_test (test_import_stdin_array_and_ndjson),
        cmocka_unit_test (test_import_from_url_pages),
        cmocka_unit_test (test_dashboard_json_matches_shape),
        cmocka_unit_test (test_agent_rank_stats),
        cmocka_unit_test (test_agents_remove),
        cmocka_unit_test (test_scheduler_verbs),
        cmocka_unit_test (test_registry_sync_shown))
