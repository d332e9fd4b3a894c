/*  =========================================================================
    bb_reader - one reader of the store's pool: answers queries

    See bb_reader.h. A request is decoded here, not in the query actor,
    so that the one front-end thread only moves frames. A bad frame or a
    body the query socket does not serve is answered here as the ROUTER
    would (bb_wire_reject's replies), through the front end.
    =========================================================================
*/
#include "bb_reader.h"
#include "bb_actor.h"
#include "bb_log.h"
#include "bb_pb.h"
#include "bb_view.h"

#include <assert.h>
#include <stdlib.h>

typedef struct {
    zsock_t *dealer;            // to the query actor's back end
    zloop_t *loop;              // reads the pipe and the dealer
    bool terminated;            // $TERM came
    bb_index_t *index;          // borrowed
    bb_cache_t *cache;          // borrowed
} self_t;

//  ===========================================================================
//  Requests

static bb_envelope_t *
s_dispatch (bb_view_t *view, const bb_envelope_t *request)
{
    uint64_t id = request->request_id;
    switch (request->body_case) {
        case BALBOARD__ENVELOPE__BODY_RANK_REQUEST:
            return bb_view_rank (view, request->rank_request, id);
        case BALBOARD__ENVELOPE__BODY_STATS_REQUEST:
            return bb_view_stats (view, id);
        case BALBOARD__ENVELOPE__BODY_AGENTS_PAGE_REQUEST:
            return bb_view_agents_page (view, request->agents_page_request,
                                        id);
        default:
            return NULL;
    }
}

static bool
s_is_query (Balboard__Envelope__BodyCase body_case)
{
    return body_case == BALBOARD__ENVELOPE__BODY_DASHBOARD_REQUEST
        || body_case == BALBOARD__ENVELOPE__BODY_AGENT_DETAIL_REQUEST
        || body_case == BALBOARD__ENVELOPE__BODY_RANK_REQUEST
        || body_case == BALBOARD__ENVELOPE__BODY_STATS_REQUEST
        || body_case == BALBOARD__ENVELOPE__BODY_AGENTS_PAGE_REQUEST;
}

//  The cache key of a dashboard request read in view; false if the
//  request is not a page the cache may hold.
static bool
s_cache_key (const bb_view_t *view, const bb_envelope_t *request,
             bb_cache_key_t *key)
{
    if (request->body_case != BALBOARD__ENVELOPE__BODY_DASHBOARD_REQUEST
    ||  request->dashboard_request->offset < 0 || !view->synced)
        return false;
    *key = (bb_cache_key_t) {
        view->seq, view->prices->priced_at_ms,
        request->dashboard_request->offset,
        bb_view_page_limit (request->dashboard_request->limit)
    };
    return true;
}

static zframe_t *
s_error_frame (bb_envelope_t **error_p)
{
    zframe_t *frame = bb_wire_encode (*error_p);
    bb_wire_envelope_destroy (error_p);
    return frame;
}

//  The reply to request_id of a packed body (freed here).
static zframe_t *
s_body_frame (uint64_t request_id, uint8_t *body, size_t size)
{
    zframe_t *frame = bb_wire_encode_spliced (request_id, body, size);
    free (body);
    return frame;
}

//  The dashboard page request asks, read in view: from the cache when
//  it holds the page, else written and offered to the cache.
static zframe_t *
s_dashboard (self_t *self, bb_view_t *view, const bb_envelope_t *request)
{
    bb_cache_key_t key;
    bool cacheable = s_cache_key (view, request, &key);
    zframe_t *frame = cacheable
                    ? bb_cache_get (self->cache, &key, request->request_id)
                    : NULL;
    if (frame)
        return frame;
    uint8_t *body;
    size_t size;
    bb_envelope_t *error = bb_view_dashboard (view,
                                              request->dashboard_request,
                                              request->request_id, &body,
                                              &size);
    if (error)
        return s_error_frame (&error);
    if (cacheable)
        return bb_cache_put (self->cache, &key, request->request_id, &body,
                             size);
    return s_body_frame (request->request_id, body, size);
}

