/*  =========================================================================
    bb_upstream_parse - upstream response bodies to balances, prices and
    token metadata

    Layers: field access with reasons (each failure names the JSON path
    that broke), the token id check, then one parser per endpoint.
    =========================================================================
*/
#include "bb_upstream_parse.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define MICRO_PER_UNIT      1e6
#define PRICE_USD_MAX       1e12        // keeps micro-USD inside int64
#define PATH_SHOWN          "64"        // longest key echoed in a reason

//  ---------------------------------------------------------------------
//  Field access

//  Decode body into a JSON object, or NULL with reason.
static json_t *
s_load (const char *body, size_t body_size, char *reason, size_t size)
{
    json_error_t error;
    json_t *root = json_loadb (body ? body : "", body ? body_size : 0,
                               JSON_REJECT_DUPLICATES, &error);
    if (!root) {
        bb_reason_fail (reason, size, "invalid JSON at %d:%d: %s", error.line,
                error.column, error.text);
        return NULL;
    }
    if (!json_is_object (root)) {
        bb_reason_fail (reason, size, "top level is not an object");
        json_decref (root);
        return NULL;
    }
    return root;
}

//  Member key of object as an object, or NULL with reason.
static json_t *
s_object (json_t *object, const char *key, char *reason, size_t size)
{
    json_t *value = json_object_get (object, key);
    if (!json_is_object (value)) {
        bb_reason_fail (reason, size, "%s: %s", key,
                value ? "not an object" : "missing");
        return NULL;
    }
    return value;
}

//  Member key of object as a string, or NULL with reason (path names the
//  object in the reason).
static const char *
s_string (json_t *object, const char *path, const char *key, char *reason,
          size_t size)
{
    json_t *value = json_object_get (object, key);
    if (!json_is_string (value)) {
        bb_reason_fail (reason, size, "%." PATH_SHOWN "s.%s: %s", path, key,
                value ? "not a string" : "missing");
        return NULL;
    }
    return json_string_value (value);
}

//  A raw amount: a decimal u128 string. negative_is_zero accepts a
//  leading '-' (Hiro v1 fungible tokens) as a zero balance.
static int
s_amount (json_t *object, const char *path, bool negative_is_zero,
          bb_u128_t *amount, char *reason, size_t size)
{
    const char *text = s_string (object, path, "balance", reason, size);
    if (!text)
        return -1;
    const char *why;
    bool negative = negative_is_zero && text [0] == '-';
    if (bb_u128_parse (negative ? text + 1 : text, amount, &why))
        return bb_reason_fail (reason, size, "%." PATH_SHOWN "s.balance: %s", path,
                       why);
    if (negative)
        *amount = 0;
    return 0;
}

//  A JSON integer >= 0, or -1 with reason.
static int
s_count (json_t *object, const char *path, const char *key,
         json_int_t *count, char *reason, size_t size)
{
    json_t *value = json_object_get (object, key);
    if (!json_is_integer (value))
        return bb_reason_fail (reason, size, "%s.%s: %s", path, key,
                       value ? "not an integer" : "missing");
    *count = json_integer_value (value);
    if (*count < 0)
        return bb_reason_fail (reason, size, "%s.%s: negative", path, key);
    return 0;
}

//  ---------------------------------------------------------------------
//  Token positions

//  Set a fungible token position after checking its id.
static int
s_set_token (bb_balances_t *balances, const char *token_id,
             bb_network_t network, bb_u128_t amount, char *reason,
             size_t size)
{
    const char *why;
    if (bb_token_id_check_ft (token_id, network, &why))
        return bb_reason_fail (reason, size, "token '%." PATH_SHOWN "s': %s",
                       token_id, why);
    bb_balances_set (balances, token_id, amount);
    return 0;
}

//  ---------------------------------------------------------------------
//  Hiro

//  The v1 "fungible_tokens" object: {asset id: {balance, ...}}.
static int
s_v1_tokens (json_t *tokens, bb_network_t network, bb_balances_t *balances,
             char *reason, size_t size)
{
    const char *token_id;
    json_t *position;
    json_object_foreach (tokens, token_id, position) {
        if (!json_is_object (position))
            return bb_reason_fail (reason, size, "fungible_tokens.%." PATH_SHOWN
                           "s: not an object", token_id);
        bb_u128_t amount;
        if (s_amount (position, token_id, true, &amount, reason, size)
        ||  s_set_token (balances, token_id, network, amount, reason, size))
            return -1;
    }
    return 0;
}

//  The v1 balances object: {stx: {balance}, fungible_tokens: {...}}.
static int
s_v1 (json_t *root, bb_network_t network, bb_balances_t *balances,
      char *reason, size_t size)
{
    json_t *stx = s_object (root, "stx", reason, size);
    json_t *tokens = stx ? s_object (root, "fungible_tokens", reason, size)
                         : NULL;
    bb_u128_t amount;
    if (!tokens || s_amount (stx, "stx", false, &amount, reason, size))
        return -1;
    bb_balances_set (balances, BB_TOKEN_ID_STX, amount);
    return s_v1_tokens (tokens, network, balances, reason, size);
}

