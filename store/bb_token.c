/*  =========================================================================
    bb_token - what the store knows about a token id, and what it is worth

    Owns the token rules; see the header. A fungible token id is
    "<contract principal>::<asset name>"; the asset name follows Clarity's
    identifier rules loosely (a letter, then up to 127 printable ASCII
    characters other than ':'), which is enough to keep the id safe in a
    key and in JSON.
    =========================================================================
*/
#include "bb_token.h"

#include <stdio.h>
#include <string.h>

#define BB_ASSET_NAME_MAX   128
#define BB_BTC_DECIMALS     8
#define BB_STX_DECIMALS     6
#define BB_SBTC_DECIMALS    8

bb_token_kind_t
bb_token_kind (const char *token_id)
{
    if (strcmp (token_id, BB_TOKEN_BTC) == 0)
        return BB_TOKEN_KIND_BTC;
    if (strcmp (token_id, BB_TOKEN_STX) == 0)
        return BB_TOKEN_KIND_STX;
    if (strcmp (token_id, BB_TOKEN_SBTC) == 0)
        return BB_TOKEN_KIND_SBTC;
    return BB_TOKEN_KIND_FT;
}

static bool
s_asset_name_ok (const char *name)
{
    size_t length = strlen (name);
    if (length == 0 || length > BB_ASSET_NAME_MAX)
        return false;
    if (!((name [0] >= 'a' && name [0] <= 'z')
       || (name [0] >= 'A' && name [0] <= 'Z')))
        return false;
    for (size_t i = 1; i < length; i++)
        if (name [i] <= ' ' || name [i] > '~' || name [i] == ':')
            return false;
    return true;
}

//  Check a fungible token id "contract::name".
static int
s_check_ft (const char *token_id, bb_network_t network, const char **reason)
{
    if (strlen (token_id) >= BB_TOKEN_ID_SIZE) {
        *reason = "token id too long";
        return -1;
    }
    const char *separator = strstr (token_id, "::");
    if (!separator) {
        *reason = "token id is not contract::asset";
        return -1;
    }
    char contract [BB_TOKEN_ID_SIZE];
    bb_token_contract (token_id, contract, sizeof contract);
    const char *why;
    if (bb_address_check_contract (contract, network, &why)) {
        *reason = "token id has an invalid contract";
        return -1;
    }
    if (!s_asset_name_ok (separator + 2)) {
        *reason = "token id has an invalid asset name";
        return -1;
    }
    return 0;
}

int
bb_token_check (const char *token_id, bb_source_t source,
                bb_network_t network, const char **reason)
{
    bb_token_kind_t kind = bb_token_kind (token_id);
    if (source == BB_SOURCE_MEMPOOL) {
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
        return s_check_ft (token_id, network, reason);
    return 0;
}

bb_source_t
bb_token_source (const char *token_id)
{
    return bb_token_kind (token_id) == BB_TOKEN_KIND_BTC
         ? BB_SOURCE_MEMPOOL : BB_SOURCE_HIRO;
}

int
bb_token_fixed (const char *token_id, const char **symbol,
                unsigned *decimals)
{
    switch (bb_token_kind (token_id)) {
        case BB_TOKEN_KIND_BTC:
            *symbol = "BTC";
            *decimals = BB_BTC_DECIMALS;
            return 0;
        case BB_TOKEN_KIND_STX:
            *symbol = "STX";
            *decimals = BB_STX_DECIMALS;
            return 0;
        case BB_TOKEN_KIND_SBTC:
            *symbol = "sBTC";
            *decimals = BB_SBTC_DECIMALS;
            return 0;
        default:
            return -1;
    }
}

char *
bb_token_contract (const char *token_id, char *buf, size_t size)
{
    const char *separator = strstr (token_id, "::");
    size_t length = separator ? (size_t) (separator - token_id) : 0;
    snprintf (buf, size, "%.*s", (int) length, token_id);
    return buf;
}

const char *
bb_token_asset_name (const char *token_id)
{
    const char *separator = strstr (token_id, "::");
    return separator ? separator + 2 : token_id;
}

int64_t
bb_token_price (const char *token_id, const bb_prices_rec_t *prices)
{
    switch (bb_token_kind (token_id)) {
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
    int64_t btc = bb_u128_usd_micro (totals->btc_l1, BB_BTC_DECIMALS,
                                     prices->btc_usd_micro);
    int64_t sbtc = bb_u128_usd_micro (totals->sbtc, BB_SBTC_DECIMALS,
                                      prices->btc_usd_micro);
    int64_t stx = bb_u128_usd_micro (totals->ustx, BB_STX_DECIMALS,
                                     prices->stx_usd_micro);
    return s_add (s_add (btc, sbtc), stx);
}
