/*  =========================================================================
    bb_budget - the request budget per upstream, shared by every fetcher

    Each bucket keeps a small array of holds, one per job attempt that
    spent tokens: the cost, the attempt's deadline, and when the tokens
    come back (0 while the job runs). A report splits its attempt's hold
    into pieces of the same ticket, one per instant its requests were
    seen. Expired holds are pruned whenever the bucket is read. The
    arrays stay short: at most a report's steps plus one per job
    dispatched within a window, and one per job in flight. A ring of the
    latest reports (agents, requests used) gives the learned costs.
    =========================================================================
*/
#include "bb_budget.h"
#include "bb_array.h"
#include "bb_sources.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_MINUTE       60000ULL
#define MILLI               1000ULL     // per-agent costs are kept x 1000
#define PER_AGENT_MAX_MILLI (10 * MILLI)    // 10 requests per agent at most
#define RESTORED_TICKET     "(restored)"

typedef struct {
    char ticket [BB_BUDGET_TICKET_SIZE];    // job id and attempt
    uint32_t cost;                  // tokens held
    uint64_t spent_ms;              // when the attempt was dispatched
    uint64_t deadline_ms;           // the attempt's fetcher stops by then
    uint64_t release_ms;            // tokens back then; 0 = job running
} hold_t;

typedef struct {
    uint64_t at_ms;                 // when the report came
    uint32_t agents;
    uint32_t used;                  // requests the job made
} sample_t;

typedef struct {
    uint32_t rpm;                   // requests per minute; 0 = unlimited
    uint32_t capacity;              // tokens per window; 0 = unlimited
    uint32_t headroom;              // least overhead a job is charged
    uint64_t dispatched;            // estimated requests dispatched
    hold_t *holds;                  // array of count, room for size
    size_t count;
    size_t size;
    sample_t samples [BB_BUDGET_SAMPLES];   // ring of recent reports
    size_t sample_count;            // samples kept
    size_t sample_next;             // where the next one goes
} bucket_t;

struct _bb_budget_t {
    uint64_t window_ms;             // a token comes back this long after
    bucket_t buckets [BB_UPSTREAM_COUNT];
};

bb_budget_t *
bb_budget_new (const uint32_t rpm [BB_UPSTREAM_COUNT], uint64_t window_ms)
{
    assert (rpm && window_ms > 0);
    bb_budget_t *self = calloc (1, sizeof *self);
    assert (self);
    self->window_ms = window_ms;
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++) {
        bucket_t *bucket = &self->buckets [u];
        bucket->rpm = rpm [u];
        if (rpm [u]) {
            uint64_t tokens = (uint64_t) rpm [u] * window_ms / MS_PER_MINUTE;
            bucket->capacity = tokens ? (uint32_t) tokens : 1;
        }
    }
    return self;
}

void
bb_budget_destroy (bb_budget_t **self_p)
{
    assert (self_p);
    bb_budget_t *self = *self_p;
    if (self) {
        for (int u = 0; u < BB_UPSTREAM_COUNT; u++)
            free (self->buckets [u].holds);
        free (self);
        *self_p = NULL;
    }
}

static bucket_t *
s_bucket (bb_budget_t *self, bb_upstream_t upstream)
{
    assert (self && upstream < BB_UPSTREAM_COUNT);
    return &self->buckets [upstream];
}

//  Drop the holds whose tokens are back by now_ms.
static void
s_prune (bucket_t *bucket, uint64_t now_ms)
{
    size_t kept = 0;
    for (size_t i = 0; i < bucket->count; i++) {
        hold_t *hold = &bucket->holds [i];
        if (hold->release_ms == 0 || hold->release_ms > now_ms)
            bucket->holds [kept++] = *hold;
    }
    bucket->count = kept;
}

static uint64_t
s_held (bucket_t *bucket, uint64_t now_ms)
{
    s_prune (bucket, now_ms);
    uint64_t held = 0;
    for (size_t i = 0; i < bucket->count; i++)
        held += bucket->holds [i].cost;
    return held;
}

static hold_t *
s_hold_find (bucket_t *bucket, const char *ticket)
{
    for (size_t i = 0; i < bucket->count; i++)
        if (strcmp (bucket->holds [i].ticket, ticket) == 0)
            return &bucket->holds [i];
    return NULL;
}

static hold_t *
s_hold_add (bucket_t *bucket, const char *ticket)
{
    bucket->holds = bb_array_grow (bucket->holds, bucket->count,
                                   &bucket->size, sizeof *bucket->holds, 16);
    hold_t *hold = &bucket->holds [bucket->count++];
    memset (hold, 0, sizeof *hold);
    snprintf (hold->ticket, sizeof hold->ticket, "%s", ticket);
    return hold;
}

