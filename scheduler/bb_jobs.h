/*  =========================================================================
    bb_jobs - the jobs in flight and the budget each attempt holds

    Owns every job of ours not done yet, by job id: sent and running, or
    waiting to go (new, lost, or taken back from the durable state after a
    restart). Which of them a fetcher holds is the fetcher registry's to
    say (bb_fetchers); a job no fetcher holds waits, and the oldest waiting
    job (lowest rotation, then chunk) goes first.

    Each attempt holds its estimated requests of every upstream's budget
    (bb_budget, ticket "<job id>#<attempt>") from dispatch: a report
    settles them with what it used, a loss abandons them. A dispatch comes
    in two steps, so the caller can commit it durably in between:
    _next_attempt makes the attempt and changes nothing, _apply puts it in
    flight and spends its budget.

    Borrows the budget, which must outlive it. The scheduler actor's thread.
    =========================================================================
*/
#ifndef BB_JOBS_H_INCLUDED
#define BB_JOBS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bb_budget.h"
#include "bb_fetchers.h"
#include "bb_job.h"
#include "bb_upstream.h"

//  A job's next attempt, made but not in flight yet.
typedef struct {
    bb_job_t *job;                          // as it goes out, owned
    uint32_t cost [BB_UPSTREAM_COUNT];      // tokens it will hold
} bb_jobs_attempt_t;

typedef struct _bb_jobs_t bb_jobs_t;

//  Create an empty set of jobs spending budget (borrowed).
bb_jobs_t *bb_jobs_new (bb_budget_t *budget);

//  Destroy the jobs and set *self_p to NULL. NULL-safe.
void bb_jobs_destroy (bb_jobs_t **self_p);

//  Take *job_p in, waiting (a new job, or one a restart takes back;
//  it replaces one of the same id). Sets *job_p to NULL.
void bb_jobs_insert (bb_jobs_t *self, bb_job_t **job_p);

//  The job job_id, or NULL; owned by the jobs, valid until it changes.
bb_job_t *bb_jobs_lookup (bb_jobs_t *self, const char *job_id);

//  Jobs in flight, and an iteration over them (any order; the job owned
//  by the jobs, NULL at the end). Look nothing up while iterating.
size_t bb_jobs_size (bb_jobs_t *self);
bb_job_t *bb_jobs_first (bb_jobs_t *self);
bb_job_t *bb_jobs_next (bb_jobs_t *self);

//  The waiting job (no fetcher holds it) that goes first, or NULL.
bb_job_t *bb_jobs_next_waiting (bb_jobs_t *self, bb_fetchers_t *fetchers);

//  True if no job of rotation is in flight or waiting.
bool bb_jobs_drained (bb_jobs_t *self, uint64_t rotation);

//  Make job's next attempt at now_ms into *attempt, due by deadline_ms,
//  asking the upstreams in sources (bb_sources), and the budget it will
//  hold on them (what Hiro may serve it goes in the job). Changes
//  nothing; the caller owns attempt->job until _apply.
void bb_jobs_next_attempt (bb_jobs_t *self, bb_job_t *job,
                           uint64_t deadline_ms, unsigned sources,
                           uint64_t now_ms, bb_jobs_attempt_t *attempt);

//  Put attempt in flight at now_ms: its job takes the place of the
//  earlier attempt, and its budget is held. Takes attempt->job and
//  returns it, owned by the jobs.
bb_job_t *bb_jobs_apply (bb_jobs_t *self, bb_jobs_attempt_t *attempt,
                         uint64_t now_ms);

//  The current attempt of job is lost at now_ms: its budget comes back
//  as bb_budget_abandon says.
void bb_jobs_abandon (bb_jobs_t *self, bb_job_t *job, uint64_t now_ms);

//  Settle the budget of report's attempt at now_ms with what it used, for
//  agents agents.
void bb_jobs_settle (bb_jobs_t *self, const Balboard__JobReport *report,
                     uint32_t agents, uint64_t now_ms);

//  Forget job_id (destroys its job). Nothing if it is unknown.
void bb_jobs_remove (bb_jobs_t *self, const char *job_id);

//  Requests report says it made on upstream (0 if it does not say).
uint32_t bb_jobs_report_requests (const Balboard__JobReport *report,
                                  bb_upstream_t upstream);

#endif
