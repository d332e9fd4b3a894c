/*  =========================================================================
    bb_rotation - the rotation and its jobs in flight, kept durably

    Owns the scheduler's durable state (bb_sched_state: the rotation, its
    cursor and progress, ticks, pause, and every job in flight as sent)
    and the jobs in flight (bb_jobs), and keeps them one. Every change is
    committed, with what it records of the budget held, the upstreams'
    pauses and the interval mode (borrowed bb_budget and bb_health),
    before it is applied: a job done or given up leaves the jobs only
    once it is forgotten durably, and a rotation is complete once its
    dispatch is over and its last job left.

    Called by the scheduler actor, whose thread it belongs to; what to
    dispatch, and when, stays the actor's.
    =========================================================================
*/
#ifndef BB_ROTATION_H_INCLUDED
#define BB_ROTATION_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bb_budget.h"
#include "bb_health.h"
#include "bb_jobs.h"
#include "bb_sched_state.h"

typedef struct _bb_rotation_t bb_rotation_t;

//  Open the durable state in data_dir (see bb_sched_state_new) for
//  changes that record budget's and health's (both borrowed, outliving
//  the rotation). Returns NULL if it cannot (logged).
bb_rotation_t *bb_rotation_new (const char *data_dir, bb_budget_t *budget,
                                bb_health_t *health);

//  Close the state, destroy the jobs and set *self_p to NULL. NULL-safe.
void bb_rotation_destroy (bb_rotation_t **self_p);

//  Take back at now_ms what the last run left: the jobs in flight (each
//  waits to go again), the budget held, the mode and the pauses; then
//  pause if start_paused. Returns 0 or -1 (logged).
int bb_rotation_restore (bb_rotation_t *self, bool start_paused,
                         uint64_t now_ms);

//  The last committed meta, owned by the rotation until the next change.
const bb_sched_meta_t *bb_rotation_meta (bb_rotation_t *self);

//  The jobs in flight, owned by the rotation.
bb_jobs_t *bb_rotation_jobs (bb_rotation_t *self);

//  Commit meta (completed with the mode, the pauses and the budget held,
//  counting what attempt will hold) and record attempt's job if attempt
//  is not NULL, in one durable change. Returns 0, or -1 with nothing
//  changed (logged with what).
int bb_rotation_commit (bb_rotation_t *self, bb_sched_meta_t *meta,
                        const bb_jobs_attempt_t *attempt, const char *what);

//  Commit the meta as it is (the mode, the pauses or the budget changed).
void bb_rotation_commit_meta (bb_rotation_t *self);

//  Set the operator pause durably (logged). Returns 0 or -1.
int bb_rotation_set_paused (bb_rotation_t *self, bool paused);

//  Count a tick durably. Returns false (logged) while paused.
bool bb_rotation_tick (bb_rotation_t *self);

//  True while the rotation has chunks to dispatch, or start_due (a tick
//  asked for a new rotation) and the last one is complete.
bool bb_rotation_open (bb_rotation_t *self, bool start_due);

//  The next chunk from page at now_ms, into meta (a copy of the current
//  one, to commit with the chunk's job): count agents of the page (0 <
//  count), the last ones of the rotation if last. Starts a new rotation
//  first when the last was dispatched whole. Returns the chunk's job,
//  caller's to own.
bb_job_t *bb_rotation_chunk (bb_sched_meta_t *meta,
                             const Balboard__AgentsPage *page, size_t count,
                             bool last, uint64_t now_ms);

//  Record *job_p (a new chunk's, not dispatched) with meta and take it in
//  as waiting. Sets *job_p to NULL. Returns 0, or -1 with nothing changed
//  (the job destroyed).
int bb_rotation_add (bb_rotation_t *self, bb_sched_meta_t *meta,
                     bb_job_t **job_p);

//  A page with no agent after the cursor came at now_ms: the rotation's
//  dispatch is over, durably (complete if no job of it is left).
void bb_rotation_dispatched (bb_rotation_t *self, uint64_t now_ms);

//  The current attempt of job, which fetcher held ("" = none), is lost
//  at now_ms (why: see bb_fetchers, or store_not_acked): its budget comes
//  back as bb_budget_abandon says, and the job waits to go again, or is
//  given up after BB_SCHEDULER_MAX_ATTEMPTS attempts.
void bb_rotation_job_lost (bb_rotation_t *self, bb_job_t *job,
                           const char *fetcher, const char *why,
                           uint64_t now_ms);

//  A report at now_ms of a job holder holds ("" = none): its attempt's
//  budget is settled with what it used. Any attempt still on record whose
//  batch the store answered completes the job, whichever attempt it was
//  (an older one that finished after all, say). The latest attempt
//  without an answer (the store never acked) is lost, unless another
//  fetcher holds the job. Anything else is stale: logged, ignored.
void bb_rotation_report (bb_rotation_t *self,
                         const Balboard__JobReport *report,
                         const char *holder, uint64_t now_ms);

#endif