//  When the tokens of an attempt whose fetcher stops by deadline_ms come
//  back if it is given up: one window after its deadline or now.
static uint64_t
s_back_after (bb_budget_t *self, uint64_t deadline_ms, uint64_t now_ms)
{
    return (deadline_ms > now_ms ? deadline_ms : now_ms) + self->window_ms;
}

void
bb_budget_set_headroom (bb_budget_t *self, bb_upstream_t upstream,
                        uint32_t requests)
{
    s_bucket (self, upstream)->headroom = requests;
}

uint32_t
bb_budget_rpm (bb_budget_t *self, bb_upstream_t upstream)
{
    return s_bucket (self, upstream)->rpm;
}

uint32_t
bb_budget_capacity (bb_budget_t *self, bb_upstream_t upstream)
{
    return s_bucket (self, upstream)->capacity;
}

int64_t
bb_budget_available (bb_budget_t *self, bb_upstream_t upstream,
                     uint64_t now_ms)
{
    bucket_t *bucket = s_bucket (self, upstream);
    if (!bucket->capacity)
        return BB_BUDGET_UNLIMITED;
    uint64_t held = s_held (bucket, now_ms);
    if (held >= bucket->capacity)
        return -(int64_t) (held - bucket->capacity);
    return (int64_t) (bucket->capacity - held);
}

//  Drop the samples older than a window, but never the latest
//  BB_BUDGET_RECENT.
static void
s_samples_prune (bb_budget_t *self, bucket_t *bucket, uint64_t now_ms)
{
    size_t kept = 0;
    sample_t samples [BB_BUDGET_SAMPLES];
    for (size_t i = 0; i < bucket->sample_count; i++) {
        size_t at = (bucket->sample_next + BB_BUDGET_SAMPLES
                     - bucket->sample_count + i) % BB_BUDGET_SAMPLES;
        if (i + BB_BUDGET_RECENT >= bucket->sample_count
        ||  bucket->samples [at].at_ms + self->window_ms > now_ms)
            samples [kept++] = bucket->samples [at];
    }
    memcpy (bucket->samples, samples, kept * sizeof *samples);
    bucket->sample_count = kept;
    bucket->sample_next = kept % BB_BUDGET_SAMPLES;
}

//  Requests for agents at base (per agent x 1000), rounded up.
static uint64_t
s_at_base (uint64_t agents, uint64_t base_milli)
{
    return (agents * base_milli + MILLI - 1) / MILLI;
}

//  The learned costs of bucket: *base_milli per agent (x 1000) and
//  *overhead per job (at least a limited bucket's headroom); one request
//  per agent before any report.
static void
s_costs (bucket_t *bucket, uint64_t *base_milli, uint64_t *overhead)
{
    *base_milli = bucket->sample_count ? PER_AGENT_MAX_MILLI : MILLI;
    *overhead = 0;
    for (size_t i = 0; i < bucket->sample_count; i++) {
        const sample_t *sample = &bucket->samples [i];
        uint64_t milli = sample->agents
            ? ((uint64_t) sample->used * MILLI + sample->agents - 1)
              / sample->agents
            : PER_AGENT_MAX_MILLI;
        if (milli < *base_milli)
            *base_milli = milli;
    }
    if (*base_milli < MILLI)
        *base_milli = MILLI;
    for (size_t i = 0; i < bucket->sample_count; i++) {
        const sample_t *sample = &bucket->samples [i];
        uint64_t expected = s_at_base (sample->agents, *base_milli);
        if (sample->used > expected && sample->used - expected > *overhead)
            *overhead = sample->used - expected;
    }
    if (bucket->capacity && *overhead < bucket->headroom)
        *overhead = bucket->headroom;
}

uint32_t
bb_budget_estimate (bb_budget_t *self, bb_upstream_t upstream,
                    uint32_t agents, uint64_t now_ms)
{
    bucket_t *bucket = s_bucket (self, upstream);
    if (upstream == BB_UPSTREAM_PRICE)
        return 1;
    s_samples_prune (self, bucket, now_ms);
    uint64_t base_milli, overhead;
    s_costs (bucket, &base_milli, &overhead);
    uint64_t estimate = s_at_base (agents, base_milli) + overhead;
    return estimate > UINT32_MAX ? UINT32_MAX : (uint32_t) estimate;
}

//  True if a job holding tokens of bucket still runs.
static bool
s_running (bucket_t *bucket)
{
    for (size_t i = 0; i < bucket->count; i++)
        if (bucket->holds [i].release_ms == 0)
            return true;
    return false;
}

