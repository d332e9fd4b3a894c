/*  test_answers - when an upstream answered a job's requests, as the
    report's AnswerSteps say it: every answered request counted once,
    ages from the report, at most BB_ANSWERS_STEPS steps, and merging only
    ever moves a request later (a smaller age), never earlier. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include "bb_answers.h"
#include "bb_pb.h"

static Balboard__UpstreamReport *
s_report (const bb_answers_t *answers, int64_t now_ms)
{
    Balboard__UpstreamReport *report =
        bb_pb_new (&balboard__upstream_report__descriptor);
    bb_answers_report (answers, now_ms, report);
    return report;
}

static void
test_few (void **state)
{
    bb_answers_t answers = { .count = 0 };
    Balboard__UpstreamReport *report = s_report (&answers, 1000);
    assert_int_equal (report->n_answered, 0);
    balboard__upstream_report__free_unpacked (report, NULL);

    bb_answers_add (&answers, 100, 2);
    bb_answers_add (&answers, 100, 1);      // the same instant: one step
    bb_answers_add (&answers, 250, 0);      // nothing answered: no step
    bb_answers_add (&answers, 400, 5);
    report = s_report (&answers, 1000);
    assert_int_equal (report->n_answered, 2);
    assert_int_equal (report->answered [0]->ago_ms, 900);
    assert_int_equal (report->answered [0]->requests, 3);
    assert_int_equal (report->answered [1]->ago_ms, 600);
    assert_int_equal (report->answered [1]->requests, 5);
    balboard__upstream_report__free_unpacked (report, NULL);
}

//  More instants than kept and than a report carries: the total stays,
//  steps stay oldest first, and no request is placed earlier than it
//  was answered: the requests a step says were answered ago_ms or more
//  before the report were answered that early.
static void
test_many (void **state)
{
    enum { INSTANTS = 1000 };
    bb_answers_t answers = { .count = 0 };
    for (int64_t at = 0; at < INSTANTS; at++)
        bb_answers_add (&answers, at * 10, (uint32_t) (at % 3 + 1));
    int64_t now = INSTANTS * 10 + 500;
    Balboard__UpstreamReport *report = s_report (&answers, now);
    assert_true (report->n_answered > 0
              && report->n_answered <= BB_ANSWERS_STEPS);
    uint64_t total = 0;
    uint32_t last_ago = UINT32_MAX;
    for (size_t i = 0; i < report->n_answered; i++) {
        const Balboard__AnswerStep *step = report->answered [i];
        assert_true (step->ago_ms < last_ago);
        last_ago = step->ago_ms;
        total += step->requests;
        //  requests answered by now - ago_ms, counted from the start
        uint64_t answered_by = 0;
        for (int64_t at = 0; at < INSTANTS && at * 10 <= now - step->ago_ms;
             at++)
            answered_by += (uint64_t) (at % 3 + 1);
        assert_true (total <= answered_by);
    }
    assert_int_equal (total, INSTANTS / 3 * 6 + 1);
    assert_int_equal (last_ago, 510);      // the latest answer, at 9990
    balboard__upstream_report__free_unpacked (report, NULL);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test (test_few),
        cmocka_unit_test (test_many))
