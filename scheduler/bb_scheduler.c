/*  =========================================================================
    bb_scheduler - the scheduler actor: rotation cursor and adaptive alarm

    The actor keeps the pump and the handlers that feed it; its parts own
    the rest: bb_sched_state the durable state, bb_jobs the jobs in flight
    and the budget each attempt holds, bb_fetchers the fetchers, which job
    each holds and when one is lost, bb_health and bb_budget the
    upstreams, bb_sched_status the status reply.

    Layers, top to bottom: durable changes (every one goes through
    s_commit, which also records the budget held, the pauses and the
    mode); jobs (dispatch, loss, reports); the pump that decides what to
    dispatch next; ticks and timers; the socket handlers; the actor's
    state and its shell.

    A dispatch makes the job's next attempt without changing anything,
    commits it, and only then puts it in flight, spends its budget and
    sends it, so a failed commit leaves nothing to undo. The pump runs
    after anything that can unblock dispatch: a tick, a fetcher becoming
    ready, a report, an agents page, a resume, the wake timer (budget
    tokens back, a pause ended) and the heartbeat. At most one agents page
    request is outstanding, so the cursor moves one chunk at a time and
    each chunk is dispatched once.
    =========================================================================
*/
#include "bb_scheduler.h"
#include "bb_actor.h"
#include "bb_budget.h"
#include "bb_fetchers.h"
#include "bb_health.h"
#include "bb_job.h"
#include "bb_jobs.h"
#include "bb_log.h"
#include "bb_sched_state.h"
#include "bb_sched_status.h"
#include "bb_wire.h"

#include <assert.h>
#include <inttypes.h>

#define SCHEDULER_FETCHER_ID "scheduler"   // heartbeats to fetchers
#define TIMER_MIN_MS 1                      // zloop timers need a delay
#define METADATA_HEADROOM_DIV 20            // Hiro headroom: chunk / 20 + 1

typedef struct {
    bb_scheduler_settings_t settings;
    zloop_t *loop;
    zsock_t *jobs;                  // ROUTER: fetchers
    zsock_t *control;               // ROUTER: CLI
    zsock_t *store;                 // DEALER: store query socket
    bb_sched_state_t *state;        // durable: cursor, jobs, mode...
    bb_budget_t *budget;
    bb_health_t *health;
    bb_fetchers_t *fetchers;
    bb_jobs_t *in_flight;           // the jobs, running or waiting
    int alarm_id;                   // the tick timer, -1 = none
    uint64_t next_tick_ms;          // when the alarm fires
    uint64_t last_tick_ms;          // when the last tick ran
    int wake_id;                    // budget / pause timer, -1 = none
    uint64_t wake_ms;               // when the wake timer fires
    bool prices_due;                // this tick's prices not dispatched
    bool start_due;                 // a tick asked for a new rotation
    uint32_t idle_credit;           // chunks IDLE mode may still send
    uint64_t page_request_id;       // agents page asked for, 0 = none
    uint64_t page_sent_ms;
    uint32_t page_limit;            // agents the chunk may take
    uint64_t request_seq;           // last request id used
    int64_t beat_ms;                // the heartbeat timer's last run, mono
    bool terminated;                // $TERM came
} self_t;

static void s_pump (self_t *self);
static void s_arm_alarm (self_t *self, uint64_t from_ms);

//  ---------------------------------------------------------------------
//  Durable changes

//  Commit meta (completed with the mode, the pauses and the budget held,
//  counting what attempt will hold), record attempt's job if attempt is
//  not NULL and forget del_id if not NULL, in one durable change.
//  Returns 0, or -1 with nothing changed (logged with what).
static int
s_commit (self_t *self, bb_sched_meta_t *meta,
          const bb_jobs_attempt_t *attempt, const char *del_id,
          const char *what)
{
    uint64_t now = zclock_time ();
    meta->idle = bb_health_idle (self->health);
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++) {
        bb_upstream_t upstream = (bb_upstream_t) u;
        meta->paused_until [u] = bb_health_paused_until (self->health,
                                                         upstream, now);
        bb_budget_summary_spending (
            self->budget, upstream, attempt ? attempt->cost [u] : 0,
            attempt ? bb_job_deadline (attempt->job) : 0, now,
            &meta->budget_held [u], &meta->budget_until [u]);
    }
    int rc = bb_sched_state_begin (self->state);
    if (rc == 0) {
        bb_sched_state_put_meta (self->state, meta);
        if (attempt)
            bb_sched_state_put_job (self->state, attempt->job);
        if (del_id)
            bb_sched_state_del_job (self->state, del_id);
        rc = bb_sched_state_commit (self->state);
    }
    const char *job = attempt ? bb_job_id (attempt->job) : del_id;
    if (rc && job)
        bb_error ("state_commit_failed", "what=%s job=%s", what, job);
    else
    if (rc)
        bb_error ("state_commit_failed", "what=%s", what);
    return rc;
}

//  Commit the current meta (mode, pauses, budget changed).
static void
s_commit_meta (self_t *self)
{
    bb_sched_meta_t meta = *bb_sched_state_meta (self->state);
    s_commit (self, &meta, NULL, NULL, "meta");
}

