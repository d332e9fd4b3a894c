/*  =========================================================================
    bb_token_cache - the token metadata this fetcher already knows

    Two zhashx keyed by contract (duplicated by the hash): known and
    missing metadata as heap copies of bb_token_meta_t, and the contracts
    held off with the time they may be asked again (heap int64_t); the
    hashes' destructor frees the values.
    =========================================================================
*/
#include "bb_token_cache.h"

#include <assert.h>
#include <stdlib.h>

#include <czmq.h>

struct _bb_token_cache_t {
    zhashx_t *entries;          // contract -> bb_token_meta_t, owned
    zhashx_t *deferred;         // contract -> int64_t until (mono), owned
};

static void
s_value_free (void **item)
{
    free (*item);
    *item = NULL;
}

bb_token_cache_t *
bb_token_cache_new (void)
{
    bb_token_cache_t *self = calloc (1, sizeof *self);
    assert (self);
    self->entries = zhashx_new ();
    self->deferred = zhashx_new ();
    assert (self->entries && self->deferred);
    zhashx_set_destructor (self->entries, s_value_free);
    zhashx_set_destructor (self->deferred, s_value_free);
    return self;
}

void
bb_token_cache_destroy (bb_token_cache_t **self_p)
{
    assert (self_p);
    bb_token_cache_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->entries);
    zhashx_destroy (&self->deferred);
    free (self);
    *self_p = NULL;
}

const bb_token_meta_t *
bb_token_cache_lookup (bb_token_cache_t *self, const char *contract)
{
    assert (self && contract);
    return zhashx_lookup (self->entries, contract);
}

void
bb_token_cache_put (bb_token_cache_t *self, const char *contract,
                    const bb_token_meta_t *meta)
{
    assert (self && contract && meta);
    assert (meta->state != BB_TOKEN_META_PENDING);
    bb_token_meta_t *copy = malloc (sizeof *copy);
    assert (copy);
    *copy = *meta;
    zhashx_update (self->entries, contract, copy);
    zhashx_delete (self->deferred, contract);
}

void
bb_token_cache_defer (bb_token_cache_t *self, const char *contract,
                      int64_t until_ms)
{
    assert (self && contract);
    int64_t *until = malloc (sizeof *until);
    assert (until);
    *until = until_ms;
    zhashx_update (self->deferred, contract, until);
}

bool
bb_token_cache_deferred (bb_token_cache_t *self, const char *contract,
                         int64_t now_ms)
{
    assert (self && contract);
    const int64_t *until = zhashx_lookup (self->deferred, contract);
    if (until && now_ms >= *until) {
        zhashx_delete (self->deferred, contract);
        until = NULL;
    }
    return until != NULL;
}

size_t
bb_token_cache_size (bb_token_cache_t *self)
{
    assert (self);
    return zhashx_size (self->entries);
}
