/*  test_e2e_health - real processes: failures of every balance source
    turn the interval IDLE and a healthy tick turns it ACTIVE again; a 429
    with Retry-After pauses that upstream until then, while the jobs go on
    without it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <cmocka.h>

#include "e2e_world.h"
#include "bb_clock.h"

#define ROTATION_MS     60000
#define WAIT_MS         20000
#define POLL_MS         50
#define ACTIVE_MS       "300000"
#define IDLE_MS         "600000"
#define ALARM_FLAGS     "--alarm-active-ms", ACTIVE_MS, \
                        "--alarm-idle-ms", IDLE_MS
#define IDLE_INTERVAL_MS 600000
#define ACTIVE_INTERVAL_MS 300000
#define RETRY_AFTER_S   8           // the pause: long enough for a slow
#define RETRY_AFTER_TEXT "8"        // machine to look at it meanwhile
#define MS_PER_S        1000

//  What a wait on the scheduler's status looks for.
typedef struct {
    e2e_world_t *world;
    uint64_t tick_seq_above;        // a tick after this one was handled
} settled_t;

//  True once the scheduler has handled a tick after tick_seq_above and
//  holds no job: every fetcher is ready, nothing in flight.
static bool
s_settled (void *arg)
{
    settled_t *settled = arg;
    bb_envelope_t *reply = e2e_world_status (settled->world);
    const Balboard__SchedulerStatus *status = reply->scheduler_status;
    bool done = status->tick_seq > settled->tick_seq_above
             && status->n_in_flight == 0
             && status->fetchers_ready == status->fetchers;
    bb_wire_envelope_destroy (&reply);
    return done;
}

//  Wait until the scheduler handled a tick after tick_seq and the round
//  it started is over.
static void
s_wait_settled (e2e_world_t *world, uint64_t tick_seq)
{
    settled_t settled = { world, tick_seq };
    assert_int_equal (bb_clock_wait_until (s_settled, &settled, WAIT_MS,
                                           POLL_MS), 0);
}

//  Tick now; returns the tick sequence number before it.
static uint64_t
s_tick (e2e_world_t *world)
{
    bb_envelope_t *reply = e2e_world_status (world);
    uint64_t tick_seq = reply->scheduler_status->tick_seq;
    bb_wire_envelope_destroy (&reply);
    reply = e2e_world_control (world,
                               BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK);
    bb_wire_envelope_destroy (&reply);
    return tick_seq;
}

static bool
s_in_mode (const Balboard__SchedulerStatus *status, void *idle)
{
    return status->idle_mode == *(bool *) idle;
}

//  Wait until the interval mode is idle (or active); returns the status.
static bb_envelope_t *
s_wait_mode (e2e_world_t *world, bool idle)
{
    return e2e_world_wait_status (world, idle? "idle mode": "active mode",
                                  s_in_mode, &idle, WAIT_MS);
}

static bool
s_hiro_paused (const Balboard__SchedulerStatus *status, void *arg)
{
    return status->upstreams [0]->paused_until_ms > 0;
}

static bool
s_both_healthy (const Balboard__SchedulerStatus *status, void *arg)
{
    return status->upstreams [0]->healthy && status->upstreams [1]->healthy;
}

static bool
s_nothing_in_flight (const Balboard__SchedulerStatus *status, void *arg)
{
    return status->n_in_flight == 0;
}

//  A world of agents in chunks of 50 and fetchers fetchers, its
//  scheduler started with args, the mock told control; returns it going,
//  *before_go the wall time just before it went.
static e2e_world_t *
s_world_going (unsigned agents, unsigned fetchers,
               const char *const *args, const char *control,
               uint64_t *before_go)
{
    e2e_options_t options = { .agents = agents, .chunk_size = 50,
                              .fetchers = fetchers, .scheduler_args = args };
    e2e_world_t *world = e2e_world_new (&options);
    e2e_world_mock_control (world, control);
    *before_go = bb_clock_wall_ms ();
    e2e_world_go (world);
    return world;
}

static void
test_idle_and_back (void **state)
{
    static const char *const args [] = {
        ALARM_FLAGS, "--rate-limit-backoff-ms", "100", NULL };
    //  One source down is paced alone (test_e2e_isolation); both down
    //  turn the whole interval IDLE
    uint64_t before_go;
    e2e_world_t *world = s_world_going (
        400, 1, args, "{\"faults\":[{\"endpoint\":\"mempool\","
        "\"kind\":\"5xx\",\"count\":0},{\"endpoint\":\"hiro\","
        "\"kind\":\"5xx\",\"count\":0}]}", &before_go);
    bb_envelope_t *reply = s_wait_mode (world, true);
    Balboard__SchedulerStatus *status = reply->scheduler_status;
    //  IDLE: the next tick is an idle interval after the tick that found
    //  the failures, which came after the go
    assert_true (status->next_tick_ms >= before_go + IDLE_INTERVAL_MS);
    uint64_t tick_seq = status->tick_seq;
    assert_false (status->upstreams [1]->healthy);
    assert_true (status->upstreams [1]->failures > 0);
    assert_false (status->upstreams [0]->healthy);
    uint32_t done = status->rotation_done;
    bb_wire_envelope_destroy (&reply);
    //  one round per tick while IDLE: once the round is over and every
    //  fetcher is free again, the rotation does not run on
    s_wait_settled (world, tick_seq - 1);
    reply = e2e_world_status (world);
    assert_int_equal (reply->scheduler_status->tick_seq, tick_seq);
    assert_int_equal (reply->scheduler_status->n_in_flight, 0);
    assert_int_equal (reply->scheduler_status->rotation_done, done);
    assert_int_equal (reply->scheduler_status->rotations_completed, 0);
    bb_wire_envelope_destroy (&reply);

    //  both recover; the next tick's reports are healthy
    e2e_world_mock_control (world, "{\"faults\":[]}");
    s_tick (world);
    reply = s_wait_mode (world, false);
    status = reply->scheduler_status;
    //  ACTIVE: the next tick at most an active interval after that tick,
    //  which came before now (a second for rounding)
    assert_true (status->next_tick_ms
                 < bb_clock_wall_ms () + ACTIVE_INTERVAL_MS + MS_PER_S);
    bb_wire_envelope_destroy (&reply);
    e2e_world_wait_rotations (world, 1, ROTATION_MS);
    //  A source whose jittered pause outlasted that rotation is still
    //  limited, waiting for its probe: the next rotation's jobs carry it
    s_tick (world);
    reply = e2e_world_wait_status (world, "both upstreams healthy",
                                   s_both_healthy, NULL, WAIT_MS);
    assert_false (reply->scheduler_status->idle_mode);
    bb_wire_envelope_destroy (&reply);
    e2e_world_destroy (&world);
}

//  Hiro balance requests the mock has answered so far.
static json_int_t
s_hiro_requests (e2e_world_t *world)
{
    return e2e_world_mock_count (world, "requests", "by_endpoint", "hiro_v1",
                                 NULL);
}

static void
test_retry_after_pauses (void **state)
{
    //  A Retry-After longer than a job's deadline: the fetcher cannot
    //  wait it out, so the scheduler pauses Hiro for what is left of it
    static const char *const args [] = {
        ALARM_FLAGS, "--job-deadline-ms", "2000", NULL };
    uint64_t before_go;
    e2e_world_t *world = s_world_going (
        200, 2, args, "{\"rate_limit_retry_after_s\":" RETRY_AFTER_TEXT ","
        "\"faults\":[{\"endpoint\":\"hiro\",\"kind\":\"429\","
        "\"count\":1}]}", &before_go);
    bb_envelope_t *reply = e2e_world_wait_status (
        world, "pause of Hiro", s_hiro_paused, NULL, WAIT_MS);
    uint64_t paused_until =
        reply->scheduler_status->upstreams [0]->paused_until_ms;
    bb_wire_envelope_destroy (&reply);
    //  Hiro paused for the Retry-After from the 429, which came after the
    //  go (a second for whole-second rounding): once the jobs under way
    //  are done, no job asks Hiro while it lasts, ticks or not, and the
    //  rest of the rotation goes on without it
    assert_true (paused_until
                 >= before_go + RETRY_AFTER_S * MS_PER_S - MS_PER_S);
    reply = e2e_world_wait_status (world, "end of the jobs under way",
                                   s_nothing_in_flight, NULL, WAIT_MS);
    bb_wire_envelope_destroy (&reply);
    json_int_t requests = s_hiro_requests (world);
    s_tick (world);
    reply = e2e_world_status (world);
    assert_int_equal (reply->scheduler_status->upstreams [0]->rate_limited,
                      1);
    assert_true (reply->scheduler_status->upstreams [0]->limited);
    assert_false (reply->scheduler_status->idle_mode);
    bb_wire_envelope_destroy (&reply);
    while (bb_clock_wall_ms () + 200 < paused_until)
        bb_clock_sleep_ms (POLL_MS);
    assert_int_equal (s_hiro_requests (world), requests);
    while (bb_clock_wall_ms () < paused_until + 100)
        bb_clock_sleep_ms (POLL_MS);
    //  the rotations of the pause completed, Hiro skipped; after the
    //  pause the next one asks Hiro again (its first job as the probe)
    reply = e2e_world_wait_status (world, "end of the jobs under way",
                                   s_nothing_in_flight, NULL, WAIT_MS);
    uint64_t completed = reply->scheduler_status->rotations_completed;
    bb_wire_envelope_destroy (&reply);
    s_tick (world);
    e2e_world_wait_rotations (world, completed + 1, ROTATION_MS);
    assert_true (s_hiro_requests (world) > requests);
    //  the agents whose Hiro rows went stale are whole again after the
    //  next rotation
    s_tick (world);
    e2e_world_wait_rotations (world, completed + 2, ROTATION_MS);
    e2e_world_check_dashboard (world, 200, NULL, 0);
    e2e_world_destroy (&world);
}

E2E_WORLD_MAIN (cmocka_unit_test (test_idle_and_back),
                cmocka_unit_test (test_retry_after_pauses))
