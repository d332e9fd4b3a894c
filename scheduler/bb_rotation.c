/*  =========================================================================
    bb_rotation - the rotation and its jobs in flight, kept durably

    Every change starts from a copy of the committed meta, is completed
    by s_complete_meta and goes through bb_rotation_commit or s_forget;
    the state's meta is never written in place. A job leaves the jobs in
    flight before the change that forgets it is made, so the rotation it
    completes sees it gone; were that commit to fail, the restart sends it
    again, which the store dedups.
    =========================================================================
*/
#include "bb_rotation.h"
#include "bb_log.h"
#include "bb_reason.h"
#include "bb_scheduler.h"

#include <assert.h>
#include <inttypes.h>

struct _bb_rotation_t {
    bb_sched_state_t *state;        // durable meta and jobs, owned
    bb_jobs_t *jobs;                // the jobs in flight, owned
    bb_budget_t *budget;            // borrowed
    bb_health_t *health;            // borrowed
};

bb_rotation_t *
bb_rotation_new (const char *data_dir, bb_budget_t *budget,
                 bb_health_t *health)
{
    assert (data_dir && budget && health);
    bb_sched_state_t *state = bb_sched_state_new (data_dir);
    if (!state)
        return NULL;
    bb_rotation_t *self = calloc (1, sizeof *self);
    assert (self);
    self->state = state;
    self->jobs = bb_jobs_new (budget);
    self->budget = budget;
    self->health = health;
    return self;
}

void
bb_rotation_destroy (bb_rotation_t **self_p)
{
    assert (self_p);
    bb_rotation_t *self = *self_p;
    if (self) {
        bb_jobs_destroy (&self->jobs);
        bb_sched_state_destroy (&self->state);
        free (self);
        *self_p = NULL;
    }
}

int
bb_rotation_restore (bb_rotation_t *self, bool start_paused, uint64_t now_ms)
{
    assert (self);
    const bb_sched_meta_t *meta = bb_sched_state_meta (self->state);
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++)
        bb_budget_restore (self->budget, (bb_upstream_t) u,
                           meta->budget_held [u], meta->budget_until [u],
                           now_ms);
    bb_health_restore (self->health, meta->idle, meta->paused_until);
    zlistx_t *jobs = bb_sched_state_jobs (self->state);
    if (!jobs)
        return -1;
    for (bb_job_t *job = (bb_job_t *) zlistx_detach (jobs, NULL); job;
         job = (bb_job_t *) zlistx_detach (jobs, NULL))
        bb_jobs_insert (self->jobs, &job);
    zlistx_destroy (&jobs);
    bb_info ("state_restored", "rotation=%" PRIu64 " cursor=%s progress=%"
             PRIu32 "/%" PRIu32 " jobs_again=%zu tick_seq=%" PRIu64
             " mode=%s paused=%d", meta->rotation,
             *meta->cursor ? meta->cursor : "-", meta->rotation_done,
             meta->rotation_agents, bb_jobs_size (self->jobs),
             meta->tick_seq, meta->idle ? "idle" : "active", meta->paused);
    if (start_paused && !meta->paused)
        return bb_rotation_set_paused (self, true);
    return 0;
}

const bb_sched_meta_t *
bb_rotation_meta (bb_rotation_t *self)
{
    assert (self);
    return bb_sched_state_meta (self->state);
}

bb_jobs_t *
bb_rotation_jobs (bb_rotation_t *self)
{
    assert (self);
    return self->jobs;
}

//  What meta records of the mode, the pauses and the budget held at
//  now_ms, counting what attempt (if not NULL) will hold.
static void
s_complete_meta (bb_rotation_t *self, bb_sched_meta_t *meta,
                 const bb_jobs_attempt_t *attempt, uint64_t now_ms)
{
    meta->idle = bb_health_idle (self->health);
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++) {
        bb_upstream_t upstream = (bb_upstream_t) u;
        meta->paused_until [u] = bb_health_paused_until (self->health,
                                                         upstream, now_ms);
        bb_budget_summary_spending (
            self->budget, upstream, attempt ? attempt->cost [u] : 0,
            attempt ? bb_job_deadline (attempt->job) : 0, now_ms,
            &meta->budget_held [u], &meta->budget_until [u]);
    }
}

