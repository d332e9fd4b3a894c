/*  test_e2e_budget - real processes: the mock upstream allows 20 requests
    per second per host; without a budget four fetchers run into its 429s,
    with the scheduler's budget set to the same limit they never do. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <cmocka.h>

#include "e2e_world.h"
#include "bb_clock.h"
#include "bb_upstream.h"

#define ROTATION_MS 90000
#define WAIT_MS     20000
#define POLL_MS     50

//  20 requests per 1 s window per upstream host
static const char *const s_mock_limit [] = {
    "--rate-limit-per-minute", "20", "--rate-limit-window-ms", "1000",
    "--rate-limit-retry-after-s", "1", NULL
};

static json_int_t
s_rate_limited (e2e_world_t *world)
{
    return e2e_world_mock_count (world, "rate_limited", NULL);
}

//  True once the mock refused a request with a 429.
static bool
s_refused (void *world)
{
    return s_rate_limited (world) > 0;
}

//  The limit binds: four fetchers without a budget are refused.
static void
test_without_budget (void **state)
{
    e2e_options_t options = { .agents = 200, .chunk_size = 50,
                              .fetchers = 4, .mock_args = s_mock_limit };
    e2e_world_t *world = e2e_world_new_going (&options);
    assert_int_equal (bb_clock_wait_until (s_refused, world, WAIT_MS,
                                           POLL_MS), 0);
    e2e_world_destroy (&world);
}

//  The same, with budgets of 1200/min held over 1 s windows (20 per
//  window, exactly the mock's limit): no 429, however many fetchers.
static void
test_with_budget (void **state)
{
    e2e_options_t options = {
        .agents = 200, .chunk_size = 50, .fetchers = 4,
        .mock_args = s_mock_limit,
        .scheduler_args = (const char *const []) {
            "--hiro-rpm", "1200", "--mempool-rpm", "1200",
            "--price-rpm", "1200", "--budget-window-ms", "1000", NULL }
    };
    e2e_world_t *world = e2e_world_new (&options);
    int64_t start = bb_clock_mono_ms ();
    e2e_world_go (world);
    e2e_world_wait_rotations (world, 1, ROTATION_MS);
    int64_t elapsed = bb_clock_mono_ms () - start;
    assert_int_equal (s_rate_limited (world), 0);
    bb_envelope_t *reply = e2e_world_status (world);
    const Balboard__SchedulerStatus *status = reply->scheduler_status;
    assert_int_equal (status->n_upstreams, BB_UPSTREAM_COUNT);
    for (size_t u = 0; u < status->n_upstreams; u++)
        assert_int_equal (status->upstreams [u]->rate_limited, 0);
    for (size_t u = 0; u < BB_UPSTREAM_REGISTRY; u++)
        assert_int_equal (status->upstreams [u]->budget_per_minute, 1200);
    //  200 Hiro requests at 20 per second: about 10 s, not 1
    assert_true (elapsed >= 8000);
    printf ("e2e budget: rotation of 200 agents in %lld ms, %.0f%% of the "
            "Hiro budget\n", (long long) elapsed,
            100.0 * 200 / (20.0 * elapsed / 1000));
    bb_wire_envelope_destroy (&reply);
    e2e_world_check_dashboard (world, 200, NULL, 0);
    e2e_world_destroy (&world);
}

E2E_WORLD_MAIN (cmocka_unit_test (test_without_budget),
                cmocka_unit_test (test_with_budget))
