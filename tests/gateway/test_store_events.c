/*  test_store_events - the store's events socket (store/bb_events) on a
    zloop of its own, read by a SUB in the same process: a burst of
    commits leaves fewer events, each newer than the last, and the last
    state of the burst always leaves; with no interval every commit
    leaves. Waits end on the event they wait for; a timer that only
    catches a hang fails the test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include "bb_events.h"
#include "bb_wire.h"

#define HANG_MS         30000       // catches a hang only
#define BURST           200
#define ENDPOINT_SIZE   64

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

BB_TEST_MAIN (NULL, NULL,
    cmocka_unit_test (test_burst_is_merged),
    cmocka_unit_test (test_no_interval_sends_every_commit),
    cmocka_unit_test (test_bind_taken_is_null))
