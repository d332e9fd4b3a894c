/*  =========================================================================
    bb_mock_body - the JSON bodies of the mock upstream

    Owns the rendering of bb_mockdata into the real APIs' shapes. Keys are
    added in the real order; jansson keeps insertion order when it dumps.
    =========================================================================
*/
#include "bb_mock_body.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TMA_ASSETS "https://assets.hiro.so/api/mainnet/token-metadata-api/"
#define TMA_SIP 16              // SIP-016 token metadata
#define TEXT_MAX 512            // longest URI, cursor or message we render

//  ---------------------------------------------------------------------
//  Typed values

//  The value of a decimal string from bb_mockdata (always valid).
static bb_u128_t
s_u128 (const char *text)
{
    bb_u128_t value = 0;
    const char *reason;
    int rc = bb_u128_parse (text, &value, &reason);
    assert (rc == 0);
    (void) rc;
    return value;
}

//  A raw amount: its decimal string, or with wrong_types a JSON number.
static json_t *
s_amount (const char *text, bool wrong_types)
{
    if (!wrong_types)
        return json_string (text);
    bb_u128_t value = s_u128 (text);
    if (value <= INT64_MAX)
        return json_integer ((json_int_t) value);
    return json_real ((double) value);
}

//  An integer, or with wrong_types its decimal string.
static json_t *
s_integer (uint64_t value, bool wrong_types)
{
    if (!wrong_types)
        return json_integer ((json_int_t) value);
    char text [BB_U128_DEC_SIZE];
    return json_string (bb_u128_format (value, text));
}

//  A price, or with wrong_types its text.
static json_t *
s_price (double value, bool wrong_types)
{
    if (!wrong_types)
        return json_real (value);
    char text [32];
    snprintf (text, sizeof text, "%.15g", value);
    return json_string (text);
}

//  ---------------------------------------------------------------------
//  Hiro balances

json_t *
bb_mock_body_hiro_v1 (const char *principal, bool wrong_types)
{
    assert (principal);
    bb_mock_hiro_t hiro;
    bb_mockdata_hiro (principal, &hiro);
    json_t *stx = json_object ();
    json_object_set_new (stx, "balance",
                         s_amount (hiro.stx_balance, wrong_types));
    json_object_set_new (stx, "total_sent",
                         s_amount (hiro.stx_total_sent, wrong_types));
    json_object_set_new (stx, "total_received",
                         s_amount (hiro.stx_total_received, wrong_types));
    json_object_set_new (stx, "total_fees_sent",
                         s_amount (hiro.stx_total_fees_sent, wrong_types));
    json_object_set_new (stx, "total_miner_rewards_received",
                         s_amount ("0", wrong_types));
    json_object_set_new (stx, "lock_tx_id", json_string (""));
    json_object_set_new (stx, "locked", s_amount ("0", wrong_types));
    json_object_set_new (stx, "lock_height", s_integer (0, wrong_types));
    json_object_set_new (stx, "burnchain_lock_height",
                         s_integer (0, wrong_types));
    json_object_set_new (stx, "burnchain_unlock_height",
                         s_integer (0, wrong_types));

    json_t *tokens = json_object ();
    for (size_t index = 0; index < hiro.ft_count; index++) {
        const bb_mock_ft_t *ft = &hiro.ft [index];
        json_object_set_new (tokens, ft->asset_id, json_pack (
            "{s:o, s:o, s:o}",
            "balance", s_amount (ft->balance, wrong_types),
            "total_sent", s_amount (ft->total_sent, wrong_types),
            "total_received", s_amount (ft->total_received, wrong_types)));
    }
    return json_pack ("{s:o, s:o, s:{}}", "stx", stx,
                      "fungible_tokens", tokens, "non_fungible_tokens");
}

json_t *
bb_mock_body_hiro_v3_stx (const char *principal, bool wrong_types)
{
    assert (principal);
    bb_mock_hiro_t hiro;
    bb_mockdata_hiro (principal, &hiro);
    //  Nothing is ever locked, so available == balance.
    return json_pack ("{s:o, s:o, s:n, s:n}",
                      "balance", s_amount (hiro.stx_balance, wrong_types),
                      "available", s_amount (hiro.stx_balance, wrong_types),
                      "locked", "mempool");
}

