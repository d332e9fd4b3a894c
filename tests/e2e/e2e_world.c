/*  =========================================================================
    e2e_world - a whole balboard on loopback, for end-to-end tests

    Every process inherits the test's stdout and stderr, so a failing
    test shows their logs. Waits poll the scheduler's status every
    POLL_MS; nothing here sleeps for a fixed time to let things happen.
    =========================================================================
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "e2e_world.h"
#include "bb_client.h"
#include "bb_mockdata.h"
#include "bb_child.h"
#include "bb_http_exchange.h"
#include "bb_mock_process.h"
#include "bb_sample_agents.h"
#include "bb_port.h"
#include "bb_u128.h"
#include "bb_clock.h"

#define START_MS            10000       // a process must listen by then
#define STOP_MS             10000       // ... and exit by then
#define CLIENT_TIMEOUT_MS   5000
#define HTTP_TIMEOUT_MS     5000
#define FETCHERS_WAIT_MS    10000
#define POLL_MS             50
#define PAGE_LIMIT          500
#define HEARTBEAT_MS        "250"       // death seen in 750 ms: slack for a
                                        // loaded sanitizer build
#define TOTAL_TOLERANCE     3           // micro-USD of rounding per total
#define ARGS_MAX            64
#define PATH_SIZE           512
#define ENDPOINT_SIZE       64
#define START_TRIES         3           // binds lost to a port race

struct _e2e_world_t {
    e2e_options_t options;
    char dir [PATH_SIZE];           // this world's scratch directory
    int ingest_port, query_port, jobs_port, control_port, events_port;
    int http_port;                  // the gateway's, 0 without one
    char ingest [ENDPOINT_SIZE], query [ENDPOINT_SIZE];
    char events [ENDPOINT_SIZE];    // the store's events (PUB)
    char jobs [ENDPOINT_SIZE], control [ENDPOINT_SIZE];
    bb_mock_process_t *mock;
    bb_child_t *store;
    bb_child_t *scheduler;
    bb_child_t *gateway;            // NULL unless options.gateway
    bb_child_t *fetchers [E2E_FETCHERS_MAX];
    char fetcher_ids [E2E_FETCHERS_MAX][16];
    size_t fetcher_count;
    bb_client_t *ingest_client;
    bb_client_t *query_client;
    bb_client_t *control_client;
    const char *cli_args [5];       // e2e_world_cli_args
};

static int
s_port (void)
{
    int port = bb_port_free ();
    assert_true (port > 0);
    return port;
}

//  ---------------------------------------------------------------------
//  Processes

//  Start binary; when port is not 0, wait until it listens there.
//  Returns NULL if it exited first (a free port taken meanwhile).
static bb_child_t *
s_start (const char *binary, const char *const *argv_tail,
         const char *const *env, int port)
{
    char *path = bb_child_bin_path (binary);
    assert_non_null (path);
    const char *argv [ARGS_MAX] = { path };
    bb_child_args_append (argv, ARGS_MAX, argv_tail);
    bb_child_t *process = bb_child_new (argv, env);
    free (path);
    assert_non_null (process);
    if (port && bb_child_wait_port (process, port, START_MS)) {
        assert_false (bb_child_running (process));
        bb_child_destroy (&process);
    }
    return process;
}

//  A process of the world must exit 0 on SIGTERM.
static void
s_check_exit (int rc, const char *what)
{
    if (rc != 0)
        fprintf (stderr, "e2e: %s exited with %d\n", what, rc);
    assert_int_equal (rc, 0);
}

static void
s_stop (bb_child_t **process_p, const char *what)
{
    s_check_exit (bb_child_end (process_p, SIGTERM, STOP_MS), what);
}

static void
s_stop_mock (e2e_world_t *self)
{
    if (self->mock)
        s_check_exit (bb_mock_process_end (&self->mock, STOP_MS), "mock");
}

//  Fresh free ports for the endpoints a start could not bind.
static void
s_endpoint (char *endpoint, int *port)
{
    *port = s_port ();
    snprintf (endpoint, ENDPOINT_SIZE, "tcp://127.0.0.1:%d", *port);
}

static void
s_start_mock (e2e_world_t *self)
{
    char latency [24], agents [24];
    snprintf (latency, sizeof latency, "%ld", self->options.mock_latency_ms);
    snprintf (agents, sizeof agents, "%u", self->options.agents);
    const char *argv [ARGS_MAX] = {
        "--latency-ms", latency, "--agents", agents, "--log-level", "warn"
    };
    bb_child_args_append (argv, ARGS_MAX, self->options.mock_args);
    self->mock = bb_mock_process_new (argv, START_MS);
}

static void
s_start_store (e2e_world_t *self)
{
    char data [PATH_SIZE + 16];
    snprintf (data, sizeof data, "%s/store", self->dir);
    const char *argv [] = {
        "--data-dir", data, "--ingest-bind", self->ingest,
        "--query-bind", self->query, "--events-bind", self->events,
        "--map-size-mb", "64", NULL
    };
    self->store = s_start ("balboard-store", argv, NULL, self->query_port);
}

static void
s_start_scheduler (e2e_world_t *self, const char *const *extra)
{
    char data [PATH_SIZE + 16], chunk [24];
    snprintf (data, sizeof data, "%s/scheduler", self->dir);
    snprintf (chunk, sizeof chunk, "%u", self->options.chunk_size);
    const char *argv [ARGS_MAX] = {
        "--data-dir", data, "--jobs-bind", self->jobs,
        "--control-bind", self->control, "--store-query", self->query,
        "--store-events", self->events,
        "--chunk-size", chunk, "--heartbeat-ms", HEARTBEAT_MS,
        "--alarm-active-ms", "600000", "--alarm-idle-ms", "600000",
        "--job-deadline-ms", "10000", "--store-timeout-ms", "1000",
        "--hiro-rpm", "0", "--mempool-rpm", "0", "--price-rpm", "0"
    };
    bb_mock_urls_t urls;
    bb_mock_process_urls (self->mock, &urls);
    const char *registry [] = { "--registry-url", urls.registry, NULL };
    if (self->options.registry)
        bb_child_args_append (argv, ARGS_MAX, registry);
    bb_child_args_append (argv, ARGS_MAX, self->options.scheduler_args);
    bb_child_args_append (argv, ARGS_MAX, extra);
    self->scheduler = s_start ("balboard-scheduler", argv, NULL,
                               self->control_port);
}

void
e2e_world_start_scheduler (e2e_world_t *self, const char *const *extra)
{
    s_start_scheduler (self, extra);
    assert_non_null (self->scheduler);
}

//  Start the mock, the store and the scheduler; one that cannot bind its
//  free port (taken meanwhile) is tried again on new ports.
static void
s_start_servers (e2e_world_t *self)
{
    s_start_mock (self);
    for (int tries = 0; !self->store && tries < START_TRIES; tries++) {
        if (tries) {
            s_endpoint (self->ingest, &self->ingest_port);
            s_endpoint (self->query, &self->query_port);
            s_endpoint (self->events, &self->events_port);
        }
        s_start_store (self);
    }
    for (int tries = 0; !self->scheduler && tries < START_TRIES; tries++) {
        if (tries) {
            s_endpoint (self->jobs, &self->jobs_port);
            s_endpoint (self->control, &self->control_port);
        }
        s_start_scheduler (self, (const char *const []) { "--paused",
                                                          NULL });
    }
    assert_non_null (self->mock);
    assert_non_null (self->store);
    assert_non_null (self->scheduler);
}

//  The gateway in front of the store and the scheduler, on a free port
//  (tried again on a new one if it was taken meanwhile).
static void
s_start_gateway (e2e_world_t *self)
{
    for (int tries = 0; !self->gateway && tries < START_TRIES; tries++) {
        self->http_port = s_port ();
        char bind [ENDPOINT_SIZE];
        snprintf (bind, sizeof bind, "127.0.0.1:%d", self->http_port);
        const char *argv [] = {
            "--http-bind", bind, "--store-query", self->query,
            "--scheduler-control", self->control,
            "--store-events", self->events, "--threads", "1",
            "--page-cache-ttl-ms", "0", "--log-level", "warn", NULL
        };
        self->gateway = s_start ("balboard-gateway", argv, NULL,
                                 self->http_port);
    }
    assert_non_null (self->gateway);
}

char *
e2e_world_metrics (e2e_world_t *self)
{
    assert_non_null (self->gateway);
    char url [ENDPOINT_SIZE];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/metrics",
              self->http_port);
    bb_http_exchange_t *exchange = bb_http_exchange_get (url, NULL,
                                                         HTTP_TIMEOUT_MS);
    assert_int_equal (bb_http_exchange_status (exchange), 200);
    char *text = strdup (bb_http_exchange_body (exchange));
    bb_http_exchange_destroy (&exchange);
    assert_non_null (text);
    return text;
}

size_t
e2e_world_add_fetcher (e2e_world_t *self)
{
    assert_true (self->fetcher_count < E2E_FETCHERS_MAX);
    size_t index = self->fetcher_count++;
    snprintf (self->fetcher_ids [index], sizeof self->fetcher_ids [index],
              "f%zu", index);
    char id [48];
    snprintf (id, sizeof id, "BALBOARD_FETCHER_ID=%s",
              self->fetcher_ids [index]);
    bb_mock_fetcher_env_t fetcher;
    bb_mock_process_fetcher_env (self->mock, self->jobs, self->ingest,
                                 &fetcher);
    const char *env [10] = { id, "BALBOARD_HEARTBEAT_MS=" HEARTBEAT_MS };
    bb_child_args_append (env, 10, fetcher.list);
    self->fetchers [index] = s_start ("balboard-fetcher",
                                      self->options.fetcher_args, env, 0);
    return index;
}

const char *
e2e_world_fetcher_id (e2e_world_t *self, size_t index)
{
    assert_true (index < self->fetcher_count);
    return self->fetcher_ids [index];
}

void
e2e_world_signal_fetcher (e2e_world_t *self, size_t index, int signum)
{
    assert_true (index < self->fetcher_count && self->fetchers [index]);
    assert_int_equal (bb_child_signal (self->fetchers [index],
                                       signum), 0);
    int rc = bb_child_wait (self->fetchers [index], STOP_MS);
    assert_true (rc >= 0);
    bb_child_destroy (&self->fetchers [index]);
}

void
e2e_world_signal_fetcher_nowait (e2e_world_t *self, size_t index,
                                 int signum)
{
    assert_true (index < self->fetcher_count && self->fetchers [index]);
    assert_int_equal (bb_child_signal (self->fetchers [index],
                                       signum), 0);
}

void
e2e_world_kill_scheduler (e2e_world_t *self)
{
    assert_int_equal (bb_child_stop (self->scheduler, SIGKILL,
                                     STOP_MS), 128 + SIGKILL);
    bb_child_destroy (&self->scheduler);
}

void
e2e_world_kill_store (e2e_world_t *self)
{
    assert_int_equal (bb_child_stop (self->store, SIGKILL, STOP_MS),
                      128 + SIGKILL);
    bb_child_destroy (&self->store);
    s_start_store (self);
    assert_non_null (self->store);
}

//  ---------------------------------------------------------------------
//  World

//  A client on each socket the tests talk to: the store's ingest and
//  query sockets, the scheduler's control socket.
static void
s_connect (e2e_world_t *self)
{
    self->ingest_client = bb_client_new (self->ingest, CLIENT_TIMEOUT_MS);
    self->query_client = bb_client_new (self->query, CLIENT_TIMEOUT_MS);
    self->control_client = bb_client_new (self->control, CLIENT_TIMEOUT_MS);
    assert_non_null (self->ingest_client);
    assert_non_null (self->query_client);
    assert_non_null (self->control_client);
}

static void
s_disconnect (e2e_world_t *self)
{
    bb_client_destroy (&self->control_client);
    bb_client_destroy (&self->query_client);
    bb_client_destroy (&self->ingest_client);
}

//  Stop every process, the last started first: each must exit 0.
static void
s_stop_all (e2e_world_t *self)
{
    s_stop (&self->gateway, "gateway");
    for (size_t i = 0; i < self->fetcher_count; i++)
        s_stop (&self->fetchers [i], self->fetcher_ids [i]);
    s_stop (&self->scheduler, "scheduler");
    s_stop (&self->store, "store");
    s_stop_mock (self);
}

e2e_world_t *
e2e_world_new (const e2e_options_t *options)
{
    static int worlds;
    e2e_world_t *self = calloc (1, sizeof *self);
    assert_non_null (self);
    self->options = *options;
    if (!self->options.chunk_size)
        self->options.chunk_size = 100;
    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    snprintf (self->dir, sizeof self->dir, "%s/world-%d-%d",
              scratch ? scratch : "/tmp/balboard-e2e", (int) getpid (),
              worlds++);
    s_endpoint (self->ingest, &self->ingest_port);
    s_endpoint (self->query, &self->query_port);
    s_endpoint (self->events, &self->events_port);
    s_endpoint (self->jobs, &self->jobs_port);
    s_endpoint (self->control, &self->control_port);
    s_start_servers (self);
    if (options->gateway)
        s_start_gateway (self);
    s_connect (self);
    if (options->agents && !options->registry)
        e2e_world_import (self, 0, options->agents);
    for (unsigned i = 0; i < options->fetchers; i++)
        e2e_world_add_fetcher (self);
    if (options->fetchers)
        e2e_world_wait_fetchers (self, options->fetchers);
    return self;
}

e2e_world_t *
e2e_world_new_going (const e2e_options_t *options)
{
    e2e_world_t *self = e2e_world_new (options);
    e2e_world_go (self);
    return self;
}

void
e2e_world_destroy (e2e_world_t **self_p)
{
    assert_non_null (self_p);
    if (*self_p) {
        s_disconnect (*self_p);
        s_stop_all (*self_p);
        free (*self_p);
        *self_p = NULL;
    }
}

//  ---------------------------------------------------------------------
//  Registry

void
e2e_world_import (e2e_world_t *self, unsigned first, unsigned count)
{
    assert_int_equal (bb_sample_agents_upsert (self->ingest_client, first,
                                               count, NULL), 0);
}

void
e2e_world_remove (e2e_world_t *self, unsigned index)
{
    bb_mock_agent_t sample;
    bb_mockdata_agent (index, &sample);
    const char *stx [1] = { sample.stx_address };
    bb_envelope_t *reply = NULL;
    assert_int_equal (bb_client_agent_remove (self->ingest_client, stx, 1,
                                              &reply), 0);
    assert_int_equal (reply->agent_ack->removed, 1);
    bb_wire_envelope_destroy (&reply);
}

//  ---------------------------------------------------------------------
//  Scheduler

//  A request (what) through client returned rc: it must have been
//  answered (0); if not, client's reason goes to stderr.
static void
s_answered (bb_client_t *client, const char *what, int rc)
{
    if (rc)
        fprintf (stderr, "e2e: %s: %s\n", what, bb_client_reason (client));
    assert_int_equal (rc, 0);
}

bb_envelope_t *
e2e_world_control (e2e_world_t *self,
                   Balboard__SchedulerControl__Command command)
{
    bb_envelope_t *reply = NULL;
    s_answered (self->control_client, "control",
                bb_client_scheduler_control (self->control_client, command,
                                             &reply));
    return reply;
}

bb_envelope_t *
e2e_world_sync (e2e_world_t *self, bool confirm)
{
    bb_envelope_t *reply = NULL;
    s_answered (self->control_client, "sync",
                bb_client_scheduler_sync (self->control_client, confirm,
                                          &reply));
    return reply;
}

bb_envelope_t *
e2e_world_status (e2e_world_t *self)
{
    return e2e_world_control (self,
                              BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS);
}

bb_envelope_t *
e2e_world_wait_status (e2e_world_t *self, const char *what,
                       e2e_status_fn *condition, void *arg, int timeout_ms)
{
    int64_t until = bb_clock_mono_ms () + timeout_ms;
    while (true) {
        bb_envelope_t *reply = e2e_world_status (self);
        if (condition (reply->scheduler_status, arg))
            return reply;
        bb_wire_envelope_destroy (&reply);
        if (bb_clock_mono_ms () >= until)
            fail_msg ("e2e: no %s within %d ms", what, timeout_ms);
        bb_clock_sleep_ms (POLL_MS);
    }
}

//  Waits on the status for one of its counters to reach *arg.
static bool
s_fetchers_ready (const Balboard__SchedulerStatus *status, void *arg)
{
    return status->fetchers_ready >= *(size_t *) arg;
}

static bool
s_rotations_completed (const Balboard__SchedulerStatus *status, void *arg)
{
    return status->rotations_completed >= *(uint64_t *) arg;
}

static bool
s_rotation_done (const Balboard__SchedulerStatus *status, void *arg)
{
    return status->rotation_done >= *(uint32_t *) arg;
}

void
e2e_world_wait_fetchers (e2e_world_t *self, size_t fetchers)
{
    bb_envelope_t *reply = e2e_world_wait_status (
        self, "fetchers ready", s_fetchers_ready, &fetchers,
        FETCHERS_WAIT_MS);
    bb_wire_envelope_destroy (&reply);
}

void
e2e_world_go (e2e_world_t *self)
{
    bb_envelope_t *reply = e2e_world_control (
        self, BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME);
    bb_wire_envelope_destroy (&reply);
    reply = e2e_world_control (self,
                               BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK);
    bb_wire_envelope_destroy (&reply);
}

void
e2e_world_wait_rotations (e2e_world_t *self, uint64_t rotations,
                          int timeout_ms)
{
    bb_envelope_t *reply = e2e_world_wait_status (
        self, "rotations completed", s_rotations_completed, &rotations,
        timeout_ms);
    bb_wire_envelope_destroy (&reply);
}

bb_envelope_t *
e2e_world_wait_done (e2e_world_t *self, uint32_t done, int timeout_ms)
{
    return e2e_world_wait_status (self, "agents done", s_rotation_done,
                                  &done, timeout_ms);
}

//  ---------------------------------------------------------------------
//  Store

const char *const *
e2e_world_cli_args (e2e_world_t *self)
{
    self->cli_args [0] = "--store-query";
    self->cli_args [1] = self->query;
    self->cli_args [2] = "--scheduler-control";
    self->cli_args [3] = self->control;
    self->cli_args [4] = NULL;
    return self->cli_args;
}

void
e2e_world_registry_url (e2e_world_t *self, char *url)
{
    bb_mock_urls_t urls;
    bb_mock_process_urls (self->mock, &urls);
    snprintf (url, BB_MOCK_PROCESS_URL_SIZE, "%s", urls.registry);
}

bb_envelope_t *
e2e_world_stats (e2e_world_t *self)
{
    bb_envelope_t *reply = NULL;
    assert_int_equal (bb_client_stats (self->query_client, &reply), 0);
    return reply;
}

bb_envelope_t *
e2e_world_dashboard (e2e_world_t *self, int64_t offset, int64_t limit)
{
    bb_envelope_t *reply = NULL;
    s_answered (self->query_client, "dashboard",
                bb_client_dashboard (self->query_client, offset, limit,
                                     &reply));
    return reply;
}

int
e2e_world_fetch_state (e2e_world_t *self, unsigned index)
{
    bb_mock_agent_t agent;
    bb_mockdata_agent (index, &agent);
    bb_envelope_t *reply = NULL;
    int rc = bb_client_agent (self->query_client, agent.stx_address, 0,
                              &reply);
    if (rc == BB_CLIENT_ERROR_REPLY
    &&  bb_client_error_code (self->query_client)
        == BALBOARD__ERROR_REPLY__CODE__NOT_FOUND)
        return -1;
    assert_int_equal (rc, 0);
    int fetch_state = reply->agent_detail->row->fetch_state;
    bb_wire_envelope_destroy (&reply);
    return fetch_state;
}

//  ---------------------------------------------------------------------
//  Mock upstream

void
e2e_world_mock_control (e2e_world_t *self, const char *body)
{
    assert_int_equal (bb_mock_process_control (self->mock, body,
                                               HTTP_TIMEOUT_MS), 0);
}

json_t *
e2e_world_mock_stats (e2e_world_t *self)
{
    json_t *stats = bb_mock_process_stats (self->mock, HTTP_TIMEOUT_MS);
    assert_non_null (stats);
    return stats;
}

json_int_t
e2e_world_mock_count (e2e_world_t *self, const char *key, ...)
{
    va_list keys;
    va_start (keys, key);
    long count = bb_mock_process_count_v (self->mock, HTTP_TIMEOUT_MS, key,
                                          keys);
    va_end (keys);
    assert_true (count >= 0);
    return count;
}

//  ---------------------------------------------------------------------
//  Test suites

int
e2e_world_setup_suite (void **state)
{
    return curl_global_init (CURL_GLOBAL_DEFAULT) == CURLE_OK? 0: -1;
}

int
e2e_world_teardown_suite (void **state)
{
    curl_global_cleanup ();
    return 0;
}

//  ---------------------------------------------------------------------
//  The dashboard against the mock's data

//  One priced or listed position the store must show.
typedef struct {
    const char *token_id;
    char balance [BB_U128_DEC_SIZE];
    const char *source;
} position_t;

//  The non-zero positions of sample agent into positions (room for
//  BB_MOCK_FT_MAX + 2); returns how many, and the agent's total at
//  the prices.
static size_t
s_positions (const bb_mock_agent_t *agent, position_t *positions,
             int64_t btc_price, int64_t stx_price, int64_t *total)
{
    size_t count = 0;
    *total = 0;
    bb_mock_btc_t btc;
    bb_mockdata_btc (agent->btc_address, &btc);
    uint64_t sats = bb_mockdata_btc_balance (&btc);
    if (sats) {
        position_t *position = &positions [count++];
        position->token_id = "btc-l1";
        bb_u128_format (sats, position->balance);
        position->source = "mempool.space";
        *total += bb_u128_usd_micro (sats, 8, btc_price);
    }
    bb_mock_hiro_t hiro;
    bb_mockdata_hiro (agent->stx_address, &hiro);
    bb_u128_t amount;
    const char *reason;
    assert_int_equal (bb_u128_parse (hiro.stx_balance, &amount, &reason), 0);
    if (amount) {
        position_t *position = &positions [count++];
        position->token_id = "stx";
        bb_u128_format (amount, position->balance);
        position->source = "hiro";
        *total += bb_u128_usd_micro (amount, 6, stx_price);
    }
    for (size_t i = 0; i < hiro.ft_count; i++) {
        assert_int_equal (bb_u128_parse (hiro.ft [i].balance, &amount,
                                         &reason), 0);
        if (!amount)
            continue;
        position_t *position = &positions [count++];
        position->token_id = hiro.ft [i].asset_id;
        bb_u128_format (amount, position->balance);
        position->source = "hiro";
        if (streq (hiro.ft [i].asset_id, BB_TOKEN_ID_SBTC))
            *total += bb_u128_usd_micro (amount, 8, btc_price);
    }
    return count;
}

static void
s_check_row (const Balboard__DashboardRow *row, const bb_mock_agent_t *agent,
             int64_t btc_price, int64_t stx_price)
{
    position_t positions [BB_MOCK_FT_MAX + 2];
    int64_t total;
    size_t count = s_positions (agent, positions, btc_price, stx_price,
                                &total);
    assert_string_equal (row->agent->btc_address, agent->btc_address);
    assert_int_equal (row->fetch_state,
                      BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK);
    if (row->n_tokens != count)
        fail_msg ("e2e: %s shows %zu tokens, the mock holds %zu",
                  agent->stx_address, row->n_tokens, count);
    for (size_t i = 0; i < count; i++) {
        const Balboard__TokenPosition *token = NULL;
        for (size_t j = 0; j < row->n_tokens; j++)
            if (streq (row->tokens [j]->token_id, positions [i].token_id))
                token = row->tokens [j];
        if (!token)
            fail_msg ("e2e: %s lacks %s", agent->stx_address,
                      positions [i].token_id);
        assert_string_equal (token->balance, positions [i].balance);
        assert_string_equal (token->source, positions [i].source);
        assert_false (token->stale);
    }
    if (llabs (row->total_usd_micro - total) > TOTAL_TOLERANCE)
        fail_msg ("e2e: %s total %" PRId64 ", expected %" PRId64,
                  agent->stx_address, row->total_usd_micro, total);
}

static void
s_agent_free (void **item_p)
{
    free (*item_p);
    *item_p = NULL;
}

//  True if sample agent index is in removed.
static bool
s_removed (unsigned index, const unsigned *removed, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (removed [i] == index)
            return true;
    return false;
}

void
e2e_world_check_dashboard (e2e_world_t *self, unsigned agents,
                           const unsigned *removed, size_t count)
{
    zhashx_t *expected = zhashx_new ();     // stx -> bb_mock_agent_t
    zhashx_set_destructor (expected, s_agent_free);
    for (unsigned i = 0; i < agents; i++) {
        if (s_removed (i, removed, count))
            continue;
        bb_mock_agent_t *agent = malloc (sizeof *agent);
        assert_non_null (agent);
        bb_mockdata_agent (i, agent);
        zhashx_insert (expected, agent->stx_address, agent);
    }
    int64_t btc_price = llround (atof (BB_MOCK_BTC_USD_DEFAULT) * 1e6);
    int64_t stx_price = llround (atof (BB_MOCK_STX_USD_DEFAULT) * 1e6);
    int64_t previous_total = INT64_MAX;
    char previous_stx [BB_MOCK_STX_ADDRESS_SIZE] = "";
    uint64_t seen = 0;
    for (bool more = true; more; ) {
        bb_envelope_t *reply = e2e_world_dashboard (self, (int64_t) seen,
                                                    PAGE_LIMIT);
        const Balboard__DashboardPage *page = reply->dashboard_page;
        assert_non_null (page->prices);
        assert_int_equal (page->prices->btc_usd_micro, btc_price);
        assert_int_equal (page->prices->stx_usd_micro, stx_price);
        assert_int_equal (page->total, zhashx_size (expected));
        for (size_t i = 0; i < page->n_rows; i++) {
            const Balboard__DashboardRow *row = page->rows [i];
            const char *stx = row->agent->stx_address;
            bb_mock_agent_t *agent = (bb_mock_agent_t *) zhashx_lookup (
                expected, stx);
            if (!agent)
                fail_msg ("e2e: %s on the dashboard, not expected", stx);
            assert_int_equal (row->rank, seen + i + 1);
            s_check_row (row, agent, btc_price, stx_price);
            //  ranked by total, then by STX address
            bool in_order = row->total_usd_micro < previous_total
                || (row->total_usd_micro == previous_total
                    && strcmp (stx, previous_stx) > 0);
            if (!in_order)
                fail_msg ("e2e: rank %" PRIu64 " (%s) out of order",
                          row->rank, stx);
            previous_total = row->total_usd_micro;
            snprintf (previous_stx, sizeof previous_stx, "%s", stx);
        }
        seen += page->n_rows;
        more = page->has_more;
        assert_true (page->n_rows > 0 || !more);
        bb_wire_envelope_destroy (&reply);
    }
    assert_int_equal (seen, zhashx_size (expected));
    zhashx_destroy (&expected);
}

//  ---------------------------------------------------------------------
//  Agent detail

bb_envelope_t *
e2e_world_agent (e2e_world_t *self, unsigned index)
{
    bb_mock_agent_t agent;
    bb_mockdata_agent (index, &agent);
    bb_envelope_t *reply = NULL;
    assert_int_equal (bb_client_agent (self->query_client, agent.stx_address,
                                       0, &reply), 0);
    return reply;
}
