/*  =========================================================================
    bb_jobs - the jobs in flight and the budget each attempt holds

    A zhashx owns the jobs by id (its destructor destroys them), so an
    attempt put in flight replaces and frees the one before it. Lookups
    are linear where they need an order: a scheduler has a job or two per
    fetcher in flight.
    =========================================================================
*/
#include "bb_jobs.h"
#include "bb_sources.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>

//  Answer steps of a report taken, at most (a fetcher sends 16); steps
//  past them count as seen when the report came, which is safe.
#define SEEN_MAX 32

struct _bb_jobs_t {
    zhashx_t *jobs;                 // job id -> bb_job_t, owned
    bb_budget_t *budget;            // borrowed
};

bb_jobs_t *
bb_jobs_new (bb_budget_t *budget)
{
    assert (budget);
    bb_jobs_t *self = calloc (1, sizeof *self);
    assert (self);
    self->jobs = zhashx_new ();
    assert (self->jobs);
    zhashx_set_destructor (self->jobs, bb_job_destructor);
    self->budget = budget;
    return self;
}

void
bb_jobs_destroy (bb_jobs_t **self_p)
{
    assert (self_p);
    bb_jobs_t *self = *self_p;
    if (self) {
        zhashx_destroy (&self->jobs);
        free (self);
        *self_p = NULL;
    }
}

void
bb_jobs_insert (bb_jobs_t *self, bb_job_t **job_p)
{
    assert (self && job_p && *job_p);
    zhashx_update (self->jobs, bb_job_id (*job_p), *job_p);
    *job_p = NULL;
}

bb_job_t *
bb_jobs_lookup (bb_jobs_t *self, const char *job_id)
{
    assert (self && job_id);
    return (bb_job_t *) zhashx_lookup (self->jobs, job_id);
}

size_t
bb_jobs_size (bb_jobs_t *self)
{
    assert (self);
    return zhashx_size (self->jobs);
}

bb_job_t *
bb_jobs_first (bb_jobs_t *self)
{
    assert (self);
    return (bb_job_t *) zhashx_first (self->jobs);
}

bb_job_t *
bb_jobs_next (bb_jobs_t *self)
{
    assert (self);
    return (bb_job_t *) zhashx_next (self->jobs);
}

//  True if job a goes before job b: lower rotation, then chunk.
static bool
s_before (bb_job_t *a, bb_job_t *b)
{
    if (bb_job_rotation (a) != bb_job_rotation (b))
        return bb_job_rotation (a) < bb_job_rotation (b);
    return bb_job_chunk_index (a) < bb_job_chunk_index (b);
}

bb_job_t *
bb_jobs_next_waiting (bb_jobs_t *self, bb_fetchers_t *fetchers)
{
    assert (fetchers);
    bb_job_t *best = NULL;
    for (bb_job_t *job = bb_jobs_first (self); job; job = bb_jobs_next (self))
        if (!bb_fetchers_holder (fetchers, bb_job_id (job))
        &&  (!best || s_before (job, best)))
            best = job;
    return best;
}

bool
bb_jobs_drained (bb_jobs_t *self, uint64_t rotation)
{
    for (bb_job_t *job = bb_jobs_first (self); job; job = bb_jobs_next (self))
        if (bb_job_rotation (job) == rotation)
            return false;
    return true;
}

void
bb_jobs_next_attempt (bb_jobs_t *self, bb_job_t *job, uint64_t deadline_ms,
                      unsigned sources, uint64_t now_ms,
                      bb_jobs_attempt_t *attempt)
{
    assert (self && job && attempt);
    uint32_t agents = bb_job_agents (job);
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++) {
        bb_upstream_t upstream = (bb_upstream_t) u;
        bool needed = bb_sources_has (sources, upstream);
        attempt->cost [u] = needed ? bb_budget_estimate (self->budget,
                                                         upstream, agents,
                                                         now_ms)
                                   : 0;
    }
    //  What Hiro may serve the job: the fetcher keeps within it
    uint32_t hiro_max = bb_budget_rpm (self->budget, BB_UPSTREAM_HIRO)
                      ? attempt->cost [BB_UPSTREAM_HIRO] : 0;
    attempt->job = bb_job_next_attempt (job, deadline_ms, sources,
                                        hiro_max);
}

