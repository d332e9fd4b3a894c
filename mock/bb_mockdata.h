/*  =========================================================================
    bb_mockdata - the deterministic data model of the mock upstream

    Owns the answer to "what does the mock upstream say about X": the Hiro
    balances of a Stacks principal, the mempool.space stats of a Bitcoin
    address, the token metadata table, the default prices and the sample
    agents of the agent registry. Every function is a pure function of its
    argument: no allocation, no I/O, no state, thread-safe. The mock server
    renders these values; tests link this library to compute what a correct
    fetcher / store must end up with.

    Derivation. A principal or address string A is hashed with 64-bit
    FNV-1a (offset 0xcbf29ce484222325, prime 0x100000001b3, over the bytes
    of A without the NUL). That hash seeds a splitmix64 generator; each
    decision below takes the next 64-bit draw d, in a fixed order, whether
    or not the decision is used, so one choice never shifts another.
    "p%" means d % 100 < p. "spread(n)" means d2 % 10^k with k = 1 + d % n
    (two draws): a log-uniform-ish amount of 0..n digits, which gives the
    ranking a realistic spread. The exact draw order is in bb_mockdata.c.

    Hiro (bb_mockdata_hiro):
      - STX: 20% hold zero µSTX (half of them never had activity, half sent
        everything away); else balance = 1 + spread(12) µSTX. total_sent,
        total_fees_sent and total_received are consistent:
        balance = received - sent - fees. Nothing is ever locked.
      - sBTC (8 decimals): 40% hold 1 + spread(9) sats.
      - every other token of the table: 25% each hold 1 + spread(13).
      - the whale token (nope::NOT): 5% hold a u128 amount of exactly 39
        digits, 10^38 <= amount <= 2^128-1 (so > 2^64).
      - 15% also list one token they do not hold with balance "0" (as real
        v1 does when received == sent); consumers treat it as zero.
      Positions are sorted by asset id, as v1 lists them.

    Bitcoin (bb_mockdata_btc):
      - 20% have a zero confirmed balance (half unused, half fully spent);
        else funded = 1 + spread(11) sats (some above 2^31), spent < funded.
      - 30% have mempool activity (funded, sometimes spent).
      - balboard's BTC balance = chain funded_txo_sum - chain spent_txo_sum.

    Agents (bb_mockdata_agent): hash160 = first 20 bytes of
    SHA-256("balboard-agent-<index>"); the STX address is mainnet single-sig
    (SP…) and the BTC address P2WPKH (bc1q…) of that same hash160, as a
    wallet deriving both from one key would. Bytes 20 and 21 of the digest
    pick the level and whether the agent has a BNS name.
    =========================================================================
*/
#ifndef BB_MOCKDATA_H_INCLUDED
#define BB_MOCKDATA_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bb_token_id.h"
#include "bb_u128.h"

//  The sBTC asset id and its contract principal.
#define BB_MOCK_SBTC_CONTRACT \
    "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token"

//  The token that some agents hold a u128-sized amount of.
#define BB_MOCK_WHALE_ASSET \
    "SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.nope::NOT"

//  Default prices in USD, as text (flag defaults) - BTC is the CoinGecko
//  docs example (fixtures/upstream/coingecko_simple_price__docs_bitcoin_full).
#define BB_MOCK_BTC_USD_DEFAULT "67187.3358936566"
#define BB_MOCK_STX_USD_DEFAULT "2.5"

//  Most fungible-token positions one principal can have (the table size).
#define BB_MOCK_FT_MAX 8

//  ---------------------------------------------------------------------
//  Hiro: STX and fungible-token balances of a Stacks principal.
//  Amounts are raw decimal strings (µSTX, or the token's smallest unit).

typedef struct {
    const char *asset_id;                   // static "SP….contract::token"
    char balance [BB_U128_DEC_SIZE];        // "0" = listed but not held
    char total_sent [BB_U128_DEC_SIZE];
    char total_received [BB_U128_DEC_SIZE];
} bb_mock_ft_t;