//  Mark the rotation of meta complete if its dispatch is over and no job
//  of it remains. Call before committing meta.
static void
s_complete_rotation (self_t *self, bb_sched_meta_t *meta, uint64_t now)
{
    if (!meta->exhausted || meta->complete || meta->rotation == 0
    ||  !bb_jobs_drained (self->in_flight, meta->rotation))
        return;
    meta->complete = true;
    meta->rotations_completed++;
    meta->last_rotation_ms = now - meta->rotation_started_ms;
    bb_info ("rotation_complete", "rotation=%" PRIu64 " agents=%" PRIu32
             " done=%" PRIu32 " chunks=%" PRIu32 " duration_ms=%" PRIu64,
             meta->rotation, meta->rotation_agents, meta->rotation_done,
             meta->next_chunk, meta->last_rotation_ms);
}

//  ---------------------------------------------------------------------
//  Jobs

//  Send job's envelope to fetcher. Returns 0 or -1.
static int
s_send_job (self_t *self, bb_job_t *job, const char *fetcher)
{
    zmsg_t *msg = zmsg_new ();
    zframe_t *routing_id = zframe_dup (bb_fetchers_routing_id (
        self->fetchers, fetcher));
    zframe_t *body = bb_job_encode (job);
    zmsg_append (msg, &routing_id);
    zmsg_append (msg, &body);
    int rc = zmsg_send (&msg, self->jobs);
    if (rc)
        zmsg_destroy (&msg);
    return rc;
}

//  Dispatch job (new, or waiting to go again) to fetcher (ready) with
//  meta as the change that goes with it. Its next attempt (new deadline,
//  the tick's prices if due and affordable, the budget it holds) is
//  committed durably, then put in flight and sent. Returns 0, or -1 with
//  nothing changed. The job in flight is a new one: job is not it.
static int
s_dispatch (self_t *self, bb_job_t *job, const char *fetcher,
            bb_sched_meta_t *meta, uint64_t now)
{
    bool want_prices = bb_job_fetch_prices (job) || self->prices_due;
    bool prices = want_prices
        && !bb_health_paused (self->health, BB_UPSTREAM_PRICE, now)
        && bb_budget_can_spend (self->budget, BB_UPSTREAM_PRICE, 1, now);
    bb_jobs_attempt_t attempt;
    bb_jobs_next_attempt (self->in_flight, job,
                          now + self->settings.job_deadline_ms, prices, now,
                          &attempt);
    if (s_commit (self, meta, &attempt, NULL, "dispatch")) {
        bb_job_destroy (&attempt.job);
        return -1;
    }
    bb_job_t *sent = bb_jobs_apply (self->in_flight, &attempt, now);
    self->prices_due = want_prices && !prices;
    bb_fetchers_assign (self->fetchers, fetcher, bb_job_id (sent),
                        bb_job_attempt (sent), bb_job_deadline (sent), now);
    if (s_send_job (self, sent, fetcher))
        bb_warn ("job_send_failed", "job=%s fetcher=%s", bb_job_id (sent),
                 fetcher);
    bb_info ("job_dispatched", "job=%s attempt=%" PRIu32 " agents=%" PRIu32
             " fetcher=%s prices=%d deadline_ms=%" PRIu64, bb_job_id (sent),
             bb_job_attempt (sent), bb_job_agents (sent), fetcher, prices,
             bb_job_deadline (sent));
    return 0;
}

//  Forget job (destroyed) durably with meta, completing its rotation if
//  it was the last one; what names the change for the log.
static void
s_job_forget (self_t *self, bb_job_t *job, bb_sched_meta_t *meta,
              const char *what, uint64_t now)
{
    char id [BB_JOB_ID_SIZE];
    snprintf (id, sizeof id, "%s", bb_job_id (job));
    bb_jobs_remove (self->in_flight, id);
    s_complete_rotation (self, meta, now);
    s_commit (self, meta, NULL, id, what);
}

//  The current attempt of job, which fetcher held ("" = none), is lost
//  (why: see bb_fetchers, or store_not_acked): its tokens come back as
//  the budget says, and the job waits to go again, or is given up after
//  the last attempt.
static void
s_job_lost (self_t *self, bb_job_t *job, const char *fetcher,
            const char *why, uint64_t now)
{
    bb_jobs_abandon (self->in_flight, job, now);
    bb_warn ("job_lost", "job=%s attempt=%" PRIu32 " fetcher=%s why=%s",
             bb_job_id (job), bb_job_attempt (job), fetcher, why);
    if (bb_job_attempt (job) >= BB_SCHEDULER_MAX_ATTEMPTS) {
        bb_error ("job_given_up", "job=%s attempts=%" PRIu32 " agents=%"
                  PRIu32, bb_job_id (job), bb_job_attempt (job),
                  bb_job_agents (job));
        bb_sched_meta_t meta = *bb_sched_state_meta (self->state);
        s_job_forget (self, job, &meta, "give_up", now);
    }
}

//  What the fetcher registry found lost: a dead fetcher is logged, and
//  the job named goes again if it is still ours.
static void
s_on_loss (self_t *self, const bb_fetcher_loss_t *loss, uint64_t now)
{
    if (loss->dead)
        bb_warn ("fetcher_lost", "fetcher=%s job=%s fetchers=%zu",
                 loss->fetcher, *loss->job ? loss->job : "-",
                 bb_fetchers_size (self->fetchers));
    bb_job_t *job = *loss->job ? bb_jobs_lookup (self->in_flight, loss->job)
                               : NULL;
    if (job)
        s_job_lost (self, job, loss->fetcher, loss->why, now);
}

