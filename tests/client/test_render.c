/*  test_render - the JSON of replies: a dashboard page with BTC, STX,
    sBTC, a SIP-10 without metadata, a full-u128 balance, a partial and a
    pending agent, checked field by field (values, types, key order,
    contract and fetchError present or absent), against the published
    shape (tests/fixtures/dashboard_shape.json) before and after a text
    round trip, and broken copies that the shape check must refuse; then
    the agent detail, rank, stats, status and ack renderings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bb_render.h"
#include "bb_sync_outcome.h"
#include "bb_test_main.h"
#include "bb_test_shape.h"

#define SBTC_ID \
    "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token::sbtc-token"
#define SBTC_CONTRACT \
    "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token"
#define LEO_ID \
    "SP1AY6K3PQV5MRT6R4S671NWW2FRVPKM0BR162CT6.leo-token::leo"
#define LEO_CONTRACT \
    "SP1AY6K3PQV5MRT6R4S671NWW2FRVPKM0BR162CT6.leo-token"
#define U128_MAX_DEC    "340282366920938463463374607431768211455"
#define ALICE           "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7"
#define BOB             "SP3FBR2AGK5H9QBDH3EEN6DF8EK8JY7RX8QJ5SVTE"
#define CAROL           "SP1HTBVD3JG9C05J7HBJTHGR0GGW7KXW28M5JS8QE"
#define ALICE_BTC       "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"

//  2026-11-24T06:30:00.123Z and 2026-11-24T06:31:05.007Z
#define PRICED_AT_MS    1795501800123ULL
#define CACHED_AT_MS    1795501865007ULL
#define BTC_MICRO       97000123456LL       // $97,000.123456
#define STX_MICRO       1850000LL           // $1.85

//  A dashboard page built as the store would send it.
typedef struct {
    Balboard__Agent agents [3];
    Balboard__TokenPosition positions [8];
    Balboard__TokenPosition *alice_tokens [5];
    Balboard__TokenPosition *bob_tokens [1];
    Balboard__TokenPosition *carol_tokens [1];
    Balboard__DashboardRow rows [3];
    Balboard__DashboardRow *row_list [3];
    Balboard__PriceSnapshot prices;
    Balboard__DashboardStats stats;
    Balboard__DashboardPage page;
} fixture_t;

static Balboard__TokenPosition
s_position (const char *token_id, const char *symbol, const char *contract,
            const char *balance, uint32_t decimals, int64_t price_micro,
            int64_t value_micro)
{
    Balboard__TokenPosition position = BALBOARD__TOKEN_POSITION__INIT;
    position.token_id = (char *) token_id;
    position.symbol = (char *) symbol;
    position.contract = (char *) contract;
    position.balance = (char *) balance;
    position.decimals = decimals;
    position.price_usd_micro = price_micro;
    position.usd_value_micro = value_micro;
    position.source = (char *) (strcmp (token_id, "btc-l1") == 0
                                ? "mempool.space": "hiro");
    position.captured_at_ms = PRICED_AT_MS - 1000;
    return position;
}

static Balboard__Agent
s_agent (const char *stx, const char *btc, const char *display_name,
         const char *bns_name, uint32_t level, const char *level_name)
{
    Balboard__Agent agent = BALBOARD__AGENT__INIT;
    agent.stx_address = (char *) stx;
    agent.btc_address = (char *) btc;
    agent.display_name = (char *) display_name;
    agent.bns_name = (char *) bns_name;
    agent.level = level;
    agent.level_name = (char *) level_name;
    return agent;
}

static void
s_fixture_init (fixture_t *fixture)
{
    memset (fixture, 0, sizeof *fixture);
    Balboard__TokenPosition *positions = fixture->positions;
    //  Alice: BTC, STX, sBTC, a SIP-10 without metadata holding the
    //  largest u128, and a zero position the store should not have sent
    positions [0] = s_position ("btc-l1", "BTC", "", "150000000", 8,
                                BTC_MICRO, 145500185184LL);
    positions [1] = s_position ("stx", "STX", "", "2500000000", 6,
                                STX_MICRO, 4625000000LL);
    positions [2] = s_position (SBTC_ID, "sBTC", SBTC_CONTRACT, "50000000",
                                8, BTC_MICRO, 48500061728LL);
    positions [3] = s_position (LEO_ID, "leo", LEO_CONTRACT, U128_MAX_DEC,
                                0, 0, 0);
    positions [4] = s_position (LEO_ID, "leo", LEO_CONTRACT, "0", 0, 0, 0);
    //  Bob: a stale STX row (partial); Carol: pending, with leftovers
    positions [5] = s_position ("stx", "STX", "", "1000000", 6, STX_MICRO,
                                1850000LL);
    positions [5].stale = true;
    positions [6] = s_position ("btc-l1", "BTC", "", "1", 8, BTC_MICRO, 970);

    for (size_t index = 0; index < 5; index++)
        fixture->alice_tokens [index] = &positions [index];
    fixture->bob_tokens [0] = &positions [5];
    fixture->carol_tokens [0] = &positions [6];

    fixture->agents [0] = s_agent (ALICE, ALICE_BTC, "Alice", "alice.btc",
                                   2, "Genesis");
    fixture->agents [1] = s_agent (BOB, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
                                   "", "", 0, "");
    fixture->agents [2] = s_agent (CAROL, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
                                   "Carol", "", 1, "Registered");

    Balboard__DashboardRow *rows = fixture->rows;
    for (size_t index = 0; index < 3; index++) {
        rows [index] = (Balboard__DashboardRow) BALBOARD__DASHBOARD_ROW__INIT;
        rows [index].agent = &fixture->agents [index];
        rows [index].rank = index + 1;
        fixture->row_list [index] = &rows [index];
    }
    rows [0].tokens = fixture->alice_tokens;
    rows [0].n_tokens = 5;
    rows [0].total_usd_micro = 145500185184LL + 4625000000LL + 48500061728LL;
    rows [0].fetch_state = BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK;
    rows [1].tokens = fixture->bob_tokens;
    rows [1].n_tokens = 1;
    rows [1].total_usd_micro = 1850000LL;
    rows [1].fetch_state = BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PARTIAL;
    rows [2].tokens = fixture->carol_tokens;
    rows [2].n_tokens = 1;
    rows [2].total_usd_micro = 970;
    rows [2].fetch_state = BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING;

    fixture->prices = (Balboard__PriceSnapshot)
        BALBOARD__PRICE_SNAPSHOT__INIT;
    fixture->prices.btc_usd_micro = BTC_MICRO;
    fixture->prices.stx_usd_micro = STX_MICRO;
    fixture->prices.priced_at_ms = PRICED_AT_MS;
    fixture->stats = (Balboard__DashboardStats)
        BALBOARD__DASHBOARD_STATS__INIT;
    fixture->stats.total = 3;
    fixture->stats.total_usd_micro = rows [0].total_usd_micro
                                   + rows [1].total_usd_micro;
    fixture->stats.priced_at_ms = PRICED_AT_MS;

    Balboard__DashboardPage *page = &fixture->page;
    *page = (Balboard__DashboardPage) BALBOARD__DASHBOARD_PAGE__INIT;
    page->rows = fixture->row_list;
    page->n_rows = 3;
    page->prices = &fixture->prices;
    page->stats = &fixture->stats;
    page->cached_at_ms = CACHED_AT_MS;
    page->offset = 0;
    page->limit = 100;
    page->total = 3;
    page->has_more = false;
}

//  The keys of object in order, comma-separated, into buf.
static const char *
s_keys (json_t *object, char *buf, size_t size)
{
    assert_true (json_is_object (object));
    buf [0] = '\0';
    const char *key;
    json_t *value;
    json_object_foreach (object, key, value) {
        size_t length = strlen (buf);
        snprintf (buf + length, size - length, "%s%s", length? ",": "", key);
    }
    return buf;
}

#define assert_keys(object, expected) do { \
    char keys_ [512]; \
    assert_string_equal (s_keys ((object), keys_, sizeof keys_), \
                         (expected)); \
} while (0)

//  Real value of key in object, which must be a real.
static double
s_real (json_t *object, const char *key)
{
    json_t *value = json_object_get (object, key);
    assert_non_null (value);
    assert_true (json_is_real (value));
    return json_real_value (value);
}

static void
s_assert_close (double actual, double expected)
{
    double diff = actual - expected;
    double scale = expected < 0? -expected: expected;
    if (diff < 0)
        diff = -diff;
    if (diff > 1e-12 * (scale > 1? scale: 1))
        fail_msg ("%.17g is not %.17g", actual, expected);
}

static void
s_assert_string (json_t *object, const char *key, const char *expected)
{
    json_t *value = json_object_get (object, key);
    assert_non_null (value);
    assert_true (json_is_string (value));
    assert_string_equal (json_string_value (value), expected);
}

static void
s_assert_integer (json_t *object, const char *key, json_int_t expected)
{
    json_t *value = json_object_get (object, key);
    assert_non_null (value);
    assert_true (json_is_integer (value));
    assert_true (json_integer_value (value) == expected);
}

//  The dashboard shape from the fixtures; caller decrefs.
static json_t *
s_load_shape (void)
{
    const char *fixtures = getenv ("BALBOARD_FIXTURES");
    assert_non_null (fixtures);
    char path [1024];
    snprintf (path, sizeof path, "%s/dashboard_shape.json", fixtures);
    json_error_t error;
    json_t *shape = json_load_file (path, 0, &error);
    if (!shape)
        fail_msg ("%s:%d: %s", path, error.line, error.text);
    return shape;
}

#define TOKEN_KEYS      "symbol,balance,decimals,amount,priceUsd,usdValue"
#define FT_TOKEN_KEYS   "symbol,contract,balance,decimals,amount,priceUsd," \
                        "usdValue"
#define AGENT_KEYS      "stxAddress,btcAddress,displayName,bnsName,level," \
                        "levelName,tokens,totalUsd"

//  What the JSON of one token must hold; contract is NULL for BTC and
//  STX, which have no "contract" key.
typedef struct {
    const char *symbol;
    const char *contract;
    const char *balance;
    json_int_t decimals;
    double amount;
    double price_usd;
    double usd_value;
} token_expected_t;

static void
s_assert_token (json_t *token, const token_expected_t *expected)
{
    assert_keys (token, expected->contract? FT_TOKEN_KEYS: TOKEN_KEYS);
    s_assert_string (token, "symbol", expected->symbol);
    if (expected->contract)
        s_assert_string (token, "contract", expected->contract);
    s_assert_string (token, "balance", expected->balance);
    s_assert_integer (token, "decimals", expected->decimals);
    s_assert_close (s_real (token, "amount"), expected->amount);
    s_assert_close (s_real (token, "priceUsd"), expected->price_usd);
    s_assert_close (s_real (token, "usdValue"), expected->usd_value);
}

static void
test_dashboard_fields (void **state)
{
    fixture_t fixture;
    s_fixture_init (&fixture);
    json_t *root = bb_render_dashboard (&fixture.page);
    assert_non_null (root);
    assert_keys (root, "agents,prices,stats,cachedAt,pagination");

    json_t *agents = json_object_get (root, "agents");
    assert_true (json_is_array (agents));
    assert_int_equal (json_array_size (agents), 3);

    //  Alice: every token kind, no fetchError
    json_t *alice = json_array_get (agents, 0);
    assert_keys (alice, AGENT_KEYS);
    s_assert_string (alice, "stxAddress", ALICE);
    s_assert_string (alice, "btcAddress", ALICE_BTC);
    s_assert_string (alice, "displayName", "Alice");
    s_assert_string (alice, "bnsName", "alice.btc");
    s_assert_integer (alice, "level", 2);
    s_assert_string (alice, "levelName", "Genesis");
    s_assert_close (s_real (alice, "totalUsd"), 198625.246912);
    json_t *tokens = json_object_get (alice, "tokens");
    assert_int_equal (json_array_size (tokens), 4);     // the zero is gone

    const token_expected_t expected [] = {
        { "BTC", NULL, "150000000", 8, 1.5, 97000.123456, 145500.185184 },
        { "STX", NULL, "2500000000", 6, 2500.0, 1.85, 4625.0 },
        { "sBTC", SBTC_CONTRACT, "50000000", 8, 0.5, 97000.123456,
          48500.061728 },
        //  A SIP-10 without metadata: asset name, 0 decimals, unpriced,
        //  and the balance exact to the last of its 39 digits
        { "leo", LEO_CONTRACT, U128_MAX_DEC, 0, 3.4028236692093846e38, 0,
          0 },
    };
    for (size_t index = 0; index < sizeof expected / sizeof expected [0];
         index++)
        s_assert_token (json_array_get (tokens, index), &expected [index]);

    //  Bob: partial; empty names are null
    json_t *bob = json_array_get (agents, 1);
    assert_keys (bob, AGENT_KEYS ",fetchError");
    s_assert_string (bob, "fetchError", "partial");
    assert_true (json_is_null (json_object_get (bob, "displayName")));
    assert_true (json_is_null (json_object_get (bob, "bnsName")));
    assert_true (json_is_null (json_object_get (bob, "levelName")));
    s_assert_integer (bob, "level", 0);
    assert_int_equal (json_array_size (json_object_get (bob, "tokens")), 1);
    s_assert_close (s_real (bob, "totalUsd"), 1.85);

    //  Carol: pending shows no tokens and 0 whatever the row carried
    json_t *carol = json_array_get (agents, 2);
    assert_keys (carol, AGENT_KEYS ",fetchError");
    s_assert_string (carol, "fetchError", "pending");
    s_assert_string (carol, "displayName", "Carol");
    assert_true (json_is_null (json_object_get (carol, "bnsName")));
    assert_int_equal (json_array_size (json_object_get (carol, "tokens")), 0);
    s_assert_close (s_real (carol, "totalUsd"), 0);

    json_t *prices = json_object_get (root, "prices");
    assert_keys (prices, "BTC,STX,sBTC");
    s_assert_close (s_real (prices, "BTC"), 97000.123456);
    s_assert_close (s_real (prices, "STX"), 1.85);
    s_assert_close (s_real (prices, "sBTC"), 97000.123456);

    json_t *stats = json_object_get (root, "stats");
    assert_keys (stats, "total,totalUsd,pricedAt");
    s_assert_integer (stats, "total", 3);
    s_assert_close (s_real (stats, "totalUsd"), 198627.096912);
    s_assert_string (stats, "pricedAt", "2026-11-24T06:30:00.123Z");
    s_assert_string (root, "cachedAt", "2026-11-24T06:31:05.007Z");

    json_t *pagination = json_object_get (root, "pagination");
    assert_keys (pagination, "total,limit,offset,hasMore");
    s_assert_integer (pagination, "total", 3);
    s_assert_integer (pagination, "limit", 100);
    s_assert_integer (pagination, "offset", 0);
    assert_true (json_is_false (json_object_get (pagination, "hasMore")));
    json_decref (root);
}

//  No snapshot, no stats, nothing committed yet: zeros and nulls.
static void
test_dashboard_empty (void **state)
{
    Balboard__DashboardPage page = BALBOARD__DASHBOARD_PAGE__INIT;
    page.offset = 500;
    page.limit = 100;
    page.total = 20;
    json_t *root = bb_render_dashboard (&page);
    assert_keys (root, "agents,prices,stats,cachedAt,pagination");
    assert_int_equal (json_array_size (json_object_get (root, "agents")), 0);
    json_t *prices = json_object_get (root, "prices");
    s_assert_close (s_real (prices, "BTC"), 0);
    s_assert_close (s_real (prices, "STX"), 0);
    s_assert_close (s_real (prices, "sBTC"), 0);
    json_t *stats = json_object_get (root, "stats");
    s_assert_integer (stats, "total", 0);
    s_assert_close (s_real (stats, "totalUsd"), 0);
    assert_true (json_is_null (json_object_get (stats, "pricedAt")));
    assert_true (json_is_null (json_object_get (root, "cachedAt")));
    json_t *pagination = json_object_get (root, "pagination");
    s_assert_integer (pagination, "offset", 500);
    s_assert_integer (pagination, "total", 20);

    json_t *shape = s_load_shape ();
    char error [256];
    if (bb_test_shape_check (root, shape, error, sizeof error))
        fail_msg ("%s", error);
    json_decref (shape);
    json_decref (root);
}

//  The page as the CLI prints it: a decoded message, rendered, dumped and
//  parsed back, still matches the shape with the same values.
static void
test_dashboard_shape (void **state)
{
    fixture_t fixture;
    s_fixture_init (&fixture);
    json_t *shape = s_load_shape ();
    char error [256];

    //  Through the wire codec: strings of a decoded message are never NULL
    size_t length = balboard__dashboard_page__get_packed_size (&fixture.page);
    uint8_t *bytes = malloc (length);
    assert_non_null (bytes);
    balboard__dashboard_page__pack (&fixture.page, bytes);
    Balboard__DashboardPage *decoded =
        balboard__dashboard_page__unpack (NULL, length, bytes);
    assert_non_null (decoded);
    json_t *root = bb_render_dashboard (decoded);
    json_t *direct = bb_render_dashboard (&fixture.page);
    assert_true (json_equal (root, direct));
    if (bb_test_shape_check (root, shape, error, sizeof error))
        fail_msg ("%s", error);

    for (int pretty = 0; pretty < 2; pretty++) {
        char *text = bb_render_to_string (root, pretty);
        assert_non_null (text);
        assert_true ((strchr (text, '\n') != NULL) == pretty);
        json_error_t parse_error;
        json_t *parsed = json_loads (text, 0, &parse_error);
        assert_non_null (parsed);
        if (bb_test_shape_check (parsed, shape, error, sizeof error))
            fail_msg ("%s", error);
        assert_true (json_equal (parsed, root));
        if (!pretty) {
            assert_non_null (strstr (text, "\"prices\":{\"BTC\":97000.123456,"
                                     "\"STX\":1.85,\"sBTC\":97000.123456}"));
            assert_non_null (strstr (text, "\"balance\":\"" U128_MAX_DEC
                                     "\",\"decimals\":0,"));
            assert_non_null (strstr (text, "\"amount\":1.5,"));
            assert_non_null (strstr (text, "\"tokens\":[],\"totalUsd\":0.0,"
                                     "\"fetchError\":\"pending\"}"));
        }
        json_decref (parsed);
        free (text);
    }
    assert_null (bb_render_to_string (NULL, false));
    json_decref (direct);
    json_decref (root);
    balboard__dashboard_page__free_unpacked (decoded, NULL);
    free (bytes);
    json_decref (shape);
}

//  Break a copy of a good page at path (a JSON pointer-ish list of keys
//  and indexes) with mutate, and require the shape check to refuse it
//  with a message that names where.
typedef void (mutate_fn) (json_t *parent, const char *key);

static void
s_remove (json_t *parent, const char *key)
{
    assert_int_equal (json_object_del (parent, key), 0);
}

static void
s_to_string (json_t *parent, const char *key)
{
    json_object_set_new (parent, key, json_string ("2"));
}

static void
s_to_integer (json_t *parent, const char *key)
{
    json_object_set_new (parent, key, json_integer (1));
}

static void
s_bad_enum (json_t *parent, const char *key)
{
    json_object_set_new (parent, key, json_string ("oops"));
}

static void
s_bad_time (json_t *parent, const char *key)
{
    json_object_set_new (parent, key, json_string ("2026-11-24 06:30:00"));
}

static void
s_bad_u128 (json_t *parent, const char *key)
{
    json_object_set_new (parent, key, json_string ("1.5"));
}

static void
s_extra (json_t *parent, const char *key)
{
    json_object_set_new (parent, "extra", json_true ());
}

//  Move key to the end of its object.
static void
s_move_last (json_t *parent, const char *key)
{
    json_t *value = json_incref (json_object_get (parent, key));
    json_object_del (parent, key);
    json_object_set_new (parent, key, value);
}

static void
s_expect_broken (json_t *good, json_t *shape, const char *parent_path,
                 const char *key, mutate_fn *mutate, const char *message)
{
    json_t *copy = json_deep_copy (good);
    json_t *parent = copy;
    //  parent_path: "agents/0/tokens/2" style
    char path [256];
    snprintf (path, sizeof path, "%s", parent_path);
    for (char *part = strtok (path, "/"); part; part = strtok (NULL, "/"))
        parent = json_is_array (parent)
               ? json_array_get (parent, (size_t) atoi (part))
               : json_object_get (parent, part);
    assert_non_null (parent);
    mutate (parent, key);
    char error [256] = "";
    assert_int_equal (bb_test_shape_check (copy, shape, error, sizeof error),
                      -1);
    if (!strstr (error, message))
        fail_msg ("error \"%s\" lacks \"%s\"", error, message);
    json_decref (copy);
}

static void
test_shape_refuses_broken (void **state)
{
    fixture_t fixture;
    s_fixture_init (&fixture);
    json_t *good = bb_render_dashboard (&fixture.page);
    json_t *shape = s_load_shape ();
    char error [256];
    assert_int_equal (bb_test_shape_check (good, shape, error, sizeof error),
                      0);

    const struct {
        const char *parent;         // "agents/0/tokens/2" style
        const char *key;
        mutate_fn *mutate;
        const char *message;        // part of the refusal
    } broken [] = {
        { "agents/0/tokens/0", "balance", s_remove,
          "$.agents[0].tokens[0]: missing key \"balance\"" },
        { "agents/1", "level", s_to_string,
          "$.agents[1].level: expected \"integer\", got string" },
        { "agents/0/tokens/1", "amount", s_to_integer,
          "$.agents[0].tokens[1].amount: expected" },
        { "agents/2", "fetchError", s_bad_enum,
          "$.agents[2].fetchError: \"oops\" not in the enum" },
        { "", "cachedAt", s_bad_time,
          "$.cachedAt: \"2026-11-24 06:30:00\" is not iso8601" },
        { "agents/0/tokens/3", "balance", s_bad_u128,
          "is not u128" },
        { "pagination", "hasMore", s_extra,
          "$.pagination: unexpected key \"extra\"" },
        { "agents/0", "stxAddress", s_move_last,
          "$.agents[0]: key \"stxAddress\" comes after" },
        { "", "agents", s_move_last,
          "$: key \"agents\" comes after" },
        { "stats", "pricedAt", s_remove,
          "$.stats: missing key \"pricedAt\"" },
        { "prices", "sBTC", s_to_integer,
          "$.prices.sBTC: expected \"real\", got integer" },
    };
    for (size_t index = 0; index < sizeof broken / sizeof broken [0];
         index++)
        s_expect_broken (good, shape, broken [index].parent,
                         broken [index].key, broken [index].mutate,
                         broken [index].message);
    //  The optional keys may go; the shape check does not require them
    json_t *copy = json_deep_copy (good);
    json_object_del (json_array_get (json_object_get (json_array_get (
        json_object_get (copy, "agents"), 0), "tokens"), 2), "contract");
    json_object_del (json_array_get (json_object_get (copy, "agents"), 1),
                     "fetchError");
    assert_int_equal (bb_test_shape_check (copy, shape, error, sizeof error),
                      0);
    json_decref (copy);

    //  A shape that is itself broken fails, and says so
    json_t *bad_shape = json_pack ("{s:s}", "tipe", "object");
    assert_int_equal (bb_test_shape_check (good, bad_shape, error,
                                           sizeof error), -1);
    assert_non_null (strstr (error, "bad shape"));
    json_decref (bad_shape);
    assert_int_equal (bb_test_shape_check (NULL, shape, error, sizeof error),
                      -1);
    json_decref (shape);
    json_decref (good);
}

//  Balances are canonical, bad ones dropped, bad UTF-8 replaced, the
//  symbol falls back to the asset name.
static void
test_defensive (void **state)
{
    Balboard__TokenPosition positions [4];
    positions [0] = s_position ("stx", "STX", "", "0002500000", 6, 0, 0);
    positions [1] = s_position ("btc-l1", "BTC", "", "12x", 8, 0, 0);
    positions [2] = s_position (LEO_ID, "", "", "7", 0, 0, 0);
    positions [3] = s_position ("stx", "STX", "", "", 6, 0, 0);
    Balboard__TokenPosition *list [4] = {
        &positions [0], &positions [1], &positions [2], &positions [3]
    };
    Balboard__Agent agent = s_agent (ALICE, "", "Bad \xC3\x28 name",
                                     "caf\xC3\xA9.btc", 1, "Registered");
    Balboard__DashboardRow row = BALBOARD__DASHBOARD_ROW__INIT;
    row.agent = &agent;
    row.tokens = list;
    row.n_tokens = 4;
    row.fetch_state = BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK;
    Balboard__DashboardRow no_agent = BALBOARD__DASHBOARD_ROW__INIT;
    Balboard__DashboardRow *rows [2] = { &row, &no_agent };
    Balboard__DashboardPage page = BALBOARD__DASHBOARD_PAGE__INIT;
    page.rows = rows;
    page.n_rows = 2;
    page.limit = 100;

    json_t *root = bb_render_dashboard (&page);
    json_t *agent_json = json_array_get (json_object_get (root, "agents"), 0);
    s_assert_string (agent_json, "displayName", "Bad ?( name");
    s_assert_string (agent_json, "bnsName", "caf\xC3\xA9.btc");
    json_t *tokens = json_object_get (agent_json, "tokens");
    assert_int_equal (json_array_size (tokens), 2);
    s_assert_string (json_array_get (tokens, 0), "balance", "2500000");
    s_assert_close (s_real (json_array_get (tokens, 0), "amount"), 2.5);
    s_assert_string (json_array_get (tokens, 1), "symbol", "leo");
    s_assert_string (json_array_get (tokens, 1), "contract", LEO_CONTRACT);
    //  A row without agent renders with empty addresses, not a crash
    json_t *empty = json_array_get (json_object_get (root, "agents"), 1);
    assert_keys (empty, AGENT_KEYS);
    s_assert_string (empty, "stxAddress", "");
    json_decref (root);
}

static void
test_time (void **state)
{
    char buf [BB_RENDER_TIME_SIZE];
    assert_string_equal (bb_render_time (0, buf), "1970-01-01T00:00:00.000Z");
    assert_string_equal (bb_render_time (PRICED_AT_MS, buf),
                         "2026-11-24T06:30:00.123Z");
    assert_string_equal (bb_render_time (951782400999ULL, buf),
                         "2000-02-29T00:00:00.999Z");
}

static void
test_agent_detail (void **state)
{
    fixture_t fixture;
    s_fixture_init (&fixture);
    Balboard__HistoryPoint points [3];
    for (size_t index = 0; index < 3; index++)
        points [index] = (Balboard__HistoryPoint)
            BALBOARD__HISTORY_POINT__INIT;
    points [0].token_id = "btc-l1";
    points [0].captured_at_ms = PRICED_AT_MS;
    points [0].balance = "0150000000";
    points [1].token_id = "stx";
    points [1].captured_at_ms = CACHED_AT_MS;
    points [1].balance = "0";
    points [2].token_id = "stx";
    points [2].captured_at_ms = CACHED_AT_MS;
    points [2].balance = "-1";
    Balboard__HistoryPoint *history [3] = {
        &points [0], &points [1], &points [2]
    };
    Balboard__AgentDetail detail = BALBOARD__AGENT_DETAIL__INIT;
    detail.row = &fixture.rows [1];
    detail.history = history;
    detail.n_history = 3;
    detail.prices = &fixture.prices;

    json_t *root = bb_render_agent_detail (&detail);
    assert_keys (root, AGENT_KEYS ",fetchError,rank,history,prices");
    s_assert_string (root, "stxAddress", BOB);
    s_assert_integer (root, "rank", 2);
    json_t *token = json_array_get (json_object_get (root, "tokens"), 0);
    assert_keys (token, TOKEN_KEYS ",capturedAt,stale,source");
    s_assert_string (token, "capturedAt", "2026-11-24T06:29:59.123Z");
    assert_true (json_is_true (json_object_get (token, "stale")));
    s_assert_string (token, "source", "hiro");
    json_t *points_json = json_object_get (root, "history");
    assert_int_equal (json_array_size (points_json), 2);
    json_t *point = json_array_get (points_json, 0);
    assert_keys (point, "token,capturedAt,balance");
    s_assert_string (point, "token", "btc-l1");
    s_assert_string (point, "capturedAt", "2026-11-24T06:30:00.123Z");
    s_assert_string (point, "balance", "150000000");
    s_assert_string (json_array_get (points_json, 1), "balance", "0");
    assert_keys (json_object_get (root, "prices"), "BTC,STX,sBTC");
    json_decref (root);

    //  An agent detail without a row: the agent object with zeros
    Balboard__AgentDetail bare = BALBOARD__AGENT_DETAIL__INIT;
    root = bb_render_agent_detail (&bare);
    assert_keys (root, AGENT_KEYS ",rank,history,prices");
    s_assert_integer (root, "rank", 0);
    json_decref (root);
}

static void
test_rank (void **state)
{
    Balboard__RankReply reply = BALBOARD__RANK_REPLY__INIT;
    reply.stx_address = ALICE;
    reply.rank = 7;
    reply.total = 1000;
    reply.total_usd_micro = 1234567;
    json_t *root = bb_render_rank (&reply);
    assert_keys (root, "stxAddress,rank,total,totalUsd");
    s_assert_string (root, "stxAddress", ALICE);
    s_assert_integer (root, "rank", 7);
    s_assert_integer (root, "total", 1000);
    s_assert_close (s_real (root, "totalUsd"), 1.234567);
    json_decref (root);
}

static void
test_store_stats (void **state)
{
    Balboard__PriceSnapshot prices = BALBOARD__PRICE_SNAPSHOT__INIT;
    prices.btc_usd_micro = BTC_MICRO;
    prices.stx_usd_micro = STX_MICRO;
    prices.priced_at_ms = PRICED_AT_MS;
    Balboard__StoreStats stats = BALBOARD__STORE_STATS__INIT;
    stats.agents = 1000;
    stats.agents_fetched = 900;
    stats.balance_rows = 2500;
    stats.history_rows = 90000;
    stats.last_commit_ms = CACHED_AT_MS;
    stats.batches_committed = 40;
    stats.batches_duplicate = 2;
    stats.batches_rejected = 1;
    stats.rotation = 3;
    stats.rotation_chunks_done = 4;
    stats.rotation_agents = 1000;
    stats.prices = &prices;
    stats.map_size = 1 << 30;
    stats.map_used = UINT64_MAX;
    stats.writes_refused_full = 7;
    stats.store_full_since_ms = CACHED_AT_MS;
    stats.version = "0.1.0 (v0.1.0-3-gfde111e)";
    stats.auth_refused = 7;
    stats.auth_denied = 2;
    json_t *root = bb_render_store_stats (&stats);
    assert_keys (root, "agents,agentsFetched,balanceRows,historyRows,"
                       "lastCommitAt,batches,rotation,prices,map,full,"
                       "version,registrySync,auth");
    json_t *auth = json_object_get (root, "auth");
    assert_keys (auth, "refused,denied");
    s_assert_integer (auth, "refused", 7);
    s_assert_integer (auth, "denied", 2);
    s_assert_string (root, "version", "0.1.0 (v0.1.0-3-gfde111e)");
    s_assert_integer (root, "agents", 1000);
    s_assert_integer (root, "agentsFetched", 900);
    s_assert_string (root, "lastCommitAt", "2026-11-24T06:31:05.007Z");
    json_t *batches = json_object_get (root, "batches");
    assert_keys (batches, "committed,duplicate,rejected");
    s_assert_integer (batches, "duplicate", 2);
    json_t *rotation = json_object_get (root, "rotation");
    assert_keys (rotation, "number,chunksDone,agents");
    s_assert_integer (rotation, "chunksDone", 4);
    json_t *prices_json = json_object_get (root, "prices");
    assert_keys (prices_json, "BTC,STX,sBTC,pricedAt");
    s_assert_string (prices_json, "pricedAt", "2026-11-24T06:30:00.123Z");
    json_t *map = json_object_get (root, "map");
    s_assert_integer (map, "size", 1 << 30);
    s_assert_integer (map, "used", INT64_MAX);      // clamped
    json_t *full = json_object_get (root, "full");
    assert_keys (full, "writesRefused,since");
    s_assert_integer (full, "writesRefused", 7);
    s_assert_string (full, "since", "2026-11-24T06:31:05.007Z");
    json_decref (root);

    Balboard__StoreStats none = BALBOARD__STORE_STATS__INIT;
    root = bb_render_store_stats (&none);
    assert_true (json_is_null (json_object_get (root, "lastCommitAt")));
    assert_true (json_is_null (json_object_get (
        json_object_get (root, "prices"), "pricedAt")));
    assert_true (json_is_null (json_object_get (root, "registrySync")));
    json_decref (root);
}

static void
test_scheduler_status (void **state)
{
    Balboard__InFlightJob job = BALBOARD__IN_FLIGHT_JOB__INIT;
    job.job_id = "3.17";
    job.attempt = 2;
    job.fetcher_id = "fetcher-1";
    job.deadline_ms = CACHED_AT_MS;
    job.agents = 100;
    Balboard__InFlightJob *jobs [1] = { &job };
    Balboard__UpstreamHealth hiro = BALBOARD__UPSTREAM_HEALTH__INIT;
    hiro.upstream = BALBOARD__UPSTREAM__UPSTREAM_HIRO;
    hiro.healthy = false;
    hiro.paused_until_ms = PRICED_AT_MS;
    hiro.budget_per_minute = 50;
    hiro.requests_dispatched = 1200;
    hiro.failures = 3;
    hiro.rate_limited = 1;
    hiro.endpoint = "v3";
    Balboard__UpstreamHealth mempool = BALBOARD__UPSTREAM_HEALTH__INIT;
    mempool.upstream = BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL;
    mempool.healthy = true;
    Balboard__UpstreamHealth price = BALBOARD__UPSTREAM_HEALTH__INIT;
    price.upstream = BALBOARD__UPSTREAM__UPSTREAM_PRICE;
    Balboard__UpstreamHealth *upstreams [3] = { &hiro, &mempool, &price };
    Balboard__SchedulerStatus status = BALBOARD__SCHEDULER_STATUS__INIT;
    status.rotation = 3;
    status.cursor = BOB;
    status.rotation_agents = 1000;
    status.rotation_done = 300;
    status.idle_mode = true;
    status.paused = false;
    status.next_tick_ms = CACHED_AT_MS;
    status.tick_seq = 99;
    status.fetchers = 4;
    status.fetchers_ready = 3;
    status.in_flight = jobs;
    status.n_in_flight = 1;
    status.upstreams = upstreams;
    status.n_upstreams = 3;
    status.rotations_completed = 2;
    status.last_rotation_ms = 123456;
    Balboard__FetcherInfo busy = BALBOARD__FETCHER_INFO__INIT;
    busy.fetcher_id = "host-1";
    busy.job_id = "3.17";
    busy.jobs = 12;
    Balboard__FetcherInfo *fetcher_list [1] = { &busy };
    status.fetcher_list = fetcher_list;
    status.n_fetcher_list = 1;

    status.version = "0.1.0 (9c83c2d-dirty)";
    json_t *root = bb_render_scheduler_status (&status);
    assert_keys (root, "rotation,rotationsCompleted,lastRotationMs,cursor,"
                       "rotationAgents,rotationDone,mode,paused,nextTickAt,"
                       "tickSeq,fetchers,inFlight,upstreams,version,"
                       "registry,auth");
    s_assert_string (root, "version", "0.1.0 (9c83c2d-dirty)");
    s_assert_string (root, "mode", "idle");
    assert_true (json_is_false (json_object_get (root, "paused")));
    s_assert_string (root, "cursor", BOB);
    s_assert_integer (root, "lastRotationMs", 123456);
    json_t *fetchers = json_object_get (root, "fetchers");
    assert_keys (fetchers, "connected,ready,list");
    s_assert_integer (fetchers, "ready", 3);
    json_t *fetcher_json = json_array_get (json_object_get (fetchers, "list"),
                                           0);
    assert_keys (fetcher_json, "id,ready,jobId,jobs");
    s_assert_string (fetcher_json, "jobId", "3.17");
    s_assert_integer (fetcher_json, "jobs", 12);
    assert_true (json_is_false (json_object_get (fetcher_json, "ready")));
    json_t *job_json = json_array_get (json_object_get (root, "inFlight"), 0);
    assert_keys (job_json, "jobId,attempt,fetcherId,deadlineAt,agents");
    s_assert_string (job_json, "jobId", "3.17");
    s_assert_string (job_json, "deadlineAt", "2026-11-24T06:31:05.007Z");
    json_t *list = json_object_get (root, "upstreams");
    assert_int_equal (json_array_size (list), 3);
    json_t *hiro_json = json_array_get (list, 0);
    assert_keys (hiro_json, "upstream,healthy,pausedUntil,budgetPerMinute,"
                            "requestsDispatched,failures,rateLimited,"
                            "endpoint,limited,lastError,lastErrorAt,"
                            "backoffMs,nextProbeAt,probing");
    s_assert_string (hiro_json, "upstream", "hiro");
    s_assert_string (hiro_json, "pausedUntil", "2026-11-24T06:30:00.123Z");
    s_assert_string (hiro_json, "endpoint", "v3");
    s_assert_string (json_array_get (list, 1), "upstream", "mempool.space");
    assert_true (json_is_null (json_object_get (json_array_get (list, 1),
                                                "pausedUntil")));
    s_assert_string (json_array_get (list, 2), "upstream", "price");
    json_decref (root);

    status.idle_mode = false;
    root = bb_render_scheduler_status (&status);
    s_assert_string (root, "mode", "active");
    json_decref (root);
}

//  An agent rejected at input index for reason.
static Balboard__AgentRejection
s_rejection (const char *stx, const char *reason, uint32_t index)
{
    Balboard__AgentRejection rejection = BALBOARD__AGENT_REJECTION__INIT;
    rejection.stx_address = (char *) stx;
    rejection.reason = (char *) reason;
    rejection.index = index;
    return rejection;
}

//  A registry sync report, alone and as the status's last sync.
static void
test_registry_sync (void **state)
{
    Balboard__AgentRejection rejection = s_rejection (
        "SP000BAD", "invalid stx address", 7);
    Balboard__AgentRejection *rejections [1] = { &rejection };
    Balboard__RegistrySyncReport report = BALBOARD__REGISTRY_SYNC_REPORT__INIT;
    report.generation = 4;
    report.outcome = BALBOARD__SYNC_OUTCOME__SYNC_HELD;
    report.reason = "70 of 150 agents would be removed, over 20%";
    report.source = "http://registry.test/api/agents";
    report.registry_agents = 80;
    report.unchanged = 80;
    report.rejected = 3;
    report.rejections = rejections;
    report.n_rejections = 1;
    report.held_removals = 70;
    report.finished_ms = CACHED_AT_MS;
    json_t *root = bb_render_registry_sync (&report);
    assert_keys (root, "generation,outcome,reason,source,registryAgents,"
                       "added,updated,removed,unchanged,rejected,rejections,"
                       "heldRemovals,pages,requests,startedAt,finishedAt");
    s_assert_string (root, "outcome", "held");
    s_assert_integer (root, "heldRemovals", 70);
    s_assert_integer (root, "rejected", 3);
    s_assert_string (root, "finishedAt", "2026-11-24T06:31:05.007Z");
    assert_true (json_is_null (json_object_get (root, "startedAt")));
    json_t *listed = json_array_get (json_object_get (root, "rejections"), 0);
    assert_keys (listed, "index,stxAddress,reason");
    s_assert_integer (listed, "index", 7);
    json_decref (root);

    Balboard__SchedulerStatus status = BALBOARD__SCHEDULER_STATUS__INIT;
    status.registry_source = "http://registry.test/api/agents";
    status.registry_syncing = true;
    status.registry_sync = &report;
    root = bb_render_scheduler_status (&status);
    json_t *registry = json_object_get (root, "registry");
    assert_keys (registry, "source,syncing,nextSyncAt,lastSync");
    assert_true (json_is_true (json_object_get (registry, "syncing")));
    assert_true (json_is_null (json_object_get (registry, "nextSyncAt")));
    s_assert_integer (json_object_get (registry, "lastSync"), "generation", 4);
    json_decref (root);
    assert_string_equal (bb_sync_outcome_label (
        BALBOARD__SYNC_OUTCOME__SYNC_OUTCOME_UNSPECIFIED), "none");
}

static void
test_agent_ack (void **state)
{
    Balboard__AgentRejection rejection = s_rejection (
        "SPBAD", "c32check: bad checksum", 4);
    Balboard__AgentRejection *rejected [1] = { &rejection };
    Balboard__AgentAck ack = BALBOARD__AGENT_ACK__INIT;
    ack.inserted = 3;
    ack.updated = 1;
    ack.unchanged = 2;
    ack.removed = 0;
    ack.rejected = rejected;
    ack.n_rejected = 1;
    json_t *root = bb_render_agent_ack (&ack);
    assert_keys (root, "inserted,updated,unchanged,removed,rejected");
    s_assert_integer (root, "inserted", 3);
    s_assert_integer (root, "unchanged", 2);
    json_t *entry = json_array_get (json_object_get (root, "rejected"), 0);
    assert_keys (entry, "index,stxAddress,reason");
    s_assert_integer (entry, "index", 4);
    s_assert_string (entry, "reason", "c32check: bad checksum");
    json_decref (root);
}

BB_TEST_MAIN (NULL, NULL,
    cmocka_unit_test (test_dashboard_fields),
    cmocka_unit_test (test_dashboard_empty),
    cmocka_unit_test (test_dashboard_shape),
    cmocka_unit_test (test_shape_refuses_broken),
    cmocka_unit_test (test_defensive),
    cmocka_unit_test (test_time),
    cmocka_unit_test (test_agent_detail),
    cmocka_unit_test (test_rank),
    cmocka_unit_test (test_store_stats),
    cmocka_unit_test (test_scheduler_status),
    cmocka_unit_test (test_registry_sync),
    cmocka_unit_test (test_agent_ack))
