/*  =========================================================================
    bb_scheduler - the scheduler actor: rotation cursor and adaptive alarm

    The actor keeps the pump and the handlers that feed it; its parts own
    the rest: bb_rotation the durable state and the jobs in flight (with
    bb_jobs, the budget each attempt holds), bb_fetchers the fetchers,
    which job each holds and when one is lost, bb_pager the agents page
    requests to the store, bb_health and bb_budget the upstreams,
    bb_sched_control the control socket (its commands and the status
    reply), bb_pickup the store's events that say agents were imported,
    bb_registry_sync the registry sync.

    Layers, top to bottom: dispatch and losses; the pump that decides
    what to dispatch next; agents pages; reports; ticks and timers; the
    socket handlers; the actor's state and its shell.

    A dispatch makes the job's next attempt without changing anything,
    commits it, and only then puts it in flight, spends its budget and
    sends it, so a failed commit leaves nothing to undo. The pump runs
    after anything that can unblock dispatch: a tick, a fetcher becoming
    ready, a report, an agents page, a resume, the wake timer (budget
    tokens back, a pause ended) and the heartbeat. At most one agents page
    request is outstanding, so the cursor moves one chunk at a time and
    each chunk is dispatched once. The next chunk's page is asked for
    while the fetchers are busy and kept, uncommitted, in bb_pager: a
    fetcher that turns ready gets its job without waiting on the store.
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
#include "bb_pager.h"
#include "bb_pickup.h"
#include "bb_registry_sync.h"
#include "bb_rotation.h"
#include "bb_sched_control.h"
#include "bb_sources.h"
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
    bb_pager_t *pager;              // agents pages from the store
    bb_rotation_t *rotation;        // durable: cursor, jobs, mode...
    bb_jobs_t *in_flight;           // the rotation's jobs, borrowed
    bb_budget_t *budget;
    bb_health_t *health;
    bb_fetchers_t *fetchers;
    bb_pickup_t *pickup;            // the store's events: imports
    bb_registry_sync_t *sync;       // the registry sync
    bb_sched_control_t commands;    // what the control socket acts on
    int alarm_id;                   // the tick timer, -1 = none
    uint64_t next_tick_ms;          // when the alarm fires
    uint64_t last_tick_ms;          // when the last tick ran
    int wake_id;                    // budget / pause timer, -1 = none
    uint64_t wake_ms;               // when the wake timer fires
    bool prices_due;                // this tick's prices not dispatched
    bool start_due;                 // a tick asked for a new rotation
    uint32_t idle_credit;           // chunks IDLE mode may still send
    int64_t beat_ms;                // the heartbeat timer's last run, mono
    bool terminated;                // $TERM came
} self_t;

static void s_pump (self_t *self);
static void s_arm_alarm (self_t *self, uint64_t from_ms);

//  ---------------------------------------------------------------------
//  Dispatch and losses

//  Dispatch job (new, or waiting to go again) to fetcher (ready) with
//  meta as the change that goes with it. Its next attempt (new deadline,
//  the balance sources not limited, the tick's prices if due, not
//  limited and affordable, the budget it holds) is committed durably,
//  then put in flight and sent. Returns 0, or -1 with nothing changed.
//  The job in flight is a new one: job is not it.
static int
s_dispatch (self_t *self, bb_job_t *job, const char *fetcher,
            bb_sched_meta_t *meta, uint64_t now)
{
    bool want_prices = bb_job_fetch_prices (job) || self->prices_due;
    unsigned open = bb_health_sources (self->health, now);
    bool prices = want_prices
        && bb_sources_has (open, BB_UPSTREAM_PRICE)
        && bb_budget_can_spend (self->budget, BB_UPSTREAM_PRICE, 1, now);
    unsigned sources = (open & BB_SOURCES_CHUNK)
                     | (prices ? BB_SOURCE (BB_UPSTREAM_PRICE) : 0);
    uint64_t deadline = now + self->settings.job_deadline_ms;
    bb_jobs_attempt_t attempt;
    bb_jobs_next_attempt (self->in_flight, job, deadline, sources, now,
                          &attempt);
    if (bb_rotation_commit (self->rotation, meta, &attempt, "dispatch")) {
        bb_job_destroy (&attempt.job);
        return -1;
    }
    bb_job_t *sent = bb_jobs_apply (self->in_flight, &attempt, now);
    bb_health_dispatched (self->health, sources, deadline, now);
    self->prices_due = want_prices && !prices;
    bb_fetchers_assign (self->fetchers, fetcher, bb_job_id (sent),
                        bb_job_attempt (sent), bb_job_deadline (sent), now);
    zframe_t *body = bb_job_encode (sent);
    if (bb_fetchers_send (self->fetchers, fetcher, self->jobs, &body))
        bb_warn ("job_send_failed", "job=%s fetcher=%s", bb_job_id (sent),
                 fetcher);
    bb_info ("job_dispatched", "job=%s attempt=%" PRIu32 " agents=%" PRIu32
             " fetcher=%s hiro=%d mempool=%d prices=%d deadline_ms=%" PRIu64,
             bb_job_id (sent), bb_job_attempt (sent), bb_job_agents (sent),
             fetcher, bb_sources_has (sources, BB_UPSTREAM_HIRO),
             bb_sources_has (sources, BB_UPSTREAM_MEMPOOL), prices,
             bb_job_deadline (sent));
    return 0;
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
    bool ours = *loss->job
        && !bb_registry_sync_lost (self->sync, loss->job, loss->why, now);
    bb_job_t *job = ours ? bb_jobs_lookup (self->in_flight, loss->job) : NULL;
    if (job)
        bb_rotation_job_lost (self->rotation, job, loss->fetcher, loss->why,
                              now);
}

//  ---------------------------------------------------------------------
//  The pump

static int
s_on_wake (zloop_t *loop, int timer_id, void *arg)
{
    self_t *self = (self_t *) arg;
    self->wake_id = -1;
    s_pump (self);
    return 0;
}

//  Run handler once at at_ms (at once if that passed), in place of the
//  timer *timer_id if one is armed (-1: none).
static void
s_timer_at (self_t *self, int *timer_id, uint64_t at_ms, uint64_t now,
            zloop_timer_fn *handler)
{
    if (*timer_id != -1)
        zloop_timer_end (self->loop, *timer_id);
    uint64_t delay = at_ms > now ? at_ms - now : TIMER_MIN_MS;
    *timer_id = zloop_timer (self->loop, delay, 1, handler, self);
}

//  Arm the wake timer for at_ms unless it already fires by then.
static void
s_wake_at (self_t *self, uint64_t at_ms, uint64_t now)
{
    if (at_ms == 0 || (self->wake_id != -1 && self->wake_ms <= at_ms))
        return;
    self->wake_ms = at_ms;
    s_timer_at (self, &self->wake_id, at_ms, now, s_on_wake);
}

//  The balance sources a chunk job may ask now (bb_sources). A limited
//  one is skipped: the wake is armed for when it may be asked again.
static unsigned
s_chunk_sources (self_t *self, uint64_t now)
{
    s_wake_at (self, bb_health_next_change (self->health, now), now);
    return bb_health_sources (self->health, now) & BB_SOURCES_CHUNK;
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

static void s_on_page (self_t *self, const Balboard__AgentsPage *page,
                       uint32_t limit, uint64_t now);

//  The next chunk of up to agents agents, with fetcher ready or NULL:
//  a ready fetcher takes the page kept for the cursor if there is one;
//  if not, the page is asked for, ahead of need when no fetcher is ready.
//  Returns true if it dispatched.
static bool
s_next_chunk (self_t *self, const char *fetcher, uint32_t agents,
              uint64_t now)
{
    const bb_sched_meta_t *meta = bb_rotation_meta (self->rotation);
    //  A new rotation starts from the first agent
    const char *after = meta->exhausted ? "" : meta->cursor;
    const Balboard__AgentsPage *page = bb_pager_kept (self->pager, after,
                                                      &agents);
    if (fetcher && page) {
        s_on_page (self, page, agents, now);
        bb_pager_drop (self->pager);
        return true;
    }
    if (!page)
        bb_pager_request (self->pager, after, agents, now);
    return false;
}

//  Dispatch one thing if it can: a waiting job, or the next chunk (its
//  page asked for ahead while no fetcher is ready). Returns true if it
//  dispatched and may go on.
static bool
s_dispatch_one (self_t *self, uint64_t now)
{
    const bb_sched_meta_t *meta = bb_rotation_meta (self->rotation);
    if (meta->paused || bb_pager_waiting (self->pager))
        return false;
    const char *fetcher = bb_fetchers_next_ready (self->fetchers);
    unsigned sources = s_chunk_sources (self, now);
    if (!sources)
        return false;
    bb_job_t *waiting = fetcher ? bb_jobs_next_waiting (self->in_flight,
                                                        self->fetchers)
                                : NULL;
    if (waiting) {
        if (!bb_budget_allows (self->budget, sources,
                               bb_job_agents (waiting), now)) {
            s_wait_for_budget (self, now);
            return false;
        }
        bb_sched_meta_t change = *meta;
        return s_dispatch (self, waiting, fetcher, &change, now) == 0;
    }
    if (!bb_rotation_open (self->rotation, self->start_due)
    ||  (bb_health_idle (self->health) && self->idle_credit == 0))
        return false;
    uint32_t agents = bb_budget_affordable (self->budget, sources,
                                            self->settings.chunk_size, now);
    if (agents)
        return s_next_chunk (self, fetcher, agents, now);
    if (fetcher)
        s_wait_for_budget (self, now);
    return false;
}

//  Dispatch the registry sync if it is due and a fetcher is ready; the
//  wake is armed for when it is due. Its generation is committed first.
static void
s_dispatch_sync (self_t *self, uint64_t now)
{
    uint64_t due = bb_registry_sync_next_ms (self->sync, now);
    if (due > now)
        s_wake_at (self, due, now);
    const char *fetcher = bb_fetchers_next_ready (self->fetchers);
    if (bb_rotation_meta (self->rotation)->paused || !fetcher)
        return;
    zframe_t *body = bb_registry_sync_dispatch (self->sync, now);
    if (!body)
        return;
    const char *job = bb_registry_sync_job (self->sync);
    bb_sched_meta_t meta = *bb_rotation_meta (self->rotation);
    meta.registry_generation = bb_registry_sync_generation (self->sync);
    if (bb_rotation_commit (self->rotation, &meta, NULL, "registry_sync")) {
        zframe_destroy (&body);
        bb_registry_sync_lost (self->sync, job, "state_commit_failed", now);
        return;
    }
    bb_fetchers_assign (self->fetchers, fetcher, job,
                        bb_registry_sync_attempt (self->sync),
                        bb_registry_sync_deadline (self->sync), now);
    if (bb_fetchers_send (self->fetchers, fetcher, self->jobs, &body))
        bb_warn ("job_send_failed", "job=%s fetcher=%s", job, fetcher);
}

static void
s_pump (self_t *self)
{
    uint64_t now = zclock_time ();
    s_dispatch_sync (self, now);
    while (s_dispatch_one (self, now))
        ;
}

//  ---------------------------------------------------------------------
//  Agents pages

//  Dispatch job with meta to the next ready fetcher; if it left
//  meanwhile, the job waits. Destroys job. Returns 0 or -1 (nothing
//  changed).
static int
s_dispatch_chunk (self_t *self, bb_job_t *job, bb_sched_meta_t *meta,
                  uint64_t now)
{
    const char *fetcher = bb_fetchers_next_ready (self->fetchers);
    if (!fetcher)
        return bb_rotation_add (self->rotation, meta, &job);
    int rc = s_dispatch (self, job, fetcher, meta, now);
    bb_job_destroy (&job);
    return rc;
}

//  The page after the cursor came, for a chunk of up to limit agents:
//  start the rotation if it is a new one, advance the cursor, and
//  dispatch its chunk (the page less its look-ahead agent).
static void
s_on_page (self_t *self, const Balboard__AgentsPage *page, uint32_t limit,
           uint64_t now)
{
    bb_sched_meta_t meta = *bb_rotation_meta (self->rotation);
    bool last = page->n_agents <= limit;
    size_t count = last ? page->n_agents : limit;
    bool new_rotation = meta.exhausted;
    if (count == 0 && new_rotation) {
        bb_info ("registry_empty", "hint=\"import agents\"");
        self->start_due = false;
        return;
    }
    if (count == 0) {
        bb_rotation_dispatched (self->rotation, now);
        return;
    }
    bb_job_t *job = bb_rotation_chunk (&meta, page, count, last, now);
    if (s_dispatch_chunk (self, job, &meta, now))
        return;
    if (new_rotation) {
        self->start_due = false;
        bb_registry_sync_rotation_started (self->sync, now);
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
//  Reports

//  A report changed the interval mode: IDLE ends this tick's chunks, and
//  the alarm moves to the new interval.
static void
s_mode_changed (self_t *self)
{
    bool idle = bb_health_idle (self->health);
    bb_info ("interval_mode", "mode=%s", idle ? "idle" : "active");
    if (idle)
        self->idle_credit = 0;
    s_arm_alarm (self, self->last_tick_ms);
}

//  A report: the rotation settles it (see bb_rotation_report), the
//  upstreams' health takes its counts, and the fetcher is free unless it
//  holds another job.
static void
s_on_report (self_t *self, zframe_t *peer, const Balboard__JobReport *report,
             uint64_t now)
{
    const char *fetcher = report->fetcher_id;
    bb_fetchers_seen (self->fetchers, fetcher, peer, now);
    const char *holder = bb_fetchers_holder (self->fetchers, report->job_id);
    char held_by [BB_FETCHER_ID_SIZE];
    snprintf (held_by, sizeof held_by, "%s", holder ? holder : "");
    if (bb_health_report (self->health, report->upstreams,
                          report->n_upstreams, now))
        s_mode_changed (self);
    bb_fetchers_reported (self->fetchers, fetcher, report->job_id,
                          report->attempt);
    if (!bb_registry_sync_report (self->sync, report, now))
        bb_rotation_report (self->rotation, report, held_by, now);
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
    uint64_t interval = bb_health_idle (self->health)
                      ? self->settings.alarm_idle_ms
                      : self->settings.alarm_active_ms;
    self->next_tick_ms = from_ms + interval;
    s_timer_at (self, &self->alarm_id, self->next_tick_ms, zclock_time (),
                s_on_alarm);
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
    bb_registry_sync_tick (self->sync, now);
    if (!bb_rotation_tick (self->rotation))
        return;
    bb_health_tick (self->health);
    self->prices_due = true;
    const bb_sched_meta_t *meta = bb_rotation_meta (self->rotation);
    if (meta->exhausted)
        self->start_due = true;
    size_t ready = bb_fetchers_ready_count (self->fetchers);
    self->idle_credit = ready ? (uint32_t) ready : 1;
    bb_info ("tick", "seq=%" PRIu64 " mode=%s rotation=%" PRIu64
             " progress=%" PRIu32 "/%" PRIu32 " fetchers=%zu ready=%zu"
             " in_flight=%zu next_ms=%" PRIu64, meta->tick_seq,
             bb_health_idle (self->health) ? "idle" : "active",
             meta->rotation, meta->rotation_done, meta->rotation_agents,
             bb_fetchers_size (self->fetchers), ready,
             bb_jobs_size (self->in_flight), self->next_tick_ms - now);
    s_pump (self);
}

//  Agents were imported (bb_pickup): unless a rotation runs or a pickup
//  went less than a heartbeat ago, tick now so that they are fetched
//  within seconds, not at the alarm. A paused scheduler stays paused.
static void
s_pick_up (self_t *self, uint64_t now)
{
    const bb_sched_meta_t *meta = bb_rotation_meta (self->rotation);
    bool running = !meta->exhausted || !meta->complete || self->start_due;
    if (bb_pickup_due (self->pickup, running, meta->rotation_agents, now)) {
        bb_info ("agents_pickup", "rotation=%" PRIu64, meta->rotation);
        s_tick (self);
    }
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
    bb_fetchers_heartbeat (self->fetchers, self->jobs,
                           SCHEDULER_FETCHER_ID);
    s_check_stall (self, now);
    bb_fetcher_loss_t loss;
    while (bb_fetchers_next_loss (self->fetchers, now, &loss))
        s_on_loss (self, &loss, now);
    bb_pager_expire (self->pager, now);
    s_pick_up (self, now);
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
    //  What the job met so far: an upstream in trouble is limited now
    if (bb_health_progress (self->health, heartbeat->upstreams,
                            heartbeat->n_upstreams, now))
        s_mode_changed (self);
    bb_fetcher_loss_t loss;
    if (bb_fetchers_says (self->fetchers, id, busy, false, now, &loss)) {
        s_on_loss (self, &loss, now);
        s_pump (self);
    }
}

//  Serve one fetcher message of envelope from peer, or answer why not.
static void
s_fetcher_message (self_t *self, zsock_t *reader, zframe_t *peer,
                   const bb_envelope_t *envelope, uint64_t now)
{
    Balboard__Envelope__BodyCase body = envelope->body_case;
    Balboard__ErrorReply__Code code;
    const char *why = bb_fetchers_refusal (envelope, &code);
    if (why) {
        bb_warn (code == BALBOARD__ERROR_REPLY__CODE__UNSUPPORTED
                 ? "unsupported" : "bad_request", "socket=jobs body=%s",
                 bb_wire_body_name (body));
        bb_wire_send_error (reader, peer, envelope->request_id, code, why);
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
    if (bb_curve_recv (self->settings.curve, reader, "jobs", &msg))
        s_fetcher_message (self, reader, msg.peer, msg.envelope,
                           zclock_time ());
    bb_wire_msg_reset (&msg);
    return 0;
}

//  ---------------------------------------------------------------------
//  Store socket: agents pages

static int
s_on_store (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    bb_wire_msg_t msg = { 0 };
    uint32_t limit;
    const Balboard__AgentsPage *page = bb_pager_recv (self->pager, &msg,
                                                      &limit);
    //  Paused since it asked: the cursor stays, resume asks again. The
    //  page is kept, uncommitted, for the pump to take when a fetcher is
    //  ready and the budget and the mode allow (an empty one too: the
    //  rotation's dispatch is over only when a fetcher could go on)
    if (page && !bb_rotation_meta (self->rotation)->paused) {
        bb_pager_keep (self->pager, &msg);
        s_pump (self);
    }
    bb_wire_msg_reset (&msg);
    return 0;
}

//  ---------------------------------------------------------------------
//  Store events socket: imports

static int
s_on_store_event (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    //  A page kept ahead may miss agents added since: ask again
    if (bb_pickup_recv (self->pickup))
        bb_pager_drop (self->pager);
    s_pick_up (self, zclock_time ());
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
        bb_rotation_destroy (&self->rotation);
        bb_fetchers_destroy (&self->fetchers);
        bb_health_destroy (&self->health);
        bb_budget_destroy (&self->budget);
        bb_pager_destroy (&self->pager);
        bb_pickup_destroy (&self->pickup);
        bb_registry_sync_destroy (&self->sync);
        zsock_destroy (&self->control);
        zsock_destroy (&self->jobs);
        free (self);
        *self_p = NULL;
    }
}

//  Why the parts of a new self cannot serve, or NULL when they can.
static const char *
s_self_broken (self_t *self)
{
    return !self->jobs ? "cannot bind the jobs socket"
         : !self->control ? "cannot bind the control socket"
         : !self->pager ? "cannot connect to the store's query socket"
         : !self->rotation ? "cannot open the durable state"
         : bb_rotation_restore (self->rotation, self->settings.start_paused,
                                zclock_time ())
           ? "cannot restore the durable state"
         : !(self->sync = bb_registry_sync_new (
                &self->settings.registry,
                bb_rotation_meta (self->rotation)->registry_generation,
                self->budget, self->health, zclock_time ()))
           ? "cannot create the registry sync"
         : !(self->pickup = bb_pickup_new (
                self->settings.store_events,
                bb_rotation_meta (self->rotation)->rotation_agents,
                self->settings.heartbeat_ms))
           ? "cannot connect to the store's events socket"
         : NULL;
}

//  The sockets, state and parts of self, as settings say.
static void
s_self_parts (self_t *self, const bb_scheduler_settings_t *settings)
{
    char bind [256];
    snprintf (bind, sizeof bind, "@%s", settings->jobs_bind);
    self->jobs = bb_curve_socket_new (settings->curve, ZMQ_ROUTER, bind,
                                      "jobs");
    snprintf (bind, sizeof bind, "@%s", settings->control_bind);
    self->control = bb_curve_socket_new (settings->curve, ZMQ_ROUTER, bind,
                                         "control");
    self->pager = bb_pager_new (settings->store_query,
                                settings->store_timeout_ms);
    self->budget = bb_budget_new (settings->rpm, settings->budget_window_ms);
    //  Hiro also serves token metadata: every job gets room for some
    bb_budget_set_headroom (self->budget, BB_UPSTREAM_HIRO,
                            settings->chunk_size / METADATA_HEADROOM_DIV + 1);
    self->health = bb_health_new (settings->backoff_ms,
                                  settings->backoff_max_ms);
    self->fetchers = bb_fetchers_new (settings->heartbeat_ms,
                                      settings->liveness);
    self->rotation = bb_rotation_new (settings->data_dir, self->budget,
                                      self->health);
    self->in_flight = self->rotation ? bb_rotation_jobs (self->rotation)
                                     : NULL;
    self->loop = zloop_new ();
}

//  The pump and the tick, as the control socket calls them.
static void
s_pump_for (void *self)
{
    s_pump ((self_t *) self);
}

static void
s_tick_for (void *self)
{
    s_tick ((self_t *) self);
}

//  What the control socket acts on: the parts of self, once whole.
static void
s_commands (self_t *self)
{
    self->commands = (bb_sched_control_t) {
        .rotation = self->rotation, .pager = self->pager,
        .health = self->health, .budget = self->budget,
        .fetchers = self->fetchers, .jobs = self->in_flight,
        .sync = self->sync, .next_tick_ms = &self->next_tick_ms,
        .curve = self->settings.curve,
        .pump = s_pump_for, .tick = s_tick_for, .actor = self
    };
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
    s_commands (self);
    zloop_reader (self->loop, self->control, bb_sched_control_on_socket,
                  &self->commands);
    zloop_reader (self->loop, bb_pager_socket (self->pager), s_on_store,
                  self);
    if (bb_pickup_socket (self->pickup))
        zloop_reader (self->loop, bb_pickup_socket (self->pickup),
                      s_on_store_event, self);
    zloop_timer (self->loop, settings->heartbeat_ms, 0, s_on_heartbeat,
                 self);
    self->beat_ms = zclock_mono ();
    //  The first tick comes at once: a restart goes on where it was
    self->last_tick_ms = zclock_time ();
    self->next_tick_ms = self->last_tick_ms;
    s_timer_at (self, &self->alarm_id, self->next_tick_ms,
                self->next_tick_ms, s_on_alarm);
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
    bb_info ("scheduler_started", "jobs=%s control=%s store=%s events=%s"
             " chunk=%" PRIu32, self->settings.jobs_bind,
             self->settings.control_bind, self->settings.store_query,
             self->settings.store_events ? self->settings.store_events : "-",
             self->settings.chunk_size);
    zloop_start (self->loop);
    bool terminated = self->terminated;
    s_self_destroy (&self);
    bb_actor_end (pipe, terminated, "scheduler loop ended");
}
