/*  =========================================================================
    bb_sse - the Server-Sent Events streams of /api/dashboard/events

    Owns the open streams: one client per connection, each with a bounded
    buffer of text not yet sent, at most max_clients at once. The HTTP
    workers open a stream (bb_sse_answer) and libmicrohttpd asks for its
    bytes through a content reader; a reader with nothing to send
    suspends its connection, so an idle stream costs no worker time. The
    event feed (bb_event_feed, another thread) hands text to every stream
    (bb_sse_broadcast), which resumes the suspended ones. A stream whose
    buffer would outgrow BB_SSE_BUFFER_MAX (its client reads slower than
    events come) is dropped: its reader ends it at the next call, and a
    connection that cannot be written at all is closed by the server's
    connection timeout. Nothing waits on a client, so a slow or dead one
    stalls nobody.

    The one lock guards the client list and every client's buffer; it is
    held for memory copies only. libmicrohttpd's rules are kept: a
    connection is suspended only from its reader and resumed only once
    per suspension, and bb_sse_stop resumes every stream (and ends them)
    before the daemon stops.
    =========================================================================
*/
#ifndef BB_SSE_H_INCLUDED
#define BB_SSE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <microhttpd.h>

#include "bb_http_reply.h"

//  Bytes a client may have waiting before it is dropped.
#define BB_SSE_BUFFER_MAX   (64 * 1024)
//  What a new stream gets first: the client's reconnect delay.
#define BB_SSE_RETRY_MS     3000

typedef struct _bb_sse_t bb_sse_t;

//  No streams yet; at most max_clients at once (at least 1).
bb_sse_t *bb_sse_new (size_t max_clients);

//  Free, set *self_p to NULL. Call after the daemon stopped (every
//  stream's connection is gone by then). NULL-safe.
void bb_sse_destroy (bb_sse_t **self_p);

//  Answer a GET of the stream: 200 text/event-stream (Cache-Control:
//  no-store) starting with the retry hint and the newest event, or 503
//  JSON with Retry-After when max_clients streams are open or the server
//  stops. Call from the access handler.
enum MHD_Result bb_sse_answer (bb_sse_t *self, bb_http_reply_t *reply);

//  Queue text (whole SSE lines, copied) on every stream; with remember,
//  a stream opened later starts with it too (the newest event). Any
//  thread.
void bb_sse_broadcast (bb_sse_t *self, const char *text, bool remember);

//  Streams open now.
size_t bb_sse_clients (bb_sse_t *self);

//  End every stream and refuse new ones: each is resumed and its reader
//  ends it. Call before the daemon stops.
void bb_sse_stop (bb_sse_t *self);

#endif
