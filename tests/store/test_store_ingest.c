/*  test_store_ingest - the ingest socket of a real balboard-store: agent
    upsert and remove, idempotent and out-of-order batches, stale rows and
    real zeros, malformed batches rejected whole, u128 amounts, token
    metadata, and bad frames on both sockets. */
#include "store_fixture.h"
#include "bb_test_main.h"
#include "bb_clock.h"

#include <stdio.h>
#include <string.h>

#define U128_MAX "340282366920938463463374607431768211455"
#define U128_OVER "340282366920938463463374607431768211456"

static int
s_setup (void **state)
{
    *state = fx_store_new ("ingest", NULL);
    return 0;
}

//  The dashboard row of stx (all agents fit one page), or fail.
static Balboard__DashboardRow *
s_row (bb_envelope_t *page, const char *stx)
{
    Balboard__DashboardPage *body = page->dashboard_page;
    for (size_t i = 0; i < body->n_rows; i++)
        if (strcmp (body->rows [i]->agent->stx_address, stx) == 0)
            return body->rows [i];
    fail_msg ("no row for %s", stx);
    return NULL;
}

//  The detail position of token_id of stx, or NULL.
static Balboard__TokenPosition *
s_detail_token (bb_envelope_t *detail, const char *token_id)
{
    return fx_token (detail->agent_detail->row, token_id);
}

//  ---------------------------------------------------------------------------
//  Upsert validates each agent on its own; remove deletes everything.