//  A v3 ft result row: a non-zero position and its sort key.
typedef struct {
    bb_u128_t balance;
    const bb_mock_ft_t *ft;
} ft_row_t;

//  Largest balance first, then asset id ascending.
static int
s_row_compare (bb_u128_t balance, const char *asset_id, const ft_row_t *row)
{
    if (balance != row->balance)
        return balance > row->balance ? -1 : 1;
    return strcmp (asset_id, row->ft->asset_id);
}

static int
s_row_qsort (const void *left, const void *right)
{
    const ft_row_t *row = left;
    return s_row_compare (row->balance, row->ft->asset_id, right);
}

//  Parse "<balance>:<asset id>". Returns 0 or -1.
static int
s_cursor_parse (const char *cursor, bb_u128_t *balance,
                const char **asset_id)
{
    const char *colon = strchr (cursor, ':');
    char digits [BB_U128_DEC_SIZE];
    size_t length = colon ? (size_t) (colon - cursor) : 0;
    if (!colon || length == 0 || length >= sizeof digits || !colon [1])
        return -1;
    memcpy (digits, cursor, length);
    digits [length] = 0;
    *asset_id = colon + 1;
    const char *reason;
    return bb_u128_parse (digits, balance, &reason);
}

//  The cursor of row, or JSON null when row is past the end.
static json_t *
s_cursor_json (const ft_row_t *rows, size_t count, size_t row)
{
    if (row >= count)
        return json_null ();
    char balance [BB_U128_DEC_SIZE];
    char cursor [TEXT_MAX];
    snprintf (cursor, sizeof cursor, "%s:%s",
              bb_u128_format (rows [row].balance, balance),
              rows [row].ft->asset_id);
    return json_string (cursor);
}

json_t *
bb_mock_body_hiro_v3_ft (const char *principal, size_t limit,
                         const char *cursor, bool wrong_types)
{
    assert (principal);
    assert (limit > 0);
    bb_mock_hiro_t hiro;
    bb_mockdata_hiro (principal, &hiro);
    ft_row_t rows [BB_MOCK_FT_MAX];
    size_t count = 0;
    for (size_t index = 0; index < hiro.ft_count; index++) {
        bb_u128_t balance = s_u128 (hiro.ft [index].balance);
        if (balance)
            rows [count++] = (ft_row_t) { balance, &hiro.ft [index] };
    }
    qsort (rows, count, sizeof rows [0], s_row_qsort);

    //  A cursor names the first row of its page; keyset semantics, so a
    //  cursor whose row vanished still starts at the right place.
    size_t start = 0;
    if (cursor) {
        bb_u128_t balance;
        const char *asset_id;
        if (s_cursor_parse (cursor, &balance, &asset_id))
            return NULL;
        while (start < count
            && s_row_compare (balance, asset_id, &rows [start]) > 0)
            start++;
    }
    json_t *results = json_array ();
    for (size_t row = start; row < count && row < start + limit; row++)
        json_array_append_new (results, json_pack (
            "{s:s, s:o}", "asset_identifier", rows [row].ft->asset_id,
            "balance", s_amount (rows [row].ft->balance, wrong_types)));
    size_t previous = start > limit ? start - limit : 0;
    return json_pack ("{s:I, s:I, s:{s:o, s:o, s:o}, s:o}",
                      "total", (json_int_t) count,
                      "limit", (json_int_t) limit,
                      "cursor",
                          "next", s_cursor_json (rows, count, start + limit),
                          "previous", start > 0
                              ? s_cursor_json (rows, count, previous)
                              : json_null (),
                          "current", s_cursor_json (rows, count, start),
                      "results", results);
}

//  ---------------------------------------------------------------------
//  mempool.space

static json_t *
s_txo_stats (const bb_mock_txo_stats_t *stats, bool wrong_types)
{
    return json_pack ("{s:o, s:o, s:o, s:o, s:o}",
        "funded_txo_count", s_integer (stats->funded_txo_count, wrong_types),
        "funded_txo_sum", s_integer (stats->funded_txo_sum, wrong_types),
        "spent_txo_count", s_integer (stats->spent_txo_count, wrong_types),
        "spent_txo_sum", s_integer (stats->spent_txo_sum, wrong_types),
        "tx_count", s_integer (stats->tx_count, wrong_types));
}

