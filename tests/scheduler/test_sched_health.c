/*  test_sched_health - upstream health, Retry-After pauses and the
    ACTIVE / IDLE interval mode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bb_health.h"

#define T0 5000000
#define BACKOFF_MS 60000

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
test_active_idle_active (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS);
    report_t report;
    assert_false (bb_health_idle (health));
    //  a few failures under 5% change nothing
    s_report (&report, 4, 0, 0, 0);
    assert_false (s_apply (health, &report, T0));
    assert_false (bb_health_idle (health));
    assert_true (bb_health_healthy (health, BB_UPSTREAM_HIRO));
    //  5% or more: IDLE
    s_report (&report, 5, 0, 0, 0);
    assert_true (s_apply (health, &report, T0));
    assert_true (bb_health_idle (health));
    assert_false (bb_health_healthy (health, BB_UPSTREAM_HIRO));
    assert_true (bb_health_healthy (health, BB_UPSTREAM_MEMPOOL));
    assert_int_equal (bb_health_failures (health, BB_UPSTREAM_HIRO), 9);
    assert_string_equal (bb_health_endpoint (health, BB_UPSTREAM_HIRO), "v1");
    //  a healthy report in the same tick is not enough
    s_report (&report, 0, 0, 0, 0);
    assert_false (s_apply (health, &report, T0));
    assert_true (bb_health_idle (health));
    //  after a tick, a healthy report ends IDLE
    bb_health_tick (health);
    assert_true (s_apply (health, &report, T0));
    assert_false (bb_health_idle (health));
    assert_true (bb_health_healthy (health, BB_UPSTREAM_HIRO));
    //  a failing report after a healthy one in a tick wins
    bb_health_tick (health);
    s_report (&report, 50, 0, 0, 0);
    assert_true (s_apply (health, &report, T0));
    s_report (&report, 0, 0, 0, 0);
    assert_false (s_apply (health, &report, T0));
    assert_true (bb_health_idle (health));
    bb_health_destroy (&health);
    assert_null (health);
}

static void
test_retry_after_pauses (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS);
    report_t report;
    s_report (&report, 0, 3, 30, 30000);
    s_apply (health, &report, T0);
    assert_true (bb_health_idle (health));
    assert_true (bb_health_paused (health, BB_UPSTREAM_MEMPOOL, T0));
    assert_false (bb_health_paused (health, BB_UPSTREAM_HIRO, T0));
    assert_int_equal (bb_health_paused_until (health, BB_UPSTREAM_MEMPOOL, T0),
                      T0 + 30000);
    assert_int_equal (bb_health_rate_limited (health, BB_UPSTREAM_MEMPOOL), 3);
    //  a shorter Retry-After never shortens the pause
    s_report (&report, 0, 1, 5, 5000);
    s_apply (health, &report, T0 + 1000);
    assert_int_equal (bb_health_paused_until (health, BB_UPSTREAM_MEMPOOL, T0),
                      T0 + 30000);
    assert_false (bb_health_paused (health, BB_UPSTREAM_MEMPOOL, T0 + 30000));
    assert_int_equal (bb_health_paused_until (health, BB_UPSTREAM_MEMPOOL,
                                              T0 + 30000), 0);
    //  a 429 without Retry-After backs off by the default
    s_report (&report, 0, 1, 0, 0);
    s_apply (health, &report, T0 + 40000);
    assert_int_equal (bb_health_paused_until (health, BB_UPSTREAM_MEMPOOL,
                                              T0 + 40000),
                      T0 + 40000 + BACKOFF_MS);
    bb_health_destroy (&health);
}

//  The pause ends when the upstream said, not a Retry-After after the
//  report: what the fetcher waited out of it is not paused again.
static void
test_retry_after_waited (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS);
    report_t report;
    s_report (&report, 0, 1, 30, 0);
    s_apply (health, &report, T0);
    assert_false (bb_health_paused (health, BB_UPSTREAM_MEMPOOL, T0));
    assert_false (bb_health_healthy (health, BB_UPSTREAM_MEMPOOL));
    assert_true (bb_health_idle (health));
    s_report (&report, 0, 1, 30, 12000);
    s_apply (health, &report, T0);
    assert_int_equal (bb_health_paused_until (health, BB_UPSTREAM_MEMPOOL, T0),
                      T0 + 12000);
    bb_health_destroy (&health);
}

static void
test_restore_and_unknown (void **state)
{
    bb_health_t *health = bb_health_new (BACKOFF_MS);
    const uint64_t paused [BB_UPSTREAM_COUNT] = { 0, 0, T0 + 10 };
    bb_health_restore (health, true, paused);
    assert_true (bb_health_idle (health));
    assert_true (bb_health_paused (health, BB_UPSTREAM_PRICE, T0));
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

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_active_idle_active),
        cmocka_unit_test (test_retry_after_pauses),
        cmocka_unit_test (test_retry_after_waited),
        cmocka_unit_test (test_restore_and_unknown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