int
bb_upstream_parse_hiro_v1 (const char *body, size_t body_size,
                           bb_network_t network, bb_balances_t *balances,
                           char *reason, size_t size)
{
    assert (balances);
    json_t *root = s_load (body, body_size, reason, size);
    int rc = root ? s_v1 (root, network, balances, reason, size) : -1;
    json_decref (root);
    return rc;
}

//  A parser of one endpoint's decoded root into balances.
typedef int (s_balances_fn) (json_t *root, bb_balances_t *balances,
                             char *reason, size_t size);

//  Decode body and parse it with parse.
static int
s_parse_balances (const char *body, size_t body_size, s_balances_fn *parse,
                  bb_balances_t *balances, char *reason, size_t size)
{
    assert (balances);
    json_t *root = s_load (body, body_size, reason, size);
    int rc = root ? parse (root, balances, reason, size) : -1;
    json_decref (root);
    return rc;
}

//  The v3 STX balance object: {balance, ...}.
static int
s_v3_stx (json_t *root, bb_balances_t *balances, char *reason, size_t size)
{
    bb_u128_t amount;
    if (s_amount (root, "stx", false, &amount, reason, size))
        return -1;
    bb_balances_set (balances, BB_TOKEN_ID_STX, amount);
    return 0;
}

int
bb_upstream_parse_hiro_v3_stx (const char *body, size_t body_size,
                               bb_balances_t *balances, char *reason,
                               size_t size)
{
    return s_parse_balances (body, body_size, s_v3_stx, balances, reason,
                             size);
}

//  cursor.next: a string or null.
static int
s_v3_next (json_t *root, char **next_cursor, char *reason, size_t size)
{
    json_t *cursor = s_object (root, "cursor", reason, size);
    if (!cursor)
        return -1;
    json_t *next = json_object_get (cursor, "next");
    if (json_is_null (next))
        return 0;
    if (!json_is_string (next) || json_string_length (next) == 0)
        return bb_reason_fail (reason, size, "cursor.next: %s",
                       next ? "not a string or null" : "missing");
    *next_cursor = strdup (json_string_value (next));
    assert (*next_cursor);
    return 0;
}

static int
s_v3_results (json_t *results, bb_network_t network, bb_balances_t *balances,
              char *reason, size_t size)
{
    size_t index;
    json_t *row;
    json_array_foreach (results, index, row) {
        char path [32];
        snprintf (path, sizeof path, "results[%zu]", index);
        if (!json_is_object (row))
            return bb_reason_fail (reason, size, "%s: not an object", path);
        const char *token_id = s_string (row, path, "asset_identifier",
                                         reason, size);
        bb_u128_t amount;
        if (!token_id
        ||  s_amount (row, path, false, &amount, reason, size)
        ||  s_set_token (balances, token_id, network, amount, reason, size))
            return -1;
    }
    return 0;
}

//  A v3 fungible token page: {results: [...], cursor: {next}}.
static int
s_v3_ft (json_t *root, bb_network_t network, bb_balances_t *balances,
         char **next_cursor, char *reason, size_t size)
{
    json_t *results = json_object_get (root, "results");
    if (!json_is_array (results))
        return bb_reason_fail (reason, size, "results: %s",
                               results ? "not an array" : "missing");
    if (s_v3_results (results, network, balances, reason, size))
        return -1;
    return s_v3_next (root, next_cursor, reason, size);
}

int
bb_upstream_parse_hiro_v3_ft (const char *body, size_t body_size,
                              bb_network_t network, bb_balances_t *balances,
                              char **next_cursor, char *reason, size_t size)
{
    assert (balances);
    assert (next_cursor);
    *next_cursor = NULL;
    json_t *root = s_load (body, body_size, reason, size);
    int rc = root ? s_v3_ft (root, network, balances, next_cursor, reason,
                             size)
                  : -1;
    json_decref (root);
    return rc;
}

//  ---------------------------------------------------------------------
//  mempool.space

//  An address object: {chain_stats: {funded_txo_sum, spent_txo_sum}}.
static int
s_mempool (json_t *root, bb_balances_t *balances, char *reason, size_t size)
{
    json_t *chain = s_object (root, "chain_stats", reason, size);
    json_int_t funded = 0, spent = 0;
    if (!chain
    ||  s_count (chain, "chain_stats", "funded_txo_sum", &funded, reason,
                 size)
    ||  s_count (chain, "chain_stats", "spent_txo_sum", &spent, reason,
                 size))
        return -1;
    if (spent > funded)
        return bb_reason_fail (reason, size, "chain_stats: spent_txo_sum "
                               "%lld exceeds funded_txo_sum %lld",
                               (long long) spent, (long long) funded);
    bb_balances_set (balances, BB_TOKEN_ID_BTC, (bb_u128_t) (funded - spent));
    return 0;
}