json_t *
bb_mock_body_mempool (const char *address, bool wrong_types)
{
    assert (address);
    bb_mock_btc_t btc;
    bb_mockdata_btc (address, &btc);
    return json_pack ("{s:s, s:o, s:o}", "address", address,
                      "chain_stats", s_txo_stats (&btc.chain, wrong_types),
                      "mempool_stats",
                          s_txo_stats (&btc.mempool, wrong_types));
}

//  ---------------------------------------------------------------------
//  CoinGecko

//  True if the comma list holds item.
static bool
s_list_has (const char *list, const char *item, size_t length)
{
    for (const char *at = list; at && *at; ) {
        const char *comma = strchr (at, ',');
        size_t span = comma ? (size_t) (comma - at) : strlen (at);
        if (span == length && strncmp (at, item, length) == 0)
            return true;
        at = comma ? comma + 1 : NULL;
    }
    return false;
}

json_t *
bb_mock_body_price (const char *ids, const char *vs_currencies,
                    double btc_usd, double stx_usd, bool wrong_types)
{
    static const char *coins [] = { "bitcoin", "blockstack" };
    const double prices [] = { btc_usd, stx_usd };
    bool usd = s_list_has (vs_currencies, "usd", 3);
    json_t *root = json_object ();
    //  CoinGecko answers in the order of ids; unknown ids are left out.
    for (const char *at = ids; at && *at; ) {
        const char *comma = strchr (at, ',');
        size_t span = comma ? (size_t) (comma - at) : strlen (at);
        for (size_t coin = 0; coin < 2; coin++)
            if (span == strlen (coins [coin])
            &&  strncmp (at, coins [coin], span) == 0) {
                json_t *quote = json_object ();
                if (usd)
                    json_object_set_new (quote, "usd", s_price (
                        prices [coin], wrong_types));
                json_object_set_new (root, coins [coin], quote);
            }
        at = comma ? comma + 1 : NULL;
    }
    return root;
}

//  ---------------------------------------------------------------------
//  Token metadata

//  Set key to text when text is not NULL (optional fields).
static void
s_set_optional (json_t *object, const char *key, const char *text)
{
    if (text)
        json_object_set_new (object, key, json_string (text));
}

//  assets.hiro.so's cached copy of token's image (file "1.png" or
//  "1-thumb.png") in uri (TEXT_MAX bytes); NULL when it has no image.
static const char *
s_cached_image (const bb_mock_token_t *token, const char *file, char *uri)
{
    if (!token->image_canonical_uri)
        return NULL;
    snprintf (uri, TEXT_MAX, TMA_ASSETS "%s/%s", token->contract, file);
    return uri;
}

json_t *
bb_mock_body_metadata (const bb_mock_token_t *token, bool wrong_types)
{
    assert (token);
    if (token->http_status != 200)
        return bb_mock_body_error (token->error);
    char sender [TEXT_MAX];
    snprintf (sender, sizeof sender, "%.*s",
              (int) strcspn (token->contract, "."), token->contract);
    char image_buf [TEXT_MAX], thumb_buf [TEXT_MAX];
    const char *image = s_cached_image (token, "1.png", image_buf);
    const char *thumb = s_cached_image (token, "1-thumb.png", thumb_buf);

    json_t *root = json_object ();
    s_set_optional (root, "name", token->name);
    s_set_optional (root, "symbol", token->symbol);
    json_object_set_new (root, "decimals",
                         s_integer (token->decimals, wrong_types));
    if (token->total_supply)
        json_object_set_new (root, "total_supply",
                             s_amount (token->total_supply, wrong_types));
    s_set_optional (root, "token_uri", token->token_uri);
    s_set_optional (root, "description", token->description);
    s_set_optional (root, "image_uri", image);
    s_set_optional (root, "image_thumbnail_uri", thumb);
    s_set_optional (root, "image_canonical_uri", token->image_canonical_uri);
    json_object_set_new (root, "tx_id", json_string (token->tx_id));
    json_object_set_new (root, "sender_address", json_string (sender));
    json_object_set_new (root, "asset_identifier",
                         json_string (token->asset_id));
    //  The SIP-016 document exists only where there is a token_uri.
    if (token->token_uri) {
        json_t *metadata = json_pack ("{s:i, s:s}", "sip", TMA_SIP,
                                      "name", token->name);
        s_set_optional (metadata, "description", token->description);
        s_set_optional (metadata, "image", token->image_canonical_uri);
        s_set_optional (metadata, "cached_image", image);
        s_set_optional (metadata, "cached_thumbnail_image", thumb);
        json_object_set_new (root, "metadata", metadata);
    }
    return root;
}

