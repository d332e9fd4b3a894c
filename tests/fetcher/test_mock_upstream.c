/*  test_mock_upstream - the mock upstream, end to end: bb_mockdata's mix
    of balances, then the real balboard-mock-upstream binary over HTTP.
    Every endpoint must answer in the real API's shape (the fixtures in
    tests/fixtures/upstream) with exactly the values bb_mockdata derives;
    v3 ft paging must return every position; every switch and fault kind
    must behave as documented; stats must count; SIGTERM must exit 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "bb_address.h"
#include "bb_mockdata.h"
#include "bb_http_exchange.h"
#include "bb_child.h"
#include "bb_mock_process.h"
#include "bb_u128.h"
#include "bb_clock.h"

#define MOCK_BINARY     "balboard-mock-upstream"
#define START_MS        10000
#define STOP_MS         10000
#define HTTP_MS         10000
#define PAGE_SIZE       "2"         // --v3-page-size: forces paging
#define AGENTS          50          // --agents
#define AGENTS_TEXT     "50"
#define IDLE_MS         10000       // wait for hung requests to finish
#define POLL_MS         50
#define SAMPLE          2000        // agents the mix statistics look at
#define PATH_LEN        512         // a path + query we build
#define URL_MAX         (PATH_LEN + 64)
#define ONE_MIB         (1024 * 1024)
#define FIXTURE_LONGCOIN "hiro_metadata_v1_ft__leather_longcoin.json"
#define FIXTURE_V1      "hiro_v1_address_balances__leather_mainnet_5ft.json"
#define FIXTURE_V3_STX \
    "hiro_v3_principals_balances_stx__upstream_test_no_activity.json"
#define FIXTURE_V3_FT \
    "hiro_v3_principals_balances_ft__upstream_test_empty.json"
#define FIXTURE_MEMPOOL "mempool_address__docs_mainnet_1wiz.json"
#define LONGCOIN        "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3.longcoin"
#define LEATHER_ADDRESS "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3"

//  ---------------------------------------------------------------------
//  Helpers: the mock process

//  Start the mock with the test's flags plus extra (NULL-terminated).
static bb_mock_process_t *
s_mock_start (const char *const extra [])
{
    const char *args [16] = {
        "--v3-page-size", PAGE_SIZE, "--agents", AGENTS_TEXT,
        "--log-level", "warn"
    };
    bb_child_args_append (args, sizeof args / sizeof args [0], extra);
    bb_mock_process_t *mock = bb_mock_process_new (args, START_MS);
    if (!mock)
        fail_msg ("the mock upstream did not start");
    return mock;
}

static int
s_group_setup (void **state)
{
    *state = s_mock_start (NULL);
    return 0;
}

static int
s_group_teardown (void **state)
{
    bb_mock_process_t *mock = *state;
    return bb_mock_process_end (&mock, STOP_MS) == 0 ? 0 : -1;
}

static const char *
s_url (bb_mock_process_t *mock, const char *path, char *url)
{
    snprintf (url, URL_MAX, "%s%s", bb_mock_process_base (mock), path);
    return url;
}

static bb_http_exchange_t *
s_get (bb_mock_process_t *mock, const char *path)
{
    char url [URL_MAX];
    return bb_http_exchange_get (s_url (mock, path, url), NULL, HTTP_MS);
}

static bb_http_exchange_t *
s_get_keyed (bb_mock_process_t *mock, const char *path, const char *key_header)
{
    char url [URL_MAX];
    const char *headers [] = { key_header, NULL };
    return bb_http_exchange_get (s_url (mock, path, url), headers, HTTP_MS);
}

static void
s_control (bb_mock_process_t *mock, const char *body)
{
    assert_int_equal (bb_mock_process_control (mock, body, HTTP_MS), 0);
}

//  Every test starts from the flags' state with zeroed counters.
static int
s_reset (void **state)
{
    assert_int_equal (bb_mock_process_reset (*state, HTTP_MS), 0);
    return 0;
}

//  GET path, require status, return the parsed body.
static json_t *
s_get_json (bb_mock_process_t *mock, const char *path, long status)
{
    bb_http_exchange_t *http = s_get (mock, path);
    if (bb_http_exchange_status (http) != status)
        fail_msg ("GET %s: status %ld (curl %d), want %ld: %s", path,
                  bb_http_exchange_status (http),
                  bb_http_exchange_curl_code (http), status,
                  bb_http_exchange_body (http));
    json_error_t error;
    json_t *root = json_loads (bb_http_exchange_body (http), 0, &error);
    if (!root)
        fail_msg ("GET %s: not JSON: %s", path, error.text);
    bb_http_exchange_destroy (&http);
    return root;
}

static json_t *
s_fixture (const char *name)
{
    const char *dir = getenv ("BALBOARD_FIXTURES");
    assert_non_null (dir);
    char path [PATH_LEN];
    snprintf (path, sizeof path, "%s/upstream/%s", dir, name);
    json_error_t error;
    json_t *root = json_load_file (path, 0, &error);
    if (!root)
        fail_msg ("fixture %s: %s", path, error.text);
    return root;
}

//  ---------------------------------------------------------------------
//  Helpers: shapes

//  actual has exactly expected's keys, in the same order, each of the
//  same JSON type (integer vs real vs string...), recursively.
static void
s_assert_shape (json_t *expected, json_t *actual, const char *where)
{
    if (json_typeof (expected) != json_typeof (actual))
        fail_msg ("%s: JSON type %d, want %d", where, json_typeof (actual),
                  json_typeof (expected));
    if (!json_is_object (expected))
        return;
    void *want = json_object_iter (expected);
    void *have = json_object_iter (actual);
    for (; want && have; want = json_object_iter_next (expected, want),
                         have = json_object_iter_next (actual, have)) {
        const char *key = json_object_iter_key (want);
        if (strcmp (key, json_object_iter_key (have)) != 0)
            fail_msg ("%s: key \"%s\", want \"%s\"", where,
                      json_object_iter_key (have), key);
        s_assert_shape (json_object_iter_value (want),
                        json_object_iter_value (have), key);
    }
    if (want || have)
        fail_msg ("%s: %zu keys, want %zu", where, json_object_size (actual),
                  json_object_size (expected));
}

static void
s_assert_string (json_t *object, const char *key, const char *expected)
{
    json_t *value = json_object_get (object, key);
    if (!json_is_string (value))
        fail_msg ("\"%s\" is not a string", key);
    assert_string_equal (json_string_value (value), expected);
}

static void
s_assert_integer (json_t *object, const char *key, uint64_t expected)
{
    json_t *value = json_object_get (object, key);
    if (!json_is_integer (value))
        fail_msg ("\"%s\" is not an integer", key);
    assert_true ((uint64_t) json_integer_value (value) == expected);
}

//  Non-zero positions of hiro, largest first (ties by asset id): what v3
//  lists. Returns the count.
static size_t
s_nonzero_sorted (const bb_mock_hiro_t *hiro, const bb_mock_ft_t **rows)
{
    size_t count = 0;
    for (size_t index = 0; index < hiro->ft_count; index++)
        if (strcmp (hiro->ft [index].balance, "0") != 0)
            rows [count++] = &hiro->ft [index];
    for (size_t done = 1; done < count; done++)
        for (size_t at = done; at > 0; at--) {
            bb_u128_t left, right;
            const char *reason;
            bb_u128_parse (rows [at - 1]->balance, &left, &reason);
            bb_u128_parse (rows [at]->balance, &right, &reason);
            bool swap = left < right || (left == right
                && strcmp (rows [at - 1]->asset_id, rows [at]->asset_id) > 0);
            if (!swap)
                break;
            const bb_mock_ft_t *held = rows [at];
            rows [at] = rows [at - 1];
            rows [at - 1] = held;
        }
    return count;
}

//  The STX address of the first sample agent whose Hiro data satisfies
//  want, into address; fails the test if none of SAMPLE does.
static void
s_find_agent (bool (*want) (const bb_mock_hiro_t *), char *address)
{
    for (unsigned index = 0; index < SAMPLE; index++) {
        bb_mock_agent_t agent;
        bb_mockdata_agent (index, &agent);
        bb_mock_hiro_t hiro;
        bb_mockdata_hiro (agent.stx_address, &hiro);
        if (want (&hiro)) {
            strcpy (address, agent.stx_address);
            return;
        }
    }
    fail_msg ("no sample agent has the wanted balances");
}

static bool
s_has_three_positions (const bb_mock_hiro_t *hiro)
{
    const bb_mock_ft_t *rows [BB_MOCK_FT_MAX];
    return s_nonzero_sorted (hiro, rows) >= 3;
}

static bool
s_has_zero_listing (const bb_mock_hiro_t *hiro)
{
    for (size_t index = 0; index < hiro->ft_count; index++)
        if (strcmp (hiro->ft [index].balance, "0") == 0)
            return true;
    return false;
}

static bool
s_is_whale (const bb_mock_hiro_t *hiro)
{
    const bb_mock_ft_t *ft = bb_mockdata_hiro_ft (hiro, BB_MOCK_WHALE_ASSET);
    return ft && strlen (ft->balance) == 39;
}

//  Addresses the shape tests walk: the Leather capture's and a few agents.
static void
s_sample_address (unsigned index, char *stx, char *btc)
{
    bb_mock_agent_t agent;
    bb_mockdata_agent (index, &agent);
    strcpy (stx, index ? agent.stx_address : LEATHER_ADDRESS);
    strcpy (btc, agent.btc_address);
}

#define SHAPE_SAMPLES 6

//  GET path_format with address put in for its %s, require 200 and the
//  shape of fixture (what names the body in a failure); returns the body.
static json_t *
s_get_shaped (bb_mock_process_t *mock, const char *path_format,
              const char *address, json_t *fixture, const char *what)
{
    char path [PATH_LEN];
    snprintf (path, sizeof path, path_format, address);
    json_t *root = s_get_json (mock, path, 200);
    s_assert_shape (fixture, root, what);
    return root;
}

//  ---------------------------------------------------------------------
//  bb_mockdata, without the server

static void
test_mockdata_mix (void **state)
{
    unsigned zero_stx = 0, sbtc = 0, whale = 0, zero_listed = 0;
    unsigned zero_btc = 0, mempool = 0, big_btc = 0;
    const bb_u128_t two_64 = (bb_u128_t) 1 << 64;
    for (unsigned index = 0; index < SAMPLE; index++) {
        bb_mock_agent_t agent;
        bb_mockdata_agent (index, &agent);
        const char *reason;
        assert_int_equal (bb_address_check_stx (
            agent.stx_address, BB_NETWORK_MAINNET, &reason), 0);
        assert_int_equal (bb_address_check_btc (
            agent.btc_address, BB_NETWORK_MAINNET, &reason), 0);
        assert_true (agent.level >= 0 && agent.level <= BB_MOCK_LEVEL_MAX);

        bb_mock_hiro_t hiro;
        bb_mockdata_hiro (agent.stx_address, &hiro);
        zero_stx += strcmp (hiro.stx_balance, "0") == 0;
        const bb_mock_ft_t *sbtc_ft = bb_mockdata_hiro_ft (
            &hiro, BB_TOKEN_ID_SBTC);
        sbtc += sbtc_ft && strcmp (sbtc_ft->balance, "0") != 0;
        zero_listed += s_has_zero_listing (&hiro);
        for (size_t ft = 0; ft < hiro.ft_count; ft++) {
            bb_u128_t value;
            assert_int_equal (bb_u128_parse (hiro.ft [ft].balance, &value,
                                             &reason), 0);
            assert_non_null (bb_mockdata_token_by_asset (
                hiro.ft [ft].asset_id));
            if (ft > 0)
                assert_true (strcmp (hiro.ft [ft - 1].asset_id,
                                     hiro.ft [ft].asset_id) < 0);
            whale += value > two_64;
        }
        bb_mock_btc_t btc;
        bb_mockdata_btc (agent.btc_address, &btc);
        assert_true (btc.chain.funded_txo_sum >= btc.chain.spent_txo_sum);
        zero_btc += bb_mockdata_btc_balance (&btc) == 0;
        mempool += btc.mempool.funded_txo_sum > 0;
        big_btc += btc.chain.funded_txo_sum > ((uint64_t) 1 << 31);
    }
    //  The documented shares, with room for sampling noise.
    assert_in_range (zero_stx, SAMPLE * 15 / 100, SAMPLE * 25 / 100);
    assert_in_range (sbtc, SAMPLE * 34 / 100, SAMPLE * 46 / 100);
    assert_in_range (whale, SAMPLE * 3 / 100, SAMPLE * 8 / 100);
    assert_in_range (zero_listed, SAMPLE * 8 / 100, SAMPLE * 18 / 100);
    assert_in_range (zero_btc, SAMPLE * 15 / 100, SAMPLE * 25 / 100);
    assert_in_range (mempool, SAMPLE * 25 / 100, SAMPLE * 35 / 100);
    assert_true (big_btc > 0);
}

static void
test_mockdata_deterministic (void **state)
{
    bb_mock_hiro_t first, second;
    bb_mockdata_hiro (LEATHER_ADDRESS, &first);
    bb_mockdata_hiro (LEATHER_ADDRESS, &second);
    assert_memory_equal (&first, &second, sizeof first);
    bb_mock_agent_t agent;
    bb_mockdata_agent (7, &agent);
    assert_string_equal (agent.display_name, "Agent 7");
    assert_true (agent.bns_name [0] == 0
              || strcmp (agent.bns_name, "agent7.btc") == 0);

    const bb_mock_token_t *sbtc = bb_mockdata_token_by_asset (
        BB_TOKEN_ID_SBTC);
    assert_non_null (sbtc);
    assert_string_equal (sbtc->symbol, "sBTC");
    assert_int_equal (sbtc->decimals, 8);
    assert_ptr_equal (bb_mockdata_token_by_contract (BB_MOCK_SBTC_CONTRACT),
                      sbtc);
}

//  ---------------------------------------------------------------------
//  Shapes and values

static void
test_hiro_v1 (void **state)
{
    json_t *fixture = s_fixture (FIXTURE_V1);
    json_t *fixture_ft = json_object_iter_value (json_object_iter (
        json_object_get (fixture, "fungible_tokens")));
    for (unsigned sample = 0; sample < SHAPE_SAMPLES; sample++) {
        char stx [BB_MOCK_STX_ADDRESS_SIZE], btc [BB_MOCK_BTC_ADDRESS_SIZE];
        s_sample_address (sample, stx, btc);
        char path [PATH_LEN];
        snprintf (path, sizeof path, "/extended/v1/address/%s/balances", stx);
        bb_http_exchange_t *http = s_get (*state, path);
        assert_int_equal (bb_http_exchange_status (http), 200);
        assert_non_null (strstr (bb_http_exchange_header (http, "Warning"),
                                 "299 - \"Deprecated"));
        assert_non_null (bb_http_exchange_header (http, "ratelimit-limit"));
        assert_non_null (bb_http_exchange_header (http, "ratelimit-remaining"));
        assert_non_null (bb_http_exchange_header (http, "ratelimit-reset"));
        assert_non_null (bb_http_exchange_header (
            http, "x-ratelimit-limit-stacks-minute"));
        bb_http_exchange_destroy (&http);

        json_t *root = s_get_json (*state, path, 200);
        json_t *stx_json = json_object_get (root, "stx");
        s_assert_shape (json_object_get (fixture, "stx"), stx_json, "stx");
        bb_mock_hiro_t hiro;
        bb_mockdata_hiro (stx, &hiro);
        s_assert_string (stx_json, "balance", hiro.stx_balance);
        s_assert_string (stx_json, "total_sent", hiro.stx_total_sent);
        s_assert_string (stx_json, "total_received", hiro.stx_total_received);
        s_assert_string (stx_json, "total_fees_sent",
                         hiro.stx_total_fees_sent);
        json_t *tokens = json_object_get (root, "fungible_tokens");
        assert_int_equal (json_object_size (tokens), hiro.ft_count);
        for (size_t index = 0; index < hiro.ft_count; index++) {
            const bb_mock_ft_t *ft = &hiro.ft [index];
            json_t *token = json_object_get (tokens, ft->asset_id);
            assert_non_null (token);
            s_assert_shape (fixture_ft, token, ft->asset_id);
            s_assert_string (token, "balance", ft->balance);
            s_assert_string (token, "total_sent", ft->total_sent);
            s_assert_string (token, "total_received", ft->total_received);
        }
        assert_int_equal (json_object_size (json_object_get (
            root, "non_fungible_tokens")), 0);
        json_decref (root);
    }
    json_decref (fixture);
}

static void
test_hiro_v3_stx (void **state)
{
    json_t *fixture = s_fixture (FIXTURE_V3_STX);
    for (unsigned sample = 0; sample < SHAPE_SAMPLES; sample++) {
        char stx [BB_MOCK_STX_ADDRESS_SIZE], btc [BB_MOCK_BTC_ADDRESS_SIZE];
        s_sample_address (sample, stx, btc);
        json_t *root = s_get_shaped (*state,
            "/extended/v3/principals/%s/balances/stx", stx, fixture, "v3 stx");
        bb_mock_hiro_t hiro;
        bb_mockdata_hiro (stx, &hiro);
        s_assert_string (root, "balance", hiro.stx_balance);
        s_assert_string (root, "available", hiro.stx_balance);
        json_decref (root);
    }
    json_decref (fixture);
}

//  Page through v3 ft of stx (page size 2) and check it against
//  bb_mockdata: every non-zero position once, largest first.
static void
s_check_v3_pages (bb_mock_process_t *mock, const char *stx)
{
    json_t *fixture = s_fixture (FIXTURE_V3_FT);
    json_t *row_shape = json_pack ("{s:s, s:s}", "asset_identifier", "",
                                   "balance", "");
    bb_mock_hiro_t hiro;
    bb_mockdata_hiro (stx, &hiro);
    const bb_mock_ft_t *rows [BB_MOCK_FT_MAX];
    size_t count = s_nonzero_sorted (&hiro, rows);
    size_t seen = 0;
    char *cursor = NULL;
    do {
        char path [PATH_LEN];
        char *escaped = cursor ? curl_easy_escape (NULL, cursor, 0) : NULL;
        snprintf (path, sizeof path,
                  "/extended/v3/principals/%s/balances/ft?limit=200%s%s",
                  stx, escaped ? "&cursor=" : "", escaped ? escaped : "");
        curl_free (escaped);
        free (cursor);
        json_t *root = s_get_json (mock, path, 200);
        assert_int_equal (json_integer_value (json_object_get (root, "total")),
                          count);
        assert_int_equal (json_integer_value (json_object_get (root, "limit")),
                          atoi (PAGE_SIZE));
        assert_non_null (json_object_get (json_object_get (root, "cursor"),
                                          "previous"));
        json_t *results = json_object_get (root, "results");
        size_t index;
        json_t *row;
        json_array_foreach (results, index, row) {
            assert_true (seen < count);
            s_assert_shape (row_shape, row, "v3 row");
            s_assert_string (row, "asset_identifier", rows [seen]->asset_id);
            s_assert_string (row, "balance", rows [seen]->balance);
            seen++;
        }
        json_t *next = json_object_get (json_object_get (root, "cursor"),
                                        "next");
        cursor = json_is_string (next) ? strdup (json_string_value (next))
                                       : NULL;
        json_object_set (root, "cursor", json_object_get (fixture, "cursor"));
        json_object_set_new (root, "results", json_array ());
        s_assert_shape (fixture, root, "v3 ft");
        json_decref (root);
    } while (cursor);
    assert_int_equal (seen, count);
    json_decref (row_shape);
    json_decref (fixture);
}

static void
test_hiro_v3_ft_paging (void **state)
{
    char stx [BB_MOCK_STX_ADDRESS_SIZE];
    s_find_agent (s_has_three_positions, stx);
    s_check_v3_pages (*state, stx);
    s_find_agent (s_is_whale, stx);
    s_check_v3_pages (*state, stx);
    s_find_agent (s_has_zero_listing, stx);
    s_check_v3_pages (*state, stx);
    for (unsigned sample = 0; sample < SHAPE_SAMPLES; sample++) {
        char btc [BB_MOCK_BTC_ADDRESS_SIZE];
        s_sample_address (sample, stx, btc);
        s_check_v3_pages (*state, stx);
    }
    char path [PATH_LEN];
    snprintf (path, sizeof path,
              "/extended/v3/principals/%s/balances/ft?limit=201", stx);
    json_decref (s_get_json (*state, path, 400));
    snprintf (path, sizeof path,
              "/extended/v3/principals/%s/balances/ft?cursor=junk", stx);
    json_decref (s_get_json (*state, path, 400));
}

//  v1 lists a token with balance "0"; the whale's amount is a 39-digit
//  string; v3 leaves the zero out (checked by s_check_v3_pages).
static void
test_hiro_edge_balances (void **state)
{
    char stx [BB_MOCK_STX_ADDRESS_SIZE];
    char path [PATH_LEN];
    s_find_agent (s_has_zero_listing, stx);
    snprintf (path, sizeof path, "/extended/v1/address/%s/balances", stx);
    json_t *root = s_get_json (*state, path, 200);
    bool zero_seen = false;
    const char *key;
    json_t *token;
    json_object_foreach (json_object_get (root, "fungible_tokens"), key,
                         token)
        zero_seen |= strcmp (json_string_value (
            json_object_get (token, "balance")), "0") == 0;
    assert_true (zero_seen);
    json_decref (root);

    s_find_agent (s_is_whale, stx);
    snprintf (path, sizeof path, "/extended/v1/address/%s/balances", stx);
    root = s_get_json (*state, path, 200);
    const char *balance = json_string_value (json_object_get (
        json_object_get (json_object_get (root, "fungible_tokens"),
                         BB_MOCK_WHALE_ASSET), "balance"));
    assert_non_null (balance);
    assert_int_equal (strlen (balance), 39);
    assert_true (bb_u128_valid (balance));
    json_decref (root);
}

static void
test_mempool (void **state)
{
    json_t *fixture = s_fixture (FIXTURE_MEMPOOL);
    for (unsigned sample = 0; sample < SHAPE_SAMPLES; sample++) {
        char stx [BB_MOCK_STX_ADDRESS_SIZE], btc [BB_MOCK_BTC_ADDRESS_SIZE];
        s_sample_address (sample, stx, btc);
        json_t *root = s_get_shaped (*state, "/api/address/%s", btc, fixture,
                                     "mempool");
        s_assert_string (root, "address", btc);
        bb_mock_btc_t expected;
        bb_mockdata_btc (btc, &expected);
        const bb_mock_txo_stats_t *stats [] = {
            &expected.chain, &expected.mempool
        };
        const char *names [] = { "chain_stats", "mempool_stats" };
        for (size_t which = 0; which < 2; which++) {
            json_t *object = json_object_get (root, names [which]);
            s_assert_integer (object, "funded_txo_count",
                              stats [which]->funded_txo_count);
            s_assert_integer (object, "funded_txo_sum",
                              stats [which]->funded_txo_sum);
            s_assert_integer (object, "spent_txo_count",
                              stats [which]->spent_txo_count);
            s_assert_integer (object, "spent_txo_sum",
                              stats [which]->spent_txo_sum);
            s_assert_integer (object, "tx_count", stats [which]->tx_count);
        }
        json_decref (root);
    }
    json_decref (fixture);

    bb_http_exchange_t *http = s_get (*state, "/api/address/bc1qnotanaddress");
    assert_int_equal (bb_http_exchange_status (http), 400);
    assert_string_equal (bb_http_exchange_body (http),
                         "Invalid Bitcoin address");
    assert_non_null (strstr (bb_http_exchange_header (http, "Content-Type"),
                             "text/plain"));
    bb_http_exchange_destroy (&http);
    http = s_get (*state,
                  "/api/address/tb1qp0we5epypgj4acd2c4au58045ruud2pd6heuee");
    assert_int_equal (bb_http_exchange_status (http), 400);
    assert_string_equal (bb_http_exchange_body (http),
                         "Address on invalid network");
    bb_http_exchange_destroy (&http);
}

static void
test_price (void **state)
{
    json_t *root = s_get_json (*state, "/api/v3/simple/price"
                               "?ids=bitcoin,blockstack&vs_currencies=usd",
                               200);
    assert_int_equal (json_object_size (root), 2);
    assert_true (json_real_value (json_object_get (json_object_get (
        root, "bitcoin"), "usd")) == 67187.3358936566);
    assert_true (json_real_value (json_object_get (json_object_get (
        root, "blockstack"), "usd")) == 2.5);
    json_decref (root);

    s_control (*state, "{\"btc_usd\":70000.5,\"stx_usd\":1.25}");
    root = s_get_json (*state, "/api/v3/simple/price"
                       "?ids=blockstack&vs_currencies=usd", 200);
    assert_int_equal (json_object_size (root), 1);
    assert_null (json_object_get (root, "bitcoin"));
    assert_true (json_real_value (json_object_get (json_object_get (
        root, "blockstack"), "usd")) == 1.25);
    json_decref (root);
}

static void
test_metadata (void **state)
{
    //  longcoin: the capture's fields, in its order, plus asset_identifier.
    json_t *fixture = s_fixture (FIXTURE_LONGCOIN);
    json_t *root = s_get_json (*state, "/metadata/v1/ft/" LONGCOIN, 200);
    s_assert_string (root, "asset_identifier", LONGCOIN "::longcoin");
    json_object_del (root, "asset_identifier");
    s_assert_shape (fixture, root, "metadata");
    assert_true (json_equal (fixture, root));
    json_decref (root);
    json_decref (fixture);

    root = s_get_json (*state, "/metadata/v1/ft/" BB_MOCK_SBTC_CONTRACT, 200);
    s_assert_string (root, "symbol", "sBTC");
    s_assert_integer (root, "decimals", 8);
    json_decref (root);

    for (size_t index = 0; index < bb_mockdata_token_count (); index++) {
        const bb_mock_token_t *token = bb_mockdata_token (index);
        char path [PATH_LEN];
        snprintf (path, sizeof path, "/metadata/v1/ft/%s", token->contract);
        root = s_get_json (*state, path, token->http_status);
        if (token->http_status == 200)
            s_assert_integer (root, "decimals", token->decimals);
        else
            s_assert_string (root, "error", token->error);
        json_decref (root);
    }
    root = s_get_json (*state, "/metadata/v1/ft/"
                       "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3.unknown",
                       404);
    s_assert_string (root, "error", "Contract not found");
    json_decref (root);
}

static void
test_agents (void **state)
{
    json_t *root = s_get_json (*state, "/api/agents?limit=10&offset=5", 200);
    json_t *agents = json_object_get (root, "agents");
    assert_int_equal (json_array_size (agents), 10);
    size_t index;
    json_t *row;
    json_array_foreach (agents, index, row) {
        bb_mock_agent_t agent;
        bb_mockdata_agent ((unsigned) (5 + index), &agent);
        s_assert_string (row, "stxAddress", agent.stx_address);
        s_assert_string (row, "btcAddress", agent.btc_address);
        s_assert_string (row, "displayName", agent.display_name);
        if (agent.bns_name [0])
            s_assert_string (row, "bnsName", agent.bns_name);
        else
            assert_true (json_is_null (json_object_get (row, "bnsName")));
        s_assert_integer (row, "level", (uint64_t) agent.level);
        s_assert_string (row, "levelName", agent.level_name);
    }
    json_t *pagination = json_object_get (root, "pagination");
    s_assert_integer (pagination, "total", AGENTS);
    s_assert_integer (pagination, "limit", 10);
    s_assert_integer (pagination, "offset", 5);
    assert_true (json_is_true (json_object_get (pagination, "hasMore")));
    json_decref (root);

    root = s_get_json (*state, "/api/agents?limit=10&offset=45", 200);
    assert_int_equal (json_array_size (json_object_get (root, "agents")), 5);
    assert_true (json_is_false (json_object_get (
        json_object_get (root, "pagination"), "hasMore")));
    json_decref (root);
}

//  The registry's runtime controls: a count set at run time, invalid
//  agents mixed in, a count that moves per page served, a stuck offset
//  and a fault on the second page only.
static void
test_agents_controls (void **state)
{
    s_control (*state, "{\"agents\":7,\"agents_invalid_every\":3}");
    json_t *root = s_get_json (*state, "/api/agents?limit=10", 200);
    json_t *agents = json_object_get (root, "agents");
    assert_int_equal (json_array_size (agents), 7);
    for (unsigned index = 0; index < 7; index++) {
        bb_mock_agent_t agent;
        bool invalid = bb_mockdata_registry_agent (index, 3, &agent);
        assert_int_equal (invalid, index == 2 || index == 5);
        json_t *row = json_array_get (agents, index);
        s_assert_string (row, "stxAddress", agent.stx_address);
        s_assert_string (row, "btcAddress", agent.btc_address);
    }
    assert_string_equal (json_string_value (json_object_get (
        json_array_get (agents, 2), "stxAddress")), "SPINVALID2");
    assert_string_equal (json_string_value (json_object_get (
        json_array_get (agents, 5), "btcAddress")), "bc1qinvalid5");
    json_decref (root);

    s_control (*state, "{\"agents\":0}");
    root = s_get_json (*state, "/api/agents", 200);
    assert_int_equal (json_array_size (json_object_get (root, "agents")), 0);
    json_decref (root);

    s_control (*state, "{\"agents\":20,\"agents_step\":5,"
               "\"agents_stuck\":true}");
    root = s_get_json (*state, "/api/agents?limit=10&offset=10", 200);
    s_assert_integer (json_object_get (root, "pagination"), "total", 20);
    s_assert_integer (json_object_get (root, "pagination"), "offset", 0);
    json_decref (root);
    root = s_get_json (*state, "/api/agents?limit=10&offset=10", 200);
    s_assert_integer (json_object_get (root, "pagination"), "total", 25);
    json_decref (root);

    s_control (*state, "{\"agents_step\":0,\"agents_stuck\":false,"
               "\"faults\":[{\"endpoint\":\"agents\",\"kind\":\"5xx\","
               "\"status\":500,\"skip\":1,\"count\":2}]}");
    json_decref (s_get_json (*state, "/api/agents?limit=10", 200));
    json_decref (s_get_json (*state, "/api/agents?limit=10&offset=10", 500));
    json_decref (s_get_json (*state, "/api/agents?limit=10&offset=10", 500));
    json_decref (s_get_json (*state, "/api/agents?limit=10&offset=10", 200));
}

static void
test_invalid_principal (void **state)
{
    //  The Leather address with its last character changed: bad checksum.
    const char *bad = "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ4";
    char path [PATH_LEN];
    snprintf (path, sizeof path, "/extended/v1/address/%s/balances", bad);
    json_t *root = s_get_json (*state, path, 400);
    s_assert_integer (root, "statusCode", 400);
    s_assert_string (root, "error", "Bad Request");
    s_assert_string (root, "message",
                     "invalid STX address \"SP265WBWD4NH7TVPYQTVD23X3607NNK"
                     "4484DTXQZ4\"");
    json_decref (root);
    snprintf (path, sizeof path,
              "/extended/v3/principals/%s/balances/stx", bad);
    json_decref (s_get_json (*state, path, 400));
}

static void
test_gone_v1 (void **state)
{
    s_control (*state, "{\"gone_v1\":true}");
    json_t *root = s_get_json (*state, "/extended/v1/address/"
                               LEATHER_ADDRESS "/balances", 410);
    s_assert_string (root, "error", "Gone");
    assert_non_null (strstr (json_string_value (json_object_get (
        root, "message")), "This endpoint has been disabled."));
    json_decref (root);
    json_decref (s_get_json (*state, "/extended/v3/principals/"
                             LEATHER_ADDRESS "/balances/stx", 200));
    s_reset (state);
    json_decref (s_get_json (*state, "/extended/v1/address/"
                             LEATHER_ADDRESS "/balances", 200));
}

//  ---------------------------------------------------------------------
//  Faults

#define V1_PATH "/extended/v1/address/" LEATHER_ADDRESS "/balances"
#define MEMPOOL_PATH "/api/address/bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
#define PRICE_PATH \
    "/api/v3/simple/price?ids=bitcoin,blockstack&vs_currencies=usd"

static void
test_fault_reset (void **state)
{
    s_control (*state, "{\"faults\":[{\"endpoint\":\"hiro\","
               "\"kind\":\"reset\",\"count\":1}]}");
    bb_http_exchange_t *http = s_get (*state, V1_PATH);
    assert_int_not_equal (bb_http_exchange_curl_code (http), CURLE_OK);
    assert_int_equal (bb_http_exchange_status (http), 0);
    bb_http_exchange_destroy (&http);
    //  count 1: the next request is served.
    json_decref (s_get_json (*state, V1_PATH, 200));
}

static void
test_fault_truncated (void **state)
{
    s_control (*state, "{\"faults\":[{\"endpoint\":\"mempool\","
               "\"kind\":\"truncated\"}]}");
    bb_http_exchange_t *http = s_get (*state, MEMPOOL_PATH);
    assert_int_equal (bb_http_exchange_curl_code (http), CURLE_OK);
    assert_int_equal (bb_http_exchange_status (http), 200);
    assert_true (bb_http_exchange_body_size (http) > 0);
    json_error_t error;
    assert_null (json_loads (bb_http_exchange_body (http), 0, &error));
    bb_http_exchange_destroy (&http);
}

static void
test_fault_oversized (void **state)
{
    s_control (*state, "{\"faults\":[{\"endpoint\":\"price\","
               "\"kind\":\"oversized\",\"count\":1}]}");
    bb_http_exchange_t *http = s_get (*state, PRICE_PATH);
    assert_int_equal (bb_http_exchange_status (http), 200);
    assert_true (bb_http_exchange_body_size (http) > 4 * ONE_MIB);
    json_error_t error;
    json_t *root = json_loads (bb_http_exchange_body (http), 0, &error);
    assert_non_null (root);
    assert_non_null (json_object_get (root, "bitcoin"));
    json_decref (root);
    bb_http_exchange_destroy (&http);
}

static void
test_fault_5xx (void **state)
{
    s_control (*state, "{\"faults\":[{\"endpoint\":\"hiro_v3\","
               "\"kind\":\"5xx\",\"count\":1},{\"endpoint\":\"any\","
               "\"kind\":\"5xx\",\"status\":500,\"count\":1}]}");
    json_t *root = s_get_json (*state, "/extended/v3/principals/"
                               LEATHER_ADDRESS "/balances/stx", 503);
    s_assert_string (root, "error", "The database service is unavailable");
    json_decref (root);
    json_decref (s_get_json (*state, PRICE_PATH, 500));
    json_decref (s_get_json (*state, PRICE_PATH, 200));
}

static void
test_fault_wrong_types (void **state)
{
    s_control (*state, "{\"faults\":[{\"kind\":\"wrong_types\","
               "\"endpoint\":\"any\"}]}");
    json_t *root = s_get_json (*state, V1_PATH, 200);
    assert_true (json_is_integer (json_object_get (json_object_get (
        root, "stx"), "balance")));
    json_decref (root);
    root = s_get_json (*state, MEMPOOL_PATH, 200);
    assert_true (json_is_string (json_object_get (json_object_get (
        root, "chain_stats"), "funded_txo_sum")));
    json_decref (root);
    root = s_get_json (*state, PRICE_PATH, 200);
    assert_true (json_is_string (json_object_get (json_object_get (
        root, "bitcoin"), "usd")));
    json_decref (root);
}

//  Wait until the mock serves no request (a hung one has woken up), so
//  it cannot show in the next test's in-flight and peak figures.
static void
s_wait_idle (bb_mock_process_t *mock)
{
    for (int waited = 0; waited < IDLE_MS; waited += POLL_MS) {
        json_t *stats = s_get_json (mock, "/__mock/stats", 200);
        json_int_t in_flight = json_integer_value (json_object_get (
            json_object_get (stats, "in_flight"), "total"));
        json_decref (stats);
        if (in_flight == 0)
            return;
        bb_clock_sleep_ms (POLL_MS);
    }
    fail_msg ("the mock still serves requests after %d ms", IDLE_MS);
}

static void
test_fault_hang (void **state)
{
    s_control (*state, "{\"faults\":[{\"endpoint\":\"price\","
               "\"kind\":\"hang\",\"hang_ms\":1000,\"count\":1}]}");
    char url [URL_MAX];
    bb_http_exchange_t *http =
        bb_http_exchange_get (s_url (*state, PRICE_PATH, url), NULL, 200);
    assert_int_equal (bb_http_exchange_curl_code (http),
                      CURLE_OPERATION_TIMEDOUT);
    bb_http_exchange_destroy (&http);
    s_wait_idle (*state);
}

static void
test_fault_invalid_address (void **state)
{
    s_control (*state, "{\"faults\":[{\"endpoint\":\"mempool\","
               "\"kind\":\"invalid_address\",\"count\":1},"
               "{\"endpoint\":\"hiro\",\"kind\":\"invalid_address\","
               "\"count\":1}]}");
    bb_http_exchange_t *http = s_get (*state, MEMPOOL_PATH);
    assert_int_equal (bb_http_exchange_status (http), 400);
    assert_string_equal (bb_http_exchange_body (http),
                         "Invalid Bitcoin address");
    bb_http_exchange_destroy (&http);
    json_t *root = s_get_json (*state, V1_PATH, 400);
    s_assert_string (root, "message",
                     "invalid STX address \"" LEATHER_ADDRESS "\"");
    json_decref (root);
}

static void
test_fault_429 (void **state)
{
    s_control (*state, "{\"rate_limit_retry_after_s\":9,\"faults\":"
               "[{\"endpoint\":\"price\",\"kind\":\"429\",\"count\":1}]}");
    bb_http_exchange_t *http = s_get (*state, PRICE_PATH);
    assert_int_equal (bb_http_exchange_status (http), 429);
    assert_string_equal (bb_http_exchange_header (http, "Retry-After"), "9");
    json_t *fixture = s_fixture ("coingecko_429__captured.json");
    json_t *root = json_loads (bb_http_exchange_body (http), 0, NULL);
    assert_true (json_equal (fixture, root));
    json_decref (root);
    json_decref (fixture);
    bb_http_exchange_destroy (&http);
}

static void
test_bad_control (void **state)
{
    char url [URL_MAX];
    const char *bodies [] = {
        "{\"latency_ms\":-1}", "{\"nope\":1}", "not json",
        "{\"faults\":[{\"kind\":\"melt\"}]}",
        "{\"faults\":[{\"kind\":\"5xx\",\"endpoint\":\"moon\"}]}",
    };
    for (size_t index = 0; index < sizeof bodies / sizeof bodies [0];
         index++) {
        bb_http_exchange_t *http = bb_http_exchange_post (
            s_url (*state, "/__mock/control", url), "application/json",
            bodies [index], NULL, HTTP_MS);
        assert_int_equal (bb_http_exchange_status (http), 400);
        bb_http_exchange_destroy (&http);
    }
    //  All or nothing: nothing of a rejected body was applied.
    json_t *root = s_get_json (*state, "/__mock/control", 200);
    s_assert_integer (root, "latency_ms", 0);
    assert_int_equal (json_array_size (json_object_get (root, "faults")), 0);
    json_decref (root);
}

//  ---------------------------------------------------------------------
//  Rate limit and stats

static void
test_rate_limit (void **state)
{
    s_control (*state, "{\"rate_limit_per_minute\":3,"
               "\"rate_limit_retry_after_s\":7}");
    for (int request = 0; request < 3; request++) {
        bb_http_exchange_t *http = s_get (*state, V1_PATH);
        assert_int_equal (bb_http_exchange_status (http), 200);
        assert_int_equal (atoi (bb_http_exchange_header (
            http, "ratelimit-remaining")), 2 - request);
        assert_string_equal (bb_http_exchange_header (http, "ratelimit-limit"),
                             "3");
        bb_http_exchange_destroy (&http);
    }
    bb_http_exchange_t *http = s_get (*state, V1_PATH);
    assert_int_equal (bb_http_exchange_status (http), 429);
    assert_string_equal (bb_http_exchange_header (http, "Retry-After"), "7");
    assert_string_equal (bb_http_exchange_header (http, "ratelimit-remaining"),
                         "0");
    bb_http_exchange_destroy (&http);
    //  A key has its own bucket.
    http = s_get_keyed (*state, V1_PATH, "x-api-key: test-key");
    assert_int_equal (bb_http_exchange_status (http), 200);
    bb_http_exchange_destroy (&http);

    //  mempool.space: HTML 429 without Retry-After.
    for (int request = 0; request < 3; request++)
        json_decref (s_get_json (*state, MEMPOOL_PATH, 200));
    http = s_get (*state, MEMPOOL_PATH);
    assert_int_equal (bb_http_exchange_status (http), 429);
    assert_null (bb_http_exchange_header (http, "Retry-After"));
    assert_non_null (strstr (bb_http_exchange_header (http, "Content-Type"),
                             "text/html"));
    assert_non_null (strstr (bb_http_exchange_body (http),
                             "429 Too Many Requests"));
    bb_http_exchange_destroy (&http);

    json_t *stats = s_get_json (*state, "/__mock/stats", 200);
    s_assert_integer (stats, "rate_limited", 2);
    json_decref (stats);
}

static void
test_stats (void **state)
{
    json_decref (s_get_json (*state, V1_PATH, 200));
    json_decref (s_get_json (*state, V1_PATH, 200));
    json_decref (s_get_json (*state, MEMPOOL_PATH, 200));
    json_decref (s_get_json (*state, PRICE_PATH, 200));
    json_decref (s_get_json (*state, "/api/agents", 200));
    s_control (*state, "{\"faults\":[{\"endpoint\":\"metadata\","
               "\"kind\":\"5xx\",\"count\":1}]}");
    json_decref (s_get_json (*state, "/metadata/v1/ft/" LONGCOIN, 503));

    json_t *stats = s_get_json (*state, "/__mock/stats", 200);
    json_t *requests = json_object_get (stats, "requests");
    s_assert_integer (requests, "total", 6);
    json_t *by_endpoint = json_object_get (requests, "by_endpoint");
    s_assert_integer (by_endpoint, "hiro_v1", 2);
    s_assert_integer (by_endpoint, "hiro_v3_stx", 0);
    s_assert_integer (by_endpoint, "mempool", 1);
    s_assert_integer (by_endpoint, "price", 1);
    s_assert_integer (by_endpoint, "metadata", 1);
    s_assert_integer (by_endpoint, "agents", 1);
    json_t *by_address = json_object_get (requests, "by_address");
    s_assert_integer (by_address, LEATHER_ADDRESS, 2);
    s_assert_integer (by_address,
                      "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 1);
    s_assert_integer (stats, "faults_injected", 1);
    s_assert_integer (json_object_get (stats, "max_concurrent"), "total", 1);
    s_assert_integer (json_object_get (stats, "in_flight"), "total", 0);
    json_decref (stats);
}

static size_t
s_discard (char *data, size_t size, size_t count, void *arg)
{
    return size * count;
}

//  PARALLEL requests at once (curl multi) against a slow mock: the peak
//  must be exactly PARALLEL, per host and in total.
#define PARALLEL 4

static void
test_max_concurrent (void **state)
{
    s_control (*state, "{\"latency_ms\":500}");
    CURLM *multi = curl_multi_init ();
    CURL *easy [PARALLEL];
    char url [URL_MAX];
    for (int index = 0; index < PARALLEL; index++) {
        easy [index] = curl_easy_init ();
        curl_easy_setopt (easy [index], CURLOPT_URL,
                          s_url (*state, MEMPOOL_PATH, url));
        curl_easy_setopt (easy [index], CURLOPT_WRITEFUNCTION, s_discard);
        curl_easy_setopt (easy [index], CURLOPT_TIMEOUT_MS, (long) HTTP_MS);
        curl_multi_add_handle (multi, easy [index]);
    }
    int running = PARALLEL;
    while (running) {
        curl_multi_perform (multi, &running);
        curl_multi_poll (multi, NULL, 0, 100, NULL);
    }
    int done = 0;
    CURLMsg *message;
    int left;
    while ((message = curl_multi_info_read (multi, &left)))
        if (message->msg == CURLMSG_DONE) {
            assert_int_equal (message->data.result, CURLE_OK);
            done++;
        }
    assert_int_equal (done, PARALLEL);
    for (int index = 0; index < PARALLEL; index++) {
        curl_multi_remove_handle (multi, easy [index]);
        curl_easy_cleanup (easy [index]);
    }
    curl_multi_cleanup (multi);

    json_t *stats = s_get_json (*state, "/__mock/stats", 200);
    json_t *peak = json_object_get (stats, "max_concurrent");
    s_assert_integer (peak, "total", PARALLEL);
    s_assert_integer (peak, "mempool", PARALLEL);
    s_assert_integer (peak, "hiro", 0);
    json_decref (stats);
}

//  ---------------------------------------------------------------------
//  Process lifecycle

static void
test_sigterm_exits_zero (void **state)
{
    const char *extra [] = { "--latency-ms", "100", NULL };
    bb_mock_process_t *mock = s_mock_start (extra);
    assert_true (bb_child_running (bb_mock_process_child (mock)));
    assert_int_equal (bb_mock_process_end (&mock, STOP_MS), 0);
}

static void
test_bad_flag_exits_64 (void **state)
{
    char *binary = bb_child_bin_path (MOCK_BINARY);
    const char *argv [] = { binary, "--latency-ms", "-5", NULL };
    bb_child_t *process = bb_child_new (argv, NULL);
    assert_non_null (process);
    assert_int_equal (bb_child_wait (process, STOP_MS), 64);
    bb_child_destroy (&process);
    free (binary);
}

int
main (void)
{
    curl_global_init (CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_mockdata_mix),
        cmocka_unit_test (test_mockdata_deterministic),
        cmocka_unit_test_setup (test_hiro_v1, s_reset),
        cmocka_unit_test_setup (test_hiro_v3_stx, s_reset),
        cmocka_unit_test_setup (test_hiro_v3_ft_paging, s_reset),
        cmocka_unit_test_setup (test_hiro_edge_balances, s_reset),
        cmocka_unit_test_setup (test_mempool, s_reset),
        cmocka_unit_test_setup (test_price, s_reset),
        cmocka_unit_test_setup (test_metadata, s_reset),
        cmocka_unit_test_setup (test_agents, s_reset),
        cmocka_unit_test_setup (test_agents_controls, s_reset),
        cmocka_unit_test_setup (test_invalid_principal, s_reset),
        cmocka_unit_test_setup (test_gone_v1, s_reset),
        cmocka_unit_test_setup (test_fault_reset, s_reset),
        cmocka_unit_test_setup (test_fault_truncated, s_reset),
        cmocka_unit_test_setup (test_fault_oversized, s_reset),
        cmocka_unit_test_setup (test_fault_5xx, s_reset),
        cmocka_unit_test_setup (test_fault_wrong_types, s_reset),
        cmocka_unit_test_setup (test_fault_hang, s_reset),
        cmocka_unit_test_setup (test_fault_invalid_address, s_reset),
        cmocka_unit_test_setup (test_fault_429, s_reset),
        cmocka_unit_test_setup (test_bad_control, s_reset),
        cmocka_unit_test_setup (test_rate_limit, s_reset),
        cmocka_unit_test_setup (test_stats, s_reset),
        cmocka_unit_test_setup (test_max_concurrent, s_reset),
        cmocka_unit_test (test_sigterm_exits_zero),
        cmocka_unit_test (test_bad_flag_exits_64),
    };
    int failed = cmocka_run_group_tests (tests, s_group_setup,
                                         s_group_teardown);
    curl_global_cleanup ();
    return failed;
}