bb_job_t *
bb_jobs_apply (bb_jobs_t *self, bb_jobs_attempt_t *attempt, uint64_t now_ms)
{
    assert (self && attempt && attempt->job);
    bb_job_t *job = attempt->job;
    char ticket [BB_BUDGET_TICKET_SIZE];
    bb_job_ticket (job, ticket);
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++)
        bb_budget_spend (self->budget, (bb_upstream_t) u, ticket,
                         attempt->cost [u], bb_job_deadline (job), now_ms);
    bb_jobs_insert (self, &attempt->job);
    return job;
}

void
bb_jobs_abandon (bb_jobs_t *self, bb_job_t *job, uint64_t now_ms)
{
    assert (self && job);
    char ticket [BB_BUDGET_TICKET_SIZE];
    bb_job_ticket (job, ticket);
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++)
        bb_budget_abandon (self->budget, (bb_upstream_t) u, ticket, now_ms);
}

//  What report says of upstream, or NULL.
static const Balboard__UpstreamReport *
s_upstream_report (const Balboard__JobReport *report, bb_upstream_t upstream)
{
    for (size_t i = 0; i < report->n_upstreams; i++) {
        bb_upstream_t index;
        if (report->upstreams [i]
        &&  bb_upstream_from_wire (report->upstreams [i]->upstream,
                                   &index) == 0
        &&  index == upstream)
            return report->upstreams [i];
    }
    return NULL;
}

//  When the upstream saw the requests of of (which may be NULL), as
//  instants received at now_ms: its answers' ages taken from now, which
//  is after the report went, so no instant is earlier than the truth.
//  Returns how many went into seen (at most SEEN_MAX).
static size_t
s_seen (const Balboard__UpstreamReport *of, uint64_t now_ms,
        bb_budget_seen_t seen [SEEN_MAX])
{
    size_t count = 0;
    for (size_t i = 0; of && i < of->n_answered && count < SEEN_MAX;
         i++) {
        const Balboard__AnswerStep *step = of->answered [i];
        if (!step)
            continue;
        uint64_t ago = step->ago_ms < now_ms ? step->ago_ms : now_ms;
        seen [count++] = (bb_budget_seen_t) { now_ms - ago, step->requests };
    }
    return count;
}

void
bb_jobs_settle (bb_jobs_t *self, const Balboard__JobReport *report,
                uint32_t agents, uint64_t now_ms)
{
    assert (self && report);
    char ticket [BB_BUDGET_TICKET_SIZE];
    snprintf (ticket, sizeof ticket, "%s#%" PRIu32, report->job_id,
              report->attempt);
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++) {
        bb_upstream_t upstream = (bb_upstream_t) u;
        const Balboard__UpstreamReport *of = s_upstream_report (report,
                                                                upstream);
        bb_budget_seen_t seen [SEEN_MAX];
        size_t count = s_seen (of, now_ms, seen);
        bb_budget_settle_seen (self->budget, upstream, ticket,
                               of ? of->requests : 0,
                               upstream == BB_UPSTREAM_PRICE ? 0 : agents,
                               seen, count, now_ms);
    }
}

void
bb_jobs_remove (bb_jobs_t *self, const char *job_id)
{
    assert (self && job_id);
    //  job_id may be the job's own, which the delete frees
    char id [BB_JOB_ID_SIZE];
    snprintf (id, sizeof id, "%s", job_id);
    zhashx_delete (self->jobs, id);
}

uint32_t
bb_jobs_report_requests (const Balboard__JobReport *report,
                         bb_upstream_t upstream)
{
    assert (report);
    const Balboard__UpstreamReport *of = s_upstream_report (report, upstream);
    return of ? of->requests : 0;
}
