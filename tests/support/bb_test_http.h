/*  =========================================================================
    bb_test_http - one blocking HTTP exchange, for tests

    Owns the outcome of one GET or POST made with libcurl's easy interface:
    the transport result (a CURLcode), the status, the response headers and
    the whole body. A transport failure (refused, reset, timeout) is not an
    error of this module: it returns an object whose curl code says what
    happened and whose status is 0, so tests can assert on either. Bodies
    of any size are kept (tests check oversized answers). Redirects are
    not followed. libcurl initialises itself on first use; a test that
    starts threads should call curl_global_init in main first.
    =========================================================================
*/
#ifndef BB_TEST_HTTP_H_INCLUDED
#define BB_TEST_HTTP_H_INCLUDED

#include <stddef.h>

typedef struct _bb_test_http_t bb_test_http_t;

//  GET url with extra request headers ("Name: value", NULL-terminated,
//  may be NULL), giving up after timeout_ms. Never returns NULL.
bb_test_http_t *bb_test_http_get (const char *url, const char *const headers [],
                                  long timeout_ms);

//  POST body (content_type, e.g. "application/json") to url, as
//  bb_test_http_get otherwise.
bb_test_http_t *bb_test_http_post (const char *url, const char *content_type,
                                   const char *body,
                                   const char *const headers [],
                                   long timeout_ms);

//  Destroy the exchange and set *self_p to NULL. NULL-safe.
void bb_test_http_destroy (bb_test_http_t **self_p);

//  The CURLcode of the transfer (0 = CURLE_OK).
int bb_test_http_curl_code (bb_test_http_t *self);

//  The HTTP status, or 0 when no response arrived.
long bb_test_http_status (bb_test_http_t *self);

//  The body, NUL-terminated (possibly empty), owned by the exchange.
const char *bb_test_http_body (bb_test_http_t *self);

//  The body's size in bytes (it may hold NULs).
size_t bb_test_http_body_size (bb_test_http_t *self);

//  The value of response header name (case-insensitive, the last one if
//  repeated, surrounding spaces trimmed), or NULL. Owned by the exchange.
const char *bb_test_http_header (bb_test_http_t *self, const char *name);

#endif
