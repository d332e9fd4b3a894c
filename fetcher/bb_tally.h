/*  =========================================================================
    bb_tally - what a job counts of one upstream, for its JobReport

    A chunk job keeps one tally per upstream it asks, a registry job one
    for the registry: the requests the HTTP engine made (retries
    included), their durations, the 429s and the longest Retry-After
    asked for, the requests that failed and the latest failure's reason.
    bb_tally_report turns it into the UpstreamReport the scheduler reads
    (its health, budget and pacing). Plain data (zero it to start), one
    thread.
    =========================================================================
*/
#ifndef BB_TALLY_H_INCLUDED
#define BB_TALLY_H_INCLUDED

#include <stdint.h>

#include "balboard.pb-c.h"
#include "bb_http.h"
#include "bb_latency.h"
#include "bb_reason.h"
#include "bb_upstream.h"

typedef struct {
    uint32_t requests;              // attempts, retries included
    bb_latency_t latency;           // their durations
    uint32_t failures;              // requests that failed, as the job judged
    uint32_t rate_limited;          // 429s
    uint32_t retry_after_s;         // the longest Retry-After asked for
    char last_error [BB_REASON_SIZE];   // of the latest failed request
} bb_tally_t;

//  Count what the engine says of one request (its attempts, durations,
//  429s and Retry-After). Failures are the job's to judge.
void bb_tally_count (bb_tally_t *self, const bb_http_result_t *result);

//  Count a failed request of the job's judgement, reason (copied) its
//  last error.
void bb_tally_fail (bb_tally_t *self, const char *reason);

//  The UpstreamReport of upstream from this tally, endpoint (copied) as
//  given. Caller frees it (balboard__upstream_report__free_unpacked).
Balboard__UpstreamReport *bb_tally_report (const bb_tally_t *self,
                                           bb_upstream_t upstream,
                                           const char *endpoint);

#endif
