/*  =========================================================================
    bb_http_exchange - one blocking HTTP exchange, for tests and benchmarks

    Owns the body buffer and the header lines of one response. The header
    callback keeps only the last response's headers (a new status line
    clears them), so interim answers never leak into lookups.
    =========================================================================
*/
#include "bb_http_exchange.h"
#include "bb_buffer.h"

#include <assert.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#define HEADERS_MAX 64

struct _bb_http_exchange_t {
    int curl_code;
    long status;
    bb_buffer_t body;
    char *headers [HEADERS_MAX];        // owned "Name: value" lines
    size_t header_count;
};

static void
s_headers_clear (bb_http_exchange_t *self)
{
    for (size_t index = 0; index < self->header_count; index++)
        free (self->headers [index]);
    self->header_count = 0;
}

static size_t
s_on_body (char *data, size_t size, size_t count, void *arg)
{
    bb_http_exchange_t *self = arg;
    size_t length = size * count;
    if (bb_buffer_append (&self->body, data, length))
        return 0;                       // makes curl fail the transfer
    return length;
}

static size_t
s_on_header (char *data, size_t size, size_t count, void *arg)
{
    bb_http_exchange_t *self = arg;
    size_t length = size * count;
    if (length >= 5 && strncmp (data, "HTTP/", 5) == 0)
        s_headers_clear (self);
    while (length && isspace ((unsigned char) data [length - 1]))
        length--;
    if (length && self->header_count < HEADERS_MAX) {
        char *line = strndup (data, length);
        assert (line);
        self->headers [self->header_count++] = line;
    }
    return size * count;
}

//  A new exchange with an empty body.
static bb_http_exchange_t *
s_new (void)
{
    bb_http_exchange_t *self = calloc (1, sizeof *self);
    assert (self);
    return self;
}

//  Run one transfer on curl: post_body NULL means method without a body,
//  else a POST of post_body.
static bb_http_exchange_t *
s_exchange (CURL *curl, const char *method, const char *url,
            const char *content_type, const char *post_body,
            const char *const headers [], long timeout_ms)
{
    assert (curl && method && url);
    bb_http_exchange_t *self = s_new ();
    bool plain = strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0
              || post_body;
    curl_easy_setopt (curl, CURLOPT_NOBODY, (long) !strcmp (method, "HEAD"));
    curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, plain ? NULL : method);
    struct curl_slist *list = NULL;
    for (size_t index = 0; headers && headers [index]; index++)
        list = curl_slist_append (list, headers [index]);
    if (post_body) {
        char type_header [128];
        snprintf (type_header, sizeof type_header, "Content-Type: %s",
                  content_type ? content_type : "application/json");
        list = curl_slist_append (list, type_header);
        list = curl_slist_append (list, "Expect:");
        curl_easy_setopt (curl, CURLOPT_POSTFIELDS, post_body);
    }
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, self);
    curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt (curl, CURLOPT_HEADERDATA, self);
    self->curl_code = (int) curl_easy_perform (curl);
    if (self->curl_code == CURLE_OK)
        curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &self->status);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all (list);
    return self;
}

//  s_exchange on a fresh easy handle.
static bb_http_exchange_t *
s_exchange_once (const char *method, const char *url,
                 const char *content_type, const char *post_body,
                 const char *const headers [], long timeout_ms)
{
    CURL *curl = curl_easy_init ();
    assert (curl);
    bb_http_exchange_t *self = s_exchange (curl, method, url, content_type,
                                           post_body, headers, timeout_ms);
    curl_easy_cleanup (curl);
    return self;
}

bb_http_exchange_t *
bb_http_exchange_get (const char *url, const char *const headers [],
                      long timeout_ms)
{
    return s_exchange_once ("GET", url, NULL, NULL, headers, timeout_ms);
}

bb_http_exchange_t *
bb_http_exchange_post (const char *url, const char *content_type,
                       const char *body, const char *const headers [],
                       long timeout_ms)
{
    assert (body);
    return s_exchange_once ("POST", url, content_type, body, headers,
                            timeout_ms);
}

bb_http_exchange_t *
bb_http_exchange_request (CURL *curl, const char *method, const char *url,
                          const char *const headers [], long timeout_ms)
{
    if (!curl)
        return s_exchange_once (method, url, NULL, NULL, headers,
                                timeout_ms);
    return s_exchange (curl, method, url, NULL, NULL, headers, timeout_ms);
}

void
bb_http_exchange_destroy (bb_http_exchange_t **self_p)
{
    assert (self_p);
    bb_http_exchange_t *self = *self_p;
    if (!self)
        return;
    s_headers_clear (self);
    bb_buffer_free (&self->body);
    free (self);
    *self_p = NULL;
}

int
bb_http_exchange_curl_code (bb_http_exchange_t *self)
{
    assert (self);
    return self->curl_code;
}

long
bb_http_exchange_status (bb_http_exchange_t *self)
{
    assert (self);
    return self->status;
}

const char *
bb_http_exchange_body (bb_http_exchange_t *self)
{
    assert (self);
    return self->body.data ? self->body.data : "";
}

size_t
bb_http_exchange_body_size (bb_http_exchange_t *self)
{
    assert (self);
    return self->body.size;
}

const char *
bb_http_exchange_header (bb_http_exchange_t *self, const char *name)
{
    assert (self);
    assert (name);
    size_t length = strlen (name);
    for (size_t index = self->header_count; index-- > 0; ) {
        const char *line = self->headers [index];
        if (strncasecmp (line, name, length) == 0 && line [length] == ':') {
            const char *value = line + length + 1;
            while (isspace ((unsigned char) *value))
                value++;
            return value;
        }
    }
    return NULL;
}
