/*  =========================================================================
    bb_mockdata - the deterministic data model of the mock upstream

    Owns the token table and the derivations documented in bb_mockdata.h.
    A principal's or address's draws come from one splitmix64 stream seeded
    with FNV-1a-64 of the string; each derivation below reads its draws in
    a fixed order and always consumes them, so the values of one decision
    never depend on the outcome of another.
    =========================================================================
*/
#include "bb_mockdata.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "bb_address.h"

//  FNV-1a 64-bit parameters.
#define FNV64_OFFSET 0xcbf29ce484222325ULL
#define FNV64_PRIME  0x100000001b3ULL

//  Shares of principals / addresses, in percent.
#define STX_ZERO_PCT        20
#define SBTC_HOLD_PCT       40
#define TOKEN_HOLD_PCT      25
#define WHALE_PCT           5
#define ZERO_LISTED_PCT     15
#define BTC_ZERO_PCT        20
#define BTC_MEMPOOL_PCT     30
#define HALF_PCT            50

//  Largest amounts, in decimal digits (see s_spread).
#define STX_BALANCE_DIGITS  12      // < 1,000,000 STX
#define STX_SENT_DIGITS     11
#define STX_FEES_MAX        10000000ULL     // < 10 STX of fees
#define SBTC_DIGITS         9       // < 10 BTC
#define TOKEN_DIGITS        13
#define TURNOVER_DIGITS     10
#define BTC_FUNDED_DIGITS   11      // < 1000 BTC, often > 2^31 sats
#define BTC_MEMPOOL_DIGITS  8
#define BTC_SPENT_PCT_MAX   90      // a funded address keeps >= 10%
#define BTC_TXO_COUNT_MAX   20

//  The token table, sorted by asset id (v1 lists positions in this order).
//  The asset ids are real. longcoin's metadata is the Leather capture
//  (fixtures/upstream/hiro_metadata_v1_ft__leather_longcoin.json); the
//  other metadata (tx ids, descriptions, supplies) is made up. NULL
//  optional fields are left out of the metadata body, as the real API
//  does. special-vote answers 404 and BLOCKSTACK 422, as token-metadata-api
//  does for a token it has not (yet) indexed.
static const bb_mock_token_t s_tokens [] = {
    {   BB_TOKEN_ID_SBTC, BB_MOCK_SBTC_CONTRACT,
        "sBTC", "sBTC", 8, "2100000000000000", NULL,
        "sBTC is a 1:1 Bitcoin-backed asset on Stacks.", NULL,
        "0x5bd4c8e4c3a2b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6",
        200, NULL },
    {   "SP102V8P0F7JX67ARQ77WEA3D3CFB5XW39REDT0AM.token-special-vote"
        "::special-vote",
        "SP102V8P0F7JX67ARQ77WEA3D3CFB5XW39REDT0AM.token-special-vote",
        NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL,
        404, "Token not found" },
    {   "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3.longcoin::longcoin",
        "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3.longcoin",
        "LONGcoin", "LONG", 6, "888888888888888888",
        "https://storage.googleapis.com/longcoin/LONGcoin-metadata.json",
        "$LONG will bring prosperity and BDE, Big Dragon Energy, to the "
        "Stacks blockchain. It's the first and most auspicious memecoin of "
        "the year of the dragon!",
        "https://storage.googleapis.com/longcoin/LONGcoin-image.png",
        "0x170498fd9b2762242b833a92c87adb12dea471bb0dfa4584462af7e05ac85ce2",
        200, NULL },
    {   BB_MOCK_WHALE_ASSET,
        "SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.nope",
        "NOT", "NOT", 0, "340282366920938463463374607431768211455", NULL,
        "Mock whale token: some holders have more than 2^64 units.", NULL,
        "0x3a5d5c4e8bbf4a3d0c5a4a1f0cf5f7e2b1f0e4f9e5b3a1d8c6a2b4f7e9d0c1a3",
        200, NULL },
    {   "SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.age000-governance-token"
        "::alex",
        "SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.age000-governance-token",
        "ALEX Token", "ALEX", 8, "60000000000000000", NULL,
        "Governance token of the ALEX protocol.", NULL,
        "0x8bd8a8ae6e2b6e4f4d5b0c7f0a7a3c2b9d1e6f4a2c8b0d3e5f7a9c1b3d5e7f90",
        200, NULL },
    {   "SPWECF3XYVRBRCN23CJJCX9XKSF8RFWQPAQMWXT.blockstack::BLOCKSTACK",
        "SPWECF3XYVRBRCN23CJJCX9XKSF8RFWQPAQMWXT.blockstack",
        NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL,
        422, "Token metadata fetch in progress" },
};

