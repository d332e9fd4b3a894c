/*  test_e2e_pickup - real processes: agents imported after a rotation
    ended are fetched within seconds, with no tick and the alarm an hour
    away: the scheduler reads the store's events and starts a rotation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <czmq.h>

#include "e2e_world.h"
#include "bb_clock.h"

#define ROTATION_MS     90000
#define PICKUP_MS       60000   // catches a hang, not a speed bound
#define POLL_MS         20
#define FIRST_AGENTS    100
#define NEW_AGENTS      30

//  True once every new agent was fetched.
static bool
s_new_agents_fetched (void *world)
{
    for (unsigned i = FIRST_AGENTS; i < FIRST_AGENTS + NEW_AGENTS; i++)
        if (e2e_world_fetch_state (world, i)
            != BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK)
            return false;
    return true;
}

//  FIRST_AGENTS fetched by a first rotation; the alarm an hour away.
static e2e_world_t *
s_world_after_first_rotation (void)
{
    e2e_options_t options = {
        .agents = FIRST_AGENTS, .chunk_size = 50, .fetchers = 1,
        .scheduler_args = (const char *const []) {
            "--alarm-active-ms", "3600000", "--alarm-idle-ms", "3600000",
            NULL }
    };
    e2e_world_t *world = e2e_world_new_going (&options);
    e2e_world_wait_rotations (world, 1, ROTATION_MS);
    return world;
}

static void
test_import_picked_up (void **state)
{
    e2e_world_t *world = s_world_after_first_rotation ();

    int64_t start = zclock_mono ();
    e2e_world_import (world, FIRST_AGENTS, NEW_AGENTS);
    assert_int_equal (bb_clock_wait_until (s_new_agents_fetched, world,
                                           PICKUP_MS, POLL_MS), 0);
    printf ("pickup: %u imported agents fetched %" PRId64 " ms after the "
            "import\n", NEW_AGENTS, zclock_mono () - start);

    //  a second rotation did it, not the alarm (an hour away)
    e2e_world_wait_rotations (world, 2, ROTATION_MS);
    bb_envelope_t *reply = e2e_world_status (world);
    const Balboard__SchedulerStatus *status = reply->scheduler_status;
    assert_int_equal (status->rotation, 2);
    assert_int_equal (status->rotation_agents, FIRST_AGENTS + NEW_AGENTS);
    assert_false (status->paused);
    bb_wire_envelope_destroy (&reply);
    e2e_world_check_dashboard (world, FIRST_AGENTS + NEW_AGENTS, NULL, 0);
    e2e_world_destroy (&world);
}

//  Paused, an import starts nothing: the pause holds.
static void
test_paused_stays_paused (void **state)
{
    e2e_world_t *world = s_world_after_first_rotation ();
    bb_envelope_t *reply = e2e_world_control (
        world, BALBOARD__SCHEDULER_CONTROL__COMMAND__PAUSE);
    bb_wire_envelope_destroy (&reply);
    e2e_world_import (world, FIRST_AGENTS, NEW_AGENTS);
    //  the store's event for the import has come once the registry shows
    //  it; a few heartbeats after, still nothing went
    bb_envelope_t *stats = e2e_world_stats (world);
    assert_int_equal (stats->store_stats->agents, FIRST_AGENTS + NEW_AGENTS);
    bb_wire_envelope_destroy (&stats);
    zclock_sleep (1000);
    reply = e2e_world_status (world);
    assert_true (reply->scheduler_status->paused);
    assert_int_equal (reply->scheduler_status->rotation, 1);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (e2e_world_fetch_state (world, FIRST_AGENTS),
                      BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING);
    e2e_world_destroy (&world);
}

E2E_WORLD_MAIN (cmocka_unit_test (test_import_picked_up),
                cmocka_unit_test (test_paused_stays_paused))
