/*  =========================================================================
    bb_http_reply - the gateway's answers to one HTTP request
    =========================================================================
*/
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "bb_gzip.h"
#include "bb_http_reply.h"
#include "bb_log.h"
#include "bb_render.h"

#define NO_STORE        "no-store"

static void
s_add_cache_headers (struct MHD_Response *response,
                     const bb_http_cache_t *cache)
{
    MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL,
                             cache && cache->cache_control
                             ? cache->cache_control : NO_STORE);
    if (cache && cache->etag)
        MHD_add_response_header (response, MHD_HTTP_HEADER_ETAG,
                                 cache->etag);
    MHD_add_response_header (response, MHD_HTTP_HEADER_VARY,
                             MHD_HTTP_HEADER_ACCEPT_ENCODING);
}

//  Queue response (destroyed here) with status.
static enum MHD_Result
s_queue (bb_http_reply_t *self, unsigned status,
         struct MHD_Response *response)
{
    if (!response)
        return MHD_NO;
    self->status = status;
    enum MHD_Result rc = MHD_queue_response (self->connection, status,
                                             response);
    MHD_destroy_response (response);
    return rc;
}

//  A response holding text (size bytes), gzipped when the client takes
//  it; NULL when out of memory.
static struct MHD_Response *
s_body (bb_http_reply_t *self, const char *text, size_t size)
{
    void *gzipped = NULL;
    size_t gzipped_size = 0;
    if (self->gzip && bb_gzip_compress (text, size, &gzipped,
                                        &gzipped_size) == 0) {
        struct MHD_Response *response = MHD_create_response_from_buffer (
            gzipped_size, gzipped, MHD_RESPMEM_MUST_FREE);
        if (response)
            MHD_add_response_header (response,
                                     MHD_HTTP_HEADER_CONTENT_ENCODING,
                                     "gzip");
        else
            free (gzipped);
        return response;
    }
    return MHD_create_response_from_buffer (size, (void *) text,
                                            MHD_RESPMEM_MUST_COPY);
}

enum MHD_Result
bb_http_reply_typed (bb_http_reply_t *self, unsigned status,
                     const char *content_type, const char *text, size_t size,
                     const bb_http_cache_t *cache)
{
    assert (self && content_type && text);
    struct MHD_Response *response = s_body (self, text, size);
    if (response) {
        MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                 content_type);
        s_add_cache_headers (response, cache);
    }
    return s_queue (self, status, response);
}

enum MHD_Result
bb_http_reply_text (bb_http_reply_t *self, unsigned status,
                    const char *text, const bb_http_cache_t *cache)
{
    assert (text);
    return bb_http_reply_typed (self, status, BB_HTTP_JSON_TYPE, text,
                                strlen (text), cache);
}

enum MHD_Result
bb_http_reply_json (bb_http_reply_t *self, unsigned status, json_t *json,
                    const bb_http_cache_t *cache)
{
    assert (self && json);
    char *text = bb_render_to_string (json, false);
    json_decref (json);
    enum MHD_Result rc = bb_http_reply_text (self, status, text, cache);
    free (text);
    return rc;
}

enum MHD_Result
bb_http_reply_not_modified (bb_http_reply_t *self,
                            const bb_http_cache_t *cache)
{
    assert (self);
    return s_queue (self, MHD_HTTP_NOT_MODIFIED,
                    bb_http_reply_not_modified_new (cache));
}

struct MHD_Response *
bb_http_reply_body_new (const char *content_type, void **body_p, size_t size,
                        bool gzipped, const bb_http_cache_t *cache)
{
    assert (content_type && body_p && *body_p);
    struct MHD_Response *response = MHD_create_response_from_buffer (
        size, *body_p, MHD_RESPMEM_MUST_FREE);
    if (!response) {
        free (*body_p);
        *body_p = NULL;
        return NULL;
    }
    *body_p = NULL;
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                             content_type);
    if (gzipped)
        MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_ENCODING,
                                 "gzip");
    s_add_cache_headers (response, cache);
    return response;
}

struct MHD_Response *
bb_http_reply_not_modified_new (const bb_http_cache_t *cache)
{
    struct MHD_Response *response = MHD_create_response_from_buffer (
        0, NULL, MHD_RESPMEM_PERSISTENT);
    if (response)
        s_add_cache_headers (response, cache);
    return response;
}

enum MHD_Result
bb_http_reply_shared (bb_http_reply_t *self, unsigned status,
                      struct MHD_Response *response)
{
    assert (self);
    if (!response)
        return MHD_NO;
    self->status = status;
    return MHD_queue_response (self->connection, status, response);
}

enum MHD_Result
bb_http_reply_error (bb_http_reply_t *self, unsigned status,
                     const char *message)
{
    assert (self && message);
    json_t *body = json_pack ("{s:s, s:i}", "error", message, "status",
                              (int) status);
    char *text = bb_render_to_string (body, false);
    json_decref (body);
    struct MHD_Response *response = text
        ? MHD_create_response_from_buffer (strlen (text), text,
                                           MHD_RESPMEM_MUST_FREE)
        : NULL;
    if (!response) {
        free (text);
        return MHD_NO;
    }
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                             BB_HTTP_JSON_TYPE);
    MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL,
                             NO_STORE);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header (response, MHD_HTTP_HEADER_RETRY_AFTER,
                                 BB_HTTP_RETRY_AFTER_S);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header (response, MHD_HTTP_HEADER_ALLOW,
                                 BB_HTTP_ALLOW);
    return s_queue (self, status, response);
}