#define TOKEN_COUNT (sizeof s_tokens / sizeof s_tokens [0])
_Static_assert (TOKEN_COUNT <= BB_MOCK_FT_MAX, "token table too large");

static const char *s_level_names [BB_MOCK_LEVEL_MAX + 1] = {
    "Unverified", "Registered", "Genesis"
};

//  ---------------------------------------------------------------------
//  The draw stream

typedef struct {
    uint64_t state;             // splitmix64 state
} s_rng_t;

static s_rng_t
s_rng_seed (const char *text)
{
    uint64_t hash = FNV64_OFFSET;
    for (const unsigned char *byte = (const unsigned char *) text;
         *byte; byte++)
        hash = (hash ^ *byte) * FNV64_PRIME;
    return (s_rng_t) { hash };
}

//  splitmix64 (Steele, Lea, Flood 2014).
static uint64_t
s_next (s_rng_t *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

//  True for percent% of draws.
static bool
s_chance (s_rng_t *rng, unsigned percent)
{
    return s_next (rng) % 100 < percent;
}

static uint64_t
s_pow10 (unsigned exponent)
{
    uint64_t value = 1;
    while (exponent--)
        value *= 10;
    return value;
}

//  An amount of up to max_digits (<= 19) digits whose digit count is
//  uniform: small and large holders are equally common.
static uint64_t
s_spread (s_rng_t *rng, unsigned max_digits)
{
    unsigned digits = 1 + (unsigned) (s_next (rng) % max_digits);
    return s_next (rng) % s_pow10 (digits);
}

//  A u128 of exactly 39 digits: 10^38 <= value <= 2^128-1.
static bb_u128_t
s_whale_amount (s_rng_t *rng)
{
    const bb_u128_t low = (bb_u128_t) s_pow10 (19) * s_pow10 (19);
    const bb_u128_t span = ~(bb_u128_t) 0 - low + 1;
    bb_u128_t draw = ((bb_u128_t) s_next (rng) << 64) | s_next (rng);
    return low + draw % span;
}

//  ---------------------------------------------------------------------
//  Hiro

static void
s_hiro_stx (s_rng_t *rng, bb_mock_hiro_t *out)
{
    bool zero = s_chance (rng, STX_ZERO_PCT);
    bool never_active = s_chance (rng, HALF_PCT);
    uint64_t balance = 1 + s_spread (rng, STX_BALANCE_DIGITS);
    uint64_t sent = s_spread (rng, STX_SENT_DIGITS);
    uint64_t fees = s_next (rng) % STX_FEES_MAX;
    if (zero) {
        balance = 0;
        if (never_active)
            sent = fees = 0;
    }
    bb_u128_format (balance, out->stx_balance);
    bb_u128_format (sent, out->stx_total_sent);
    bb_u128_format (fees, out->stx_total_fees_sent);
    bb_u128_format ((bb_u128_t) balance + sent + fees,
                    out->stx_total_received);
}

//  A position in slot with balance and sent; received = balance + sent.
static void
s_position (bb_mock_ft_t *slot, const char *asset_id,
            bb_u128_t balance, bb_u128_t sent)
{
    slot->asset_id = asset_id;
    bb_u128_format (balance, slot->balance);
    bb_u128_format (sent, slot->total_sent);
    bb_u128_format (balance + sent, slot->total_received);
}

void
bb_mockdata_hiro (const char *principal, bb_mock_hiro_t *out)
{
    assert (principal);
    assert (out);
    memset (out, 0, sizeof *out);
    s_rng_t rng = s_rng_seed (principal);
    s_hiro_stx (&rng, out);

    //  Per token: held?, amount, sent. The whale replaces NOT's amount.
    bool held [TOKEN_COUNT];
    bb_u128_t amount [TOKEN_COUNT];
    bb_u128_t sent [TOKEN_COUNT];
    for (size_t index = 0; index < TOKEN_COUNT; index++) {
        bool sbtc = strcmp (s_tokens [index].asset_id,
                            BB_TOKEN_ID_SBTC) == 0;
        held [index] = s_chance (&rng, sbtc ? SBTC_HOLD_PCT : TOKEN_HOLD_PCT);
        amount [index] = 1 + s_spread (&rng, sbtc ? SBTC_DIGITS
                                                  : TOKEN_DIGITS);
        bool sold_some = s_chance (&rng, HALF_PCT);
        uint64_t sold = s_spread (&rng, TOKEN_DIGITS);
        sent [index] = sold_some ? sold : 0;
    }
    bool whale = s_chance (&rng, WHALE_PCT);
    bb_u128_t whale_amount = s_whale_amount (&rng);
    bool zero_listed = s_chance (&rng, ZERO_LISTED_PCT);
    uint64_t zero_pick = s_next (&rng);
    uint64_t turnover = 1 + s_spread (&rng, TURNOVER_DIGITS);

    for (size_t index = 0; index < TOKEN_COUNT; index++)
        if (whale && strcmp (s_tokens [index].asset_id,
                             BB_MOCK_WHALE_ASSET) == 0) {
            held [index] = true;
            amount [index] = whale_amount;
            sent [index] = 0;
        }
    //  The zero-balance listing is the zero_pick-th token not held.
    size_t not_held = 0;
    for (size_t index = 0; index < TOKEN_COUNT; index++)
        not_held += !held [index];
    size_t zero_index = not_held ? (size_t) (zero_pick % not_held) : 0;

    for (size_t index = 0; index < TOKEN_COUNT; index++) {
        const char *asset_id = s_tokens [index].asset_id;
        if (held [index])
            s_position (&out->ft [out->ft_count++], asset_id,
                        amount [index], sent [index]);
        else
        if (zero_listed && zero_index-- == 0)
            s_position (&out->ft [out->ft_count++], asset_id, 0, turnover);
    }
}

const bb_mock_ft_t *
bb_mockdata_hiro_ft (const bb_mock_hiro_t *hiro, const char *asset_id)
{
    assert (hiro);
    assert (asset_id);
    for (size_t index = 0; index < hiro->ft_count; index++)
        if (strcmp (hiro->ft [index].asset_id, asset_id) == 0)
            return &hiro->ft [index];
    return NULL;
}

//  ---------------------------------------------------------------------
//  Bitcoin

static void
s_btc_chain (s_rng_t *rng, bb_mock_txo_stats_t *chain)
{
    bool zero = s_chance (rng, BTC_ZERO_PCT);
    bool unused = s_chance (rng, HALF_PCT);
    uint64_t funded = 1 + s_spread (rng, BTC_FUNDED_DIGITS);
    uint64_t spent_pct = s_next (rng) % BTC_SPENT_PCT_MAX;
    uint64_t funded_count = 1 + s_next (rng) % BTC_TXO_COUNT_MAX;
    uint64_t spent_count = 1 + s_next (rng) % funded_count;

    uint64_t spent = funded / 100 * spent_pct;
    if (zero)
        spent = funded;
    if (spent == 0)
        spent_count = 0;
    if (zero && unused)
        funded = spent = funded_count = spent_count = 0;
    *chain = (bb_mock_txo_stats_t) {
        .funded_txo_count = funded_count,
        .funded_txo_sum = funded,
        .spent_txo_count = spent_count,
        .spent_txo_sum = spent,
        .tx_count = funded_count + spent_count,
    };
}

static void
s_btc_mempool (s_rng_t *rng, uint64_t confirmed,
               bb_mock_txo_stats_t *mempool)
{
    bool active = s_chance (rng, BTC_MEMPOOL_PCT);
    bool spends = s_chance (rng, HALF_PCT);
    uint64_t funded = 1 + s_spread (rng, BTC_MEMPOOL_DIGITS);
    uint64_t spent = 1 + s_spread (rng, BTC_MEMPOOL_DIGITS);
    memset (mempool, 0, sizeof *mempool);
    if (!active)
        return;
    //  An unconfirmed spend can only spend confirmed coins.
    if (!spends || confirmed == 0)
        spent = 0;
    if (spent > confirmed)
        spent = confirmed;
    mempool->funded_txo_count = 1;
    mempool->funded_txo_sum = funded;
    mempool->spent_txo_count = spent ? 1 : 0;
    mempool->spent_txo_sum = spent;
    mempool->tx_count = 1 + mempool->spent_txo_count;
}

void
bb_mockdata_btc (const char *address, bb_mock_btc_t *out)
{
    assert (address);
    assert (out);
    s_rng_t rng = s_rng_seed (address);
    s_btc_chain (&rng, &out->chain);
    s_btc_mempool (&rng, bb_mockdata_btc_balance (out), &out->mempool);
}

uint64_t
bb_mockdata_btc_balance (const bb_mock_btc_t *btc)
{
    assert (btc);
    return btc->chain.funded_txo_sum - btc->chain.spent_txo_sum;
}

//  ---------------------------------------------------------------------
//  Token metadata

size_t
bb_mockdata_token_count (void)
{
    return TOKEN_COUNT;
}

const bb_mock_token_t *
bb_mockdata_token (size_t index)
{
    assert (index < TOKEN_COUNT);
    return &s_tokens [index];
}

const bb_mock_token_t *
bb_mockdata_token_by_contract (const char *contract)
{
    assert (contract);
    for (size_t index = 0; index < TOKEN_COUNT; index++)
        if (strcmp (s_tokens [index].contract, contract) == 0)
            return &s_tokens [index];
    return NULL;
}

const bb_mock_token_t *
bb_mockdata_token_by_asset (const char *asset_id)
{
    assert (asset_id);
    for (size_t index = 0; index < TOKEN_COUNT; index++)
        if (strcmp (s_tokens [index].asset_id, asset_id) == 0)
            return &s_tokens [index];
    return NULL;
}

//  ---------------------------------------------------------------------
//  Sample agents

void
bb_mockdata_agent (unsigned index, bb_mock_agent_t *out)
{
    assert (out);
    memset (out, 0, sizeof *out);
    char seed [48];
    int length = snprintf (seed, sizeof seed, "balboard-agent-%u", index);
    unsigned char digest [SHA256_DIGEST_LENGTH];
    SHA256 ((const unsigned char *) seed, (size_t) length, digest);
    const unsigned char *hash160 = digest;      // first 20 bytes

    out->index = index;
    int rc = bb_address_make_stx (BB_STX_VERSION_MAINNET_SINGLESIG, hash160,
                                  out->stx_address, sizeof out->stx_address);
    assert (rc == 0);
    rc = bb_address_make_segwit ("bc", 0, hash160, 20, out->btc_address,
                                 sizeof out->btc_address);
    assert (rc == 0);
    (void) rc;
    snprintf (out->display_name, sizeof out->display_name,
              "Agent %u", index);
    if (digest [21] % 2 == 0)
        snprintf (out->bns_name, sizeof out->bns_name, "agent%u.btc", index);
    out->level = digest [20] % (BB_MOCK_LEVEL_MAX + 1);
    out->level_name = s_level_names [out->level];
}

bool
bb_mockdata_registry_agent (unsigned index, unsigned invalid_every,
                            bb_mock_agent_t *out)
{
    bb_mockdata_agent (index, out);
    if (!invalid_every || index % invalid_every != invalid_every - 1)
        return false;
    if ((index / invalid_every) % 2 == 0)
        snprintf (out->stx_address, sizeof out->stx_address,
                  "SPINVALID%u", index);
    else
        snprintf (out->btc_address, sizeof out->btc_address,
                  "bc1qinvalid%u", index);
    return true;
}
