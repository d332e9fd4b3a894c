/*  test_security - CURVE on the write sockets, with real processes: a
    store and a scheduler with keys and allow-lists, a fetcher, a gateway
    and the CLI with theirs, against the mock upstream. Good keys rotate
    end to end; no key, an unknown key and a revoked key are refused at
    the handshake; a known key outside its role gets PERMISSION_DENIED;
    both are logged and counted (StoreStats, SchedulerStatus, the
    gateway's /metrics); no secret key reaches a log, --help or status;
    a write socket beyond loopback needs keys or --insecure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <cmocka.h>
#include "bb_test_main.h"
#include <czmq.h>
#include <jansson.h>

#include "bb_child.h"
#include "bb_clock.h"
#include "bb_curve.h"
#include "bb_http_exchange.h"
#include "bb_mock_process.h"
#include "bb_mockdata.h"
#include "bb_port.h"
#include "bb_reason.h"
#include "bb_test_command.h"
#include "bb_test_scratch.h"

#define AGENTS              40
#define START_TIMEOUT_MS    10000
#define STOP_TIMEOUT_MS     10000
#define CLI_TIMEOUT_MS      30000
#define REFUSED_TIMEOUT     "1500"      // the CLI's wait for a refused call
#define ROTATION_TIMEOUT_MS 60000
#define PATH_SIZE           600

typedef struct {
    bb_mock_process_t *mock;
    bb_child_t *store;
    bb_child_t *scheduler;
    bb_child_t *fetcher;
    bb_child_t *gateway;
    char scratch [400];
    char keys [420];                // the key pairs balboard keygen made
    char ingest [64], query [64], events [64], jobs [64], control [64];
    char metrics_url [96];
    char mock_url [96];
} fixture_t;

static fixture_t s_fx;

//  ---------------------------------------------------------------------------
//  Keys and processes

//  keys/name.key or keys/name.key_secret (secret) into path.
static char *
s_key (const char *name, bool secret, char *path)
{
    snprintf (path, PATH_SIZE, "%s/%s.key%s", s_fx.keys, name,
              secret ? "_secret" : "");
    return path;
}

static void
s_keygen (const char *name, const char *role)
{
    char reason [BB_REASON_SIZE];
    if (bb_curve_keygen (s_fx.keys, name, role, reason))
        fail_msg ("keygen %s: %s", name, reason);
}

//  Put the public cert of name in the allow-list directory dir.
static void
s_allow (const char *dir, const char *name)
{
    char command [3 * PATH_SIZE], key [PATH_SIZE];
    snprintf (command, sizeof command, "mkdir -p '%s/%s' && cp '%s' '%s/%s'",
              s_fx.keys, dir, s_key (name, false, key), s_fx.keys, dir);
    assert_int_equal (system (command), 0);
}

//  Start binary name with args, its stderr in scratch/name.log; wait for
//  port when above 0.
static bb_child_t *
s_start (const char *name, const char *const args [], int port)
{
    char *binary = bb_child_bin_path (name);
    char log [PATH_SIZE], redirect [PATH_SIZE + 32];
    snprintf (log, sizeof log, "%s/%s.log", s_fx.scratch, name);
    snprintf (redirect, sizeof redirect, "exec \"$0\" \"$@\" 2>>'%s'", log);
    const char *argv [48] = { "/bin/sh", "-c", redirect, binary };
    bb_child_args_append (argv, sizeof argv / sizeof argv [0], args);
    bb_child_t *child = bb_child_new (argv, NULL);
    free (binary);
    assert_non_null (child);
    if (port > 0 && bb_child_wait_port (child, port, START_TIMEOUT_MS))
        fail_msg ("%s did not listen on %d (see %s)", name, port, log);
    return child;
}

static void
s_endpoint (char *endpoint, int port)
{
    snprintf (endpoint, 64, "tcp://127.0.0.1:%d", port);
}

static void
s_make_keys (void)
{
    snprintf (s_fx.keys, sizeof s_fx.keys, "%s/keys", s_fx.scratch);
    s_keygen ("store", "server");
    s_keygen ("scheduler", "server");
    s_keygen ("fetcher", "fetcher");
    s_keygen ("operator", "operator");
    s_keygen ("gateway", "reader");
    s_keygen ("rogue", "operator");         // in no allow-list
    s_keygen ("revoked", "operator");       // removed by a test
    //  A pair already there is kept, never overwritten
    char reason [BB_REASON_SIZE];
    assert_int_equal (bb_curve_keygen (s_fx.keys, "store", "reader", reason),
                      1);
    const char *clients [] = { "fetcher", "operator", "gateway", "revoked" };
    for (size_t i = 0; i < 4; i++) {
        s_allow ("store-allow", clients [i]);
        s_allow ("scheduler-allow", clients [i]);
    }
}

static void
s_start_servers (void)
{
    int query_port = bb_port_free (), control_port = bb_port_free ();
    s_endpoint (s_fx.ingest, bb_port_free ());
    s_endpoint (s_fx.query, query_port);
    s_endpoint (s_fx.events, bb_port_free ());
    s_endpoint (s_fx.jobs, bb_port_free ());
    s_endpoint (s_fx.control, control_port);
    char data [PATH_SIZE], cert [PATH_SIZE], allow [PATH_SIZE];
    snprintf (data, sizeof data, "%s/store", s_fx.scratch);
    snprintf (allow, sizeof allow, "%s/store-allow", s_fx.keys);
    s_fx.store = s_start ("balboard-store", (const char *[]) {
        "--data-dir", data, "--ingest-bind", s_fx.ingest, "--query-bind",
        s_fx.query, "--events-bind", s_fx.events, "--curve-cert",
        s_key ("store", true, cert), "--curve-allow", allow, NULL },
        query_port);
    snprintf (data, sizeof data, "%s/scheduler", s_fx.scratch);
    snprintf (allow, sizeof allow, "%s/scheduler-allow", s_fx.keys);
    s_fx.scheduler = s_start ("balboard-scheduler", (const char *[]) {
        "--data-dir", data, "--jobs-bind", s_fx.jobs, "--control-bind",
        s_fx.control, "--store-query", s_fx.query, "--store-events",
        s_fx.events, "--alarm-active-ms", "3600000", "--alarm-idle-ms",
        "3600000", "--heartbeat-ms", "200", "--paused", "--hiro-rpm", "0",
        "--mempool-rpm", "0", "--price-rpm", "0", "--curve-cert",
        s_key ("scheduler", true, cert), "--curve-allow", allow, NULL },
        control_port);
}

static void
s_start_clients (void)
{
    char cert [PATH_SIZE], store [PATH_SIZE], scheduler [PATH_SIZE];
    bb_mock_urls_t urls;
    bb_mock_process_urls (s_fx.mock, &urls);
    s_fx.fetcher = s_start ("balboard-fetcher", (const char *[]) {
        "--scheduler-jobs", s_fx.jobs, "--store-ingest", s_fx.ingest,
        "--hiro-base", urls.hiro, "--mempool-base", urls.mempool,
        "--price-url", urls.price, "--fetcher-id", "f0",
        "--heartbeat-ms", "200", "--curve-cert",
        s_key ("fetcher", true, cert), "--scheduler-key",
        s_key ("scheduler", false, scheduler), "--store-key",
        s_key ("store", false, store), NULL }, 0);
    int http_port = bb_port_free ();
    char http [32];
    snprintf (http, sizeof http, "127.0.0.1:%d", http_port);
    snprintf (s_fx.metrics_url, sizeof s_fx.metrics_url,
              "http://%s/metrics", http);
    s_fx.gateway = s_start ("balboard-gateway", (const char *[]) {
        "--http-bind", http, "--store-query", s_fx.query, "--store-events",
        s_fx.events, "--scheduler-control", s_fx.control, "--curve-cert",
        s_key ("gateway", true, cert), "--scheduler-key",
        s_key ("scheduler", false, scheduler), NULL }, http_port);
}

static int
s_setup (void **state)
{
    if (bb_test_scratch_reset ("/tmp/balboard-test-security", s_fx.scratch,
                               sizeof s_fx.scratch))
        return -1;
    s_make_keys ();
    char agents [16];
    snprintf (agents, sizeof agents, "%d", AGENTS);
    s_fx.mock = bb_mock_process_new ((const char *[]) {
        "--agents", agents, NULL }, START_TIMEOUT_MS);
    assert_non_null (s_fx.mock);
    snprintf (s_fx.mock_url, sizeof s_fx.mock_url, "%s/api/agents",
              bb_mock_process_base (s_fx.mock));
    s_start_servers ();
    s_start_clients ();
    return 0;
}

static int
s_teardown (void **state)
{
    //  Every process stops cleanly on SIGTERM, with CURVE on too.
    int gateway = bb_child_stop (s_fx.gateway, SIGTERM, STOP_TIMEOUT_MS);
    int fetcher = bb_child_stop (s_fx.fetcher, SIGTERM, STOP_TIMEOUT_MS);
    int scheduler = bb_child_stop (s_fx.scheduler, SIGTERM,
                                   STOP_TIMEOUT_MS);
    int store = bb_child_stop (s_fx.store, SIGTERM, STOP_TIMEOUT_MS);
    int mock = bb_mock_process_end (&s_fx.mock, STOP_TIMEOUT_MS);
    bb_child_destroy (&s_fx.gateway);
    bb_child_destroy (&s_fx.fetcher);
    bb_child_destroy (&s_fx.scheduler);
    bb_child_destroy (&s_fx.store);
    if (gateway || fetcher || scheduler || store || mock)
        fprintf (stderr, "unclean exit: gateway %d fetcher %d scheduler %d "
                 "store %d mock %d\n", gateway, fetcher, scheduler, store,
                 mock);
    return gateway || fetcher || scheduler || store || mock ? -1 : 0;
}

//  ---------------------------------------------------------------------------
//  The CLI

//  Run balboard as the client whose key pair is key (NULL: no key) with
//  arg and the arguments in args (up to a NULL) after the endpoints.
static bb_test_command_t
s_cli_v (const char *key, const char *arg, va_list args)
{
    char cert [PATH_SIZE], store [PATH_SIZE], scheduler [PATH_SIZE];
    const char *endpoints [16] = { "--store-query", s_fx.query,
                                   "--store-ingest", s_fx.ingest,
                                   "--scheduler-control", s_fx.control,
                                   "--timeout-ms", REFUSED_TIMEOUT };
    if (key)
        bb_child_args_append (endpoints, 16, (const char *[]) {
            "--curve-cert", s_key (key, true, cert),
            "--store-key", s_key ("store", false, store),
            "--scheduler-key", s_key ("scheduler", false, scheduler),
            NULL });
    return bb_test_command_run_bin ("balboard", endpoints, arg, args, NULL,
                                    CLI_TIMEOUT_MS);
}

static bb_test_command_t
s_cli (const char *key, const char *arg, ...)
{
    va_list args;
    va_start (args, arg);
    bb_test_command_t result = s_cli_v (key, arg, args);
    va_end (args);
    return result;
}

//  Run the CLI as s_cli does and expect exit status and, when err_part is
//  not NULL, err_part in its stderr; fails with its output if not.
static void
s_expect (int status, const char *err_part, const char *key,
          const char *arg, ...)
{
    va_list args;
    va_start (args, arg);
    bb_test_command_t result = s_cli_v (key, arg, args);
    va_end (args);
    if (result.status != status
    ||  (err_part && !strstr (result.err, err_part)))
        fail_msg ("balboard %s... as %s: status %d (expected %d), stderr: "
                  "%s", arg, key ? key : "no key", result.status, status,
                  result.err);
    bb_test_command_reset (&result);
}

//  The integer at key (then key2 in it, when not NULL) of the JSON the CLI
//  prints for verb (stats or status) as the operator.
static json_int_t
s_json_int (const char *verb, const char *key, const char *key2)
{
    bb_test_command_t result = s_cli ("operator", verb, "--json", NULL);
    if (result.status)
        fail_msg ("balboard %s: %d %s", verb, result.status, result.err);
    json_t *root = json_loads (result.out, 0, NULL);
    assert_non_null (root);
    json_t *value = json_object_get (root, key);
    if (key2)
        value = json_object_get (value, key2);
    json_int_t number = json_integer_value (value);
    json_decref (root);
    bb_test_command_reset (&result);
    return number;
}

//  The text of file path (caller frees), "" if absent.
static char *
s_read (const char *path)
{
    char *text = NULL;
    size_t size = 0;
    FILE *file = fopen (path, "r");
    if (file) {
        FILE *out = open_memstream (&text, &size);
        int c;
        while ((c = fgetc (file)) != EOF)
            fputc (c, out);
        fclose (out);
        fclose (file);
    }
    return text ? text : strdup ("");
}

//  The log of the process name.
static char *
s_log (const char *name)
{
    char path [PATH_SIZE];
    snprintf (path, sizeof path, "%s/%s.log", s_fx.scratch, name);
    return s_read (path);
}

//  ---------------------------------------------------------------------------
//  Good keys: a rotation completes

static bool
s_rotated (void *arg)
{
    return s_json_int ("status", "rotationsCompleted", NULL) >= 1;
}

static void
test_good_keys_rotate (void **state)
{
    int64_t start = bb_clock_mono_ms ();
    s_expect (0, NULL, "operator", "agents", "import", s_fx.mock_url, NULL);
    s_expect (0, NULL, "operator", "resume", NULL);
    s_expect (0, NULL, "operator", "tick", NULL);
    if (bb_clock_wait_until (s_rotated, NULL, ROTATION_TIMEOUT_MS, 100))
        fail_msg ("no rotation completed with CURVE on");
    printf ("a rotation of %d agents with CURVE on took %lld ms\n", AGENTS,
            (long long) (bb_clock_mono_ms () - start));
    assert_int_equal (s_json_int ("stats", "agents", NULL), AGENTS);
    assert_true (s_json_int ("stats", "batches", "committed") > 0);
    //  The reader may ask for the status
    s_expect (0, NULL, "gateway", "status", NULL);
}

//  ---------------------------------------------------------------------------
//  Refused at the handshake: logged and counted

#define NOBODY "SP000000000000000000002Q6VF78"

static bool
s_refused_counted (void *arg)
{
    return s_json_int ("stats", "auth", "refused") >= 1
        && s_json_int ("status", "auth", "refused") >= 1;
}

static void
test_no_key_refused (void **state)
{
    s_expect (2, "no answer", NULL, "agents", "remove", NOBODY, NULL);
    s_expect (2, "no answer", NULL, "tick", NULL);
    s_expect (2, "no answer", NULL, "pause", NULL);
    if (bb_clock_wait_until (s_refused_counted, NULL, START_TIMEOUT_MS, 100))
        fail_msg ("the refusals were not counted");
}

static void
test_unknown_key_refused (void **state)
{
    json_int_t before = s_json_int ("status", "auth", "refused");
    s_expect (2, "no answer", "rogue", "tick", NULL);
    s_expect (2, "no answer", "rogue", "agents", "remove", NOBODY, NULL);
    assert_true (s_json_int ("status", "auth", "refused") > before);
    //  The scheduler is not paused or ticked by it: still one rotation
    assert_int_equal (s_json_int ("status", "paused", NULL), 0);
}

//  A key removed from the allow-list is refused from its next connection
//  on: zauth re-reads the directory when it changes, no restart.
static void
test_revoked_key_refused (void **state)
{
    s_expect (0, NULL, "revoked", "status", NULL);
    char path [PATH_SIZE];
    snprintf (path, sizeof path, "%s/scheduler-allow/revoked.key",
              s_fx.keys);
    assert_int_equal (unlink (path), 0);
    s_expect (2, "no answer", "revoked", "status", NULL);
    s_expect (2, "no answer", "revoked", "tick", NULL);
    //  Still on the store's allow-list: it is answered there (exit 1:
    //  the agent is not registered)
    s_expect (1, NULL, "revoked", "agents", "remove", NOBODY, NULL);
}

//  ---------------------------------------------------------------------------
//  Known keys outside their role: PERMISSION_DENIED

static void
test_wrong_role_denied (void **state)
{
    json_int_t store = s_json_int ("stats", "auth", "denied");
    json_int_t scheduler = s_json_int ("status", "auth", "denied");
    s_expect (1, "role reader may not send scheduler_control TICK",
              "gateway", "tick", NULL);
    s_expect (1, "role reader may not send scheduler_control PAUSE",
              "gateway", "pause", NULL);
    s_expect (1, "role fetcher may not send scheduler_control STATUS",
              "fetcher", "status", NULL);
    s_expect (1, "role fetcher may not send agent_remove", "fetcher",
              "agents", "remove", NOBODY, NULL);
    s_expect (1, "role reader may not send agent_remove", "gateway",
              "agents", "remove", NOBODY, NULL);
    assert_int_equal (s_json_int ("stats", "auth", "denied"), store + 2);
    assert_int_equal (s_json_int ("status", "auth", "denied"),
                      scheduler + 3);
    assert_int_equal (s_json_int ("status", "paused", NULL), 0);
}

//  ---------------------------------------------------------------------------
//  Counted in /metrics, logged, no secrets anywhere

//  The value of series name in text, or -1.
static long long
s_series (const char *text, const char *name)
{
    char line [128];
    snprintf (line, sizeof line, "\n%s ", name);
    const char *found = strstr (text, line);
    return found ? atoll (found + strlen (line)) : -1;
}

static void
test_metrics_count (void **state)
{
    bb_http_exchange_t *exchange = bb_http_exchange_get (s_fx.metrics_url,
                                                         NULL, 10000);
    assert_int_equal (bb_http_exchange_status (exchange), 200);
    const char *text = bb_http_exchange_body (exchange);
    const char *series [] = {
        "balboard_store_auth_refused_total",
        "balboard_store_auth_denied_total",
        "balboard_scheduler_auth_refused_total",
        "balboard_scheduler_auth_denied_total" };
    for (size_t i = 0; i < 4; i++)
        if (s_series (text, series [i]) < 1)
            fail_msg ("%s is %lld", series [i], s_series (text, series [i]));
    bb_http_exchange_destroy (&exchange);
}

//  The secret key in the secret cert of name, into secret (41 bytes).
static void
s_secret (const char *name, char *secret)
{
    char path [PATH_SIZE];
    zcert_t *cert = zcert_load (s_key (name, true, path));
    assert_non_null (cert);
    snprintf (secret, 41, "%s", zcert_secret_txt (cert));
    zcert_destroy (&cert);
}

static void
test_logged_without_secrets (void **state)
{
    const char *names [] = { "store", "scheduler", "fetcher", "gateway",
                             "operator" };
    const char *logs [] = { "balboard-store", "balboard-scheduler",
                            "balboard-fetcher", "balboard-gateway" };
    char *text [4];
    for (size_t i = 0; i < 4; i++)
        text [i] = s_log (logs [i]);
    assert_non_null (strstr (text [0], "event=auth_refused socket=ingest"));
    assert_non_null (strstr (text [0], "event=auth_denied socket=ingest"));
    assert_non_null (strstr (text [1], "event=auth_refused socket=control"));
    assert_non_null (strstr (text [1], "event=auth_denied socket=control "
                                       "client=gateway role=reader"));
    bb_test_command_t status = s_cli ("operator", "status", "--json", NULL);
    for (size_t k = 0; k < 5; k++) {
        char secret [41];
        s_secret (names [k], secret);
        for (size_t i = 0; i < 4; i++)
            if (strstr (text [i], secret))
                fail_msg ("%s's secret key is in %s's log", names [k],
                          logs [i]);
        assert_null (strstr (status.out, secret));
        assert_null (strstr (status.err, secret));
    }
    bb_test_command_reset (&status);
    for (size_t i = 0; i < 4; i++)
        free (text [i]);
}

//  --help shows no secret either, with the cert given in the environment.
static void
test_help_without_secrets (void **state)
{
    char secret [41], cert [PATH_SIZE], env [PATH_SIZE + 32];
    s_secret ("store", secret);
    snprintf (env, sizeof env, "BALBOARD_CURVE_CERT=%s",
              s_key ("store", true, cert));
    const char *binaries [] = { "balboard-store", "balboard-scheduler",
                                "balboard-fetcher", "balboard-gateway",
                                "balboard" };
    for (size_t i = 0; i < 5; i++) {
        char *binary = bb_child_bin_path (binaries [i]);
        bb_test_command_t result;
        assert_int_equal (bb_test_command_run (
            (const char *[]) { binary, "--help", NULL }, NULL,
            (const char *[]) { env, NULL }, CLI_TIMEOUT_MS, &result), 0);
        assert_int_equal (result.status, 0);
        assert_non_null (strstr (result.out, "--curve-cert"));
        assert_null (strstr (result.out, secret));
        bb_test_command_reset (&result);
        free (binary);
    }
}

//  ---------------------------------------------------------------------------
//  Without keys, a write socket beyond loopback needs --insecure

static void
test_insecure_bind (void **state)
{
    char *store = bb_child_bin_path ("balboard-store");
    char data [PATH_SIZE], ingest [64], query [64], events [64];
    snprintf (data, sizeof data, "%s/insecure", s_fx.scratch);
    snprintf (ingest, sizeof ingest, "tcp://0.0.0.0:%d", bb_port_free ());
    int query_port = bb_port_free ();
    s_endpoint (query, query_port);
    s_endpoint (events, bb_port_free ());
    bb_test_command_t result;
    assert_int_equal (bb_test_command_run ((const char *[]) {
        store, "--data-dir", data, "--ingest-bind", ingest, "--query-bind",
        query, "--events-bind", events, NULL }, NULL, NULL, CLI_TIMEOUT_MS,
        &result), 0);
    assert_int_equal (result.status, 64);
    assert_non_null (strstr (result.err, "event=insecure_bind_refused "
                                         "option=ingest-bind"));
    bb_test_command_reset (&result);
    //  Half the keys is refused too
    char cert [PATH_SIZE];
    assert_int_equal (bb_test_command_run ((const char *[]) {
        store, "--data-dir", data, "--curve-cert",
        s_key ("store", true, cert), NULL }, NULL, NULL, CLI_TIMEOUT_MS,
        &result), 0);
    assert_int_equal (result.status, 64);
    assert_non_null (strstr (result.err, "option=curve-cert"));
    bb_test_command_reset (&result);
    free (store);
    //  With --insecure it serves, warned
    bb_child_t *child = s_start ("balboard-store", (const char *[]) {
        "--data-dir", data, "--ingest-bind", ingest, "--query-bind", query,
        "--events-bind", events, "--insecure", NULL }, query_port);
    assert_int_equal (bb_child_stop (child, SIGTERM, STOP_TIMEOUT_MS), 0);
    bb_child_destroy (&child);
    char *log = s_log ("balboard-store");
    assert_non_null (strstr (log, "event=insecure_bind option=ingest-bind"));
    free (log);
}

BB_TEST_MAIN (s_setup, s_teardown,
    cmocka_unit_test (test_good_keys_rotate),
    cmocka_unit_test (test_no_key_refused),
    cmocka_unit_test (test_unknown_key_refused),
    cmocka_unit_test (test_revoked_key_refused),
    cmocka_unit_test (test_wrong_role_denied),
    cmocka_unit_test (test_metrics_count),
    cmocka_unit_test (test_logged_without_secrets),
    cmocka_unit_test (test_help_without_secrets),
    cmocka_unit_test (test_insecure_bind))
