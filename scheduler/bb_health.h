/*  =========================================================================
    bb_health - upstream health, pauses with backoff and probes, and the
    interval mode

    Owns what fetchers say about each upstream (healthy or limited, the
    failure and 429 counts, the latest error, the endpoint in use), the
    pace each one is kept to, and the scheduler's interval mode.

    Trouble. An upstream is in trouble when a heartbeat's counts so far
    or a job's report say it answered a 429 or the fetcher gave up on it,
    or when a report says BB_HEALTH_FAILURE_PERCENT of its requests
    failed (a share judged on the whole job only). Trouble while it is
    healthy, or from the job carrying its probe, limits it: a Retry-After
    pauses it for exactly what is left of the wait (retry_wait_ms), and
    otherwise the backoff grows one step: a pause drawn with full jitter
    from 0 .. min (backoff_max, backoff x 2^(step - 1)). Later news of
    the same trouble (a heartbeat, then the report) changes nothing more.

    Probes. While an upstream is limited, chunk jobs skip it
    (bb_health_sources). When its pause ends, the next job dispatched
    carries it again as its probe, and the others still skip it until
    that job reports or its deadline passes. A report in which the
    upstream answered without trouble, once its pause is over, makes it
    healthy at once; any such report shrinks the backoff by a step.

    Mode. Pacing is per upstream: the interval turns IDLE only when
    every balance source (Hiro and mempool.space) is limited, and ACTIVE
    again at the first report after a tick, with one of them healthy, that
    follows no report leaving both limited; a single limited upstream
    leaves the healthy one at the ACTIVE pace.

    Time is passed in; the module belongs to the scheduler actor's thread.
    =========================================================================
*/
#ifndef BB_HEALTH_H_INCLUDED
#define BB_HEALTH_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bb_latency.h"
#include "bb_upstream.h"

//  Share of failed requests (percent) that makes an upstream unhealthy.
#define BB_HEALTH_FAILURE_PERCENT 5

//  Longest endpoint name kept ("v1", "v3"), NUL included.
#define BB_HEALTH_ENDPOINT_SIZE 16

//  Longest last error kept, NUL included.
#define BB_HEALTH_ERROR_SIZE 128

typedef struct _bb_health_t bb_health_t;

//  Create the health record: every upstream healthy, ACTIVE mode. A
//  pause after trouble without Retry-After starts at backoff_ms and
//  grows to backoff_max_ms (at least backoff_ms).
bb_health_t *bb_health_new (uint64_t backoff_ms, uint64_t backoff_max_ms);

//  Destroy it and set *self_p to NULL. NULL-safe.
void bb_health_destroy (bb_health_t **self_p);

//  Apply the per-upstream counts of one job report (count entries; unknown
//  upstreams are skipped) received at now_ms; a pause it starts is
//  logged (upstream_paused), a recovery too (upstream_recovered).
//  Returns true if the interval mode changed.
bool bb_health_report (bb_health_t *self,
                       Balboard__UpstreamReport *const *upstreams,
                       size_t count, uint64_t now_ms);

//  The counts so far of a job still running (a heartbeat's): trouble
//  limits the upstream as a report would; counts are left to the report.
//  Returns true if the interval mode changed.
bool bb_health_progress (bb_health_t *self,
                         Balboard__UpstreamReport *const *upstreams,
                         size_t count, uint64_t now_ms);

//  A tick starts: the reports from now on decide if IDLE may end.
void bb_health_tick (bb_health_t *self);

//  True in IDLE mode, false in ACTIVE.
bool bb_health_idle (bb_health_t *self);

//  The upstreams (bb_sources) a job dispatched at now_ms may ask: the
//  healthy ones, and a limited one whose probe is due.
unsigned bb_health_sources (bb_health_t *self, uint64_t now_ms);

//  A job asking sources went at now_ms, due by deadline_ms: for a limited
//  upstream among them it is the probe (others skip it meanwhile).
void bb_health_dispatched (bb_health_t *self, unsigned sources,
                           uint64_t deadline_ms, uint64_t now_ms);

//  When the next limited balance source may be asked again (its pause
//  ends or its probe times out), 0 if none waits.
uint64_t bb_health_next_change (bb_health_t *self, uint64_t now_ms);

//  When upstream's pause ends, or 0 when it is not paused at now_ms.
uint64_t bb_health_paused_until (bb_health_t *self, bb_upstream_t upstream,
                                 uint64_t now_ms);

//  True while upstream is limited (paused or waiting for its probe).
bool bb_health_limited (bb_health_t *self, bb_upstream_t upstream);

//  When a job next carries limited upstream (its pause's end, or the
//  probe's deadline while one is out); 0 when it is healthy.
uint64_t bb_health_next_probe (bb_health_t *self, bb_upstream_t upstream,
                               uint64_t now_ms);

//  True while a job carrying upstream as its probe is out.
bool bb_health_probing (bb_health_t *self, bb_upstream_t upstream,
                        uint64_t now_ms);

//  The ceiling of upstream's current backoff step, 0 at step 0.
uint64_t bb_health_backoff_ms (bb_health_t *self, bb_upstream_t upstream);

//  The latest health of upstream (true until a report says otherwise).
bool bb_health_healthy (bb_health_t *self, bb_upstream_t upstream);

//  Failures and 429s reported for upstream, in all.
uint64_t bb_health_failures (bb_health_t *self, bb_upstream_t upstream);
uint64_t bb_health_rate_limited (bb_health_t *self, bb_upstream_t upstream);

//  The durations of upstream's requests the reports counted, in all
//  (bb_latency buckets); borrowed, valid while self lives.
const bb_latency_t *bb_health_latency (bb_health_t *self,
                                       bb_upstream_t upstream);

//  The latest trouble reported for upstream ("" if none) and when (0).
//  Owned by the health record, valid until the next report.
const char *bb_health_last_error (bb_health_t *self, bb_upstream_t upstream);
uint64_t bb_health_last_error_ms (bb_health_t *self, bb_upstream_t upstream);

//  The endpoint the latest report named for upstream ("" if none).
//  Owned by the health record, valid until the next report.
const char *bb_health_endpoint (bb_health_t *self, bb_upstream_t upstream);

//  Set the mode and the pauses a previous run left (durable state): an
//  upstream with a pause is limited, at backoff step 1.
void bb_health_restore (bb_health_t *self, bool idle,
                        const uint64_t paused_until [BB_UPSTREAM_COUNT]);

#endif
