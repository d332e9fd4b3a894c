/*  =========================================================================
    chaos_world - a whole balboard whose processes a test kills at will

    The ports are chosen once (free when asked) and kept for the life of
    the world, so a restarted process is found where its peers connect.
    Every process inherits the test's stdout and stderr: a failing run
    shows their logs.
    =========================================================================
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "chaos_world.h"
#include "bb_child.h"
#include "bb_clock.h"
#include "bb_mock_process.h"
#include "bb_port.h"
#include "bb_sample_agents.h"

#define START_MS            20000       // a process must listen by then
#define STOP_MS             20000       // ... and exit by then
#define ASK_MS              60000       // a restarted process answers by then
#define CLIENT_TIMEOUT_MS   2000
#define RETRY_PAUSE_MS      100
#define ARGS_MAX            64
#define PATH_SIZE           512
#define ENDPOINT_SIZE       64
#define HEARTBEAT_MS        "250"
#define MOCK_LATENCY_MS     "35"        // 20..50 ms per upstream answer
#define MOCK_SPREAD_MS      "15"
#define ALARM_MS            "200"       // rotations run back to back
#define JOB_DEADLINE_MS     "10000"

//  One endpoint on a port chosen at start.
typedef struct {
    int port;
    char endpoint [ENDPOINT_SIZE];
} chaos_endpoint_t;

struct _chaos_world_t {
    char dir [PATH_SIZE];               // scratch: store/, scheduler/
    unsigned agents;                    // sample agents imported
    unsigned chunk_size;                // scheduler --chunk-size
    chaos_endpoint_t ingest, query, events, jobs, control;
    bb_mock_process_t *mock;
    bb_child_t *processes [CHAOS_ROLE_COUNT];
    bb_client_t *ingest_client;
    bb_client_t *query_client;
    bb_client_t *control_client;
};

static const char *const s_role_names [CHAOS_ROLE_COUNT] = {
    "store", "scheduler", "fetcher f0", "fetcher f1"
};

const char *
chaos_world_role_name (chaos_role_t role)
{
    assert_true (role < CHAOS_ROLE_COUNT);
    return s_role_names [role];
}

static void
s_endpoint (chaos_endpoint_t *endpoint)
{
    endpoint->port = bb_port_free_endpoint (endpoint->endpoint,
                                            sizeof endpoint->endpoint);
    assert_true (endpoint->port > 0);
}

//  ---------------------------------------------------------------------
//  Processes

//  Start binary with args and env; when port is not 0, wait until it
//  listens there.
static bb_child_t *
s_start (const char *binary, const char *const *args,
         const char *const *env, int port)
{
    bb_child_t *process = bb_child_start (binary, args, env, port, START_MS);
    if (!process)
        fail_msg ("chaos: %s did not start", binary);
    return process;
}

static bb_child_t *
s_start_store (chaos_world_t *self)
{
    char data [PATH_SIZE + 16];
    snprintf (data, sizeof data, "%s/store", self->dir);
    const char *args [] = {
        "--data-dir", data, "--ingest-bind", self->ingest.endpoint,
        "--query-bind", self->query.endpoint,
        "--events-bind", self->events.endpoint, "--map-size-mb", "64",
        NULL
    };
    return s_start ("balboard-store", args, NULL, self->query.port);
}

static bb_child_t *
s_start_scheduler (chaos_world_t *self, bool paused)
{
    char data [PATH_SIZE + 16], chunk [24];
    snprintf (data, sizeof data, "%s/scheduler", self->dir);
    snprintf (chunk, sizeof chunk, "%u", self->chunk_size);
    const char *args [ARGS_MAX] = {
        "--data-dir", data, "--jobs-bind", self->jobs.endpoint,
        "--control-bind", self->control.endpoint,
        "--store-query", self->query.endpoint,
        "--store-events", self->events.endpoint, "--chunk-size", chunk,
        "--heartbeat-ms", HEARTBEAT_MS, "--alarm-active-ms", ALARM_MS,
        "--alarm-idle-ms", ALARM_MS, "--job-deadline-ms", JOB_DEADLINE_MS,
        "--store-timeout-ms", "1000", "--hiro-rpm", "0",
        "--mempool-rpm", "0", "--price-rpm", "0",
        "--rate-limit-backoff-ms", "500", "--rate-limit-backoff-max-ms",
        "2000"
    };
    if (paused)
        bb_child_args_append (args, ARGS_MAX,
                              (const char *const []) { "--paused", NULL });
    return s_start ("balboard-scheduler", args, NULL, self->control.port);
}

static bb_child_t *
s_start_fetcher (chaos_world_t *self, unsigned index)
{
    char id [48];
    snprintf (id, sizeof id, "BALBOARD_FETCHER_ID=f%u", index);
    bb_mock_fetcher_env_t fetcher;
    bb_mock_process_fetcher_env (self->mock, self->jobs.endpoint,
                                 self->ingest.endpoint, &fetcher);
    const char *env [10] = { id, "BALBOARD_HEARTBEAT_MS=" HEARTBEAT_MS };
    bb_child_args_append (env, 10, fetcher.list);
    return s_start ("balboard-fetcher", NULL, env, 0);
}

static bb_child_t *
s_start_role (chaos_world_t *self, chaos_role_t role)
{
    if (role == CHAOS_STORE)
        return s_start_store (self);
    if (role == CHAOS_SCHEDULER)
        return s_start_scheduler (self, false);
    return s_start_fetcher (self, (unsigned) (role - CHAOS_FETCHER_0));
}

void
chaos_world_kill_restart (chaos_world_t *self, chaos_role_t role)
{
    assert_true (role < CHAOS_ROLE_COUNT);
    bb_child_t **process = &self->processes [role];
    int rc = bb_child_end (process, SIGKILL, STOP_MS);
    if (rc != 128 + SIGKILL)
        fail_msg ("chaos: %s had exited (%d) before its kill",
                  s_role_names [role], rc);
    *process = s_start_role (self, role);
}

//  ---------------------------------------------------------------------
//  World

static void
s_import (chaos_world_t *self)
{
    size_t inserted = 0;
    assert_int_equal (bb_sample_agents_upsert (self->ingest_client, 0,
                                               self->agents, &inserted), 0);
    assert_int_equal (inserted, self->agents);
}

static void
s_resume (chaos_world_t *self)
{
    bb_envelope_t *reply = NULL;
    assert_int_equal (bb_client_scheduler_control (
        self->control_client, BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME,
        &reply), 0);
    bb_wire_envelope_destroy (&reply);
}

chaos_world_t *
chaos_world_new (unsigned agents, unsigned chunk_size)
{
    chaos_world_t *self = calloc (1, sizeof *self);
    assert_non_null (self);
    self->agents = agents;
    self->chunk_size = chunk_size;
    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    snprintf (self->dir, sizeof self->dir, "%s/chaos-%d",
              scratch ? scratch : "/tmp/balboard-chaos", (int) getpid ());
    s_endpoint (&self->ingest);
    s_endpoint (&self->query);
    s_endpoint (&self->events);
    s_endpoint (&self->jobs);
    s_endpoint (&self->control);
    const char *mock_args [] = {
        "--latency-ms", MOCK_LATENCY_MS, "--latency-spread-ms",
        MOCK_SPREAD_MS, "--log-level", "warn", NULL
    };
    self->mock = bb_mock_process_new (mock_args, START_MS);
    assert_non_null (self->mock);
    self->processes [CHAOS_STORE] = s_start_store (self);
    self->processes [CHAOS_SCHEDULER] = s_start_scheduler (self, true);
    self->ingest_client = bb_client_new (self->ingest.endpoint,
                                         CLIENT_TIMEOUT_MS);
    self->query_client = bb_client_new (self->query.endpoint,
                                        CLIENT_TIMEOUT_MS);
    self->control_client = bb_client_new (self->control.endpoint,
                                          CLIENT_TIMEOUT_MS);
    s_import (self);
    for (chaos_role_t role = CHAOS_FETCHER_0; role < CHAOS_ROLE_COUNT;
         role++)
        self->processes [role] = s_start_role (self, role);
    s_resume (self);
    return self;
}

void
chaos_world_destroy (chaos_world_t **self_p)
{
    assert_non_null (self_p);
    chaos_world_t *self = *self_p;
    if (!self)
        return;
    bb_client_destroy (&self->control_client);
    bb_client_destroy (&self->query_client);
    bb_client_destroy (&self->ingest_client);
    for (int role = CHAOS_ROLE_COUNT - 1; role >= 0; role--) {
        int rc = bb_child_end (&self->processes [role], SIGTERM, STOP_MS);
        if (rc != 0)
            fail_msg ("chaos: %s exited with %d on SIGTERM",
                      s_role_names [role], rc);
    }
    assert_int_equal (bb_mock_process_end (&self->mock, STOP_MS), 0);
    free (self);
    *self_p = NULL;
}

//  ---------------------------------------------------------------------
//  Asking through the restarts

bb_client_t *
chaos_world_query (chaos_world_t *self)
{
    return self->query_client;
}

bb_client_t *
chaos_world_control (chaos_world_t *self)
{
    return self->control_client;
}

//  True if a failed call is worth another try: no answer yet (a process
//  restarting), or a store that cannot serve now.
static bool
s_retry (bb_client_t *client, int rc)
{
    return rc == BB_CLIENT_TIMEOUT
        || (rc == BB_CLIENT_ERROR_REPLY
            && bb_client_error_code (client)
               == BALBOARD__ERROR_REPLY__CODE__UNAVAILABLE);
}

bb_envelope_t *
chaos_world_ask (chaos_world_t *self, bb_client_t *client, const char *what,
                 chaos_call_fn *call, void *arg)
{
    int64_t until = bb_clock_mono_ms () + ASK_MS;
    while (true) {
        bb_envelope_t *reply = NULL;
        int rc = call (client, arg, &reply);
        if (rc == 0)
            return reply;
        if (!s_retry (client, rc) || bb_clock_mono_ms () >= until)
            fail_msg ("chaos: %s: %s", what, bb_client_reason (client));
        bb_clock_sleep_ms (RETRY_PAUSE_MS);
    }
}

static int
s_call_status (bb_client_t *client, void *arg, bb_envelope_t **reply_p)
{
    return bb_client_scheduler_control (
        client, BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS, reply_p);
}

static int
s_call_stats (bb_client_t *client, void *arg, bb_envelope_t **reply_p)
{
    return bb_client_stats (client, reply_p);
}

bb_envelope_t *
chaos_world_status (chaos_world_t *self)
{
    return chaos_world_ask (self, self->control_client, "scheduler status",
                            s_call_status, NULL);
}

bb_envelope_t *
chaos_world_stats (chaos_world_t *self)
{
    return chaos_world_ask (self, self->query_client, "store stats",
                            s_call_stats, NULL);
}
