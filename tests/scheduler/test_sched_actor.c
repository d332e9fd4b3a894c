/*  test_sched_actor - the balboard-scheduler process against a store and
    fetchers played by the test over the real sockets.

    The fake store answers AgentsPageRequest from a sorted list the test
    edits; each fake fetcher is a DEALER that says READY, heartbeats, and
    either reports its jobs at once (with the upstream counts the test
    sets) or holds one, dropping any other that comes meanwhile (as the
    real fetcher does). Every ChunkJob any fetcher receives is logged, so
    the tests check exactly which agents went out, how often, in which
    attempt and to whom: each chunk once per rotation, re-dispatch with
    attempt + 1 after a death, a missed deadline or a kill -9 of the
    scheduler, the interval mode, Retry-After pauses, budgets, pause and
    resume, agents added and removed mid-rotation, the page asked for
    ahead while the fetchers are busy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "bb_test_main.h"
#include "bb_client.h"
#include "bb_child.h"
#include "bb_port.h"
#include "bb_upstream.h"
#include "bb_wire.h"

#define HEARTBEAT_MS        100
#define POLL_MS             5
#define START_TIMEOUT_MS    5000
#define CLIENT_TIMEOUT_MS   2000
#define WAIT_MS             30000       // a condition not met: a hang
#define MAX_AGENTS          400
#define MAX_FETCHERS        4
#define MAX_DISPATCHES      400
#define MAX_PAGES           400
#define ADDRESS_SIZE        48
#define MS_PER_S            1000

//  ---------------------------------------------------------------------
//  The fake world

typedef struct {
    char id [32];
    zsock_t *dealer;
    bool alive;                 // heartbeats and answers
    bool auto_report;           // reports each job at once
    bool deaf;                  // jobs never reach it (a replaced socket)
    const char *busy_override;  // heartbeats say busy with this job
    uint32_t hiro_failures;     // per report
    uint32_t mempool_failures;
    uint32_t mempool_429;
    uint32_t mempool_retry_after_s;
    uint32_t mempool_retry_wait_ms;
    zlistx_t *held;             // jobs received, not reported (envelopes)
    int64_t next_heartbeat;
    size_t jobs_received;
} fetcher_t;

typedef struct {
    char job_id [32];
    uint32_t attempt;
    uint64_t rotation;
    uint32_t agents;
    bool fetch_prices;
    uint32_t hiro_requests_max;
    bool mempool;               // the job asks mempool.space
    char first [ADDRESS_SIZE];  // first and last stx of the chunk
    char last [ADDRESS_SIZE];
    char fetcher [32];
    int64_t at_ms;
} dispatch_t;

typedef struct {
    int jobs_port, control_port, store_port;
    char data_dir [512];
    bb_child_t *scheduler;
    bb_client_t *control;
    zsock_t *store;             // ROUTER the scheduler's DEALER talks to
    char agents [MAX_AGENTS][ADDRESS_SIZE];     // sorted
    size_t agent_count;
    size_t pages_served;
    char page_after [MAX_PAGES][ADDRESS_SIZE];  // each page's cursor
    fetcher_t fetchers [MAX_FETCHERS];
    size_t fetcher_count;
    dispatch_t dispatches [MAX_DISPATCHES];
    size_t dispatch_count;
    uint32_t seen [MAX_AGENTS]; // times each agent index was dispatched
    size_t registry_jobs;       // RegistryJobs received
    char registry_job [32];     // the latest one's id, attempt, ...
    uint32_t registry_attempt;
    uint64_t registry_generation;
    bool registry_confirm;
    uint64_t registry_awaited;  // the generation s_registry_synced awaits
    bb_envelope_t *reply;       // the latest control reply
} world_t;

static int64_t
s_now (void)
{
    return zclock_time ();
}

static void
s_agent_name (unsigned index, char *name)
{
    snprintf (name, ADDRESS_SIZE, "SP%05u", index);
}

//  Index of agent stx in the fixed numbering, from its name.
static unsigned
s_agent_index (const char *stx)
{
    return (unsigned) strtoul (stx + 2, NULL, 10);
}

static void
s_agents_insert (world_t *world, unsigned index)
{
    char name [ADDRESS_SIZE];
    s_agent_name (index, name);
    size_t at = 0;
    while (at < world->agent_count && strcmp (world->agents [at], name) < 0)
        at++;
    memmove (world->agents [at + 1], world->agents [at],
             (world->agent_count - at) * ADDRESS_SIZE);
    snprintf (world->agents [at], ADDRESS_SIZE, "%s", name);
    world->agent_count++;
}

static void
s_agents_remove (world_t *world, unsigned index)
{
    char name [ADDRESS_SIZE];
    s_agent_name (index, name);
    for (size_t at = 0; at < world->agent_count; at++)
        if (streq (world->agents [at], name)) {
            memmove (world->agents [at], world->agents [at + 1],
                     (world->agent_count - at - 1) * ADDRESS_SIZE);
            world->agent_count--;
            return;
        }
}

//  ---------------------------------------------------------------------
//  The scheduler process

static void
s_scheduler_start (world_t *world, const char *const *extra)
{
    char *path = bb_child_bin_path ("balboard-scheduler");
    assert_non_null (path);
    char jobs [64], control [64], store [64];
    snprintf (jobs, sizeof jobs, "tcp://127.0.0.1:%d", world->jobs_port);
    snprintf (control, sizeof control, "tcp://127.0.0.1:%d",
              world->control_port);
    snprintf (store, sizeof store, "tcp://127.0.0.1:%d", world->store_port);
    const char *argv [40] = {
        path, "--data-dir", world->data_dir, "--jobs-bind", jobs,
        "--control-bind", control, "--store-query", store,
        "--store-events", "", "--heartbeat-ms", "100", "--store-timeout-ms", "500",
        "--alarm-active-ms", "60000", "--alarm-idle-ms", "60000",
        "--hiro-rpm", "0", "--mempool-rpm", "0", "--price-rpm", "0",
        "--log-level", "debug"
    };
    size_t argc = 0;
    while (argv [argc])
        argc++;
    for (size_t i = 0; extra && extra [i]; i++)
        argv [argc++] = extra [i];
    argv [argc] = NULL;
    world->scheduler = bb_child_new (argv, NULL);
    free (path);
    assert_non_null (world->scheduler);
    assert_int_equal (bb_child_wait_port (world->scheduler,
                                                 world->control_port,
                                                 START_TIMEOUT_MS), 0);
}

//  ---------------------------------------------------------------------
//  Fake fetchers

static void
s_envelope_free (void **item_p)
{
    bb_wire_envelope_destroy ((bb_envelope_t **) item_p);
}

//  Send message, the envelope's body of kind body, to the scheduler.
static void
s_fetcher_send (fetcher_t *fetcher, Balboard__Envelope__BodyCase body,
                void *message)
{
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.body_case = body;
    envelope.fetcher_ready = message;   // every body shares the union
    assert_int_equal (bb_wire_send (fetcher->dealer, NULL, &envelope), 0);
}

//  The job fetcher says it runs ("" when idle).
static char *
s_fetcher_busy (fetcher_t *fetcher)
{
    if (fetcher->busy_override)
        return (char *) fetcher->busy_override;
    bb_envelope_t *held = (bb_envelope_t *) zlistx_first (fetcher->held);
    return held ? held->chunk_job->job_id : "";
}

static void
s_fetcher_ready (fetcher_t *fetcher)
{
    Balboard__FetcherReady ready = BALBOARD__FETCHER_READY__INIT;
    ready.fetcher_id = fetcher->id;
    ready.max_concurrency = 8;
    ready.busy_job_id = s_fetcher_busy (fetcher);
    s_fetcher_send (fetcher, BALBOARD__ENVELOPE__BODY_FETCHER_READY, &ready);
}

static fetcher_t *
s_fetcher_add (world_t *world, const char *id, bool auto_report)
{
    assert_true (world->fetcher_count < MAX_FETCHERS);
    fetcher_t *fetcher = &world->fetchers [world->fetcher_count++];
    memset (fetcher, 0, sizeof *fetcher);
    snprintf (fetcher->id, sizeof fetcher->id, "%s", id);
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, ">tcp://127.0.0.1:%d",
              world->jobs_port);
    fetcher->dealer = bb_wire_socket_new (ZMQ_DEALER, endpoint);
    assert_non_null (fetcher->dealer);
    fetcher->alive = true;
    fetcher->auto_report = auto_report;
    fetcher->held = zlistx_new ();
    zlistx_set_destructor (fetcher->held, s_envelope_free);
    s_fetcher_ready (fetcher);
    return fetcher;
}

static void
s_fetcher_heartbeat (fetcher_t *fetcher)
{
    Balboard__FetcherHeartbeat heartbeat = BALBOARD__FETCHER_HEARTBEAT__INIT;
    heartbeat.fetcher_id = fetcher->id;
    heartbeat.busy_job_id = s_fetcher_busy (fetcher);
    s_fetcher_send (fetcher, BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT,
                    &heartbeat);
}

static void
s_fetcher_send_report (fetcher_t *fetcher, Balboard__JobReport *report)
{
    s_fetcher_send (fetcher, BALBOARD__ENVELOPE__BODY_JOB_REPORT, report);
}

//  Report job as done (the store committed it) with the fetcher's counts.
static void
s_fetcher_report (fetcher_t *fetcher, const Balboard__ChunkJob *job)
{
    Balboard__UpstreamReport upstreams [3];
    Balboard__UpstreamReport *pointers [3];
    Balboard__Upstream names [3] = {
        BALBOARD__UPSTREAM__UPSTREAM_HIRO,
        BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL,
        BALBOARD__UPSTREAM__UPSTREAM_PRICE
    };
    for (int u = 0; u < 3; u++) {
        balboard__upstream_report__init (&upstreams [u]);
        upstreams [u].upstream = names [u];
        upstreams [u].requests = (uint32_t) job->n_agents;
        pointers [u] = &upstreams [u];
    }
    upstreams [0].failures = fetcher->hiro_failures;
    upstreams [0].endpoint = "v1";
    upstreams [1].failures = fetcher->mempool_failures;
    upstreams [1].rate_limited = fetcher->mempool_429;
    upstreams [1].retry_after_s = fetcher->mempool_retry_after_s;
    upstreams [1].retry_wait_ms = fetcher->mempool_retry_wait_ms;
    upstreams [2].requests = job->fetch_prices ? 1 : 0;
    Balboard__JobReport report = BALBOARD__JOB_REPORT__INIT;
    report.job_id = job->job_id;
    report.attempt = job->attempt;
    report.fetcher_id = fetcher->id;
    report.agents_ok = (uint32_t) job->n_agents;
    report.store_status = BALBOARD__ACK_STATUS__ACK_COMMITTED;
    report.n_upstreams = 3;
    report.upstreams = pointers;
    s_fetcher_send_report (fetcher, &report);
}

//  Report a registry job as synced: the store applied it, 3 added.
static void
s_fetcher_report_sync (fetcher_t *fetcher, const Balboard__RegistryJob *job)
{
    Balboard__RegistrySyncReport sync = BALBOARD__REGISTRY_SYNC_REPORT__INIT;
    sync.generation = job->generation;
    sync.outcome = BALBOARD__SYNC_OUTCOME__SYNC_APPLIED;
    sync.source = job->source;
    sync.added = 3;
    sync.pages = 1;
    Balboard__UpstreamReport registry = BALBOARD__UPSTREAM_REPORT__INIT;
    registry.upstream = BALBOARD__UPSTREAM__UPSTREAM_REGISTRY;
    registry.requests = 1;
    Balboard__UpstreamReport *pointers [] = { &registry };
    Balboard__JobReport report = BALBOARD__JOB_REPORT__INIT;
    report.job_id = job->job_id;
    report.attempt = job->attempt;
    report.fetcher_id = fetcher->id;
    report.n_upstreams = 1;
    report.upstreams = pointers;
    report.registry = &sync;
    s_fetcher_send_report (fetcher, &report);
}

//  Note the registry job a fetcher received and report it if it does.
static void
s_fetcher_sync (world_t *world, fetcher_t *fetcher,
                const Balboard__RegistryJob *job)
{
    world->registry_jobs++;
    snprintf (world->registry_job, sizeof world->registry_job, "%s",
              job->job_id);
    world->registry_attempt = job->attempt;
    world->registry_generation = job->generation;
    world->registry_confirm = job->confirm;
    if (fetcher->auto_report)
        s_fetcher_report_sync (fetcher, job);
}

//  Report every job fetcher holds, oldest first.
static void
s_fetcher_release (fetcher_t *fetcher)
{
    bb_envelope_t *envelope;
    while ((envelope = (bb_envelope_t *) zlistx_detach (fetcher->held,
                                                         NULL))) {
        s_fetcher_report (fetcher, envelope->chunk_job);
        bb_wire_envelope_destroy (&envelope);
    }
}

static void
s_log_dispatch (world_t *world, fetcher_t *fetcher,
                const Balboard__ChunkJob *job)
{
    assert_true (world->dispatch_count < MAX_DISPATCHES);
    dispatch_t *entry = &world->dispatches [world->dispatch_count++];
    snprintf (entry->job_id, sizeof entry->job_id, "%s", job->job_id);
    entry->attempt = job->attempt;
    entry->rotation = job->rotation;
    entry->agents = (uint32_t) job->n_agents;
    entry->fetch_prices = job->fetch_prices;
    entry->hiro_requests_max = job->hiro_requests_max;
    entry->mempool = job->n_sources == 0;
    for (size_t i = 0; i < job->n_sources; i++)
        entry->mempool |= job->sources [i]
                       == BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL;
    snprintf (entry->fetcher, sizeof entry->fetcher, "%s", fetcher->id);
    entry->at_ms = s_now ();
    if (job->n_agents) {
        snprintf (entry->first, ADDRESS_SIZE, "%s",
                  job->agents [0]->stx_address);
        snprintf (entry->last, ADDRESS_SIZE, "%s",
                  job->agents [job->n_agents - 1]->stx_address);
    }
    for (size_t i = 0; i < job->n_agents; i++) {
        unsigned index = s_agent_index (job->agents [i]->stx_address);
        assert_true (index < MAX_AGENTS);
        world->seen [index]++;
    }
}

static void
s_fetcher_recv (world_t *world, fetcher_t *fetcher)
{
    bb_wire_msg_t msg = { 0 };
    bb_wire_result_t result = bb_wire_recv (fetcher->dealer, &msg);
    assert_int_equal (result, BB_WIRE_OK);
    bb_envelope_t *envelope = msg.envelope;
    if (envelope->body_case == BALBOARD__ENVELOPE__BODY_CHUNK_JOB
    &&  fetcher->alive && !fetcher->deaf) {
        fetcher->jobs_received++;
        s_log_dispatch (world, fetcher, envelope->chunk_job);
        if (fetcher->auto_report)
            s_fetcher_report (fetcher, envelope->chunk_job);
        else
        if (zlistx_size (fetcher->held) == 0) {
            zlistx_add_end (fetcher->held, envelope);
            msg.envelope = NULL;
        }
    }
    else
    if (envelope->body_case == BALBOARD__ENVELOPE__BODY_REGISTRY_JOB
    &&  fetcher->alive && !fetcher->deaf)
        s_fetcher_sync (world, fetcher, envelope->registry_job);
    else
    if (envelope->body_case != BALBOARD__ENVELOPE__BODY_CHUNK_JOB
    &&  envelope->body_case != BALBOARD__ENVELOPE__BODY_REGISTRY_JOB)
        assert_int_equal (envelope->body_case,
                          BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT);
    bb_wire_msg_reset (&msg);
}

//  ---------------------------------------------------------------------
//  Fake store

static void
s_store_recv (world_t *world)
{
    bb_wire_msg_t msg = { 0 };
    assert_int_equal (bb_wire_recv (world->store, &msg), BB_WIRE_OK);
    bb_envelope_t *request = msg.envelope;
    assert_int_equal (request->body_case,
                      BALBOARD__ENVELOPE__BODY_AGENTS_PAGE_REQUEST);
    const char *after = request->agents_page_request->after_stx_address;
    uint32_t limit = request->agents_page_request->limit;
    assert_true (limit > 0);
    Balboard__Agent agents [MAX_AGENTS];
    Balboard__Agent *pointers [MAX_AGENTS];
    char btc [MAX_AGENTS][ADDRESS_SIZE + 8];
    size_t count = 0;
    for (size_t i = 0; i < world->agent_count && count < limit; i++) {
        if (strcmp (world->agents [i], after) <= 0)
            continue;
        balboard__agent__init (&agents [count]);
        agents [count].stx_address = world->agents [i];
        snprintf (btc [count], sizeof btc [count], "bc1q%s", world->agents [i]);
        agents [count].btc_address = btc [count];
        pointers [count] = &agents [count];
        count++;
    }
    Balboard__AgentsPage page = BALBOARD__AGENTS_PAGE__INIT;
    page.n_agents = count;
    page.agents = pointers;
    page.total = (uint32_t) world->agent_count;
    bb_envelope_t reply;
    bb_wire_envelope_init (&reply);
    reply.request_id = request->request_id;
    reply.body_case = BALBOARD__ENVELOPE__BODY_AGENTS_PAGE;
    reply.agents_page = &page;
    assert_int_equal (bb_wire_send (world->store, msg.peer, &reply), 0);
    if (world->pages_served < MAX_PAGES)
        snprintf (world->page_after [world->pages_served], ADDRESS_SIZE,
                  "%s", after);
    world->pages_served++;
    bb_wire_msg_reset (&msg);
}

//  ---------------------------------------------------------------------
//  Driving the world

//  Serve the store and the fetchers for ms.
static void
s_run (world_t *world, int ms)
{
    int64_t until = s_now () + ms;
    do {
        zpoller_t *poller = zpoller_new (world->store, NULL);
        for (size_t i = 0; i < world->fetcher_count; i++)
            if (world->fetchers [i].dealer)
                zpoller_add (poller, world->fetchers [i].dealer);
        void *which = zpoller_wait (poller, POLL_MS);
        zpoller_destroy (&poller);
        if (which == world->store)
            s_store_recv (world);
        for (size_t i = 0; i < world->fetcher_count; i++) {
            fetcher_t *fetcher = &world->fetchers [i];
            if (fetcher->dealer && which == fetcher->dealer)
                s_fetcher_recv (world, fetcher);
            if (fetcher->dealer && fetcher->alive
            &&  s_now () >= fetcher->next_heartbeat) {
                s_fetcher_heartbeat (fetcher);
                fetcher->next_heartbeat = s_now () + HEARTBEAT_MS;
            }
        }
    } while (s_now () < until);
}

//  The scheduler's status (caller destroys).
static bb_envelope_t *
s_control (world_t *world, Balboard__SchedulerControl__Command command)
{
    bb_envelope_t *reply = NULL;
    int rc = bb_client_scheduler_control (world->control, command, &reply);
    if (rc)
        fprintf (stderr, "control: %s\n", bb_client_reason (world->control));
    assert_int_equal (rc, 0);
    return reply;
}

typedef bool (predicate_fn) (world_t *world,
                             const Balboard__SchedulerStatus *status);

//  Send command; returns the status it answers with, owned by the world
//  until the next command.
static const Balboard__SchedulerStatus *
s_command (world_t *world, Balboard__SchedulerControl__Command command)
{
    bb_wire_envelope_destroy (&world->reply);
    world->reply = s_control (world, command);
    return world->reply->scheduler_status;
}

static const Balboard__SchedulerStatus *
s_status (world_t *world)
{
    return s_command (world, BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS);
}

//  Serve until predicate holds on the status, for up to WAIT_MS.
static void
s_run_until (world_t *world, predicate_fn *predicate)
{
    int64_t until = s_now () + WAIT_MS;
    while (!predicate (world, s_status (world))) {
        assert_true (s_now () < until);
        s_run (world, 20);
    }
}

static bool
s_one_rotation_complete (world_t *world,
                         const Balboard__SchedulerStatus *status)
{
    return status->rotations_completed >= 1;
}

static bool
s_two_fetchers_ready (world_t *world, const Balboard__SchedulerStatus *status)
{
    return status->fetchers_ready == 2;
}

static bool
s_two_rotations_complete (world_t *world,
                          const Balboard__SchedulerStatus *status)
{
    return status->rotations_completed >= 2;
}

static void
s_tick (world_t *world)
{
    s_command (world, BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK);
}

//  When a tick ran: after from_ms, before to_ms, as the test saw it.
typedef struct {
    int64_t from_ms;
    int64_t to_ms;
} span_t;

//  Tick now; returns the span the tick ran in (the request out, the
//  reply in), whatever the machine's speed.
static span_t
s_tick_span (world_t *world)
{
    span_t span = { .from_ms = s_now () };
    s_tick (world);
    span.to_ms = s_now ();
    return span;
}

//  True if the alarm, next_tick_ms, is interval_ms after a tick within
//  span: no bound on how long the test took since.
static bool
s_next_tick_after (uint64_t next_tick_ms, span_t span, uint64_t interval_ms)
{
    return next_tick_ms >= (uint64_t) span.from_ms + interval_ms
        && next_tick_ms <= (uint64_t) span.to_ms + interval_ms;
}

//  Dispatches of job_id (all attempts).
static size_t
s_dispatches_of (world_t *world, const char *job_id)
{
    size_t count = 0;
    for (size_t i = 0; i < world->dispatch_count; i++)
        count += streq (world->dispatches [i].job_id, job_id);
    return count;
}

static const dispatch_t *
s_last_dispatch_of (world_t *world, const char *job_id)
{
    const dispatch_t *found = NULL;
    for (size_t i = 0; i < world->dispatch_count; i++)
        if (streq (world->dispatches [i].job_id, job_id))
            found = &world->dispatches [i];
    return found;
}

static int
s_setup (void **state)
{
    world_t *world = calloc (1, sizeof *world);
    assert_non_null (world);
    world->jobs_port = bb_port_free ();
    world->control_port = bb_port_free ();
    world->store_port = bb_port_free ();
    assert_true (world->jobs_port > 0 && world->control_port > 0
                 && world->store_port > 0);
    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    static int run;
    snprintf (world->data_dir, sizeof world->data_dir, "%s/actor-%d-%d",
              scratch ? scratch : "/tmp/test_sched_actor", (int) getpid (),
              run++);
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "@tcp://127.0.0.1:%d",
              world->store_port);
    world->store = bb_wire_socket_new (ZMQ_ROUTER, endpoint);
    assert_non_null (world->store);
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d",
              world->control_port);
    world->control = bb_client_new (endpoint, CLIENT_TIMEOUT_MS);
    *state = world;
    return 0;
}

static int
s_teardown (void **state)
{
    world_t *world = (world_t *) *state;
    if (world->scheduler) {
        //  A clean stop is part of every test
        int rc = bb_child_stop (world->scheduler, SIGTERM, 5000);
        bb_child_destroy (&world->scheduler);
        assert_int_equal (rc, 0);
    }
    for (size_t i = 0; i < world->fetcher_count; i++) {
        zsock_destroy (&world->fetchers [i].dealer);
        zlistx_destroy (&world->fetchers [i].held);
    }
    bb_wire_envelope_destroy (&world->reply);
    bb_client_destroy (&world->control);
    zsock_destroy (&world->store);
    free (world);
    return 0;
}

static void
s_agents (world_t *world, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        s_agents_insert (world, i);
}

//  agents sample agents and two fetchers, "fa" and "fb", that report.
static void
s_two_fetchers (world_t *world, unsigned agents)
{
    s_agents (world, agents);
    s_fetcher_add (world, "fa", true);
    s_fetcher_add (world, "fb", true);
}

//  agents sample agents and one fetcher, "f", that reports.
static fetcher_t *
s_one_fetcher (world_t *world, unsigned agents)
{
    s_agents (world, agents);
    return s_fetcher_add (world, "f", true);
}

//  Once the rotation completed, job 1.0 went again (attempt 2) to
//  fetcher, and one fetcher is still busy.
static void
s_assert_redispatched (world_t *world, const char *fetcher)
{
    s_run_until (world, s_one_rotation_complete);
    const dispatch_t *again = s_last_dispatch_of (world, "1.0");
    assert_int_equal (again->attempt, 2);
    assert_string_equal (again->fetcher, fetcher);
    const Balboard__SchedulerStatus *status = s_status (world);
    assert_int_equal (status->fetchers_ready, 1);
}

//  Each of count (agent index, times) pairs: the agent was dispatched
//  that many times.
static void
s_assert_seen (world_t *world, const unsigned expected [][2], size_t count)
{
    for (size_t index = 0; index < count; index++)
        if (world->seen [expected [index][0]] != expected [index][1])
            fail_msg ("agent %u dispatched %u times, expected %u",
                      expected [index][0], world->seen [expected [index][0]],
                      expected [index][1]);
}

//  ---------------------------------------------------------------------
//  Tests

//  A rotation of 25 agents in chunks of 10 over two fetchers: every
//  agent once, chunk ids in order, prices with the tick's first job, the
//  status complete; the next tick starts rotation 2.
static void
test_rotation (void **state)
{
    world_t *world = (world_t *) *state;
    s_two_fetchers (world, 25);
    s_scheduler_start (world, (const char *[]) {
        "--chunk-size", "10", "--paused", NULL });
    s_run_until (world, s_two_fetchers_ready);
    s_command (world, BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME);
    span_t tick = s_tick_span (world);
    s_run_until (world, s_one_rotation_complete);
    assert_int_equal (world->dispatch_count, 3);
    for (unsigned i = 0; i < 25; i++)
        assert_int_equal (world->seen [i], 1);
    //  by job id: two fetchers' sockets are read in no set order
    assert_string_equal (world->dispatches [0].job_id, "1.0");
    assert_int_equal (s_dispatches_of (world, "1.1"), 1);
    assert_int_equal (s_last_dispatch_of (world, "1.2")->agents, 5);
    assert_true (s_last_dispatch_of (world, "1.0")->fetch_prices);
    assert_false (s_last_dispatch_of (world, "1.1")->fetch_prices);
    assert_int_equal (world->dispatches [0].attempt, 1);
    //  no budget: no Hiro limit on the job
    assert_int_equal (world->dispatches [0].hiro_requests_max, 0);
    //  least recently used: both fetchers get work
    assert_true (world->fetchers [0].jobs_received >= 1);
    assert_true (world->fetchers [1].jobs_received >= 1);

    const Balboard__SchedulerStatus *status = s_status (world);
    assert_int_equal (status->rotation, 1);
    assert_int_equal (status->rotation_agents, 25);
    assert_int_equal (status->rotation_done, 25);
    assert_int_equal (status->n_in_flight, 0);
    assert_int_equal (status->fetchers, 2);
    assert_int_equal (status->fetchers_ready, 2);
    assert_false (status->idle_mode);
    assert_false (status->paused);
    assert_string_equal (status->cursor, "SP00024");
    assert_int_equal (status->n_upstreams, BB_UPSTREAM_COUNT);
    assert_int_equal (status->upstreams [BB_UPSTREAM_REGISTRY]->upstream,
                      BALBOARD__UPSTREAM__UPSTREAM_REGISTRY);
    assert_int_equal (status->upstreams [0]->requests_dispatched, 25);
    assert_true (status->upstreams [0]->healthy);
    assert_string_equal (status->upstreams [0]->endpoint, "v1");
    assert_true (s_next_tick_after (status->next_tick_ms, tick, 60000));
    assert_true (status->tick_seq >= 1);
    assert_int_equal (status->n_fetcher_list, 2);
    assert_string_equal (status->fetcher_list [0]->fetcher_id, "fa");
    assert_int_equal (status->fetcher_list [0]->jobs
                      + status->fetcher_list [1]->jobs, 3);
    assert_true (status->fetcher_list [1]->ready);

    //  No tick, no new rotation
    s_run (world, 300);
    assert_int_equal (world->dispatch_count, 3);
    s_tick (world);
    s_run_until (world, s_two_rotations_complete);
    assert_int_equal (world->dispatch_count, 6);
    assert_true (s_last_dispatch_of (world, "2.0")->fetch_prices);
    for (unsigned i = 0; i < 25; i++)
        assert_int_equal (world->seen [i], 2);
}

static bool
s_has_in_flight (world_t *world, const Balboard__SchedulerStatus *status)
{
    //  ... and its fetcher has it (the status may come first)
    return status->n_in_flight >= 1 && *status->in_flight [0]->fetcher_id
        && world->dispatch_count >= 1;
}

//  agents agents, one fetcher id that holds its job (never reports), the
//  scheduler on chunks of 10; returns once the fetcher holds job 1.0.
static fetcher_t *
s_start_holding (world_t *world, unsigned agents, const char *id)
{
    s_agents (world, agents);
    fetcher_t *fetcher = s_fetcher_add (world, id, false);
    s_scheduler_start (world, (const char *[]) {
        "--chunk-size", "10", NULL });
    s_run_until (world, s_has_in_flight);
    return fetcher;
}

//  kill -9 of the scheduler with a job in flight: the restart goes on
//  from the cursor, sends the job again (same id, attempt 2), and every
//  other chunk exactly once.
static void
test_kill_restart_resumes (void **state)
{
    world_t *world = (world_t *) *state;
    s_agents (world, 30);
    fetcher_t *holder = s_fetcher_add (world, "holder", false);
    const char *const args [] = { "--chunk-size", "10", NULL };
    s_scheduler_start (world, args);
    s_run_until (world, s_has_in_flight);
    s_run (world, 200);
    assert_int_equal (world->dispatch_count, 1);
    assert_string_equal (world->dispatches [0].job_id, "1.0");

    assert_int_equal (bb_child_stop (world->scheduler, SIGKILL, 5000),
                      128 + SIGKILL);
    bb_child_destroy (&world->scheduler);
    //  The fetcher lost its job with the scheduler (a new process of it)
    zlistx_purge (holder->held);
    holder->auto_report = true;
    s_scheduler_start (world, args);
    s_fetcher_ready (holder);
    s_run_until (world, s_one_rotation_complete);

    assert_int_equal (s_dispatches_of (world, "1.0"), 2);
    assert_int_equal (s_last_dispatch_of (world, "1.0")->attempt, 2);
    assert_int_equal (s_dispatches_of (world, "1.1"), 1);
    assert_int_equal (s_dispatches_of (world, "1.2"), 1);
    assert_int_equal (s_last_dispatch_of (world, "1.1")->attempt, 1);
    assert_null (s_last_dispatch_of (world, "1.3"));
    for (unsigned i = 0; i < 30; i++)
        assert_int_equal (world->seen [i], i < 10 ? 2 : 1);
    const Balboard__SchedulerStatus *status = s_status (world);
    assert_int_equal (status->rotation, 1);
    assert_int_equal (status->rotation_done, 30);
}

//  A fetcher that dies with a job: after three heartbeats its job goes
//  to the other fetcher with attempt 2; a late report of attempt 1 is
//  ignored.
static void
test_dead_fetcher (void **state)
{
    world_t *world = (world_t *) *state;
    fetcher_t *doomed = s_start_holding (world, 20, "doomed");
    fetcher_t *backup = s_fetcher_add (world, "backup", true);
    s_run (world, 100);
    doomed->alive = false;          // silent from now on
    s_run_until (world, s_one_rotation_complete);
    assert_int_equal (s_dispatches_of (world, "1.0"), 2);
    const dispatch_t *again = s_last_dispatch_of (world, "1.0");
    assert_int_equal (again->attempt, 2);
    assert_string_equal (again->fetcher, "backup");
    assert_int_equal (s_dispatches_of (world, "1.1"), 1);
    assert_true (backup->jobs_received >= 2);

    const Balboard__SchedulerStatus *status = s_status (world);
    assert_int_equal (status->fetchers, 1);

    //  The dead one comes back and reports the old attempt: ignored
    doomed->alive = true;
    s_fetcher_ready (doomed);
    s_fetcher_release (doomed);
    s_run (world, 300);
    status = s_status (world);
    assert_int_equal (status->rotations_completed, 1);
    assert_int_equal (status->rotation_done, 20);
    assert_int_equal (status->fetchers, 2);
    assert_int_equal (status->fetchers_ready, 2);
}

//  A job past its deadline (plus grace) goes again to another fetcher;
//  the slow fetcher stays busy until it reports.
static void
test_deadline (void **state)
{
    world_t *world = (world_t *) *state;
    s_agents (world, 10);
    fetcher_t *slow = s_fetcher_add (world, "slow", false);
    s_scheduler_start (world, (const char *[]) {
        "--chunk-size", "10", "--job-deadline-ms", "300", NULL });
    s_run_until (world, s_has_in_flight);
    s_fetcher_add (world, "quick", true);
    s_assert_redispatched (world, "quick");
    s_fetcher_release (slow);
    s_run (world, 200);
    assert_int_equal (s_status (world)->fetchers_ready, 2);
}

//  A fetcher holding job 1.0 says READY again. After a reconnect it
//  names the job, which stays its own; after a restart (forgot) it names
//  none, and the job goes again, to it, with attempt 2.
static void
s_ready_while_busy (world_t *world, bool forgot)
{
    fetcher_t *fetcher = s_start_holding (world, 20, "f");
    if (forgot)
        zlistx_purge (fetcher->held);
    s_fetcher_ready (fetcher);
    s_run (world, 300);
    uint32_t attempts = forgot ? 2 : 1;
    assert_int_equal (s_dispatches_of (world, "1.0"), attempts);
    assert_int_equal (s_last_dispatch_of (world, "1.0")->attempt, attempts);
    assert_int_equal (s_dispatches_of (world, "1.1"), 0);
    fetcher->auto_report = true;
    s_fetcher_release (fetcher);
    s_run_until (world, s_one_rotation_complete);
    assert_int_equal (s_dispatches_of (world, "1.0"), attempts);
    assert_int_equal (s_dispatches_of (world, "1.1"), 1);
}

static void
test_reconnect_while_busy (void **state)
{
    s_ready_while_busy ((world_t *) *state, false);
}

static void
test_restart_while_busy (void **state)
{
    s_ready_while_busy ((world_t *) *state, true);
}

//  A scheduler whose own loop stalls (SIGSTOP: think of a slow fsync)
//  for longer than a fetcher's liveness, while the fetcher heartbeats on:
//  the heartbeats queued meanwhile count, the fetcher keeps its job.
static void
test_scheduler_stall (void **state)
{
    world_t *world = (world_t *) *state;
    s_start_holding (world, 20, "f");
    assert_int_equal (bb_child_signal (world->scheduler, SIGSTOP), 0);
    s_run (world, 8 * HEARTBEAT_MS);
    assert_int_equal (bb_child_signal (world->scheduler, SIGCONT), 0);
    s_run (world, 3 * HEARTBEAT_MS);
    assert_int_equal (s_dispatches_of (world, "1.0"), 1);
    const Balboard__SchedulerStatus *status = s_status (world);
    assert_int_equal (status->fetchers, 1);
    assert_int_equal (status->n_in_flight, 1);
    assert_string_equal (status->in_flight [0]->fetcher_id, "f");
    assert_int_equal (status->in_flight [0]->attempt, 1);
}

//  A job that never reached its fetcher (it went to a socket the fetcher
//  had just replaced): the fetcher's idle heartbeats a while later give
//  it to the next fetcher at once, long before the deadline.
static void
test_job_never_arrived (void **state)
{
    world_t *world = (world_t *) *state;
    s_agents (world, 10);
    fetcher_t *lost = s_fetcher_add (world, "lost", false);
    lost->deaf = true;
    s_scheduler_start (world, (const char *[]) {
        "--chunk-size", "10", "--job-deadline-ms", "60000", NULL });
    s_run (world, 300);
    s_fetcher_add (world, "other", true);
    //  within WAIT_MS, well before the 60 s deadline
    s_run_until (world, s_one_rotation_complete);
    //  A slow machine may find the job lost before "other" joins: it then
    //  goes to "lost" again (attempt 2), is lost again, and only then
    //  reaches "other"
    const dispatch_t *again = s_last_dispatch_of (world, "1.0");
    assert_true (again->attempt >= 2);
    assert_string_equal (again->fetcher, "other");
}

//  A fetcher whose heartbeat names another job than the one it was given
//  never ran ours: it goes at once to another fetcher.
static void
test_busy_elsewhere (void **state)
{
    world_t *world = (world_t *) *state;
    fetcher_t *odd = s_start_holding (world, 10, "odd");
    s_fetcher_add (world, "other", true);
    odd->busy_override = "9.9";
    //  "odd" stays busy until it says it is idle
    s_assert_redispatched (world, "other");
}

static bool
s_is_idle (world_t *world, const Balboard__SchedulerStatus *status)
{
    return status->idle_mode;
}

static bool
s_is_active (world_t *world, const Balboard__SchedulerStatus *status)
{
    return !status->idle_mode;
}

//  Failures turn the interval IDLE (the alarm moves out to the idle
//  interval, one round of chunks per tick); a tick whose reports are
//  healthy brings it back to ACTIVE.
static void
test_idle_and_back (void **state)
{
    world_t *world = (world_t *) *state;
    fetcher_t *fetcher = s_one_fetcher (world, 60);
    //  Both balance sources fail: every one limited turns the mode IDLE
    //  (with no backoff, so that a tick's round is never paused)
    fetcher->hiro_failures = 10;
    fetcher->mempool_failures = 10;
    //  The first tick comes at start
    span_t tick = { .from_ms = s_now () };
    s_scheduler_start (world, (const char *[]) {
        "--chunk-size", "10", "--alarm-active-ms", "20000",
        "--alarm-idle-ms", "40000", "--rate-limit-backoff-ms", "0", NULL });
    s_run_until (world, s_is_idle);
    s_run (world, 300);
    //  IDLE: the failing tick's one round, then nothing until a tick
    assert_int_equal (world->dispatch_count, 1);
    const Balboard__SchedulerStatus *status = s_status (world);
    tick.to_ms = s_now ();
    assert_true (s_next_tick_after (status->next_tick_ms, tick, 40000));
    assert_false (status->upstreams [0]->healthy);
    assert_int_equal (status->upstreams [0]->failures, 10);

    //  still failing: one round per tick, still IDLE
    s_tick (world);
    s_run (world, 300);
    assert_int_equal (world->dispatch_count, 2);
    //  healthy again: back to ACTIVE and the rotation runs on
    fetcher->hiro_failures = 0;
    fetcher->mempool_failures = 0;
    tick = s_tick_span (world);
    s_run_until (world, s_is_active);
    s_run_until (world, s_one_rotation_complete);
    assert_int_equal (world->dispatch_count, 6);
    status = s_status (world);
    //  re-armed from that tick by the active interval
    assert_true (s_next_tick_after (status->next_tick_ms, tick, 20000));
    assert_true (status->upstreams [0]->healthy);
}

static bool
s_mempool_paused (world_t *world, const Balboard__SchedulerStatus *status)
{
    return status->upstreams [1]->paused_until_ms > 0;
}

//  A 429 with Retry-After pauses mempool.space until then: the jobs go
//  on without it, and the first job after the pause asks it again.
static void
test_retry_after (void **state)
{
    world_t *world = (world_t *) *state;
    fetcher_t *fetcher = s_one_fetcher (world, 40);
    fetcher->mempool_429 = 1;
    fetcher->mempool_retry_after_s = 2;
    fetcher->mempool_retry_wait_ms = 2000;
    int64_t started = s_now ();
    s_scheduler_start (world, (const char *[]) {
        "--chunk-size", "10", "--alarm-idle-ms", "100", NULL });
    s_run_until (world, s_mempool_paused);
    fetcher->mempool_429 = 0;
    fetcher->mempool_retry_after_s = 0;
    fetcher->mempool_retry_wait_ms = 0;
    const Balboard__SchedulerStatus *status = s_status (world);
    uint64_t paused_until = status->upstreams [1]->paused_until_ms;
    //  two seconds from the report, which came after the start
    assert_true (paused_until >= (uint64_t) started + 2000);
    assert_true (status->upstreams [1]->rate_limited >= 1);
    assert_true (status->upstreams [1]->limited);
    assert_int_equal (status->upstreams [0]->paused_until_ms, 0);
    assert_false (status->idle_mode);
    s_run_until (world, s_one_rotation_complete);
    for (size_t i = 1; i < world->dispatch_count; i++)
        assert_true (world->dispatches [i].mempool
                     == ((uint64_t) world->dispatches [i].at_ms
                         >= paused_until));
}

//  Agents added after the cursor join the rotation, those added before
//  it wait for the next; removed ones stop appearing.
static void
test_agents_change (void **state)
{
    world_t *world = (world_t *) *state;
    for (unsigned i = 10; i < 40; i++)
        s_agents_insert (world, i);
    fetcher_t *fetcher = s_fetcher_add (world, "f", false);
    s_scheduler_start (world, (const char *[]) {
        "--chunk-size", "10", NULL });
    s_run_until (world, s_has_in_flight);
    assert_string_equal (world->dispatches [0].last, "SP00019");
    s_agents_insert (world, 5);         // before the cursor
    s_agents_insert (world, 45);        // after it
    s_agents_remove (world, 35);        // after it
    s_agents_remove (world, 12);        // already dispatched
    fetcher->auto_report = true;
    s_fetcher_release (fetcher);
    s_run_until (world, s_one_rotation_complete);
    s_assert_seen (world, (const unsigned [][2]) {
        { 5, 0 }, { 45, 1 }, { 35, 0 }, { 12, 1 } }, 4);
    s_tick (world);
    s_run_until (world, s_two_rotations_complete);
    s_assert_seen (world, (const unsigned [][2]) {
        { 5, 1 }, { 12, 1 }, { 45, 2 }, { 20, 2 } }, 4);
}

//  A page asked for ahead of the jobs dispatched.
static bool
s_page_ahead (world_t *world, const Balboard__SchedulerStatus *status)
{
    return world->pages_served > world->dispatch_count;
}

//  How many pages the store served after the cursor after.
static size_t
s_pages_after (world_t *world, const char *after)
{
    size_t pages = 0;
    for (size_t i = 0; i < world->pages_served && i < MAX_PAGES; i++)
        pages += streq (world->page_after [i], after);
    return pages;
}

//  While the only fetcher runs a job, the next chunk's page is asked for
//  ahead and kept, not committed (the cursor stays); a pause drops it, so
//  resume asks again. The job after goes on a page kept ahead too: one
//  request after its cursor, each chunk once.
static void
test_page_ahead (void **state)
{
    world_t *world = (world_t *) *state;
    fetcher_t *fetcher = s_start_holding (world, 30, "f");
    s_run_until (world, s_page_ahead);
    s_run (world, 3 * HEARTBEAT_MS);
    assert_int_equal (world->pages_served, 2);
    assert_int_equal (world->dispatch_count, 1);
    assert_string_equal (s_status (world)->cursor, "SP00009");
    s_command (world, BALBOARD__SCHEDULER_CONTROL__COMMAND__PAUSE);
    fetcher->auto_report = true;
    s_fetcher_release (fetcher);
    s_command (world, BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME);
    s_run_until (world, s_one_rotation_complete);
    assert_int_equal (world->dispatch_count, 3);
    for (unsigned i = 0; i < 30; i++)
        assert_int_equal (world->seen [i], 1);
    assert_int_equal (s_pages_after (world, "SP00009"), 2);
    assert_int_equal (s_pages_after (world, "SP00019"), 1);
}

//  Pause stops dispatch (ticks are skipped), resume goes on, TICK ticks;
//  the pause survives a restart.
static void
test_pause_resume (void **state)
{
    world_t *world = (world_t *) *state;
    s_one_fetcher (world, 20);
    s_scheduler_start (world, (const char *[]) {
        "--chunk-size", "10", "--paused", NULL });
    s_run (world, 300);
    s_tick (world);
    s_run (world, 300);
    assert_int_equal (world->dispatch_count, 0);
    const Balboard__SchedulerStatus *status = s_status (world);
    assert_true (status->paused);

    assert_int_equal (bb_child_stop (world->scheduler, SIGTERM, 5000),
                      0);
    bb_child_destroy (&world->scheduler);
    s_scheduler_start (world, (const char *[]) {
        "--chunk-size", "10", NULL });
    s_run (world, 300);
    assert_int_equal (world->dispatch_count, 0);
    status = s_command (world,
                        BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME);
    assert_false (status->paused);
    s_tick (world);
    s_run_until (world, s_one_rotation_complete);
    assert_int_equal (world->dispatch_count, 2);
    status = s_command (world, BALBOARD__SCHEDULER_CONTROL__COMMAND__PAUSE);
    assert_true (status->paused);
}

//  A budget of 600 requests/min held over 1 s windows (10 tokens): jobs
//  shrink to what the budget allows and no window ever carries more.
static void
test_budget (void **state)
{
    world_t *world = (world_t *) *state;
    s_two_fetchers (world, 40);
    s_scheduler_start (world, (const char *[]) {
        "--chunk-size", "25", "--hiro-rpm", "600",
        "--budget-window-ms", "1000", NULL });
    s_run_until (world, s_one_rotation_complete);
    for (unsigned i = 0; i < 40; i++)
        assert_int_equal (world->seen [i], 1);
    assert_true (world->dispatch_count >= 4);
    //  a probe of one agent first, until the cost per agent is known
    assert_int_equal (world->dispatches [0].agents, 1);
    for (size_t i = 0; i < world->dispatch_count; i++) {
        assert_true (world->dispatches [i].agents <= 10);
        //  the job may make what the budget holds: its agents and a
        //  headroom (chunk / 20 + 1) for token metadata
        assert_int_equal (world->dispatches [i].hiro_requests_max,
                          world->dispatches [i].agents + 2);
        //  tokens come back a window after the report
        uint32_t in_window = 0;
        for (size_t j = 0; j <= i; j++)
            if (world->dispatches [j].at_ms + 1000
                > world->dispatches [i].at_ms)
                in_window += world->dispatches [j].agents;
        assert_true (in_window <= 10);
    }
    int64_t span = world->dispatches [world->dispatch_count - 1].at_ms
                 - world->dispatches [0].at_ms;
    assert_true (span >= 3000);
}

//  A raw DEALER on the scheduler's port, waiting CLIENT_TIMEOUT_MS for
//  replies.
static zsock_t *
s_raw (int port)
{
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, ">tcp://127.0.0.1:%d", port);
    zsock_t *raw = bb_wire_socket_new (ZMQ_DEALER, endpoint);
    assert_non_null (raw);
    zsock_set_rcvtimeo (raw, CLIENT_TIMEOUT_MS);
    return raw;
}

//  Send request on raw: the reply, into *msg, is an error of code.
static void
s_refused (zsock_t *raw, bb_envelope_t *request, bb_wire_msg_t *msg,
           Balboard__ErrorReply__Code code)
{
    bb_wire_send (raw, NULL, request);
    assert_int_equal (bb_wire_recv (raw, msg), BB_WIRE_OK);
    assert_int_equal (msg->envelope->error->code, code);
}

//  Bad frames and wrong messages get error replies, never a crash.
static void
test_bad_input (void **state)
{
    world_t *world = (world_t *) *state;
    s_scheduler_start (world, NULL);
    zsock_t *raw = s_raw (world->control_port);
    zstr_send (raw, "not protobuf");
    bb_wire_msg_t msg = { 0 };
    assert_int_equal (bb_wire_recv (raw, &msg), BB_WIRE_OK);
    assert_int_equal (msg.envelope->body_case,
                      BALBOARD__ENVELOPE__BODY_ERROR);
    assert_int_equal (msg.envelope->error->code,
                      BALBOARD__ERROR_REPLY__CODE__BAD_FRAME);
    //  a valid message for another socket
    Balboard__StatsRequest stats = BALBOARD__STATS_REQUEST__INIT;
    bb_envelope_t request;
    bb_wire_envelope_init (&request);
    request.request_id = 9;
    request.body_case = BALBOARD__ENVELOPE__BODY_STATS_REQUEST;
    request.stats_request = &stats;
    s_refused (raw, &request, &msg, BALBOARD__ERROR_REPLY__CODE__UNSUPPORTED);
    assert_int_equal (msg.envelope->request_id, 9);
    //  an unknown command
    Balboard__SchedulerControl control = BALBOARD__SCHEDULER_CONTROL__INIT;
    control.command = 42;
    request.body_case = BALBOARD__ENVELOPE__BODY_SCHEDULER_CONTROL;
    request.scheduler_control = &control;
    s_refused (raw, &request, &msg, BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST);
    //  SYNC without a registry to sync
    control.command = BALBOARD__SCHEDULER_CONTROL__COMMAND__SYNC;
    s_refused (raw, &request, &msg, BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST);
    assert_non_null (strstr (msg.envelope->error->reason,
                             "BALBOARD_REGISTRY_URL"));
    zsock_destroy (&raw);

    //  jobs socket: a report without a fetcher id, a control message
    raw = s_raw (world->jobs_port);
    Balboard__JobReport report = BALBOARD__JOB_REPORT__INIT;
    report.job_id = "1.0";
    request.body_case = BALBOARD__ENVELOPE__BODY_JOB_REPORT;
    request.job_report = &report;
    s_refused (raw, &request, &msg, BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST);
    request.body_case = BALBOARD__ENVELOPE__BODY_SCHEDULER_CONTROL;
    request.scheduler_control = &control;
    s_refused (raw, &request, &msg, BALBOARD__ERROR_REPLY__CODE__UNSUPPORTED);
    //  a report of a job nobody knows, from a fetcher nobody knows
    report.fetcher_id = "stranger";
    report.attempt = 1;
    request.body_case = BALBOARD__ENVELOPE__BODY_JOB_REPORT;
    request.job_report = &report;
    bb_wire_send (raw, NULL, &request);
    bb_wire_msg_reset (&msg);
    zsock_destroy (&raw);
    //  still serving
    const Balboard__SchedulerStatus *status = s_status (world);
    assert_int_equal (status->n_in_flight, 0);
}

//  --health asks the running scheduler's control socket: 0 if it
//  answers, 1 if nothing does.
static void
test_health_flag (void **state)
{
    world_t *world = (world_t *) *state;
    s_scheduler_start (world, NULL);
    char *path = bb_child_bin_path ("balboard-scheduler");
    char control [64];
    snprintf (control, sizeof control, "tcp://127.0.0.1:%d",
              world->control_port);
    const char *argv [] = { path, "--health", "--control-bind", control,
                            NULL };
    bb_child_t *health = bb_child_new (argv, NULL);
    assert_int_equal (bb_child_wait (health, START_TIMEOUT_MS), 0);
    bb_child_destroy (&health);
    //  a port nothing listens on
    snprintf (control, sizeof control, "tcp://127.0.0.1:%d",
              bb_port_free ());
    health = bb_child_new (argv, NULL);
    assert_int_equal (bb_child_wait (health, START_TIMEOUT_MS), 1);
    bb_child_destroy (&health);
    free (path);
}

//  ---------------------------------------------------------------------
//  Registry sync

//  SYNC (with confirm) over the control socket; it answers with the
//  status.
static void
s_sync_now (world_t *world, bool confirm)
{
    bb_envelope_t *reply = NULL;
    assert_int_equal (bb_client_scheduler_sync (world->control, confirm,
                                                &reply), 0);
    assert_int_equal (reply->body_case,
                      BALBOARD__ENVELOPE__BODY_SCHEDULER_STATUS);
    bb_wire_envelope_destroy (&reply);
}

//  The sync of the generation awaited has ended with its report.
static bool
s_registry_synced (world_t *world, const Balboard__SchedulerStatus *status)
{
    return world->registry_generation == world->registry_awaited
        && !status->registry_syncing && status->registry_sync
        && status->registry_sync->generation == world->registry_awaited;
}

//  A scheduler with a registry syncs it at start, shows the source
//  without credentials and the last report; SYNC --confirm sends a new
//  generation with confirm; a kill -9 keeps the generations increasing.
static void
test_registry_sync (void **state)
{
    world_t *world = (world_t *) *state;
    s_agents (world, 5);
    s_fetcher_add (world, "fs", true);
    const char *const args [] = {
        "--registry-url", "http://ops:pw@127.0.0.1:9/api/agents?token=t",
        "--registry-rpm", "0", NULL };
    s_scheduler_start (world, args);
    world->registry_awaited = 1;
    s_run_until (world, s_registry_synced);
    assert_string_equal (world->registry_job, "sync.1");
    assert_int_equal (world->registry_attempt, 1);
    assert_false (world->registry_confirm);
    const Balboard__SchedulerStatus *status = s_status (world);
    assert_string_equal (status->registry_source,
                         "http://127.0.0.1:9/api/agents");
    assert_int_equal (status->registry_sync->outcome,
                      BALBOARD__SYNC_OUTCOME__SYNC_APPLIED);
    assert_int_equal (status->registry_sync->added, 3);
    assert_true (status->upstreams [BB_UPSTREAM_REGISTRY]
                 ->requests_dispatched >= 1);
    assert_true (status->registry_next_sync_ms
                 > (uint64_t) zclock_time () + 60000);

    s_sync_now (world, true);
    world->registry_awaited = 2;
    s_run_until (world, s_registry_synced);
    assert_string_equal (world->registry_job, "sync.2");
    assert_true (world->registry_confirm);

    assert_int_equal (bb_child_stop (world->scheduler, SIGKILL, 5000),
                      128 + SIGKILL);
    bb_child_destroy (&world->scheduler);
    s_scheduler_start (world, args);
    s_fetcher_ready (&world->fetchers [0]);
    world->registry_awaited = 3;
    s_run_until (world, s_registry_synced);
    assert_string_equal (world->registry_job, "sync.3");
    assert_false (world->registry_confirm);
}

BB_TEST_MAIN (NULL, NULL,
              BB_TEST (test_rotation),
              BB_TEST (test_kill_restart_resumes),
              BB_TEST (test_dead_fetcher),
              BB_TEST (test_deadline),
              BB_TEST (test_reconnect_while_busy),
              BB_TEST (test_restart_while_busy),
              BB_TEST (test_scheduler_stall),
              BB_TEST (test_job_never_arrived),
              BB_TEST (test_busy_elsewhere),
              BB_TEST (test_idle_and_back),
              BB_TEST (test_retry_after),
              BB_TEST (test_agents_change),
              BB_TEST (test_page_ahead),
              BB_TEST (test_pause_resume),
              BB_TEST (test_budget),
              BB_TEST (test_bad_input),
              BB_TEST (test_registry_sync),
              BB_TEST (test_health_flag))
