/*  =========================================================================
    bb_page_cache - the gateway's cache of rendered dashboard pages

    The index is a hash (key -> entry) plus a doubly linked list in use
    order: the oldest entry is at the list's head, a hit moves its entry
    to the tail. Both, and the newest state, are guarded by one mutex.
    The cache holds one reference to each entry it keeps, and every
    request using an entry holds one more (an atomic count), so removing
    an entry never frees what a worker is sending. The responses inside
    an entry are made when it is put, except the gzip-encoded body, made
    by the first request that takes gzip and installed with a
    compare-and-swap (a thread that loses the race drops its copy).
    A key being asked of the store is "claimed" (a second hash); a
    worker that misses a claimed key waits on one condition variable,
    broadcast whenever a claim ends, for the entry its claimant puts.
    =========================================================================
*/
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <czmq.h>

#include "bb_etag.h"
#include "bb_gzip.h"
#include "bb_page_cache.h"

#define MS_PER_SECOND   1000
#define NS_PER_MS       1000000L

struct _bb_page_cache_entry_t {
    atomic_uint refs;                       // the cache's and requests'
    char *key;                              // as indexed
    bb_page_cache_state_t state;            // rendered at
    int64_t made_ms;                        // zclock_mono () then
    const char *body;                       // plain JSON, owned by ok
    size_t size;                            // bytes of body
    const char *cache_control;              // static
    char etag [BB_ETAG_SIZE];               // of the plain body
    char etag_gzip [BB_ETAG_SIZE];          // of the gzip-encoded one
    struct MHD_Response *ok;                // 200 plain
    struct MHD_Response *not_modified;      // 304 with etag
    struct MHD_Response *not_modified_gzip; // 304 with etag_gzip
    _Atomic (struct MHD_Response *) ok_gzip;    // 200 gzip, made lazily
    bb_page_cache_entry_t *older;           // use order, while kept
    bb_page_cache_entry_t *newer;
};

struct _bb_page_cache_t {
    pthread_mutex_t lock;                   // guards all below
    pthread_cond_t fetched;                 // a claimed key was put or
                                            // abandoned
    zhashx_t *index;                        // key -> entry
    zhashx_t *claimed;                      // keys being asked of the store
    bb_page_cache_entry_t *oldest;          // least recently used
    bb_page_cache_entry_t *newest_used;     // most recently used
    size_t entries_max;
    int64_t ttl_ms;                         // 0: off
    bool state_known;                       // an event has come
    bb_page_cache_state_t newest;           // the newest event's state
};

//  ---------------------------------------------------------------------------
//  Entries

static void
s_entry_destroy (bb_page_cache_entry_t *entry)
{
    if (entry->ok)
        MHD_destroy_response (entry->ok);
    if (entry->not_modified)
        MHD_destroy_response (entry->not_modified);
    if (entry->not_modified_gzip)
        MHD_destroy_response (entry->not_modified_gzip);
    struct MHD_Response *gzip = atomic_load (&entry->ok_gzip);
    if (gzip)
        MHD_destroy_response (gzip);
    free (entry->key);
    free (entry);
}

void
bb_page_cache_entry_release (bb_page_cache_entry_t **entry_p)
{
    assert (entry_p);
    bb_page_cache_entry_t *entry = *entry_p;
    if (entry && atomic_fetch_sub (&entry->refs, 1) == 1)
        s_entry_destroy (entry);
    *entry_p = NULL;
}

//  tag, or NULL when it is empty (the entry has no tags).
static const char *
s_tag (const char *tag)
{
    return *tag ? tag : NULL;
}

//  A new entry with one reference, or NULL when out of memory.
static bb_page_cache_entry_t *
s_entry_new (const char *key, const bb_page_cache_state_t *state,
             char **body_p, const bb_page_cache_tags_t *tags)
{
    bb_page_cache_entry_t *entry = calloc (1, sizeof *entry);
    assert (entry);
    atomic_init (&entry->refs, 1);
    atomic_init (&entry->ok_gzip, NULL);
    entry->key = strdup (key);
    entry->state = *state;
    entry->made_ms = zclock_mono ();
    entry->body = *body_p;
    entry->size = strlen (*body_p);
    entry->cache_control = tags->cache_control;
    snprintf (entry->etag, sizeof entry->etag, "%s",
              tags->etag ? tags->etag : "");
    snprintf (entry->etag_gzip, sizeof entry->etag_gzip, "%s",
              tags->etag_gzip ? tags->etag_gzip : "");
    bb_http_cache_t plain = { entry->cache_control, s_tag (entry->etag) };
    bb_http_cache_t gzip = {
        entry->cache_control, s_tag (entry->etag_gzip)
    };
    entry->ok = bb_http_reply_body_new (BB_HTTP_JSON_TYPE, (void **) body_p,
                                        entry->size, false, &plain);
    entry->not_modified = bb_http_reply_not_modified_new (&plain);
    entry->not_modified_gzip = bb_http_reply_not_modified_new (&gzip);
    if (!entry->key || !entry->ok || !entry->not_modified
    ||  !entry->not_modified_gzip) {
        s_entry_destroy (entry);
        return NULL;
    }
    return entry;
}

