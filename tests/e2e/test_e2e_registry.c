/*  test_e2e_registry - registry sync end to end: the scheduler syncs the
    mock's agent registry (/api/agents, its agent count, faults and
    invalid agents changed at run time over /__mock/control) through real
    fetchers into the real store. Growth is fetched within one rotation,
    shrinking removes exactly the agents gone, a page that fails removes
    nothing, an empty registry is held until confirmed, invalid agents
    are rejected with reasons, and a kill -9 of the store or the
    scheduler during a sync leaves the old set or the new, never a mix.
    Prints the time and requests a sync of 10,000 agents took. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "e2e_world.h"
#include "bb_clock.h"

#define WAIT_MS     60000       // a condition not met: a hang
#define ROTATION_MS 60000
#define APPLIED     BALBOARD__SYNC_OUTCOME__SYNC_APPLIED
#define PARTIAL     BALBOARD__SYNC_OUTCOME__SYNC_PARTIAL
#define HELD        BALBOARD__SYNC_OUTCOME__SYNC_HELD

//  ---------------------------------------------------------------------
//  Helpers

//  The last sync ended with a generation above *after and none is out.
static bool
s_synced_after (const Balboard__SchedulerStatus *status, void *arg)
{
    uint64_t after = *(uint64_t *) arg;
    return !status->registry_syncing && status->registry_sync
        && status->registry_sync->generation > after;
}

//  The generation of the last sync's report (0 if none yet).
static uint64_t
s_generation (e2e_world_t *world)
{
    bb_envelope_t *reply = e2e_world_status (world);
    const Balboard__RegistrySyncReport *sync =
        reply->scheduler_status->registry_sync;
    uint64_t generation = sync ? sync->generation : 0;
    bb_wire_envelope_destroy (&reply);
    return generation;
}

//  Wait for a sync after generation after to end; its status (caller
//  destroys).
static bb_envelope_t *
s_wait_sync (e2e_world_t *world, uint64_t after)
{
    return e2e_world_wait_status (world, "a registry sync", s_synced_after,
                                  &after, WAIT_MS);
}

//  SYNC (confirm) now and wait for it to end; its status (caller
//  destroys).
static bb_envelope_t *
s_sync (e2e_world_t *world, bool confirm)
{
    uint64_t after = s_generation (world);
    bb_envelope_t *reply = e2e_world_sync (world, confirm);
    bb_wire_envelope_destroy (&reply);
    return s_wait_sync (world, after);
}

//  Agents the store holds.
static uint64_t
s_agents (e2e_world_t *world)
{
    bb_envelope_t *reply = e2e_world_stats (world);
    uint64_t agents = reply->store_stats->agents;
    bb_wire_envelope_destroy (&reply);
    return agents;
}

//  Set the mock registry's agent count.
static void
s_registry_agents (e2e_world_t *world, unsigned agents)
{
    char body [64];
    snprintf (body, sizeof body, "{\"agents\": %u}", agents);
    e2e_world_mock_control (world, body);
}

//  The store knows sample agents 0..known-1 and none of known..upto-1.
static void
s_check_known (e2e_world_t *world, unsigned known, unsigned upto)
{
    for (unsigned index = 0; index < upto; index++)
        if (index < known)
            assert_true (e2e_world_fetch_state (world, index) >= 0);
        else
            assert_int_equal (e2e_world_fetch_state (world, index), -1);
}

static const Balboard__RegistrySyncReport *
s_report (bb_envelope_t *reply)
{
    return reply->scheduler_status->registry_sync;
}

//  s_sync, and check the sync ended with outcome; its status (caller
//  destroys).
static bb_envelope_t *
s_sync_outcome (e2e_world_t *world, bool confirm,
                Balboard__SyncOutcome outcome)
{
    bb_envelope_t *reply = s_sync (world, confirm);
    assert_int_equal (s_report (reply)->outcome, outcome);
    return reply;
}

//  ---------------------------------------------------------------------
//  Tests

static const char *const s_sched_args [] = {
    "--registry-max-remove-pct", "50", "--registry-rpm", "0", NULL
};

//  A world whose scheduler syncs agents from the mock's registry, with
//  fetchers fetchers, chunks of chunk_size (0: the default) and the
//  mock's extra flags (NULL-terminated, may be NULL).
static e2e_world_t *
s_world_new (unsigned agents, unsigned chunk_size, unsigned fetchers,
             const char *const *mock_args)
{
    e2e_options_t options = { .agents = agents, .chunk_size = chunk_size,
                              .fetchers = fetchers, .registry = true,
                              .mock_args = mock_args,
                              .scheduler_args = s_sched_args };
    return e2e_world_new (&options);
}

//  100 agents synced at start and fetched; growth to 150 is picked up
//  and fetched whole in the next rotation; shrinking to 80 removes
//  exactly the 70 gone.
static void
test_growth_and_shrink (void **state)
{
    e2e_world_t *world = s_world_new (100, 50, 2, NULL);
    e2e_world_go (world);
    bb_envelope_t *reply = s_wait_sync (world, 0);
    assert_int_equal (s_report (reply)->outcome, APPLIED);
    assert_int_equal (s_report (reply)->added, 100);
    assert_non_null (strstr (reply->scheduler_status->registry_source,
                             "/api/agents"));
    bb_wire_envelope_destroy (&reply);
    e2e_world_wait_rotations (world, 1, ROTATION_MS);
    e2e_world_check_dashboard (world, 100, NULL, 0);

    //  Growth: the sync adds 50, the store's event starts a rotation
    int64_t start = bb_clock_mono_ms ();
    s_registry_agents (world, 150);
    reply = s_sync_outcome (world, false, APPLIED);
    assert_int_equal (s_report (reply)->added, 50);
    assert_int_equal (s_report (reply)->removed, 0);
    bb_wire_envelope_destroy (&reply);
    e2e_world_wait_rotations (world, 2, ROTATION_MS);
    e2e_world_check_dashboard (world, 150, NULL, 0);
    printf ("e2e registry: 100 -> 150 agents synced and fetched in %lld ms"
            "\n", (long long) (bb_clock_mono_ms () - start));

    //  Shrinking: exactly the 70 gone are removed
    s_registry_agents (world, 80);
    reply = s_sync_outcome (world, false, APPLIED);
    assert_int_equal (s_report (reply)->removed, 70);
    assert_int_equal (s_report (reply)->unchanged, 80);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (s_agents (world), 80);
    s_check_known (world, 80, 150);
    e2e_world_destroy (&world);
}

//  A registry answering 500 from page 2 on removes nothing; an empty
//  registry is held and shown, then applied with confirm; invalid agents
//  are rejected with reasons while the rest go in.
static void
test_partial_held_rejected (void **state)
{
    e2e_world_t *world = s_world_new (150, 0, 1, NULL);
    e2e_world_go (world);
    bb_envelope_t *reply = s_wait_sync (world, 0);
    assert_int_equal (s_report (reply)->added, 150);
    bb_wire_envelope_destroy (&reply);

    //  120 agents, 2 pages: 500 on page 2, partial, nothing removed
    s_registry_agents (world, 120);
    e2e_world_mock_control (world, "{\"faults\": [{\"endpoint\": \"agents\","
                            " \"kind\": \"5xx\", \"status\": 500,"
                            " \"count\": 1000, \"skip\": 1}]}");
    reply = s_sync_outcome (world, false, PARTIAL);
    assert_int_equal (s_report (reply)->removed, 0);
    assert_true (*s_report (reply)->reason);
    printf ("e2e registry: partial read: %s\n", s_report (reply)->reason);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (s_agents (world), 150);
    e2e_world_mock_control (world, "{\"faults\": []}");

    //  Empty: held, shown, then applied with confirm
    s_registry_agents (world, 0);
    reply = s_sync_outcome (world, false, HELD);
    assert_int_equal (s_report (reply)->held_removals, 150);
    assert_int_equal (s_report (reply)->removed, 0);
    assert_true (*s_report (reply)->reason);
    printf ("e2e registry: held: %s\n", s_report (reply)->reason);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (s_agents (world), 150);
    reply = e2e_world_stats (world);
    assert_int_equal (reply->store_stats->registry_sync->outcome, HELD);
    bb_wire_envelope_destroy (&reply);
    reply = s_sync_outcome (world, true, APPLIED);
    assert_int_equal (s_report (reply)->removed, 150);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (s_agents (world), 0);

    //  Every 10th agent invalid: 10 rejected with reasons, 90 in
    e2e_world_mock_control (world, "{\"agents\": 100, "
                            "\"agents_invalid_every\": 10}");
    reply = s_sync (world, false);
    const Balboard__RegistrySyncReport *report = s_report (reply);
    assert_int_equal (report->rejected, 10);
    assert_int_equal (report->n_rejections, 10);
    for (size_t i = 0; i < report->n_rejections; i++)
        assert_true (*report->rejections [i]->reason);
    assert_int_equal (report->added, 90);
    printf ("e2e registry: rejected %s: %s\n",
            report->rejections [0]->stx_address,
            report->rejections [0]->reason);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (s_agents (world), 90);
    e2e_world_destroy (&world);
}

//  The store holds the agents before a sync or after it, never a mix.
static void
s_old_or_new (e2e_world_t *world, uint64_t before, uint64_t after)
{
    uint64_t agents = s_agents (world);
    printf ("e2e registry: after the kill the store holds %llu agents "
            "(before %llu, after %llu)\n", (unsigned long long) agents,
            (unsigned long long) before, (unsigned long long) after);
    assert_true (agents == before || agents == after);
}

//  Wait until the mock served at least pages registry pages in all.
static void
s_wait_pages (e2e_world_t *world, json_int_t pages)
{
    int64_t until = bb_clock_mono_ms () + WAIT_MS;
    while (e2e_world_mock_count (world, "requests", "by_endpoint", "agents",
                                 NULL) < pages) {
        assert_true (bb_clock_mono_ms () < until);
        bb_clock_sleep_ms (10);
    }
}

//  Set the registry to agents and start a sync; return once the mock
//  served pages of its pages, so that a kill lands in its middle.
static void
s_sync_under_way (e2e_world_t *world, unsigned agents, json_int_t pages)
{
    s_registry_agents (world, agents);
    json_int_t served = e2e_world_mock_count (world, "requests",
                                              "by_endpoint", "agents", NULL);
    bb_envelope_t *reply = e2e_world_sync (world, false);
    bb_wire_envelope_destroy (&reply);
    s_wait_pages (world, served + pages);
}

//  Once a sync after generation ended, the store holds agents, after
//  one more sync if that one did not complete.
static void
s_synced_to (e2e_world_t *world, uint64_t generation, uint64_t agents)
{
    bb_envelope_t *reply = s_wait_sync (world, generation);
    bb_wire_envelope_destroy (&reply);
    if (s_agents (world) != agents) {
        reply = s_sync (world, false);
        bb_wire_envelope_destroy (&reply);
    }
    assert_int_equal (s_agents (world), agents);
}

//  A kill -9 of the store, then of the scheduler, in the middle of a
//  sync of 5,000 agents (3 parts): the old set or the new one; the sync
//  then completes.
static void
test_kill_during_sync (void **state)
{
    static const char *const mock_args [] = { "--latency-ms", "20", NULL };
    e2e_world_t *world = s_world_new (100, 0, 1, mock_args);
    e2e_world_go (world);
    bb_envelope_t *reply = s_wait_sync (world, 0);
    bb_wire_envelope_destroy (&reply);
    uint64_t generation = s_generation (world);

    s_sync_under_way (world, 5000, 50);
    e2e_world_kill_store (world);
    s_old_or_new (world, 100, 5000);
    s_synced_to (world, generation, 5000);

    s_sync_under_way (world, 4000, 40);
    e2e_world_kill_scheduler (world);
    s_old_or_new (world, 5000, 4000);
    e2e_world_start_scheduler (world, NULL);
    s_synced_to (world, 0, 4000);
    e2e_world_destroy (&world);
}

//  The closing figure: a sync of 10,000 registry agents in pages of 100,
//  its time and the requests it took.
static void
test_sync_10000 (void **state)
{
    e2e_world_t *world = s_world_new (10000, 0, 1, NULL);
    int64_t start = bb_clock_mono_ms ();
    e2e_world_go (world);
    bb_envelope_t *reply = s_wait_sync (world, 0);
    int64_t elapsed = bb_clock_mono_ms () - start;
    const Balboard__RegistrySyncReport *report = s_report (reply);
    assert_int_equal (report->outcome, APPLIED);
    assert_int_equal (report->added, 10000);
    printf ("e2e registry: sync of 10000 agents: %lld ms from start to the "
            "status (%llu ms fetcher read to store applied), %u pages, %u "
            "requests\n", (long long) elapsed,
            (unsigned long long) (report->finished_ms - report->started_ms),
            report->pages, report->requests);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (s_agents (world), 10000);
    e2e_world_destroy (&world);
}

E2E_WORLD_MAIN (cmocka_unit_test (test_growth_and_shrink),
                cmocka_unit_test (test_partial_held_rejected),
                cmocka_unit_test (test_kill_during_sync),
                cmocka_unit_test (test_sync_10000))
