/*  =========================================================================
    bb_sse - the Server-Sent Events streams of /api/dashboard/events

    A client lives from bb_sse_answer until libmicrohttpd frees its
    response (s_free), which happens once its connection is closed. Its
    connection pointer is valid all that time. Lock order: this module's
    lock, then libmicrohttpd's own (suspend and resume take it);
    libmicrohttpd calls the reader and s_free holding none of its locks.
    =========================================================================
*/
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bb_buffer.h"
#include "bb_log.h"
#include "bb_sse.h"

#define EVENT_STREAM_TYPE   "text/event-stream"
#define BLOCK_SIZE          4096    // most bytes one reader call gives
//  Kernel send buffer of a stream: a client that stops reading fills it
//  (and then its own buffer here) soon, instead of megabytes later.
#define SOCKET_SNDBUF       4096

typedef struct _client_t client_t;

struct _client_t {
    bb_sse_t *hub;
    struct MHD_Connection *connection;
    bb_buffer_t pending;        // bytes not yet given to the reader
    bool suspended;             // by its reader; not yet resumed
    bool dropped;               // outgrew its buffer: end it
    client_t *prev, *next;
};

struct _bb_sse_t {
    pthread_mutex_t lock;       // everything below
    client_t *clients;          // open streams
    size_t count;
    size_t max_clients;
    char *newest;               // the newest remembered event, or NULL
    bool stopping;
};

bb_sse_t *
bb_sse_new (size_t max_clients)
{
    assert (max_clients > 0);
    bb_sse_t *self = calloc (1, sizeof *self);
    assert (self);
    pthread_mutex_init (&self->lock, NULL);
    self->max_clients = max_clients;
    return self;
}

void
bb_sse_destroy (bb_sse_t **self_p)
{
    assert (self_p);
    bb_sse_t *self = *self_p;
    if (!self)
        return;
    assert (!self->clients);    // every connection is gone
    free (self->newest);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

//  ---------------------------------------------------------------------------
//  A client's buffer (lock held)

static void
s_resume (client_t *client)
{
    if (client->suspended) {
        client->suspended = false;
        MHD_resume_connection (client->connection);
    }
}

//  Append text to client's buffer, or drop the client if it would
//  outgrow BB_SSE_BUFFER_MAX; either way wake its reader.
static void
s_append (client_t *client, const char *text, size_t length)
{
    if (client->dropped)
        return;
    if (client->pending.size + length > BB_SSE_BUFFER_MAX
    ||  bb_buffer_append (&client->pending, text, length)) {
        client->dropped = true;
        bb_warn ("sse_client_dropped", "buffered=%zu reason=\"reads slower "
                 "than events come\"", client->pending.size);
    }
    s_resume (client);
}

//  ---------------------------------------------------------------------------
//  libmicrohttpd's side of a stream

//  The next bytes of the stream into buf (max bytes). With nothing to
//  send the connection is suspended until bb_sse_broadcast or
//  bb_sse_stop resumes it.
static ssize_t
s_read (void *cls, uint64_t position, char *buf, size_t max)
{
    client_t *client = cls;
    bb_sse_t *self = client->hub;
    bb_buffer_t *pending = &client->pending;
    ssize_t result = 0;
    pthread_mutex_lock (&self->lock);
    if (client->dropped)
        result = MHD_CONTENT_READER_END_WITH_ERROR;
    else
    if (pending->size) {
        size_t bytes = pending->size < max ? pending->size : max;
        memcpy (buf, pending->data, bytes);
        bb_buffer_consume (pending, bytes);
        result = (ssize_t) bytes;
    }
    else
    if (self->stopping)
        result = MHD_CONTENT_READER_END_OF_STREAM;
    else {
        client->suspended = true;
        MHD_suspend_connection (client->connection);
    }
    pthread_mutex_unlock (&self->lock);
    return result;
}

//  The stream's connection is gone.
static void
s_free (void *cls)
{
    client_t *client = cls;
    bb_sse_t *self = client->hub;
    pthread_mutex_lock (&self->lock);
    if (client->prev)
        client->prev->next = client->next;
    else
        self->clients = client->next;
    if (client->next)
        client->next->prev = client->prev;
    self->count--;
    size_t count = self->count;
    pthread_mutex_unlock (&self->lock);
    bb_debug ("sse_closed", "clients=%zu", count);
    bb_buffer_free (&client->pending);
    free (client);
}

//  ---------------------------------------------------------------------------
//  Opening a stream

//  A new client of connection with the retry hint and the newest event
//  buffered, in the list; NULL when the streams are at their cap or the
//  server stops.
static client_t *
s_client_new (bb_sse_t *self, struct MHD_Connection *connection)
{
    pthread_mutex_lock (&self->lock);
    client_t *client = NULL;
    if (!self->stopping && self->count < self->max_clients) {
        client = calloc (1, sizeof *client);
        assert (client);
        client->hub = self;
        client->connection = connection;
        char retry [32];
        snprintf (retry, sizeof retry, "retry: %d\n\n", BB_SSE_RETRY_MS);
        s_append (client, retry, strlen (retry));
        if (self->newest)
            s_append (client, self->newest, strlen (self->newest));
        client->next = self->clients;
        if (self->clients)
            self->clients->prev = client;
        self->clients = client;
        self->count++;
    }
    pthread_mutex_unlock (&self->lock);
    return client;
}

//  A small kernel send buffer, so a client that stops reading shows soon.
static void
s_limit_send_buffer (struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info (
        connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    int size = SOCKET_SNDBUF;
    if (info)
        setsockopt (info->connect_fd, SOL_SOCKET, SO_SNDBUF, &size,
                    sizeof size);
}

enum MHD_Result
bb_sse_answer (bb_sse_t *self, bb_http_reply_t *reply)
{
    assert (self && reply);
    client_t *client = s_client_new (self, reply->connection);
    if (!client)
        return bb_http_reply_error (reply, MHD_HTTP_SERVICE_UNAVAILABLE,
                                    "too many event streams, retry later");
    struct MHD_Response *response = MHD_create_response_from_callback (
        MHD_SIZE_UNKNOWN, BLOCK_SIZE, s_read, client, s_free);
    if (!response) {
        s_free (client);
        return MHD_NO;
    }
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                             EVENT_STREAM_TYPE);
    MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL,
                             "no-store");
    MHD_add_response_header (response, "X-Accel-Buffering", "no");
    s_limit_send_buffer (reply->connection);
    reply->status = MHD_HTTP_OK;
    enum MHD_Result result = MHD_queue_response (reply->connection,
                                                 MHD_HTTP_OK, response);
    MHD_destroy_response (response);
    bb_debug ("sse_opened", "clients=%zu", bb_sse_clients (self));
    return result;
}

//  ---------------------------------------------------------------------------
//  The feed's side

void
bb_sse_broadcast (bb_sse_t *self, const char *text, bool remember)
{
    assert (self && text);
    size_t length = strlen (text);
    pthread_mutex_lock (&self->lock);
    if (remember) {
        free (self->newest);
        self->newest = strdup (text);
        assert (self->newest);
    }
    for (client_t *client = self->clients; client; client = client->next)
        s_append (client, text, length);
    pthread_mutex_unlock (&self->lock);
}

size_t
bb_sse_clients (bb_sse_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->lock);
    size_t count = self->count;
    pthread_mutex_unlock (&self->lock);
    return count;
}

void
bb_sse_stop (bb_sse_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->lock);
    self->stopping = true;
    for (client_t *client = self->clients; client; client = client->next)
        s_resume (client);
    pthread_mutex_unlock (&self->lock);
}
