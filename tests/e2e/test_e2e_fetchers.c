/*  test_e2e_fetchers - real processes: a fetcher added mid-rotation gets
    work; a fetcher killed (or frozen) mid-job loses nothing, its job goes
    again and the store acks both batches; with 1, 2 and 4 fetchers every
    fetcher gets jobs and each rotation completes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "e2e_world.h"
#include "bb_clock.h"

#define ROTATION_MS 60000
#define WAIT_MS     20000
#define POLL_MS     20

//  Jobs handed to fetcher id so far (0 if not connected).
static uint64_t
s_jobs_of (const Balboard__SchedulerStatus *status, const char *id)
{
    for (size_t i = 0; i < status->n_fetcher_list; i++)
        if (streq (status->fetcher_list [i]->fetcher_id, id))
            return status->fetcher_list [i]->jobs;
    return 0;
}

static void
test_fetcher_added_mid_rotation (void **state)
{
    e2e_options_t options = { .agents = 600, .chunk_size = 50,
                              .fetchers = 1, .mock_latency_ms = 20 };
    e2e_world_t *world = e2e_world_new_going (&options);
    bb_envelope_t *reply = e2e_world_wait_done (world, 50, WAIT_MS);
    bb_wire_envelope_destroy (&reply);
    size_t late = e2e_world_add_fetcher (world);
    e2e_world_wait_rotations (world, 1, ROTATION_MS);
    reply = e2e_world_status (world);
    const Balboard__SchedulerStatus *status = reply->scheduler_status;
    assert_int_equal (status->rotation, 1);
    uint64_t first = s_jobs_of (status, e2e_world_fetcher_id (world, 0));
    uint64_t second = s_jobs_of (status, e2e_world_fetcher_id (world, late));
    assert_true (second > 0);
    assert_int_equal (first + second, 12);
    bb_wire_envelope_destroy (&reply);
    e2e_world_check_dashboard (world, 600, NULL, 0);
    e2e_world_destroy (&world);
}

//  A fetcher of the world that holds a job: the first fetchers fetchers
//  are looked at; index and job are set once one is found.
typedef struct {
    e2e_world_t *world;
    size_t fetchers;
    size_t index;
    char job [32];
} busy_t;

//  The index of fetcher id among the first fetchers, or fetchers.
static size_t
s_fetcher_index (e2e_world_t *world, size_t fetchers, const char *id)
{
    size_t index = 0;
    while (index < fetchers
    &&     !streq (e2e_world_fetcher_id (world, index), id))
        index++;
    return index;
}

static bool
s_found_busy (const Balboard__SchedulerStatus *status, void *arg)
{
    busy_t *busy = arg;
    for (size_t i = 0; i < status->n_fetcher_list; i++) {
        const Balboard__FetcherInfo *info = status->fetcher_list [i];
        size_t index = s_fetcher_index (busy->world, busy->fetchers,
                                        info->fetcher_id);
        if (*info->job_id && index < busy->fetchers) {
            busy->index = index;
            snprintf (busy->job, sizeof busy->job, "%s", info->job_id);
            return true;
        }
    }
    return false;
}

//  Wait for a fetcher that holds a job; returns its index and copies the
//  job's id into job (32 bytes).
static size_t
s_busy_fetcher (e2e_world_t *world, size_t fetchers, char *job)
{
    busy_t busy = { .world = world, .fetchers = fetchers };
    bb_envelope_t *reply = e2e_world_wait_status (
        world, "busy fetcher", s_found_busy, &busy, WAIT_MS);
    bb_wire_envelope_destroy (&reply);
    snprintf (job, 32, "%s", busy.job);
    return busy.index;
}

//  A job expected in flight again, at a fetcher.
typedef struct {
    const char *job;
    const char *fetcher_id;
} again_t;

//  True once the job is in flight with attempt 2 at the fetcher.
static bool
s_sent_again (const Balboard__SchedulerStatus *status, void *arg)
{
    again_t *again = arg;
    for (size_t i = 0; i < status->n_in_flight; i++) {
        const Balboard__InFlightJob *entry = status->in_flight [i];
        if (streq (entry->job_id, again->job) && entry->attempt == 2
        &&  streq (entry->fetcher_id, again->fetcher_id))
            return true;
    }
    return false;
}

//  Wait until job goes again: in flight with attempt 2 at fetcher id.
static void
s_wait_again (e2e_world_t *world, const char *job, const char *id)
{
    again_t again = { job, id };
    bb_envelope_t *reply = e2e_world_wait_status (
        world, "second attempt", s_sent_again, &again, WAIT_MS);
    bb_wire_envelope_destroy (&reply);
}

//  True once the store acked seven batches (six chunks and the frozen
//  attempt); never more, none rejected.
static bool
s_seven_acked (void *world)
{
    bb_envelope_t *stats = e2e_world_stats (world);
    uint64_t acked = stats->store_stats->batches_committed
                   + stats->store_stats->batches_duplicate;
    assert_int_equal (stats->store_stats->batches_rejected, 0);
    bb_wire_envelope_destroy (&stats);
    assert_true (acked <= 7);
    return acked == 7;
}

//  Send signum to one of the two fetchers while it is busy with a job
//  (reap: and reap it once it dies), wait until that job goes again to
//  the other fetcher, then until the first rotation completes. Returns
//  the signalled fetcher's index.
static size_t
s_signal_busy_fetcher (e2e_world_t *world, int signum, bool reap)
{
    char job [32];
    size_t busy = s_busy_fetcher (world, 2, job);
    if (reap)
        e2e_world_signal_fetcher (world, busy, signum);
    else
        e2e_world_signal_fetcher_nowait (world, busy, signum);
    s_wait_again (world, job, e2e_world_fetcher_id (world, 1 - busy));
    e2e_world_wait_rotations (world, 1, ROTATION_MS);
    return busy;
}

//  kill -9 of a fetcher mid-job: its job goes to the other one (same id,
//  attempt 2) and nothing is lost.
static void
test_fetcher_killed_mid_job (void **state)
{
    e2e_options_t options = { .agents = 300, .chunk_size = 50,
                              .fetchers = 2, .mock_latency_ms = 100 };
    e2e_world_t *world = e2e_world_new_going (&options);
    s_signal_busy_fetcher (world, SIGKILL, true);
    bb_envelope_t *reply = e2e_world_status (world);
    const Balboard__SchedulerStatus *status = reply->scheduler_status;
    assert_int_equal (status->fetchers, 1);
    assert_int_equal (status->rotation_done, 300);
    bb_wire_envelope_destroy (&reply);
    e2e_world_check_dashboard (world, 300, NULL, 0);
    e2e_world_destroy (&world);
}

//  A fetcher frozen mid-job is declared dead and its job goes again; when
//  it thaws it finishes, the store acks its batch too (the newer data of
//  each agent wins), its late report is ignored and it is ready again.
static void
test_frozen_fetcher (void **state)
{
    //  A deadline long enough that the thawed fetcher finishes its job
    e2e_options_t options = {
        .agents = 300, .chunk_size = 50, .fetchers = 2,
        .mock_latency_ms = 50,
        .scheduler_args = (const char *const []) {
            "--job-deadline-ms", "60000", NULL }
    };
    e2e_world_t *world = e2e_world_new_going (&options);
    size_t frozen = s_signal_busy_fetcher (world, SIGSTOP, false);
    e2e_world_signal_fetcher_nowait (world, frozen, SIGCONT);
    e2e_world_wait_fetchers (world, 2);
    //  six chunks and the frozen attempt: seven batches acked
    assert_int_equal (bb_clock_wait_until (s_seven_acked, world, WAIT_MS,
                                           POLL_MS), 0);
    bb_envelope_t *reply = e2e_world_status (world);
    assert_int_equal (reply->scheduler_status->rotations_completed, 1);
    assert_int_equal (reply->scheduler_status->rotation_done, 300);
    assert_int_equal (reply->scheduler_status->n_in_flight, 0);
    bb_wire_envelope_destroy (&reply);
    e2e_world_check_dashboard (world, 300, NULL, 0);
    e2e_world_destroy (&world);
}

//  Horizontal scaling: every fetcher gets jobs, every rotation completes.
static void
test_scaling (void **state)
{
    const unsigned counts [] = { 1, 2, 4 };
    for (size_t c = 0; c < sizeof counts / sizeof counts [0]; c++) {
        e2e_options_t options = { .agents = 400, .chunk_size = 50,
                                  .fetchers = counts [c] };
        e2e_world_t *world = e2e_world_new_going (&options);
        e2e_world_wait_rotations (world, 1, ROTATION_MS);
        bb_envelope_t *reply = e2e_world_status (world);
        const Balboard__SchedulerStatus *status = reply->scheduler_status;
        assert_int_equal (status->n_fetcher_list, counts [c]);
        uint64_t jobs = 0;
        for (size_t i = 0; i < status->n_fetcher_list; i++) {
            assert_true (status->fetcher_list [i]->jobs > 0);
            jobs += status->fetcher_list [i]->jobs;
        }
        assert_int_equal (jobs, 8);
        bb_wire_envelope_destroy (&reply);
        e2e_world_check_dashboard (world, 400, NULL, 0);
        e2e_world_destroy (&world);
    }
}

E2E_WORLD_MAIN (cmocka_unit_test (test_fetcher_added_mid_rotation),
                cmocka_unit_test (test_fetcher_killed_mid_job),
                cmocka_unit_test (test_frozen_fetcher),
                cmocka_unit_test (test_scaling))
