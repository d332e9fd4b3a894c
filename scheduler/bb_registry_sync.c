/*  =========================================================================
    bb_registry_sync - the registry sync as the scheduler runs it

    One sync is out at a time (out), or none; the next one is due at
    due_ms, or at once when the operator asked (requested). A sync that
    goes again keeps its generation and confirm and counts its attempt;
    a new one takes the next generation. The last report is a copy the
    state owns (protobuf-c, freed whole).
    =========================================================================
*/
#include "bb_registry_sync.h"
#include "bb_ids.h"
#include "bb_jobs.h"
#include "bb_log.h"
#include "bb_pb.h"
#include "bb_sources.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

#define JOB_PREFIX "sync."
#define SOURCE_SIZE 512

struct _bb_registry_sync_t {
    bb_registry_sync_settings_t settings;
    char source [SOURCE_SIZE];      // the url without credentials or query
    bb_budget_t *budget;            // borrowed
    bb_health_t *health;            // borrowed
    uint64_t generation;            // the latest sync's
    uint64_t due_ms;                // the next sync, 0 = none planned
    bool requested;                 // the operator asked for one
    bool confirm_requested;         // ... with confirm
    bool out;                       // an attempt is out
    bool again;                     // the sync goes again (attempt + 1)
    bool confirm;                   // the sync's confirm
    char job [BB_JOB_ID_SIZE];      // "sync.<generation>"
    uint32_t attempt;
    uint64_t deadline_ms;
    uint64_t finished_ms;           // when the last sync ended, 0 never
    uint64_t prev_tick_ms;          // the tick before the latest one
    uint64_t tick_ms;               // the latest tick
    Balboard__RegistrySyncReport *last;     // owned, NULL before one
};

//  The budget ticket of attempt of job (as bb_job_ticket's). The job id
//  is cut to what leaves room for '#' and ten digits, so the ticket always
//  fits (and an optimizing build can tell it does).
static void
s_ticket (const char *job, uint32_t attempt,
          char ticket [BB_BUDGET_TICKET_SIZE])
{
    snprintf (ticket, BB_BUDGET_TICKET_SIZE, "%.*s#%" PRIu32,
              BB_BUDGET_TICKET_SIZE - 12, job, attempt);
}

//  The url without its userinfo and its query: what may be shown.
static void
s_source (const char *url, char *source, size_t size)
{
    const char *scheme = strstr (url, "://");
    const char *host = scheme ? scheme + 3 : url;
    size_t host_len = strcspn (host, "/?#");
    const char *at = memchr (host, '@', host_len);
    const char *start = at ? at + 1 : host;
    size_t keep = strcspn (start, "?#");
    snprintf (source, size, "%.*s%.*s", scheme ? (int) (host - url) : 0, url,
              (int) keep, start);
}

bb_registry_sync_t *
bb_registry_sync_new (const bb_registry_sync_settings_t *settings,
                      uint64_t generation, bb_budget_t *budget,
                      bb_health_t *health, uint64_t now_ms)
{
    assert (settings && budget && health);
    bb_registry_sync_t *self = calloc (1, sizeof *self);
    assert (self);
    self->settings = *settings;
    self->generation = generation;
    self->budget = budget;
    self->health = health;
    if (bb_registry_sync_configured (self)) {
        s_source (settings->url, self->source, sizeof self->source);
        self->due_ms = now_ms;
    }
    return self;
}

void
bb_registry_sync_destroy (bb_registry_sync_t **self_p)
{
    assert (self_p);
    bb_registry_sync_t *self = *self_p;
    if (self) {
        if (self->last)
            balboard__registry_sync_report__free_unpacked (self->last, NULL);
        free (self);
        *self_p = NULL;
    }
}

bool
bb_registry_sync_configured (bb_registry_sync_t *self)
{
    assert (self);
    return self->settings.url && *self->settings.url;
}

const char *
bb_registry_sync_source (bb_registry_sync_t *self)
{
    assert (self);
    return self->source;
}

//  ---------------------------------------------------------------------
//  When

void
bb_registry_sync_request (bb_registry_sync_t *self, bool confirm)
{
    assert (self);
    self->requested = true;
    self->confirm_requested |= confirm;
    bb_info ("registry_sync_requested", "confirm=%d out=%d", confirm,
             self->out);
}

void
bb_registry_sync_tick (bb_registry_sync_t *self, uint64_t now_ms)
{
    assert (self);
    self->prev_tick_ms = self->tick_ms;
    self->tick_ms = now_ms;
}

void
bb_registry_sync_rotation_started (bb_registry_sync_t *self,
                                   uint64_t now_ms)
{
    assert (self);
    bool fresh = self->finished_ms && self->finished_ms >= self->prev_tick_ms;
    if (!bb_registry_sync_configured (self) || self->out || self->again
    ||  fresh)
        return;
    if (self->due_ms == 0 || self->due_ms > now_ms)
        self->due_ms = now_ms;
}

