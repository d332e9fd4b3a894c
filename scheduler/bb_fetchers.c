/*  =========================================================================
    bb_fetchers - the fetchers connected to the scheduler's jobs socket

    A zhashx owns the records (its destructor frees them). A zhashx
    lookup moves its iteration cursor, so no method looks up while it
    iterates. "Least recently used" orders ready fetchers by the time they
    last got a job, then by the order they became ready, so two fetchers
    never tie. A record holds at most one job: a fetcher runs one at a
    time and drops any other that comes meanwhile.
    =========================================================================
*/
#include "bb_fetchers.h"
#include "bb_wire.h"

#include <assert.h>

//  Idle heartbeats after which a job held counts as never arrived.
#define IDLE_BEATS_LOST 2

typedef struct {
    char id [BB_FETCHER_ID_SIZE];   // as the fetcher announced it
    zframe_t *routing_id;           // from its latest message
    bool ready;                     // waiting for a job
    char job [BB_JOB_ID_SIZE];      // job it holds, "" = none
    uint32_t attempt;               // ... its attempt
    uint64_t deadline_ms;           // ... due by then
    uint64_t last_job_ms;           // when it last got a job, 0 = never
    unsigned idle_beats;            // idle heartbeats since, counted
    uint64_t jobs;                  // jobs handed to it
    uint64_t ready_seq;             // order in which it became ready
    uint64_t expiry_ms;             // dead when now passes this
} fetcher_t;

struct _bb_fetchers_t {
    zhashx_t *fetchers;             // id -> fetcher_t, owned
    uint64_t heartbeat_ms;          // the fetchers' heartbeat interval
    uint64_t expiry_ms;             // heartbeat interval x liveness
    uint64_t ready_seq;             // last ready order handed out
    uint64_t judge_from_ms;         // no fetcher judged before
};

