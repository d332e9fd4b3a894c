/*  =========================================================================
    bb_answers - when an upstream answered a job's requests, for the
    scheduler's budget
    =========================================================================
*/
#include "bb_answers.h"
#include "bb_pb.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

//  Merge steps two by two, each pair at its later instant: count halves.
static void
s_halve (bb_answers_step_t *steps, size_t *count)
{
    size_t kept = 0;
    for (size_t i = 0; i < *count; i += 2) {
        bb_answers_step_t merged = steps [i];
        if (i + 1 < *count) {
            merged.at_ms = steps [i + 1].at_ms;
            merged.requests += steps [i + 1].requests;
        }
        steps [kept++] = merged;
    }
    *count = kept;
}

void
bb_answers_add (bb_answers_t *self, int64_t at_ms, uint32_t requests)
{
    assert (self);
    if (requests == 0)
        return;
    bb_answers_step_t *last = self->count ? &self->steps [self->count - 1]
                                          : NULL;
    assert (!last || at_ms >= last->at_ms);
    if (last && last->at_ms == at_ms) {
        last->requests += requests;
        return;
    }
    if (self->count == BB_ANSWERS_KEPT)
        s_halve (self->steps, &self->count);
    self->steps [self->count++] = (bb_answers_step_t) { at_ms, requests };
}

void
bb_answers_report (const bb_answers_t *self, int64_t now_ms,
                   Balboard__UpstreamReport *report)
{
    assert (self && report && report->n_answered == 0);
    bb_answers_step_t steps [BB_ANSWERS_KEPT];
    size_t count = self->count;
    memcpy (steps, self->steps, count * sizeof steps [0]);
    while (count > BB_ANSWERS_STEPS)
        s_halve (steps, &count);
    if (count == 0)
        return;
    report->answered = calloc (count, sizeof report->answered [0]);
    assert (report->answered);
    for (size_t i = 0; i < count; i++) {
        Balboard__AnswerStep *step =
            bb_pb_new (&balboard__answer_step__descriptor);
        int64_t ago = now_ms - steps [i].at_ms;
        step->ago_ms = ago > 0 ? (uint32_t) (ago < UINT32_MAX ? ago
                                                              : UINT32_MAX)
                               : 0;
        step->requests = steps [i].requests;
        report->answered [i] = step;
    }
    report->n_answered = count;
}