//  The 200 gzip response of entry, made on first use; NULL when out of
//  memory.
static struct MHD_Response *
s_entry_gzip (bb_page_cache_entry_t *entry)
{
    struct MHD_Response *response = atomic_load (&entry->ok_gzip);
    if (response)
        return response;
    void *gzipped = NULL;
    size_t gzipped_size = 0;
    if (bb_gzip_compress (entry->body, entry->size, &gzipped, &gzipped_size))
        return NULL;
    bb_http_cache_t cache = {
        entry->cache_control, s_tag (entry->etag_gzip)
    };
    response = bb_http_reply_body_new (BB_HTTP_JSON_TYPE, &gzipped,
                                       gzipped_size, true, &cache);
    struct MHD_Response *expected = NULL;
    if (response
    &&  !atomic_compare_exchange_strong (&entry->ok_gzip, &expected,
                                         response)) {
        MHD_destroy_response (response);     // another thread made it
        response = expected;
    }
    return response;
}

enum MHD_Result
bb_page_cache_entry_answer (bb_page_cache_entry_t *entry,
                            bb_http_reply_t *reply)
{
    assert (entry && reply);
    const char *if_none_match = MHD_lookup_connection_value (
        reply->connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    const char *etag = s_tag (reply->gzip ? entry->etag_gzip : entry->etag);
    if (etag && bb_etag_matches (if_none_match, etag))
        return bb_http_reply_shared (reply, MHD_HTTP_NOT_MODIFIED,
                                     reply->gzip ? entry->not_modified_gzip
                                                 : entry->not_modified);
    struct MHD_Response *gzip = reply->gzip ? s_entry_gzip (entry) : NULL;
    return bb_http_reply_shared (reply, MHD_HTTP_OK, gzip ? gzip : entry->ok);
}

//  ---------------------------------------------------------------------------
//  The index (the caller holds the lock)

static void
s_unlink (bb_page_cache_t *self, bb_page_cache_entry_t *entry)
{
    if (entry->older)
        entry->older->newer = entry->newer;
    else
        self->oldest = entry->newer;
    if (entry->newer)
        entry->newer->older = entry->older;
    else
        self->newest_used = entry->older;
    entry->older = entry->newer = NULL;
}

static void
s_link_newest (bb_page_cache_t *self, bb_page_cache_entry_t *entry)
{
    entry->older = self->newest_used;
    entry->newer = NULL;
    if (self->newest_used)
        self->newest_used->newer = entry;
    else
        self->oldest = entry;
    self->newest_used = entry;
}

//  Forget entry and drop the cache's reference.
static void
s_remove (bb_page_cache_t *self, bb_page_cache_entry_t *entry)
{
    zhashx_delete (self->index, entry->key);
    s_unlink (self, entry);
    bb_page_cache_entry_release (&entry);
}

static bool
s_same_state (const bb_page_cache_state_t *a, const bb_page_cache_state_t *b)
{
    return a->commit_seq == b->commit_seq
        && a->priced_at_ms == b->priced_at_ms;
}

//  True while entry may be served: young enough and, once the newest
//  state is known, rendered at it.
static bool
s_valid (bb_page_cache_t *self, bb_page_cache_entry_t *entry, int64_t now)
{
    return now - entry->made_ms < self->ttl_ms
        && (!self->state_known || s_same_state (&entry->state,
                                                &self->newest));
}

//  True if entry can never be served again: too old, or rendered before
//  the newest state. A page the store rendered after a commit whose
//  event is still to come is kept for that event.
static bool
s_outdated (bb_page_cache_t *self, bb_page_cache_entry_t *entry, int64_t now)
{
    if (now - entry->made_ms >= self->ttl_ms)
        return true;
    if (!self->state_known)
        return false;
    return entry->state.commit_seq < self->newest.commit_seq
        || (entry->state.commit_seq == self->newest.commit_seq
            && entry->state.priced_at_ms != self->newest.priced_at_ms);
}

//  ---------------------------------------------------------------------------
//  The cache

bb_page_cache_t *
bb_page_cache_new (size_t entries_max, int64_t ttl_ms)
{
    assert (ttl_ms >= 0);
    bb_page_cache_t *self = calloc (1, sizeof *self);
    assert (self);
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->fetched, NULL);
    self->index = zhashx_new ();
    self->claimed = zhashx_new ();
    assert (self->index && self->claimed);
    self->entries_max = entries_max ? entries_max : 1;
    self->ttl_ms = ttl_ms;
    return self;
}

