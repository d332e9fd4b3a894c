/*  test_cli_sync - balboard agents sync [--confirm] against a real store,
    scheduler (--registry-url: the mock's registry), fetcher and mock: a
    sync in, a shrunk registry held and shown in status, then applied
    with --confirm, the store's report in stats; and a scheduler without
    a registry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <cmocka.h>
#include "bb_test_main.h"
#include <jansson.h>

#include "bb_child.h"
#include "bb_clock.h"
#include "bb_mock_process.h"
#include "bb_port.h"
#include "bb_test_command.h"
#include "bb_test_scratch.h"

#define REGISTRY_AGENTS "100"
#define START_TIMEOUT_MS 10000
#define CLI_TIMEOUT_MS 60000
#define SYNC_TIMEOUT "30000"        // --timeout-ms of agents sync

typedef struct {
    bb_mock_process_t *mock;
    bb_child_t *store;
    bb_child_t *scheduler;
    bb_child_t *fetcher;
    char query [64];                // endpoints
    char ingest [64];
    char jobs [64];
    char control [64];
    char events [64];
    char registry [96];             // the mock's agent registry
    char scratch [512];
} fixture_t;

static fixture_t s_fx;

//  Run balboard with the fixture's endpoints, flag (may be NULL), then
//  arg and args (NULL-terminated).
static bb_test_command_t
s_run (const char *flag, const char *arg, va_list args)
{
    const char *endpoints [] = { "--store-query", s_fx.query,
                                 "--scheduler-control", s_fx.control,
                                 "--timeout-ms", SYNC_TIMEOUT, flag, NULL };
    return bb_test_command_run_bin ("balboard", endpoints, arg, args, NULL,
                                    CLI_TIMEOUT_MS);
}

static bb_test_command_t
s_cli (const char *arg, ...)
{
    va_list args;
    va_start (args, arg);
    bb_test_command_t result = s_run (NULL, arg, args);
    va_end (args);
    return result;
}

//  Run balboard --json with args, expect exit 0 and JSON; returns it.
static json_t *
s_cli_json (const char *arg, ...)
{
    va_list args;
    va_start (args, arg);
    bb_test_command_t result = s_run ("--json", arg, args);
    va_end (args);
    if (result.status != 0)
        fail_msg ("%s: status %d: %s", arg, result.status, result.err);
    json_error_t error;
    json_t *json = json_loads (result.out, 0, &error);
    if (!json)
        fail_msg ("not JSON (%s): %.400s", error.text, result.out);
    bb_test_command_reset (&result);
    return json;
}

//  Integer member key of object.
static json_int_t
s_int (json_t *object, const char *key)
{
    json_t *value = json_object_get (object, key);
    if (!json_is_integer (value))
        fail_msg ("no integer %s", key);
    return json_integer_value (value);
}

//  `agents sync [--confirm] --json`: the last sync of the status after.
static json_t *
s_sync (bool confirm)
{
    int64_t started = bb_clock_mono_ms ();
    json_t *status = confirm ? s_cli_json ("agents", "sync", "--confirm", NULL)
                             : s_cli_json ("agents", "sync", NULL);
    print_message ("agents sync%s took %lld ms\n", confirm ? " --confirm" : "",
                   (long long) (bb_clock_mono_ms () - started));
    json_t *registry = json_object_get (status, "registry");
    assert_string_equal (json_string_value (json_object_get (registry,
                         "source")), s_fx.registry);
    json_t *last = json_incref (json_object_get (registry, "lastSync"));
    assert_true (json_is_object (last));
    json_decref (status);
    return last;
}

static bb_child_t *
s_start (const char *name, const char *const args [],
         const char *const env [], int port)
{
    bb_child_t *process = bb_child_start (name, args, env, port,
                                          START_TIMEOUT_MS);
    assert_non_null (process);
    return process;
}

static void
s_endpoint (char *buf, size_t size, int *port)
{
    *port = bb_port_free ();
    snprintf (buf, size, "tcp://127.0.0.1:%d", *port);
}

static int
s_setup (void **state)
{
    assert_int_equal (bb_test_scratch_reset (NULL, s_fx.scratch,
                                             sizeof s_fx.scratch), 0);
    char store_dir [600], scheduler_dir [600];
    int query_port, ingest_port, jobs_port, control_port, events_port;
    s_endpoint (s_fx.query, sizeof s_fx.query, &query_port);
    s_endpoint (s_fx.ingest, sizeof s_fx.ingest, &ingest_port);
    s_endpoint (s_fx.jobs, sizeof s_fx.jobs, &jobs_port);
    s_endpoint (s_fx.control, sizeof s_fx.control, &control_port);
    s_endpoint (s_fx.events, sizeof s_fx.events, &events_port);
    snprintf (store_dir, sizeof store_dir, "%s/store", s_fx.scratch);
    snprintf (scheduler_dir, sizeof scheduler_dir, "%s/scheduler",
              s_fx.scratch);
    s_fx.mock = bb_mock_process_new ((const char *[]) {
        "--agents", REGISTRY_AGENTS, NULL }, START_TIMEOUT_MS);
    assert_non_null (s_fx.mock);
    snprintf (s_fx.registry, sizeof s_fx.registry, "%s/api/agents",
              bb_mock_process_base (s_fx.mock));
    s_fx.store = s_start ("balboard-store", (const char *[]) {
        "--data-dir", store_dir, "--ingest-bind", s_fx.ingest,
        "--query-bind", s_fx.query, "--events-bind", s_fx.events, NULL }, NULL,
        query_port);
    //  Syncs at start, at a rotation's start and when asked; no periodic
    //  sync or tick is due while the test runs.
    s_fx.scheduler = s_start ("balboard-scheduler", (const char *[]) {
        "--data-dir", scheduler_dir, "--jobs-bind", s_fx.jobs,
        "--control-bind", s_fx.control, "--store-query", s_fx.query,
        "--store-events", s_fx.events,
        "--alarm-active-ms", "3600000", "--alarm-idle-ms", "3600000",
        "--registry-url", s_fx.registry, "--registry-sync-ms", "3600000",
        NULL }, NULL, control_port);
    bb_mock_fetcher_env_t env;
    bb_mock_process_fetcher_env (s_fx.mock, s_fx.jobs, s_fx.ingest, &env);
    s_fx.fetcher = s_start ("balboard-fetcher", NULL, (const char *[]) {
        env.jobs, env.ingest, env.urls.hiro, env.urls.mempool,
        env.urls.price, NULL }, 0);
    return 0;
}

static int
s_teardown (void **state)
{
    int fetcher = bb_child_stop (s_fx.fetcher, SIGTERM, 10000);
    int scheduler = bb_child_stop (s_fx.scheduler, SIGTERM, 10000);
    int store = bb_child_stop (s_fx.store, SIGTERM, 10000);
    int mock = bb_mock_process_end (&s_fx.mock, 10000);
    bb_child_destroy (&s_fx.fetcher);
    bb_child_destroy (&s_fx.scheduler);
    bb_child_destroy (&s_fx.store);
    return fetcher || scheduler || store || mock ? -1 : 0;
}

//  ---------------------------------------------------------------------------

static void
test_sync_held_then_confirmed (void **state)
{
    json_t *last = s_sync (false);
    assert_string_equal (json_string_value (json_object_get (last,
                         "outcome")), "applied");
    assert_int_equal (s_int (last, "registryAgents"), 100);
    json_decref (last);
    json_t *stats = s_cli_json ("stats", NULL);
    assert_int_equal (s_int (stats, "agents"), 100);
    json_decref (stats);

    //  The registry drops 50 of 100: over 20%, held and shown
    assert_int_equal (bb_mock_process_control (s_fx.mock,
                      "{\"agents\":50}", START_TIMEOUT_MS), 0);
    last = s_sync (false);
    assert_string_equal (json_string_value (json_object_get (last,
                         "outcome")), "held");
    assert_int_equal (s_int (last, "heldRemovals"), 50);
    json_decref (last);
    bb_test_command_t result = s_cli ("status", NULL);
    assert_int_equal (result.status, 0);
    assert_non_null (strstr (result.out, "held              50 removals"));
    assert_non_null (strstr (result.out, "agents sync --confirm"));
    bb_test_command_reset (&result);

    last = s_sync (true);
    assert_string_equal (json_string_value (json_object_get (last,
                         "outcome")), "applied");
    assert_int_equal (s_int (last, "removed"), 50);
    json_decref (last);
    stats = s_cli_json ("stats", NULL);
    assert_int_equal (s_int (stats, "agents"), 50);
    json_t *sync = json_object_get (stats, "registrySync");
    assert_int_equal (s_int (sync, "removed"), 50);
    json_decref (stats);
}

BB_TEST_MAIN (s_setup, s_teardown,
              cmocka_unit_test (test_sync_held_then_confirmed))