//  Requests a sync is expected to make: the last one's pages, and one
//  more.
static uint32_t
s_estimate (bb_registry_sync_t *self)
{
    return (self->last ? self->last->pages : 0) + 1;
}

//  True if the registry bucket pays for a sync at now_ms: its estimate
//  is free, or the whole bucket is.
static bool
s_affordable (bb_registry_sync_t *self, uint64_t now_ms)
{
    int64_t available = bb_budget_available (self->budget,
                                             BB_UPSTREAM_REGISTRY, now_ms);
    return available >= (int64_t) s_estimate (self)
        || available >= (int64_t) bb_budget_capacity (self->budget,
                                                      BB_UPSTREAM_REGISTRY);
}

//  When the planned sync may go, as far as the registry's health and
//  budget say: its due time, its probe time, its tokens' return.
static uint64_t
s_may_go_ms (bb_registry_sync_t *self, uint64_t due_ms, uint64_t now_ms)
{
    uint64_t at = due_ms;
    uint64_t probe = bb_health_next_probe (self->health, BB_UPSTREAM_REGISTRY,
                                           now_ms);
    if (probe > at)
        at = probe;
    uint64_t release = bb_budget_next_release (self->budget,
                                               BB_UPSTREAM_REGISTRY, now_ms);
    if (!s_affordable (self, now_ms) && release > at)
        at = release;
    return at;
}

uint64_t
bb_registry_sync_next_ms (bb_registry_sync_t *self, uint64_t now_ms)
{
    assert (self);
    if (!bb_registry_sync_configured (self) || self->out)
        return 0;
    uint64_t due = self->requested || self->again ? now_ms : self->due_ms;
    return due ? s_may_go_ms (self, due, now_ms) : 0;
}

//  ---------------------------------------------------------------------
//  Dispatch

//  Requests the next attempt holds: what the bucket has free, at least
//  the estimate; 0 when unlimited.
static uint32_t
s_requests_max (bb_registry_sync_t *self, uint64_t now_ms)
{
    int64_t available = bb_budget_available (self->budget,
                                             BB_UPSTREAM_REGISTRY, now_ms);
    if (available == BB_BUDGET_UNLIMITED)
        return 0;
    uint32_t estimate = s_estimate (self);
    return available > (int64_t) estimate ? (uint32_t) available : estimate;
}

//  The RegistryJob of the attempt out, holding requests_max, as a frame.
static zframe_t *
s_encode (bb_registry_sync_t *self, uint32_t requests_max)
{
    Balboard__RegistryJob job = BALBOARD__REGISTRY_JOB__INIT;
    job.job_id = self->job;
    job.attempt = self->attempt;
    job.generation = self->generation;
    job.deadline_ms = self->deadline_ms;
    job.url = (char *) self->settings.url;
    job.source = self->source;
    job.page_limit = BB_REGISTRY_SYNC_PAGE_LIMIT;
    job.requests_max = requests_max;
    job.confirm = self->confirm;
    job.max_remove_pct = self->settings.max_remove_pct;
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.body_case = BALBOARD__ENVELOPE__BODY_REGISTRY_JOB;
    envelope.registry_job = &job;
    return bb_wire_encode (&envelope);
}

//  The next attempt: the same sync again, or a new one.
static void
s_next_attempt (bb_registry_sync_t *self, uint64_t now_ms)
{
    if (self->again)
        self->attempt++;
    else {
        self->generation++;
        self->attempt = 1;
        self->confirm = self->confirm_requested;
        self->requested = false;
        self->confirm_requested = false;
        snprintf (self->job, sizeof self->job, JOB_PREFIX "%" PRIu64,
                  self->generation);
    }
    self->again = false;
    self->out = true;
    self->due_ms = 0;
    self->deadline_ms = now_ms + self->settings.deadline_ms;
}

zframe_t *
bb_registry_sync_dispatch (bb_registry_sync_t *self, uint64_t now_ms)
{
    assert (self);
    uint64_t at = bb_registry_sync_next_ms (self, now_ms);
    if (at == 0 || at > now_ms)
        return NULL;
    uint32_t requests_max = s_requests_max (self, now_ms);
    s_next_attempt (self, now_ms);
    char ticket [BB_BUDGET_TICKET_SIZE];
    s_ticket (self->job, self->attempt, ticket);
    //  Unlimited, the estimate is only counted (requests dispatched)
    bb_budget_spend (self->budget, BB_UPSTREAM_REGISTRY, ticket,
                     requests_max ? requests_max : s_estimate (self),
                     self->deadline_ms, now_ms);
    bb_health_dispatched (self->health, BB_SOURCE (BB_UPSTREAM_REGISTRY),
                          self->deadline_ms, now_ms);
    bb_info ("registry_sync_dispatched", "job=%s attempt=%" PRIu32
             " generation=%" PRIu64 " confirm=%d requests_max=%" PRIu32
             " source=%s deadline_ms=%" PRIu64, self->job, self->attempt,
             self->generation, self->confirm, requests_max, self->source,
             self->deadline_ms);
    return s_encode (self, requests_max);
}

