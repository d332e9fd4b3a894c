/*  =========================================================================
    bb_token - what the store knows about a token id, and what it is worth

    Owns the store's token rules (the ids themselves and their fixed
    symbol and decimals are common/bb_token_id's): which ids a source may
    report (mempool.space: btc-l1; Hiro: stx and fungible tokens as
    "SP….contract::token"), and the valuation rule: btc-l1 and sBTC at
    the BTC price, stx at the STX price, every other token unpriced. An agent's total is
    the saturating sum of its three priced positions, each rounded to the
    micro-USD exactly as a rendered token's usdValue is, so a row's total
    always equals the sum of its tokens. Pure functions, thread-safe.
    =========================================================================
*/
#ifndef BB_TOKEN_H_INCLUDED
#define BB_TOKEN_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bb_address.h"
#include "bb_record.h"

//  Check that token_id is one that source may report on network. Returns
//  0, or -1 with *reason (static).
int bb_token_check (const char *token_id, bb_upstream_t source,
                    bb_network_t network, const char **reason);

//  The source that reports token_id.
bb_upstream_t bb_token_source (const char *token_id);

//  Price of one whole token_id under prices, micro-USD; 0 = unpriced.
int64_t bb_token_price (const char *token_id, const bb_prices_rec_t *prices);

//  Value of amount raw units of token_id (decimals) at prices, micro-USD.
int64_t bb_token_value (const char *token_id, bb_u128_t amount,
                        unsigned decimals, const bb_prices_rec_t *prices);

//  Total value of an agent's priced positions at prices, micro-USD.
int64_t bb_token_total (const bb_totals_rec_t *totals,
                        const bb_prices_rec_t *prices);

#endif