//  ---------------------------------------------------------------------
//  The pump

//  True while the current rotation has chunks to dispatch, or a tick
//  asked for a new one and the previous is complete.
static bool
s_rotation_open (self_t *self)
{
    const bb_sched_meta_t *meta = bb_sched_state_meta (self->state);
    return !meta->exhausted || (self->start_due && meta->complete);
}

static int
s_on_wake (zloop_t *loop, int timer_id, void *arg)
{
    self_t *self = (self_t *) arg;
    self->wake_id = -1;
    s_pump (self);
    return 0;
}

//  Arm the wake timer for at_ms unless it already fires by then.
static void
s_wake_at (self_t *self, uint64_t at_ms, uint64_t now)
{
    if (at_ms == 0)
        return;
    if (self->wake_id != -1) {
        if (self->wake_ms <= at_ms)
            return;
        zloop_timer_end (self->loop, self->wake_id);
    }
    uint64_t delay = at_ms > now ? at_ms - now : TIMER_MIN_MS;
    self->wake_ms = at_ms;
    self->wake_id = zloop_timer (self->loop, delay, 1, s_on_wake, self);
}

//  True if Hiro or mempool.space is paused; arms the wake for its end.
static bool
s_chunks_paused (self_t *self, uint64_t now)
{
    bool paused = false;
    for (int u = BB_UPSTREAM_HIRO; u <= BB_UPSTREAM_MEMPOOL; u++) {
        uint64_t until = bb_health_paused_until (self->health,
                                                 (bb_upstream_t) u, now);
        if (until) {
            s_wake_at (self, until, now);
            paused = true;
        }
    }
    return paused;
}

//  The budget is short: wake when tokens come back. Tokens held by jobs
//  still running come back with their reports, which pump anyway.
static void
s_wait_for_budget (self_t *self, uint64_t now)
{
    for (int u = BB_UPSTREAM_HIRO; u <= BB_UPSTREAM_MEMPOOL; u++)
        s_wake_at (self, bb_budget_next_release (self->budget,
                                                 (bb_upstream_t) u, now),
                   now);
}

//  Ask the store for the next chunk of up to limit agents after the
//  cursor (from the first agent for a new rotation), and one agent more:
//  if that one is missing, this chunk ends the rotation.
static void
s_request_page (self_t *self, uint32_t limit, uint64_t now)
{
    const bb_sched_meta_t *meta = bb_sched_state_meta (self->state);
    bool new_rotation = meta->exhausted;
    Balboard__AgentsPageRequest request =
        BALBOARD__AGENTS_PAGE_REQUEST__INIT;
    request.after_stx_address = new_rotation ? "" : (char *) meta->cursor;
    request.limit = limit + 1;
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.request_id = ++self->request_seq;
    envelope.body_case = BALBOARD__ENVELOPE__BODY_AGENTS_PAGE_REQUEST;
    envelope.agents_page_request = &request;
    if (bb_wire_send (self->store, NULL, &envelope)) {
        bb_warn ("store_send_failed", NULL);
        return;
    }
    self->page_request_id = envelope.request_id;
    self->page_sent_ms = now;
    self->page_limit = limit;
}

//  Dispatch one thing if it can: a waiting job, or ask for the next
//  chunk. Returns true if it dispatched and may go on.
static bool
s_dispatch_one (self_t *self, uint64_t now)
{
    const bb_sched_meta_t *meta = bb_sched_state_meta (self->state);
    if (meta->paused || self->page_request_id)
        return false;
    const char *fetcher = bb_fetchers_next_ready (self->fetchers);
    if (!fetcher || s_chunks_paused (self, now))
        return false;
    bb_job_t *waiting = bb_jobs_next_waiting (self->in_flight,
                                              self->fetchers);
    if (waiting) {
        if (!bb_budget_allows (self->budget, bb_job_agents (waiting),
                               now)) {
            s_wait_for_budget (self, now);
            return false;
        }
        bb_sched_meta_t change = *meta;
        return s_dispatch (self, waiting, fetcher, &change, now) == 0;
    }
    if (!s_rotation_open (self))
        return false;
    if (bb_health_idle (self->health) && self->idle_credit == 0)
        return false;
    uint32_t agents = bb_budget_affordable (self->budget,
                                            self->settings.chunk_size, now);
    if (agents == 0)
        s_wait_for_budget (self, now);
    else
        s_request_page (self, agents, now);
    return false;
}

static void
s_pump (self_t *self)
{
    uint64_t now = zclock_time ();
    while (s_dispatch_one (self, now))
        ;
}

//  ---------------------------------------------------------------------
//  Agents pages

//  True if every agent of page can go in a job and the cursor.
static bool
s_page_valid (const Balboard__AgentsPage *page)
{
    for (size_t i = 0; i < page->n_agents; i++) {
        const Balboard__Agent *agent = page->agents [i];
        if (!agent || !agent->stx_address || !*agent->stx_address
        ||  strlen (agent->stx_address) >= BB_SCHED_CURSOR_SIZE
        ||  !agent->btc_address)
            return false;
    }
    return true;
}

