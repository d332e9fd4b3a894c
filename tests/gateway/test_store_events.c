/*  test_store_events - the store's events socket (store/bb_events) on a
    zloop of its own, read by a SUB in the same process: a burst of
    commits leaves fewer events, each newer than the last, and the last
    state of the burst always leaves; with no interval every commit
    leaves. Then the real balboard-store: a burst of agent imports, each
    its own commit, leaves fewer events, the last with the store's last
    commit and every agent. Waits end on the event they wait for; their
    deadlines only catch a hang. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include <signal.h>
#include <stdlib.h>

#include "bb_child.h"
#include "bb_client.h"
#include "bb_events.h"
#include "bb_sample_agents.h"
#include "bb_port.h"
#include "bb_wire.h"

#define HANG_MS         30000       // catches a hang only
#define BURST           200
#define ENDPOINT_SIZE   64
#define STORE_BURST     40          // imports, one commit each
#define CLIENT_MS       10000
#define PATH_SIZE       512

typedef struct {
    zsock_t *subscriber;
    uint64_t received;          // events read
    uint64_t last_seq;          // commit_seq of the newest
    uint64_t want_seq;          // end the loop once this one came
    bool ordered;               // every event newer than the one before
} watch_t;

static int
s_on_event (zloop_t *loop, zsock_t *reader, void *arg)
{
    watch_t *watch = arg;
    bb_wire_msg_t msg = { 0 };
    assert_int_equal (bb_wire_recv (reader, &msg), BB_WIRE_OK);
    assert_int_equal (msg.envelope->body_case,
                      BALBOARD__ENVELOPE__BODY_DASHBOARD_EVENT);
    const Balboard__DashboardEvent *event = msg.envelope->dashboard_event;
    if (watch->received && event->commit_seq <= watch->last_seq)
        watch->ordered = false;
    watch->received++;
    watch->last_seq = event->commit_seq;
    assert_int_equal (event->rotation_agents, event->commit_seq * 2);
    bb_wire_msg_reset (&msg);
    return watch->last_seq == watch->want_seq ? -1 : 0;
}

static int
s_on_hang (zloop_t *loop, int timer_id, void *arg)
{
    fail_msg ("no event with the burst's last state within %d ms", HANG_MS);
    return -1;
}

//  Publish commits 1..count through events (interval_ms) and run the
//  loop until the subscriber has commit count. Returns what it saw.
static watch_t
s_burst (int64_t interval_ms, uint64_t count, uint64_t *published)
{
    static int instance;
    char endpoint [ENDPOINT_SIZE];
    snprintf (endpoint, sizeof endpoint, "inproc://test-events-%d",
              instance++);
    zloop_t *loop = zloop_new ();
    bb_events_t *events = bb_events_new (endpoint, loop, interval_ms);
    assert_non_null (events);
    watch_t watch = { bb_wire_socket_new (ZMQ_SUB, NULL), 0, 0, count,
                      true };
    assert_int_equal (zsock_connect (watch.subscriber, "%s", endpoint), 0);
    zsock_set_subscribe (watch.subscriber, "");
    zloop_reader (loop, watch.subscriber, s_on_event, &watch);
    zloop_timer (loop, HANG_MS, 1, s_on_hang, NULL);
    for (uint64_t seq = 1; seq <= count; seq++) {
        Balboard__DashboardEvent state = BALBOARD__DASHBOARD_EVENT__INIT;
        state.commit_seq = seq;
        state.rotation_agents = (uint32_t) seq * 2;
        bb_events_commit (events, &state);
    }
    zloop_start (loop);
    *published = bb_events_published (events);
    bb_events_destroy (&events);
    zloop_destroy (&loop);
    zsock_destroy (&watch.subscriber);
    return watch;
}

//  A burst inside the interval: the first commit goes at once, the rest
//  are merged into one trailing event with the last state.
static void
test_burst_is_merged (void **state)
{
    uint64_t published = 0;
    watch_t watch = s_burst (BB_EVENTS_INTERVAL_MS, BURST, &published);
    printf ("test: %d commits in a burst -> %llu events\n", BURST,
            (unsigned long long) watch.received);
    assert_true (watch.ordered);
    assert_int_equal (watch.last_seq, BURST);
    assert_int_equal (watch.received, published);
    assert_true (watch.received >= 2);
    assert_true (watch.received < BURST);
}

static void
test_no_interval_sends_every_commit (void **state)
{
    uint64_t published = 0;
    watch_t watch = s_burst (0, 20, &published);
    assert_true (watch.ordered);
    assert_int_equal (watch.received, 20);
    assert_int_equal (published, 20);
}

static void
test_bind_taken_is_null (void **state)
{
    zloop_t *loop = zloop_new ();
    bb_events_t *events = bb_events_new ("inproc://test-events-taken", loop,
                                         0);
    assert_non_null (events);
    bb_events_t *second = bb_events_new ("inproc://test-events-taken", loop,
                                         0);
    assert_null (second);
    bb_events_destroy (&events);
    bb_events_destroy (&events);        // NULL-safe
    zloop_destroy (&loop);
}

//  ---------------------------------------------------------------------------
//  The real store

typedef struct {
    bb_child_t *store;
    bb_client_t *ingest, *query;
    zsock_t *subscriber;
} store_t;

static store_t
s_store_start (void)
{
    char ingest [ENDPOINT_SIZE], query [ENDPOINT_SIZE], events [ENDPOINT_SIZE];
    char data [PATH_SIZE];
    bb_port_free_endpoint (ingest, sizeof ingest);
    int query_port = bb_port_free_endpoint (query, sizeof query);
    bb_port_free_endpoint (events, sizeof events);
    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    snprintf (data, sizeof data, "%s/store-%d",
              scratch ? scratch : "/tmp/balboard-test-events",
              (int) getpid ());
    store_t store = { 0 };
    store.store = bb_child_start ("balboard-store", (const char *[]) {
        "--data-dir", data, "--ingest-bind", ingest, "--query-bind", query,
        "--events-bind", events, "--map-size-mb", "16", NULL }, NULL,
        query_port, HANG_MS);
    assert_non_null (store.store);
    store.ingest = bb_client_new (ingest, CLIENT_MS);
    store.query = bb_client_new (query, CLIENT_MS);
    store.subscriber = bb_wire_socket_new (ZMQ_SUB, NULL);
    assert_true (store.ingest && store.query && store.subscriber);
    assert_int_equal (zsock_connect (store.subscriber, "%s", events), 0);
    zsock_set_subscribe (store.subscriber, "");
    return store;
}

static void
s_store_stop (store_t *store)
{
    zsock_destroy (&store->subscriber);
    bb_client_destroy (&store->query);
    bb_client_destroy (&store->ingest);
    assert_int_equal (bb_child_stop (store->store, SIGTERM, HANG_MS), 0);
    bb_child_destroy (&store->store);
}

//  Import sample agent index: one commit.
static void
s_import (store_t *store, unsigned index)
{
    assert_int_equal (bb_sample_agents_upsert (store->ingest, index, 1, NULL),
                      0);
}

//  The next event within the hang bound; the caller frees it.
static bb_envelope_t *
s_next_event (store_t *store)
{
    zsock_set_rcvtimeo (store->subscriber, HANG_MS);
    bb_wire_msg_t msg = { 0 };
    assert_int_equal (bb_wire_recv (store->subscriber, &msg), BB_WIRE_OK);
    assert_int_equal (msg.envelope->body_case,
                      BALBOARD__ENVELOPE__BODY_DASHBOARD_EVENT);
    bb_envelope_t *event = msg.envelope;
    msg.envelope = NULL;
    bb_wire_msg_reset (&msg);
    return event;
}

//  The store's commit sequence, from a dashboard page.
static uint64_t
s_commit_seq (store_t *store)
{
    bb_envelope_t *page = NULL;
    assert_int_equal (bb_client_dashboard (store->query, 0, 1, &page), 0);
    uint64_t seq = page->dashboard_page->commit_seq;
    bb_wire_envelope_destroy (&page);
    return seq;
}

//  Wait up to ms for an event; true if one is there to read.
static bool
s_event_ready (store_t *store, int ms)
{
    zmq_pollitem_t item = { zsock_resolve (store->subscriber), 0, ZMQ_POLLIN,
                            0 };
    return zmq_poll (&item, 1, ms) == 1;
}

//  Import until an event comes (one published before the SUB joined is
//  lost, as with any PUB), then read events until a quiet interval.
//  Returns the agents imported.
static unsigned
s_join (store_t *store)
{
    unsigned imported = 0;
    do {
        assert_true (imported < HANG_MS / BB_EVENTS_INTERVAL_MS);
        s_import (store, imported++);
    } while (!s_event_ready (store, 2 * BB_EVENTS_INTERVAL_MS));
    while (s_event_ready (store, 2 * BB_EVENTS_INTERVAL_MS)) {
        bb_envelope_t *event = s_next_event (store);
        bb_wire_envelope_destroy (&event);
    }
    return imported;
}

//  A burst of imports at the store's default interval: at most one event
//  per interval (plus the first), each newer than the one before, and the
//  last one carries the last commit and every agent.
static void
test_store_merges_a_burst (void **state)
{
    store_t store = s_store_start ();
    unsigned joined = s_join (&store);
    int64_t started = zclock_mono ();
    for (unsigned i = 0; i < STORE_BURST; i++)
        s_import (&store, joined + i);
    uint64_t last_seq = s_commit_seq (&store);
    unsigned events = 0;
    uint64_t seq = 0, agents = 0;
    while (seq != last_seq) {
        bb_envelope_t *event = s_next_event (&store);
        assert_true (event->dashboard_event->commit_seq > seq);
        seq = event->dashboard_event->commit_seq;
        agents = event->dashboard_event->agents;
        bb_wire_envelope_destroy (&event);
        events++;
    }
    int64_t elapsed = zclock_mono () - started;
    printf ("test: %d commits of the store in %lld ms -> %u events\n",
            STORE_BURST, (long long) elapsed, events);
    assert_true (events <= 2 + elapsed / BB_EVENTS_INTERVAL_MS);
    assert_int_equal (agents, joined + STORE_BURST);
    s_store_stop (&store);
}

BB_TEST_MAIN (NULL, NULL,
    cmocka_unit_test (test_burst_is_merged),
    cmocka_unit_test (test_no_interval_sends_every_commit),
    cmocka_unit_test (test_bind_taken_is_null),
    cmocka_unit_test (test_store_merges_a_burst))