//  ---------------------------------------------------------------------
//  Agent registry

static json_t *
s_agent_json (unsigned index, size_t invalid_every, bool wrong_types)
{
    bb_mock_agent_t agent;
    bb_mockdata_registry_agent (index, (unsigned) invalid_every, &agent);
    return json_pack ("{s:s, s:s, s:s, s:o, s:o, s:s}",
                      "stxAddress", agent.stx_address,
                      "btcAddress", agent.btc_address,
                      "displayName", agent.display_name,
                      "bnsName", agent.bns_name [0]
                          ? json_string (agent.bns_name) : json_null (),
                      "level", s_integer ((uint64_t) agent.level,
                                          wrong_types),
                      "levelName", agent.level_name);
}

json_t *
bb_mock_body_agents (size_t total, size_t limit, size_t offset,
                     size_t invalid_every, bool wrong_types)
{
    json_t *agents = json_array ();
    for (size_t index = offset; index < total && index - offset < limit;
         index++)
        json_array_append_new (agents, s_agent_json ((unsigned) index,
                                                     invalid_every,
                                                     wrong_types));
    return json_pack ("{s:o, s:{s:I, s:I, s:I, s:b}}",
                      "agents", agents,
                      "pagination",
                          "total", (json_int_t) total,
                          "limit", (json_int_t) limit,
                          "offset", (json_int_t) offset,
                          "hasMore", offset + limit < total);
}

//  ---------------------------------------------------------------------
//  Errors

json_t *
bb_mock_body_error (const char *error)
{
    assert (error);
    return json_pack ("{s:s}", "error", error);
}

json_t *
bb_mock_body_bad_request (const char *message)
{
    assert (message);
    return json_pack ("{s:i, s:s, s:s}", "statusCode", 400,
                      "error", "Bad Request", "message", message);
}

json_t *
bb_mock_body_invalid_principal (const char *principal)
{
    assert (principal);
    char message [TEXT_MAX];
    snprintf (message, sizeof message, "invalid STX address \"%s\"",
              principal);
    return bb_mock_body_bad_request (message);
}

json_t *
bb_mock_body_gone (void)
{
    return json_pack ("{s:s, s:s}", "error", "Gone", "message",
                      "This endpoint has been disabled. See "
                      "https://docs.hiro.so/stacks/api for more information");
}

json_t *
bb_mock_body_hiro_429 (long retry_after_s)
{
    char message [80];
    snprintf (message, sizeof message,
              "Rate limit exceeded, retry in %ld seconds", retry_after_s);
    return json_pack ("{s:i, s:s, s:s}", "statusCode", 429,
                      "error", "Too Many Requests", "message", message);
}

json_t *
bb_mock_body_price_429 (void)
{
    return json_pack ("{s:{s:i, s:s}}", "status", "error_code", 429,
                      "error_message",
                      "You've exceeded the Rate Limit. Please visit "
                      "https://www.coingecko.com/en/api/pricing to subscribe "
                      "to our API plans for higher rate limits.");
}

const char *
bb_mock_body_mempool_429_html (void)
{
    return "<html>\r\n"
           "<head><title>429 Too Many Requests</title></head>\r\n"
           "<body>\r\n"
           "<center><h1>429 Too Many Requests</h1></center>\r\n"
           "<center>Sign Up for a Mempool Enterprise account to get "
           "increased API limits: https://mempool.space/enterprise</center>"
           "\r\n<hr><center>nginx</center>\r\n"
           "</body>\r\n"
           "</html>\r\n";
}