void
bb_page_cache_destroy (bb_page_cache_t **self_p)
{
    assert (self_p);
    bb_page_cache_t *self = *self_p;
    if (!self)
        return;
    while (self->oldest)
        s_remove (self, self->oldest);
    zhashx_destroy (&self->index);
    zhashx_destroy (&self->claimed);
    pthread_cond_destroy (&self->fetched);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

bool
bb_page_cache_enabled (bb_page_cache_t *self)
{
    assert (self);
    return self->ttl_ms > 0;
}

bool
bb_page_cache_newest (bb_page_cache_t *self, bb_page_cache_state_t *state)
{
    assert (self && state);
    pthread_mutex_lock (&self->lock);
    bool known = self->state_known;
    *state = known ? self->newest : (bb_page_cache_state_t) { 0, 0 };
    pthread_mutex_unlock (&self->lock);
    return known;
}

void
bb_page_cache_advance (bb_page_cache_t *self,
                       const bb_page_cache_state_t *newest)
{
    assert (self && newest);
    pthread_mutex_lock (&self->lock);
    self->state_known = true;
    self->newest = *newest;
    int64_t now = zclock_mono ();
    bb_page_cache_entry_t *entry = self->oldest;
    while (entry) {
        bb_page_cache_entry_t *newer = entry->newer;
        if (s_outdated (self, entry, now))
            s_remove (self, entry);
        entry = newer;
    }
    pthread_mutex_unlock (&self->lock);
}

//  The valid entry for key with a reference taken, or NULL (the caller
//  holds the lock).
static bb_page_cache_entry_t *
s_lookup (bb_page_cache_t *self, const char *key)
{
    bb_page_cache_entry_t *entry = zhashx_lookup (self->index, key);
    int64_t now = zclock_mono ();
    if (entry && !s_valid (self, entry, now)) {
        if (s_outdated (self, entry, now))
            s_remove (self, entry);
        entry = NULL;
    }
    if (entry) {
        s_unlink (self, entry);
        s_link_newest (self, entry);
        atomic_fetch_add (&entry->refs, 1);
    }
    return entry;
}

bb_page_cache_entry_t *
bb_page_cache_get (bb_page_cache_t *self, const char *key)
{
    assert (self && key);
    if (!self->ttl_ms)
        return NULL;
    pthread_mutex_lock (&self->lock);
    bb_page_cache_entry_t *entry = s_lookup (self, key);
    pthread_mutex_unlock (&self->lock);
    return entry;
}

//  Wait on fetched until key is not claimed or until deadline_ms (a
//  zclock_time); the caller holds the lock.
static void
s_wait_unclaimed (bb_page_cache_t *self, const char *key, int64_t deadline_ms)
{
    while (zhashx_lookup (self->claimed, key)
       &&  zclock_time () < deadline_ms) {
        struct timespec deadline = {
            (time_t) (deadline_ms / MS_PER_SECOND),
            (long) (deadline_ms % MS_PER_SECOND) * NS_PER_MS
        };
        pthread_cond_timedwait (&self->fetched, &self->lock, &deadline);
    }
}

bb_page_cache_entry_t *
bb_page_cache_claim (bb_page_cache_t *self, const char *key, int64_t wait_ms)
{
    assert (self && key);
    if (!self->ttl_ms)
        return NULL;
    pthread_mutex_lock (&self->lock);
    bb_page_cache_entry_t *entry = s_lookup (self, key);
    if (!entry && zhashx_lookup (self->claimed, key)) {
        s_wait_unclaimed (self, key, zclock_time () + wait_ms);
        entry = s_lookup (self, key);
    }
    if (!entry)
        zhashx_update (self->claimed, key, self);   // a marker: ours now
    pthread_mutex_unlock (&self->lock);
    return entry;
}

//  Release the claim on key, if any, and wake its waiters (the caller
//  holds the lock).
static void
s_unclaim (bb_page_cache_t *self, const char *key)
{
    if (zhashx_lookup (self->claimed, key)) {
        zhashx_delete (self->claimed, key);
        pthread_cond_broadcast (&self->fetched);
    }
}

void
bb_page_cache_abandon (bb_page_cache_t *self, const char *key)
{
    assert (self && key);
    pthread_mutex_lock (&self->lock);
    s_unclaim (self, key);
    pthread_mutex_unlock (&self->lock);
}

bb_page_cache_entry_t *
bb_page_cache_put (bb_page_cache_t *self, const char *key,
                   const bb_page_cache_state_t *state, char **body_p,
                   const bb_page_cache_tags_t *tags)
{
    assert (self && key && state && body_p && *body_p && tags);
    bb_page_cache_entry_t *entry = s_entry_new (key, state, body_p, tags);
    if (!entry) {
        bb_page_cache_abandon (self, key);
        return NULL;
    }
    if (!self->ttl_ms)
        return entry;
    atomic_fetch_add (&entry->refs, 1);         // the cache's
    pthread_mutex_lock (&self->lock);
    bb_page_cache_entry_t *replaced = zhashx_lookup (self->index, key);
    if (replaced)
        s_remove (self, replaced);
    while (zhashx_size (self->index) >= self->entries_max)
        s_remove (self, self->oldest);
    zhashx_insert (self->index, entry->key, entry);
    s_link_newest (self, entry);
    s_unclaim (self, key);
    pthread_mutex_unlock (&self->lock);
    return entry;
}
