/*  =========================================================================
    bb_mock_exchange - one upstream request and how its endpoint answers

    Owns the per-endpoint answers. Each validates what the real service
    validates, in the same order, then renders bb_mock_body; errors take
    each service's own shape (Fastify JSON for Hiro, text/plain for
    esplora, CoinGecko's JSON).
    =========================================================================
*/
#include "bb_mock_exchange.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bb_address.h"
#include "bb_mock_body.h"

#define HIRO_RPM_NO_KEY     50      // Hiro's published limits, shown in the
#define HIRO_RPM_WITH_KEY   500     // headers when the mock does not limit
#define V3_LIMIT_DEFAULT    100
#define V3_LIMIT_MAX        200
#define AGENTS_LIMIT_DEFAULT 100
#define AGENTS_LIMIT_MAX    1000
#define DEPRECATION_WARNING \
    "299 - \"Deprecated: See https://docs.hiro.so/stacks/api for more " \
    "information\""
#define DB_UNAVAILABLE      "The database service is unavailable"
#define CONTRACT_PATTERN \
    "params/principal must match pattern \"^[0123456789ABCDEFGHJKMNPQRSTV" \
    "WXYZ]{28,41}\\.[a-zA-Z]([a-zA-Z0-9]|[-_]){0,39}$\""
#define TEXT_PLAIN          "text/plain; charset=utf-8"
#define TEXT_HTML           "text/html"
#define MEMPOOL_JSON        "application/json"

//  ---------------------------------------------------------------------
//  Helpers

//  Query argument name as a long in min..max, or fallback when absent.
//  Returns 0, or -1 if present but not an integer in range.
static int
s_query_long (struct MHD_Connection *connection, const char *name,
              long fallback, long min, long max, long *value)
{
    const char *text = MHD_lookup_connection_value (
        connection, MHD_GET_ARGUMENT_KIND, name);
    *value = fallback;
    if (!text)
        return 0;
    char *end = NULL;
    long number = strtol (text, &end, 10);
    if (!*text || *end || number < min || number > max)
        return -1;
    *value = number;
    return 0;
}

static const char *
s_query (struct MHD_Connection *connection, const char *name)
{
    return MHD_lookup_connection_value (connection, MHD_GET_ARGUMENT_KIND,
                                        name);
}

static void
s_reply_json (bb_mock_reply_t *reply, unsigned status, json_t *body)
{
    bb_mock_reply_set_json (reply, status, &body);
}

//  ---------------------------------------------------------------------
//  Answers of the endpoints

//  Hiro's 400 for a principal that fails c32check. True if it failed.
static bool
s_principal_rejected (bb_mock_exchange_t *self, bb_mock_reply_t *reply)
{
    const char *principal = self->param;
    const char *reason;
    int rc = strchr (principal, '.')
           ? bb_address_check_contract (principal, BB_NETWORK_MAINNET,
                                        &reason)
           : bb_address_check_stx (principal, BB_NETWORK_MAINNET, &reason);
    if (rc == 0)
        return false;
    s_reply_json (reply, MHD_HTTP_BAD_REQUEST,
                  bb_mock_body_invalid_principal (principal));
    return true;
}

static void
s_answer_hiro_v1 (bb_mock_exchange_t *self, bb_mock_reply_t *reply)
{
    //  The deprecation hook stamps every answer of the route.
    bb_mock_reply_add_header (reply, "Warning", "%s", DEPRECATION_WARNING);
    if (self->settings.gone_v1)
        s_reply_json (reply, MHD_HTTP_GONE, bb_mock_body_gone ());
    else
    if (!s_principal_rejected (self, reply))
        s_reply_json (reply, MHD_HTTP_OK, bb_mock_body_hiro_v1 (
            self->param, self->wrong_types));
}

static void
s_answer_hiro_v3_stx (bb_mock_exchange_t *self, bb_mock_reply_t *reply)
{
    if (!s_principal_rejected (self, reply))
        s_reply_json (reply, MHD_HTTP_OK, bb_mock_body_hiro_v3_stx (
            self->param, self->wrong_types));
}

static void
s_answer_hiro_v3_ft (bb_mock_exchange_t *self, bb_mock_reply_t *reply)
{
    if (s_principal_rejected (self, reply))
        return;
    long limit;
    if (s_query_long (self->connection, "limit", V3_LIMIT_DEFAULT,
                      1, LONG_MAX, &limit)) {
        s_reply_json (reply, MHD_HTTP_BAD_REQUEST, bb_mock_body_bad_request (
            "querystring/limit must be integer >= 1"));
        return;
    }
    if (limit > V3_LIMIT_MAX) {
        s_reply_json (reply, MHD_HTTP_BAD_REQUEST, bb_mock_body_bad_request (
            "'limit' must be equal to or less than 200"));
        return;
    }
    //  --v3-page-size caps the page so tests can force several pages.
    if (limit > self->settings.v3_page_size)
        limit = self->settings.v3_page_size;
    json_t *body = bb_mock_body_hiro_v3_ft (
        self->param, (size_t) limit,
        s_query (self->connection, "cursor"), self->wrong_types);
    if (body)
        s_reply_json (reply, MHD_HTTP_OK, body);
    else
        s_reply_json (reply, MHD_HTTP_BAD_REQUEST,
                      bb_mock_body_bad_request ("invalid cursor"));
}

