/*  =========================================================================
    bb_answers - when an upstream answered a job's requests, for the
    scheduler's budget

    The scheduler hands a job's budget tokens back one window after the
    upstream last saw the requests they paid for. An upstream has seen a
    request it answered, so per upstream the job keeps the instants its
    requests were answered (when the fetcher heard the answer, never
    before the upstream saw the request) and its report carries them as
    AnswerSteps, aged from the moment the report goes: no clock is shared
    between hosts. Requests that got no answer (timeouts, transport
    errors, cancelled on the wire) are never added: the scheduler counts
    them as seen when the report came.

    Instants come in order. Once BB_ANSWERS_KEPT are kept, neighbours are
    merged two by two, and a report carries at most BB_ANSWERS_STEPS: a
    merge keeps the later instant of the two, so it only ever moves
    requests later, which keeps the budget on the safe side. Plain data
    (zero it to start), one thread.
    =========================================================================
*/
#ifndef BB_ANSWERS_H_INCLUDED
#define BB_ANSWERS_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "balboard.pb-c.h"

#define BB_ANSWERS_KEPT     64      // instants kept while a job runs
#define BB_ANSWERS_STEPS    16      // steps a report carries, at most

typedef struct {
    int64_t at_ms;                  // monotonic (zclock_mono)
    uint32_t requests;              // answered by then
} bb_answers_step_t;

typedef struct {
    bb_answers_step_t steps [BB_ANSWERS_KEPT];  // oldest first
    size_t count;
} bb_answers_t;

//  requests were answered at at_ms (monotonic, not before the instant
//  added last). 0 requests adds nothing.
void bb_answers_add (bb_answers_t *self, int64_t at_ms, uint32_t requests);

//  Set report->answered to the steps, at most BB_ANSWERS_STEPS, oldest
//  first, aged from now_ms (monotonic). The report owns them (freed with
//  it); it must have none yet.
void bb_answers_report (const bb_answers_t *self, int64_t now_ms,
                        Balboard__UpstreamReport *report);

#endif