//  Start a new rotation of total agents in meta at now.
static void
s_start_rotation (bb_sched_meta_t *meta, uint32_t total, uint64_t now)
{
    meta->rotation++;
    meta->cursor [0] = '\0';
    meta->next_chunk = 0;
    meta->rotation_agents = total;
    meta->rotation_done = 0;
    meta->rotation_started_ms = now;
    meta->complete = false;
}

//  Record job with meta and dispatch it if a fetcher is ready (it may
//  have left meanwhile: then the job waits). Destroys job. Returns 0 or
//  -1 (nothing changed).
static int
s_record_chunk (self_t *self, bb_job_t *job, bb_sched_meta_t *meta,
                uint64_t now)
{
    const char *fetcher = bb_fetchers_next_ready (self->fetchers);
    if (fetcher) {
        int rc = s_dispatch (self, job, fetcher, meta, now);
        bb_job_destroy (&job);
        return rc;
    }
    bb_jobs_attempt_t waiting = { .job = job };
    if (s_commit (self, meta, &waiting, NULL, "page")) {
        bb_job_destroy (&job);
        return -1;
    }
    bb_jobs_insert (self->in_flight, &job);
    return 0;
}

//  The page after the cursor came: start the rotation if it is a new
//  one, advance the cursor, and dispatch its chunk (the page less its
//  look-ahead agent).
static void
s_on_page (self_t *self, const Balboard__AgentsPage *page, uint64_t now)
{
    bb_sched_meta_t meta = *bb_sched_state_meta (self->state);
    bool last = page->n_agents <= self->page_limit;
    size_t count = last ? page->n_agents : self->page_limit;
    bool new_rotation = meta.exhausted;
    if (new_rotation && count == 0) {
        bb_info ("registry_empty", "hint=\"import agents\"");
        self->start_due = false;
        return;
    }
    if (new_rotation)
        s_start_rotation (&meta, page->total, now);
    meta.exhausted = last;
    if (count == 0) {
        s_complete_rotation (self, &meta, now);
        s_commit (self, &meta, NULL, NULL, "rotation_end");
        return;
    }
    bb_job_t *job = bb_job_new (meta.rotation, meta.next_chunk,
                                meta.rotation_agents, page->agents, count);
    snprintf (meta.cursor, sizeof meta.cursor, "%s",
              page->agents [count - 1]->stx_address);
    meta.next_chunk++;
    if (s_record_chunk (self, job, &meta, now))
        return;
    if (new_rotation) {
        self->start_due = false;
        bb_info ("rotation_start", "rotation=%" PRIu64 " agents=%" PRIu32,
                 meta.rotation, meta.rotation_agents);
    }
    if (meta.exhausted)
        bb_info ("rotation_dispatched", "rotation=%" PRIu64 " chunks=%"
                 PRIu32, meta.rotation, meta.next_chunk);
    if (self->idle_credit)
        self->idle_credit--;
}

//  ---------------------------------------------------------------------
//  Job reports

//  True if status says the store took the batch or refused it for good.
static bool
s_store_answered (Balboard__AckStatus status)
{
    return status == BALBOARD__ACK_STATUS__ACK_COMMITTED
        || status == BALBOARD__ACK_STATUS__ACK_DUPLICATE
        || status == BALBOARD__ACK_STATUS__ACK_REJECTED;
}

//  The store answered the batch of an attempt of job: the chunk is done,
//  whichever attempt it was (an older one that finished after all, say).
static void
s_job_done (self_t *self, bb_job_t *job, const Balboard__JobReport *report,
            uint64_t now)
{
    Balboard__AckStatus status = report->store_status;
    if (status == BALBOARD__ACK_STATUS__ACK_REJECTED) {
        char detail [BB_REASON_SIZE];
        bb_error ("job_rejected", "job=%s detail=%s", bb_job_id (job),
                  bb_log_quote (report->detail, detail, sizeof detail));
    }
    bb_sched_meta_t meta = *bb_sched_state_meta (self->state);
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
    s_job_forget (self, job, &meta, "report", now);
}

//  What report says of the upstreams: pauses (logged) and the mode (a
//  change re-arms the alarm).
static void
s_report_health (self_t *self, const Balboard__JobReport *report,
                 uint64_t now)
{
    uint64_t paused [BB_UPSTREAM_COUNT];
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++)
        paused [u] = bb_health_paused_until (self->health, (bb_upstream_t) u,
                                             now);
    bool mode_changed = bb_health_report (self->health, report->upstreams,
                                          report->n_upstreams, now);
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++) {
        uint64_t until = bb_health_paused_until (self->health,
                                                 (bb_upstream_t) u, now);
        if (until > paused [u])
            bb_warn ("upstream_paused", "upstream=%s for_ms=%" PRIu64,
                     bb_upstream_name ((bb_upstream_t) u), until - now);
    }
    if (mode_changed) {
        bool idle = bb_health_idle (self->health);
        bb_info ("interval_mode", "mode=%s", idle ? "idle" : "active");
        if (idle)
            self->idle_credit = 0;
        s_arm_alarm (self, self->last_tick_ms);
    }
}