typedef struct {
    char stx_balance [BB_U128_DEC_SIZE];    // µSTX
    char stx_total_sent [BB_U128_DEC_SIZE];
    char stx_total_received [BB_U128_DEC_SIZE];
    char stx_total_fees_sent [BB_U128_DEC_SIZE];
    size_t ft_count;                        // entries used in ft
    bb_mock_ft_t ft [BB_MOCK_FT_MAX];       // sorted by asset id
} bb_mock_hiro_t;

//  Fill out with the Hiro balances of principal (a standard or contract
//  principal; the string is hashed as given, it is not validated).
void bb_mockdata_hiro (const char *principal, bb_mock_hiro_t *out);

//  The position in asset_id, or NULL if hiro does not list it.
const bb_mock_ft_t *bb_mockdata_hiro_ft (const bb_mock_hiro_t *hiro,
                                         const char *asset_id);

//  ---------------------------------------------------------------------
//  mempool.space: funded/spent stats of a Bitcoin address, in satoshi.

typedef struct {
    uint64_t funded_txo_count;
    uint64_t funded_txo_sum;
    uint64_t spent_txo_count;
    uint64_t spent_txo_sum;
    uint64_t tx_count;
} bb_mock_txo_stats_t;

typedef struct {
    bb_mock_txo_stats_t chain;              // confirmed
    bb_mock_txo_stats_t mempool;            // unconfirmed
} bb_mock_btc_t;

//  Fill out with the stats of address (hashed as given, not validated).
void bb_mockdata_btc (const char *address, bb_mock_btc_t *out);

//  The balance balboard records: chain funded - chain spent (confirmed).
uint64_t bb_mockdata_btc_balance (const bb_mock_btc_t *btc);

//  ---------------------------------------------------------------------
//  Token metadata (Hiro token-metadata-api /metadata/v1/ft/{contract}).

typedef struct {
    const char *asset_id;       // "SP….contract::token"
    const char *contract;       // "SP….contract" (the metadata path)
    const char *name;
    const char *symbol;
    unsigned decimals;
    const char *total_supply;   // raw decimal string
    const char *token_uri;
    const char *description;
    const char *image_canonical_uri;
    const char *tx_id;
    int http_status;            // what the metadata endpoint answers:
                                // 200, 404 or 422
    const char *error;          // the "error" text when not 200
} bb_mock_token_t;

//  Number of tokens in the table, and the token at index (< count).
size_t bb_mockdata_token_count (void);
const bb_mock_token_t *bb_mockdata_token (size_t index);

//  The token whose contract principal is contract, or NULL.
const bb_mock_token_t *bb_mockdata_token_by_contract (const char *contract);

//  The token whose asset id is asset_id, or NULL.
const bb_mock_token_t *bb_mockdata_token_by_asset (const char *asset_id);

//  ---------------------------------------------------------------------
//  Sample agents of the agent registry.

//  Sizes of the address buffers: bb_address_make_stx and _make_segwit.
#define BB_MOCK_STX_ADDRESS_SIZE 42
#define BB_MOCK_BTC_ADDRESS_SIZE 91

//  Highest agent level and the names of levels 0..BB_MOCK_LEVEL_MAX.
#define BB_MOCK_LEVEL_MAX 2

typedef struct {
    unsigned index;
    char stx_address [BB_MOCK_STX_ADDRESS_SIZE];    // SP…
    char btc_address [BB_MOCK_BTC_ADDRESS_SIZE];    // bc1q…
    char display_name [32];                         // "Agent <index>"
    char bns_name [32];         // "agent<index>.btc", or "" (JSON null)
    int level;                  // 0..BB_MOCK_LEVEL_MAX
    const char *level_name;     // static: Unverified, Registered, Genesis
} bb_mock_agent_t;

//  Fill out with sample agent number index (0-based).
void bb_mockdata_agent (unsigned index, bb_mock_agent_t *out);

//  Fill out with sample agent index as the registry lists it when every
//  Nth agent is invalid (invalid_every N, 0 = none): an agent whose
//  index % N == N-1 has a broken STX address "SPINVALID<index>" (an even
//  index / N) or BTC address "bc1qinvalid<index>" (an odd one). Returns
//  true if the agent is one of those.
bool bb_mockdata_registry_agent (unsigned index, unsigned invalid_every,
                                 bb_mock_agent_t *out);

#endif
