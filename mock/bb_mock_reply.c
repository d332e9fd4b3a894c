/*  =========================================================================
    bb_mock_reply - one HTTP answer of the mock upstream, being built

    Owns the reply's status, headers and body. The body is either a jansson
    value (rendered at send time) or text. A reply that is a reset
    resets the TCP connection before MHD closes the socket, so the peer
    sees "connection reset by peer", not a clean EOF.
    =========================================================================
*/
#include "bb_mock_reply.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define HEADERS_MAX 16
#define HEADER_VALUE_MAX 160
#define JSON_TYPE "application/json; charset=utf-8"

typedef struct {
    const char *name;                   // borrowed literal
    char value [HEADER_VALUE_MAX];
} header_t;

struct _bb_mock_reply_t {
    unsigned status;
    const char *content_type;           // borrowed literal, or NULL
    json_t *json;                       // owned JSON body, or NULL
    char *text;                         // owned text body, or NULL
    header_t headers [HEADERS_MAX];
    size_t header_count;
    bool truncated;                     // send the first half only
    bool reset;                         // abort instead of answering
};

bb_mock_reply_t *
bb_mock_reply_new (void)
{
    bb_mock_reply_t *self = calloc (1, sizeof *self);
    assert (self);
    self->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    return self;
}

void
bb_mock_reply_destroy (bb_mock_reply_t **self_p)
{
    assert (self_p);
    bb_mock_reply_t *self = *self_p;
    if (!self)
        return;
    json_decref (self->json);
    free (self->text);
    free (self);
    *self_p = NULL;
}

//  Drop the body set so far.
static void
s_body_clear (bb_mock_reply_t *self)
{
    json_decref (self->json);
    self->json = NULL;
    free (self->text);
    self->text = NULL;
}

void
bb_mock_reply_set_json (bb_mock_reply_t *self, unsigned status,
                        json_t **body_p)
{
    assert (self);
    assert (body_p && *body_p);
    s_body_clear (self);
    self->status = status;
    self->content_type = JSON_TYPE;
    self->json = *body_p;
    *body_p = NULL;
}

void
bb_mock_reply_set_text (bb_mock_reply_t *self, unsigned status,
                        const char *content_type, const char *text)
{
    assert (self);
    assert (text);
    s_body_clear (self);
    self->status = status;
    self->content_type = content_type;
    self->text = strdup (text);
    assert (self->text);
}

void
bb_mock_reply_set_content_type (bb_mock_reply_t *self,
                                const char *content_type)
{
    assert (self);
    self->content_type = content_type;
}

void
bb_mock_reply_add_header (bb_mock_reply_t *self, const char *name,
                          const char *format, ...)
{
    assert (self);
    assert (self->header_count < HEADERS_MAX);
    header_t *header = &self->headers [self->header_count++];
    header->name = name;
    va_list args;
    va_start (args, format);
    vsnprintf (header->value, sizeof header->value, format, args);
    va_end (args);
}

unsigned
bb_mock_reply_status (bb_mock_reply_t *self)
{
    assert (self);
    return self->status;
}

void
bb_mock_reply_truncate (bb_mock_reply_t *self)
{
    assert (self);
    self->truncated = true;
}

void
bb_mock_reply_pad (bb_mock_reply_t *self, size_t size)
{
    assert (self);
    if (!json_is_object (self->json))
        return;
    char *padding = malloc (size + 1);
    assert (padding);
    memset (padding, 'x', size);
    padding [size] = 0;
    json_object_set_new (self->json, "padding", json_stringn (padding, size));
    free (padding);
}

void
bb_mock_reply_reset (bb_mock_reply_t *self)
{
    assert (self);
    self->reset = true;
}

//  Abort connection with an RST. MHD would close it with a FIN (a clean
//  EOF to the client), so first dissolve the TCP association: on Linux,
//  connect(2) with AF_UNSPEC resets an established socket and leaves the
//  descriptor open for MHD to close as usual.
static enum MHD_Result
s_abort (struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info (
        connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info) {
        struct sockaddr unspec = { .sa_family = AF_UNSPEC };
        connect (info->connect_fd, &unspec, sizeof unspec);
    }
    return MHD_NO;
}

//  The body as a malloc'd buffer of *size bytes (NULL when empty).
static char *
s_body_render (bb_mock_reply_t *self, size_t *size)
{
    char *body = NULL;
    if (self->json)
        body = json_dumps (self->json, JSON_COMPACT
                                     | JSON_REAL_PRECISION (15));
    else
    if (self->text)
        body = strdup (self->text);
    *size = body ? strlen (body) : 0;
    if (self->truncated)
        *size /= 2;
    return body;
}

enum MHD_Result
bb_mock_reply_send (bb_mock_reply_t *self, struct MHD_Connection *connection)
{
    assert (self);
    assert (connection);
    if (self->reset)
        return s_abort (connection);
    size_t size;
    char *body = s_body_render (self, &size);
    struct MHD_Response *response = body
        ? MHD_create_response_from_buffer (size, body, MHD_RESPMEM_MUST_FREE)
        : MHD_create_response_from_buffer (0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!response) {
        free (body);
        return MHD_NO;
    }
    if (self->content_type)
        MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                 self->content_type);
    for (size_t index = 0; index < self->header_count; index++)
        MHD_add_response_header (response, self->headers [index].name,
                                 self->headers [index].value);
    enum MHD_Result rc = MHD_queue_response (connection, self->status,
                                             response);
    MHD_destroy_response (response);
    return rc;
}