//  esplora's 400s are text/plain.
static bool
s_btc_rejected (bb_mock_exchange_t *self, bb_mock_reply_t *reply)
{
    const char *address = self->param;
    const char *reason;
    if (bb_address_check_btc (address, BB_NETWORK_MAINNET, &reason) == 0)
        return false;
    bool other_network =
        bb_address_check_btc (address, BB_NETWORK_TESTNET, &reason) == 0;
    bb_mock_reply_set_text (reply, MHD_HTTP_BAD_REQUEST, TEXT_PLAIN,
                            other_network ? "Address on invalid network"
                                          : "Invalid Bitcoin address");
    return true;
}

static void
s_answer_mempool (bb_mock_exchange_t *self, bb_mock_reply_t *reply)
{
    if (s_btc_rejected (self, reply))
        return;
    s_reply_json (reply, MHD_HTTP_OK, bb_mock_body_mempool (
        self->param, self->wrong_types));
    bb_mock_reply_set_content_type (reply, MEMPOOL_JSON);
    bb_mock_reply_add_header (reply, "Cache-Control", "public, max-age=10");
}

static void
s_answer_price (bb_mock_exchange_t *self, bb_mock_reply_t *reply)
{
    s_reply_json (reply, MHD_HTTP_OK, bb_mock_body_price (
        s_query (self->connection, "ids"),
        s_query (self->connection, "vs_currencies"),
        self->settings.btc_usd, self->settings.stx_usd, self->wrong_types));
}

static void
s_answer_metadata (bb_mock_exchange_t *self, bb_mock_reply_t *reply)
{
    const char *contract = self->param;
    const char *reason;
    if (bb_address_check_contract (contract, BB_NETWORK_MAINNET, &reason)) {
        s_reply_json (reply, MHD_HTTP_BAD_REQUEST,
                      bb_mock_body_bad_request (CONTRACT_PATTERN));
        return;
    }
    const bb_mock_token_t *token = bb_mockdata_token_by_contract (contract);
    if (!token)
        s_reply_json (reply, MHD_HTTP_NOT_FOUND,
                      bb_mock_body_error ("Contract not found"));
    else
        s_reply_json (reply, (unsigned) token->http_status,
                      bb_mock_body_metadata (token, self->wrong_types));
}

static void
s_answer_agents (bb_mock_exchange_t *self, bb_mock_reply_t *reply)
{
    long limit, offset;
    if (s_query_long (self->connection, "limit", AGENTS_LIMIT_DEFAULT,
                      1, AGENTS_LIMIT_MAX, &limit)
    ||  s_query_long (self->connection, "offset", 0, 0, LONG_MAX, &offset)) {
        s_reply_json (reply, MHD_HTTP_BAD_REQUEST, bb_mock_body_error (
            "limit must be 1..1000 and offset >= 0"));
        return;
    }
    //  A stuck registry answers its first page whatever the offset
    if (self->settings.agents_stuck)
        offset = 0;
    s_reply_json (reply, MHD_HTTP_OK, bb_mock_body_agents (
        (size_t) self->settings.agents, (size_t) limit, (size_t) offset,
        (size_t) self->settings.agents_invalid_every, self->wrong_types));
}

//  The normal answer of the exchange's endpoint.
void
bb_mock_exchange_answer (bb_mock_exchange_t *self, bb_mock_reply_t *reply)
{
    assert (self);
    switch (self->endpoint) {
        case BB_MOCK_HIRO_V1:     s_answer_hiro_v1 (self, reply); break;
        case BB_MOCK_HIRO_V3_STX: s_answer_hiro_v3_stx (self, reply); break;
        case BB_MOCK_HIRO_V3_FT:  s_answer_hiro_v3_ft (self, reply); break;
        case BB_MOCK_MEMPOOL:     s_answer_mempool (self, reply); break;
        case BB_MOCK_PRICE:       s_answer_price (self, reply); break;
        case BB_MOCK_METADATA:    s_answer_metadata (self, reply); break;
        case BB_MOCK_AGENTS:      s_answer_agents (self, reply); break;
        case BB_MOCK_ENDPOINT_COUNT: assert (false); break;
    }
}

//  ---------------------------------------------------------------------
//  Errors and rate limits

