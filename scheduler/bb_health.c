/*  =========================================================================
    bb_health - upstream health, pauses with backoff and probes, and the
    interval mode

    Each upstream is healthy, or limited: paused until paused_until, then
    waiting for its probe, which is out until probe_until. The backoff
    step counts the pauses trouble started without a Retry-After, less
    the reports that came back clean. The jitter comes from a xorshift64
    seeded at creation; tests check the bounds, not the draw.
    =========================================================================
*/
#include "bb_health.h"
#include "bb_log.h"
#include "bb_sources.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <czmq.h>

//  Steps past which the ceiling cannot grow anyway (2^40 x backoff).
#define STEP_MAX 40

typedef struct {
    bool healthy;                   // not limited
    uint64_t paused_until;          // ms since the epoch; 0 = never paused
    uint64_t probe_until;           // the probe's deadline, 0 = none out
    unsigned step;                  // backoff step, 0 = none
    uint64_t failures;              // reported, in all
    uint64_t rate_limited;
    bb_latency_t latency;           // reported request durations, in all
    char last_error [BB_HEALTH_ERROR_SIZE];
    uint64_t last_error_ms;
    char endpoint [BB_HEALTH_ENDPOINT_SIZE];
} upstream_t;

struct _bb_health_t {
    uint64_t backoff_ms;            // the first step's ceiling
    uint64_t backoff_max_ms;        // the ceiling's cap
    uint64_t random;                // xorshift64 state (jitter)
    bool idle;                      // interval mode: IDLE or ACTIVE
    bool tick_unhealthy;            // both sources limited since the tick
    upstream_t upstreams [BB_UPSTREAM_COUNT];
};

bb_health_t *
bb_health_new (uint64_t backoff_ms, uint64_t backoff_max_ms)
{
    bb_health_t *self = calloc (1, sizeof *self);
    assert (self);
    self->backoff_ms = backoff_ms;
    self->backoff_max_ms = backoff_max_ms > backoff_ms ? backoff_max_ms
                                                       : backoff_ms;
    self->random = (uint64_t) zclock_time () | 1;
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

//  ---------------------------------------------------------------------
//  Backoff

static uint64_t
s_ceiling (bb_health_t *self, unsigned step)
{
    uint64_t ceiling = self->backoff_ms;
    for (unsigned i = 1; i < step && ceiling < self->backoff_max_ms; i++)
        ceiling *= 2;
    return ceiling < self->backoff_max_ms ? ceiling : self->backoff_max_ms;
}

//  Full jitter: uniform in 0 .. the step's ceiling.
static uint64_t
s_jitter (bb_health_t *self, uint64_t ceiling)
{
    uint64_t x = self->random;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    self->random = x;
    return x % (ceiling + 1);
}

//  ---------------------------------------------------------------------
//  Verdicts

//  True if report says the upstream is in trouble. The share of failures
//  counts only in a whole job's report: early in a job one refused
//  address would be a large share.
static bool
s_trouble (const Balboard__UpstreamReport *report, bool whole_job)
{
    bool failing = whole_job && report->failures > 0
        && (uint64_t) report->failures * 100
           >= (uint64_t) report->requests * BB_HEALTH_FAILURE_PERCENT;
    return report->rate_limited || failing || report->gave_up;
}

//  Trouble at now_ms: pause the upstream if it is news (healthy, or its
//  probe out), as its Retry-After says or one backoff step more.
static void
s_limit (bb_health_t *self, bb_upstream_t index,
         const Balboard__UpstreamReport *report, uint64_t now_ms)
{
    upstream_t *upstream = s_upstream (self, index);
    snprintf (upstream->last_error, sizeof upstream->last_error, "%s",
              report->last_error && *report->last_error ? report->last_error
              : report->rate_limited ? "HTTP 429" : "failures");
    upstream->last_error_ms = now_ms;
    bool news = upstream->healthy || upstream->probe_until > now_ms;
    if (!news && !report->retry_after_s)
        return;
    uint64_t pause_ms;
    if (report->retry_after_s)
        pause_ms = report->retry_wait_ms;
    else {
        if (upstream->step < STEP_MAX)
            upstream->step++;
        pause_ms = s_jitter (self, s_ceiling (self, upstream->step));
    }
    upstream->healthy = false;
    upstream->probe_until = 0;
    if (now_ms + pause_ms > upstream->paused_until)
        upstream->paused_until = now_ms + pause_ms;
    bb_warn ("upstream_paused", "upstream=%s for_ms=%" PRIu64 " step=%u "
             "retry_after_s=%" PRIu32 " error=\"%s\"", bb_upstream_name (index),
             upstream->paused_until - now_ms, upstream->step,
             report->retry_after_s, upstream->last_error);
}

//  A clean answer at now_ms: the backoff shrinks a step, and a limited
//  upstream whose pause is over is healthy again.
static void
s_clean (bb_health_t *self, bb_upstream_t index, uint64_t now_ms)
{
    upstream_t *upstream = s_upstream (self, index);
    if (!upstream->healthy && upstream->paused_until > now_ms)
        return;                 // news from before the pause
    if (upstream->step)
        upstream->step--;
    if (upstream->healthy)
        return;
    upstream->healthy = true;
    upstream->probe_until = 0;
    bb_info ("upstream_recovered", "upstream=%s step=%u",
             bb_upstream_name (index), upstream->step);
}

//  The mode after news of trouble or of a clean answer: IDLE once
//  trouble leaves every balance source limited, ACTIVE again at a clean
//  answer after a tick that saw no such trouble.
static bool
s_mode (bb_health_t *self, bool trouble, bool clean)
{
    bool was_idle = self->idle;
    bool all_limited = true;
    for (int u = 0; u < BB_UPSTREAM_SOURCES; u++)
        all_limited &= !self->upstreams [u].healthy;
    if (trouble && all_limited) {
        self->tick_unhealthy = true;
        self->idle = true;
    }
    else
    if (clean && !all_limited && !self->tick_unhealthy)
        self->idle = false;
    return self->idle != was_idle;
}

//  Apply upstreams at now_ms; counts too if counted (a report).
static bool
s_apply (bb_health_t *self, Balboard__UpstreamReport *const *upstreams,
         size_t count, bool counted, uint64_t now_ms)
{
    bool trouble = false;
    bool clean = false;
    for (size_t i = 0; i < count; i++) {
        bb_upstream_t index;
        const Balboard__UpstreamReport *report = upstreams [i];
        if (!report || bb_upstream_from_wire (report->upstream, &index))
            continue;
        upstream_t *upstream = s_upstream (self, index);
        if (counted) {
            upstream->failures += report->failures;
            upstream->rate_limited += report->rate_limited;
            bb_latency_merge (&upstream->latency, report->latency_buckets,
                              report->n_latency_buckets,
                              report->latency_sum_us);
            if (report->endpoint && *report->endpoint)
                snprintf (upstream->endpoint, sizeof upstream->endpoint,
                          "%s", report->endpoint);
        }
        if (s_trouble (report, counted)) {
            s_limit (self, index, report, now_ms);
            trouble = true;
        }
        else
        if (counted && report->requests) {
            s_clean (self, index, now_ms);
            clean = true;
        }
    }
    return s_mode (self, trouble, clean);
}

//  ---------------------------------------------------------------------
//  Public methods

bool
bb_health_report (bb_health_t *self,
                  Balboard__UpstreamReport *const *upstreams, size_t count,
                  uint64_t now_ms)
{
    assert (self);
    return s_apply (self, upstreams, count, true, now_ms);
}

bool
bb_health_progress (bb_health_t *self,
                    Balboard__UpstreamReport *const *upstreams, size_t count,
                    uint64_t now_ms)
{
    assert (self);
    return s_apply (self, upstreams, count, false, now_ms);
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

//  True if a job dispatched at now_ms may ask upstream.
static bool
s_open (const upstream_t *upstream, uint64_t now_ms)
{
    return upstream->healthy
        || (upstream->paused_until <= now_ms
            && upstream->probe_until <= now_ms);
}

unsigned
bb_health_sources (bb_health_t *self, uint64_t now_ms)
{
    assert (self);
    unsigned sources = 0;
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++)
        if (s_open (&self->upstreams [u], now_ms))
            sources |= BB_SOURCE (u);
    return sources;
}

void
bb_health_dispatched (bb_health_t *self, unsigned sources,
                      uint64_t deadline_ms, uint64_t now_ms)
{
    assert (self);
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++) {
        upstream_t *upstream = &self->upstreams [u];
        if (!bb_sources_has (sources, (bb_upstream_t) u)
        ||  upstream->healthy || !s_open (upstream, now_ms))
            continue;
        upstream->probe_until = deadline_ms;
        bb_info ("upstream_probe", "upstream=%s step=%u until_ms=%" PRIu64,
                 bb_upstream_name ((bb_upstream_t) u), upstream->step,
                 deadline_ms);
    }
}