//  A report: any attempt still on record whose batch the store answered
//  completes the job. The latest attempt without an answer (the store
//  never acked) goes again. Anything else is stale: logged, ignored.
static void
s_on_report (self_t *self, zframe_t *peer, const Balboard__JobReport *report,
             uint64_t now)
{
    const char *fetcher = report->fetcher_id;
    bb_fetchers_seen (self->fetchers, fetcher, peer, now);
    bb_job_t *job = bb_jobs_lookup (self->in_flight, report->job_id);
    const char *holder = bb_fetchers_holder (self->fetchers, report->job_id);
    char held_by [BB_FETCHER_ID_SIZE];
    snprintf (held_by, sizeof held_by, "%s", holder ? holder : "");
    bool on_record = job && report->attempt > 0
                  && report->attempt <= bb_job_attempt (job);
    bool latest = on_record && report->attempt == bb_job_attempt (job)
               && (!*held_by || streq (held_by, fetcher));
    uint32_t agents = job ? bb_job_agents (job)
                          : report->agents_ok + report->agents_failed;
    bb_jobs_settle (self->in_flight, report, agents, now);
    s_report_health (self, report, now);
    bb_fetchers_reported (self->fetchers, fetcher, report->job_id,
                          report->attempt);
    if (on_record && s_store_answered (report->store_status))
        s_job_done (self, job, report, now);
    else {
        if (latest)
            s_job_lost (self, job, held_by, "store_not_acked", now);
        else
            bb_info ("report_stale", "job=%s attempt=%" PRIu32
                     " fetcher=%s", report->job_id, report->attempt,
                     fetcher);
        s_commit_meta (self);
    }
    s_pump (self);
}

//  ---------------------------------------------------------------------
//  Ticks and timers

static void s_tick (self_t *self);

static int
s_on_alarm (zloop_t *loop, int timer_id, void *arg)
{
    self_t *self = (self_t *) arg;
    self->alarm_id = -1;
    s_tick (self);
    return 0;
}

//  Arm the alarm for one interval (by the current mode) after from_ms.
static void
s_arm_alarm (self_t *self, uint64_t from_ms)
{
    uint64_t now = zclock_time ();
    if (self->alarm_id != -1)
        zloop_timer_end (self->loop, self->alarm_id);
    uint64_t interval = bb_health_idle (self->health)
                      ? self->settings.alarm_idle_ms
                      : self->settings.alarm_active_ms;
    self->next_tick_ms = from_ms + interval;
    uint64_t delay = self->next_tick_ms > now ? self->next_tick_ms - now
                                              : TIMER_MIN_MS;
    self->alarm_id = zloop_timer (self->loop, delay, 1, s_on_alarm, self);
}

//  A tick: prices due, a new rotation due once the last is dispatched,
//  one round of chunks in IDLE mode. The next alarm is armed first, so
//  nothing below can leave the scheduler without one.
static void
s_tick (self_t *self)
{
    uint64_t now = zclock_time ();
    self->last_tick_ms = now;
    s_arm_alarm (self, now);
    bb_sched_meta_t meta = *bb_sched_state_meta (self->state);
    if (meta.paused) {
        bb_info ("tick_skipped", "why=paused");
        return;
    }
    meta.tick_seq++;
    s_commit (self, &meta, NULL, NULL, "tick");
    bb_health_tick (self->health);
    self->prices_due = true;
    if (meta.exhausted)
        self->start_due = true;
    size_t ready = bb_fetchers_ready_count (self->fetchers);
    self->idle_credit = ready ? (uint32_t) ready : 1;
    bb_info ("tick", "seq=%" PRIu64 " mode=%s rotation=%" PRIu64
             " progress=%" PRIu32 "/%" PRIu32 " fetchers=%zu ready=%zu"
             " in_flight=%zu next_ms=%" PRIu64, meta.tick_seq,
             bb_health_idle (self->health) ? "idle" : "active",
             meta.rotation, meta.rotation_done, meta.rotation_agents,
             bb_fetchers_size (self->fetchers), ready,
             bb_jobs_size (self->in_flight), self->next_tick_ms - now);
    s_pump (self);
}

//  Send a heartbeat to every fetcher.
static void
s_send_heartbeats (self_t *self)
{
    Balboard__FetcherHeartbeat heartbeat = BALBOARD__FETCHER_HEARTBEAT__INIT;
    heartbeat.fetcher_id = SCHEDULER_FETCHER_ID;
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.body_case = BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT;
    envelope.fetcher_heartbeat = &heartbeat;
    for (zframe_t *peer = bb_fetchers_first_peer (self->fetchers); peer;
         peer = bb_fetchers_next_peer (self->fetchers))
        bb_wire_send (self->jobs, peer, &envelope);
}

//  A late beat means this loop stalled (a slow fsync, a stopped process):
//  what fetchers said meanwhile may not be read yet, so the registry
//  judges them one interval later (zloop fires the beats missed
//  meanwhile at once, in a burst).
static void
s_check_stall (self_t *self, uint64_t now)
{
    int64_t beat = zclock_mono ();
    int64_t interval = (int64_t) self->settings.heartbeat_ms;
    int64_t late = beat - self->beat_ms - interval;
    self->beat_ms = beat;
    if (late > interval) {
        bb_warn ("loop_stalled", "late_ms=%" PRId64, late);
        bb_fetchers_stalled (self->fetchers, now);
    }
}