static void
s_fetcher_destroy (void **item_p)
{
    fetcher_t *fetcher = (fetcher_t *) *item_p;
    if (fetcher) {
        zframe_destroy (&fetcher->routing_id);
        free (fetcher);
        *item_p = NULL;
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

const char *
bb_fetchers_refusal (const bb_envelope_t *envelope,
                     Balboard__ErrorReply__Code *code)
{
    assert (envelope && code);
    Balboard__Envelope__BodyCase body = envelope->body_case;
    bool report = body == BALBOARD__ENVELOPE__BODY_JOB_REPORT;
    if (!report && body != BALBOARD__ENVELOPE__BODY_FETCHER_READY
    &&  body != BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT) {
        *code = BALBOARD__ERROR_REPLY__CODE__UNSUPPORTED;
        return "not a fetcher message";
    }
    *code = BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST;
    if (!s_fetcher_id (envelope)
    ||  (report && (!envelope->job_report->job_id
                    || !*envelope->job_report->job_id)))
        return "fetcher_id or job_id missing or invalid";
    return NULL;
}

bb_fetchers_t *
bb_fetchers_new (uint64_t heartbeat_ms, uint32_t liveness)
{
    bb_fetchers_t *self = calloc (1, sizeof *self);
    assert (self);
    self->fetchers = zhashx_new ();
    assert (self->fetchers);
    zhashx_set_destructor (self->fetchers, s_fetcher_destroy);
    self->heartbeat_ms = heartbeat_ms;
    self->expiry_ms = heartbeat_ms * liveness;
    return self;
}

void
bb_fetchers_destroy (bb_fetchers_t **self_p)
{
    assert (self_p);
    bb_fetchers_t *self = *self_p;
    if (self) {
        zhashx_destroy (&self->fetchers);
        free (self);
        *self_p = NULL;
    }
}

static fetcher_t *
s_lookup (bb_fetchers_t *self, const char *id)
{
    assert (self && id);
    return (fetcher_t *) zhashx_lookup (self->fetchers, id);
}

bool
bb_fetchers_seen (bb_fetchers_t *self, const char *id, zframe_t *routing_id,
                  uint64_t now_ms)
{
    assert (bb_fetcher_id_valid (id) && routing_id);
    fetcher_t *fetcher = s_lookup (self, id);
    bool is_new = fetcher == NULL;
    if (is_new) {
        fetcher = calloc (1, sizeof *fetcher);
        assert (fetcher);
        snprintf (fetcher->id, sizeof fetcher->id, "%s", id);
        zhashx_insert (self->fetchers, id, fetcher);
    }
    if (!fetcher->routing_id || !zframe_eq (fetcher->routing_id, routing_id)) {
        zframe_destroy (&fetcher->routing_id);
        fetcher->routing_id = zframe_dup (routing_id);
    }
    fetcher->expiry_ms = now_ms + self->expiry_ms;
    return is_new;
}

//  True unless the caller's loop stalled less than an interval ago.
static bool
s_judging (bb_fetchers_t *self, uint64_t now_ms)
{
    return now_ms >= self->judge_from_ms;
}

//  Fetcher loses the job it holds, for why, into *loss.
static void
s_lose_job (fetcher_t *fetcher, const char *why, bb_fetcher_loss_t *loss)
{
    snprintf (loss->fetcher, sizeof loss->fetcher, "%s", fetcher->id);
    memcpy (loss->job, fetcher->job, sizeof loss->job);
    loss->why = why;
    fetcher->job [0] = '\0';
}

static void
s_set_ready (bb_fetchers_t *self, fetcher_t *fetcher)
{
    fetcher->job [0] = '\0';
    if (!fetcher->ready) {
        fetcher->ready = true;
        fetcher->ready_seq = ++self->ready_seq;
    }
}

//  Why the job fetcher holds is lost now that it says it runs busy, or
//  NULL while it is not (yet).
static const char *
s_why_lost (bb_fetchers_t *self, fetcher_t *fetcher, const char *busy,
            bool ready_message, uint64_t now_ms)
{
    if (*busy)
        return "fetcher_busy_elsewhere";
    if (ready_message)
        return "fetcher_restarted";
    if (!s_judging (self, now_ms)
    ||  now_ms <= fetcher->last_job_ms + self->heartbeat_ms)
        return NULL;
    return ++fetcher->idle_beats >= IDLE_BEATS_LOST ? "fetcher_idle" : NULL;
}

bool
bb_fetchers_says (bb_fetchers_t *self, const char *id, const char *busy,
                  bool ready_message, uint64_t now_ms,
                  bb_fetcher_loss_t *loss)
{
    assert (busy && loss);
    fetcher_t *fetcher = s_lookup (self, id);
    assert (fetcher);
    bool changed = false;
    memset (loss, 0, sizeof *loss);
    if (*fetcher->job && !streq (fetcher->job, busy)) {
        const char *why = s_why_lost (self, fetcher, busy, ready_message,
                                      now_ms);
        if (why) {
            s_lose_job (fetcher, why, loss);
            changed = true;
        }
    }
    if (!*busy && !*fetcher->job && !fetcher->ready) {
        s_set_ready (self, fetcher);
        changed = true;
    }
    return changed;
}

void
bb_fetchers_assign (bb_fetchers_t *self, const char *id, const char *job_id,
                    uint32_t attempt, uint64_t deadline_ms, uint64_t now_ms)
{
    fetcher_t *fetcher = s_lookup (self, id);
    assert (fetcher && fetcher->ready && job_id);
    fetcher->ready = false;
    snprintf (fetcher->job, sizeof fetcher->job, "%s", job_id);
    fetcher->attempt = attempt;
    fetcher->deadline_ms = deadline_ms;
    fetcher->last_job_ms = now_ms;
    fetcher->idle_beats = 0;
    fetcher->jobs++;
}

void
bb_fetchers_reported (bb_fetchers_t *self, const char *id,
                      const char *job_id, uint32_t attempt)
{
    assert (job_id);
    fetcher_t *fetcher = s_lookup (self, id);
    if (fetcher
    &&  (!*fetcher->job
         || (streq (fetcher->job, job_id) && attempt >= fetcher->attempt)))
        s_set_ready (self, fetcher);
}

const char *
bb_fetchers_holder (bb_fetchers_t *self, const char *job_id)
{
    assert (self && job_id);
    for (fetcher_t *fetcher = (fetcher_t *) zhashx_first (self->fetchers);
         fetcher; fetcher = (fetcher_t *) zhashx_next (self->fetchers))
        if (streq (fetcher->job, job_id))
            return fetcher->id;
    return NULL;
}

//  Remove a fetcher past its expiry into *loss. True if one was.
static bool
s_next_dead (bb_fetchers_t *self, uint64_t now_ms, bb_fetcher_loss_t *loss)
{
    for (fetcher_t *fetcher = (fetcher_t *) zhashx_first (self->fetchers);
         fetcher; fetcher = (fetcher_t *) zhashx_next (self->fetchers))
        if (fetcher->expiry_ms <= now_ms) {
            s_lose_job (fetcher, "fetcher_dead", loss);
            loss->dead = true;
            zhashx_delete (self->fetchers, loss->fetcher);
            return true;
        }
    return false;
}

//  A job past its deadline and grace into *loss. True if one was.
static bool
s_next_late (bb_fetchers_t *self, uint64_t now_ms, bb_fetcher_loss_t *loss)
{
    for (fetcher_t *fetcher = (fetcher_t *) zhashx_first (self->fetchers);
         fetcher; fetcher = (fetcher_t *) zhashx_next (self->fetchers))
        if (*fetcher->job && fetcher->deadline_ms + self->expiry_ms < now_ms) {
            s_lose_job (fetcher, "deadline", loss);
            loss->dead = false;
            return true;
        }
    return false;
}

bool
bb_fetchers_next_loss (bb_fetchers_t *self, uint64_t now_ms,
                       bb_fetcher_loss_t *loss)
{
    assert (self && loss);
    return s_judging (self, now_ms)
        && (s_next_dead (self, now_ms, loss)
            || s_next_late (self, now_ms, loss));
}

void
bb_fetchers_stalled (bb_fetchers_t *self, uint64_t now_ms)
{
    assert (self);
    self->judge_from_ms = now_ms + self->heartbeat_ms;
}

int
bb_fetchers_send (bb_fetchers_t *self, const char *id, zsock_t *router,
                  zframe_t **frame_p)
{
    assert (router && frame_p && *frame_p);
    fetcher_t *fetcher = s_lookup (self, id);
    assert (fetcher);
    return bb_wire_send_frame (router, fetcher->routing_id, frame_p);
}

void
bb_fetchers_heartbeat (bb_fetchers_t *self, zsock_t *router,
                       const char *sender_id)
{
    assert (self && router && sender_id);
    Balboard__FetcherHeartbeat heartbeat = BALBOARD__FETCHER_HEARTBEAT__INIT;
    heartbeat.fetcher_id = (char *) sender_id;
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.body_case = BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT;
    envelope.fetcher_heartbeat = &heartbeat;
    for (fetcher_t *fetcher = (fetcher_t *) zhashx_first (self->fetchers);
         fetcher; fetcher = (fetcher_t *) zhashx_next (self->fetchers))
        bb_wire_send (router, fetcher->routing_id, &envelope);
}

//  True if a should get a job before b.
static bool
s_before (const fetcher_t *a, const fetcher_t *b)
{
    if (a->last_job_ms != b->last_job_ms)
        return a->last_job_ms < b->last_job_ms;
    return a->ready_seq < b->ready_seq;
}

const char *
bb_fetchers_next_ready (bb_fetchers_t *self)
{
    assert (self);
    fetcher_t *best = NULL;
    for (fetcher_t *fetcher = (fetcher_t *) zhashx_first (self->fetchers);
         fetcher; fetcher = (fetcher_t *) zhashx_next (self->fetchers))
        if (fetcher->ready && (!best || s_before (fetcher, best)))
            best = fetcher;
    return best ? best->id : NULL;
}

size_t
bb_fetchers_size (bb_fetchers_t *self)
{
    assert (self);
    return zhashx_size (self->fetchers);
}

size_t
bb_fetchers_ready_count (bb_fetchers_t *self)
{
    assert (self);
    size_t ready = 0;
    for (fetcher_t *fetcher = (fetcher_t *) zhashx_first (self->fetchers);
         fetcher; fetcher = (fetcher_t *) zhashx_next (self->fetchers))
        ready += fetcher->ready;
    return ready;
}

static int
s_info_compare (const void *a, const void *b)
{
    return strcmp (((const bb_fetcher_info_t *) a)->id,
                   ((const bb_fetcher_info_t *) b)->id);
}

size_t
bb_fetchers_list (bb_fetchers_t *self, bb_fetcher_info_t *infos, size_t max)
{
    assert (self && (infos || max == 0));
    size_t count = 0;
    for (fetcher_t *fetcher = (fetcher_t *) zhashx_first (self->fetchers);
         fetcher && count < max;
         fetcher = (fetcher_t *) zhashx_next (self->fetchers)) {
        bb_fetcher_info_t *info = &infos [count++];
        memcpy (info->id, fetcher->id, sizeof info->id);
        info->ready = fetcher->ready;
        memcpy (info->job, fetcher->job, sizeof info->job);
        info->jobs = fetcher->jobs;
    }
    qsort (infos, count, sizeof *infos, s_info_compare);
    return count;
}
