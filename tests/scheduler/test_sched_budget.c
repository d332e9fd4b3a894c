/*  test_sched_budget - token buckets per upstream: spend, settle (with
    when the upstream answered, or not), abandon, learned costs, debt,
    unlimited budgets, restore after a restart. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "bb_sources.h"
#include "bb_budget.h"

#define WINDOW_MS 60000
#define T0 1000000              // an arbitrary start time, ms

static bb_budget_t *
s_budget (uint32_t hiro, uint32_t mempool, uint32_t price)
{
    const uint32_t rpm [BB_UPSTREAM_COUNT] = { hiro, mempool, price };
    return bb_budget_new (rpm, WINDOW_MS);
}

//  What a chunk job asking both balance sources may take, and whether
//  one made earlier may go.
static uint32_t
s_affordable (bb_budget_t *budget, uint32_t max_agents, uint64_t now)
{
    return bb_budget_affordable (budget, BB_SOURCES_CHUNK, max_agents, now);
}

static bool
s_allows (bb_budget_t *budget, uint32_t agents, uint64_t now)
{
    return bb_budget_allows (budget, BB_SOURCES_CHUNK, agents, now);
}

//  Teach both chunk buckets a cost of one request per agent.
static void
s_learn (bb_budget_t *budget)
{
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "learn#1", 0, 1, T0);
    bb_budget_settle (budget, BB_UPSTREAM_MEMPOOL, "learn#1", 0, 1, T0);
}

static void
test_unlimited (void **state)
{
    bb_budget_t *budget = s_budget (0, 0, 0);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO, T0),
                      BB_BUDGET_UNLIMITED);
    assert_int_equal (s_affordable (budget, 100, T0), 100);
    bb_budget_spend (budget, BB_UPSTREAM_HIRO, "1.0#1", 100, T0 + 5000, T0);
    assert_int_equal (s_affordable (budget, 100, T0), 100);
    assert_true (bb_budget_can_spend (budget, BB_UPSTREAM_PRICE, 1, T0));
    assert_int_equal (bb_budget_dispatched (budget, BB_UPSTREAM_HIRO), 100);
    assert_int_equal (bb_budget_capacity (budget, BB_UPSTREAM_HIRO), 0);
    assert_int_equal (bb_budget_next_release (budget, BB_UPSTREAM_HIRO, T0),
                      0);
    bb_budget_destroy (&budget);
    assert_null (budget);
    bb_budget_destroy (&budget);
}

static void
test_spend_and_settle (void **state)
{
    bb_budget_t *budget = s_budget (50, 120, 30);
    s_learn (budget);
    assert_int_equal (bb_budget_rpm (budget, BB_UPSTREAM_HIRO), 50);
    assert_int_equal (bb_budget_capacity (budget, BB_UPSTREAM_MEMPOOL), 120);
    //  Hiro is the narrow one: 50 agents at most
    assert_int_equal (s_affordable (budget, 100, T0), 50);
    bb_budget_spend (budget, BB_UPSTREAM_HIRO, "1.0#1", 40, T0 + 9000, T0);
    bb_budget_spend (budget, BB_UPSTREAM_MEMPOOL, "1.0#1", 40, T0 + 9000, T0);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO, T0), 10);
    assert_int_equal (s_affordable (budget, 100, T0), 10);
    //  Running jobs hold their tokens however long they take
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 10 * WINDOW_MS), 10);
    assert_int_equal (bb_budget_next_release (budget, BB_UPSTREAM_HIRO, T0),
                      0);
    //  Reported at T0+2s: back one window later, in the amount used
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "1.0#1", 40, 40, T0 + 2000);
    assert_int_equal (bb_budget_next_release (budget, BB_UPSTREAM_HIRO,
                                              T0 + 2000),
                      T0 + 2000 + WINDOW_MS);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 2000 + WINDOW_MS - 1), 10);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 2000 + WINDOW_MS), 50);
    bb_budget_destroy (&budget);
}

//  However the work is cut, no window sees more than the capacity: the
//  requests of every job counted over any 60 s interval of its run.
static void
test_no_window_overrun (void **state)
{
    bb_budget_t *budget = s_budget (50, 0, 0);
    s_learn (budget);
    uint64_t starts [200], ends [200], costs [200];
    bool settled [200] = { false };
    size_t jobs = 0;
    char ticket [BB_BUDGET_TICKET_SIZE];
    uint64_t now;
    for (now = T0; jobs < 200 && now < T0 + 20 * WINDOW_MS; now += 250) {
        for (size_t j = 0; j < jobs; j++)
            if (!settled [j] && ends [j] <= now) {
                snprintf (ticket, sizeof ticket, "%zu#1", j);
                bb_budget_settle (budget, BB_UPSTREAM_HIRO, ticket,
                                  (uint32_t) costs [j],
                                  (uint32_t) costs [j], now);
                settled [j] = true;
                ends [j] = now;
            }
        uint32_t agents = s_affordable (budget, 7, now);
        if (agents) {
            snprintf (ticket, sizeof ticket, "%zu#1", jobs);
            bb_budget_spend (budget, BB_UPSTREAM_HIRO, ticket, agents,
                             now + 3000, now);
            starts [jobs] = now;
            ends [jobs] = now + 500 + jobs % 5 * 400;
            costs [jobs] = agents;
            jobs++;
        }
    }
    assert_true (jobs > 20);
    //  every 60 s interval: the requests of the jobs running in it
    for (uint64_t a = T0; a < now; a += 250) {
        uint64_t in_window = 0;
        for (size_t j = 0; j < jobs; j++)
            if (starts [j] < a + WINDOW_MS && ends [j] >= a)
                in_window += costs [j];
        assert_true (in_window <= 50);
    }
    bb_budget_destroy (&budget);
}

//  Jobs reporting when the upstream answered each request: no window
//  that may have seen a request (from its dispatch to its answer) sees
//  more than the capacity, and the tokens serve more than once a window
//  plus a job.
static void
test_no_window_overrun_seen (void **state)
{
    enum { JOBS = 400, COST = 7, SPREAD = 400, REPORT_LAG = 300 };
    bb_budget_t *budget = s_budget (50, 0, 0);
    s_learn (budget);
    uint64_t starts [JOBS], answers [JOBS][COST];
    uint32_t costs [JOBS];
    bool settled [JOBS] = { false };
    size_t jobs = 0;
    char ticket [BB_BUDGET_TICKET_SIZE];
    uint64_t now;
    for (now = T0; jobs < JOBS && now < T0 + 10 * WINDOW_MS; now += 50) {
        for (size_t j = 0; j < jobs; j++) {
            uint64_t last = answers [j][costs [j] - 1];
            if (settled [j] || last + REPORT_LAG > now)
                continue;
            bb_budget_seen_t seen [COST];
            for (uint32_t r = 0; r < costs [j]; r++)
                seen [r] = (bb_budget_seen_t) { answers [j][r], 1 };
            snprintf (ticket, sizeof ticket, "%zu#1", j);
            bb_budget_settle_seen (budget, BB_UPSTREAM_HIRO, ticket,
                                   costs [j], costs [j], seen, costs [j],
                                   now);
            settled [j] = true;
        }
        uint32_t agents = s_affordable (budget, COST, now);
        if (agents) {
            snprintf (ticket, sizeof ticket, "%zu#1", jobs);
            bb_budget_spend (budget, BB_UPSTREAM_HIRO, ticket, agents,
                             now + 3000, now);
            starts [jobs] = now;
            costs [jobs] = agents;
            for (uint32_t r = 0; r < agents; r++)
                answers [jobs][r] = now + 100 + r * SPREAD / COST
                                  + jobs % 3 * 100;
            jobs++;
        }
    }
    //  Tokens came back before the reports' windows would have let them:
    //  more than 10 windows' worth of work would need 10 windows plus a
    //  job each
    assert_true (jobs * COST > 10 * 50 / 2);
    uint64_t max_in_window = 0;
    for (uint64_t a = T0; a < now; a += 50) {
        uint64_t in_window = 0;
        for (size_t j = 0; j < jobs; j++)
            for (uint32_t r = 0; r < costs [j]; r++)
                if (starts [j] < a + WINDOW_MS && answers [j][r] >= a)
                    in_window++;
        if (in_window > max_in_window)
            max_in_window = in_window;
    }
    assert_true (max_in_window <= 50);
    assert_int_equal (max_in_window, 50);
    bb_budget_destroy (&budget);
}

//  A report saying when the upstream answered: each request's token
//  comes back a window after its answer, the requests it does not place
//  a window after the report; an instant before the dispatch counts as
//  the dispatch, one after the report as the report, and those of an
//  attempt the budget does not know as the report.
static void
test_seen_instants (void **state)
{
    bb_budget_t *budget = s_budget (100, 0, 0);
    s_learn (budget);
    bb_budget_spend (budget, BB_UPSTREAM_HIRO, "1.0#1", 60, T0 + 5000,
                     T0 + 100);
    const bb_budget_seen_t seen [] = { { T0 + 300, 20 }, { T0 + 600, 25 },
                                       { T0 + 900, 10 } };
    //  48 used: the last step places 3 of its 10, the report none
    bb_budget_settle_seen (budget, BB_UPSTREAM_HIRO, "1.0#1", 48, 48, seen,
                           3, T0 + 2000);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 2000), 52);
    assert_int_equal (bb_budget_next_release (budget, BB_UPSTREAM_HIRO,
                                              T0 + 2000),
                      T0 + 300 + WINDOW_MS);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 300 + WINDOW_MS), 72);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 600 + WINDOW_MS), 97);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 900 + WINDOW_MS), 100);

    //  Clamped to the dispatch and to the report
    bb_budget_spend (budget, BB_UPSTREAM_HIRO, "1.1#1", 10, T0 + 5000,
                     T0 + 1000);
    const bb_budget_seen_t odd [] = { { T0 + 500, 4 }, { T0 + 9000, 6 } };
    bb_budget_settle_seen (budget, BB_UPSTREAM_HIRO, "1.1#1", 10, 10, odd,
                           2, T0 + 1500);
    //  An unknown attempt's requests count from its report
    bb_budget_settle_seen (budget, BB_UPSTREAM_HIRO, "9.9#1", 5, 0, seen, 1,
                           T0 + 1700);
    uint64_t back [] = { T0 + 1000 + WINDOW_MS, T0 + 1500 + WINDOW_MS,
                         T0 + 1700 + WINDOW_MS };
    int64_t after [] = { 100 - 6 - 5, 100 - 5, 100 };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                               back [i]), after [i]);

    //  A second report of an attempt never brings tokens back earlier
    bb_budget_spend (budget, BB_UPSTREAM_HIRO, "2.0#1", 10, T0 + 5000, T0);
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "2.0#1", 10, 10, T0 + 100);
    bb_budget_settle_seen (budget, BB_UPSTREAM_HIRO, "2.0#1", 10, 10, seen,
                           1, T0 + 200);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 100 + WINDOW_MS - 1), 90);
    bb_budget_destroy (&budget);
}

//  Costs come from the latest reports: the lowest requests per agent as
//  the base, the most a job made beyond it as a per-job overhead.
static void
test_learned_costs (void **state)
{
    bb_budget_t *budget = s_budget (100, 0, 0);
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_PRICE, 10, T0),
                      1);
    //  a probe: 1 agent, 2 token metadata lookups on top
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "p#1", 3, 1, T0);
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_HIRO, 5, T0),
                      15);
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "a#1", 8, 5, T0 + 10);
    //  base 1.6, overhead 3 - 2 = 1
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_HIRO, 5,
                                          T0 + 10), 9);
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "b#1", 5, 5, T0 + 20);
    //  base 1, overhead 8 - 5 = 3
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_HIRO, 5,
                                          T0 + 20), 8);
    //  100 - 16 held = 84 tokens, 3 kept for the overhead
    assert_int_equal (s_affordable (budget, 100, T0 + 20), 81);
    assert_int_equal (s_affordable (budget, 50, T0 + 20), 50);
    //  a window on, the latest BB_BUDGET_RECENT reports still count
    uint64_t later = T0 + 20 + WINDOW_MS;
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_HIRO, 5,
                                          later), 8);
    char ticket [BB_BUDGET_TICKET_SIZE];
    for (int i = 0; i < BB_BUDGET_RECENT; i++) {
        snprintf (ticket, sizeof ticket, "x%d#1", i);
        bb_budget_settle (budget, BB_UPSTREAM_HIRO, ticket, 5, 5, later + i);
    }
    //  ... and then only those: the overhead has gone
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_HIRO, 5,
                                          later + 100), 5);
    //  v3: two requests per agent from now on
    later += 2 * WINDOW_MS;
    for (int i = 0; i < BB_BUDGET_RECENT; i++) {
        snprintf (ticket, sizeof ticket, "v%d#1", i);
        bb_budget_settle (budget, BB_UPSTREAM_HIRO, ticket, 20, 10,
                          later + i);
    }
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_HIRO, 10,
                                          later + WINDOW_MS), 20);
    bb_budget_destroy (&budget);

    //  never below one request per agent
    budget = s_budget (100, 0, 0);
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "e#1", 0, 10, T0);
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_HIRO, 10, T0),
                      10);
    bb_budget_destroy (&budget);
}

//  A headroom is the least overhead a job is charged: learned overhead
//  above it wins; the affordable agents leave room for it.
static void
test_headroom (void **state)
{
    bb_budget_t *budget = s_budget (100, 0, 0);
    bb_budget_set_headroom (budget, BB_UPSTREAM_HIRO, 6);
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "a#1", 10, 10, T0);
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_HIRO, 10, T0),
                      16);
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_MEMPOOL, 10,
                                          T0), 10);
    assert_int_equal (s_affordable (budget, 100, T0), 84);
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "b#1", 19, 10, T0 + 10);
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_HIRO, 10,
                                          T0 + 10), 19);
    bb_budget_destroy (&budget);
}

//  A report far over its estimate puts the bucket in debt for a window.
static void
test_debt (void **state)
{
    bb_budget_t *budget = s_budget (100, 0, 0);
    s_learn (budget);
    bb_budget_spend (budget, BB_UPSTREAM_HIRO, "1.0#1", 10, T0 + 1000, T0);
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "1.1#1", 150, 0, T0 + 200);
    assert_true (bb_budget_available (budget, BB_UPSTREAM_HIRO, T0 + 200)
                 < 0);
    assert_int_equal (s_affordable (budget, 100, T0 + 200), 0);
    assert_false (bb_budget_can_spend (budget, BB_UPSTREAM_HIRO, 1,
                                       T0 + 200));
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "1.0#1", 10, 10, T0 + 300);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 300 + WINDOW_MS), 100);
    bb_budget_destroy (&budget);
}

static void
test_full_bucket_pays_one_agent (void **state)
{
    //  A 1-token bucket and a learned cost of 3 per agent still moves on
    const uint32_t rpm [BB_UPSTREAM_COUNT] = { 1, 0, 0 };
    bb_budget_t *budget = bb_budget_new (rpm, WINDOW_MS);
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "x#1", 3, 1, T0);
    assert_int_equal (s_affordable (budget, 10, T0), 0);
    assert_int_equal (s_affordable (budget, 10, T0 + WINDOW_MS), 1);
    bb_budget_destroy (&budget);
}

static void
test_abandon_holds_past_deadline (void **state)
{
    bb_budget_t *budget = s_budget (60, 60, 0);
    bb_budget_spend (budget, BB_UPSTREAM_MEMPOOL, "2.3#1", 30, T0 + 5000,
                     T0);
    bb_budget_abandon (budget, BB_UPSTREAM_MEMPOOL, "2.3#1", T0 + 1000);
    //  The lost fetcher may run until its deadline
    assert_int_equal (bb_budget_next_release (budget, BB_UPSTREAM_MEMPOOL,
                                              T0 + 1000),
                      T0 + 5000 + WINDOW_MS);
    bb_budget_abandon (budget, BB_UPSTREAM_MEMPOOL, "nope#1", T0);
    //  A late report of the lost attempt corrects the amount
    bb_budget_settle (budget, BB_UPSTREAM_MEMPOOL, "2.3#1", 12, 30,
                      T0 + 2000);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_MEMPOOL,
                                           T0 + 2000), 48);
    assert_int_equal (bb_budget_next_release (budget, BB_UPSTREAM_MEMPOOL,
                                              T0 + 2000),
                      T0 + 5000 + WINDOW_MS);
    bb_budget_destroy (&budget);
}

static void
test_summary_and_restore (void **state)
{
    bb_budget_t *budget = s_budget (100, 0, 10);
    bb_budget_spend (budget, BB_UPSTREAM_HIRO, "1.0#1", 30, T0 + 4000, T0);
    bb_budget_spend (budget, BB_UPSTREAM_HIRO, "1.1#1", 20, T0 + 4000, T0);
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "1.1#1", 20, 20, T0 + 1000);
    uint32_t held;
    uint64_t until;
    bb_budget_summary (budget, BB_UPSTREAM_HIRO, T0 + 1000, &held, &until);
    assert_int_equal (held, 50);
    //  the running job counts as ending at its deadline
    assert_int_equal (until, T0 + 4000 + WINDOW_MS);
    bb_budget_summary (budget, BB_UPSTREAM_PRICE, T0, &held, &until);
    assert_int_equal (held, 0);
    assert_int_equal (until, 0);
    bb_budget_destroy (&budget);

    //  A restarted scheduler holds the same tokens as long
    budget = s_budget (100, 0, 10);
    bb_budget_restore (budget, BB_UPSTREAM_HIRO, 50, T0 + 4000 + WINDOW_MS,
                       T0 + 2000);
    bb_budget_restore (budget, BB_UPSTREAM_PRICE, 5, T0, T0 + 2000);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 2000), 50);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_PRICE,
                                           T0 + 2000), 10);
    assert_int_equal (bb_budget_available (budget, BB_UPSTREAM_HIRO,
                                           T0 + 4000 + WINDOW_MS), 100);
    bb_budget_destroy (&budget);
}

static void
test_short_window (void **state)
{
    //  Tests run budgets over short windows: 600/min over 1 s = 10 tokens
    const uint32_t rpm [BB_UPSTREAM_COUNT] = { 600, 600, 0 };
    bb_budget_t *budget = bb_budget_new (rpm, 1000);
    s_learn (budget);
    assert_int_equal (bb_budget_capacity (budget, BB_UPSTREAM_HIRO), 10);
    assert_int_equal (s_affordable (budget, 100, T0), 10);
    //  and a tiny budget still has one token
    const uint32_t tiny [BB_UPSTREAM_COUNT] = { 1, 1, 1 };
    bb_budget_t *small = bb_budget_new (tiny, 1000);
    assert_int_equal (bb_budget_capacity (small, BB_UPSTREAM_PRICE), 1);
    bb_budget_destroy (&small);
    bb_budget_destroy (&budget);
}

//  Until a report taught it the cost per agent, a limited bucket pays
//  for one probe job of one agent at a time: token metadata or an
//  endpoint switch in the first jobs cannot overrun it.
static void
test_probe_first (void **state)
{
    bb_budget_t *budget = s_budget (100, 0, 0);
    assert_int_equal (s_affordable (budget, 50, T0), 1);
    assert_int_equal (s_affordable (budget, 0, T0), 0);
    bb_budget_spend (budget, BB_UPSTREAM_HIRO, "1.0#1", 1, T0 + 1000, T0);
    //  the probe runs: nothing more
    assert_int_equal (s_affordable (budget, 50, T0), 0);
    //  lost: another probe may go
    bb_budget_abandon (budget, BB_UPSTREAM_HIRO, "1.0#1", T0 + 10);
    assert_int_equal (s_affordable (budget, 50, T0 + 10), 1);
    bb_budget_spend (budget, BB_UPSTREAM_HIRO, "1.0#2", 1, T0 + 2000,
                     T0 + 10);
    //  it reports 1 agent and 9 requests (8 of them token metadata)
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "1.0#2", 9, 1, T0 + 100);
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_HIRO, 1,
                                          T0 + 100), 9);
    //  100 - 1 (lost probe) - 9 = 90 tokens: 10 agents at 9 each
    assert_int_equal (s_affordable (budget, 50, T0 + 100), 10);
    bb_budget_destroy (&budget);
}

//  A job made earlier may go when its estimate fits, or when the buckets
//  hold nothing, however much it costs.
static void
test_allows (void **state)
{
    bb_budget_t *budget = s_budget (20, 0, 0);
    assert_true (s_allows (budget, 15, T0));
    bb_budget_spend (budget, BB_UPSTREAM_HIRO, "1.0#1", 10, T0 + 1000, T0);
    assert_false (s_allows (budget, 15, T0));
    assert_true (s_allows (budget, 10, T0));
    //  the cost grew to 2 per agent: 30 for 15 agents, over the capacity
    bb_budget_settle (budget, BB_UPSTREAM_HIRO, "1.0#1", 20, 10, T0 + 10);
    assert_int_equal (bb_budget_estimate (budget, BB_UPSTREAM_HIRO, 15,
                                          T0 + 10), 30);
    assert_false (s_allows (budget, 15, T0 + 10));
    //  a window on the bucket is empty: it goes, rather than never
    assert_true (s_allows (budget, 15, T0 + 10 + WINDOW_MS));
    bb_budget_destroy (&budget);
}

//  A job that skips a source (limited upstream) is not held by its bucket.
static void
test_skipped_source (void **state)
{
    bb_budget_t *budget = s_budget (20, 20, 0);
    s_learn (budget);
    bb_budget_spend (budget, BB_UPSTREAM_MEMPOOL, "1.0#1", 20, T0 + 1000,
                     T0);
    assert_int_equal (s_affordable (budget, 10, T0), 0);
    assert_false (s_allows (budget, 10, T0));
    unsigned hiro = BB_SOURCE (BB_UPSTREAM_HIRO);
    assert_int_equal (bb_budget_affordable (budget, hiro, 10, T0), 10);
    assert_true (bb_budget_allows (budget, hiro, 10, T0));
    bb_budget_destroy (&budget);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_unlimited),
        cmocka_unit_test (test_spend_and_settle),
        cmocka_unit_test (test_no_window_overrun),
        cmocka_unit_test (test_no_window_overrun_seen),
        cmocka_unit_test (test_seen_instants),
        cmocka_unit_test (test_learned_costs),
        cmocka_unit_test (test_headroom),
        cmocka_unit_test (test_debt),
        cmocka_unit_test (test_full_bucket_pays_one_agent),
        cmocka_unit_test (test_abandon_holds_past_deadline),
        cmocka_unit_test (test_summary_and_restore),
        cmocka_unit_test (test_skipped_source),
        cmocka_unit_test (test_short_window),
        cmocka_unit_test (test_probe_first),
        cmocka_unit_test (test_allows),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
