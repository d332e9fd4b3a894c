/*  =========================================================================
    bb_page - the /dashboard page: one self-contained HTML document
    =========================================================================
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "bb_etag.h"
#include "bb_gzip.h"
#include "bb_page.h"

#define HTML_TYPE       "text/html; charset=utf-8"
#define BASE64_SIZE     48      // a SHA-256 in base64 (44) and NUL
#define HASH_TEXT_SIZE  64      // "'sha256-" base64 "'" and NUL
#define POLICY_SIZE     512
#define TAG_SIZE        48

//  The page, from the build (gateway/embed.cmake).
extern const char bb_page_html [];
extern const size_t bb_page_html_size;

struct _bb_page_t {
    void *gzipped;                  // the page gzip-encoded
    size_t gzipped_size;
    char policy [POLICY_SIZE];      // Content-Security-Policy
    char etag [TAG_SIZE];           // quoted strong tag, plain
    char etag_gzip [TAG_SIZE];      // ... gzip-encoded
};

//  "'sha256-<base64>'" of the text between the open tag that starts a
//  line (the page's comment may name a tag, never at a line's start) and
//  the close tag after it, into source (HASH_TEXT_SIZE bytes).
static void
s_inline_hash (const char *open, const char *close, char *source)
{
    const char *start = strstr (bb_page_html, open);
    assert (start);                 // the page has it: a build defect else
    start += strlen (open);     // open starts with the newline
    const char *end = strstr (start, close);
    assert (end);
    unsigned char digest [EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    EVP_Digest (start, (size_t) (end - start), digest, &digest_size,
                EVP_sha256 (), NULL);
    unsigned char base64 [BASE64_SIZE];
    EVP_EncodeBlock (base64, digest, (int) digest_size);
    snprintf (source, HASH_TEXT_SIZE, "'sha256-%s'", base64);
}

static void
s_policy (bb_page_t *self)
{
    char script [HASH_TEXT_SIZE], style [HASH_TEXT_SIZE];
    s_inline_hash ("\n<script>", "</script>", script);
    s_inline_hash ("\n<style>", "</style>", style);
    snprintf (self->policy, sizeof self->policy,
              "default-src 'self'; script-src %s; style-src %s; "
              "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'none'", script, style);
}

static void
s_etags (bb_page_t *self)
{
    unsigned char digest [EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    EVP_Digest (bb_page_html, bb_page_html_size, digest, &digest_size,
                EVP_sha256 (), NULL);
    char hex [17];
    for (size_t i = 0; i < 8; i++)
        snprintf (hex + 2 * i, 3, "%02x", digest [i]);
    snprintf (self->etag, sizeof self->etag, "\"page-%s\"", hex);
    snprintf (self->etag_gzip, sizeof self->etag_gzip, "\"page-%s-gzip\"",
              hex);
}

bb_page_t *
bb_page_new (void)
{
    bb_page_t *self = calloc (1, sizeof *self);
    assert (self);
    s_policy (self);
    s_etags (self);
    if (bb_gzip_compress (bb_page_html, bb_page_html_size, &self->gzipped,
                          &self->gzipped_size))
        self->gzipped = NULL;       // out of memory: served plain
    return self;
}

void
bb_page_destroy (bb_page_t **self_p)
{
    assert (self_p);
    bb_page_t *self = *self_p;
    if (!self)
        return;
    free (self->gzipped);
    free (self);
    *self_p = NULL;
}

const char *
bb_page_policy (bb_page_t *self)
{
    assert (self);
    return self->policy;
}

static void
s_headers (bb_page_t *self, struct MHD_Response *response, const char *etag)
{
    MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL,
                             BB_PAGE_CACHE_CONTROL);
    MHD_add_response_header (response, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header (response, MHD_HTTP_HEADER_VARY,
                             MHD_HTTP_HEADER_ACCEPT_ENCODING);
    MHD_add_response_header (response, "Content-Security-Policy",
                             self->policy);
    MHD_add_response_header (response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header (response, "Referrer-Policy", "no-referrer");
}

enum MHD_Result
bb_page_answer (bb_page_t *self, bb_http_reply_t *reply)
{
    assert (self && reply);
    bool gzip = reply->gzip && self->gzipped;
    const char *etag = gzip ? self->etag_gzip : self->etag;
    bool cached = bb_etag_matches (MHD_lookup_connection_value (
        reply->connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
        etag);
    struct MHD_Response *response = cached
        ? MHD_create_response_from_buffer (0, NULL, MHD_RESPMEM_PERSISTENT)
        : MHD_create_response_from_buffer (
              gzip ? self->gzipped_size : bb_page_html_size,
              gzip ? self->gzipped : (void *) bb_page_html,
              MHD_RESPMEM_PERSISTENT);
    if (!response)
        return MHD_NO;
    s_headers (self, response, etag);
    if (!cached) {
        MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                 HTML_TYPE);
        if (gzip)
            MHD_add_response_header (response,
                                     MHD_HTTP_HEADER_CONTENT_ENCODING,
                                     "gzip");
    }
    reply->status = cached ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK;
    enum MHD_Result result = MHD_queue_response (reply->connection,
                                                 reply->status, response);
    MHD_destroy_response (response);
    return result;
}
