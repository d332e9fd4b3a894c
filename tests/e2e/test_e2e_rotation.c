/*  test_e2e_rotation - real processes: a full rotation of 1,000 agents
    leaves every agent fetched from both sources with exactly the mock's
    positions, ranked by their value at the reported prices; agents
    added and removed mid-rotation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "e2e_world.h"
#include "bb_mockdata.h"

#define ROTATION_MS 90000

static void
test_full_rotation (void **state)
{
    e2e_options_t options = { .agents = 1000, .chunk_size = 100,
                              .fetchers = 2 };
    e2e_world_t *world = e2e_world_new_going (&options);
    e2e_world_wait_rotations (world, 1, ROTATION_MS);

    bb_envelope_t *reply = e2e_world_status (world);
    const Balboard__SchedulerStatus *status = reply->scheduler_status;
    assert_int_equal (status->rotation, 1);
    assert_int_equal (status->rotation_agents, 1000);
    assert_int_equal (status->rotation_done, 1000);
    assert_int_equal (status->n_in_flight, 0);
    //  both fetchers worked
    assert_int_equal (status->n_fetcher_list, 2);
    assert_true (status->fetcher_list [0]->jobs > 0);
    assert_true (status->fetcher_list [1]->jobs > 0);
    assert_int_equal (status->fetcher_list [0]->jobs
                      + status->fetcher_list [1]->jobs, 10);
    for (size_t u = 0; u < status->n_upstreams; u++)
        assert_true (status->upstreams [u]->healthy);
    bb_wire_envelope_destroy (&reply);

    reply = e2e_world_stats (world);
    assert_int_equal (reply->store_stats->agents, 1000);
    assert_int_equal (reply->store_stats->agents_fetched, 1000);
    assert_int_equal (reply->store_stats->rotation, 1);
    bb_wire_envelope_destroy (&reply);
    e2e_world_check_dashboard (world, 1000, NULL, 0);
    e2e_world_destroy (&world);
}

//  Paused mid-rotation: agents added after the cursor are fetched in this
//  rotation, those before it in the next; removed agents stop appearing.
static void
test_agents_mid_rotation (void **state)
{
    e2e_options_t options = { .agents = 300, .chunk_size = 50,
                              .fetchers = 1, .mock_latency_ms = 20 };
    e2e_world_t *world = e2e_world_new_going (&options);
    char cursor [BB_MOCK_STX_ADDRESS_SIZE] = "";
    while (!*cursor) {
        bb_envelope_t *reply = e2e_world_status (world);
        snprintf (cursor, sizeof cursor, "%s",
                  reply->scheduler_status->cursor);
        bb_wire_envelope_destroy (&reply);
    }
    bb_envelope_t *reply = e2e_world_control (
        world, BALBOARD__SCHEDULER_CONTROL__COMMAND__PAUSE);
    snprintf (cursor, sizeof cursor, "%s", reply->scheduler_status->cursor);
    assert_true (reply->scheduler_status->rotation_done < 300);
    bb_wire_envelope_destroy (&reply);

    //  20 new agents fall on both sides of the cursor
    e2e_world_import (world, 300, 20);
    unsigned removed [2] = { 0, 0 };
    size_t removed_count = 0;
    for (unsigned i = 0; i < 300 && removed_count < 2; i++) {
        bb_mock_agent_t agent;
        bb_mockdata_agent (i, &agent);
        if (strcmp (agent.stx_address, cursor) > 0) {
            e2e_world_remove (world, i);
            removed [removed_count++] = i;
        }
    }
    assert_int_equal (removed_count, 2);
    e2e_world_go (world);
    e2e_world_wait_rotations (world, 1, ROTATION_MS);

    reply = e2e_world_status (world);
    assert_int_equal (reply->scheduler_status->rotation, 1);
    bb_wire_envelope_destroy (&reply);
    unsigned before = 0, after = 0;
    bb_envelope_t *stats = e2e_world_stats (world);
    assert_int_equal (stats->store_stats->agents, 318);
    bb_wire_envelope_destroy (&stats);
    for (unsigned i = 300; i < 320; i++) {
        bb_mock_agent_t agent;
        bb_mockdata_agent (i, &agent);
        int expected = strcmp (agent.stx_address, cursor) > 0
            ? BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK
            : BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING;
        before += expected == BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING;
        after += expected == BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK;
        assert_int_equal (e2e_world_fetch_state (world, i), expected);
    }
    assert_true (before > 0 && after > 0);
    for (size_t i = 0; i < removed_count; i++)
        assert_int_equal (e2e_world_fetch_state (world, removed [i]), -1);

    //  the next rotation takes everyone
    reply = e2e_world_control (world,
                               BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK);
    bb_wire_envelope_destroy (&reply);
    e2e_world_wait_rotations (world, 2, ROTATION_MS);
    e2e_world_check_dashboard (world, 320, removed, removed_count);
    e2e_world_destroy (&world);
}

E2E_WORLD_MAIN (cmocka_unit_test (test_full_rotation),
                cmocka_unit_test (test_agents_mid_rotation))
