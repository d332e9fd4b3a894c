/*  =========================================================================
    bb_token - what the store knows about a token id, and what it is worth

    Owns the token rules; see the header. The shape of a fungible token id
    is checked by common/bb_token_id.
    =========================================================================
*/
#include "bb_token.h"

#include <stdio.h>
#include <string.h>

int
bb_token_check (const char *token_id, bb_upstream_t source,
                bb_network_t network, const char **reason)
{
    bb_token_kind_t kind = bb_token_id_kind (token_id);
    if (source == BB_UPSTREAM_MEMPOOL) {
        if (kind == BB_TOKEN_KIND_BTC)
            return 0;
        *reason = "mempool.space reports only btc-l1";
        return -1;
    }
    if (kind == BB_TOKEN_KIND_BTC) {
        *reason = "btc-l1 comes from mempool.space, not hiro";
        return -1;
    }
    if (kind == BB_TOKEN_KIND_FT)
        return bb_token_id_check_ft (token_id, network, reason);
    return 0;
}

bb_upstream_t
bb_token_source (const char *token_id)
{
    return bb_token_id_kind (token_id) == BB_TOKEN_KIND_BTC
         ? BB_UPSTREAM_MEMPOOL : BB_UPSTREAM_HIRO;
}

int64_t
bb_token_price (const char *token_id, const bb_prices_rec_t *prices)
{
    switch (bb_token_id_kind (token_id)) {
        case BB_TOKEN_KIND_BTC:
        case BB_TOKEN_KIND_SBTC:
            return prices->btc_usd_micro;
        case BB_TOKEN_KIND_STX:
            return prices->stx_usd_micro;
        default:
            return 0;
    }
}

int64_t
bb_token_value (const char *token_id, bb_u128_t amount, unsigned decimals,
                const bb_prices_rec_t *prices)
{
    return bb_u128_usd_micro (amount, decimals,
                              bb_token_price (token_id, prices));
}

//  a + b, saturating at INT64_MAX (both are >= 0).
static int64_t
s_add (int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

int64_t
bb_token_total (const bb_totals_rec_t *totals, const bb_prices_rec_t *prices)
{
    int64_t btc = bb_u128_usd_micro (totals->btc_l1, BB_TOKEN_DECIMALS_BTC,
                                     prices->btc_usd_micro);
    int64_t sbtc = bb_u128_usd_micro (totals->sbtc, BB_TOKEN_DECIMALS_SBTC,
                                      prices->btc_usd_micro);
    int64_t stx = bb_u128_usd_micro (totals->ustx, BB_TOKEN_DECIMALS_STX,
                                     prices->stx_usd_micro);
    return s_add (s_add (btc, sbtc), stx);
}
