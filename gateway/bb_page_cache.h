/*  =========================================================================
    bb_page_cache - the gateway's cache of rendered dashboard pages

    Owns the pages the gateway has rendered (dashboard pages and agent
    details), so that asking for the same page again costs no store
    request and no rendering. An entry is keyed by what the page depends
    on: the request (its offset and limit, or the agent's address, in the
    key string) and the store state it was rendered at (commit_seq,
    priced_at_ms; for an agent's detail, which names no state, the
    newest state known before the store was asked: never newer than the
    page). It holds the ready responses: the JSON body, its gzip
    form (made once, by the first request that takes gzip), the 304s and
    the ETags.

    An entry is served only while it is younger than the TTL and, once the
    event feed has told the cache the store's newest state
    (bb_page_cache_advance), only while it was rendered at that state. So
    a page is at most one event behind a commit, and a lost event or a
    dead feed can never make it older than the TTL. Each event drops the
    entries of older states; at most entries_max are kept, the least
    recently used going first. A TTL of 0 turns the cache off. Workers
    that miss the same page at once make one store request: the first
    claims the key, the others wait for its entry (bb_page_cache_claim).

    Thread-safe: one mutex guards the index, held for lookups and
    inserts only. An entry is reference-counted and its responses are
    libmicrohttpd's own (themselves reference-counted, queued on any
    number of connections), so a worker sends from an entry with no lock
    held, and an entry evicted meanwhile lives until its last request is
    sent.
    =========================================================================
*/
#ifndef BB_PAGE_CACHE_H_INCLUDED
#define BB_PAGE_CACHE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bb_http_reply.h"

#define BB_PAGE_CACHE_TTL_MS_DEFAULT    1000
#define BB_PAGE_CACHE_ENTRIES_DEFAULT   256

//  The store state a page was rendered at.
typedef struct {
    uint64_t commit_seq;        // the store's write commits
    uint64_t priced_at_ms;      // its price snapshot; 0 = none
} bb_page_cache_state_t;

//  What an answer from an entry says besides its body. Borrowed for the
//  call (copied).
typedef struct {
    const char *cache_control;  // Cache-Control, a static string
    const char *etag;           // quoted strong tag of the plain body;
                                // NULL: none (no ETag, no 304)
    const char *etag_gzip;      // ... of the gzip-encoded one
} bb_page_cache_tags_t;

typedef struct _bb_page_cache_t bb_page_cache_t;
typedef struct _bb_page_cache_entry_t bb_page_cache_entry_t;

//  An empty cache of at most entries_max pages (at least 1), each served
//  for at most ttl_ms; ttl_ms 0: off (bb_page_cache_get finds nothing).
bb_page_cache_t *bb_page_cache_new (size_t entries_max, int64_t ttl_ms);

//  Free, and set *self_p to NULL. NULL-safe. Only once no thread uses
//  the cache; entries still referenced by a request live until it is
//  sent.
void bb_page_cache_destroy (bb_page_cache_t **self_p);

//  True unless the cache is off.
bool bb_page_cache_enabled (bb_page_cache_t *self);

//  The store's newest state, from its events (the event feed's thread):
//  from now on only entries of this state are served; older ones are
//  dropped.
void bb_page_cache_advance (bb_page_cache_t *self,
                            const bb_page_cache_state_t *newest);

//  The newest state the feed has told into *state; false (and zeros)
//  before the first event. An answer the store gives after this call is
//  at least that new, so it may be put with this state when it carries
//  none of its own (an agent's detail). Thread-safe.
bool bb_page_cache_newest (bb_page_cache_t *self,
                           bb_page_cache_state_t *state);

//  The valid entry for key, or NULL. The caller owns a reference and
//  must release it. Thread-safe.
bb_page_cache_entry_t *bb_page_cache_get (bb_page_cache_t *self,
                                          const char *key);

//  As bb_page_cache_get, with one store request per key at a time: when
//  key has no valid entry and another thread is asking the store for it
//  (has claimed it), wait for its entry, at most wait_ms. When this
//  returns NULL and the cache is on, the caller has claimed key and must
//  end the claim: bb_page_cache_put, or bb_page_cache_abandon when the
//  store failed. Thread-safe.
bb_page_cache_entry_t *bb_page_cache_claim (bb_page_cache_t *self,
                                            const char *key,
                                            int64_t wait_ms);

//  End the caller's claim on key without an entry; waiters go on (one
//  of them claims it next). Thread-safe.
void bb_page_cache_abandon (bb_page_cache_t *self, const char *key);

//  Keep the JSON body at *body_p (malloc'd, NUL-terminated; consumed,
//  *body_p set to NULL) rendered at state, with tags, under key (an
//  older entry for key is replaced), ending a claim on key. Returns the
//  entry, with a
//  reference the caller must release, or NULL when out of memory. When
//  the cache is off, the entry is not kept. Thread-safe.
bb_page_cache_entry_t *bb_page_cache_put (bb_page_cache_t *self,
                                          const char *key,
                                          const bb_page_cache_state_t *state,
                                          char **body_p,
                                          const bb_page_cache_tags_t *tags);

//  Drop the caller's reference, and set *entry_p to NULL. NULL-safe.
void bb_page_cache_entry_release (bb_page_cache_entry_t **entry_p);

//  Answer reply from entry: 304 when If-None-Match names its tag, else
//  200 with the body, gzip-encoded when the client takes it (compressed
//  here the first time). Any thread.
enum MHD_Result bb_page_cache_entry_answer (bb_page_cache_entry_t *entry,
                                            bb_http_reply_t *reply);

#endif
