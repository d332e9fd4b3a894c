/*  =========================================================================
    bb_http_reply - the gateway's answers to one HTTP request

    Owns how an answer is put on the wire: JSON bodies (compact, UTF-8),
    gzip-encoded when the client accepts it (with Vary: Accept-Encoding on
    every body that could be), the cache headers the route asks for, 304
    Not Modified with the tag and cache headers and no body, and errors.
    Every error has the same body, {"error": <what went wrong>, "status":
    <code>}, and Cache-Control: no-store; a 503 also says Retry-After and
    a 405 says Allow: GET, HEAD. For HEAD the server sends the same
    headers, Content-Length included, and no body. Each function queues
    the answer on the request's connection and records its status for the
    request's log line; call one per request.
    =========================================================================
*/
#ifndef BB_HTTP_REPLY_H_INCLUDED
#define BB_HTTP_REPLY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <microhttpd.h>

#define BB_HTTP_RETRY_AFTER_S   "2"        // a 503's Retry-After
#define BB_HTTP_ALLOW           "GET, HEAD"
#define BB_HTTP_JSON_TYPE       "application/json; charset=utf-8"

//  One request being answered.
typedef struct {
    struct MHD_Connection *connection;
    bool gzip;                  // the client accepts gzip
    unsigned status;            // what was queued; 0 until then
} bb_http_reply_t;

//  What a successful answer says about caching.
typedef struct {
    const char *cache_control;  // NULL: "no-store"
    const char *etag;           // quoted strong tag; NULL: none
} bb_http_cache_t;

//  Answer status with json (consumed) as the body. cache may be NULL.
enum MHD_Result bb_http_reply_json (bb_http_reply_t *self, unsigned status,
                                    json_t *json,
                                    const bb_http_cache_t *cache);

//  Answer status with text (JSON, copied as needed) as the body.
enum MHD_Result bb_http_reply_text (bb_http_reply_t *self, unsigned status,
                                    const char *text,
                                    const bb_http_cache_t *cache);

//  Answer status with the size bytes at text (of content_type, copied as
//  needed) as the body.
enum MHD_Result bb_http_reply_typed (bb_http_reply_t *self, unsigned status,
                                     const char *content_type,
                                     const char *text, size_t size,
                                     const bb_http_cache_t *cache);

//  Answer 304 Not Modified with cache's headers and no body.
enum MHD_Result bb_http_reply_not_modified (bb_http_reply_t *self,
                                            const bb_http_cache_t *cache);

//  A response to share between requests (bb_page_cache): the size bytes
//  at *body_p (malloc'd; consumed, *body_p set to NULL) of content_type,
//  gzip-encoded when gzipped, with cache's headers. NULL when out of
//  memory (the body is freed). Destroy with MHD_destroy_response; queue
//  it with bb_http_reply_shared as often as needed, from any thread.
struct MHD_Response *bb_http_reply_body_new (const char *content_type,
                                             void **body_p, size_t size,
                                             bool gzipped,
                                             const bb_http_cache_t *cache);

//  A 304 response with cache's headers, to share as above.
struct MHD_Response *bb_http_reply_not_modified_new (
    const bb_http_cache_t *cache);

//  Answer status with response (borrowed: the caller keeps its
//  reference).
enum MHD_Result bb_http_reply_shared (bb_http_reply_t *self, unsigned status,
                                      struct MHD_Response *response);

//  Answer the error status with message in the error body.
enum MHD_Result bb_http_reply_error (bb_http_reply_t *self, unsigned status,
                                     const char *message);

#endif
