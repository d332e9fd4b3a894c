/*  =========================================================================
    bb_query - the query actor: the query socket's front end and pool

    Owns the index, the cache, the readers and the back end. Messages on
    the PAIR are the only thing that moves the index; PAUSE takes the
    index's write side, so no reader has a transaction open while the
    ingest actor resizes the map. Shutdown stops the readers before it
    frees what they borrow (index, cache, back end).
    =========================================================================
*/
#include "bb_query.h"
#include "bb_actor.h"
#include "bb_cache.h"
#include "bb_changes.h"
#include "bb_index.h"
#include "bb_log.h"
#include "bb_reader.h"
#include "bb_service.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#define BB_QUERY_BACKEND_SIZE   64

typedef struct {
    bb_service_t service;       // query socket, PAIR from the ingest actor
    zsock_t *backend;           // inproc DEALER the readers connect to
    char backend_endpoint [BB_QUERY_BACKEND_SIZE];
    bb_index_t *index;          // every registered agent, ranked
    bb_cache_t *cache;          // encoded pages of the newest commit
    bb_reader_args_t reader_args;
    bb_actor_t **readers;       // the pool
    size_t reader_count;
} self_t;

//  ===========================================================================
//  The ingest actor's messages

//  PAUSE: hold every reader out, confirm with the same token, then hold
//  still until RESUME.
static void
s_pause (self_t *self, zmsg_t *msg)
{
    bb_index_pause (self->index);
    char *token = zmsg_popstr (msg);
    zsock_send (self->service.changes, "ss", BB_QUERY_PAUSED,
                token ? token : "");
    free (token);
    while (true) {
        zmsg_t *next = zmsg_recv (self->service.changes);
        if (!next) {
            if (errno == EINTR)
                continue;
            break;
        }
        char *command = zmsg_popstr (next);
        bool resumed = command && streq (command, BB_QUERY_RESUME);
        free (command);
        zmsg_destroy (&next);
        if (resumed)
            break;
    }
    bb_index_resume (self->index);
}

static void
s_on_pair_message (self_t *self)
{
    zmsg_t *msg = zmsg_recv (self->service.changes);
    if (!msg)
        return;
    char *command = zmsg_popstr (msg);
    if (command && streq (command, BB_CHANGES_COMMAND)) {
        bb_changes_t *changes = bb_changes_decode (msg);
        if (changes) {
            bb_index_apply (self->index, changes);
            bb_cache_drop (self->cache, bb_index_seq (self->index));
        }
        bb_changes_destroy (&changes);
    }
    else
    if (command && streq (command, BB_QUERY_PAUSE))
        s_pause (self, msg);
    else
        bb_error ("pair_unknown_command", "command=%s",
                  command ? command : "none");
    free (command);
    zmsg_destroy (&msg);
}

static int
s_on_changes (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    while (zsock_events (self->service.changes) & ZMQ_POLLIN)
        s_on_pair_message (self);
    return 0;
}

//  ===========================================================================
//  Frames between the query socket and the readers

//  Move one message from one socket to the other as it is. Neither send
//  blocks: a reply to a peer that is gone (or full) is dropped by the
//  ROUTER, and a request no reader can take now (every reader's queue at
//  its high-water mark) is dropped and logged; its client times out. So
//  the front end always gets back to the change sets.
static int
s_forward (zsock_t *from, zsock_t *to)
{
    zmsg_t *msg = zmsg_recv (from);
    if (msg && zmsg_send (&msg, to)) {
        bb_warn ("query_dropped", "reason=\"%s\"",
                 zmq_strerror (zmq_errno ()));
        zmsg_destroy (&msg);
    }
    return 0;
}

static int
s_on_request (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    return s_forward (self->service.router, self->backend);
}

static int
s_on_reply (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    return s_forward (self->backend, self->service.router);
}

//  ===========================================================================
//  The actor

static void
s_self_destroy (self_t **self_p)
{
    self_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->reader_count; i++)
        bb_actor_destroy (&self->readers [i]);
    free (self->readers);
    zsock_destroy (&self->backend);
    bb_service_close (&self->service);
    bb_cache_destroy (&self->cache);
    bb_index_destroy (&self->index);
    free (self);
    *self_p = NULL;
}

//  Bind the back end and start count readers. Returns 0 or -1 (reason).
static int
s_pool_start (self_t *self, size_t count, char *reason)
{
    snprintf (self->backend_endpoint, sizeof self->backend_endpoint,
              "inproc://balboard-store-readers-%p", (void *) self);
    self->backend = zsock_new (ZMQ_DEALER);
    assert (self->backend);
    zsock_set_sndtimeo (self->backend, 0);
    if (zsock_bind (self->backend, "%s", self->backend_endpoint)) {
        snprintf (reason, BB_REASON_SIZE, "cannot bind %s",
                  self->backend_endpoint);
        return -1;
    }
    self->reader_args = (bb_reader_args_t) {
        self->index, self->cache, self->backend_endpoint
    };
    self->readers = calloc (count, sizeof *self->readers);
    assert (self->readers);
    for (; self->reader_count < count; self->reader_count++) {
        self->readers [self->reader_count] = bb_actor_new (
            "reader", bb_reader_actor, &self->reader_args);
        if (!self->readers [self->reader_count]) {
            snprintf (reason, BB_REASON_SIZE, "cannot start a reader");
            return -1;
        }
    }
    return 0;
}

//  The actor's state, or NULL with why it could not start in reason
//  (BB_REASON_SIZE bytes).
static self_t *
s_self_new (zsock_t *pipe, const bb_query_args_t *args, char *reason)
{
    assert (args->readers > 0);
    self_t *self = calloc (1, sizeof *self);
    assert (self);
    self->cache = bb_cache_new (args->cache_entries, args->cache_bytes);
    if (bb_service_open (&self->service, pipe, "query", args->endpoint, NULL,
                         args->changes_endpoint, true, reason)) {
        s_self_destroy (&self);
        return NULL;
    }
    self->index = bb_index_new (args->db);
    if (!self->index) {
        snprintf (reason, BB_REASON_SIZE, "cannot build the rank index");
        s_self_destroy (&self);
        return NULL;
    }
    if (s_pool_start (self, args->readers, reason)) {
        s_self_destroy (&self);
        return NULL;
    }
    zloop_reader (self->service.loop, self->service.router, s_on_request,
                  self);
    zloop_reader (self->service.loop, self->backend, s_on_reply, self);
    zloop_reader (self->service.loop, self->service.changes, s_on_changes,
                  self);
    return self;
}

void
bb_query_actor (zsock_t *pipe, void *args)
{
    const bb_query_args_t *query_args = (const bb_query_args_t *) args;
    char reason [BB_REASON_SIZE] = "";
    self_t *self = s_self_new (pipe, query_args, reason);
    if (!self) {
        bb_actor_failed (pipe, reason);
        return;
    }
    bb_actor_ready (pipe);
    bb_info ("query_listening", "endpoint=%s agents=%llu readers=%zu "
             "cache_entries=%zu cache_bytes=%zu", query_args->endpoint,
             (unsigned long long) bb_index_size (self->index),
             self->reader_count, query_args->cache_entries,
             query_args->cache_bytes);
    zloop_start (self->service.loop);
    bool terminated = self->service.terminated;
    s_self_destroy (&self);
    bb_actor_end (pipe, terminated, "query loop ended");
}
