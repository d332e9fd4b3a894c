/*  =========================================================================
    bb_health - upstream health, Retry-After backoff and the interval mode

    Owns what the job reports say about each upstream (healthy or not, the
    failure and 429 counts, the endpoint in use, the time it is paused
    until) and the scheduler's interval mode, ACTIVE or IDLE.

    Rules. An upstream in a report is unhealthy when it answered any 429 or
    when failures reach BB_HEALTH_FAILURE_PERCENT of its requests; it is
    healthy again after a report where it made requests and neither holds.
    A Retry-After pauses that upstream until the time it named: for what
    the fetcher had not waited out of it when it reported
    (retry_wait_ms), so a 429 waited out inside the job pauses nothing
    more; a 429 without one (as mempool.space sends) pauses it for the
    configured backoff. The mode turns IDLE at the first unhealthy report
    and ACTIVE again at the first wholly healthy report after a tick that
    has seen no unhealthy one, so one bad tick costs at least one idle
    interval.

    Time is passed in; the module belongs to the scheduler actor's thread.
    =========================================================================
*/
#ifndef BB_HEALTH_H_INCLUDED
#define BB_HEALTH_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bb_upstream.h"

//  Share of failed requests (percent) that makes an upstream unhealthy.
#define BB_HEALTH_FAILURE_PERCENT 5

//  Longest endpoint name kept ("v1", "v3"), NUL included.
#define BB_HEALTH_ENDPOINT_SIZE 16

typedef struct _bb_health_t bb_health_t;

//  Create the health record: every upstream healthy, ACTIVE mode.
//  backoff_ms is the pause after a 429 without Retry-After.
bb_health_t *bb_health_new (uint64_t backoff_ms);

//  Destroy it and set *self_p to NULL. NULL-safe.
void bb_health_destroy (bb_health_t **self_p);

//  Apply the per-upstream counts of one job report (count entries; unknown
//  upstreams are skipped) received at now_ms; a pause it starts or
//  extends is logged (upstream_paused). Returns true if the interval mode
//  changed.
bool bb_health_report (bb_health_t *self,
                       Balboard__UpstreamReport *const *upstreams,
                       size_t count, uint64_t now_ms);

//  A tick starts: the reports from now on decide if IDLE may end.
void bb_health_tick (bb_health_t *self);

//  True in IDLE mode, false in ACTIVE.
bool bb_health_idle (bb_health_t *self);

//  True if upstream is paused at now_ms.
bool bb_health_paused (bb_health_t *self, bb_upstream_t upstream,
                       uint64_t now_ms);

//  When upstream's pause ends, or 0 when it is not paused at now_ms.
uint64_t bb_health_paused_until (bb_health_t *self, bb_upstream_t upstream,
                                 uint64_t now_ms);

//  The latest health of upstream (true until a report says otherwise).
bool bb_health_healthy (bb_health_t *self, bb_upstream_t upstream);

//  Failures and 429s reported for upstream, in all.
uint64_t bb_health_failures (bb_health_t *self, bb_upstream_t upstream);
uint64_t bb_health_rate_limited (bb_health_t *self, bb_upstream_t upstream);

//  The endpoint the latest report named for upstream ("" if none).
//  Owned by the health record, valid until the next report.
const char *bb_health_endpoint (bb_health_t *self, bb_upstream_t upstream);

//  Set the mode and the pauses a previous run left (durable state).
void bb_health_restore (bb_health_t *self, bool idle,
                        const uint64_t paused_until [BB_UPSTREAM_COUNT]);

#endif