static int
s_on_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    self_t *self = (self_t *) arg;
    uint64_t now = zclock_time ();
    s_send_heartbeats (self);
    s_check_stall (self, now);
    bb_fetcher_loss_t loss;
    while (bb_fetchers_next_loss (self->fetchers, now, &loss))
        s_on_loss (self, &loss, now);
    if (self->page_request_id
    &&  now - self->page_sent_ms > self->settings.store_timeout_ms) {
        bb_warn ("store_timeout", "request_id=%" PRIu64 " after_ms=%" PRIu64,
                 self->page_request_id, now - self->page_sent_ms);
        self->page_request_id = 0;
    }
    s_pump (self);
    return 0;
}

//  ---------------------------------------------------------------------
//  Jobs socket: fetchers

//  READY, on connect and reconnect: a reconnect names the job it still
//  runs, which stays its own.
static void
s_on_ready (self_t *self, zframe_t *peer, const Balboard__FetcherReady *ready,
            uint64_t now)
{
    const char *id = ready->fetcher_id;
    const char *busy = ready->busy_job_id ? ready->busy_job_id : "";
    bool is_new = bb_fetchers_seen (self->fetchers, id, peer, now);
    bb_fetcher_loss_t loss;
    bb_fetchers_says (self->fetchers, id, busy, true, now, &loss);
    s_on_loss (self, &loss, now);
    bb_info ("fetcher_ready", "fetcher=%s new=%d busy=%s concurrency=%" PRIu32
             " fetchers=%zu", id, is_new, *busy ? busy : "-",
             ready->max_concurrency, bb_fetchers_size (self->fetchers));
    s_pump (self);
}

static void
s_on_fetcher_heartbeat (self_t *self, zframe_t *peer,
                        const Balboard__FetcherHeartbeat *heartbeat,
                        uint64_t now)
{
    const char *id = heartbeat->fetcher_id;
    const char *busy = heartbeat->busy_job_id ? heartbeat->busy_job_id : "";
    bool is_new = bb_fetchers_seen (self->fetchers, id, peer, now);
    if (is_new)
        bb_info ("fetcher_joined", "fetcher=%s busy=%s fetchers=%zu", id,
                 *busy ? busy : "-", bb_fetchers_size (self->fetchers));
    bb_fetcher_loss_t loss;
    if (bb_fetchers_says (self->fetchers, id, busy, false, now, &loss)) {
        s_on_loss (self, &loss, now);
        s_pump (self);
    }
}

//  The fetcher id a fetcher message names, or NULL if absent or invalid.
static const char *
s_fetcher_id (const bb_envelope_t *envelope)
{
    const char *id = NULL;
    if (envelope->body_case == BALBOARD__ENVELOPE__BODY_FETCHER_READY)
        id = envelope->fetcher_ready->fetcher_id;
    else
    if (envelope->body_case == BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT)
        id = envelope->fetcher_heartbeat->fetcher_id;
    else
    if (envelope->body_case == BALBOARD__ENVELOPE__BODY_JOB_REPORT)
        id = envelope->job_report->fetcher_id;
    return bb_fetcher_id_valid (id) ? id : NULL;
}

//  Serve one fetcher message of envelope from peer, or answer why not.
static void
s_fetcher_message (self_t *self, zsock_t *reader, zframe_t *peer,
                   const bb_envelope_t *envelope, uint64_t now)
{
    Balboard__Envelope__BodyCase body = envelope->body_case;
    bool fetcher_message = body == BALBOARD__ENVELOPE__BODY_FETCHER_READY
        || body == BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT
        || body == BALBOARD__ENVELOPE__BODY_JOB_REPORT;
    if (!fetcher_message) {
        bb_warn ("unsupported", "socket=jobs body=%s",
                 bb_wire_body_name (body));
        bb_wire_send_error (reader, peer, envelope->request_id,
                            BALBOARD__ERROR_REPLY__CODE__UNSUPPORTED,
                            "not a fetcher message");
    }
    else
    if (!s_fetcher_id (envelope)
    ||  (body == BALBOARD__ENVELOPE__BODY_JOB_REPORT
         && (!envelope->job_report->job_id
             || !*envelope->job_report->job_id))) {
        bb_warn ("bad_request", "socket=jobs body=%s",
                 bb_wire_body_name (body));
        bb_wire_send_error (reader, peer, envelope->request_id,
                            BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST,
                            "fetcher_id or job_id missing or invalid");
    }
    else
    if (body == BALBOARD__ENVELOPE__BODY_FETCHER_READY)
        s_on_ready (self, peer, envelope->fetcher_ready, now);
    else
    if (body == BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT)
        s_on_fetcher_heartbeat (self, peer, envelope->fetcher_heartbeat,
                                now);
    else
        s_on_report (self, peer, envelope->job_report, now);
}