//  Commit meta, record job if not NULL and forget del_id if not NULL.
//  Returns 0, or -1 with nothing changed (logged with what).
static int
s_change (bb_rotation_t *self, const bb_sched_meta_t *meta, bb_job_t *job,
          const char *del_id, const char *what)
{
    int rc = bb_sched_state_begin (self->state);
    if (rc == 0) {
        bb_sched_state_put_meta (self->state, meta);
        if (job)
            bb_sched_state_put_job (self->state, job);
        if (del_id)
            bb_sched_state_del_job (self->state, del_id);
        rc = bb_sched_state_commit (self->state);
    }
    const char *named = job ? bb_job_id (job) : del_id;
    if (rc && named)
        bb_error ("state_commit_failed", "what=%s job=%s", what, named);
    else
    if (rc)
        bb_error ("state_commit_failed", "what=%s", what);
    return rc;
}

int
bb_rotation_commit (bb_rotation_t *self, bb_sched_meta_t *meta,
                    const bb_jobs_attempt_t *attempt, const char *what)
{
    assert (self && meta && what);
    s_complete_meta (self, meta, attempt, zclock_time ());
    return s_change (self, meta, attempt ? attempt->job : NULL, NULL, what);
}

void
bb_rotation_commit_meta (bb_rotation_t *self)
{
    bb_sched_meta_t meta = *bb_rotation_meta (self);
    bb_rotation_commit (self, &meta, NULL, "meta");
}

int
bb_rotation_set_paused (bb_rotation_t *self, bool paused)
{
    bb_sched_meta_t meta = *bb_rotation_meta (self);
    meta.paused = paused;
    if (bb_rotation_commit (self, &meta, NULL, "pause"))
        return -1;
    bb_info (paused ? "paused" : "resumed", NULL);
    return 0;
}

bool
bb_rotation_tick (bb_rotation_t *self)
{
    bb_sched_meta_t meta = *bb_rotation_meta (self);
    if (meta.paused) {
        bb_info ("tick_skipped", "why=paused");
        return false;
    }
    meta.tick_seq++;
    bb_rotation_commit (self, &meta, NULL, "tick");
    return true;
}

bool
bb_rotation_open (bb_rotation_t *self, bool start_due)
{
    const bb_sched_meta_t *meta = bb_rotation_meta (self);
    return !meta->exhausted || (start_due && meta->complete);
}

bb_job_t *
bb_rotation_chunk (bb_sched_meta_t *meta, const Balboard__AgentsPage *page,
                   size_t count, bool last, uint64_t now_ms)
{
    assert (meta && page && count > 0 && count <= page->n_agents);
    if (meta->exhausted) {
        meta->rotation++;
        meta->next_chunk = 0;
        meta->rotation_agents = page->total;
        meta->rotation_done = 0;
        meta->rotation_started_ms = now_ms;
        meta->complete = false;
    }
    meta->exhausted = last;
    bb_job_t *job = bb_job_new (meta->rotation, meta->next_chunk,
                                meta->rotation_agents, page->agents, count);
    snprintf (meta->cursor, sizeof meta->cursor, "%s",
              page->agents [count - 1]->stx_address);
    meta->next_chunk++;
    return job;
}

int
bb_rotation_add (bb_rotation_t *self, bb_sched_meta_t *meta,
                 bb_job_t **job_p)
{
    assert (self && meta && job_p && *job_p);
    bb_jobs_attempt_t waiting = { .job = *job_p };
    if (bb_rotation_commit (self, meta, &waiting, "page")) {
        bb_job_destroy (job_p);
        return -1;
    }
    bb_jobs_insert (self->jobs, job_p);
    return 0;
}

//  Mark the rotation of meta complete at now_ms if its dispatch is over
//  and no job of it is left. Call before committing meta.
static void
s_complete_rotation (bb_rotation_t *self, bb_sched_meta_t *meta,
                     uint64_t now_ms)
{
    if (!meta->exhausted || meta->complete || meta->rotation == 0
    ||  !bb_jobs_drained (self->jobs, meta->rotation))
        return;
    meta->complete = true;
    meta->rotations_completed++;
    meta->last_rotation_ms = now_ms - meta->rotation_started_ms;
    bb_info ("rotation_complete", "rotation=%" PRIu64 " agents=%" PRIu32
             " done=%" PRIu32 " chunks=%" PRIu32 " duration_ms=%" PRIu64,
             meta->rotation, meta->rotation_agents, meta->rotation_done,
             meta->next_chunk, meta->last_rotation_ms);
}

void
bb_rotation_dispatched (bb_rotation_t *self, uint64_t now_ms)
{
    bb_sched_meta_t meta = *bb_rotation_meta (self);
    meta.exhausted = true;
    s_complete_rotation (self, &meta, now_ms);
    bb_rotation_commit (self, &meta, NULL, "rotation_end");
}

