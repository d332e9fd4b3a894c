/*  =========================================================================
    bb_fetchers - the fetchers connected to the scheduler's jobs socket

    A zhashx owns the records (its destructor frees them). A zhashx
    lookup moves its iteration cursor, so no method looks up while it
    iterates. "Least recently
    used" orders ready fetchers by the time they last got a job, then by
    the order they became ready, so two fetchers never tie.
    =========================================================================
*/
#include "bb_fetchers.h"

#include <assert.h>
#include <ctype.h>

typedef struct {
    char id [BB_FETCHER_ID_SIZE];   // as the fetcher announced it
    zframe_t *routing_id;           // from its latest message
    bool ready;                     // waiting for a job
    char job [BB_FETCHER_JOB_SIZE]; // job it holds, "" = none
    uint64_t last_job_ms;           // when it last got a job, 0 = never
    unsigned idle_beats;            // idle heartbeats since, counted
    uint64_t jobs;                  // jobs handed to it
    uint64_t ready_seq;             // order in which it became ready
    uint64_t expiry_ms;             // dead when now passes this
} fetcher_t;

struct _bb_fetchers_t {
    zhashx_t *fetchers;             // id -> fetcher_t, owned
    uint64_t expiry_ms;             // heartbeat interval x liveness
    uint64_t ready_seq;             // last ready order handed out
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

bb_fetchers_t *
bb_fetchers_new (uint64_t expiry_ms)
{
    bb_fetchers_t *self = calloc (1, sizeof *self);
    assert (self);
    self->fetchers = zhashx_new ();
    assert (self->fetchers);
    zhashx_set_destructor (self->fetchers, s_fetcher_destroy);
    self->expiry_ms = expiry_ms;
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

bool
bb_fetchers_id_valid (const char *id)
{
    if (!id || !*id || strlen (id) >= BB_FETCHER_ID_SIZE)
        return false;
    for (const char *c = id; *c; c++)
        if (!isprint ((unsigned char) *c))
            return false;
    return true;
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
    assert (bb_fetchers_id_valid (id) && routing_id);
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

void
bb_fetchers_set_ready (bb_fetchers_t *self, const char *id)
{
    fetcher_t *fetcher = s_lookup (self, id);
    assert (fetcher);
    fetcher->job [0] = '\0';
    if (!fetcher->ready) {
        fetcher->ready = true;
        fetcher->ready_seq = ++self->ready_seq;
    }
}

void
bb_fetchers_assign (bb_fetchers_t *self, const char *id, const char *job_id,
                    uint64_t now_ms)
{
    fetcher_t *fetcher = s_lookup (self, id);
    assert (fetcher && fetcher->ready && job_id);
    fetcher->ready = false;
    snprintf (fetcher->job, sizeof fetcher->job, "%s", job_id);
    fetcher->last_job_ms = now_ms;
    fetcher->idle_beats = 0;
    fetcher->jobs++;
}

void
bb_fetchers_forget_job (bb_fetchers_t *self, const char *id)
{
    fetcher_t *fetcher = s_lookup (self, id);
    if (fetcher)
        fetcher->job [0] = '\0';
}

bool
bb_fetchers_is_ready (bb_fetchers_t *self, const char *id)
{
    fetcher_t *fetcher = s_lookup (self, id);
    return fetcher && fetcher->ready;
}

const char *
bb_fetchers_job (bb_fetchers_t *self, const char *id)
{
    fetcher_t *fetcher = s_lookup (self, id);
    return fetcher ? fetcher->job : NULL;
}

unsigned
bb_fetchers_idle_beat (bb_fetchers_t *self, const char *id,
                       uint64_t grace_ms, uint64_t now_ms)
{
    fetcher_t *fetcher = s_lookup (self, id);
    if (!fetcher || !fetcher->job [0]
    ||  now_ms <= fetcher->last_job_ms + grace_ms)
        return 0;
    return ++fetcher->idle_beats;
}

zframe_t *
bb_fetchers_routing_id (bb_fetchers_t *self, const char *id)
{
    fetcher_t *fetcher = s_lookup (self, id);
    return fetcher ? fetcher->routing_id : NULL;
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

bool
bb_fetchers_expire (bb_fetchers_t *self, uint64_t now_ms, char *id,
                    char *job)
{
    assert (self && id && job);
    for (fetcher_t *fetcher = (fetcher_t *) zhashx_first (self->fetchers);
         fetcher; fetcher = (fetcher_t *) zhashx_next (self->fetchers))
        if (fetcher->expiry_ms <= now_ms) {
            snprintf (id, BB_FETCHER_ID_SIZE, "%s", fetcher->id);
            snprintf (job, BB_FETCHER_JOB_SIZE, "%s", fetcher->job);
            zhashx_delete (self->fetchers, id);
            return true;
        }
    return false;
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

zframe_t *
bb_fetchers_first_peer (bb_fetchers_t *self)
{
    assert (self);
    fetcher_t *fetcher = (fetcher_t *) zhashx_first (self->fetchers);
    return fetcher ? fetcher->routing_id : NULL;
}

zframe_t *
bb_fetchers_next_peer (bb_fetchers_t *self)
{
    assert (self);
    fetcher_t *fetcher = (fetcher_t *) zhashx_next (self->fetchers);
    return fetcher ? fetcher->routing_id : NULL;
}
