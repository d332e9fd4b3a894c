/*  =========================================================================
    bb_event_feed - the gateway's event feed: the store's events, fanned
    out to every SSE stream
    =========================================================================
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb_actor.h"
#include "bb_event_feed.h"
#include "bb_log.h"
#include "bb_render.h"
#include "bb_wire.h"

#define KEEPALIVE_MESSAGE   ": keep-alive\n\n"
#define EVENT_PREFIX        "event: dashboard\ndata: "

typedef struct {
    zsock_t *subscriber;        // SUB to the store's events socket
    zloop_t *loop;
    bb_sse_t *streams;          // borrowed
    bb_page_cache_t *pages;     // borrowed; NULL: none
    bool terminated;            // $TERM came
} self_t;

char *
bb_event_feed_message (const Balboard__DashboardEvent *event)
{
    assert (event);
    char priced_at [BB_RENDER_TIME_SIZE];
    json_t *data = json_pack (
        "{s:I, s:I, s:I, s:I, s:o, s:I}",
        "commitSeq", (json_int_t) event->commit_seq,
        "rotation", (json_int_t) event->rotation,
        "rotationDone", (json_int_t) event->rotation_agents_done,
        "rotationAgents", (json_int_t) event->rotation_agents,
        "pricedAt", event->priced_at_ms
            ? json_string (bb_render_time (event->priced_at_ms, priced_at))
            : json_null (),
        "agents", (json_int_t) event->agents);
    assert (data);
    char *text = bb_render_to_string (data, false);
    json_decref (data);
    size_t size = strlen (EVENT_PREFIX) + strlen (text) + 3;
    char *message = malloc (size);
    assert (message);
    snprintf (message, size, "%s%s\n\n", EVENT_PREFIX, text);
    free (text);
    return message;
}

static int
s_on_event (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    bb_wire_msg_t msg = { 0 };
    bb_wire_result_t result = bb_wire_recv (self->subscriber, &msg);
    if (result == BB_WIRE_OK
    &&  msg.envelope->body_case == BALBOARD__ENVELOPE__BODY_DASHBOARD_EVENT) {
        const Balboard__DashboardEvent *event = msg.envelope->dashboard_event;
        if (self->pages)
            bb_page_cache_advance (self->pages, &(bb_page_cache_state_t) {
                event->commit_seq, event->priced_at_ms });
        char *message = bb_event_feed_message (event);
        bb_sse_broadcast (self->streams, message, true);
        bb_debug ("event_forwarded", "commit_seq=%llu streams=%zu",
                  (unsigned long long) event->commit_seq,
                  bb_sse_clients (self->streams));
        free (message);
    }
    else
    if (result != BB_WIRE_INTERRUPTED)
        bb_wire_reject (self->subscriber, "events", &msg);
    bb_wire_msg_reset (&msg);
    return 0;
}

static int
s_on_keepalive (zloop_t *loop, int timer_id, void *arg)
{
    self_t *self = (self_t *) arg;
    bb_sse_broadcast (self->streams, KEEPALIVE_MESSAGE, false);
    return 0;
}

static void
s_self_destroy (self_t **self_p)
{
    self_t *self = *self_p;
    if (!self)
        return;
    zloop_destroy (&self->loop);
    zsock_destroy (&self->subscriber);
    free (self);
    *self_p = NULL;
}

//  The actor's state, or NULL if endpoint is malformed.
static self_t *
s_self_new (zsock_t *pipe, const bb_event_feed_args_t *args)
{
    self_t *self = calloc (1, sizeof *self);
    assert (self);
    self->streams = args->streams;
    self->pages = args->pages;
    self->subscriber = bb_wire_socket_new (ZMQ_SUB, NULL);
    if (!self->subscriber
    ||  zsock_connect (self->subscriber, "%s", args->endpoint) == -1) {
        s_self_destroy (&self);
        return NULL;
    }
    zsock_set_subscribe (self->subscriber, "");
    self->loop = zloop_new ();
    zloop_set_nonstop (self->loop, true);
    zloop_reader (self->loop, pipe, bb_actor_on_pipe, &self->terminated);
    zloop_reader (self->loop, self->subscriber, s_on_event, self);
    zloop_timer (self->loop, (size_t) args->keepalive_ms, 0, s_on_keepalive,
                 self);
    return self;
}

void
bb_event_feed_actor (zsock_t *pipe, void *args)
{
    const bb_event_feed_args_t *feed_args = args;
    self_t *self = s_self_new (pipe, feed_args);
    if (!self) {
        char reason [BB_REASON_SIZE];
        snprintf (reason, sizeof reason, "cannot connect %s",
                  feed_args->endpoint);
        bb_actor_failed (pipe, reason);
        return;
    }
    bb_actor_ready (pipe);
    bb_info ("events_subscribed", "endpoint=%s", feed_args->endpoint);
    zloop_start (self->loop);
    bool terminated = self->terminated;
    s_self_destroy (&self);
    bb_actor_end (pipe, terminated, "event feed loop ended");
}