//  Forget job (destroyed) durably with meta, completing its rotation if
//  it was the last one; what names the change for the log.
static void
s_forget (bb_rotation_t *self, bb_job_t *job, bb_sched_meta_t *meta,
          const char *what, uint64_t now_ms)
{
    char id [BB_JOB_ID_SIZE];
    snprintf (id, sizeof id, "%s", bb_job_id (job));
    bb_jobs_remove (self->jobs, id);
    s_complete_rotation (self, meta, now_ms);
    s_complete_meta (self, meta, NULL, now_ms);
    s_change (self, meta, NULL, id, what);
}

void
bb_rotation_job_lost (bb_rotation_t *self, bb_job_t *job,
                      const char *fetcher, const char *why, uint64_t now_ms)
{
    assert (self && job && fetcher && why);
    bb_jobs_abandon (self->jobs, job, now_ms);
    bb_warn ("job_lost", "job=%s attempt=%" PRIu32 " fetcher=%s why=%s",
             bb_job_id (job), bb_job_attempt (job), fetcher, why);
    if (bb_job_attempt (job) < BB_SCHEDULER_MAX_ATTEMPTS)
        return;
    bb_error ("job_given_up", "job=%s attempts=%" PRIu32 " agents=%" PRIu32,
              bb_job_id (job), bb_job_attempt (job), bb_job_agents (job));
    bb_sched_meta_t meta = *bb_rotation_meta (self);
    s_forget (self, job, &meta, "give_up", now_ms);
}

//  The store answered the batch of report's attempt of job at now_ms:
//  the chunk is done, and job is destroyed.
static void
s_job_done (bb_rotation_t *self, bb_job_t *job,
            const Balboard__JobReport *report, uint64_t now_ms)
{
    Balboard__AckStatus status = report->store_status;
    if (status == BALBOARD__ACK_STATUS__ACK_REJECTED) {
        char detail [BB_REASON_SIZE];
        bb_error ("job_rejected", "job=%s detail=%s", bb_job_id (job),
                  bb_log_quote (report->detail, detail, sizeof detail));
    }
    bb_sched_meta_t meta = *bb_rotation_meta (self);
    if (bb_job_rotation (job) == meta.rotation)
        meta.rotation_done += bb_job_agents (job);
    bb_info ("job_done", "job=%s attempt=%" PRIu32 "/%" PRIu32 " fetcher=%s"
             " ok=%" PRIu32 " failed=%" PRIu32 " store=%d requests=%" PRIu32
             "/%" PRIu32 "/%" PRIu32 " progress=%" PRIu32 "/%" PRIu32,
             bb_job_id (job), report->attempt, bb_job_attempt (job),
             report->fetcher_id, report->agents_ok, report->agents_failed,
             (int) status,
             bb_jobs_report_requests (report, BB_UPSTREAM_HIRO),
             bb_jobs_report_requests (report, BB_UPSTREAM_MEMPOOL),
             bb_jobs_report_requests (report, BB_UPSTREAM_PRICE),
             meta.rotation_done, meta.rotation_agents);
    s_forget (self, job, &meta, "report", now_ms);
}

//  True if status says the store took the batch or refused it for good.
static bool
s_store_answered (Balboard__AckStatus status)
{
    return status == BALBOARD__ACK_STATUS__ACK_COMMITTED
        || status == BALBOARD__ACK_STATUS__ACK_DUPLICATE
        || status == BALBOARD__ACK_STATUS__ACK_REJECTED;
}

void
bb_rotation_report (bb_rotation_t *self, const Balboard__JobReport *report,
                    const char *holder, uint64_t now_ms)
{
    assert (self && report && holder);
    bb_job_t *job = bb_jobs_lookup (self->jobs, report->job_id);
    bool on_record = job && report->attempt > 0
                  && report->attempt <= bb_job_attempt (job);
    bool latest = on_record && report->attempt == bb_job_attempt (job)
               && (!*holder || streq (holder, report->fetcher_id));
    uint32_t agents = job ? bb_job_agents (job)
                          : report->agents_ok + report->agents_failed;
    bb_jobs_settle (self->jobs, report, agents, now_ms);
    if (on_record && s_store_answered (report->store_status)) {
        s_job_done (self, job, report, now_ms);
        return;
    }
    if (latest)
        bb_rotation_job_lost (self, job, holder, "store_not_acked", now_ms);
    else
        bb_info ("report_stale", "job=%s attempt=%" PRIu32 " fetcher=%s",
                 report->job_id, report->attempt, report->fetcher_id);
    bb_rotation_commit_meta (self);
}