static int
s_on_jobs (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    bb_wire_msg_t msg = { 0 };
    bb_wire_result_t result = bb_wire_recv (reader, &msg);
    if (result == BB_WIRE_BAD_FRAME)
        bb_wire_reject (reader, "jobs", &msg);
    else
    if (result == BB_WIRE_OK)
        s_fetcher_message (self, reader, msg.peer, msg.envelope,
                           zclock_time ());
    bb_wire_msg_reset (&msg);
    return 0;
}

//  ---------------------------------------------------------------------
//  Store socket: agents pages

//  The store's answer to the page request outstanding.
static void
s_on_page_reply (self_t *self, const bb_envelope_t *envelope)
{
    self->page_request_id = 0;
    if (bb_sched_state_meta (self->state)->paused)
        return;         //  paused since it asked: resume asks again
    if (envelope->body_case == BALBOARD__ENVELOPE__BODY_AGENTS_PAGE
    &&  s_page_valid (envelope->agents_page)) {
        s_on_page (self, envelope->agents_page, zclock_time ());
        s_pump (self);
        return;
    }
    //  Retried by the next heartbeat, not at once: no hot loop
    char reason [BB_REASON_SIZE];
    bool is_error = envelope->body_case == BALBOARD__ENVELOPE__BODY_ERROR;
    bb_warn ("store_bad_reply", "body=%s reason=%s",
             bb_wire_body_name (envelope->body_case),
             bb_log_quote (is_error ? envelope->error->reason
                                    : "invalid agents page",
                           reason, sizeof reason));
}

static int
s_on_store (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    bb_wire_msg_t msg = { 0 };
    bb_wire_result_t result = bb_wire_recv (reader, &msg);
    if (result == BB_WIRE_BAD_FRAME)
        bb_warn ("bad_frame", "socket=store reason=\"%s\"", msg.reason);
    else
    if (result == BB_WIRE_OK) {
        if (!self->page_request_id
        ||  msg.envelope->request_id != self->page_request_id)
            bb_debug ("store_reply_stale", "request_id=%" PRIu64,
                      msg.envelope->request_id);
        else
            s_on_page_reply (self, msg.envelope);
    }
    bb_wire_msg_reset (&msg);
    return 0;
}

//  ---------------------------------------------------------------------
//  Control socket

//  Set the operator pause durably. Returns 0 or -1.
static int
s_set_paused (self_t *self, bool paused)
{
    bb_sched_meta_t meta = *bb_sched_state_meta (self->state);
    meta.paused = paused;
    if (s_commit (self, &meta, NULL, NULL, "pause"))
        return -1;
    bb_info (paused ? "paused" : "resumed", NULL);
    return 0;
}

//  Apply command; returns 0, or -1 if it is not one we know.
static int
s_control (self_t *self, Balboard__SchedulerControl__Command command)
{
    switch (command) {
        case BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS:
            return 0;
        case BALBOARD__SCHEDULER_CONTROL__COMMAND__PAUSE:
            s_set_paused (self, true);
            return 0;
        case BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME:
            if (s_set_paused (self, false) == 0)
                s_pump (self);
            return 0;
        case BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK:
            bb_info ("tick_requested", NULL);
            s_tick (self);
            return 0;
        default:
            return -1;
    }
}

//  Reply to peer with the status, as of now.
static void
s_send_status (self_t *self, zsock_t *socket, zframe_t *peer,
               uint64_t request_id)
{
    bb_sched_status_parts_t parts = {
        .meta = bb_sched_state_meta (self->state),
        .health = self->health,
        .budget = self->budget,
        .fetchers = self->fetchers,
        .jobs = self->in_flight,
        .next_tick_ms = self->next_tick_ms
    };
    bb_sched_status_send (&parts, zclock_time (), socket, peer, request_id);
}

static int
s_on_control (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    bb_wire_msg_t msg = { 0 };
    bb_wire_result_t result = bb_wire_recv (reader, &msg);
    if (result == BB_WIRE_BAD_FRAME)
        bb_wire_reject (reader, "control", &msg);
    else
    if (result == BB_WIRE_OK) {
        bb_envelope_t *envelope = msg.envelope;
        uint64_t request_id = envelope->request_id;
        if (envelope->body_case
            != BALBOARD__ENVELOPE__BODY_SCHEDULER_CONTROL)
            bb_wire_send_error (reader, msg.peer, request_id,
                                BALBOARD__ERROR_REPLY__CODE__UNSUPPORTED,
                                "the control socket takes SchedulerControl");
        else
        if (s_control (self, envelope->scheduler_control->command))
            bb_wire_send_error (reader, msg.peer, request_id,
                                BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST,
                                "command must be STATUS, PAUSE, RESUME or "
                                "TICK");
        else
            s_send_status (self, reader, msg.peer, request_id);
    }
    bb_wire_msg_reset (&msg);
    return 0;
}

//  ---------------------------------------------------------------------
//  Actor state

static void
s_self_destroy (self_t **self_p)
{
    self_t *self = *self_p;
    if (self) {
        zloop_destroy (&self->loop);
        bb_jobs_destroy (&self->in_flight);
        bb_fetchers_destroy (&self->fetchers);
        bb_health_destroy (&self->health);
        bb_budget_destroy (&self->budget);
        bb_sched_state_destroy (&self->state);
        zsock_destroy (&self->store);
        zsock_destroy (&self->control);
        zsock_destroy (&self->jobs);
        free (self);
        *self_p = NULL;
    }
}

