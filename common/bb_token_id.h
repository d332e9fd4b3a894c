/*  =========================================================================
    bb_token_id - the token ids every process speaks, and their parts

    One owner for the token vocabulary of docs/protocol.md: btc-l1 (BTC on
    L1, from mempool.space), stx (from Hiro) and Stacks fungible tokens by
    asset id "<contract principal>::<asset name>", sBTC among them. Holds
    the fixed symbol and decimals of the three native tokens and the
    sizes every buffer for a token id or symbol uses. What a token is
    worth and which source may report it are the store's (bb_token).
    Pure functions, thread-safe.
    =========================================================================
*/
#ifndef BB_TOKEN_ID_H_INCLUDED
#define BB_TOKEN_ID_H_INCLUDED

#include <stddef.h>

#include "bb_address.h"

#define BB_TOKEN_ID_BTC   "btc-l1"
#define BB_TOKEN_ID_STX   "stx"
#define BB_TOKEN_ID_SBTC \
    "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token::sbtc-token"

//  Decimals of the three native tokens.
#define BB_TOKEN_DECIMALS_BTC   8
#define BB_TOKEN_DECIMALS_STX   6
#define BB_TOKEN_DECIMALS_SBTC  8

//  Separates the contract from the asset name in a fungible token id.
#define BB_TOKEN_ID_SEPARATOR "::"

//  Longest token id kept, NUL included.
#define BB_TOKEN_ID_SIZE 256

//  Longest token symbol kept, NUL included.
#define BB_TOKEN_SYMBOL_SIZE 65

//  Most decimals a token may declare (2^128-1 has 39 digits).
#define BB_TOKEN_DECIMALS_MAX 38

typedef enum {
    BB_TOKEN_KIND_BTC,      // btc-l1
    BB_TOKEN_KIND_STX,      // stx
    BB_TOKEN_KIND_SBTC,     // the sBTC asset id
    BB_TOKEN_KIND_FT,       // any other fungible token
} bb_token_kind_t;

//  Which kind token_id is.
bb_token_kind_t bb_token_id_kind (const char *token_id);

//  Symbol (static) and decimals of btc-l1, stx and sBTC. Returns 0, or -1
//  for any other token (its metadata comes from Hiro).
int bb_token_id_fixed (const char *token_id, const char **symbol,
                       unsigned *decimals);

//  Copy the contract part of a fungible token id ("SP….name", before
//  "::") into buf (size bytes); "" for btc-l1, stx and ids without "::".
//  Returns buf.
char *bb_token_id_contract (const char *token_id, char *buf, size_t size);

//  The asset name of a fungible token id (after "::"), else token_id.
//  Points into token_id.
const char *bb_token_id_asset_name (const char *token_id);

//  Check a fungible token id "contract::asset" (any kind but btc-l1 and
//  stx passes through here) for network: under BB_TOKEN_ID_SIZE, a
//  valid contract principal, and an asset name of a letter then up to
//  127 printable ASCII characters other than ':' (Clarity's identifier
//  rules, loosely: enough to keep the id safe in a key, a URL and JSON).
//  Returns 0, or -1 with *reason (static).
int bb_token_id_check_ft (const char *token_id, bb_network_t network,
                          const char **reason);

#endif
