/*  =========================================================================
    bb_cache - encoded dashboard replies, keyed by what a page depends on

    A dashboard page depends only on the commit it is read at (which
    fixes the rows, the rank index and the price snapshot), its offset
    and its (clamped) limit. The cache keeps the page's encoded bytes
    under that key, so a hot page (every browser asks for the first one)
    costs one lookup and one copy instead of a hundred rows read and
    encoded. Entries of an older commit are dropped as soon as a newer
    one is seen (bb_cache_drop after each change set, or a put at a newer
    commit), so a page after a commit always shows the commit.

    Bounded by entries and bytes; when a new page does not fit the oldest
    go first. Thread-safe: every reader thread shares one cache (a mutex
    guards it; a hit holds it for one copy).

    Encoding: the cache keeps a page's body packed alone (the bytes
    bb_view_dashboard writes, those bb_wire_encode_body gives) and
    splices it behind a header packed per request
    (bb_wire_encode_spliced), so a hit is byte for byte what
    bb_wire_encode makes of the full reply; a page is written once, for
    the cache and for the reply a put returns.
    =========================================================================
*/
#ifndef BB_CACHE_H_INCLUDED
#define BB_CACHE_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <czmq.h>

#include "bb_wire.h"

typedef struct {
    uint64_t seq;               // commit the page is read at
    uint64_t priced_at_ms;      // price snapshot it is valued at
    int64_t offset;
    int64_t limit;              // as clamped
} bb_cache_key_t;

typedef struct _bb_cache_t bb_cache_t;

//  A cache of at most max_entries pages and max_bytes encoded bytes
//  (either 0: a cache that keeps nothing).
bb_cache_t *bb_cache_new (size_t max_entries, size_t max_bytes);

//  Free every entry and the cache, set *self_p to NULL. NULL-safe.
void bb_cache_destroy (bb_cache_t **self_p);

//  The cached page under key as a new frame replying to request_id
//  (the caller sends or destroys it), or NULL on a miss.
zframe_t *bb_cache_get (bb_cache_t *self, const bb_cache_key_t *key,
                        uint64_t request_id);

//  Keep the packed body of a dashboard page (bb_view_dashboard's bytes,
//  size of them; the cache takes *body_p and sets it to NULL) under key,
//  and return the reply to request_id as a new frame (the caller sends
//  or destroys it). Nothing is kept if key's commit is older than the
//  cache's, or the page does not fit at all.
zframe_t *bb_cache_put (bb_cache_t *self, const bb_cache_key_t *key,
                        uint64_t request_id, uint8_t **body_p, size_t size);

//  Drop every page of a commit before seq.
void bb_cache_drop (bb_cache_t *self, uint64_t seq);

//  Pages and encoded bytes held.
size_t bb_cache_entries (bb_cache_t *self);
size_t bb_cache_bytes (bb_cache_t *self);

#endif
