/*  =========================================================================
    bb_token_cache - the token metadata this fetcher already knows

    A zhashx keyed by contract (duplicated by the hash) whose values are
    heap copies of bb_token_meta_t, freed by the hash's destructor.
    =========================================================================
*/
#include "bb_token_cache.h"

#include <assert.h>
#include <stdlib.h>

#include <czmq.h>

struct _bb_token_cache_t {
    zhashx_t *entries;          // contract -> bb_token_meta_t, owned
};

static void
s_meta_free (void **item)
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
    assert (self->entries);
    zhashx_set_destructor (self->entries, s_meta_free);
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
}

size_t
bb_token_cache_size (bb_token_cache_t *self)
{
    assert (self);
    return zhashx_size (self->entries);
}
