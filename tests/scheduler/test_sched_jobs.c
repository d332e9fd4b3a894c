/*  test_sched_jobs - the jobs in flight: waiting order (a job no fetcher
    holds waits), rotation drained, a dispatch in two steps (the next
    attempt changes nothing until applied), the budget each attempt holds,
    settles and abandons. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bb_test_main.h"
#include "bb_sources.h"
#include "bb_jobs.h"

#define WINDOW_MS 60000
#define T0 1000000
#define DEADLINE_MS 5000
#define HIRO_RPM 600            // 600 tokens a window
#define AGENTS 3

typedef struct {
    bb_budget_t *budget;
    bb_fetchers_t *fetchers;
    bb_jobs_t *jobs;
    zframe_t *routing_id;
} fixture_t;

static int
s_setup (void **state)
{
    fixture_t *fixture = calloc (1, sizeof *fixture);
    assert_non_null (fixture);
    const uint32_t rpm [BB_UPSTREAM_COUNT] = { HIRO_RPM, 0, 0 };
    fixture->budget = bb_budget_new (rpm, WINDOW_MS);
    fixture->fetchers = bb_fetchers_new (1000, 3);
    fixture->jobs = bb_jobs_new (fixture->budget);
    fixture->routing_id = zframe_new ("r", 1);
    *state = fixture;
    return 0;
}

static int
s_teardown (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_jobs_destroy (&fixture->jobs);
    assert_null (fixture->jobs);
    bb_jobs_destroy (&fixture->jobs);
    bb_fetchers_destroy (&fixture->fetchers);
    bb_budget_destroy (&fixture->budget);
    zframe_destroy (&fixture->routing_id);
    free (fixture);
    return 0;
}

//  A new job chunk of rotation with AGENTS agents.
static bb_job_t *
s_job (uint64_t rotation, uint32_t chunk)
{
    Balboard__Agent agents [AGENTS];
    Balboard__Agent *pointers [AGENTS];
    char names [AGENTS][16];
    for (int i = 0; i < AGENTS; i++) {
        balboard__agent__init (&agents [i]);
        snprintf (names [i], sizeof names [i], "SP%d", i);
        agents [i].stx_address = names [i];
        agents [i].btc_address = "bc1q";
        pointers [i] = &agents [i];
    }
    return bb_job_new (rotation, chunk, 100, pointers, AGENTS);
}

static void
test_waiting_order (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_jobs_t *jobs = fixture->jobs;
    assert_null (bb_jobs_next_waiting (jobs, fixture->fetchers));
    assert_true (bb_jobs_drained (jobs, 2));
    bb_job_t *job = s_job (2, 1);
    bb_jobs_insert (jobs, &job);
    assert_null (job);
    job = s_job (2, 0);
    bb_jobs_insert (jobs, &job);
    job = s_job (3, 0);
    bb_jobs_insert (jobs, &job);
    assert_int_equal (bb_jobs_size (jobs), 3);
    assert_false (bb_jobs_drained (jobs, 2));
    assert_string_equal (bb_job_id (bb_jobs_next_waiting (
        jobs, fixture->fetchers)), "2.0");
    //  a job a fetcher holds does not wait
    bb_fetchers_seen (fixture->fetchers, "f", fixture->routing_id, T0);
    bb_fetcher_loss_t loss;
    bb_fetchers_says (fixture->fetchers, "f", "", false, T0, &loss);
    bb_fetchers_assign (fixture->fetchers, "f", "2.0", 1, T0 + DEADLINE_MS,
                        T0);
    assert_string_equal (bb_job_id (bb_jobs_next_waiting (
        jobs, fixture->fetchers)), "2.1");
    bb_jobs_remove (jobs, "2.1");
    bb_jobs_remove (jobs, bb_job_id (bb_jobs_lookup (jobs, "2.0")));
    bb_jobs_remove (jobs, "no.such");
    assert_null (bb_jobs_lookup (jobs, "2.0"));
    assert_true (bb_jobs_drained (jobs, 2));
    assert_false (bb_jobs_drained (jobs, 3));
    size_t seen = 0;
    for (job = bb_jobs_first (jobs); job; job = bb_jobs_next (jobs))
        seen++;
    assert_int_equal (seen, 1);
}

//  The next attempt holds nothing until applied; applied, it replaces
//  the attempt before and holds its estimate; a loss gives it back a
//  window after the deadline, a report a window after it came.
static void
test_attempts_and_budget (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_jobs_t *jobs = fixture->jobs;
    bb_budget_t *budget = fixture->budget;
    int64_t capacity = bb_budget_available (budget, BB_UPSTREAM_HIRO, T0);
    bb_job_t *fresh = s_job (1, 0);
    bb_jobs_attempt_t attempt;
    bb_jobs_next_attempt (jobs, fresh, T0 + DEADLINE_MS, BB_SOURCES_CHUNK, T0,
                          &attempt);
    uint32_t cost = attempt.cost [BB_UPSTREAM_HIRO];
    assert_true (cost >= AGENTS);
    assert_int_equal (attempt.cost [BB_UPSTREAM_PRICE], 0);
    assert_int_equal (bb_job_attempt (attempt.job), 1);
    assert_int_equal (bb_jobs_size (jobs), 0);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO, T0),
                      capacity);
    //  what a commit records counts the attempt
    uint32_t held;
    uint64_t until;
    bb_budget_summary_spending (budget, BB_UPSTREAM_HIRO, cost,
                                T0 + DEADLINE_MS, T0, &held, &until);
    assert_int_equal (held, cost);
    assert_int_equal (until, T0 + DEADLINE_MS + WINDOW_MS);

    bb_job_t *job = bb_jobs_apply (jobs, &attempt, T0);
    assert_null (attempt.job);
    assert_ptr_equal (bb_jobs_lookup (jobs, "1.0"), job);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO, T0),
                      capacity - cost);
    bb_budget_summary (budget, BB_UPSTREAM_HIRO, T0, &held, &until);
    assert_int_equal (held, cost);

    //  lost: back a window after the deadline
    bb_jobs_abandon (jobs, job, T0 + 100);
    assert_int_equal (bb_budget_next_release (budget, BB_UPSTREAM_HIRO,
                                              T0 + 100),
                      T0 + DEADLINE_MS + WINDOW_MS);
    //  the next attempt, with prices, replaces it
    bb_jobs_next_attempt (jobs, job, T0 + 2 * DEADLINE_MS, BB_SOURCES_ALL,
                          T0 + 200, &attempt);
    assert_int_equal (attempt.cost [BB_UPSTREAM_PRICE], 1);
    job = bb_jobs_apply (jobs, &attempt, T0 + 200);
    assert_int_equal (bb_job_attempt (job), 2);
    assert_int_equal (bb_jobs_size (jobs), 1);

    //  its report settles what it used
    Balboard__UpstreamReport hiro = BALBOARD__UPSTREAM_REPORT__INIT;
    hiro.upstream = BALBOARD__UPSTREAM__UPSTREAM_HIRO;
    hiro.requests = 1;
    Balboard__UpstreamReport *upstreams [2] = { NULL, &hiro };
    Balboard__JobReport report = BALBOARD__JOB_REPORT__INIT;
    report.job_id = "1.0";
    report.attempt = 2;
    report.n_upstreams = 2;
    report.upstreams = upstreams;
    assert_int_equal (bb_jobs_report_requests (&report, BB_UPSTREAM_HIRO),
                      1);
    assert_int_equal (bb_jobs_report_requests (&report,
                                               BB_UPSTREAM_MEMPOOL), 0);
    bb_jobs_settle (jobs, &report, AGENTS, T0 + 300);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 300), capacity - cost - 1);
    bb_job_destroy (&fresh);
}

BB_TEST_MAIN (NULL, NULL,
              BB_TEST (test_waiting_order),
              BB_TEST (test_attempts_and_budget))
