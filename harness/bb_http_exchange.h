/*  =========================================================================
    bb_http_exchange - one blocking HTTP exchange, for tests and benchmarks

    Owns the outcome of one GET, POST or other request made with
    libcurl's easy interface: the transport result (a CURLcode), the
    status, the response headers and the whole body. A transport failure (refused, reset, timeout) is not an
    error of this module: it returns an object whose curl code says what
    happened and whose status is 0, so tests can assert on either. Bodies
    of any size are kept (tests check oversized answers). Redirects are
    not followed. libcurl initialises itself on first use; a test that
    starts threads should call curl_global_init in main first.
    =========================================================================
*/
#ifndef BB_HTTP_EXCHANGE_H_INCLUDED
#define BB_HTTP_EXCHANGE_H_INCLUDED

#include <stddef.h>

#include <curl/curl.h>

typedef struct _bb_http_exchange_t bb_http_exchange_t;

//  GET url with extra request headers ("Name: value", NULL-terminated,
//  may be NULL), giving up after timeout_ms. Never returns NULL.
bb_http_exchange_t *bb_http_exchange_get (const char *url,
                                          const char *const headers [],
                                          long timeout_ms);

//  POST body (content_type, e.g. "application/json") to url, as
//  bb_http_exchange_get otherwise.
bb_http_exchange_t *bb_http_exchange_post (const char *url,
                                           const char *content_type,
                                           const char *body,
                                           const char *const headers [],
                                           long timeout_ms);

//  method ("GET", "HEAD", or any other, sent without a body) url on curl,
//  an easy handle the caller keeps (its connection reused from one
//  request to the next), or on a fresh one if curl is NULL; as
//  bb_http_exchange_get otherwise.
bb_http_exchange_t *bb_http_exchange_request (CURL *curl, const char *method,
                                              const char *url,
                                              const char *const headers [],
                                              long timeout_ms);

//  Destroy the exchange and set *self_p to NULL. NULL-safe.
void bb_http_exchange_destroy (bb_http_exchange_t **self_p);

//  The CURLcode of the transfer (0 = CURLE_OK).
int bb_http_exchange_curl_code (bb_http_exchange_t *self);

//  The HTTP status, or 0 when no response arrived.
long bb_http_exchange_status (bb_http_exchange_t *self);

//  The body, NUL-terminated (possibly empty), owned by the exchange.
const char *bb_http_exchange_body (bb_http_exchange_t *self);

//  The body's size in bytes (it may hold NULs).
size_t bb_http_exchange_body_size (bb_http_exchange_t *self);

//  The value of response header name (case-insensitive, the last one if
//  repeated, surrounding spaces trimmed), or NULL. Owned by the exchange.
const char *bb_http_exchange_header (bb_http_exchange_t *self,
                                     const char *name);

#endif
