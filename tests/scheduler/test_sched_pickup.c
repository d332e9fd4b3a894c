/*  test_sched_pickup - bb_pickup: growth makes a pickup due once no
    rotation runs, at most one per interval; growth seen while a rotation
    runs is dropped; the count starts at the last rotation's size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bb_pickup.h"

#define INTERVAL_MS 1000

static void
test_growth_makes_one_pickup (void **state)
{
    bb_pickup_t *pickup = bb_pickup_new (NULL, 100, INTERVAL_MS);
    assert_non_null (pickup);
    assert_null (bb_pickup_socket (pickup));
    //  the same count as the last rotation: nothing to pick up
    assert_false (bb_pickup_agents (pickup, 100));
    assert_false (bb_pickup_due (pickup, false, 0, 5000));
    assert_true (bb_pickup_agents (pickup, 120));
    assert_true (bb_pickup_due (pickup, false, 0, 5000));
    assert_false (bb_pickup_due (pickup, false, 0, 5001));
    bb_pickup_destroy (&pickup);
    assert_null (pickup);
    bb_pickup_destroy (&pickup);
}

static void
test_one_pickup_per_interval (void **state)
{
    bb_pickup_t *pickup = bb_pickup_new ("", 0, INTERVAL_MS);
    bb_pickup_agents (pickup, 10);
    assert_true (bb_pickup_due (pickup, false, 0, 5000));
    bb_pickup_agents (pickup, 20);
    //  within the interval it waits, and goes once the interval ends
    assert_false (bb_pickup_due (pickup, false, 0, 5000 + INTERVAL_MS - 1));
    assert_true (bb_pickup_due (pickup, false, 0, 5000 + INTERVAL_MS));
    bb_pickup_destroy (&pickup);
}

static void
test_running_rotation_drops_growth (void **state)
{
    bb_pickup_t *pickup = bb_pickup_new (NULL, 10, INTERVAL_MS);
    bb_pickup_agents (pickup, 20);
    assert_false (bb_pickup_due (pickup, true, 0, 5000));
    //  the rotation ended: the growth it saw is not picked up again
    assert_false (bb_pickup_due (pickup, false, 0, 9000));
    //  a shrink then a regrowth to the same size is growth
    //  (a shrink is a change too)
    assert_true (bb_pickup_agents (pickup, 15));
    assert_false (bb_pickup_due (pickup, false, 0, 9000));
    bb_pickup_agents (pickup, 20);
    assert_true (bb_pickup_due (pickup, false, 0, 9000));
    bb_pickup_destroy (&pickup);
}

//  An event that comes after the rotation that took its agents (events
//  are merged, so one may lag a short rotation) picks up nothing.
static void
test_late_event_after_rotation (void **state)
{
    bb_pickup_t *pickup = bb_pickup_new (NULL, 500, INTERVAL_MS);
    bb_pickup_agents (pickup, 1000);
    //  the rotation that started with 1,000 agents has ended
    assert_false (bb_pickup_due (pickup, false, 1000, 5000));
    bb_pickup_agents (pickup, 1030);
    assert_true (bb_pickup_due (pickup, false, 1000, 5000));
    bb_pickup_destroy (&pickup);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_growth_makes_one_pickup),
        cmocka_unit_test (test_one_pickup_per_interval),
        cmocka_unit_test (test_running_rotation_drops_growth),
        cmocka_unit_test (test_late_event_after_rotation),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