//  Take back what the last run left: the jobs in flight (each goes
//  again), the budget held, the mode and the pauses, the pause flag.
static int
s_restore (self_t *self)
{
    uint64_t now = zclock_time ();
    const bb_sched_meta_t *meta = bb_sched_state_meta (self->state);
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++)
        bb_budget_restore (self->budget, (bb_upstream_t) u,
                           meta->budget_held [u], meta->budget_until [u],
                           now);
    bb_health_restore (self->health, meta->idle, meta->paused_until);
    zlistx_t *jobs = bb_sched_state_jobs (self->state);
    if (!jobs)
        return -1;
    for (bb_job_t *job = (bb_job_t *) zlistx_detach (jobs, NULL); job;
         job = (bb_job_t *) zlistx_detach (jobs, NULL))
        bb_jobs_insert (self->in_flight, &job);
    zlistx_destroy (&jobs);
    bb_info ("state_restored", "rotation=%" PRIu64 " cursor=%s progress=%"
             PRIu32 "/%" PRIu32 " jobs_again=%zu tick_seq=%" PRIu64
             " mode=%s paused=%d", meta->rotation,
             *meta->cursor ? meta->cursor : "-", meta->rotation_done,
             meta->rotation_agents, bb_jobs_size (self->in_flight),
             meta->tick_seq, meta->idle ? "idle" : "active", meta->paused);
    if (self->settings.start_paused && !meta->paused)
        return s_set_paused (self, true);
    return 0;
}

//  Why the parts of a new self cannot serve, or NULL when they can.
static const char *
s_self_broken (self_t *self)
{
    return !self->jobs ? "cannot bind the jobs socket"
         : !self->control ? "cannot bind the control socket"
         : !self->store ? "cannot connect to the store's query socket"
         : !self->state ? "cannot open the durable state"
         : s_restore (self) ? "cannot restore the durable state"
         : NULL;
}

//  The sockets, state and parts of self, as settings say.
static void
s_self_parts (self_t *self, const bb_scheduler_settings_t *settings)
{
    char bind [256];
    snprintf (bind, sizeof bind, "@%s", settings->jobs_bind);
    self->jobs = bb_wire_socket_new (ZMQ_ROUTER, bind);
    snprintf (bind, sizeof bind, "@%s", settings->control_bind);
    self->control = bb_wire_socket_new (ZMQ_ROUTER, bind);
    snprintf (bind, sizeof bind, ">%s", settings->store_query);
    self->store = bb_wire_socket_new (ZMQ_DEALER, bind);
    self->state = bb_sched_state_new (settings->data_dir);
    self->budget = bb_budget_new (settings->rpm, settings->budget_window_ms);
    //  Hiro also serves token metadata: every job gets room for some
    bb_budget_set_headroom (self->budget, BB_UPSTREAM_HIRO,
                            settings->chunk_size / METADATA_HEADROOM_DIV + 1);
    self->health = bb_health_new (settings->backoff_ms);
    self->fetchers = bb_fetchers_new (settings->heartbeat_ms,
                                      settings->liveness);
    self->in_flight = bb_jobs_new (self->budget);
    self->loop = zloop_new ();
}

//  The actor's state, or NULL with *why it cannot start.
static self_t *
s_self_new (zsock_t *pipe, const bb_scheduler_settings_t *settings,
            const char **why)
{
    self_t *self = calloc (1, sizeof *self);
    assert (self);
    self->settings = *settings;
    self->alarm_id = -1;
    self->wake_id = -1;
    s_self_parts (self, settings);
    *why = s_self_broken (self);
    if (*why) {
        s_self_destroy (&self);
        return NULL;
    }
    zloop_set_nonstop (self->loop, true);
    zloop_reader (self->loop, pipe, bb_actor_on_pipe, &self->terminated);
    zloop_reader (self->loop, self->jobs, s_on_jobs, self);
    zloop_reader (self->loop, self->control, s_on_control, self);
    zloop_reader (self->loop, self->store, s_on_store, self);
    zloop_timer (self->loop, settings->heartbeat_ms, 0, s_on_heartbeat,
                 self);
    self->beat_ms = zclock_mono ();
    //  The first tick comes at once: a restart goes on where it was
    self->last_tick_ms = zclock_time ();
    self->next_tick_ms = self->last_tick_ms;
    self->alarm_id = zloop_timer (self->loop, TIMER_MIN_MS, 1, s_on_alarm,
                                  self);
    return self;
}

//  ---------------------------------------------------------------------
//  The actor shell

void
bb_scheduler_actor (zsock_t *pipe, void *args)
{
    const char *why = NULL;
    self_t *self = s_self_new (pipe, (const bb_scheduler_settings_t *) args,
                               &why);
    if (!self) {
        bb_actor_failed (pipe, why);
        return;
    }
    bb_actor_ready (pipe);
    bb_info ("scheduler_started", "jobs=%s control=%s store=%s chunk=%"
             PRIu32, self->settings.jobs_bind, self->settings.control_bind,
             self->settings.store_query, self->settings.chunk_size);
    zloop_start (self->loop);
    bool terminated = self->terminated;
    s_self_destroy (&self);
    bb_actor_end (pipe, terminated, "scheduler loop ended");
}
