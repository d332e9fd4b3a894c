/*  =========================================================================
    bb_upstream_parse - upstream response bodies to balances, prices and
    token metadata

    Pure functions from a body's bytes to values: no I/O, no state,
    thread-safe. Parsing is strict (jansson, duplicate keys rejected):
    every field we use must be present with the type the upstream
    documents (tests/fixtures/upstream/NOTES.md); fields we do not use
    are ignored, so an upstream may add some. Any mismatch returns -1
    with a reason, which the caller reports as FETCH_PARSE_ERROR.

    Amounts: Hiro sends raw amounts as decimal strings, parsed as u128.
    A v1 fungible-token balance may be negative ("-1000000", since v1
    sums events): that is a real zero. mempool.space sends JSON integers
    (they pass 2^31: read as int64). Zero positions are not kept (see
    bb_balances). Token ids are checked as the store checks them
    (contract principal of network + "::" + asset name), since one bad id
    would make the store reject the whole batch.
    =========================================================================
*/
#ifndef BB_UPSTREAM_PARSE_H_INCLUDED
#define BB_UPSTREAM_PARSE_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "bb_address.h"
#include "bb_balances.h"
#include "bb_reason.h"
#include "bb_token_id.h"

//  What the metadata API said about a contract.
typedef enum {
    BB_TOKEN_META_KNOWN,        // 200: symbol and decimals
    BB_TOKEN_META_MISSING,      // 404: no such token or contract
    BB_TOKEN_META_PENDING,      // 422: not processed yet, ask later
} bb_token_meta_state_t;

typedef struct {
    bb_token_meta_state_t state;
    char symbol [BB_TOKEN_SYMBOL_SIZE];     // "" when the API has none
    unsigned decimals;                      // 0 when the API has none
} bb_token_meta_t;

//  Hiro GET /extended/v1/address/{p}/balances: sets "stx" and every
//  fungible token held into balances. Returns 0, or -1 with reason
//  (size bytes) and balances in an unspecified state.
int bb_upstream_parse_hiro_v1 (const char *body, size_t body_size,
                               bb_network_t network, bb_balances_t *balances,
                               char *reason, size_t size);

//  Hiro GET /extended/v3/principals/{p}/balances/stx: sets "stx".
int bb_upstream_parse_hiro_v3_stx (const char *body, size_t body_size,
                                   bb_balances_t *balances, char *reason,
                                   size_t size);

//  Hiro GET /extended/v3/principals/{p}/balances/ft: sets the tokens of
//  one page and stores the next page's cursor in *next_cursor (a new
//  string the caller frees, or NULL on the last page).
int bb_upstream_parse_hiro_v3_ft (const char *body, size_t body_size,
                                  bb_network_t network,
                                  bb_balances_t *balances,
                                  char **next_cursor, char *reason,
                                  size_t size);

//  mempool.space GET /address/{a}: sets "btc-l1" to chain_stats
//  funded_txo_sum - spent_txo_sum (confirmed satoshi).
int bb_upstream_parse_mempool (const char *body, size_t body_size,
                               bb_balances_t *balances, char *reason,
                               size_t size);

//  CoinGecko simple price for ids bitcoin and blockstack in usd: the
//  prices in micro-USD, rounded to the nearest.
int bb_upstream_parse_price (const char *body, size_t body_size,
                             int64_t *btc_usd_micro, int64_t *stx_usd_micro,
                             char *reason, size_t size);

//  Hiro GET /metadata/v1/ft/{contract} answered http_status (200, 404 or
//  422) with body: fills *meta. A 404 counts as missing only with the
//  API's own "Token not found" / "Contract not found" body (a 404 from
//  elsewhere, such as a wrong base URL, is an error). Returns 0 or -1.
int bb_upstream_parse_token_meta (long http_status, const char *body,
                                  size_t body_size, bb_token_meta_t *meta,
                                  char *reason, size_t size);

#endif
