/*  test_store_modules - the store's modules in-process: text checks, token
    rules and valuation, change sets, record encodings over a scratch
    LMDB environment, schema refusal, batch validation, retention steps,
    map growth, the reply cache, protobuf bytes written without a message
    tree and the dashboard page written that way. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include "bb_batch.h"
#include "bb_cache.h"
#include "bb_changes.h"
#include "bb_db.h"
#include "bb_scratch.h"
#include "bb_index.h"
#include "bb_pbuf.h"
#include "bb_record.h"
#include "bb_retention.h"
#include "bb_text.h"
#include "bb_token.h"
#include "bb_view.h"

#define MIB ((size_t) 1 << 20)
#define SBTC BB_TOKEN_ID_SBTC
#define ALEX "SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9." \
             "age000-governance-token::alex"
#define STX_A "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7"
#define U128_MAX "340282366920938463463374607431768211455"

//  A fresh store in the scratch directory under name.
static bb_db_t *
s_db (const char *name, size_t map_size, size_t map_max)
{
    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    assert_non_null (scratch);
    char dir [512];
    snprintf (dir, sizeof dir, "%s/%s", scratch, name);
    assert_int_equal (bb_scratch_remove (dir), 0);
    bb_db_t *db = bb_db_new (dir, map_size, map_max);
    assert_non_null (db);
    return db;
}

static MDB_txn *
s_begin (bb_db_t *db, unsigned flags)
{
    MDB_txn *txn;
    assert_int_equal (bb_db_begin (db, NULL, flags, &txn), 0);
    return txn;
}

//  ---------------------------------------------------------------------------

static void
test_text (void **state)
{
    const char *why;
    assert_int_equal (bb_text_check ("Ada Lovelace", 128, &why), 0);
    assert_int_equal (bb_text_check ("caf\xc3\xa9 \xf0\x9f\x9a\x80", 128,
                                     &why), 0);
    assert_int_equal (bb_text_check (NULL, 128, &why), 0);
    assert_int_equal (bb_text_check ("abcd", 3, &why), -1);
    assert_string_equal (why, "too long");
    assert_int_equal (bb_text_check ("tab\there", 128, &why), -1);
    assert_string_equal (why, "control character");
    const char *bad [] = {
        "\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
        "\xc3", "\xe2\x82"
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        assert_int_equal (bb_text_check (bad [i], 128, &why), -1);
        assert_string_equal (why, "not valid UTF-8");
    }
}

static void
test_token (void **state)
{
    const char *why;
    assert_int_equal (bb_token_id_kind ("btc-l1"), BB_TOKEN_KIND_BTC);
    assert_int_equal (bb_token_id_kind ("stx"), BB_TOKEN_KIND_STX);
    assert_int_equal (bb_token_id_kind (SBTC), BB_TOKEN_KIND_SBTC);
    assert_int_equal (bb_token_id_kind (ALEX), BB_TOKEN_KIND_FT);
    assert_int_equal (bb_token_check ("btc-l1", BB_UPSTREAM_MEMPOOL,
                                      BB_NETWORK_MAINNET, &why), 0);
    assert_int_equal (bb_token_check ("stx", BB_UPSTREAM_MEMPOOL,
                                      BB_NETWORK_MAINNET, &why), -1);
    assert_int_equal (bb_token_check ("btc-l1", BB_UPSTREAM_HIRO,
                                      BB_NETWORK_MAINNET, &why), -1);
    assert_int_equal (bb_token_check (ALEX, BB_UPSTREAM_HIRO,
                                      BB_NETWORK_MAINNET, &why), 0);
    assert_int_equal (bb_token_check (SBTC, BB_UPSTREAM_HIRO,
                                      BB_NETWORK_TESTNET, &why), 0);
    assert_int_equal (bb_token_check (ALEX, BB_UPSTREAM_HIRO,
                                      BB_NETWORK_TESTNET, &why), -1);
    assert_int_equal (bb_token_check ("SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0"
                                      "KBR9.age000-governance-token",
                                      BB_UPSTREAM_HIRO, BB_NETWORK_MAINNET,
                                      &why), -1);
    assert_int_equal (bb_token_check ("SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0"
                                      "KBR9.age000-governance-token::9x",
                                      BB_UPSTREAM_HIRO, BB_NETWORK_MAINNET,
                                      &why), -1);
    assert_int_equal (bb_token_source ("btc-l1"), BB_UPSTREAM_MEMPOOL);
    assert_int_equal (bb_token_source (ALEX), BB_UPSTREAM_HIRO);
    char contract [BB_TOKEN_ID_SIZE];
    assert_string_equal (bb_token_id_contract (ALEX, contract, sizeof contract),
                         "SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9."
                         "age000-governance-token");
    assert_string_equal (bb_token_id_contract ("stx", contract,
                                            sizeof contract), "");
    assert_string_equal (bb_token_id_asset_name (ALEX), "alex");
    const char *symbol;
    unsigned decimals;
    assert_int_equal (bb_token_id_fixed (SBTC, &symbol, &decimals), 0);
    assert_string_equal (symbol, "sBTC");
    assert_int_equal (decimals, 8);
    assert_int_equal (bb_token_id_fixed (ALEX, &symbol, &decimals), -1);

    //  Valuation: sBTC and btc-l1 at BTC, stx at STX, others unpriced
    bb_prices_rec_t prices = { 60000000000LL, 2500000LL, 1 };
    assert_int_equal (bb_token_price (SBTC, &prices), 60000000000LL);
    assert_int_equal (bb_token_price ("stx", &prices), 2500000LL);
    assert_int_equal (bb_token_price (ALEX, &prices), 0);
    assert_int_equal (bb_token_value ("btc-l1", 150000000, 8, &prices),
                      90000000000LL);
    bb_totals_rec_t totals = { 0 };
    totals.btc_l1 = 100000000;          // 1 BTC
    totals.sbtc = 50000000;             // 0.5 BTC
    totals.ustx = 2000000;              // 2 STX
    assert_int_equal (bb_token_total (&totals, &prices),
                      90000000000LL + 5000000LL);
    totals.ustx = ~(bb_u128_t) 0;
    assert_int_equal (bb_token_total (&totals, &prices), INT64_MAX);
}

static void
test_changes (void **state)
{
    bb_changes_t *changes = bb_changes_new ();
    bb_totals_rec_t totals = { 0 };
    totals.ustx = 42;
    bb_changes_set (changes, "SPA", &totals);
    size_t mark = bb_changes_mark (changes);
    bb_changes_remove (changes, "SPB");
    bb_changes_set_prices (changes);
    assert_int_equal (bb_changes_size (changes), 2);
    assert_true (bb_changes_prices (changes));
    bb_changes_rollback (changes, mark);
    assert_int_equal (bb_changes_size (changes), 1);
    assert_false (bb_changes_prices (changes));
    bb_changes_remove (changes, "SPC");
    bb_changes_set_seq (changes, 77);

    //  Over a PAIR and back
    zsock_t *writer = zsock_new_pair ("@inproc://test-changes");
    zsock_t *reader = zsock_new_pair (">inproc://test-changes");
    assert_int_equal (bb_changes_send (changes, writer), 0);
    zmsg_t *msg = zmsg_recv (reader);
    char *command = zmsg_popstr (msg);
    assert_string_equal (command, BB_CHANGES_COMMAND);
    free (command);
    bb_changes_t *copy = bb_changes_decode (msg);
    assert_non_null (copy);
    assert_int_equal (bb_changes_seq (copy), 77);
    assert_int_equal (bb_changes_size (copy), 2);
    assert_int_equal (bb_changes_at (copy, 0)->op, BB_CHANGE_SET);
    assert_string_equal (bb_changes_at (copy, 0)->stx, "SPA");
    assert_true (bb_changes_at (copy, 0)->totals.ustx == 42);
    assert_int_equal (bb_changes_at (copy, 1)->op, BB_CHANGE_REMOVE);
    assert_string_equal (bb_changes_at (copy, 1)->stx, "SPC");
    zmsg_destroy (&msg);
    bb_changes_destroy (&copy);
    //  A malformed message is refused
    msg = zmsg_new ();
    zmsg_addstr (msg, "short");
    assert_null (bb_changes_decode (msg));
    zmsg_destroy (&msg);
    zsock_destroy (&reader);
    zsock_destroy (&writer);
    bb_changes_reset (changes);
    assert_int_equal (bb_changes_size (changes), 0);
    bb_changes_destroy (&changes);
    assert_null (changes);
}

//  ---------------------------------------------------------------------------
//  Every record survives a put and a get; prefixes delete whole agents.

static void
test_records (void **state)
{
    bb_db_t *db = s_db ("records", MIB, 4 * MIB);
    MDB_txn *txn = s_begin (db, 0);
    bb_agent_rec_t agent = { .level = 2 };
    strcpy (agent.stx, STX_A);
    strcpy (agent.btc, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
    strcpy (agent.display_name, "D\xc3\xa9");
    strcpy (agent.level_name, "Genesis");
    assert_int_equal (bb_record_agent_put (db, txn, &agent), 0);
    bb_agent_rec_t read;
    assert_int_equal (bb_record_agent_get (db, txn, STX_A, &read), 0);
    assert_true (bb_record_agent_equal (&agent, &read));
    assert_int_equal (bb_record_agent_get (db, txn, "SPX", &read),
                      MDB_NOTFOUND);

    bb_u128_t max = ~(bb_u128_t) 0;
    bb_balance_rec_t row = { max, 6, BB_UPSTREAM_HIRO, true, 1234 };
    assert_int_equal (bb_record_balance_put (db, txn, STX_A, "stx", &row), 0);
    bb_balance_rec_t zero = { 0, 8, BB_UPSTREAM_MEMPOOL, false, 99 };
    assert_int_equal (bb_record_balance_put (db, txn, STX_A, "btc-l1",
                                             &zero), 0);
    bb_balance_list_t list = { NULL, 0, 0 };
    assert_int_equal (bb_record_balances_load (db, txn, STX_A, &list), 0);
    assert_int_equal (list.size, 2);
    assert_string_equal (list.items [0].token_id, "btc-l1");
    bb_balance_item_t *stx = bb_balance_list_find (&list, "stx");
    assert_true (stx->row.amount == max);
    assert_true (stx->row.stale);
    assert_int_equal (stx->row.captured_at_ms, 1234);
    bb_balance_list_reset (&list);

    bb_totals_rec_t totals = { 1, 2, max, { 5, 6 }, { 1, 2 } };
    assert_int_equal (bb_record_totals_put (db, txn, STX_A, &totals), 0);
    bb_totals_rec_t totals_read;
    assert_int_equal (bb_record_totals_get (db, txn, STX_A, &totals_read),
                      0);
    assert_true (totals_read.ustx == max && totals_read.sbtc == 2);
    assert_int_equal (totals_read.attempt_ms [1], 6);
    assert_int_equal (totals_read.state [1], BB_SOURCE_FAILED);
    assert_true (bb_record_totals_fetched (&totals_read));

    bb_token_rec_t token = { "ALEX", 8, true }, token_read;
    assert_int_equal (bb_record_token_put (db, txn, "SP1.c", &token), 0);
    assert_int_equal (bb_record_token_get (db, txn, "SP1.c", &token_read),
                      0);
    assert_string_equal (token_read.symbol, "ALEX");

    bb_prices_rec_t prices = { 1, 2, 3 }, prices_read;
    assert_int_equal (bb_record_prices_get (db, txn, &prices_read), 0);
    assert_int_equal (prices_read.priced_at_ms, 0);     // missing: zeros
    assert_int_equal (bb_record_prices_put (db, txn, &prices), 0);
    assert_int_equal (bb_record_prices_get (db, txn, &prices_read), 0);
    assert_int_equal (prices_read.stx_usd_micro, 2);
    bb_counters_rec_t counters = { 1, 2, 3, 4, 5, 6 }, counters_read;
    assert_int_equal (bb_record_counters_put (db, txn, &counters), 0);
    assert_int_equal (bb_record_counters_get (db, txn, &counters_read), 0);
    assert_memory_equal (&counters, &counters_read, sizeof counters);
    bb_rotation_rec_t rotation = { 9, 8, 7 }, rotation_read;
    assert_int_equal (bb_record_rotation_put (db, txn, &rotation), 0);
    assert_int_equal (bb_record_rotation_get (db, txn, &rotation_read), 0);
    assert_int_equal (rotation_read.chunks_done, 8);

    //  History keys sort by time within a series and parse back
    assert_int_equal (bb_record_history_put (db, txn, STX_A, "stx", 300, 3),
                      0);
    assert_int_equal (bb_record_history_put (db, txn, STX_A, "stx", 20, 2),
                      0);
    char key [BB_KEY_SIZE], stx_out [BB_STX_SIZE], token_out [BB_TOKEN_ID_SIZE];
    size_t length = bb_record_history_key (STX_A, "stx", 300, key);
    MDB_val k = { length, key };
    uint64_t at;
    assert_int_equal (bb_record_history_key_parse (&k, stx_out, token_out,
                                                   &at), 0);
    assert_string_equal (stx_out, STX_A);
    assert_string_equal (token_out, "stx");
    assert_int_equal (at, 300);
    assert_int_equal (bb_record_history_series_len (&k), length - 8);

    //  Delete the agent's rows by prefix
    char prefix [BB_KEY_SIZE];
    size_t prefix_len = bb_record_balance_key (STX_A, "", prefix);
    size_t deleted = 0;
    assert_int_equal (bb_record_del_prefix (db, txn, BB_DBI_BALANCES, prefix,
                                            prefix_len, &deleted), 0);
    assert_int_equal (deleted, 2);
    assert_int_equal (bb_record_del_prefix (db, txn, BB_DBI_HISTORY, prefix,
                                            prefix_len, &deleted), 0);
    assert_int_equal (deleted, 4);
    assert_int_equal (bb_db_entries (db, txn, BB_DBI_HISTORY), 0);
    assert_int_equal (mdb_txn_commit (txn), 0);
    bb_db_destroy (&db);
    assert_null (db);
}

//  An agent written before the owner tag (schema 1) reads as manual; a
//  tag past the known owners is corruption.

static void
test_agent_owner (void **state)
{
    uint8_t bytes [] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    MDB_val key = { strlen (STX_A), STX_A };
    MDB_val value = { sizeof bytes - 1, bytes };
    bb_agent_rec_t agent;
    assert_int_equal (bb_record_agent_decode (&key, &value, &agent), 0);
    assert_int_equal (agent.level, 1);
    assert_int_equal (agent.owner, BB_AGENT_MANUAL);
    value.mv_size = sizeof bytes;
    assert_int_equal (bb_record_agent_decode (&key, &value, &agent), 0);
    assert_int_equal (agent.owner, BB_AGENT_REGISTRY);
    bytes [sizeof bytes - 1] = 2;
    assert_int_equal (bb_record_agent_decode (&key, &value, &agent), -1);
}

//  A store written by a newer schema is refused; an older one migrates.

static void
test_schema_version (void **state)
{
    bb_db_t *db = s_db ("schema", MIB, MIB);
    MDB_txn *txn = s_begin (db, 0);
    uint8_t version [4] = { BB_DB_SCHEMA_VERSION + 1, 0, 0, 0 };
    MDB_val key = { strlen ("schema_version"), "schema_version" };
    MDB_val value = { sizeof version, version };
    assert_int_equal (mdb_put (txn, bb_db_dbi (db, BB_DBI_META), &key,
                               &value, 0), 0);
    assert_int_equal (mdb_txn_commit (txn), 0);
    bb_db_destroy (&db);
    char dir [512];
    snprintf (dir, sizeof dir, "%s/schema", getenv ("BALBOARD_TEST_SCRATCH"));
    assert_null (bb_db_new (dir, MIB, MIB));

    //  Version 0 (no record): migrated to the current version
    db = s_db ("schema0", MIB, MIB);
    txn = s_begin (db, 0);
    assert_int_equal (mdb_del (txn, bb_db_dbi (db, BB_DBI_META), &key, NULL),
                      0);
    assert_int_equal (mdb_txn_commit (txn), 0);
    bb_db_destroy (&db);
    snprintf (dir, sizeof dir, "%s/schema0", getenv ("BALBOARD_TEST_SCRATCH"));
    db = bb_db_new (dir, MIB, MIB);
    assert_non_null (db);
    txn = s_begin (db, MDB_RDONLY);
    assert_int_equal (mdb_get (txn, bb_db_dbi (db, BB_DBI_META), &key,
                               &value), 0);
    assert_int_equal (((uint8_t *) value.mv_data) [0], BB_DB_SCHEMA_VERSION);
    mdb_txn_abort (txn);
    bb_db_destroy (&db);
}

//  The map doubles up to its maximum and no further.

static void
test_map_growth (void **state)
{
    bb_db_t *db = s_db ("grow", MIB, 3 * MIB);
    assert_int_equal (bb_db_map_size (db), MIB);
    assert_int_equal (bb_db_map_max (db), 3 * MIB);
    assert_int_equal (bb_db_grow (db), 0);
    assert_int_equal (bb_db_map_size (db), 2 * MIB);
    assert_int_equal (bb_db_grow (db), 0);
    assert_int_equal (bb_db_map_size (db), 3 * MIB);
    assert_int_equal (bb_db_grow (db), -1);
    assert_true (bb_db_map_used (db) <= bb_db_map_size (db));
    bb_db_destroy (&db);
}

//  ---------------------------------------------------------------------------
//  Batch validation: each rule on its own.

typedef struct {
    const char *stx;
    Balboard__Upstream upstream;
    Balboard__FetchStatus status;
    const char *token;
    const char *amount;
    uint64_t captured_at;
    const char *reason;             // substring of the reason, NULL = valid
} case_t;

static void
test_batch_validation (void **state)
{
    const case_t cases [] = {
        { STX_A, BALBOARD__UPSTREAM__UPSTREAM_HIRO,
          BALBOARD__FETCH_STATUS__FETCH_OK, "stx", "1", 1, NULL },
        { STX_A, BALBOARD__UPSTREAM__UPSTREAM_HIRO,
          BALBOARD__FETCH_STATUS__FETCH_OK, ALEX, U128_MAX, 1, NULL },
        { STX_A, BALBOARD__UPSTREAM__UPSTREAM_HIRO,
          BALBOARD__FETCH_STATUS__FETCH_TIMEOUT, "junk", "junk", 1, NULL },
        { "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ8",
          BALBOARD__UPSTREAM__UPSTREAM_HIRO,
          BALBOARD__FETCH_STATUS__FETCH_OK, "stx", "1", 1, "stx address" },
        { STX_A, BALBOARD__UPSTREAM__UPSTREAM_HIRO,
          BALBOARD__FETCH_STATUS__FETCH_OK, "stx", "-1", 1, "bad amount" },
        { STX_A, BALBOARD__UPSTREAM__UPSTREAM_HIRO,
          BALBOARD__FETCH_STATUS__FETCH_OK, "stx",
          "340282366920938463463374607431768211456", 1, "overflow" },
        { STX_A, BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL,
          BALBOARD__FETCH_STATUS__FETCH_OK, "stx", "1", 1, "btc-l1" },
        { STX_A, BALBOARD__UPSTREAM__UPSTREAM_PRICE,
          BALBOARD__FETCH_STATUS__FETCH_OK, "stx", "1", 1, "upstream" },
        { STX_A, BALBOARD__UPSTREAM__UPSTREAM_HIRO, 0, "stx", "1", 1,
          "status" },
        { STX_A, BALBOARD__UPSTREAM__UPSTREAM_HIRO,
          BALBOARD__FETCH_STATUS__FETCH_OK, "stx", "1", 0, "captured_at" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        const case_t *c = &cases [i];
        Balboard__TokenBalance balance = BALBOARD__TOKEN_BALANCE__INIT;
        balance.token_id = (char *) c->token;
        balance.amount = (char *) c->amount;
        Balboard__TokenBalance *balances [] = { &balance };
        Balboard__SourceResult source = BALBOARD__SOURCE_RESULT__INIT;
        source.upstream = c->upstream;
        source.status = c->status;
        source.n_balances = 1;
        source.balances = balances;
        Balboard__SourceResult *sources [] = { &source };
        Balboard__AgentResult agent = BALBOARD__AGENT_RESULT__INIT;
        agent.stx_address = (char *) c->stx;
        agent.captured_at_ms = c->captured_at;
        agent.n_sources = 1;
        agent.sources = sources;
        Balboard__AgentResult *agents [] = { &agent };
        Balboard__BalanceBatch batch = BALBOARD__BALANCE_BATCH__INIT;
        batch.n_agents = 1;
        batch.agents = agents;
        char reason [160] = "";
        int rc = bb_batch_validate (&batch, BB_NETWORK_MAINNET, reason,
                                    sizeof reason);
        if (c->reason) {
            assert_int_equal (rc, -1);
            if (!strstr (reason, c->reason))
                fail_msg ("case %zu: '%s' lacks '%s'", i, reason, c->reason);
        }
        else
            assert_int_equal (rc, 0);
    }
    //  Twice the same agent, twice the same source
    Balboard__AgentResult agent = BALBOARD__AGENT_RESULT__INIT;
    agent.stx_address = STX_A;
    agent.captured_at_ms = 1;
    Balboard__AgentResult *agents [] = { &agent, &agent };
    Balboard__BalanceBatch batch = BALBOARD__BALANCE_BATCH__INIT;
    batch.n_agents = 2;
    batch.agents = agents;
    char reason [160];
    assert_int_equal (bb_batch_validate (&batch, BB_NETWORK_MAINNET, reason,
                                         sizeof reason), -1);
    assert_non_null (strstr (reason, "repeated"));
    Balboard__SourceResult source = BALBOARD__SOURCE_RESULT__INIT;
    source.upstream = BALBOARD__UPSTREAM__UPSTREAM_HIRO;
    source.status = BALBOARD__FETCH_STATUS__FETCH_TIMEOUT;
    Balboard__SourceResult *sources [] = { &source, &source };
    agent.n_sources = 2;
    agent.sources = sources;
    batch.n_agents = 1;
    assert_int_equal (bb_batch_validate (&batch, BB_NETWORK_MAINNET, reason,
                                         sizeof reason), -1);
    //  Prices
    Balboard__PriceSnapshot prices = BALBOARD__PRICE_SNAPSHOT__INIT;
    prices.btc_usd_micro = 1;
    prices.priced_at_ms = 1;
    assert_int_equal (bb_batch_validate_prices (&prices, reason,
                                                sizeof reason), 0);
    prices.stx_usd_micro = -1;
    assert_int_equal (bb_batch_validate_prices (&prices, reason,
                                                sizeof reason), -1);
}

//  ---------------------------------------------------------------------------
//  Retention steps: bounded, resumable, keep each series' newest point.

static void
test_retention_steps (void **state)
{
    bb_db_t *db = s_db ("retention", 4 * MIB, 4 * MIB);
    MDB_txn *txn = s_begin (db, 0);
    //  Ten series of five points at t = 1..5 (ms)
    for (unsigned s = 0; s < 10; s++) {
        char token [16];
        snprintf (token, sizeof token, "tok%u", s);
        for (uint64_t t = 1; t <= 5; t++)
            assert_int_equal (bb_record_history_put (db, txn, STX_A, token,
                                                     t, t), 0);
    }
    assert_int_equal (mdb_txn_commit (txn), 0);
    //  Window 2 ms at now 6: points at t < 4 go, unless newest
    bb_retention_t *retention = bb_retention_new (2);
    size_t deleted = 0, steps = 0;
    bool done = false;
    while (!done) {
        txn = s_begin (db, 0);
        assert_int_equal (bb_retention_step (retention, db, txn, 6, 7,
                                             &deleted, &done), 0);
        assert_int_equal (mdb_txn_commit (txn), 0);
        steps++;
    }
    assert_true (steps > 5);                // bounded: 7 points a step
    assert_int_equal (deleted, 30);
    txn = s_begin (db, MDB_RDONLY);
    assert_int_equal (bb_db_entries (db, txn, BB_DBI_HISTORY), 20);
    mdb_txn_abort (txn);
    //  Far in the future: only the newest of each series stays
    deleted = 0;
    done = false;
    while (!done) {
        txn = s_begin (db, 0);
        assert_int_equal (bb_retention_step (retention, db, txn, 1000, 100,
                                             &deleted, &done), 0);
        assert_int_equal (mdb_txn_commit (txn), 0);
    }
    assert_int_equal (deleted, 10);
    bb_retention_destroy (&retention);
    assert_null (retention);
    bb_db_destroy (&db);
}

//  ---------------------------------------------------------------------------
//  The reply cache: a hit is byte for byte the full reply to the new
//  request id; keys differ by any part; a newer commit drops the older
//  pages; the bounds hold.

static void
s_page_reply (bb_envelope_t *reply, Balboard__DashboardPage *page,
              int64_t offset)
{
    balboard__dashboard_page__init (page);
    page->offset = offset;
    page->limit = 10;
    page->total = 42;
    page->commit_seq = 7;
    bb_wire_envelope_init (reply);
    reply->request_id = 99;
    reply->body_case = BALBOARD__ENVELOPE__BODY_DASHBOARD_PAGE;
    reply->dashboard_page = page;
}

//  Put reply under key (its body packed, as bb_view_dashboard writes it)
//  and return the frame the put answers with.
static zframe_t *
s_put_frame (bb_cache_t *cache, const bb_cache_key_t *key,
             const bb_envelope_t *reply)
{
    size_t size;
    uint8_t *body = bb_wire_encode_body (reply, &size);
    zframe_t *frame = bb_cache_put (cache, key, reply->request_id, &body,
                                    size);
    assert_null (body);
    assert_non_null (frame);
    return frame;
}

//  Put reply under key; the frame it comes back as is not needed.
static void
s_put (bb_cache_t *cache, const bb_cache_key_t *key,
       const bb_envelope_t *reply)
{
    zframe_t *frame = s_put_frame (cache, key, reply);
    zframe_destroy (&frame);
}

static void
test_reply_cache (void **state)
{
    bb_cache_t *cache = bb_cache_new (2, MIB);
    bb_envelope_t reply;
    Balboard__DashboardPage page;
    s_page_reply (&reply, &page, 5);
    bb_cache_key_t key = { 7, 1000, 5, 10 };
    assert_null (bb_cache_get (cache, &key, 1));
    zframe_t *put = s_put_frame (cache, &key, &reply);
    zframe_t *full = bb_wire_encode (&reply);
    assert_true (zframe_eq (put, full));     // the reply, encoded once
    zframe_destroy (&put);
    zframe_destroy (&full);
    zframe_t *hit = bb_cache_get (cache, &key, 1234);
    reply.request_id = 1234;
    full = bb_wire_encode (&reply);
    assert_true (zframe_eq (hit, full));
    zframe_destroy (&hit);
    zframe_destroy (&full);
    const bb_cache_key_t others [] = {
        { 8, 1000, 5, 10 }, { 7, 1001, 5, 10 }, { 7, 1000, 6, 10 },
        { 7, 1000, 5, 11 }
    };
    for (size_t i = 0; i < 4; i++)
        assert_null (bb_cache_get (cache, &others [i], 1));

    //  Two entries at most: a third evicts the oldest
    bb_cache_key_t second = { 7, 1000, 6, 10 }, third = { 7, 1000, 7, 10 };
    s_put (cache, &second, &reply);
    s_put (cache, &third, &reply);
    assert_int_equal (bb_cache_entries (cache), 2);
    assert_null (bb_cache_get (cache, &key, 1));
    zframe_t *kept = bb_cache_get (cache, &third, 1);
    assert_non_null (kept);
    zframe_destroy (&kept);

    //  A commit drops them; a page of an older commit is not kept
    bb_cache_drop (cache, 8);
    assert_int_equal (bb_cache_entries (cache), 0);
    assert_int_equal (bb_cache_bytes (cache), 0);
    s_put (cache, &key, &reply);
    assert_int_equal (bb_cache_entries (cache), 0);
    bb_cache_destroy (&cache);
    assert_null (cache);

    //  A page larger than the byte bound, or a cache of nothing
    cache = bb_cache_new (4, 1);
    s_put (cache, &key, &reply);
    assert_int_equal (bb_cache_entries (cache), 0);
    bb_cache_destroy (&cache);
    cache = bb_cache_new (0, MIB);
    s_put (cache, &key, &reply);
    assert_null (bb_cache_get (cache, &key, 1));
    bb_cache_destroy (&cache);
}

//  ---------------------------------------------------------------------------
//  bb_pbuf writes what protobuf-c packs: zero fields left out, negative
//  int64s as ten bytes, nested lengths of one and two bytes.

static void
test_pbuf (void **state)
{
    Balboard__PriceSnapshot prices = BALBOARD__PRICE_SNAPSHOT__INIT;
    prices.btc_usd_micro = -5;
    prices.priced_at_ms = 300;
    Balboard__Agent agent = BALBOARD__AGENT__INIT;
    char name [200];
    memset (name, 'n', sizeof name - 1);
    name [sizeof name - 1] = '\0';
    agent.stx_address = STX_A;
    agent.display_name = name;
    agent.level = 2;
    Balboard__DashboardRow row = BALBOARD__DASHBOARD_ROW__INIT;
    row.agent = &agent;
    row.rank = 1;
    uint8_t expected [512];
    size_t expected_size = balboard__dashboard_row__pack (&row, expected);

    bb_pbuf_t *out = bb_pbuf_new (1);
    size_t mark = bb_pbuf_open (out, 1);
    bb_pbuf_string (out, 1, STX_A);
    bb_pbuf_string (out, 2, "");
    bb_pbuf_string (out, 3, name);
    bb_pbuf_string (out, 4, NULL);
    bb_pbuf_uint (out, 5, 2);
    bb_pbuf_uint (out, 7, 0);
    bb_pbuf_close (out, mark);
    bb_pbuf_uint (out, 2, 1);
    bb_pbuf_int (out, 4, 0);
    size_t size;
    uint8_t *bytes = bb_pbuf_take (out, &size);
    assert_int_equal (size, expected_size);
    assert_memory_equal (bytes, expected, size);
    free (bytes);

    expected_size = balboard__price_snapshot__pack (&prices, expected);
    bb_pbuf_int (out, 1, -5);
    bb_pbuf_int (out, 2, 0);
    bb_pbuf_uint (out, 3, 300);
    assert_int_equal (bb_pbuf_size (out), expected_size);
    bytes = bb_pbuf_take (out, &size);
    assert_memory_equal (bytes, expected, size);
    free (bytes);
    bb_pbuf_destroy (&out);
    assert_null (out);
}

//  ---------------------------------------------------------------------------
//  A dashboard page and an agent detail written straight into bytes: the
//  rows in rank order, zero positions left out of a page (not of a
//  detail), metadata symbols, fetch states, history oldest first, and the
//  bytes are what protobuf-c packs for the same reply.

#define STX_B "SP3FBR2AGK5H9QBDH3EEN6DF8EK8JY7RX8QJ5SVTE"
#define STX_C "SP1HTBVD3JG9C05J7HBJTHGR0GGW7KXW28M5JS8QE"

//  Agent stx with owner, its totals (sats on L1, state of each source)
//  and its rows: btc-l1, and ALEX when alex is not 0.
static void
s_page_agent (bb_db_t *db, MDB_txn *txn, const char *stx, uint8_t owner,
              uint64_t sats, uint8_t hiro, uint8_t mempool, uint64_t alex)
{
    bb_agent_rec_t agent = { .level = 1, .owner = owner };
    strcpy (agent.stx, stx);
    strcpy (agent.level_name, "Genesis");
    assert_int_equal (bb_record_agent_put (db, txn, &agent), 0);
    bb_totals_rec_t totals = { sats, 0, 0, { 5, 6 }, { hiro, mempool } };
    assert_int_equal (bb_record_totals_put (db, txn, stx, &totals), 0);
    bb_balance_rec_t btc = { sats, 8, BB_UPSTREAM_MEMPOOL,
                             mempool == BB_SOURCE_FAILED, 6 };
    assert_int_equal (bb_record_balance_put (db, txn, stx, "btc-l1", &btc),
                      0);
    bb_balance_rec_t token = { alex, 0, BB_UPSTREAM_HIRO, false, 5 };
    if (alex)
        assert_int_equal (bb_record_balance_put (db, txn, stx, ALEX,
                                                 &token), 0);
}

//  The reply body bytes decode to (freed here), a body_case one, checked
//  against protobuf-c's packing of it.
static bb_envelope_t *
s_repacked (uint8_t *body, size_t size, Balboard__Envelope__BodyCase body_case)
{
    bb_envelope_t *reply = balboard__envelope__unpack (NULL, size, body);
    assert_non_null (reply);
    assert_int_equal (reply->body_case, body_case);
    size_t packed_size;
    uint8_t *packed = bb_wire_encode_body (reply, &packed_size);
    assert_int_equal (packed_size, size);
    assert_memory_equal (packed, body, size);
    free (packed);
    free (body);
    return reply;
}

//  The page at offset, limit 2, as the bytes bb_view_dashboard writes.
static bb_envelope_t *
s_page (bb_index_t *index, int64_t offset)
{
    bb_view_t view;
    assert_int_equal (bb_index_begin (index, &view), 0);
    Balboard__DashboardRequest request = BALBOARD__DASHBOARD_REQUEST__INIT;
    request.offset = offset;
    request.limit = 2;
    uint8_t *body = NULL;
    size_t size = 0;
    assert_null (bb_view_dashboard (&view, &request, 9, &body, &size));
    bb_index_end (index, &view);
    return s_repacked (body, size, BALBOARD__ENVELOPE__BODY_DASHBOARD_PAGE);
}

//  The detail of stx with history_limit points a series, as the bytes
//  bb_view_agent writes.
static bb_envelope_t *
s_detail (bb_index_t *index, const char *stx, uint32_t history_limit)
{
    bb_view_t view;
    assert_int_equal (bb_index_begin (index, &view), 0);
    Balboard__AgentDetailRequest request =
        BALBOARD__AGENT_DETAIL_REQUEST__INIT;
    request.stx_address = (char *) stx;
    request.history_limit = history_limit;
    uint8_t *body = NULL;
    size_t size = 0;
    assert_null (bb_view_agent (&view, &request, 9, &body, &size));
    bb_index_end (index, &view);
    return s_repacked (body, size, BALBOARD__ENVELOPE__BODY_AGENT_DETAIL);
}

static void
test_dashboard_bytes (void **state)
{
    bb_db_t *db = s_db ("page", MIB, 4 * MIB);
    MDB_txn *txn = s_begin (db, 0);
    s_page_agent (db, txn, STX_A, BB_AGENT_REGISTRY, 300, BB_SOURCE_OK,
                  BB_SOURCE_OK, 7);
    s_page_agent (db, txn, STX_B, BB_AGENT_MANUAL, 200, BB_SOURCE_OK,
                  BB_SOURCE_FAILED, 0);
    s_page_agent (db, txn, STX_C, BB_AGENT_MANUAL, 0, BB_SOURCE_NEVER,
                  BB_SOURCE_NEVER, 0);
    bb_token_rec_t alex = { "ALEX", 8, true };
    assert_int_equal (bb_record_token_put (db, txn, "SP3K8BC0PPEVCV7NZ6QSRWPQ2"
                      "JE9E5B6N3PA0KBR9.age000-governance-token", &alex), 0);
    bb_prices_rec_t prices = { 60000000000, 2000000, 77 };
    assert_int_equal (bb_record_prices_put (db, txn, &prices), 0);
    bb_counters_rec_t counters = { 4, 1234, 0, 0, 0, 0 };
    assert_int_equal (bb_record_counters_put (db, txn, &counters), 0);
    for (uint64_t at = 1; at <= 3; at++)
        assert_int_equal (bb_record_history_put (db, txn, STX_A, "btc-l1",
                                                 at, 100 * at), 0);
    assert_int_equal (mdb_txn_commit (txn), 0);
    bb_index_t *index = bb_index_new (db);
    assert_non_null (index);

    bb_envelope_t *reply = s_page (index, 0);
    Balboard__DashboardPage *page = reply->dashboard_page;
    assert_int_equal (page->n_rows, 2);
    assert_true (page->has_more);
    assert_int_equal (page->total, 3);
    assert_int_equal (page->commit_seq, 4);
    assert_int_equal (page->cached_at_ms, 1234);
    assert_int_equal (page->prices->priced_at_ms, 77);
    assert_int_equal (page->stats->total_usd_micro,
                      page->rows [0]->total_usd_micro
                      + page->rows [1]->total_usd_micro);
    Balboard__DashboardRow *first = page->rows [0];
    assert_string_equal (first->agent->stx_address, STX_A);
    assert_int_equal (first->agent->owner,
                      BALBOARD__AGENT_OWNER__AGENT_OWNER_REGISTRY);
    assert_int_equal (first->rank, 1);
    assert_int_equal (first->fetch_state,
                      BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK);
    assert_int_equal (first->n_tokens, 2);
    assert_string_equal (first->tokens [0]->token_id, ALEX);
    assert_string_equal (first->tokens [0]->symbol, "ALEX");
    assert_int_equal (first->tokens [0]->decimals, 8);
    assert_string_equal (first->tokens [1]->balance, "300");
    assert_int_equal (first->total_usd_micro,
                      first->tokens [1]->usd_value_micro);
    Balboard__DashboardRow *second = page->rows [1];
    assert_string_equal (second->agent->stx_address, STX_B);
    assert_int_equal (second->fetch_state,
                      BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PARTIAL);
    assert_true (second->tokens [0]->stale);
    bb_wire_envelope_destroy (&reply);

    //  The last agent: pending, its zero row left out, no more pages
    reply = s_page (index, 2);
    page = reply->dashboard_page;
    assert_int_equal (page->n_rows, 1);
    assert_false (page->has_more);
    assert_int_equal (page->rows [0]->rank, 3);
    assert_int_equal (page->rows [0]->n_tokens, 0);
    assert_int_equal (page->rows [0]->fetch_state,
                      BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING);
    bb_wire_envelope_destroy (&reply);

    //  The agent detail: every row, the newest points oldest first
    reply = s_detail (index, STX_B, 0);
    assert_int_equal (reply->agent_detail->row->n_tokens, 1);
    assert_int_equal (reply->agent_detail->row->rank, 2);
    assert_int_equal (reply->agent_detail->prices->btc_usd_micro,
                      60000000000);
    bb_wire_envelope_destroy (&reply);
    reply = s_detail (index, STX_A, 2);
    Balboard__AgentDetail *detail = reply->agent_detail;
    assert_int_equal (detail->n_history, 2);
    assert_int_equal (detail->history [0]->captured_at_ms, 2);
    assert_string_equal (detail->history [1]->balance, "300");
    bb_wire_envelope_destroy (&reply);
    reply = s_detail (index, STX_C, 0);
    assert_int_equal (reply->agent_detail->row->n_tokens, 1);
    assert_string_equal (reply->agent_detail->row->tokens [0]->balance, "0");
    bb_wire_envelope_destroy (&reply);

    //  Past the end: no rows; a negative offset is refused
    reply = s_page (index, 5);
    assert_int_equal (reply->dashboard_page->n_rows, 0);
    bb_wire_envelope_destroy (&reply);
    bb_view_t view;
    assert_int_equal (bb_index_begin (index, &view), 0);
    Balboard__DashboardRequest request = BALBOARD__DASHBOARD_REQUEST__INIT;
    request.offset = -1;
    uint8_t *body = NULL;
    size_t size = 0;
    reply = bb_view_dashboard (&view, &request, 9, &body, &size);
    bb_index_end (index, &view);
    assert_non_null (reply);
    assert_null (body);
    assert_int_equal (reply->error->code,
                      BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST);
    bb_wire_envelope_destroy (&reply);
    bb_index_destroy (&index);
    bb_db_destroy (&db);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test (test_text),
        cmocka_unit_test (test_token),
        cmocka_unit_test (test_changes),
        cmocka_unit_test (test_records),
        cmocka_unit_test (test_agent_owner),
        cmocka_unit_test (test_schema_version),
        cmocka_unit_test (test_map_growth),
        cmocka_unit_test (test_batch_validation),
        cmocka_unit_test (test_retention_steps),
        cmocka_unit_test (test_reply_cache),
        cmocka_unit_test (test_pbuf),
        cmocka_unit_test (test_dashboard_bytes))
