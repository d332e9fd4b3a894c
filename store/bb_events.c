/*  =========================================================================
    bb_events - the store's events socket: what the dashboard shows, after
    each commit, bursts merged

    The merge keeps the newest state and when the last event went out. A
    commit inside the interval arms one timer (if none is armed) for the
    interval's end; the timer sends whatever state is newest then.
    =========================================================================
*/
#include "bb_events.h"
#include "bb_log.h"
#include "bb_wire.h"

#include <assert.h>

//  Events a slow subscriber may have queued before the PUB drops for it:
//  a few minutes' worth at the default interval.
#define BB_EVENTS_SNDHWM    1000

struct _bb_events_t {
    zsock_t *publisher;             // PUB, bound
    zloop_t *loop;                  // the ingest actor's, borrowed
    int64_t interval_ms;
    Balboard__DashboardEvent state; // newest state not yet published
    bool pending;                   // state waits for the timer
    int timer_id;                   // the armed timer, or -1
    int64_t last_sent_ms;           // monotonic; 0 = never
    uint64_t published;
};

bb_events_t *
bb_events_new (const char *endpoint, zloop_t *loop, int64_t interval_ms)
{
    assert (endpoint && loop && interval_ms >= 0);
    zsock_t *publisher = bb_wire_socket_new (ZMQ_PUB, NULL);
    if (!publisher)
        return NULL;
    zsock_set_sndhwm (publisher, BB_EVENTS_SNDHWM);
    if (zsock_bind (publisher, "%s", endpoint) == -1) {
        bb_error ("events_bind_failed", "endpoint=%s error=\"%s\"", endpoint,
                  zmq_strerror (zmq_errno ()));
        zsock_destroy (&publisher);
        return NULL;
    }
    bb_events_t *self = calloc (1, sizeof *self);
    assert (self);
    self->publisher = publisher;
    self->loop = loop;
    self->interval_ms = interval_ms;
    self->timer_id = -1;
    balboard__dashboard_event__init (&self->state);
    bb_info ("events_listening", "endpoint=%s interval_ms=%lld", endpoint,
             (long long) interval_ms);
    return self;
}

void
bb_events_destroy (bb_events_t **self_p)
{
    assert (self_p);
    bb_events_t *self = *self_p;
    if (!self)
        return;
    if (self->timer_id != -1)
        zloop_timer_end (self->loop, self->timer_id);
    zsock_destroy (&self->publisher);
    free (self);
    *self_p = NULL;
}

//  Send the newest state, never waiting.
static void
s_publish (bb_events_t *self)
{
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.body_case = BALBOARD__ENVELOPE__BODY_DASHBOARD_EVENT;
    envelope.dashboard_event = &self->state;
    zframe_t *frame = bb_wire_encode (&envelope);
    if (zframe_send (&frame, self->publisher, ZFRAME_DONTWAIT))
        zframe_destroy (&frame);    // no subscriber's queue has room
    self->pending = false;
    self->last_sent_ms = zclock_mono ();
    self->published++;
    bb_debug ("event_published", "commit_seq=%llu",
              (unsigned long long) self->state.commit_seq);
}

static int
s_on_interval_end (zloop_t *loop, int timer_id, void *arg)
{
    bb_events_t *self = (bb_events_t *) arg;
    self->timer_id = -1;
    if (self->pending)
        s_publish (self);
    return 0;
}

void
bb_events_commit (bb_events_t *self, const Balboard__DashboardEvent *state)
{
    assert (self && state);
    self->state = *state;
    self->pending = true;
    if (self->timer_id != -1)
        return;                     // merged: the timer sends the newest
    int64_t since = zclock_mono () - self->last_sent_ms;
    if (self->last_sent_ms == 0 || since >= self->interval_ms)
        s_publish (self);
    else
        self->timer_id = zloop_timer (self->loop,
                                      (size_t) (self->interval_ms - since),
                                      1, s_on_interval_end, self);
}

uint64_t
bb_events_published (bb_events_t *self)
{
    assert (self);
    return self->published;
}
