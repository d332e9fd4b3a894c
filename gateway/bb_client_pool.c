/*  =========================================================================
    bb_client_pool - one store client and one scheduler client per thread
    =========================================================================
*/
#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bb_client_pool.h"
#include "bb_log.h"

typedef struct {
    bool taken;                 // owner is set
    pthread_t owner;            // the only thread that uses these clients
    bb_client_t *store;         // made on first use
    bb_client_t *scheduler;     // made on first use
} slot_t;

struct _bb_client_pool_t {
    char *store_endpoint;
    char *scheduler_endpoint;
    int timeout_ms;
    bb_curve_t *curve;          // CURVE to the scheduler, or NULL
    pthread_mutex_t lock;       // guards the taking of slots
    slot_t *slots;
    size_t slot_count;
};

//  True if endpoint is one a client can connect to.
static bool
s_endpoint_valid (const char *endpoint)
{
    bb_client_t *client = bb_client_new (endpoint, 0);
    bool valid = client != NULL;
    bb_client_destroy (&client);
    return valid;
}

bb_client_pool_t *
bb_client_pool_new (const char *store_endpoint,
                    const char *scheduler_endpoint, int timeout_ms,
                    size_t threads)
{
    assert (store_endpoint && scheduler_endpoint && threads);
    if (!s_endpoint_valid (store_endpoint)
    ||  !s_endpoint_valid (scheduler_endpoint))
        return NULL;
    bb_client_pool_t *self = calloc (1, sizeof *self);
    assert (self);
    self->store_endpoint = strdup (store_endpoint);
    self->scheduler_endpoint = strdup (scheduler_endpoint);
    self->slots = calloc (threads, sizeof *self->slots);
    assert (self->store_endpoint && self->scheduler_endpoint && self->slots);
    self->slot_count = threads;
    self->timeout_ms = timeout_ms;
    pthread_mutex_init (&self->lock, NULL);
    return self;
}

void
bb_client_pool_set_curve (bb_client_pool_t *self, bb_curve_t *curve)
{
    assert (self);
    self->curve = curve;
}

void
bb_client_pool_destroy (bb_client_pool_t **self_p)
{
    assert (self_p);
    bb_client_pool_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->slot_count; i++) {
        bb_client_destroy (&self->slots [i].store);
        bb_client_destroy (&self->slots [i].scheduler);
    }
    pthread_mutex_destroy (&self->lock);
    free (self->slots);
    free (self->scheduler_endpoint);
    free (self->store_endpoint);
    free (self);
    *self_p = NULL;
}

//  The calling thread's slot, taken on its first call; NULL when every
//  slot belongs to another thread.
static slot_t *
s_slot (bb_client_pool_t *self)
{
    pthread_t thread = pthread_self ();
    slot_t *found = NULL;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < self->slot_count && !found; i++)
        if (self->slots [i].taken
        &&  pthread_equal (self->slots [i].owner, thread))
            found = &self->slots [i];
    for (size_t i = 0; i < self->slot_count && !found; i++)
        if (!self->slots [i].taken) {
            found = &self->slots [i];
            found->taken = true;
            found->owner = thread;
        }
    pthread_mutex_unlock (&self->lock);
    if (!found)
        bb_error ("client_pool_full", "threads=%zu", self->slot_count);
    return found;
}

bb_client_t *
bb_client_pool_store (bb_client_pool_t *self)
{
    slot_t *slot = s_slot (self);
    if (slot && !slot->store)
        slot->store = bb_client_new (self->store_endpoint, self->timeout_ms);
    return slot ? slot->store : NULL;
}

bb_client_t *
bb_client_pool_scheduler (bb_client_pool_t *self)
{
    slot_t *slot = s_slot (self);
    if (slot && !slot->scheduler)
        slot->scheduler = bb_client_new_curve (self->scheduler_endpoint,
                                               self->timeout_ms,
                                               self->curve);
    return slot ? slot->scheduler : NULL;
}
