/*  =========================================================================
    bb_mock_body - the JSON bodies of the mock upstream

    Owns the shapes: every function renders one upstream answer from
    bb_mockdata, with the keys in the order the real API sends them (see
    tests/fixtures/upstream). Pure: no state, no I/O, thread-safe. Each
    returns a new jansson value the caller owns (json_decref).

    wrong_types renders the same data with the wrong JSON types, as a
    broken or changed upstream would: numbers where Hiro sends strings
    (balances), strings where mempool.space sends integers, a string price,
    a string "decimals", a string agent "level".
    =========================================================================
*/
#ifndef BB_MOCK_BODY_H_INCLUDED
#define BB_MOCK_BODY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "bb_mockdata.h"

//  GET /extended/v1/address/{principal}/balances
json_t *bb_mock_body_hiro_v1 (const char *principal, bool wrong_types);

//  GET /extended/v3/principals/{principal}/balances/stx
json_t *bb_mock_body_hiro_v3_stx (const char *principal, bool wrong_types);

//  GET /extended/v3/principals/{principal}/balances/ft?limit=&cursor=
//  One page of limit (>= 1) non-zero positions, largest balance first
//  (ties by asset id), starting at cursor ("<balance>:<asset id>", NULL
//  for the first page). Returns NULL if cursor is malformed.
json_t *bb_mock_body_hiro_v3_ft (const char *principal, size_t limit,
                                 const char *cursor, bool wrong_types);

//  GET /api/address/{address} (mempool.space / esplora)
json_t *bb_mock_body_mempool (const char *address, bool wrong_types);

//  GET /api/v3/simple/price?ids=&vs_currencies= (CoinGecko). ids and
//  vs_currencies are comma lists (NULL = empty); known ids are "bitcoin"
//  and "blockstack", the known currency "usd".
json_t *bb_mock_body_price (const char *ids, const char *vs_currencies,
                            double btc_usd, double stx_usd,
                            bool wrong_types);

//  GET /metadata/v1/ft/{contract} of token: its 200 body, or
//  {"error": token->error} when token->http_status is not 200.
json_t *bb_mock_body_metadata (const bb_mock_token_t *token,
                               bool wrong_types);

//  GET /api/agents?limit=&offset= over sample agents 0..total-1, every
//  invalid_every-th one invalid (bb_mockdata_registry_agent).
json_t *bb_mock_body_agents (size_t total, size_t limit, size_t offset,
                             size_t invalid_every, bool wrong_types);

//  {"error": error}: the shape of Hiro's 404/422/503 and of our own
//  errors.
json_t *bb_mock_body_error (const char *error);

//  Fastify's 400: {"statusCode":400,"error":"Bad Request","message":…}.
json_t *bb_mock_body_bad_request (const char *message);

//  Hiro's invalid principal 400: message "invalid STX address \"<p>\"".
json_t *bb_mock_body_invalid_principal (const char *principal);

//  Hiro's v1 answer when deprecated endpoints are disabled (410).
json_t *bb_mock_body_gone (void);

//  Hiro's 429 (the body is undocumented; this is @fastify/rate-limit's).
json_t *bb_mock_body_hiro_429 (long retry_after_s);

//  CoinGecko's captured 429 body.
json_t *bb_mock_body_price_429 (void);

//  mempool.space's nginx 429 page (text/html, static).
const char *bb_mock_body_mempool_429_html (void);

#endif
