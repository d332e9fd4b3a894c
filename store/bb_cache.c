/*  =========================================================================
    bb_cache - encoded dashboard replies, keyed by what a page depends on

    See bb_cache.h. The pages sit in a ring of max_entries slots in the
    order they came: a lookup scans the ring (a few hundred keys at
    most, all of one commit), a put takes the slot after the newest and
    evicts from the oldest on while the bytes would exceed the bound.
    =========================================================================
*/
#include "bb_cache.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    bb_cache_key_t key;
    uint8_t *bytes;             // the body field, packed; NULL: free slot
    size_t size;
} entry_t;

struct _bb_cache_t {
    pthread_mutex_t mutex;      // guards everything below
    entry_t *ring;              // max_entries slots
    size_t max_entries;
    size_t max_bytes;
    size_t next;                // slot the next put takes (the oldest)
    size_t entries;             // slots in use
    size_t bytes;               // sum of their sizes
    uint64_t seq;               // newest commit seen; older pages dropped
};

bb_cache_t *
bb_cache_new (size_t max_entries, size_t max_bytes)
{
    bb_cache_t *self = calloc (1, sizeof *self);
    assert (self);
    self->max_entries = max_bytes ? max_entries : 0;
    self->max_bytes = max_bytes;
    self->ring = calloc (self->max_entries + 1, sizeof *self->ring);
    assert (self->ring);
    pthread_mutex_init (&self->mutex, NULL);
    return self;
}

static void
s_evict (bb_cache_t *self, size_t slot)
{
    entry_t *entry = &self->ring [slot];
    if (!entry->bytes)
        return;
    self->bytes -= entry->size;
    self->entries--;
    free (entry->bytes);
    entry->bytes = NULL;
}

static void
s_evict_all (bb_cache_t *self)
{
    for (size_t slot = 0; slot < self->max_entries; slot++)
        s_evict (self, slot);
    self->next = 0;
}

void
bb_cache_destroy (bb_cache_t **self_p)
{
    assert (self_p);
    bb_cache_t *self = *self_p;
    if (!self)
        return;
    s_evict_all (self);
    pthread_mutex_destroy (&self->mutex);
    free (self->ring);
    free (self);
    *self_p = NULL;
}

static bool
s_key_equal (const bb_cache_key_t *a, const bb_cache_key_t *b)
{
    return a->seq == b->seq && a->priced_at_ms == b->priced_at_ms
        && a->offset == b->offset && a->limit == b->limit;
}

//  The entry under key, or NULL. Hold the mutex.
static entry_t *
s_find (bb_cache_t *self, const bb_cache_key_t *key)
{
    for (size_t slot = 0; slot < self->max_entries; slot++)
        if (self->ring [slot].bytes && s_key_equal (&self->ring [slot].key,
                                                    key))
            return &self->ring [slot];
    return NULL;
}

zframe_t *
bb_cache_get (bb_cache_t *self, const bb_cache_key_t *key,
              uint64_t request_id)
{
    assert (self && key);
    zframe_t *frame = NULL;
    pthread_mutex_lock (&self->mutex);
    entry_t *entry = s_find (self, key);
    if (entry)
        frame = bb_wire_encode_spliced (request_id, entry->bytes,
                                        entry->size);
    pthread_mutex_unlock (&self->mutex);
    return frame;
}

//  Make room for size bytes in the next slot, oldest pages first. Hold
//  the mutex.
static void
s_make_room (bb_cache_t *self, size_t size)
{
    s_evict (self, self->next);
    for (size_t slot = self->next; self->bytes + size > self->max_bytes; ) {
        slot = (slot + 1) % self->max_entries;
        s_evict (self, slot);
    }
}

zframe_t *
bb_cache_put (bb_cache_t *self, const bb_cache_key_t *key,
              uint64_t request_id, uint8_t **body_p, size_t size)
{
    assert (self && key && body_p && *body_p);
    uint8_t *bytes = *body_p;
    *body_p = NULL;
    zframe_t *frame = bb_wire_encode_spliced (request_id, bytes, size);
    pthread_mutex_lock (&self->mutex);
    if (key->seq > self->seq) {
        s_evict_all (self);
        self->seq = key->seq;
    }
    if (key->seq == self->seq && size <= self->max_bytes
    &&  self->max_entries && !s_find (self, key)) {
        s_make_room (self, size);
        self->ring [self->next] = (entry_t) { *key, bytes, size };
        self->next = (self->next + 1) % self->max_entries;
        self->entries++;
        self->bytes += size;
        bytes = NULL;
    }
    pthread_mutex_unlock (&self->mutex);
    free (bytes);
    return frame;
}

void
bb_cache_drop (bb_cache_t *self, uint64_t seq)
{
    assert (self);
    pthread_mutex_lock (&self->mutex);
    if (seq > self->seq) {
        s_evict_all (self);
        self->seq = seq;
    }
    pthread_mutex_unlock (&self->mutex);
}

size_t
bb_cache_entries (bb_cache_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->mutex);
    size_t entries = self->entries;
    pthread_mutex_unlock (&self->mutex);
    return entries;
}

size_t
bb_cache_bytes (bb_cache_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->mutex);
    size_t bytes = self->bytes;
    pthread_mutex_unlock (&self->mutex);
    return bytes;
}
