/*  =========================================================================
    gw_world - a whole balboard behind a real gateway, for its tests

    Every process inherits the test's stdout and stderr, so a failing test
    shows their logs. Waits poll every POLL_MS; nothing sleeps for a fixed
    time to let things happen.
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

#include "gw_world.h"
#include "bb_child.h"
#include "bb_clock.h"
#include "bb_mockdata.h"
#include "bb_port.h"
#include "bb_sample_agents.h"

#define START_MS            20000       // a process must listen by then
#define STOP_MS             20000       // ... and exit by then
#define CLIENT_TIMEOUT_MS   5000
#define ROTATION_WAIT_MS    120000      // catches a hang only
#define POLL_MS             50
#define PATH_SIZE           512
#define ENDPOINT_SIZE       64
#define ARGS_MAX            32
#define EVENTS_INTERVAL_MS  "0"         // every commit an event

struct _gw_world_t {
    char dir [PATH_SIZE];               // the world's scratch directory
    char mock_base [ENDPOINT_SIZE];     // http://127.0.0.1:port
    char base [ENDPOINT_SIZE];          // the gateway's
    char ingest [ENDPOINT_SIZE], query [ENDPOINT_SIZE];
    char jobs [ENDPOINT_SIZE], control [ENDPOINT_SIZE];
    char events [ENDPOINT_SIZE];        // the store's events socket
    int query_port;
    bb_child_t *mock;
    bb_child_t *store;
    bb_child_t *scheduler;
    bb_child_t *fetcher;
    bb_child_t *gateway;
    bb_client_t *ingest_client;
    bb_client_t *control_client;
    unsigned agents;                    // sample agents upserted so far
};

//  ---------------------------------------------------------------------
//  Processes

static int
s_port (char *endpoint)
{
    int port = bb_port_free_endpoint (endpoint, ENDPOINT_SIZE);
    assert_true (port > 0);
    return port;
}

//  Start binary with args; when port is above 0, wait until it listens.
static bb_child_t *
s_start (const char *binary, const char *const *args, const char *const *env,
         int port)
{
    bb_child_t *child = bb_child_start (binary, args, env, port, START_MS);
    if (!child)
        fail_msg ("gw_world: %s did not start", binary);
    return child;
}

static void
s_stop (bb_child_t **child_p, const char *what)
{
    int rc = bb_child_end (child_p, SIGTERM, STOP_MS);
    if (rc != 0)
        fail_msg ("gw_world: %s exited with %d", what, rc);
}

static void
s_start_mock (gw_world_t *self, unsigned agents)
{
    char endpoint [ENDPOINT_SIZE], bind [32], count [16];
    int port = s_port (endpoint);
    snprintf (bind, sizeof bind, "127.0.0.1:%d", port);
    snprintf (self->mock_base, sizeof self->mock_base, "http://%s", bind);
    snprintf (count, sizeof count, "%u", agents);
    self->mock = s_start ("balboard-mock-upstream", (const char *[]) {
        "--bind", bind, "--agents", count, "--log-level", "warn", NULL },
        NULL, port);
}

void
gw_world_start_store (gw_world_t *self)
{
    char data [PATH_SIZE + 16];
    snprintf (data, sizeof data, "%s/store", self->dir);
    self->store = s_start ("balboard-store", (const char *[]) {
        "--data-dir", data, "--ingest-bind", self->ingest,
        "--query-bind", self->query, "--events-bind", self->events,
        "--events-interval-ms", EVENTS_INTERVAL_MS, "--map-size-mb", "64",
        NULL },
        NULL, self->query_port);
}

void
gw_world_stop_store (gw_world_t *self)
{
    s_stop (&self->store, "store");
}

static void
s_start_scheduler (gw_world_t *self)
{
    char data [PATH_SIZE + 16];
    snprintf (data, sizeof data, "%s/scheduler", self->dir);
    int port = atoi (strrchr (self->control, ':') + 1);
    //  No events reach its pickup (a free port nobody binds; the default
    //  may be another balboard's store on this machine), so it ticks only
    //  when a test says so
    char no_events [ENDPOINT_SIZE];
    s_port (no_events);
    self->scheduler = s_start ("balboard-scheduler", (const char *[]) {
        "--data-dir", data, "--jobs-bind", self->jobs,
        "--control-bind", self->control, "--store-query", self->query,
        "--store-events", no_events,
        "--alarm-active-ms", "3600000", "--alarm-idle-ms", "3600000",
        "--hiro-rpm", "0", "--mempool-rpm", "0", "--price-rpm", "0",
        "--paused", NULL }, NULL, port);
}

static void
s_start_fetcher (gw_world_t *self)
{
    char jobs [96], ingest [96], hiro [96], mempool [96], price [160];
    snprintf (jobs, sizeof jobs, "BALBOARD_SCHEDULER_JOBS=%s", self->jobs);
    snprintf (ingest, sizeof ingest, "BALBOARD_STORE_INGEST=%s",
              self->ingest);
    snprintf (hiro, sizeof hiro, "HIRO_BASE=%s", self->mock_base);
    snprintf (mempool, sizeof mempool, "MEMPOOL_BASE=%s/api",
              self->mock_base);
    snprintf (price, sizeof price, "PRICE_URL=%s/api/v3/simple/price?"
              "ids=bitcoin,blockstack&vs_currencies=usd", self->mock_base);
    const char *env [] = { "BALBOARD_FETCHER_ID=gw0", jobs, ingest, hiro,
                           mempool, price, NULL };
    self->fetcher = s_start ("balboard-fetcher", NULL, env, 0);
}

bb_child_t *
gw_world_gateway_new (gw_world_t *self, const char *const *extra,
                      char *base)
{
    char endpoint [ENDPOINT_SIZE], bind [32];
    int port = s_port (endpoint);
    snprintf (bind, sizeof bind, "127.0.0.1:%d", port);
    snprintf (base, GW_WORLD_BASE_SIZE, "http://%s", bind);
    const char *args [ARGS_MAX] = {
        "--http-bind", bind, "--store-query", self->query,
        "--store-events", self->events,
        "--scheduler-control", self->control, "--threads", "4",
        "--store-timeout-ms", "1000"
    };
    bb_child_args_append (args, ARGS_MAX, extra);
    return s_start ("balboard-gateway", args, NULL, port);
}

static void
s_start_gateway (gw_world_t *self)
{
    self->gateway = gw_world_gateway_new (self, NULL, self->base);
}

int
gw_world_stop_gateway (gw_world_t *self)
{
    int rc = bb_child_stop (self->gateway, SIGTERM, STOP_MS);
    bb_child_destroy (&self->gateway);
    return rc;
}

//  ---------------------------------------------------------------------
//  Registry and rotation

static Balboard__SchedulerStatus *
s_status (gw_world_t *self, bb_envelope_t **reply_p,
          Balboard__SchedulerControl__Command command)
{
    assert_int_equal (bb_client_scheduler_control (self->control_client,
                                                   command, reply_p), 0);
    return (*reply_p)->scheduler_status;
}

static bool
s_fetcher_ready (void *arg)
{
    bb_envelope_t *reply = NULL;
    bool ready = s_status (arg, &reply,
        BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS)->fetchers_ready > 0;
    bb_wire_envelope_destroy (&reply);
    return ready;
}

static bool
s_rotation_done (void *arg)
{
    bb_envelope_t *reply = NULL;
    bool done = s_status (arg, &reply,
        BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS)->rotations_completed
        > 0;
    bb_wire_envelope_destroy (&reply);
    return done;
}

static void
s_first_rotation (gw_world_t *self)
{
    assert_int_equal (bb_clock_wait_until (s_fetcher_ready, self,
                                           ROTATION_WAIT_MS, POLL_MS), 0);
    bb_envelope_t *reply = NULL;
    s_status (self, &reply, BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME);
    bb_wire_envelope_destroy (&reply);
    s_status (self, &reply, BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (bb_clock_wait_until (s_rotation_done, self,
                                           ROTATION_WAIT_MS, POLL_MS), 0);
}

//  ---------------------------------------------------------------------
//  World

gw_world_t *
gw_world_new (unsigned agents)
{
    gw_world_t *self = calloc (1, sizeof *self);
    assert_non_null (self);
    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    snprintf (self->dir, sizeof self->dir, "%s/world-%d",
              scratch ? scratch : "/tmp/balboard-test-gateway",
              (int) getpid ());
    s_port (self->ingest);
    self->query_port = s_port (self->query);
    s_port (self->jobs);
    s_port (self->control);
    s_port (self->events);
    s_start_mock (self, agents);
    gw_world_start_store (self);
    s_start_scheduler (self);
    self->ingest_client = bb_client_new (self->ingest, CLIENT_TIMEOUT_MS);
    self->control_client = bb_client_new (self->control, CLIENT_TIMEOUT_MS);
    assert_true (self->ingest_client && self->control_client);
    assert_int_equal (bb_sample_agents_upsert (self->ingest_client, 0, agents,
                                               NULL), 0);
    self->agents = agents;
    s_start_fetcher (self);
    s_first_rotation (self);
    s_start_gateway (self);
    return self;
}

void
gw_world_destroy (gw_world_t **self_p)
{
    gw_world_t *self = *self_p;
    if (!self)
        return;
    bb_client_destroy (&self->control_client);
    bb_client_destroy (&self->ingest_client);
    s_stop (&self->gateway, "gateway");
    s_stop (&self->fetcher, "fetcher");
    s_stop (&self->scheduler, "scheduler");
    s_stop (&self->store, "store");
    s_stop (&self->mock, "mock");
    free (self);
    *self_p = NULL;
}

const char *
gw_world_base (gw_world_t *self)
{
    return self->base;
}

const char *
gw_world_store_query (gw_world_t *self)
{
    return self->query;
}

bb_client_t *
gw_world_ingest (gw_world_t *self)
{
    return self->ingest_client;
}

char *
gw_world_agent_path (unsigned index, char *path)
{
    bb_mock_agent_t agent;
    bb_mockdata_agent (index, &agent);
    snprintf (path, GW_WORLD_PATH_SIZE, "/api/agents/%s", agent.stx_address);
    return path;
}

void
gw_world_add_agent (gw_world_t *self)
{
    assert_int_equal (bb_sample_agents_upsert (self->ingest_client,
                                               self->agents++, 1, NULL), 0);
}
