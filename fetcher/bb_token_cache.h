/*  =========================================================================
    bb_token_cache - the token metadata this fetcher already knows

    Owns a map from contract principal ("SP….name") to its metadata as
    known or missing (404). Entries come from the store (TokenMetaReply)
    or from Hiro's metadata API and never change or expire: a token's
    decimals are fixed at deploy. A pending answer (422) is not kept as
    metadata: the contract is held off until a given time, then asked
    again by a later job (not by every job: some stay pending for good).
    The cache lives as long as the fetcher; across restarts the store
    remembers. One thread.
    =========================================================================
*/
#ifndef BB_TOKEN_CACHE_H_INCLUDED
#define BB_TOKEN_CACHE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bb_upstream_parse.h"

typedef struct _bb_token_cache_t bb_token_cache_t;

bb_token_cache_t *bb_token_cache_new (void);

//  Destroy the cache and set *self_p to NULL. NULL-safe.
void bb_token_cache_destroy (bb_token_cache_t **self_p);

//  The metadata of contract, or NULL if unknown. Owned by the cache.
const bb_token_meta_t *bb_token_cache_lookup (bb_token_cache_t *self,
                                              const char *contract);

//  Remember meta (copied; known or missing, never pending) of contract.
void bb_token_cache_put (bb_token_cache_t *self, const char *contract,
                         const bb_token_meta_t *meta);

//  Hold off asking about contract (Hiro answered 422: metadata still in
//  progress) until until_ms (zclock_mono).
void bb_token_cache_defer (bb_token_cache_t *self, const char *contract,
                           int64_t until_ms);

//  True if contract is held off at now_ms (zclock_mono).
bool bb_token_cache_deferred (bb_token_cache_t *self, const char *contract,
                              int64_t now_ms);

//  Number of contracts known.
size_t bb_token_cache_size (bb_token_cache_t *self);

#endif
