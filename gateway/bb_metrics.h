/*  =========================================================================
    bb_metrics - the gateway's /metrics, in the Prometheus text format

    Owns the gateway's own counters and renders the exposition (text
    format 0.0.4): every series is prefixed balboard_, counters end in
    _total, durations are _seconds histograms. The gateway's part is kept
    here: HTTP requests by route and status, their durations by route,
    and the page cache's hits and misses; the gateway also reports its
    open SSE streams at each scrape. The route label is the route a path
    matched (the template "/api/agents/{stxAddress}" for every agent) or
    "other", so the label set stays small whatever paths clients send.
    Counting is lock-free (relaxed atomics), so every worker thread
    counts at once without waiting on another.
    The rest of the exposition is rendered from what the store and the
    scheduler report at each scrape (StoreStats, SchedulerStatus): agents,
    rows, batches committed / duplicate / rejected, prices, rotation
    number and progress, fetchers connected and ready, jobs in flight,
    and per upstream its requests, failures, 429s, health and pause. A
    part that did not answer is balboard_store_up or balboard_scheduler_up
    0 and its series are left out. Every replica of the gateway reports
    the same store and scheduler series (aggregate them with max, not
    sum); the balboard_http_* series are each replica's own.
    docs/gateway.md, "Metrics", lists every series.
    =========================================================================
*/
#ifndef BB_METRICS_H_INCLUDED
#define BB_METRICS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "balboard.pb-c.h"

//  Content-Type of the exposition.
#define BB_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

//  What a scrape reports besides the gateway's counters; any part NULL
//  when it did not answer. Borrowed for the call.
typedef struct {
    const Balboard__StoreStats *store;
    const Balboard__SchedulerStatus *scheduler;
    size_t sse_clients;             // open /api/dashboard/events streams
} bb_metrics_sources_t;

typedef struct _bb_metrics_t bb_metrics_t;

//  Counters at zero.
bb_metrics_t *bb_metrics_new (void);

//  Free, and set *self_p to NULL. NULL-safe. Only once no thread counts.
void bb_metrics_destroy (bb_metrics_t **self_p);

//  The route label of a request path (without the query): the route it
//  matches, or "other". Static string.
const char *bb_metrics_route (const char *path);

//  Count one answered request of path with status (100..599; others
//  are not counted) that took seconds. Thread-safe, never blocks.
void bb_metrics_count_request (bb_metrics_t *self, const char *path,
                               unsigned status, double seconds);

//  Count one dashboard or agent request the page cache answered (hit) or
//  did not (a store request). Thread-safe, never blocks.
void bb_metrics_count_page_cache (bb_metrics_t *self, bool hit);

//  The exposition: the gateway's counters and what sources hold. Caller
//  owns the text and must free() it. Thread-safe.
char *bb_metrics_render (bb_metrics_t *self,
                         const bb_metrics_sources_t *sources);

#endif
