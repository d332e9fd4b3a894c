/*  test_e2e_health - real processes: upstream failures turn the interval
    IDLE and a healthy tick turns it ACTIVE again; a 429 with Retry-After
    pauses dispatch to that upstream until then. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "e2e_world.h"

#define ROTATION_MS     60000
#define WAIT_MS         20000
#define POLL_MS         50
#define ACTIVE_MS       "300000"
#define IDLE_MS         "600000"

static void
s_sleep_ms (long ms)
{
    struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep (&pause, NULL);
}

static void
s_tick (e2e_world_t *world)
{
    bb_envelope_t *reply = e2e_world_control (
        world, BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK);
    bb_wire_envelope_destroy (&reply);
}

//  Wait until the interval mode is idle (or active); returns the status.
static bb_envelope_t *
s_wait_mode (e2e_world_t *world, bool idle)
{
    int64_t until = e2e_now_ms () + WAIT_MS;
    while (true) {
        bb_envelope_t *reply = e2e_world_status (world);
        if (reply->scheduler_status->idle_mode == idle)
            return reply;
        bb_wire_envelope_destroy (&reply);
        assert_true (e2e_now_ms () < until);
        s_sleep_ms (POLL_MS);
    }
}

static uint64_t
s_wall_ms (void)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    return (uint64_t) now.tv_sec * 1000 + (uint64_t) now.tv_nsec / 1000000;
}

static void
test_idle_and_back (void **state)
{
    e2e_options_t options = {
        .agents = 400, .chunk_size = 50, .fetchers = 1,
        .scheduler_args = (const char *const []) {
            "--alarm-active-ms", ACTIVE_MS, "--alarm-idle-ms", IDLE_MS,
            NULL }
    };
    e2e_world_t *world = e2e_world_new (&options);
    e2e_world_mock_control (world, "{\"faults\":[{\"endpoint\":\"mempool\","
                            "\"kind\":\"5xx\",\"count\":0}]}");
    e2e_world_go (world);
    bb_envelope_t *reply = s_wait_mode (world, true);
    Balboard__SchedulerStatus *status = reply->scheduler_status;
    //  IDLE: the next tick is an idle interval away
    assert_true (status->next_tick_ms > s_wall_ms () + 400000);
    assert_false (status->upstreams [1]->healthy);
    assert_true (status->upstreams [1]->failures > 0);
    assert_true (status->upstreams [0]->healthy);
    uint32_t done = status->rotation_done;
    bb_wire_envelope_destroy (&reply);
    //  one round per tick while IDLE: the rotation does not run on
    s_sleep_ms (500);
    reply = e2e_world_status (world);
    assert_int_equal (reply->scheduler_status->n_in_flight, 0);
    assert_int_equal (reply->scheduler_status->rotation_done, done);
    assert_int_equal (reply->scheduler_status->rotations_completed, 0);
    bb_wire_envelope_destroy (&reply);

    //  mempool.space recovers; the next tick's reports are healthy
    e2e_world_mock_control (world, "{\"faults\":[]}");
    s_tick (world);
    reply = s_wait_mode (world, false);
    status = reply->scheduler_status;
    assert_true (status->next_tick_ms < s_wall_ms () + 300000 + 1000);
    bb_wire_envelope_destroy (&reply);
    e2e_world_wait_rotations (world, 1, ROTATION_MS);
    reply = e2e_world_status (world);
    assert_true (reply->scheduler_status->upstreams [1]->healthy);
    assert_false (reply->scheduler_status->idle_mode);
    bb_wire_envelope_destroy (&reply);
    e2e_world_destroy (&world);
}

//  Hiro balance requests the mock has answered so far.
static json_int_t
s_hiro_requests (e2e_world_t *world)
{
    json_t *stats = e2e_world_mock_stats (world);
    json_t *count = json_object_get (
        json_object_get (json_object_get (stats, "requests"), "by_endpoint"),
        "hiro_v1");
    json_int_t requests = json_integer_value (count);
    json_decref (stats);
    return requests;
}

static void
test_retry_after_pauses (void **state)
{
    //  A Retry-After longer than a job's deadline: the fetcher cannot
    //  wait it out, so the scheduler pauses Hiro for what is left of it
    e2e_options_t options = {
        .agents = 200, .chunk_size = 50, .fetchers = 2,
        .scheduler_args = (const char *const []) {
            "--alarm-active-ms", ACTIVE_MS, "--alarm-idle-ms", IDLE_MS,
            "--job-deadline-ms", "2000", NULL }
    };
    e2e_world_t *world = e2e_world_new (&options);
    e2e_world_mock_control (world, "{\"rate_limit_retry_after_s\":4,"
                            "\"faults\":[{\"endpoint\":\"hiro\","
                            "\"kind\":\"429\",\"count\":1}]}");
    e2e_world_go (world);
    int64_t until = e2e_now_ms () + WAIT_MS;
    uint64_t paused_until = 0;
    while (!paused_until) {
        bb_envelope_t *reply = e2e_world_status (world);
        paused_until = reply->scheduler_status->upstreams [0]
                           ->paused_until_ms;
        bb_wire_envelope_destroy (&reply);
        assert_true (e2e_now_ms () < until);
    }
    //  Hiro paused about 4 s: once the jobs under way are done, no job
    //  goes while it lasts, ticks or not
    assert_true (paused_until > s_wall_ms () + 1000);
    while (true) {
        bb_envelope_t *reply = e2e_world_status (world);
        size_t in_flight = reply->scheduler_status->n_in_flight;
        bb_wire_envelope_destroy (&reply);
        if (in_flight == 0)
            break;
        assert_true (e2e_now_ms () < until);
        s_sleep_ms (POLL_MS);
    }
    json_int_t requests = s_hiro_requests (world);
    s_tick (world);
    s_sleep_ms (200);
    bb_envelope_t *reply = e2e_world_status (world);
    assert_int_equal (reply->scheduler_status->n_in_flight, 0);
    assert_int_equal (reply->scheduler_status->upstreams [0]->rate_limited,
                      1);
    assert_true (reply->scheduler_status->idle_mode);
    bb_wire_envelope_destroy (&reply);
    while (s_wall_ms () + 200 < paused_until)
        s_sleep_ms (POLL_MS);
    assert_int_equal (s_hiro_requests (world), requests);
    while (s_wall_ms () < paused_until + 100)
        s_sleep_ms (POLL_MS);
    //  after the pause the next tick goes on, healthy again
    s_tick (world);
    e2e_world_wait_rotations (world, 1, ROTATION_MS);
    assert_true (s_hiro_requests (world) > requests);
    //  the rate-limited agent is fetched again by the next rotation
    s_tick (world);
    e2e_world_wait_rotations (world, 2, ROTATION_MS);
    e2e_world_check_dashboard (world, 200, NULL, 0);
    e2e_world_destroy (&world);
}

int
main (void)
{
    curl_global_init (CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_idle_and_back),
        cmocka_unit_test (test_retry_after_pauses),
    };
    int rc = cmocka_run_group_tests (tests, NULL, NULL);
    curl_global_cleanup ();
    return rc;
}