uint64_t
bb_registry_sync_generation (bb_registry_sync_t *self)
{
    assert (self);
    return self->generation;
}

const char *
bb_registry_sync_job (bb_registry_sync_t *self)
{
    assert (self);
    return self->out ? self->job : NULL;
}

uint32_t
bb_registry_sync_attempt (bb_registry_sync_t *self)
{
    assert (self);
    return self->out ? self->attempt : 0;
}

uint64_t
bb_registry_sync_deadline (bb_registry_sync_t *self)
{
    assert (self);
    return self->out ? self->deadline_ms : 0;
}

//  ---------------------------------------------------------------------
//  Endings

//  Keep report (taken) as the last one.
static void
s_keep (bb_registry_sync_t *self, Balboard__RegistrySyncReport *report)
{
    if (self->last)
        balboard__registry_sync_report__free_unpacked (self->last, NULL);
    self->last = report;
}

//  The sync out ended at now_ms (report is the last one now, taken).
static void
s_ended (bb_registry_sync_t *self, Balboard__RegistrySyncReport *report,
         uint64_t now_ms)
{
    s_keep (self, report);
    self->out = false;
    self->again = false;
    self->finished_ms = now_ms;
    self->due_ms = now_ms + self->settings.sync_ms;
}

//  The attempt out failed at now_ms for why: it goes again, or after
//  max_attempts the sync ends as failed.
static void
s_failed (bb_registry_sync_t *self, const char *why, uint64_t now_ms)
{
    bool retry = self->attempt < self->settings.max_attempts;
    bb_warn ("registry_sync_failed", "job=%s attempt=%" PRIu32 "/%" PRIu32
             " why=%s next=%s", self->job, self->attempt,
             self->settings.max_attempts, why, retry ? "retry" : "give_up");
    if (retry) {
        self->out = false;
        self->again = true;
        return;
    }
    Balboard__RegistrySyncReport *report =
        bb_pb_new (&balboard__registry_sync_report__descriptor);
    report->generation = self->generation;
    report->outcome = BALBOARD__SYNC_OUTCOME__SYNC_FAILED;
    report->reason = bb_pb_strdup (why);
    report->source = bb_pb_strdup (self->source);
    s_ended (self, report, now_ms);
}

//  The report's ticket settles what its attempt held.
static void
s_settle (bb_registry_sync_t *self, const Balboard__JobReport *report,
          uint64_t now_ms)
{
    char ticket [BB_BUDGET_TICKET_SIZE];
    s_ticket (report->job_id, report->attempt, ticket);
    bb_budget_settle (self->budget, BB_UPSTREAM_REGISTRY, ticket,
                      bb_jobs_report_requests (report, BB_UPSTREAM_REGISTRY),
                      0, now_ms);
}

bool
bb_registry_sync_report (bb_registry_sync_t *self,
                         const Balboard__JobReport *report, uint64_t now_ms)
{
    assert (self && report && report->job_id);
    if (!report->registry && strncmp (report->job_id, JOB_PREFIX,
                                      strlen (JOB_PREFIX)))
        return false;
    s_settle (self, report, now_ms);
    const Balboard__RegistrySyncReport *sync = report->registry;
    bool ours = self->out && streq (report->job_id, self->job)
             && report->attempt == self->attempt;
    bb_info ("registry_sync_report", "job=%s attempt=%" PRIu32 " fetcher=%s"
             " current=%d outcome=%d added=%" PRIu32 " updated=%" PRIu32
             " removed=%" PRIu32 " rejected=%" PRIu32 " held=%" PRIu32,
             report->job_id, report->attempt, report->fetcher_id, ours,
             sync ? (int) sync->outcome : 0, sync ? sync->added : 0,
             sync ? sync->updated : 0, sync ? sync->removed : 0,
             sync ? sync->rejected : 0, sync ? sync->held_removals : 0);
    if (!ours)
        return true;
    if (!sync || sync->outcome == BALBOARD__SYNC_OUTCOME__SYNC_FAILED
    ||  sync->outcome == BALBOARD__SYNC_OUTCOME__SYNC_OUTCOME_UNSPECIFIED)
        s_failed (self, sync && sync->reason && *sync->reason
                        ? sync->reason : "store_not_answered", now_ms);
    else
        s_ended (self, bb_pb_copy (sync), now_ms);
    return true;
}

bool
bb_registry_sync_lost (bb_registry_sync_t *self, const char *job_id,
                       const char *why, uint64_t now_ms)
{
    assert (self && job_id && why);
    if (!self->out || !streq (job_id, self->job))
        return false;
    char ticket [BB_BUDGET_TICKET_SIZE];
    s_ticket (self->job, self->attempt, ticket);
    bb_budget_abandon (self->budget, BB_UPSTREAM_REGISTRY, ticket, now_ms);
    s_failed (self, why, now_ms);
    return true;
}

const Balboard__RegistrySyncReport *
bb_registry_sync_last (bb_registry_sync_t *self)
{
    assert (self);
    return self->last;
}
