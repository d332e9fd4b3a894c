/*  test_sched_rotation - the rotation kept durably: chunks from pages
    start and advance it, a job waits or goes, reports complete it (the
    rotation with its last job), a report the store never acked loses
    the attempt, stale ones change nothing, the last attempt lost gives
    the job up; pause and ticks; a restart takes it all back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "bb_test_main.h"
#include "bb_sources.h"
#include "bb_rotation.h"
#include "bb_scheduler.h"

#define T0 1700000000000ULL
#define WINDOW_MS 60000
#define DEADLINE_MS 5000
#define AGENTS 3

typedef struct {
    char dir [512];
    bb_budget_t *budget;
    bb_health_t *health;
    bb_rotation_t *rotation;
} fixture_t;

static int
s_setup (void **state)
{
    static int run;
    fixture_t *fixture = calloc (1, sizeof *fixture);
    assert_non_null (fixture);
    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    snprintf (fixture->dir, sizeof fixture->dir, "%s/rotation-%d-%d",
              scratch ? scratch : "/tmp/test_sched_rotation", (int) getpid (),
              run++);
    const uint32_t rpm [BB_UPSTREAM_COUNT] = { 600, 0, 0 };
    fixture->budget = bb_budget_new (rpm, WINDOW_MS);
    fixture->health = bb_health_new (1000, 8000);
    fixture->rotation = bb_rotation_new (fixture->dir, fixture->budget,
                                         fixture->health);
    assert_non_null (fixture->rotation);
    assert_int_equal (bb_rotation_restore (fixture->rotation, false, T0), 0);
    *state = fixture;
    return 0;
}

static int
s_teardown (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_rotation_destroy (&fixture->rotation);
    assert_null (fixture->rotation);
    bb_rotation_destroy (&fixture->rotation);
    bb_health_destroy (&fixture->health);
    bb_budget_destroy (&fixture->budget);
    free (fixture);
    return 0;
}

//  A page of count agents SP<first>.. of a registry of total.
typedef struct {
    Balboard__AgentsPage page;
    Balboard__Agent agents [AGENTS * 2];
    Balboard__Agent *pointers [AGENTS * 2];
    char names [AGENTS * 2][16];
} page_t;

static void
s_page (page_t *page, int first, size_t count, uint32_t total)
{
    assert_true (count <= AGENTS * 2);
    balboard__agents_page__init (&page->page);
    for (size_t i = 0; i < count; i++) {
        balboard__agent__init (&page->agents [i]);
        snprintf (page->names [i], sizeof page->names [i], "SP%03d",
                  first + (int) i);
        page->agents [i].stx_address = page->names [i];
        page->agents [i].btc_address = "bc1q";
        page->pointers [i] = &page->agents [i];
    }
    page->page.n_agents = count;
    page->page.agents = page->pointers;
    page->page.total = total;
}

//  Put the next chunk, AGENTS agents from first, in flight: waiting, or
//  dispatched as attempt 1 when dispatch. Returns its job.
static bb_job_t *
s_chunk (bb_rotation_t *rotation, int first, bool last, bool dispatch)
{
    page_t page;
    s_page (&page, first, AGENTS, 2 * AGENTS);
    bb_sched_meta_t meta = *bb_rotation_meta (rotation);
    bb_job_t *job = bb_rotation_chunk (&meta, &page.page, AGENTS, last, T0);
    char id [BB_JOB_ID_SIZE];
    snprintf (id, sizeof id, "%s", bb_job_id (job));
    if (!dispatch) {
        assert_int_equal (bb_rotation_add (rotation, &meta, &job), 0);
        assert_null (job);
        return bb_jobs_lookup (bb_rotation_jobs (rotation), id);
    }
    bb_jobs_attempt_t attempt;
    bb_jobs_t *jobs = bb_rotation_jobs (rotation);
    bb_jobs_next_attempt (jobs, job, T0 + DEADLINE_MS, BB_SOURCES_CHUNK, T0,
                          &attempt);
    bb_job_destroy (&job);
    assert_int_equal (bb_rotation_commit (rotation, &meta, &attempt,
                                          "dispatch"), 0);
    return bb_jobs_apply (jobs, &attempt, T0);
}

//  A report of attempt of job_id from fetcher, with the store's status.
static Balboard__JobReport
s_report (const char *job_id, uint32_t attempt, const char *fetcher,
          Balboard__AckStatus status)
{
    Balboard__JobReport report = BALBOARD__JOB_REPORT__INIT;
    report.job_id = (char *) job_id;
    report.attempt = attempt;
    report.fetcher_id = (char *) fetcher;
    report.agents_ok = AGENTS;
    report.store_status = status;
    return report;
}

static void
test_chunks_and_completion (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_rotation_t *rotation = fixture->rotation;
    assert_false (bb_rotation_open (rotation, false));
    assert_true (bb_rotation_open (rotation, true));
    bb_job_t *job = s_chunk (rotation, 0, false, true);
    const bb_sched_meta_t *meta = bb_rotation_meta (rotation);
    assert_int_equal (meta->rotation, 1);
    assert_string_equal (meta->cursor, "SP002");
    assert_int_equal (meta->next_chunk, 1);
    assert_false (meta->exhausted);
    assert_true (bb_rotation_open (rotation, false));
    //  the budget it holds is recorded with it
    assert_int_equal (meta->budget_held [BB_UPSTREAM_HIRO],
                      bb_budget_estimate (fixture->budget, BB_UPSTREAM_HIRO,
                                          AGENTS, T0));
    assert_string_equal (bb_job_id (job), "1.0");
    s_chunk (rotation, AGENTS, true, false);
    assert_true (bb_rotation_meta (rotation)->exhausted);
    assert_int_equal (bb_jobs_size (bb_rotation_jobs (rotation)), 2);

    Balboard__JobReport report = s_report (
        "1.0", 1, "f", BALBOARD__ACK_STATUS__ACK_COMMITTED);
    bb_rotation_report (rotation, &report, "f", T0 + 100);
    assert_int_equal (bb_rotation_meta (rotation)->rotation_done, AGENTS);
    assert_false (bb_rotation_meta (rotation)->complete);
    //  the waiting one was never sent: its report is stale
    report = s_report ("1.1", 1, "f", BALBOARD__ACK_STATUS__ACK_COMMITTED);
    bb_rotation_report (rotation, &report, "", T0 + 200);
    assert_int_equal (bb_jobs_size (bb_rotation_jobs (rotation)), 1);
    //  ... and once done, the last job completes the rotation
    job = bb_jobs_lookup (bb_rotation_jobs (rotation), "1.1");
    bb_jobs_attempt_t attempt;
    bb_jobs_next_attempt (bb_rotation_jobs (rotation), job, T0 + DEADLINE_MS,
                          BB_SOURCES_CHUNK, T0, &attempt);
    bb_sched_meta_t change = *bb_rotation_meta (rotation);
    assert_int_equal (bb_rotation_commit (rotation, &change, &attempt,
                                          "dispatch"), 0);
    bb_jobs_apply (bb_rotation_jobs (rotation), &attempt, T0 + 300);
    bb_rotation_report (rotation, &report, "f", T0 + 400);
    meta = bb_rotation_meta (rotation);
    assert_true (meta->complete);
    assert_int_equal (meta->rotations_completed, 1);
    assert_int_equal (meta->rotation_done, 2 * AGENTS);
    assert_int_equal (meta->last_rotation_ms, 400);
    assert_false (bb_rotation_open (rotation, false));
    assert_true (bb_rotation_open (rotation, true));
}

//  The latest attempt the store never acked is lost (it waits to go
//  again), unless another fetcher holds the job; the last attempt lost
//  gives the job up, and with it the rotation is over.
static void
test_lost_and_given_up (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_rotation_t *rotation = fixture->rotation;
    bb_jobs_t *jobs = bb_rotation_jobs (rotation);
    bb_job_t *job = s_chunk (rotation, 0, true, true);
    Balboard__JobReport report = s_report (
        "1.0", 1, "f", BALBOARD__ACK_STATUS__ACK_STATUS_UNSPECIFIED);
    int64_t held = bb_budget_available (fixture->budget, BB_UPSTREAM_HIRO,
                                        T0);
    bb_rotation_report (rotation, &report, "other", T0 + 100);
    //  stale: another holds it; settled all the same
    assert_ptr_equal (bb_jobs_lookup (jobs, "1.0"), job);
    assert_true (bb_budget_available (fixture->budget, BB_UPSTREAM_HIRO,
                                      T0 + 100) > held);
    bb_rotation_report (rotation, &report, "f", T0 + 100);
    assert_non_null (bb_jobs_lookup (jobs, "1.0"));
    for (uint32_t attempt = 2; attempt <= BB_SCHEDULER_MAX_ATTEMPTS;
         attempt++) {
        bb_jobs_attempt_t next;
        bb_jobs_next_attempt (jobs, job, T0 + DEADLINE_MS, BB_SOURCES_CHUNK,
                              T0, &next);
        bb_sched_meta_t change = *bb_rotation_meta (rotation);
        assert_int_equal (bb_rotation_commit (rotation, &change, &next,
                                              "dispatch"), 0);
        job = bb_jobs_apply (jobs, &next, T0);
        assert_int_equal (bb_job_attempt (job), attempt);
        bb_rotation_job_lost (rotation, job, "f", "deadline", T0 + 200);
    }
    assert_null (bb_jobs_lookup (jobs, "1.0"));
    assert_true (bb_rotation_meta (rotation)->complete);
    assert_int_equal (bb_rotation_meta (rotation)->rotation_done, 0);
}

//  Pause, ticks and the rest survive a restart; the jobs come back
//  waiting, the budget they held still held.
static void
test_restart (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_rotation_t *rotation = fixture->rotation;
    assert_true (bb_rotation_tick (rotation));
    assert_int_equal (bb_rotation_meta (rotation)->tick_seq, 1);
    s_chunk (rotation, 0, false, true);
    assert_int_equal (bb_rotation_set_paused (rotation, true), 0);
    assert_false (bb_rotation_tick (rotation));
    assert_int_equal (bb_rotation_meta (rotation)->tick_seq, 1);
    bb_rotation_destroy (&fixture->rotation);
    bb_budget_destroy (&fixture->budget);

    const uint32_t rpm [BB_UPSTREAM_COUNT] = { 600, 0, 0 };
    fixture->budget = bb_budget_new (rpm, WINDOW_MS);
    fixture->rotation = bb_rotation_new (fixture->dir, fixture->budget,
                                         fixture->health);
    rotation = fixture->rotation;
    assert_int_equal (bb_rotation_restore (rotation, false, T0 + 1000), 0);
    const bb_sched_meta_t *meta = bb_rotation_meta (rotation);
    assert_true (meta->paused);
    assert_int_equal (meta->tick_seq, 1);
    assert_string_equal (meta->cursor, "SP002");
    bb_job_t *job = bb_jobs_lookup (bb_rotation_jobs (rotation), "1.0");
    assert_non_null (job);
    assert_int_equal (bb_job_attempt (job), 1);
    assert_true (bb_budget_available (fixture->budget, BB_UPSTREAM_HIRO,
                                      T0 + 1000)
                 < bb_budget_capacity (fixture->budget, BB_UPSTREAM_HIRO));
    assert_int_equal (bb_rotation_set_paused (rotation, false), 0);
    assert_true (bb_rotation_tick (rotation));
}

//  --paused on a running state pauses it at restore.
static void
test_start_paused (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_rotation_destroy (&fixture->rotation);
    fixture->rotation = bb_rotation_new (fixture->dir, fixture->budget,
                                         fixture->health);
    assert_int_equal (bb_rotation_restore (fixture->rotation, true, T0), 0);
    assert_true (bb_rotation_meta (fixture->rotation)->paused);
    //  an empty page ends nothing that never started
    bb_rotation_dispatched (fixture->rotation, T0);
    assert_int_equal (bb_rotation_meta (fixture->rotation)->rotation, 0);
}

BB_TEST_MAIN (NULL, NULL,
              BB_TEST (test_chunks_and_completion),
              BB_TEST (test_lost_and_given_up),
              BB_TEST (test_restart),
              BB_TEST (test_start_paused))