static zframe_t *
s_agent_detail (bb_view_t *view, const bb_envelope_t *request)
{
    uint8_t *body;
    size_t size;
    bb_envelope_t *error = bb_view_agent (view,
                                          request->agent_detail_request,
                                          request->request_id, &body, &size);
    return error ? s_error_frame (&error)
                 : s_body_frame (request->request_id, body, size);
}

//  The reply to request as a frame, built at one commit.
static zframe_t *
s_answer (self_t *self, const bb_envelope_t *request)
{
    bb_view_t view;
    int rc = bb_index_begin (self->index, &view);
    if (rc) {
        bb_envelope_t *error = bb_pb_error (
            request->request_id, BALBOARD__ERROR_REPLY__CODE__UNAVAILABLE,
            mdb_strerror (rc));
        return s_error_frame (&error);
    }
    zframe_t *frame;
    if (request->body_case == BALBOARD__ENVELOPE__BODY_DASHBOARD_REQUEST)
        frame = s_dashboard (self, &view, request);
    else
    if (request->body_case == BALBOARD__ENVELOPE__BODY_AGENT_DETAIL_REQUEST)
        frame = s_agent_detail (&view, request);
    else {
        bb_envelope_t *reply = s_dispatch (&view, request);
        frame = bb_wire_encode (reply);
        bb_wire_envelope_destroy (&reply);
    }
    bb_index_end (self->index, &view);
    return frame;
}

//  Decode the request frames of msg ([envelope], the peer popped).
static void
s_decode (zmsg_t *request, bb_wire_msg_t *msg)
{
    if (zmsg_size (request) != 1) {
        snprintf (msg->reason, sizeof msg->reason, "expected one envelope "
                  "frame, got %zu", zmsg_size (request));
        return;
    }
    zframe_t *frame = zmsg_first (request);
    msg->envelope = bb_wire_decode (zframe_data (frame), zframe_size (frame),
                                    BB_WIRE_MAX_MSG_SIZE, msg->reason,
                                    sizeof msg->reason);
}

static int
s_on_request (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    zmsg_t *request = zmsg_recv (self->dealer);
    if (!request)
        return 0;
    zframe_t *peer = zmsg_pop (request);
    bb_wire_msg_t msg = { 0 };
    s_decode (request, &msg);
    zmsg_destroy (&request);
    zframe_t *frame = msg.envelope && s_is_query (msg.envelope->body_case)
                    ? s_answer (self, msg.envelope)
                    : bb_wire_rejection ("query", &msg);
    bb_wire_msg_reset (&msg);
    bb_wire_send_frame (self->dealer, peer, &frame);
    zframe_destroy (&peer);
    return 0;
}

//  ===========================================================================
//  The actor

static void
s_self_destroy (self_t **self_p)
{
    self_t *self = *self_p;
    if (!self)
        return;
    zloop_destroy (&self->loop);
    zsock_destroy (&self->dealer);
    free (self);
    *self_p = NULL;
}

void
bb_reader_actor (zsock_t *pipe, void *args)
{
    const bb_reader_args_t *reader_args = (const bb_reader_args_t *) args;
    self_t *self = calloc (1, sizeof *self);
    assert (self);
    self->index = reader_args->index;
    self->cache = reader_args->cache;
    self->dealer = zsock_new (ZMQ_DEALER);
    assert (self->dealer);
    if (zsock_connect (self->dealer, "%s", reader_args->endpoint)) {
        s_self_destroy (&self);
        bb_actor_failed (pipe, "cannot connect to the query back end");
        return;
    }
    self->loop = zloop_new ();
    zloop_set_nonstop (self->loop, true);
    zloop_reader (self->loop, pipe, bb_actor_on_pipe, &self->terminated);
    zloop_reader (self->loop, self->dealer, s_on_request, self);
    bb_actor_ready (pipe);
    zloop_start (self->loop);
    bool terminated = self->terminated;
    s_self_destroy (&self);
    bb_actor_end (pipe, terminated, "reader loop ended");
}