uint64_t
bb_health_next_change (bb_health_t *self, uint64_t now_ms)
{
    assert (self);
    uint64_t next = 0;
    for (int u = 0; u < BB_UPSTREAM_SOURCES; u++) {
        uint64_t at = bb_health_next_probe (self, (bb_upstream_t) u, now_ms);
        if (at > now_ms && (next == 0 || at < next))
            next = at;
    }
    return next;
}

uint64_t
bb_health_paused_until (bb_health_t *self, bb_upstream_t upstream,
                        uint64_t now_ms)
{
    uint64_t until = s_upstream (self, upstream)->paused_until;
    return until > now_ms ? until : 0;
}

bool
bb_health_limited (bb_health_t *self, bb_upstream_t upstream)
{
    return !s_upstream (self, upstream)->healthy;
}

uint64_t
bb_health_next_probe (bb_health_t *self, bb_upstream_t upstream,
                      uint64_t now_ms)
{
    upstream_t *of = s_upstream (self, upstream);
    if (of->healthy)
        return 0;
    if (of->probe_until > now_ms)
        return of->probe_until;
    return of->paused_until > now_ms ? of->paused_until : now_ms;
}

bool
bb_health_probing (bb_health_t *self, bb_upstream_t upstream,
                   uint64_t now_ms)
{
    upstream_t *of = s_upstream (self, upstream);
    return !of->healthy && of->probe_until > now_ms;
}

uint64_t
bb_health_backoff_ms (bb_health_t *self, bb_upstream_t upstream)
{
    unsigned step = s_upstream (self, upstream)->step;
    return step ? s_ceiling (self, step) : 0;
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

const bb_latency_t *
bb_health_latency (bb_health_t *self, bb_upstream_t upstream)
{
    return &s_upstream (self, upstream)->latency;
}

const char *
bb_health_last_error (bb_health_t *self, bb_upstream_t upstream)
{
    return s_upstream (self, upstream)->last_error;
}

uint64_t
bb_health_last_error_ms (bb_health_t *self, bb_upstream_t upstream)
{
    return s_upstream (self, upstream)->last_error_ms;
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
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++) {
        upstream_t *upstream = &self->upstreams [u];
        upstream->paused_until = paused_until [u];
        if (paused_until [u]) {
            upstream->healthy = false;
            upstream->step = 1;
        }
    }
}
