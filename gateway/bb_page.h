/*  =========================================================================
    bb_page - the /dashboard page: one self-contained HTML document

    Owns the page as served: gateway/dashboard.html, embedded in the binary
    at build time (gateway/embed.cmake), its gzip copy, its strong ETag
    (from the page's SHA-256, so a new build gets a new tag) and its
    Content-Security-Policy. The policy allows the page's one inline
    <style> and one inline <script> by their SHA-256 hashes, computed
    here from the embedded bytes, and nothing else inline: no 'unsafe-
    inline' for either, no external origin (default-src 'self', so the
    page's fetch and EventSource reach this gateway only), no framing,
    no forms, no base URI. Made once at start, then read-only and
    thread-safe.
    =========================================================================
*/
#ifndef BB_PAGE_H_INCLUDED
#define BB_PAGE_H_INCLUDED

#include <microhttpd.h>

#include "bb_http_reply.h"

//  Revalidated after this; a new build changes the ETag.
#define BB_PAGE_CACHE_CONTROL   "public, max-age=300"

typedef struct _bb_page_t bb_page_t;

//  The page with its hashes, tag and gzip copy.
bb_page_t *bb_page_new (void);

//  Free, set *self_p to NULL. NULL-safe.
void bb_page_destroy (bb_page_t **self_p);

//  The Content-Security-Policy header's value. Owned by self.
const char *bb_page_policy (bb_page_t *self);

//  Answer GET or HEAD /dashboard: 200 text/html with the policy, the cache
//  headers and the ETag (gzip-encoded when the client accepts it), or 304
//  when If-None-Match names the tag.
enum MHD_Result bb_page_answer (bb_page_t *self, bb_http_reply_t *reply);

#endif
