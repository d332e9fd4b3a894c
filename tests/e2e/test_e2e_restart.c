/*  test_e2e_restart - real processes: kill -9 of the scheduler mid-
    rotation, then a restart on the same state, resumes the rotation from
    its cursor: the same rotation completes, no agent is skipped, and only
    the chunks in flight at the kill are fetched twice. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "e2e_world.h"
#include "bb_mockdata.h"

#define AGENTS      1000
#define CHUNK       50
#define FETCHERS    2
#define ROTATION_MS 90000
#define WAIT_MS     30000

static void
test_kill_scheduler_mid_rotation (void **state)
{
    e2e_options_t options = { .agents = AGENTS, .chunk_size = CHUNK,
                              .fetchers = FETCHERS, .mock_latency_ms = 10 };
    e2e_world_t *world = e2e_world_new_going (&options);
    char cursor [BB_MOCK_STX_ADDRESS_SIZE];
    bb_envelope_t *reply = e2e_world_wait_done (world, AGENTS / 4, WAIT_MS);
    snprintf (cursor, sizeof cursor, "%s", reply->scheduler_status->cursor);
    bb_wire_envelope_destroy (&reply);
    e2e_world_kill_scheduler (world);
    e2e_world_start_scheduler (world, NULL);

    //  The same rotation goes on from (at least) the cursor it had
    reply = e2e_world_status (world);
    const Balboard__SchedulerStatus *status = reply->scheduler_status;
    assert_int_equal (status->rotation, 1);
    assert_true (strcmp (status->cursor, cursor) >= 0);
    assert_true (status->rotation_done >= AGENTS / 4);
    bb_wire_envelope_destroy (&reply);
    e2e_world_wait_rotations (world, 1, ROTATION_MS);
    reply = e2e_world_status (world);
    assert_int_equal (reply->scheduler_status->rotation, 1);
    assert_int_equal (reply->scheduler_status->rotation_done, AGENTS);
    bb_wire_envelope_destroy (&reply);
    e2e_world_check_dashboard (world, AGENTS, NULL, 0);

    //  Each agent fetched once, those of the jobs in flight at the kill
    //  at most twice: the rotation did not start over
    json_t *stats = e2e_world_mock_stats (world);
    json_t *by_address = json_object_get (json_object_get (stats,
                                                           "requests"),
                                          "by_address");
    unsigned twice = 0;
    for (unsigned i = 0; i < AGENTS; i++) {
        bb_mock_agent_t agent;
        bb_mockdata_agent (i, &agent);
        json_int_t count = json_integer_value (
            json_object_get (by_address, agent.stx_address));
        assert_true (count == 1 || count == 2);
        twice += count == 2;
    }
    assert_true (twice <= FETCHERS * CHUNK);
    json_decref (stats);
    e2e_world_destroy (&world);
}

E2E_WORLD_MAIN (cmocka_unit_test (test_kill_scheduler_mid_rotation))