void
bb_mock_exchange_reject_address (bb_mock_exchange_t *self,
                                 bb_mock_reply_t *reply)
{
    assert (self);
    switch (self->endpoint) {
        case BB_MOCK_HIRO_V1:
        case BB_MOCK_HIRO_V3_STX:
        case BB_MOCK_HIRO_V3_FT:
            s_reply_json (reply, MHD_HTTP_BAD_REQUEST,
                          bb_mock_body_invalid_principal (self->param));
            break;
        case BB_MOCK_MEMPOOL:
            bb_mock_reply_set_text (reply, MHD_HTTP_BAD_REQUEST, TEXT_PLAIN,
                                    "Invalid Bitcoin address");
            break;
        case BB_MOCK_METADATA:
            s_reply_json (reply, MHD_HTTP_BAD_REQUEST,
                          bb_mock_body_bad_request (CONTRACT_PATTERN));
            break;
        default:
            s_reply_json (reply, MHD_HTTP_BAD_REQUEST,
                          bb_mock_body_bad_request ("invalid request"));
            break;
    }
}

//  Seconds a 429 tells the client to wait.
static long
s_retry_after_s (const bb_mock_exchange_t *self)
{
    if (self->settings.rate_limit_retry_after_s > 0)
        return self->settings.rate_limit_retry_after_s;
    int64_t wait_ms = self->quota.reset_ms - self->now_ms;
    long seconds = (long) ((wait_ms + 999) / 1000);
    return seconds > 0 ? seconds : 1;
}

//  429 in each upstream's own style; retry_after_header may add a
//  Retry-After to every one or take it from every one.
void
bb_mock_exchange_too_many (bb_mock_exchange_t *self, bb_mock_reply_t *reply)
{
    assert (self);
    long retry_after = s_retry_after_s (self);
    long header = self->settings.retry_after_header;
    bb_mock_host_t host = bb_mock_endpoint_host (self->endpoint);
    switch (host) {
        case BB_MOCK_HOST_MEMPOOL:
            //  nginx's HTML page and no Retry-After, like mempool.space.
            bb_mock_reply_set_text (reply, MHD_HTTP_TOO_MANY_REQUESTS,
                                    TEXT_HTML,
                                    bb_mock_body_mempool_429_html ());
            break;
        case BB_MOCK_HOST_HIRO:
            s_reply_json (reply, MHD_HTTP_TOO_MANY_REQUESTS,
                          bb_mock_body_hiro_429 (retry_after));
            break;
        case BB_MOCK_HOST_PRICE:
            s_reply_json (reply, MHD_HTTP_TOO_MANY_REQUESTS,
                          bb_mock_body_price_429 ());
            break;
        default:
            s_reply_json (reply, MHD_HTTP_TOO_MANY_REQUESTS,
                          bb_mock_body_error ("Too Many Requests"));
            break;
    }
    if (header > 0 || (header == 0 && host != BB_MOCK_HOST_MEMPOOL))
        bb_mock_reply_add_header (reply, "Retry-After", "%ld", retry_after);
}

void
bb_mock_exchange_unavailable (bb_mock_exchange_t *self, unsigned status,
                              bb_mock_reply_t *reply)
{
    assert (self);
    s_reply_json (reply, status, bb_mock_body_error (DB_UNAVAILABLE));
}

//  The doc says ratelimit-reset is a Unix timestamp. When the mock does
//  not limit (quota limit 0) the headers show Hiro's published limit,
//  never used up, as a quiet real service would.
void
bb_mock_exchange_quota_headers (bb_mock_exchange_t *self,
                                bb_mock_reply_t *reply)
{
    assert (self);
    if (bb_mock_endpoint_host (self->endpoint) != BB_MOCK_HOST_HIRO)
        return;
    bb_mock_quota_t quota = self->quota;
    if (quota.limit == 0) {
        long nominal = self->api_key ? HIRO_RPM_WITH_KEY : HIRO_RPM_NO_KEY;
        quota = (bb_mock_quota_t) {
            nominal, nominal,
            self->now_ms + self->settings.rate_limit_window_ms
        };
    }
    long long reset_s = (long long) ((quota.reset_ms + 999) / 1000);
    bb_mock_reply_add_header (reply, "ratelimit-limit", "%ld", quota.limit);
    bb_mock_reply_add_header (reply, "ratelimit-remaining", "%ld",
                              quota.remaining);
    bb_mock_reply_add_header (reply, "ratelimit-reset", "%lld", reset_s);
    bb_mock_reply_add_header (reply, "x-ratelimit-cost-stacks", "1");
    bb_mock_reply_add_header (reply, "x-ratelimit-limit-stacks-minute",
                              "%ld", quota.limit);
    bb_mock_reply_add_header (reply, "x-ratelimit-remaining-stacks-minute",
                              "%ld", quota.remaining);
}
