/*  test_sched_health - upstream health, pauses (Retry-After, backoff with
    full jitter), probes and the ACTIVE / IDLE interval mode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bb_health.h"
#include "bb_sources.h"

#define T0 5000000
#define BACKOFF_MS 10000
#define BACKOFF_MAX_MS 160000

//  One report: per upstream requests, failures, 429s, Retry-After.
typedef struct {
    Balboard__UpstreamReport reports [BB_UPSTREAM_COUNT];
    Balboard__UpstreamReport *pointers [BB_UPSTREAM_COUNT];
} report_t;

static void
s_report (report_t *report, uint32_t hiro_failures, uint32_t rate_limited,
          uint32_t retry_after_s, uint32_t retry_wait_ms)
{
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++) {
        balboard__upstream_report__init (&report->reports [u]);
        report->reports [u].upstream = bb_upstream_to_wire (
            (bb_upstream_t) u);
        report->reports [u].requests = 100;
        report->pointers [u] = &report->reports [u];
    }
    report->reports [BB_UPSTREAM_HIRO].failures = hiro_failures;
    report->reports [BB_UPSTREAM_HIRO].endpoint = "v1";
    report->reports [BB_UPSTREAM_MEMPOOL].rate_limited = rate_limited;
    report->reports [BB_UPSTREAM_MEMPOOL].retry_after_s = retry_after_s;
    report->reports [BB_UPSTREAM_MEMPOOL].retry_wait_ms = retry_wait_ms;
}

static bool
s_apply (bb_health_t *health, report_t *report, uint64_t now)
{
    return bb_health_report (health, report->pointers, BB_UPSTREAM_COUNT,
                             now);
}

static void
test_pacing_per_upstream (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS, BACKOFF_MAX_MS);
    report_t report;
    assert_false (bb_health_idle (health));
    assert_int_equal (bb_health_sources (health, T0),
                      BB_SOURCES_ALL | BB_SOURCE (BB_UPSTREAM_REGISTRY));
    //  a few failures under 5% change nothing
    s_report (&report, 4, 0, 0, 0);
    assert_false (s_apply (health, &report, T0));
    assert_true (bb_health_healthy (health, BB_UPSTREAM_HIRO));
    //  5% or more: Hiro is limited, mempool.space keeps the ACTIVE pace
    s_report (&report, 5, 0, 0, 0);
    assert_false (s_apply (health, &report, T0));
    assert_false (bb_health_idle (health));
    assert_true (bb_health_limited (health, BB_UPSTREAM_HIRO));
    assert_false (bb_health_limited (health, BB_UPSTREAM_MEMPOOL));
    assert_false (bb_health_sources (health, T0)
                  & BB_SOURCE (BB_UPSTREAM_HIRO));
    assert_int_equal (bb_health_failures (health, BB_UPSTREAM_HIRO), 9);
    assert_string_equal (bb_health_endpoint (health, BB_UPSTREAM_HIRO), "v1");
    assert_string_equal (bb_health_last_error (health, BB_UPSTREAM_HIRO),
                         "failures");
    assert_int_equal (bb_health_last_error_ms (health, BB_UPSTREAM_HIRO), T0);
    //  both balance sources limited: IDLE
    s_report (&report, 5, 1, 0, 0);
    assert_true (s_apply (health, &report, T0));
    assert_true (bb_health_idle (health));
    //  after a tick, a clean report once the pauses are over ends IDLE
    bb_health_tick (health);
    s_report (&report, 0, 0, 0, 0);
    assert_true (s_apply (health, &report, T0 + BACKOFF_MAX_MS));
    assert_false (bb_health_idle (health));
    assert_true (bb_health_healthy (health, BB_UPSTREAM_HIRO));
    assert_true (bb_health_healthy (health, BB_UPSTREAM_MEMPOOL));
    bb_health_destroy (&health);
    assert_null (health);
}

static void
test_retry_after_pauses (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS, BACKOFF_MAX_MS);
    report_t report;
    s_report (&report, 0, 3, 30, 30000);
    s_apply (health, &report, T0);
    assert_false (bb_health_idle (health));
    assert_true (bb_health_limited (health, BB_UPSTREAM_MEMPOOL));
    assert_int_equal (bb_health_sources (health, T0) & BB_SOURCES_ALL,
                      BB_SOURCES_ALL & ~BB_SOURCE (BB_UPSTREAM_MEMPOOL));
    assert_int_equal (bb_health_paused_until (health, BB_UPSTREAM_MEMPOOL, T0),
                      T0 + 30000);
    assert_int_equal (bb_health_next_probe (health, BB_UPSTREAM_MEMPOOL, T0),
                      T0 + 30000);
    assert_int_equal (bb_health_next_change (health, T0), T0 + 30000);
    //  a Retry-After pauses exactly: no backoff step
    assert_int_equal (bb_health_backoff_ms (health, BB_UPSTREAM_MEMPOOL), 0);
    assert_int_equal (bb_health_rate_limited (health, BB_UPSTREAM_MEMPOOL), 3);
    //  a shorter Retry-After never shortens the pause
    s_report (&report, 0, 1, 5, 5000);
    s_apply (health, &report, T0 + 1000);
    assert_int_equal (bb_health_paused_until (health, BB_UPSTREAM_MEMPOOL, T0),
                      T0 + 30000);
    assert_int_equal (bb_health_paused_until (health, BB_UPSTREAM_MEMPOOL,
                                              T0 + 30000), 0);
    bb_health_destroy (&health);
}

//  What the fetcher waited out of a Retry-After is not paused again; the
//  upstream is limited until a probe answers.
static void
test_retry_after_waited (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS, BACKOFF_MAX_MS);
    report_t report;
    s_report (&report, 0, 1, 30, 0);
    s_apply (health, &report, T0);
    assert_int_equal (bb_health_paused_until (health, BB_UPSTREAM_MEMPOOL, T0),
                      0);
    assert_true (bb_health_limited (health, BB_UPSTREAM_MEMPOOL));
    assert_true (bb_health_sources (health, T0)
                 & BB_SOURCE (BB_UPSTREAM_MEMPOOL));
    s_report (&report, 0, 1, 30, 12000);
    s_apply (health, &report, T0);
    assert_int_equal (bb_health_paused_until (health, BB_UPSTREAM_MEMPOOL, T0),
                      T0 + 12000);
    bb_health_destroy (&health);
}

//  The registry has its own health, and none of it moves the interval
//  mode: that is about the balance sources only.
static void
test_registry_leaves_mode (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS, BACKOFF_MAX_MS);
    report_t report;
    s_report (&report, 5, 0, 0, 0);
    report.reports [BB_UPSTREAM_REGISTRY].rate_limited = 1;
    assert_false (s_apply (health, &report, T0));
    assert_true (bb_health_limited (health, BB_UPSTREAM_REGISTRY));
    assert_true (bb_health_limited (health, BB_UPSTREAM_HIRO));
    assert_false (bb_health_idle (health));
    assert_int_equal (bb_health_sources (health, T0),
                      BB_SOURCES_ALL & ~BB_SOURCE (BB_UPSTREAM_HIRO));
    //  both balance sources limited: IDLE, though the registry recovers
    s_report (&report, 5, 1, 0, 0);
    assert_true (s_apply (health, &report, T0 + BACKOFF_MAX_MS));
    assert_true (bb_health_idle (health));
    assert_true (bb_health_healthy (health, BB_UPSTREAM_REGISTRY));
    bb_health_destroy (&health);
}

//  A 429 without Retry-After: the pause grows a step per probe that
//  meets trouble, within the step's ceiling, up to the cap; news of the
//  same trouble grows nothing; a clean probe ends it and shrinks it.
static void
test_backoff_and_probes (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS, BACKOFF_MAX_MS);
    report_t report;
    uint64_t now = T0;
    s_report (&report, 0, 1, 0, 0);
    for (unsigned step = 1; step <= 6; step++) {
        s_apply (health, &report, now);
        uint64_t ceiling = BACKOFF_MS << (step - 1);
        if (ceiling > BACKOFF_MAX_MS)
            ceiling = BACKOFF_MAX_MS;
        assert_int_equal (bb_health_backoff_ms (health, BB_UPSTREAM_MEMPOOL),
                          ceiling);
        uint64_t probe = bb_health_next_probe (health, BB_UPSTREAM_MEMPOOL,
                                               now);
        assert_true (probe >= now && probe <= now + ceiling);
        //  the report after the heartbeat that said it: nothing more
        s_apply (health, &report, now);
        assert_int_equal (bb_health_backoff_ms (health, BB_UPSTREAM_MEMPOOL),
                          ceiling);
        //  the probe goes when the pause is over; the others skip it
        now = probe;
        assert_true (bb_health_sources (health, now)
                     & BB_SOURCE (BB_UPSTREAM_MEMPOOL));
        bb_health_dispatched (health, BB_SOURCES_CHUNK, now + 1000, now);
        assert_true (bb_health_probing (health, BB_UPSTREAM_MEMPOOL, now));
        assert_false (bb_health_sources (health, now)
                      & BB_SOURCE (BB_UPSTREAM_MEMPOOL));
        assert_int_equal (bb_health_next_probe (health, BB_UPSTREAM_MEMPOOL,
                                                now), now + 1000);
    }
    //  the probe answers: healthy at once, the backoff a step shorter
    s_report (&report, 0, 0, 0, 0);
    s_apply (health, &report, now);
    assert_true (bb_health_healthy (health, BB_UPSTREAM_MEMPOOL));
    assert_false (bb_health_probing (health, BB_UPSTREAM_MEMPOOL, now));
    assert_int_equal (bb_health_next_probe (health, BB_UPSTREAM_MEMPOOL, now),
                      0);
    assert_int_equal (bb_health_backoff_ms (health, BB_UPSTREAM_MEMPOOL),
                      BACKOFF_MAX_MS);
    for (int clean = 0; clean < 6; clean++)
        s_apply (health, &report, now);
    assert_int_equal (bb_health_backoff_ms (health, BB_UPSTREAM_MEMPOOL), 0);
    bb_health_destroy (&health);
}

//  A heartbeat's counts so far limit an upstream but count nothing.
static void
test_progress (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS, BACKOFF_MAX_MS);
    Balboard__UpstreamReport given_up = BALBOARD__UPSTREAM_REPORT__INIT;
    given_up.upstream = BALBOARD__UPSTREAM__UPSTREAM_HIRO;
    given_up.requests = 40;
    given_up.failures = 1;
    given_up.gave_up = true;
    given_up.last_error = "HTTP 503";
    Balboard__UpstreamReport *one [1] = { &given_up };
    assert_false (bb_health_progress (health, one, 1, T0));
    assert_true (bb_health_limited (health, BB_UPSTREAM_HIRO));
    assert_string_equal (bb_health_last_error (health, BB_UPSTREAM_HIRO),
                         "HTTP 503");
    assert_int_equal (bb_health_failures (health, BB_UPSTREAM_HIRO), 0);
    assert_int_equal (bb_health_backoff_ms (health, BB_UPSTREAM_HIRO),
                      BACKOFF_MS);
    bb_health_destroy (&health);
}

static void
test_restore_and_unknown (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS, BACKOFF_MAX_MS);
    const uint64_t paused [BB_UPSTREAM_COUNT] = { 0, 0, T0 + 10 };
    bb_health_restore (health, true, paused);
    assert_true (bb_health_idle (health));
    assert_true (bb_health_limited (health, BB_UPSTREAM_PRICE));
    assert_int_equal (bb_health_sources (health, T0) & BB_SOURCES_ALL,
                      BB_SOURCES_CHUNK);
    //  an unknown upstream and a NULL entry are skipped
    Balboard__UpstreamReport odd = BALBOARD__UPSTREAM_REPORT__INIT;
    odd.upstream = 77;
    odd.failures = 100;
    Balboard__UpstreamReport *list [2] = { &odd, NULL };
    assert_false (bb_health_report (health, list, 2, T0));
    //  no requests and no failures say nothing
    Balboard__UpstreamReport quiet = BALBOARD__UPSTREAM_REPORT__INIT;
    quiet.upstream = BALBOARD__UPSTREAM__UPSTREAM_PRICE;
    Balboard__UpstreamReport *one [1] = { &quiet };
    bb_health_tick (health);
    assert_false (bb_health_report (health, one, 1, T0));
    assert_true (bb_health_idle (health));
    bb_health_destroy (&health);
}

//  Reports' request durations add up per upstream, bucket by bucket; a
//  report without them (an older fetcher) or with extra buckets is fine.
static void
test_latency_adds_up (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS, BACKOFF_MAX_MS);
    const bb_latency_t *hiro = bb_health_latency (health, BB_UPSTREAM_HIRO);
    assert_int_equal (hiro->sum_us, 0);
    uint64_t counts [BB_LATENCY_BUCKETS + 2] = { 0 };
    counts [0] = 3;                             // up to 0.5 ms
    counts [bb_latency_bucket (40000)] = 2;     // 25 to 50 ms
    counts [BB_LATENCY_BOUNDS] = 1;             // above 10 s
    counts [BB_LATENCY_BUCKETS] = 99;           // not a bucket: ignored
    report_t report;
    s_report (&report, 0, 0, 0, 0);
    report.reports [BB_UPSTREAM_HIRO].latency_buckets = counts;
    report.reports [BB_UPSTREAM_HIRO].n_latency_buckets
        = BB_LATENCY_BUCKETS + 1;
    report.reports [BB_UPSTREAM_HIRO].latency_sum_us = 12000000;
    s_apply (health, &report, T0);
    s_apply (health, &report, T0 + 1);
    assert_int_equal (hiro->buckets [0], 6);
    assert_int_equal (hiro->buckets [bb_latency_bucket (40000)], 4);
    assert_int_equal (hiro->buckets [BB_LATENCY_BOUNDS], 2);
    assert_int_equal (hiro->sum_us, 24000000);
    //  the other upstreams reported none
    const bb_latency_t *mempool = bb_health_latency (health,
                                                     BB_UPSTREAM_MEMPOOL);
    for (size_t bucket = 0; bucket < BB_LATENCY_BUCKETS; bucket++)
        assert_int_equal (mempool->buckets [bucket], 0);
    //  a heartbeat's progress is not counted: the report will be
    bb_health_progress (health, report.pointers, BB_UPSTREAM_COUNT, T0 + 2);
    assert_int_equal (hiro->buckets [0], 6);
    bb_health_destroy (&health);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_pacing_per_upstream),
        cmocka_unit_test (test_latency_adds_up),
        cmocka_unit_test (test_retry_after_pauses),
        cmocka_unit_test (test_registry_leaves_mode),
        cmocka_unit_test (test_retry_after_waited),
        cmocka_unit_test (test_backoff_and_probes),
        cmocka_unit_test (test_progress),
        cmocka_unit_test (test_restore_and_unknown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
