/*  test_upstream_parse - every upstream fixture body parses to the values
    it holds (tests/fixtures/upstream), and malformed variants (truncated,
    wrong types, bad amounts, bad token ids, foreign bodies) fail with a
    reason that names the broken field. Also bb_balances, the list the
    parsers fill. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb_balances.h"
#include "bb_upstream_parse.h"
#include "fetcher_expect.h"

#define MAINNET         BB_NETWORK_MAINNET
#define U128_MAX_DEC    "340282366920938463463374607431768211455"
#define U128_OVER_DEC   "340282366920938463463374607431768211456"
#define LONGCOIN        "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3.longcoin" \
                        "::longcoin"
#define SPECIAL_VOTE    "SP102V8P0F7JX67ARQ77WEA3D3CFB5XW39REDT0AM." \
                        "token-special-vote::special-vote"
#define NOPE            "SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.nope::NOT"
#define ALEX            "SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9." \
                        "age000-governance-token::alex"
#define BLOCKSTACK      "SPWECF3XYVRBRCN23CJJCX9XKSF8RFWQPAQMWXT." \
                        "blockstack::BLOCKSTACK"

//  ---------------------------------------------------------------------
//  Helpers

//  The body of fixture name (upstream/), NUL-terminated; caller frees.
static char *
s_fixture (const char *name, size_t *size)
{
    const char *root = getenv ("BALBOARD_FIXTURES");
    assert_non_null (root);
    char path [512];
    snprintf (path, sizeof path, "%s/upstream/%s", root, name);
    FILE *file = fopen (path, "rb");
    if (!file)
        fail_msg ("cannot open fixture %s", path);
    fseek (file, 0, SEEK_END);
    long length = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *body = malloc ((size_t) length + 1);
    assert_non_null (body);
    assert_int_equal (fread (body, 1, (size_t) length, file), length);
    body [length] = 0;
    fclose (file);
    *size = (size_t) length;
    return body;
}

//  Require that balances holds token_id with amount (decimal text).
static void
s_assert_holds (bb_balances_t *balances, const char *token_id,
                const char *amount)
{
    char found [BB_U128_DEC_SIZE];
    bb_u128_format (bb_balances_find (balances, token_id), found);
    if (strcmp (found, amount) != 0)
        fail_msg ("%s: got %s, expected %s", token_id, found, amount);
}

//  Parse v1 text; require rc, and a reason holding expected on failure.
static bb_balances_t *
s_v1 (const char *text, int rc, const char *expected)
{
    bb_balances_t *balances = bb_balances_new ();
    char reason [BB_REASON_SIZE] = "";
    int actual = bb_upstream_parse_hiro_v1 (text, strlen (text), MAINNET,
                                            balances, reason, sizeof reason);
    if (actual != rc)
        fail_msg ("rc %d, expected %d (reason: %s)", actual, rc, reason);
    if (expected && !strstr (reason, expected))
        fail_msg ("reason '%s' lacks '%s'", reason, expected);
    return balances;
}

static void
s_v1_fails (const char *text, const char *expected)
{
    bb_balances_t *balances = s_v1 (text, -1, expected);
    bb_balances_destroy (&balances);
}

static void
s_mempool_fails (const char *text, const char *expected)
{
    bb_balances_t *balances = bb_balances_new ();
    char reason [BB_REASON_SIZE] = "";
    assert_int_equal (bb_upstream_parse_mempool (text, strlen (text),
                                                 balances, reason,
                                                 sizeof reason), -1);
    if (!strstr (reason, expected))
        fail_msg ("reason '%s' lacks '%s'", reason, expected);
    bb_balances_destroy (&balances);
}

static void
s_price_fails (const char *text, const char *expected)
{
    int64_t btc = -1, stx = -1;
    char reason [BB_REASON_SIZE] = "";
    assert_int_equal (bb_upstream_parse_price (text, strlen (text), &btc,
                                               &stx, reason, sizeof reason),
                      -1);
    if (!strstr (reason, expected))
        fail_msg ("reason '%s' lacks '%s'", reason, expected);
}

static int
s_meta (long status, const char *text, bb_token_meta_t *meta, char *reason)
{
    return bb_upstream_parse_token_meta (status, text, strlen (text), meta,
                                         reason, BB_REASON_SIZE);
}

//  A parser of one balance body (Hiro's /stx, mempool.space's address).
typedef int (parse_fn) (const char *body, size_t body_size,
                        bb_balances_t *balances, char *reason, size_t size);

//  The body of fixture name must parse with parse and hold token_id with
//  expected, or, if expected is NULL, nothing at all.
static void
s_parse_fixture (parse_fn *parse, const char *name, const char *token_id,
                 const char *expected)
{
    size_t size;
    char *body = s_fixture (name, &size);
    bb_balances_t *balances = bb_balances_new ();
    char reason [BB_REASON_SIZE] = "";
    if (parse (body, size, balances, reason, sizeof reason))
        fail_msg ("%s: %s", name, reason);
    if (expected)
        s_assert_holds (balances, token_id, expected);
    else
        assert_int_equal (bb_balances_size (balances), 0);
    free (body);
    bb_balances_destroy (&balances);
}

//  A parse of text must fail with a reason holding expected.
typedef void (fails_fn) (const char *text, const char *expected);

//  fails (the body of fixture name, expected).
static void
s_fixture_fails (fails_fn *fails, const char *name, const char *expected)
{
    size_t size;
    char *body = s_fixture (name, &size);
    fails (body, expected);
    free (body);
}

//  ---------------------------------------------------------------------
//  bb_balances

static void
test_balances (void **state)
{
    bb_balances_t *balances = bb_balances_new ();
    assert_int_equal (bb_balances_size (balances), 0);
    bb_balances_set (balances, "stx", 5);
    bb_balances_set (balances, LONGCOIN, 0);          // zero: not kept
    bb_balances_set (balances, NOPE, expect_u128 (U128_MAX_DEC));
    bb_balances_set (balances, ALEX, 7);
    assert_int_equal (bb_balances_size (balances), 3);
    assert_string_equal (bb_balances_token (balances, 0), "stx");
    assert_string_equal (bb_balances_token (balances, 1), NOPE);
    assert_true (bb_balances_amount (balances, 1) == expect_u128 (U128_MAX_DEC));
    bb_balances_set (balances, "stx", 9);             // replaces in place
    assert_string_equal (bb_balances_token (balances, 0), "stx");
    assert_true (bb_balances_amount (balances, 0) == 9);
    bb_balances_set (balances, NOPE, 0);              // zero removes
    assert_int_equal (bb_balances_size (balances), 2);
    assert_string_equal (bb_balances_token (balances, 1), ALEX);
    assert_true (bb_balances_find (balances, NOPE) == 0);
    for (int index = 0; index < 100; index++) {       // grows
        char token [64];
        snprintf (token, sizeof token, "token-%d", index);
        bb_balances_set (balances, token, (bb_u128_t) index + 1);
    }
    assert_int_equal (bb_balances_size (balances), 102);
    bb_balances_clear (balances);
    assert_int_equal (bb_balances_size (balances), 0);
    bb_balances_destroy (&balances);
    assert_null (balances);
    bb_balances_destroy (&balances);
}

//  ---------------------------------------------------------------------
//  Hiro v1

//  The body of fixture name must parse as a v1 balances body (mainnet)
//  into balances.
static void
s_v1_fixture (const char *name, bb_balances_t *balances)
{
    size_t size;
    char *body = s_fixture (name, &size);
    char reason [BB_REASON_SIZE] = "";
    if (bb_upstream_parse_hiro_v1 (body, size, MAINNET, balances, reason,
                                   sizeof reason))
        fail_msg ("%s: %s", name, reason);
    free (body);
}

static void
test_hiro_v1_fixtures (void **state)
{
    bb_balances_t *balances = bb_balances_new ();
    s_v1_fixture ("hiro_v1_address_balances__leather_mainnet_5ft.json",
                  balances);
    assert_int_equal (bb_balances_size (balances), 6);
    s_assert_holds (balances, "stx", "13568037");
    s_assert_holds (balances, SPECIAL_VOTE, "2579839300");
    s_assert_holds (balances, LONGCOIN, "1888888000000");
    s_assert_holds (balances, NOPE, "10000");
    s_assert_holds (balances, ALEX, "2579839299");
    s_assert_holds (balances, BLOCKSTACK, "60000000000");

    //  The 2020 docs shape (no total_fees_sent, locked STX): balance is
    //  the total, locked included.
    bb_balances_clear (balances);
    s_v1_fixture ("hiro_v1_address_balances__upstream_docs_locked.json",
                  balances);
    assert_int_equal (bb_balances_size (balances), 1);
    s_assert_holds (balances, "stx", "1000000");
    bb_balances_destroy (&balances);
}

static void
test_hiro_v1_amounts (void **state)
{
    //  Negative (v1 sums events), zero and u128-sized balances.
    bb_balances_t *balances = s_v1 (
        "{\"stx\":{\"balance\":\"0\"},\"fungible_tokens\":{"
        "\"" LONGCOIN "\":{\"balance\":\"-1000000\"},"
        "\"" ALEX "\":{\"balance\":\"0\"},"
        "\"" NOPE "\":{\"balance\":\"" U128_MAX_DEC "\"}}}", 0, NULL);
    assert_int_equal (bb_balances_size (balances), 1);
    s_assert_holds (balances, NOPE, U128_MAX_DEC);
    bb_balances_destroy (&balances);

    s_v1_fails ("{\"stx\":{\"balance\":\"1\"},\"fungible_tokens\":{"
                "\"" NOPE "\":{\"balance\":\"" U128_OVER_DEC "\"}}}",
                "overflow");
    s_v1_fails ("{\"stx\":{\"balance\":\"-1\"},\"fungible_tokens\":{}}",
                "stx.balance");
    s_v1_fails ("{\"stx\":{\"balance\":\"1\"},\"fungible_tokens\":{"
                "\"" NOPE "\":{\"balance\":\"-\"}}}", NOPE);
    s_v1_fails ("{\"stx\":{\"balance\":\" 1\"},\"fungible_tokens\":{}}",
                "stx.balance");
    s_v1_fails ("{\"stx\":{\"balance\":\"\"},\"fungible_tokens\":{}}",
                "stx.balance");
}

static void
test_hiro_v1_malformed (void **state)
{
    size_t size;
    char *body = s_fixture (
        "hiro_v1_address_balances__leather_mainnet_5ft.json", &size);
    bb_balances_t *balances = bb_balances_new ();
    char reason [BB_REASON_SIZE] = "";
    //  Truncated: the first half of a real body.
    assert_int_equal (bb_upstream_parse_hiro_v1 (body, size / 2, MAINNET,
                                                 balances, reason,
                                                 sizeof reason), -1);
    assert_non_null (strstr (reason, "invalid JSON"));
    assert_int_equal (bb_upstream_parse_hiro_v1 (body, 0, MAINNET, balances,
                                                 reason, sizeof reason), -1);
    assert_int_equal (bb_upstream_parse_hiro_v1 (NULL, 0, MAINNET, balances,
                                                 reason, sizeof reason), -1);
    free (body);
    bb_balances_destroy (&balances);

    //  Wrong types: numbers where Hiro sends strings.
    s_v1_fails ("{\"stx\":{\"balance\":13568037},\"fungible_tokens\":{}}",
                "stx.balance: not a string");
    s_v1_fails ("{\"stx\":{\"balance\":\"1\"},\"fungible_tokens\":{"
                "\"" NOPE "\":{\"balance\":10000}}}", "not a string");
    s_v1_fails ("{\"stx\":{\"balance\":\"1\"},\"fungible_tokens\":{"
                "\"" NOPE "\":\"10000\"}}", "not an object");
    s_v1_fails ("{\"stx\":\"1\",\"fungible_tokens\":{}}",
                "stx: not an object");
    s_v1_fails ("{\"stx\":{\"balance\":\"1\"},\"fungible_tokens\":[]}",
                "fungible_tokens: not an object");
    s_v1_fails ("{\"stx\":{\"balance\":\"1\"}}", "fungible_tokens: missing");
    s_v1_fails ("{\"stx\":{}, \"fungible_tokens\":{}}",
                "stx.balance: missing");
    s_v1_fails ("[]", "not an object");
    s_v1_fails ("<html>429</html>", "invalid JSON");
    //  Duplicate keys are rejected, not silently merged.
    s_v1_fails ("{\"stx\":{\"balance\":\"1\",\"balance\":\"2\"},"
                "\"fungible_tokens\":{}}", "invalid JSON");
    //  Token ids the store would refuse.
    s_v1_fails ("{\"stx\":{\"balance\":\"1\"},\"fungible_tokens\":{"
                "\"nope::NOT\":{\"balance\":\"1\"}}}", "invalid contract");
    s_v1_fails ("{\"stx\":{\"balance\":\"1\"},\"fungible_tokens\":{"
                "\"SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.nope\":"
                "{\"balance\":\"1\"}}}", "not contract::asset");
    s_v1_fails ("{\"stx\":{\"balance\":\"1\"},\"fungible_tokens\":{"
                "\"SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.nope::1x\":"
                "{\"balance\":\"1\"}}}", "invalid asset name");
    //  A testnet contract on mainnet.
    s_v1_fails ("{\"stx\":{\"balance\":\"1\"},\"fungible_tokens\":{"
                "\"ST000000000000000000002AMW42H.pox::x\":"
                "{\"balance\":\"1\"}}}", "invalid contract");
}

static void
test_token_id (void **state)
{
    const char *reason;
    assert_int_equal (bb_token_id_check_ft (
        BB_TOKEN_ID_SBTC, MAINNET, &reason), 0);
    assert_int_equal (bb_token_id_check_ft (
        LONGCOIN, MAINNET, &reason), 0);
    assert_int_equal (bb_token_id_check_ft (
        LONGCOIN, BB_NETWORK_TESTNET, &reason), -1);
    assert_int_equal (bb_token_id_check_ft (
        "stx", MAINNET, &reason), -1);
    //  A valid contract, "::" and an asset name past the 255-byte id.
    char long_id [300];
    size_t prefix = strlen (LONGCOIN);
    memcpy (long_id, LONGCOIN, prefix);
    memset (long_id + prefix, 'a', sizeof long_id - prefix - 1);
    long_id [sizeof long_id - 1] = 0;
    assert_int_equal (bb_token_id_check_ft (
        long_id, MAINNET, &reason), -1);
    assert_string_equal (reason, "token id too long");
}

//  ---------------------------------------------------------------------
//  Hiro v3 (and the v1/v2 /stx bodies, which share the balance field)

//  The body of fixture name must parse as a /stx body.
static void
s_stx_fixture (const char *name, const char *expected)
{
    s_parse_fixture (bb_upstream_parse_hiro_v3_stx, name, "stx", expected);
}

static void
test_hiro_v3_stx (void **state)
{
    s_stx_fixture (
        "hiro_v3_principals_balances_stx__upstream_test_no_activity.json",
        NULL);
    s_stx_fixture ("hiro_v1_address_stx__upstream_docs_locked.json",
                   "1000000");
    s_stx_fixture ("hiro_v1_address_stx__upstream_ws_balance_update.json",
                   "53349741093");
    s_stx_fixture ("hiro_v2_addresses_balances_stx__leather_mainnet.json",
                   "13568037");

    bb_balances_t *balances = bb_balances_new ();
    char reason [BB_REASON_SIZE];
    const char *wrong = "{\"balance\":0,\"available\":0}";
    assert_int_equal (bb_upstream_parse_hiro_v3_stx (
        wrong, strlen (wrong), balances, reason, sizeof reason), -1);
    assert_non_null (strstr (reason, "stx.balance: not a string"));
    const char *truncated = "{\"balance\":\"12";
    assert_int_equal (bb_upstream_parse_hiro_v3_stx (
        truncated, strlen (truncated), balances, reason, sizeof reason), -1);
    bb_balances_destroy (&balances);
}

static void
test_hiro_v3_ft (void **state)
{
    bb_balances_t *balances = bb_balances_new ();
    char reason [BB_REASON_SIZE] = "";
    char *next = (char *) "junk";       // must be set to NULL: no next page
    size_t size;
    char *body = s_fixture (
        "hiro_v3_principals_balances_ft__upstream_test_empty.json", &size);
    assert_int_equal (bb_upstream_parse_hiro_v3_ft (body, size, MAINNET,
                                                    balances, &next, reason,
                                                    sizeof reason), 0);
    assert_null (next);
    assert_int_equal (bb_balances_size (balances), 0);
    free (body);

    //  A page with a next cursor, as the API pages by balance.
    const char *page =
        "{\"total\":3,\"limit\":2,\"cursor\":{\"next\":\"10000:" NOPE "\","
        "\"previous\":null,\"current\":\"1888888000000:" LONGCOIN "\"},"
        "\"results\":[{\"asset_identifier\":\"" LONGCOIN "\","
        "\"balance\":\"1888888000000\"},{\"asset_identifier\":\"" ALEX "\","
        "\"balance\":\"" U128_MAX_DEC "\"}]}";
    assert_int_equal (bb_upstream_parse_hiro_v3_ft (
        page, strlen (page), MAINNET, balances, &next, reason,
        sizeof reason), 0);
    assert_non_null (next);
    assert_string_equal (next, "10000:" NOPE);
    free (next);
    assert_int_equal (bb_balances_size (balances), 2);
    s_assert_holds (balances, LONGCOIN, "1888888000000");
    s_assert_holds (balances, ALEX, U128_MAX_DEC);

    //  The v2 ft page has another shape: refused, not misread.
    body = s_fixture ("hiro_v2_addresses_balances_ft__leather_mainnet.json",
                      &size);
    assert_int_equal (bb_upstream_parse_hiro_v3_ft (body, size, MAINNET,
                                                    balances, &next, reason,
                                                    sizeof reason), -1);
    assert_non_null (strstr (reason, "asset_identifier: missing"));
    free (body);

    const char *wrong [][2] = {
        { "{\"cursor\":{\"next\":null},\"results\":{}}",
          "results: not an array" },
        { "{\"cursor\":{\"next\":null}}", "results: missing" },
        { "{\"cursor\":{\"next\":5},\"results\":[]}",
          "cursor.next: not a string" },
        { "{\"cursor\":{\"next\":\"\"},\"results\":[]}", "cursor.next" },
        { "{\"cursor\":{},\"results\":[]}", "cursor.next: missing" },
        { "{\"results\":[]}", "cursor: missing" },
        { "{\"cursor\":{\"next\":null},\"results\":[{\"asset_identifier\":"
          "\"" NOPE "\",\"balance\":10000}]}",
          "results[0].balance: not a string" },
        { "{\"cursor\":{\"next\":null},\"results\":[{\"asset_identifier\":"
          "\"" NOPE "\",\"balance\":\"-5\"}]}", "results[0].balance" },
        { "{\"cursor\":{\"next\":null},\"results\":[7]}",
          "results[0]: not an object" },
    };
    for (size_t index = 0; index < sizeof wrong / sizeof wrong [0];
         index++) {
        next = NULL;
        int rc = bb_upstream_parse_hiro_v3_ft (
            wrong [index][0], strlen (wrong [index][0]), MAINNET, balances,
            &next, reason, sizeof reason);
        if (rc != -1 || !strstr (reason, wrong [index][1]))
            fail_msg ("%s: rc %d reason '%s'", wrong [index][0], rc,
                      reason);
        assert_null (next);
    }
    bb_balances_destroy (&balances);
}

//  ---------------------------------------------------------------------
//  mempool.space

//  The body of fixture name must parse as address stats.
static void
s_mempool_fixture (const char *name, const char *expected)
{
    s_parse_fixture (bb_upstream_parse_mempool, name, "btc-l1", expected);
}

static void
test_mempool (void **state)
{
    //  Fully spent: zero.
    s_mempool_fixture ("mempool_address__docs_mainnet_1wiz.json", NULL);
    //  Sums past 2^31.
    s_mempool_fixture ("mempool_address__docs_testnet_tb1q.json",
                       "84313783821");
    //  Unconfirmed funds are not counted.
    s_mempool_fixture ("mempool_address__captured_testnet_mempool_nonzero"
                       ".json", NULL);

    s_mempool_fails ("{\"chain_stats\":{\"funded_txo_sum\":\"5\","
                     "\"spent_txo_sum\":0}}",
                     "chain_stats.funded_txo_sum: not an integer");
    s_mempool_fails ("{\"chain_stats\":{\"funded_txo_sum\":5.5,"
                     "\"spent_txo_sum\":0}}", "not an integer");
    s_mempool_fails ("{\"chain_stats\":{\"funded_txo_sum\":5}}",
                     "chain_stats.spent_txo_sum: missing");
    s_mempool_fails ("{\"chain_stats\":{\"funded_txo_sum\":5,"
                     "\"spent_txo_sum\":6}}", "exceeds");
    s_mempool_fails ("{\"chain_stats\":{\"funded_txo_sum\":-5,"
                     "\"spent_txo_sum\":0}}", "negative");
    s_mempool_fails ("{\"chain_stats\":{\"funded_txo_sum\":"
                     "99999999999999999999,\"spent_txo_sum\":0}}",
                     "invalid JSON");
    s_mempool_fails ("Invalid Bitcoin address", "invalid JSON");
    s_mempool_fails ("<html><head><title>429 Too Many Requests</title>"
                     "</head></html>", "invalid JSON");

    //  Other mempool.space bodies are not address stats.
    s_fixture_fails (s_mempool_fails, "mempool_v1_prices__docs.json",
                     "chain_stats: missing");
    s_fixture_fails (s_mempool_fails,
                     "mempool_validate_address__docs_mainnet.json",
                     "chain_stats: missing");
}

//  ---------------------------------------------------------------------
//  CoinGecko

static void
test_price (void **state)
{
    //  The docs example holds bitcoin only: blockstack is required.
    s_fixture_fails (s_price_fails,
                     "coingecko_simple_price__docs_bitcoin_full.json",
                     "blockstack: missing");
    s_fixture_fails (s_price_fails, "coingecko_429__captured.json",
                     "bitcoin: missing");

    const char *both = "{\"bitcoin\":{\"usd\":67187.3358936566,"
                       "\"usd_24h_change\":null},\"blockstack\":{\"usd\":2}}";
    int64_t btc = 0, stx = 0;
    char reason [BB_REASON_SIZE] = "";
    assert_int_equal (bb_upstream_parse_price (both, strlen (both), &btc,
                                               &stx, reason, sizeof reason),
                      0);
    assert_true (btc == 67187335894LL);
    assert_true (stx == 2000000LL);

    s_price_fails ("{\"bitcoin\":{\"usd\":\"67187.33\"},"
                   "\"blockstack\":{\"usd\":2}}",
                   "bitcoin.usd: not a number");
    s_price_fails ("{\"bitcoin\":{\"usd\":1},\"blockstack\":{}}",
                   "blockstack.usd: missing");
    s_price_fails ("{\"bitcoin\":{\"usd\":-1},\"blockstack\":{\"usd\":2}}",
                   "out of range");
    s_price_fails ("{\"bitcoin\":{\"usd\":1e300},\"blockstack\":{\"usd\":2}}",
                   "out of range");
    s_price_fails ("{\"bitcoin\":[],\"blockstack\":{\"usd\":2}}",
                   "bitcoin: not an object");
}

//  ---------------------------------------------------------------------
//  Token metadata

//  Parse the body of fixture name as a metadata answer with status:
//  it must parse.
static void
s_meta_fixture (const char *name, long status, bb_token_meta_t *meta)
{
    size_t size;
    char *body = s_fixture (name, &size);
    char reason [BB_REASON_SIZE] = "";
    int rc = s_meta (status, body, meta, reason);
    free (body);
    if (rc)
        fail_msg ("%s: %s", name, reason);
}

//  A metadata answer of status with text must fail with a reason holding
//  expected.
static void
s_meta_fails (long status, const char *text, const char *expected)
{
    bb_token_meta_t meta;
    char reason [BB_REASON_SIZE] = "";
    if (s_meta (status, text, &meta, reason) != -1)
        fail_msg ("%ld %s: parsed", status, text);
    if (!strstr (reason, expected))
        fail_msg ("%ld %s: reason '%s' lacks '%s'", status, text, reason,
                  expected);
}

static void
test_token_meta (void **state)
{
    bb_token_meta_t meta;
    s_meta_fixture ("hiro_metadata_v1_ft__leather_longcoin.json", 200,
                    &meta);
    assert_int_equal (meta.state, BB_TOKEN_META_KNOWN);
    assert_string_equal (meta.symbol, "LONG");
    assert_int_equal (meta.decimals, 6);
    //  No such token or contract: missing; still being prepared: pending.
    const struct {
        const char *fixture;
        long status;
        int state;
    } answers [] = {
        { "hiro_metadata_v1_ft__404_token_not_found.json", 404,
          BB_TOKEN_META_MISSING },
        { "hiro_metadata_v1_ft__404_contract_not_found.json", 404,
          BB_TOKEN_META_MISSING },
        { "hiro_metadata_v1_ft__422_fetch_in_progress.json", 422,
          BB_TOKEN_META_PENDING },
    };
    for (size_t index = 0; index < sizeof answers / sizeof answers [0];
         index++) {
        s_meta_fixture (answers [index].fixture, answers [index].status,
                        &meta);
        assert_int_equal (meta.state, answers [index].state);
    }

    //  Optional fields may be missing or null.
    char reason [BB_REASON_SIZE] = "";
    assert_int_equal (s_meta (200, "{\"tx_id\":\"0x1\"}", &meta, reason), 0);
    assert_int_equal (meta.state, BB_TOKEN_META_KNOWN);
    assert_string_equal (meta.symbol, "");
    assert_int_equal (meta.decimals, 0);
    assert_int_equal (s_meta (200, "{\"symbol\":null,\"decimals\":null}",
                              &meta, reason), 0);

    //  A 404 that is not the metadata API's (a wrong base URL), and bad
    //  bodies ("" matches any reason).
    const struct {
        long status;
        const char *text;
        const char *reason;
    } bad [] = {
        { 404, "{\"message\":\"Route GET:/x not found\","
               "\"error\":\"Not Found\",\"statusCode\":404}",
          "not the metadata API" },
        { 404, "not json", "" },
        { 500, "{}", "" },
        { 200, "{\"decimals\":\"6\"}", "decimals: not an integer" },
        { 200, "{\"decimals\":39}", "" },
        { 200, "{\"decimals\":-1}", "" },
        { 200, "{\"symbol\":5}", "" },
        { 200, "{\"symbol\":\"A\\nB\"}", "control" },
        { 200, "{\"symbol\":\"a", "" },
    };
    for (size_t index = 0; index < sizeof bad / sizeof bad [0]; index++)
        s_meta_fails (bad [index].status, bad [index].text,
                      bad [index].reason);
    char text [200];
    snprintf (text, sizeof text, "{\"symbol\":\"%0100d\"}", 0);
    s_meta_fails (200, text, "longer than");
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test (test_balances),
        cmocka_unit_test (test_hiro_v1_fixtures),
        cmocka_unit_test (test_hiro_v1_amounts),
        cmocka_unit_test (test_hiro_v1_malformed),
        cmocka_unit_test (test_token_id),
        cmocka_unit_test (test_hiro_v3_stx),
        cmocka_unit_test (test_hiro_v3_ft),
        cmocka_unit_test (test_mempool),
        cmocka_unit_test (test_price),
        cmocka_unit_test (test_token_meta))