static void
test_upsert_and_remove (void **state)
{
    fx_store_t *store = *state;
    char stx [4][FX_ADDRESS_SIZE], btc [FX_ADDRESS_SIZE];
    for (unsigned i = 0; i < 4; i++)
        fx_stx (i, stx [i]);
    fx_btc (0, btc);
    Balboard__Agent good = BALBOARD__AGENT__INIT;
    good.stx_address = stx [0];
    good.btc_address = btc;
    good.display_name = "Ok";
    Balboard__Agent bad_stx = good;
    bad_stx.stx_address = "SP000BAD";
    Balboard__Agent bad_btc = good;
    bad_btc.stx_address = stx [1];
    bad_btc.btc_address = "bc1qnotanaddress";
    Balboard__Agent bad_level = good;
    bad_level.stx_address = stx [2];
    bad_level.level = 3;
    Balboard__Agent bad_name = good;
    bad_name.stx_address = stx [3];
    bad_name.display_name = "bad \xff utf-8";
    Balboard__Agent *agents [] = {
        &good, &bad_stx, &bad_btc, &bad_level, &bad_name
    };
    bb_envelope_t *reply;
    assert_int_equal (bb_client_agent_upsert (store->in, agents, 5, &reply),
                      0);
    Balboard__AgentAck *ack = reply->agent_ack;
    assert_int_equal (ack->inserted, 1);
    assert_int_equal (ack->n_rejected, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal (ack->rejected [i]->index, i + 1);
        assert_true (strlen (ack->rejected [i]->reason) > 0);
    }
    assert_non_null (strstr (ack->rejected [0]->reason, "stx"));
    assert_non_null (strstr (ack->rejected [1]->reason, "btc"));
    assert_non_null (strstr (ack->rejected [2]->reason, "level"));
    assert_non_null (strstr (ack->rejected [3]->reason, "UTF-8"));
    bb_wire_envelope_destroy (&reply);

    //  Same again: unchanged; a new name: updated
    assert_int_equal (bb_client_agent_upsert (store->in, agents, 1, &reply),
                      0);
    assert_int_equal (reply->agent_ack->unchanged, 1);
    bb_wire_envelope_destroy (&reply);
    good.display_name = "Renamed";
    assert_int_equal (bb_client_agent_upsert (store->in, agents, 1, &reply),
                      0);
    assert_int_equal (reply->agent_ack->updated, 1);
    bb_wire_envelope_destroy (&reply);

    //  A pending agent is ranked, with no tokens
    bb_envelope_t *page = fx_dashboard (store, 0, 0);
    assert_int_equal (page->dashboard_page->total, 1);
    Balboard__DashboardRow *row = s_row (page, stx [0]);
    assert_string_equal (row->agent->display_name, "Renamed");
    assert_int_equal (row->fetch_state,
                      BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING);
    assert_int_equal (row->n_tokens, 0);
    assert_int_equal (row->total_usd_micro, 0);
    bb_wire_envelope_destroy (&page);

    //  Give it balances and history, then remove it
    Balboard__BalanceBatch *batch = fx_batch_new ("1.0");
    fx_batch_simple (batch, stx [0], bb_clock_wall_ms (), "1000000", NULL, "5");
    fx_commit (store, &batch);
    const char *remove [] = { stx [0], stx [1] };
    assert_int_equal (bb_client_agent_remove (store->in, remove, 2, &reply),
                      0);
    assert_int_equal (reply->agent_ack->removed, 1);
    assert_int_equal (reply->agent_ack->n_rejected, 1);
    assert_string_equal (reply->agent_ack->rejected [0]->reason,
                         "not registered");
    bb_wire_envelope_destroy (&reply);
    fx_assert_error (store->out,
                     bb_client_rank (store->out, stx [0], &reply),
                     BALBOARD__ERROR_REPLY__CODE__NOT_FOUND);
    bb_envelope_t *stats = fx_stats (store);
    assert_int_equal (stats->store_stats->agents, 0);
    assert_int_equal (stats->store_stats->balance_rows, 0);
    assert_int_equal (stats->store_stats->history_rows, 0);
    assert_int_equal (stats->store_stats->agents_fetched, 0);
    bb_wire_envelope_destroy (&stats);

    //  A batch for a removed agent changes nothing
    batch = fx_batch_new ("1.1");
    fx_batch_simple (batch, stx [0], bb_clock_wall_ms () + 1, "1", NULL, NULL);
    uint32_t rows = 99;
    assert_int_equal (fx_send (store, batch, &rows, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    assert_int_equal (rows, 0);
    fx_batch_destroy (&batch);
    page = fx_dashboard (store, 0, 0);
    assert_int_equal (page->dashboard_page->total, 0);
    bb_wire_envelope_destroy (&page);
}

//  ---------------------------------------------------------------------------
//  A replayed batch, or an older one, changes nothing and is a duplicate;
//  per agent and source the newest capture wins whatever the order.

static void
test_idempotent_and_out_of_order (void **state)
{
    fx_store_t *store = fx_store_agents (state, 3);
    const char *a = store->stx [0];
    const char *b = store->stx [1];
    uint64_t t0 = bb_clock_wall_ms ();

    Balboard__BalanceBatch *first = fx_batch_new ("1.0");
    fx_batch_simple (first, a, t0, "100", NULL, "10");
    fx_batch_simple (first, b, t0, "200", NULL, "20");
    uint32_t rows;
    assert_int_equal (fx_send (store, first, &rows, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    assert_int_equal (rows, 4);
    //  Replay: duplicate, nothing written
    assert_int_equal (fx_send (store, first, &rows, NULL),
                      BALBOARD__ACK_STATUS__ACK_DUPLICATE);
    assert_int_equal (rows, 0);

    //  Newer batch for a only, then an older one for both arrives late
    Balboard__BalanceBatch *newer = fx_batch_new ("2.0");
    fx_batch_simple (newer, a, t0 + 2000, "300", NULL, "30");
    assert_int_equal (fx_send (store, newer, NULL, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    Balboard__BalanceBatch *late = fx_batch_new ("1.5");
    fx_batch_simple (late, a, t0 + 1000, "999", NULL, "99");
    assert_int_equal (fx_send (store, late, NULL, NULL),
                      BALBOARD__ACK_STATUS__ACK_DUPLICATE);
    //  Mixed: b newer, a older -> committed, only b changes
    Balboard__BalanceBatch *mixed = fx_batch_new ("1.6");
    fx_batch_simple (mixed, a, t0 + 1500, "777", NULL, "77");
    fx_batch_simple (mixed, b, t0 + 1500, "201", NULL, "21");
    assert_int_equal (fx_send (store, mixed, &rows, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    assert_int_equal (rows, 2);

    bb_envelope_t *page = fx_dashboard (store, 0, 0);
    assert_string_equal (fx_token (s_row (page, a), "stx")->balance, "300");
    assert_string_equal (fx_token (s_row (page, a), "btc-l1")->balance,
                         "30");
    assert_string_equal (fx_token (s_row (page, b), "stx")->balance, "201");
    bb_wire_envelope_destroy (&page);

    bb_envelope_t *stats = fx_stats (store);
    assert_int_equal (stats->store_stats->batches_committed, 3);
    assert_int_equal (stats->store_stats->batches_duplicate, 2);
    assert_int_equal (stats->store_stats->agents_fetched, 2);
    bb_wire_envelope_destroy (&stats);
    fx_batch_destroy (&first);
    fx_batch_destroy (&newer);
    fx_batch_destroy (&late);
    fx_batch_destroy (&mixed);
}

//  ---------------------------------------------------------------------------
//  A failed source keeps the last good rows, stale; a token absent from
//  a successful response becomes a real zero.

static void
test_stale_and_real_zero (void **state)
{
    fx_store_t *store = fx_store_agents (state, 1);
    const char *a = store->stx [0];
    uint64_t t0 = bb_clock_wall_ms ();

    Balboard__BalanceBatch *good = fx_batch_new ("1.0");
    Balboard__AgentResult *agent = fx_batch_agent (good, a, t0);
    Balboard__SourceResult *hiro = fx_agent_source (
        agent, BALBOARD__UPSTREAM__UPSTREAM_HIRO,
        BALBOARD__FETCH_STATUS__FETCH_OK);
    fx_source_balance (hiro, "stx", "5000000");
    fx_source_balance (hiro, FX_ALEX, "123");
    Balboard__SourceResult *mempool = fx_agent_source (
        agent, BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL,
        BALBOARD__FETCH_STATUS__FETCH_OK);
    fx_source_balance (mempool, "btc-l1", "1000");
    assert_int_equal (fx_send (store, good, NULL, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);

    //  Hiro times out: stx and ALEX stay, stale; BTC still fresh
    Balboard__BalanceBatch *failed = fx_batch_new ("2.0");
    agent = fx_batch_agent (failed, a, t0 + 1000);
    fx_agent_source (agent, BALBOARD__UPSTREAM__UPSTREAM_HIRO,
                     BALBOARD__FETCH_STATUS__FETCH_TIMEOUT);
    mempool = fx_agent_source (agent, BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL,
                               BALBOARD__FETCH_STATUS__FETCH_OK);
    fx_source_balance (mempool, "btc-l1", "2000");
    assert_int_equal (fx_send (store, failed, NULL, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    bb_envelope_t *detail = fx_agent (store, a);
    Balboard__DashboardRow *row = detail->agent_detail->row;
    assert_int_equal (row->fetch_state,
                      BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PARTIAL);
    assert_string_equal (s_detail_token (detail, "stx")->balance, "5000000");
    assert_true (s_detail_token (detail, "stx")->stale);
    assert_int_equal (s_detail_token (detail, "stx")->captured_at_ms, t0);
    assert_true (s_detail_token (detail, FX_ALEX)->stale);
    assert_string_equal (s_detail_token (detail, "btc-l1")->balance, "2000");
    assert_false (s_detail_token (detail, "btc-l1")->stale);
    assert_int_equal (s_detail_token (detail, "btc-l1")->captured_at_ms,
                      t0 + 1000);
    bb_wire_envelope_destroy (&detail);

    //  Hiro back, without ALEX: ALEX is a real zero, gone from the page
    Balboard__BalanceBatch *back = fx_batch_new ("3.0");
    agent = fx_batch_agent (back, a, t0 + 2000);
    hiro = fx_agent_source (agent, BALBOARD__UPSTREAM__UPSTREAM_HIRO,
                            BALBOARD__FETCH_STATUS__FETCH_OK);
    fx_source_balance (hiro, "stx", "6000000");
    assert_int_equal (fx_send (store, back, NULL, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    bb_envelope_t *page = fx_dashboard (store, 0, 0);
    row = s_row (page, a);
    assert_int_equal (row->fetch_state,
                      BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK);
    assert_null (fx_token (row, FX_ALEX));
    assert_string_equal (fx_token (row, "stx")->balance, "6000000");
    assert_false (fx_token (row, "stx")->stale);
    bb_wire_envelope_destroy (&page);
    detail = fx_agent (store, a);
    assert_string_equal (s_detail_token (detail, FX_ALEX)->balance, "0");
    assert_false (s_detail_token (detail, FX_ALEX)->stale);
    //  History of ALEX: 123 then 0
    size_t alex_points = 0;
    for (size_t i = 0; i < detail->agent_detail->n_history; i++) {
        Balboard__HistoryPoint *point = detail->agent_detail->history [i];
        if (strcmp (point->token_id, FX_ALEX) != 0)
            continue;
        assert_string_equal (point->balance, alex_points ? "0" : "123");
        alex_points++;
    }
    assert_int_equal (alex_points, 2);
    bb_wire_envelope_destroy (&detail);
    fx_batch_destroy (&good);
    fx_batch_destroy (&failed);
    fx_batch_destroy (&back);
}

//  ---------------------------------------------------------------------------
//  A malformed batch is rejected with a reason and nothing of it applies.

#define SPOILS 10                   // the ways s_spoil knows

//  Sample agent index captured at captured_at_ms with a Hiro source of
//  ustx µSTX, added to batch; returns that source.
static Balboard__SourceResult *
s_add (Balboard__BalanceBatch *batch, unsigned index,
       uint64_t captured_at_ms, const char *ustx)
{
    char stx [FX_ADDRESS_SIZE];
    fx_stx (index, stx);
    fx_batch_simple (batch, stx, captured_at_ms, ustx, NULL, NULL);
    return batch->agents [batch->n_agents - 1]->sources [0];
}

//  Sample agent 2 captured now, without sources, added to batch.
static Balboard__AgentResult *
s_add_bare (Balboard__BalanceBatch *batch)
{
    char stx [FX_ADDRESS_SIZE];
    fx_stx (2, stx);
    return fx_batch_agent (batch, stx, bb_clock_wall_ms ());
}

//  Spoil batch (agents 0 and 1, valid) in way number spoil (0 to
//  SPOILS - 1), each a reason to reject it whole.
static void
s_spoil (Balboard__BalanceBatch *batch, int spoil)
{
    uint64_t now = bb_clock_wall_ms ();
    Balboard__Upstream hiro = BALBOARD__UPSTREAM__UPSTREAM_HIRO;
    Balboard__FetchStatus ok = BALBOARD__FETCH_STATUS__FETCH_OK;
    switch (spoil) {
        case 0:                 //  an amount that is not a number
            s_add (batch, 2, now, "12x");
            break;
        case 1:                 //  an amount over u128
            s_add (batch, 2, now, U128_OVER);
            break;
        case 2:                 //  a bad checksum
            fx_batch_simple (batch,
                             "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ8", now,
                             "1", NULL, NULL);
            break;
        case 3:                 //  an agent twice
            s_add (batch, 0, now, "1");
            break;
        case 4:                 //  a token its source does not give
            fx_source_balance (fx_agent_source (s_add_bare (batch), hiro, ok),
                               "btc-l1", "1");
            break;
        case 5:                 //  an upstream that gives no balances
            fx_agent_source (s_add_bare (batch),
                             BALBOARD__UPSTREAM__UPSTREAM_PRICE, ok);
            break;
        case 6:                 //  a status no one knows
            fx_agent_source (s_add_bare (batch), hiro, 42);
            break;
        case 7:                 //  a token twice
            fx_source_balance (s_add (batch, 2, now, "1"), "stx", "2");
            break;
        case 8:                 //  no capture time
            s_add (batch, 2, 0, "1");
            break;
        default:                //  a token id that is none
            fx_source_balance (s_add (batch, 2, now, "1"), "SP000.nope::x",
                               "2");
    }
}

static void
test_malformed_rejected_whole (void **state)
{
    fx_store_t *store = fx_store_agents (state, 3);
    const char *a = store->stx [0];
    const char *b = store->stx [1];
    for (int spoil = 0; spoil < SPOILS; spoil++) {
        Balboard__BalanceBatch *batch = fx_batch_new ("9.9");
        fx_batch_simple (batch, a, bb_clock_wall_ms (), "111", NULL, "1");
        fx_batch_simple (batch, b, bb_clock_wall_ms (), "222", NULL, "2");
        fx_batch_prices (batch, 50000000000, 2000000, bb_clock_wall_ms ());
        s_spoil (batch, spoil);
        char reason [BB_REASON_SIZE];
        assert_int_equal (fx_send (store, batch, NULL, reason),
                          BALBOARD__ACK_STATUS__ACK_REJECTED);
        assert_true (strlen (reason) > 0);
        fx_batch_destroy (&batch);
    }
    //  Nothing of any of them: all pending, no prices
    bb_envelope_t *page = fx_dashboard (store, 0, 0);
    Balboard__DashboardPage *body = page->dashboard_page;
    assert_int_equal (body->n_rows, 3);
    for (size_t i = 0; i < body->n_rows; i++) {
        assert_int_equal (body->rows [i]->fetch_state,
                          BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING);
        assert_int_equal (body->rows [i]->n_tokens, 0);
    }
    assert_int_equal (body->prices->priced_at_ms, 0);
    bb_wire_envelope_destroy (&page);
    bb_envelope_t *stats = fx_stats (store);
    assert_int_equal (stats->store_stats->batches_rejected, 10);
    assert_int_equal (stats->store_stats->balance_rows, 0);
    assert_int_equal (stats->store_stats->history_rows, 0);
    bb_wire_envelope_destroy (&stats);
}

//  ---------------------------------------------------------------------------
//  Amounts are u128 end to end; a total saturates instead of wrapping.

static void
test_u128_amounts (void **state)
{
    fx_store_t *store = fx_store_agents (state, 2);
    const char *a = store->stx [0];
    const char *b = store->stx [1];
    Balboard__BalanceBatch *batch = fx_batch_new ("1.0");
    fx_batch_simple (batch, a, bb_clock_wall_ms (), U128_MAX, NULL, NULL);
    fx_source_balance (batch->agents [0]->sources [0], FX_ALEX, U128_MAX);
    fx_batch_simple (batch, b, bb_clock_wall_ms (), "18446744073709551616",
                     NULL, NULL);
    fx_batch_prices (batch, 60000000000, 1, bb_clock_wall_ms ());
    assert_int_equal (fx_send (store, batch, NULL, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    bb_envelope_t *page = fx_dashboard (store, 0, 0);
    Balboard__DashboardRow *row = s_row (page, a);
    assert_string_equal (fx_token (row, "stx")->balance, U128_MAX);
    assert_string_equal (fx_token (row, FX_ALEX)->balance, U128_MAX);
    assert_int_equal (row->total_usd_micro, INT64_MAX);
    assert_int_equal (row->rank, 1);
    row = s_row (page, b);
    assert_string_equal (fx_token (row, "stx")->balance,
                         "18446744073709551616");
    //  2^64 µSTX at 1 µUSD per STX: 18446744073709.551616 µUSD, rounded
    assert_int_equal (row->total_usd_micro, 18446744073710LL);
    assert_int_equal (row->rank, 2);
    bb_wire_envelope_destroy (&page);
    fx_batch_destroy (&batch);
}

//  ---------------------------------------------------------------------------
//  Token metadata travels with a batch, is kept, and names the token.

static void
test_token_meta (void **state)
{
    fx_store_t *store = fx_store_agents (state, 1);
    const char *a = store->stx [0];
    Balboard__BalanceBatch *batch = fx_batch_new ("1.0");
    fx_batch_simple (batch, a, bb_clock_wall_ms (), "1", NULL, NULL);
    fx_source_balance (batch->agents [0]->sources [0], FX_ALEX, "250000000");
    assert_int_equal (fx_send (store, batch, NULL, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    bb_envelope_t *page = fx_dashboard (store, 0, 0);
    Balboard__TokenPosition *alex = fx_token (s_row (page, a), FX_ALEX);
    assert_string_equal (alex->symbol, "alex");       // asset name until known
    assert_int_equal (alex->decimals, 0);
    assert_string_equal (alex->contract, FX_ALEX_CONTRACT);
    assert_int_equal (alex->price_usd_micro, 0);
    bb_wire_envelope_destroy (&page);

    Balboard__BalanceBatch *meta = fx_batch_new ("1.1");
    fx_batch_meta (meta, FX_ALEX_CONTRACT, "ALEX", 8, true);
    assert_int_equal (fx_send (store, meta, NULL, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    const char *contracts [] = { FX_ALEX_CONTRACT, "SP000.unknown" };
    bb_envelope_t *reply;
    assert_int_equal (bb_client_token_meta (store->in, contracts, 2, &reply),
                      0);
    assert_int_equal (reply->token_meta_reply->n_known, 1);
    assert_string_equal (reply->token_meta_reply->known [0]->symbol, "ALEX");
    assert_int_equal (reply->token_meta_reply->known [0]->decimals, 8);
    assert_true (reply->token_meta_reply->known [0]->known);
    bb_wire_envelope_destroy (&reply);
    page = fx_dashboard (store, 0, 0);
    alex = fx_token (s_row (page, a), FX_ALEX);
    assert_string_equal (alex->symbol, "ALEX");
    assert_int_equal (alex->decimals, 8);
    bb_wire_envelope_destroy (&page);
    fx_batch_destroy (&batch);
    fx_batch_destroy (&meta);
}

//  ---------------------------------------------------------------------------
//  Bad frames and messages for the other socket get an ErrorReply, and
//  the store keeps serving.

static void
s_expect_error (zsock_t *dealer, Balboard__ErrorReply__Code code)
{
    zsock_set_rcvtimeo (dealer, FX_TIMEOUT_MS);
    bb_wire_msg_t msg = { 0 };
    assert_int_equal (bb_wire_recv (dealer, &msg), BB_WIRE_OK);
    assert_int_equal (msg.envelope->body_case,
                      BALBOARD__ENVELOPE__BODY_ERROR);
    assert_int_equal (msg.envelope->error->code, code);
    bb_wire_msg_reset (&msg);
}

static void
s_bad_frames (const char *endpoint)
{
    char attach [80];
    snprintf (attach, sizeof attach, ">%s", endpoint);
    zsock_t *dealer = bb_wire_socket_new (ZMQ_DEALER, attach);
    assert_non_null (dealer);
    zstr_send (dealer, "not a protobuf envelope at all \xff\xff\xff");
    s_expect_error (dealer, BALBOARD__ERROR_REPLY__CODE__BAD_FRAME);
    zstr_sendm (dealer, "two");
    zstr_send (dealer, "frames");
    s_expect_error (dealer, BALBOARD__ERROR_REPLY__CODE__BAD_FRAME);
    //  Version 2
    Balboard__StatsRequest stats = BALBOARD__STATS_REQUEST__INIT;
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.body_case = BALBOARD__ENVELOPE__BODY_STATS_REQUEST;
    envelope.stats_request = &stats;
    envelope.version = 2;
    size_t size = balboard__envelope__get_packed_size (&envelope);
    zframe_t *frame = zframe_new (NULL, size);
    balboard__envelope__pack (&envelope, zframe_data (frame));
    zframe_send (&frame, dealer, 0);
    s_expect_error (dealer, BALBOARD__ERROR_REPLY__CODE__BAD_FRAME);
    zsock_destroy (&dealer);
}

static void
test_bad_frames (void **state)
{
    fx_store_t *store = *state;
    s_bad_frames (store->ingest);
    s_bad_frames (store->query);
    //  Wrong socket: a query on ingest, a batch on query
    bb_client_t *wrong = bb_client_new (store->ingest, FX_TIMEOUT_MS);
    bb_envelope_t *reply;
    assert_int_equal (bb_client_stats (wrong, &reply), BB_CLIENT_ERROR_REPLY);
    assert_int_equal (bb_client_error_code (wrong),
                      BALBOARD__ERROR_REPLY__CODE__UNSUPPORTED);
    bb_client_destroy (&wrong);
    wrong = bb_client_new (store->query, FX_TIMEOUT_MS);
    Balboard__BalanceBatch *batch = fx_batch_new ("1.0");
    assert_int_equal (bb_client_balance_batch (wrong, batch, &reply),
                      BB_CLIENT_ERROR_REPLY);
    assert_int_equal (bb_client_error_code (wrong),
                      BALBOARD__ERROR_REPLY__CODE__UNSUPPORTED);
    fx_batch_destroy (&batch);
    bb_client_destroy (&wrong);
    //  Still serving both sockets
    fx_upsert_range (store, 0, 1);
    bb_envelope_t *stats = fx_stats (store);
    assert_int_equal (stats->store_stats->agents, 1);
    bb_wire_envelope_destroy (&stats);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test_setup_teardown (test_upsert_and_remove,
                                         s_setup, fx_store_teardown),
        cmocka_unit_test_setup_teardown (test_idempotent_and_out_of_order,
                                         s_setup, fx_store_teardown),
        cmocka_unit_test_setup_teardown (test_stale_and_real_zero,
                                         s_setup, fx_store_teardown),
        cmocka_unit_test_setup_teardown (test_malformed_rejected_whole,
                                         s_setup, fx_store_teardown),
        cmocka_unit_test_setup_teardown (test_u128_amounts,
                                         s_setup, fx_store_teardown),
        cmocka_unit_test_setup_teardown (test_token_meta,
                                         s_setup, fx_store_teardown),
        cmocka_unit_test_setup_teardown (test_bad_frames,
                                         s_setup, fx_store_teardown))