//  Agents upstream can pay for now, at most max_agents. A full bucket
//  always pays for one agent, so a learned cost above the capacity slows
//  dispatch down but never stops it. Before it learned its cost, one
//  probe of one agent at a time.
static uint32_t
s_affordable (bb_budget_t *self, bb_upstream_t upstream,
              uint32_t max_agents, uint64_t now_ms)
{
    bucket_t *bucket = s_bucket (self, upstream);
    int64_t available = bb_budget_available (self, upstream, now_ms);
    if (available == BB_BUDGET_UNLIMITED)
        return max_agents;
    if (available <= 0 || max_agents == 0)
        return 0;
    s_samples_prune (self, bucket, now_ms);
    if (bucket->sample_count == 0)
        return s_running (bucket) ? 0 : 1;
    uint64_t base_milli, overhead;
    s_costs (bucket, &base_milli, &overhead);
    uint64_t agents = (uint64_t) available > overhead
        ? ((uint64_t) available - overhead) * MILLI / base_milli : 0;
    if (agents == 0 && bucket->count == 0)
        agents = 1;
    return agents < max_agents ? (uint32_t) agents : max_agents;
}

uint32_t
bb_budget_affordable (bb_budget_t *self, unsigned sources,
                      uint32_t max_agents, uint64_t now_ms)
{
    uint32_t agents = max_agents;
    for (int u = BB_UPSTREAM_HIRO; u <= BB_UPSTREAM_MEMPOOL; u++) {
        if (!bb_sources_has (sources, (bb_upstream_t) u))
            continue;
        uint32_t affordable = s_affordable (self, (bb_upstream_t) u,
                                            max_agents, now_ms);
        if (affordable < agents)
            agents = affordable;
    }
    return agents;
}

bool
bb_budget_allows (bb_budget_t *self, unsigned sources, uint32_t agents,
                  uint64_t now_ms)
{
    for (int u = BB_UPSTREAM_HIRO; u <= BB_UPSTREAM_MEMPOOL; u++) {
        bb_upstream_t upstream = (bb_upstream_t) u;
        if (!bb_sources_has (sources, upstream))
            continue;
        bucket_t *bucket = s_bucket (self, upstream);
        uint32_t cost = bb_budget_estimate (self, upstream, agents, now_ms);
        if (!bb_budget_can_spend (self, upstream, cost, now_ms)
        &&  bucket->count > 0)
            return false;
    }
    return true;
}

bool
bb_budget_can_spend (bb_budget_t *self, bb_upstream_t upstream,
                     uint32_t cost, uint64_t now_ms)
{
    int64_t available = bb_budget_available (self, upstream, now_ms);
    return available == BB_BUDGET_UNLIMITED
        || (available > 0 && (uint64_t) available >= cost);
}

void
bb_budget_spend (bb_budget_t *self, bb_upstream_t upstream,
                 const char *ticket, uint32_t cost, uint64_t deadline_ms,
                 uint64_t now_ms)
{
    assert (ticket);
    bucket_t *bucket = s_bucket (self, upstream);
    bucket->dispatched += cost;
    if (!bucket->capacity || cost == 0)
        return;
    s_prune (bucket, now_ms);
    hold_t *hold = s_hold_find (bucket, ticket);
    if (!hold)
        hold = s_hold_add (bucket, ticket);
    hold->cost = cost;
    hold->spent_ms = now_ms;
    hold->deadline_ms = deadline_ms;
    hold->release_ms = 0;
}

//  Learn bucket's costs from a report of agents agents that used
//  requests.
static void
s_sample (bucket_t *bucket, uint32_t used, uint32_t agents, uint64_t now_ms)
{
    bucket->samples [bucket->sample_next] = (sample_t) {
        .at_ms = now_ms, .agents = agents, .used = used
    };
    bucket->sample_next = (bucket->sample_next + 1) % BB_BUDGET_SAMPLES;
    if (bucket->sample_count < BB_BUDGET_SAMPLES)
        bucket->sample_count++;
}

//  Drop every hold of ticket. Returns true if it had one, with the
//  earliest dispatch in *spent_ms and in *floor_ms the latest release a
//  report already gave it (0 if none did).
static bool
s_holds_take (bucket_t *bucket, const char *ticket, uint64_t *spent_ms,
              uint64_t *floor_ms)
{
    bool found = false;
    size_t kept = 0;
    for (size_t i = 0; i < bucket->count; i++) {
        hold_t *hold = &bucket->holds [i];
        if (strcmp (hold->ticket, ticket) != 0) {
            bucket->holds [kept++] = *hold;
            continue;
        }
        if (!found || hold->spent_ms < *spent_ms)
            *spent_ms = hold->spent_ms;
        if (hold->release_ms > *floor_ms)
            *floor_ms = hold->release_ms;
        found = true;
    }
    bucket->count = kept;
    return found;
}

//  Hold cost tokens for ticket, back at release_ms.
static void
s_piece (bucket_t *bucket, const char *ticket, uint32_t cost,
         uint64_t spent_ms, uint64_t release_ms)
{
    if (cost == 0)
        return;
    hold_t *hold = s_hold_add (bucket, ticket);
    hold->cost = cost;
    hold->spent_ms = spent_ms;
    hold->deadline_ms = release_ms;
    hold->release_ms = release_ms;
}

