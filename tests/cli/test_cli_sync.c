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
#include "bb_test_command.h"
#include "e2e_world.h"

#define REGISTRY_AGENTS 100
#define CLI_TIMEOUT_MS 60000
#define SYNC_TIMEOUT "30000"        // --timeout-ms of agents sync

//  The store, a scheduler syncing the mock's registry (at start, at a
//  rotation's start and when asked; no periodic sync or tick is due
//  while the test runs), a fetcher and the mock.
static e2e_world_t *s_world;

//  Run balboard with the fixture's endpoints, flag (may be NULL), then
//  arg and args (NULL-terminated).
static bb_test_command_t
s_run (const char *flag, const char *arg, va_list args)
{
    const char *endpoints [12] = { NULL };
    bb_child_args_append (endpoints, 12, e2e_world_cli_args (s_world));
    bb_child_args_append (endpoints, 12, (const char *[]) {
        "--timeout-ms", SYNC_TIMEOUT, flag, NULL });
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
    char source [BB_MOCK_PROCESS_URL_SIZE];
    e2e_world_registry_url (s_world, source);
    assert_string_equal (json_string_value (json_object_get (registry,
                         "source")), source);
    json_t *last = json_incref (json_object_get (registry, "lastSync"));
    assert_true (json_is_object (last));
    json_decref (status);
    return last;
}

static int
s_setup (void **state)
{
    e2e_options_t options = {
        .agents = REGISTRY_AGENTS, .registry = true, .fetchers = 1,
        .scheduler_args = (const char *const []) {
            "--alarm-active-ms", "3600000", "--alarm-idle-ms", "3600000",
            "--registry-sync-ms", "3600000", NULL }
    };
    if (e2e_world_setup_suite (state))
        return -1;
    s_world = e2e_world_new_going (&options);
    return 0;
}

static int
s_teardown (void **state)
{
    e2e_world_destroy (&s_world);
    return e2e_world_teardown_suite (state);
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
    e2e_world_mock_control (s_world, "{\"agents\":50}");
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
