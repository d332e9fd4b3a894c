/*  =========================================================================
    bb_balances - the non-zero token positions one source reported

    Owns a small ordered list of (token id, raw u128 amount) for one
    agent and one upstream, as the parsers find them and the batch sends
    them. Zero amounts are never kept: a position the upstream lists
    with 0 (or, in Hiro v1, a negative balance) is a real zero, and the
    batch carries only non-zero positions. A token is kept once; setting
    it again replaces its amount (v3 pages may shift between requests).
    Lookups are linear: an agent holds tens of tokens, not thousands.
    =========================================================================
*/
#ifndef BB_BALANCES_H_INCLUDED
#define BB_BALANCES_H_INCLUDED

#include <stddef.h>

#include "bb_u128.h"

typedef struct _bb_balances_t bb_balances_t;

//  Create an empty list.
bb_balances_t *bb_balances_new (void);

//  Destroy the list and set *self_p to NULL. NULL-safe.
void bb_balances_destroy (bb_balances_t **self_p);

//  Record amount for token_id (copied). A zero amount removes the token
//  if it was held, else does nothing.
void bb_balances_set (bb_balances_t *self, const char *token_id,
                      bb_u128_t amount);

//  Forget every position.
void bb_balances_clear (bb_balances_t *self);

//  Number of positions, in the order they were first set.
size_t bb_balances_size (bb_balances_t *self);

//  Token id of position index (< size), owned by the list until it
//  changes.
const char *bb_balances_token (bb_balances_t *self, size_t index);

//  Amount of position index (< size), never 0.
bb_u128_t bb_balances_amount (bb_balances_t *self, size_t index);

//  Amount held of token_id, 0 if none.
bb_u128_t bb_balances_find (bb_balances_t *self, const char *token_id);

#endif
