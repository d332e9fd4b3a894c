/*  =========================================================================
    test_chaos - kill -9 any process at any moment; nothing is lost

    A whole balboard (chaos_world: mock upstream with 20-50 ms latency,
    store, scheduler, two fetchers) rotates its agents back to back.
    At a random moment the test kills one of the four balboard
    processes with SIGKILL, at random, and starts it again on its data;
    after each restart it checks the invariants (chaos_ledger), then
    waits until the store commits again before the next kill. After the
    last kill, the rotation in progress and one more, clean, complete,
    and every balance equals the mock's.

    BALBOARD_CHAOS_KILLS (default 25) sets the kills;
    BALBOARD_CHAOS_SEED replays a run (the seed is printed at start).
    =========================================================================
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "chaos_ledger.h"
#include "chaos_world.h"
#include "bb_clock.h"
#include "bb_random.h"

#define AGENTS              1000
#define CHUNK_SIZE          50
#define KILLS_DEFAULT       25
#define KILL_AFTER_MIN_MS   100         // a kill comes this long ...
#define KILL_AFTER_SPAN_MS  2900        // ... plus up to this after a commit
#define PROGRESS_MS         120000      // the store commits again by then
#define ROTATION_MS         300000      // a rotation completes by then
#define POLL_MS             100

//  A positive number from the environment, or fallback.
static uint64_t
s_env_number (const char *name, uint64_t fallback)
{
    const char *text = getenv (name);
    return text && *text ? strtoull (text, NULL, 10) : fallback;
}

//  The store's last commit time (wall ms, 0 before any).
static uint64_t
s_last_commit (chaos_world_t *world)
{
    bb_envelope_t *stats = chaos_world_stats (world);
    uint64_t last_commit = stats->store_stats->last_commit_ms;
    bb_wire_envelope_destroy (&stats);
    return last_commit;
}

//  Wait until the store has committed after the commit at since.
static void
s_wait_commit (chaos_world_t *world, uint64_t since)
{
    int64_t until = bb_clock_mono_ms () + PROGRESS_MS;
    while (s_last_commit (world) <= since) {
        if (bb_clock_mono_ms () >= until)
            fail_msg ("chaos: no commit within %d ms", PROGRESS_MS);
        bb_clock_sleep_ms (POLL_MS);
    }
}

//  Every invariant, now.
static void
s_check (chaos_ledger_t *ledger, chaos_world_t *world)
{
    chaos_ledger_check_registry (ledger, world);
    chaos_ledger_check_agents (ledger, world);
    bb_envelope_t *status = chaos_world_status (world);
    chaos_ledger_check_rotations (ledger, status);
    bb_wire_envelope_destroy (&status);
}

//  Wait until rotations rotations are complete; returns the status.
static bb_envelope_t *
s_wait_rotations (chaos_ledger_t *ledger, chaos_world_t *world,
                  uint64_t rotations)
{
    int64_t until = bb_clock_mono_ms () + ROTATION_MS;
    while (true) {
        bb_envelope_t *status = chaos_world_status (world);
        chaos_ledger_check_rotations (ledger, status);
        if (status->scheduler_status->rotations_completed >= rotations)
            return status;
        bb_wire_envelope_destroy (&status);
        if (bb_clock_mono_ms () >= until)
            fail_msg ("chaos: rotation %" PRIu64 " not complete within "
                      "%d ms", rotations, ROTATION_MS);
        bb_clock_sleep_ms (POLL_MS);
    }
}

//  The kills: at a random moment after a commit, a random process.
static void
s_kill_loop (chaos_ledger_t *ledger, chaos_world_t *world, uint64_t *random,
             uint64_t kills, unsigned *killed)
{
    for (uint64_t kill = 0; kill < kills; kill++) {
        uint64_t commit = s_last_commit (world);
        bb_clock_sleep_ms (KILL_AFTER_MIN_MS
                           + (long) (bb_random_next (random)
                                     % KILL_AFTER_SPAN_MS));
        chaos_role_t role = (chaos_role_t) (bb_random_next (random)
                                            % CHAOS_ROLE_COUNT);
        chaos_world_kill_restart (world, role);
        killed [role]++;
        s_check (ledger, world);
        s_wait_commit (world, commit);
    }
}

static void
test_kill_anything (void **state)
{
    uint64_t seed = s_env_number ("BALBOARD_CHAOS_SEED", 0);
    if (!seed)
        seed = bb_clock_wall_ms () ^ ((uint64_t) getpid () << 32);
    uint64_t kills = s_env_number ("BALBOARD_CHAOS_KILLS", KILLS_DEFAULT);
    printf ("chaos: seed %" PRIu64 " (BALBOARD_CHAOS_SEED=%" PRIu64
            " replays it), %" PRIu64 " kills, %u agents in chunks of %u\n",
            seed, seed, kills, AGENTS, CHUNK_SIZE);
    fflush (stdout);
    uint64_t random = seed;
    int64_t started = bb_clock_mono_ms ();
    chaos_world_t *world = chaos_world_new (AGENTS, CHUNK_SIZE);
    chaos_ledger_t *ledger = chaos_ledger_new (AGENTS);
    s_wait_commit (world, 0);
    bb_envelope_t *status = chaos_world_status (world);
    uint64_t completed_before = status->scheduler_status->rotations_completed;
    bb_wire_envelope_destroy (&status);

    unsigned killed [CHAOS_ROLE_COUNT] = { 0 };
    s_kill_loop (ledger, world, &random, kills, killed);
    int64_t chaos_ms = bb_clock_mono_ms () - started;

    //  The rotation open at the last kill completes, then a clean one.
    status = chaos_world_status (world);
    uint64_t last = status->scheduler_status->rotation;
    bb_wire_envelope_destroy (&status);
    status = s_wait_rotations (ledger, world, last + 1);
    uint64_t completed_after = status->scheduler_status->rotations_completed;
    bb_wire_envelope_destroy (&status);
    s_check (ledger, world);
    chaos_ledger_check_balances (ledger, world);

    printf ("chaos: seed %" PRIu64 ": %" PRIu64 " kills in %.1f s:",
            seed, kills, chaos_ms / 1000.0);
    for (int role = 0; role < CHAOS_ROLE_COUNT; role++)
        printf ("%s %s %u", role ? "," : "",
                chaos_world_role_name ((chaos_role_t) role), killed [role]);
    printf ("\nchaos: rotations completed %" PRIu64 " before the first kill,"
            " %" PRIu64 " after the clean one (%.1f s in all)\n",
            completed_before, completed_after,
            (bb_clock_mono_ms () - started) / 1000.0);
    chaos_ledger_print (ledger);
    chaos_ledger_destroy (&ledger);
    chaos_world_destroy (&world);
}

static int
s_setup_suite (void **state)
{
    return curl_global_init (CURL_GLOBAL_DEFAULT) == CURLE_OK? 0: -1;
}

static int
s_teardown_suite (void **state)
{
    curl_global_cleanup ();
    return 0;
}

int
main (void)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_kill_anything),
    };
    return cmocka_run_group_tests (tests, s_setup_suite, s_teardown_suite);
}
