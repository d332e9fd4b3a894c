/*  =========================================================================
    bb_health - upstream health, Retry-After backoff and the interval mode
    =========================================================================
*/
#include "bb_health.h"
#include "bb_log.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    bool healthy;                   // as the latest report said
    uint64_t paused_until;          // ms since the epoch; 0 = never paused
    uint64_t failures;              // reported, in all
    uint64_t rate_limited;
    char endpoint [BB_HEALTH_ENDPOINT_SIZE];
} upstream_t;

struct _bb_health_t {
    uint64_t backoff_ms;            // pause after a 429 without Retry-After
    bool idle;                      // interval mode: IDLE or ACTIVE
    bool tick_unhealthy;            // an unhealthy report since the tick
    upstream_t upstreams [BB_UPSTREAM_COUNT];
};

bb_health_t *
bb_health_new (uint64_t backoff_ms)
{
    bb_health_t *self = calloc (1, sizeof *self);
    assert (self);
    self->backoff_ms = backoff_ms;
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++)
        self->upstreams [u].healthy = true;
    return self;
}

void
bb_health_destroy (bb_health_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

static upstream_t *
s_upstream (bb_health_t *self, bb_upstream_t upstream)
{
    assert (self && upstream < BB_UPSTREAM_COUNT);
    return &self->upstreams [upstream];
}

//  Apply one upstream's counts. Returns -1 if they make it unhealthy,
//  1 if healthy, 0 if they say nothing (no requests, no failures).
static int
s_apply (bb_health_t *self, bb_upstream_t index,
         const Balboard__UpstreamReport *report, uint64_t now_ms)
{
    upstream_t *upstream = s_upstream (self, index);
    upstream->failures += report->failures;
    upstream->rate_limited += report->rate_limited;
    if (report->endpoint && *report->endpoint)
        snprintf (upstream->endpoint, sizeof upstream->endpoint, "%s",
                  report->endpoint);
    //  Until the time the upstream named (what the fetcher did not wait
    //  out of it); without a Retry-After, the backoff
    uint64_t pause_ms = 0;
    if (report->retry_after_s)
        pause_ms = report->retry_wait_ms;
    else
    if (report->rate_limited)
        pause_ms = self->backoff_ms;
    if (pause_ms && now_ms + pause_ms > upstream->paused_until) {
        upstream->paused_until = now_ms + pause_ms;
        bb_warn ("upstream_paused", "upstream=%s for_ms=%" PRIu64,
                 bb_upstream_name (index), pause_ms);
    }

    bool failing = report->failures > 0
        && (uint64_t) report->failures * 100
           >= (uint64_t) report->requests * BB_HEALTH_FAILURE_PERCENT;
    if (report->rate_limited || failing) {
        upstream->healthy = false;
        return -1;
    }
    if (report->requests == 0)
        return 0;
    upstream->healthy = true;
    return 1;
}

bool
bb_health_report (bb_health_t *self,
                  Balboard__UpstreamReport *const *upstreams, size_t count,
                  uint64_t now_ms)
{
    assert (self);
    bool unhealthy = false;
    bool healthy = false;
    for (size_t i = 0; i < count; i++) {
        bb_upstream_t index;
        if (!upstreams [i]
        ||  bb_upstream_from_wire (upstreams [i]->upstream, &index))
            continue;
        int verdict = s_apply (self, index, upstreams [i], now_ms);
        unhealthy |= verdict < 0;
        healthy |= verdict > 0;
    }
    bool was_idle = self->idle;
    if (unhealthy) {
        self->tick_unhealthy = true;
        self->idle = true;
    }
    else
    if (healthy && self->idle && !self->tick_unhealthy)
        self->idle = false;
    return self->idle != was_idle;
}

void
bb_health_tick (bb_health_t *self)
{
    assert (self);
    self->tick_unhealthy = false;
}

bool
bb_health_idle (bb_health_t *self)
{
    assert (self);
    return self->idle;
}

bool
bb_health_paused (bb_health_t *self, bb_upstream_t upstream, uint64_t now_ms)
{
    return s_upstream (self, upstream)->paused_until > now_ms;
}

uint64_t
bb_health_paused_until (bb_health_t *self, bb_upstream_t upstream,
                        uint64_t now_ms)
{
    uint64_t until = s_upstream (self, upstream)->paused_until;
    return until > now_ms ? until : 0;
}

bool
bb_health_healthy (bb_health_t *self, bb_upstream_t upstream)
{
    return s_upstream (self, upstream)->healthy;
}

uint64_t
bb_health_failures (bb_health_t *self, bb_upstream_t upstream)
{
    return s_upstream (self, upstream)->failures;
}

uint64_t
bb_health_rate_limited (bb_health_t *self, bb_upstream_t upstream)
{
    return s_upstream (self, upstream)->rate_limited;
}

const char *
bb_health_endpoint (bb_health_t *self, bb_upstream_t upstream)
{
    return s_upstream (self, upstream)->endpoint;
}

void
bb_health_restore (bb_health_t *self, bool idle,
                   const uint64_t paused_until [BB_UPSTREAM_COUNT])
{
    assert (self && paused_until);
    self->idle = idle;
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++)
        self->upstreams [u].paused_until = paused_until [u];
}
