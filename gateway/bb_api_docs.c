/*  =========================================================================
    bb_api_docs - the documentation payload of GET /api/dashboard?docs=1
    =========================================================================
*/
#include <assert.h>
#include <jansson.h>

#include "bb_api_docs.h"
#include "bb_http_query.h"
#include "bb_render.h"

static json_t *
s_field (const char *type, const char *description)
{
    return json_pack ("{s:s, s:s}", "type", type, "description",
                      description);
}

static json_t *
s_query_parameters (void)
{
    return json_pack (
        "{s:{s:s, s:i, s:i, s:i, s:s}, s:{s:s, s:i, s:i, s:s}}",
        "limit", "type", "integer",
            "default", BB_HTTP_QUERY_LIMIT_DEFAULT,
            "min", 1, "max", BB_HTTP_QUERY_LIMIT_MAX,
            "description", "rows per page; read like parseInt (\"7.9\" is "
            "7, \"12abc\" is 12); missing, unreadable or 0 gives the "
            "default, other values are clamped to min..max",
        "offset", "type", "integer", "default", 0, "min", 0,
            "description", "rank of the first row, from 0; read like "
            "parseInt; missing or unreadable gives 0, a negative value 0");
}

static json_t *
s_token_format (void)
{
    return json_pack ("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
        "symbol", s_field ("string", "token symbol (BTC, STX, sBTC, ...)"),
        "contract", s_field ("string", "contract principal of a Stacks "
                             "token; absent for BTC and STX"),
        "balance", s_field ("string", "exact raw amount, a decimal integer"),
        "decimals", s_field ("integer", "decimals of the raw amount"),
        "amount", s_field ("number", "balance / 10^decimals"),
        "priceUsd", s_field ("number", "USD price of one unit; 0 unpriced"),
        "usdValue", s_field ("number", "amount * priceUsd"));
}

static json_t *
s_agent_format (void)
{
    return json_pack ("{s:o, s:o, s:o, s:o, s:o, s:o, s:{s:s, s:s, s:o}, "
                      "s:o, s:o}",
        "stxAddress", s_field ("string", "Stacks address (the key)"),
        "btcAddress", s_field ("string", "Bitcoin address"),
        "displayName", s_field ("string|null", "name in the registry"),
        "bnsName", s_field ("string|null", "BNS name"),
        "level", s_field ("integer", "registry level"),
        "levelName", s_field ("string|null", "name of the level"),
        "tokens", "type", "array", "description", "non-zero positions only",
            "items", s_token_format (),
        "totalUsd", s_field ("number", "sum of the tokens' usdValue; the "
                             "ranking key, descending, ties by stxAddress"),
        "fetchError", s_field ("string", "absent when fetched cleanly; "
                               "\"partial\" (a source failed, last good "
                               "rows shown) or \"pending\" (never fetched)"));
}

static json_t *
s_response_format (void)
{
    return json_pack ("{s:{s:s, s:o}, s:{s:o, s:o, s:o}, s:{s:o, s:o, s:o}, "
                      "s:o, s:{s:o, s:o, s:o, s:o}}",
        "agents", "type", "array", "items", s_agent_format (),
        "prices",
            "BTC", s_field ("number", "USD per BTC; 0 before any snapshot"),
            "STX", s_field ("number", "USD per STX"),
            "sBTC", s_field ("number", "USD per sBTC (the BTC price)"),
        "stats",
            "total", s_field ("integer", "agents in the registry"),
            "totalUsd", s_field ("number", "USD value of every agent"),
            "pricedAt", s_field ("string|null", "ISO-8601 UTC time of the "
                                 "price snapshot"),
        "cachedAt", s_field ("string|null", "ISO-8601 UTC time of the last "
                             "commit the page reflects"),
        "pagination",
            "total", s_field ("integer", "agents ranked"),
            "limit", s_field ("integer", "the limit applied"),
            "offset", s_field ("integer", "the offset applied"),
            "hasMore", s_field ("boolean", "rows exist past this page"));
}

static json_t *
s_notes (void)
{
    return json_pack ("[s, s, s, s, s]",
        "Cache-Control: public, max-age=30, s-maxage=60, "
        "stale-while-revalidate=300 on data; this payload is cached for "
        "an hour (a day at shared caches).",
        "ETag is strong and made of the store's commit sequence, the price "
        "snapshot, offset and limit; send it in If-None-Match to get 304 "
        "Not Modified without a body.",
        "Send Accept-Encoding: gzip for a gzip body (Vary: Accept-Encoding).",
        "Bad parameters are never an error: they fall back to defaults.",
        "Errors are JSON {\"error\", \"status\"}: 503 with Retry-After when "
        "the store does not answer in time.");
}

char *
bb_api_docs_text (void)
{
    json_t *docs = json_pack ("{s:s, s:s, s:s, s:o, s:o, s:o}",
        "endpoint", "/api/dashboard",
        "method", "GET",
        "description", "The ranked leaderboard of agent token portfolios, "
        "by total USD value descending, one page at a time.",
        "queryParameters", s_query_parameters (),
        "responseFormat", s_response_format (),
        "notes", s_notes ());
    assert (docs);
    char *text = bb_render_to_string (docs, false);
    json_decref (docs);
    return text;
}