void
bb_budget_settle (bb_budget_t *self, bb_upstream_t upstream,
                  const char *ticket, uint32_t used, uint32_t agents,
                  uint64_t now_ms)
{
    bb_budget_settle_seen (self, upstream, ticket, used, agents, NULL, 0,
                           now_ms);
}

void
bb_budget_settle_seen (bb_budget_t *self, bb_upstream_t upstream,
                       const char *ticket, uint32_t used, uint32_t agents,
                       const bb_budget_seen_t *seen, size_t count,
                       uint64_t now_ms)
{
    assert (ticket && (seen || count == 0));
    bucket_t *bucket = s_bucket (self, upstream);
    if (agents > 0 && upstream != BB_UPSTREAM_PRICE)
        s_sample (bucket, used, agents, now_ms);
    if (!bucket->capacity)
        return;
    s_prune (bucket, now_ms);
    //  An unknown ticket (a report after a restart) has no dispatch
    //  instant to trust: its requests count as seen now
    uint64_t spent_ms = now_ms, floor_ms = 0;
    s_holds_take (bucket, ticket, &spent_ms, &floor_ms);
    uint32_t left = used;
    for (size_t i = 0; i < count && left > 0; i++) {
        uint32_t cost = seen [i].requests < left ? seen [i].requests : left;
        uint64_t at_ms = seen [i].at_ms < spent_ms ? spent_ms
                       : seen [i].at_ms > now_ms   ? now_ms : seen [i].at_ms;
        uint64_t release_ms = at_ms + self->window_ms;
        s_piece (bucket, ticket, cost, spent_ms,
                 release_ms > floor_ms ? release_ms : floor_ms);
        left -= cost;
    }
    uint64_t release_ms = now_ms + self->window_ms;
    s_piece (bucket, ticket, left, spent_ms,
             release_ms > floor_ms ? release_ms : floor_ms);
}

void
bb_budget_abandon (bb_budget_t *self, bb_upstream_t upstream,
                   const char *ticket, uint64_t now_ms)
{
    assert (ticket);
    bucket_t *bucket = s_bucket (self, upstream);
    hold_t *hold = s_hold_find (bucket, ticket);
    if (hold && hold->release_ms == 0)
        hold->release_ms = s_back_after (self, hold->deadline_ms, now_ms);
}

uint64_t
bb_budget_next_release (bb_budget_t *self, bb_upstream_t upstream,
                        uint64_t now_ms)
{
    bucket_t *bucket = s_bucket (self, upstream);
    s_prune (bucket, now_ms);
    uint64_t next = 0;
    for (size_t i = 0; i < bucket->count; i++) {
        uint64_t release_ms = bucket->holds [i].release_ms;
        if (release_ms && (next == 0 || release_ms < next))
            next = release_ms;
    }
    return next;
}

void
bb_budget_summary (bb_budget_t *self, bb_upstream_t upstream,
                   uint64_t now_ms, uint32_t *held, uint64_t *until)
{
    bb_budget_summary_spending (self, upstream, 0, 0, now_ms, held, until);
}

void
bb_budget_summary_spending (bb_budget_t *self, bb_upstream_t upstream,
                            uint32_t cost, uint64_t deadline_ms,
                            uint64_t now_ms, uint32_t *held, uint64_t *until)
{
    assert (held && until);
    bucket_t *bucket = s_bucket (self, upstream);
    s_prune (bucket, now_ms);
    uint64_t total = 0;
    *until = 0;
    for (size_t i = 0; i < bucket->count; i++) {
        hold_t *hold = &bucket->holds [i];
        uint64_t back = hold->release_ms
                      ? hold->release_ms
                      : s_back_after (self, hold->deadline_ms, now_ms);
        total += hold->cost;
        if (back > *until)
            *until = back;
    }
    if (bucket->capacity && cost) {
        total += cost;
        uint64_t back = s_back_after (self, deadline_ms, now_ms);
        if (back > *until)
            *until = back;
    }
    *held = total > UINT32_MAX ? UINT32_MAX : (uint32_t) total;
}

void
bb_budget_restore (bb_budget_t *self, bb_upstream_t upstream, uint32_t held,
                   uint64_t until, uint64_t now_ms)
{
    bucket_t *bucket = s_bucket (self, upstream);
    if (!bucket->capacity || held == 0 || until <= now_ms)
        return;
    s_piece (bucket, RESTORED_TICKET, held, now_ms, until);
}

uint64_t
bb_budget_dispatched (bb_budget_t *self, bb_upstream_t upstream)
{
    return s_bucket (self, upstream)->dispatched;
}