int
bb_upstream_parse_mempool (const char *body, size_t body_size,
                           bb_balances_t *balances, char *reason,
                           size_t size)
{
    return s_parse_balances (body, body_size, s_mempool, balances, reason,
                             size);
}

//  ---------------------------------------------------------------------
//  CoinGecko

//  root[coin].usd in micro-USD.
static int
s_price (json_t *root, const char *coin, int64_t *micro, char *reason,
         size_t size)
{
    json_t *quote = s_object (root, coin, reason, size);
    if (!quote)
        return -1;
    json_t *usd = json_object_get (quote, "usd");
    if (!json_is_number (usd))
        return bb_reason_fail (reason, size, "%s.usd: %s", coin,
                       usd ? "not a number" : "missing");
    double value = json_number_value (usd);
    if (!isfinite (value) || value < 0 || value > PRICE_USD_MAX)
        return bb_reason_fail (reason, size, "%s.usd: %g out of range", coin, value);
    *micro = (int64_t) llround (value * MICRO_PER_UNIT);
    return 0;
}

int
bb_upstream_parse_price (const char *body, size_t body_size,
                         int64_t *btc_usd_micro, int64_t *stx_usd_micro,
                         char *reason, size_t size)
{
    assert (btc_usd_micro && stx_usd_micro);
    json_t *root = s_load (body, body_size, reason, size);
    int rc = root
          && s_price (root, "bitcoin", btc_usd_micro, reason, size) == 0
          && s_price (root, "blockstack", stx_usd_micro, reason, size) == 0
           ? 0 : -1;
    json_decref (root);
    return rc;
}

//  ---------------------------------------------------------------------
//  Token metadata

//  A symbol the store accepts: short, no control characters (jansson
//  already guarantees valid UTF-8 and no NUL).
static int
s_meta_symbol (json_t *root, bb_token_meta_t *meta, char *reason,
               size_t size)
{
    json_t *symbol = json_object_get (root, "symbol");
    if (!symbol || json_is_null (symbol))
        return 0;
    if (!json_is_string (symbol))
        return bb_reason_fail (reason, size, "symbol: not a string");
    const char *text = json_string_value (symbol);
    if (strlen (text) >= sizeof meta->symbol)
        return bb_reason_fail (reason, size, "symbol: longer than %zu bytes",
                       sizeof meta->symbol - 1);
    for (const unsigned char *at = (const unsigned char *) text; *at; at++)
        if (*at < ' ' || *at == 0x7f)
            return bb_reason_fail (reason, size, "symbol: control character");
    snprintf (meta->symbol, sizeof meta->symbol, "%s", text);
    return 0;
}

static int
s_meta_decimals (json_t *root, bb_token_meta_t *meta, char *reason,
                 size_t size)
{
    json_t *decimals = json_object_get (root, "decimals");
    if (!decimals || json_is_null (decimals))
        return 0;
    if (!json_is_integer (decimals))
        return bb_reason_fail (reason, size, "decimals: not an integer");
    json_int_t value = json_integer_value (decimals);
    if (value < 0 || value > BB_TOKEN_DECIMALS_MAX)
        return bb_reason_fail (reason, size, "decimals: %lld out of 0..%d",
                       (long long) value, BB_TOKEN_DECIMALS_MAX);
    meta->decimals = (unsigned) value;
    return 0;
}

//  A 404 of the metadata API itself: {"error": "Token not found"} or
//  {"error": "Contract not found"}.
static int
s_meta_missing (json_t *root, char *reason, size_t size)
{
    json_t *error = json_object_get (root, "error");
    const char *text = json_is_string (error) ? json_string_value (error)
                                              : "";
    if (strcmp (text, "Token not found") == 0
    ||  strcmp (text, "Contract not found") == 0)
        return 0;
    return bb_reason_fail (reason, size, "404 is not the metadata API's "
                   "(error: %." PATH_SHOWN "s)", text);
}

int
bb_upstream_parse_token_meta (long http_status, const char *body,
                              size_t body_size, bb_token_meta_t *meta,
                              char *reason, size_t size)
{
    assert (meta);
    *meta = (bb_token_meta_t) { BB_TOKEN_META_PENDING, "", 0 };
    if (http_status == 422)
        return 0;
    if (http_status != 200 && http_status != 404)
        return bb_reason_fail (reason, size, "unexpected status %ld", http_status);
    json_t *root = s_load (body, body_size, reason, size);
    if (!root)
        return -1;
    int rc;
    if (http_status == 404) {
        meta->state = BB_TOKEN_META_MISSING;
        rc = s_meta_missing (root, reason, size);
    }
    else {
        meta->state = BB_TOKEN_META_KNOWN;
        rc = s_meta_symbol (root, meta, reason, size) == 0
          && s_meta_decimals (root, meta, reason, size) == 0 ? 0 : -1;
    }
    json_decref (root);
    return rc;
}
