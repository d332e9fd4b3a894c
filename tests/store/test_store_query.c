/*  test_store_query - the query socket of a real balboard-store: ranking
    with ties, revaluation at a new price snapshot, pagination edges,
    agent detail, rank, stats and the scheduler's agents page. */
#include "store_fixture.h"
#include "bb_test_main.h"
#include "bb_clock.h"
#include "bb_latency.h"

#include <stdio.h>
#include <string.h>

#define BTC_USD_MICRO   50000000000LL   // 50,000 USD
#define STX_USD_MICRO   2000000LL       // 2 USD

static int
s_setup (void **state)
{
    *state = fx_store_new ("query", NULL);
    return 0;
}

//  Sum of the token values of row.
static int64_t
s_token_sum (const Balboard__DashboardRow *row)
{
    int64_t sum = 0;
    for (size_t i = 0; i < row->n_tokens; i++)
        sum += row->tokens [i]->usd_value_micro;
    return sum;
}

//  Every row of page is ordered by total desc, then address asc, ranks
//  follow the offset, and each total is the sum of its tokens.
static void
s_check_order (const Balboard__DashboardPage *page)
{
    for (size_t i = 0; i < page->n_rows; i++) {
        const Balboard__DashboardRow *row = page->rows [i];
        assert_int_equal (row->rank, (uint64_t) page->offset + i + 1);
        assert_int_equal (row->total_usd_micro, s_token_sum (row));
        if (i == 0)
            continue;
        const Balboard__DashboardRow *prev = page->rows [i - 1];
        assert_true (prev->total_usd_micro >= row->total_usd_micro);
        if (prev->total_usd_micro == row->total_usd_micro)
            assert_true (strcmp (prev->agent->stx_address,
                                 row->agent->stx_address) < 0);
    }
}

//  ---------------------------------------------------------------------------
//  Ties by total are broken by STX address ascending.

static void
test_ranking_with_ties (void **state)
{
    fx_store_t *store = fx_store_agents (state, 8);
    assert_int_equal (fx_prices (store, BTC_USD_MICRO, STX_USD_MICRO,
                                 bb_clock_wall_ms ()),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    //  Agents 5, 2, 7 hold 1 STX each (a tie); 3 holds 1,000 sats
    //  (0.5 USD) ... each tie listed in reverse address order.
    char (*stx) [FX_ADDRESS_SIZE] = store->stx;
    Balboard__BalanceBatch *batch = fx_batch_new ("1.0");
    uint64_t t0 = bb_clock_wall_ms ();
    fx_batch_simple (batch, stx [7], t0, "1000000", NULL, NULL);
    fx_batch_simple (batch, stx [5], t0, "1000000", NULL, NULL);
    fx_batch_simple (batch, stx [2], t0, "1000000", NULL, NULL);
    fx_batch_simple (batch, stx [3], t0, NULL, NULL, "1000");
    fx_batch_simple (batch, stx [6], t0, NULL, "1000", NULL);
    fx_batch_simple (batch, stx [1], t0, "5000000", NULL, NULL);
    fx_commit (store, &batch);

    bb_envelope_t *reply = fx_dashboard (store, 0, 0);
    Balboard__DashboardPage *page = reply->dashboard_page;
    s_check_order (page);
    //  1 (10 USD), 2 5 7 (2 USD), 3 6 (0.5 USD: btc-l1 and sBTC alike),
    //  then the pending 0 and 4 (0)
    const unsigned expected [8] = { 1, 2, 5, 7, 3, 6, 0, 4 };
    assert_int_equal (page->n_rows, 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal (page->rows [i]->agent->stx_address,
                             stx [expected [i]]);
    assert_int_equal (page->rows [0]->total_usd_micro, 10000000);
    assert_int_equal (page->rows [4]->total_usd_micro, 500000);
    assert_int_equal (page->rows [5]->total_usd_micro, 500000);
    assert_int_equal (page->rows [6]->fetch_state,
                      BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING);
    assert_int_equal (page->stats->total_usd_micro,
                      10000000 + 3 * 2000000 + 2 * 500000);
    assert_int_equal (page->stats->total, 8);
    bb_wire_envelope_destroy (&reply);

    //  Rank of one of the tie
    assert_int_equal (bb_client_rank (store->out, stx [5], &reply), 0);
    assert_int_equal (reply->rank_reply->rank, 3);
    assert_int_equal (reply->rank_reply->total, 8);
    assert_int_equal (reply->rank_reply->total_usd_micro, 2000000);
    bb_wire_envelope_destroy (&reply);
}

//  ---------------------------------------------------------------------------
//  A new price snapshot revalues and re-ranks everyone, and a page
//  reports the one snapshot it was valued at.

static void
test_revaluation (void **state)
{
    fx_store_t *store = fx_store_agents (state, 2);
    const char *btc_holder = store->stx [0];
    const char *stx_holder = store->stx [1];
    uint64_t t0 = bb_clock_wall_ms ();
    Balboard__BalanceBatch *batch = fx_batch_new ("1.0");
    fx_batch_simple (batch, btc_holder, t0, NULL, NULL, "100000000");
    fx_batch_simple (batch, stx_holder, t0, "10000000000", NULL, NULL);
    fx_batch_prices (batch, BTC_USD_MICRO, STX_USD_MICRO, t0);
    fx_commit (store, &batch);

    //  1 BTC = 50,000 USD beats 10,000 STX = 20,000 USD
    bb_envelope_t *reply = fx_dashboard (store, 0, 0);
    Balboard__DashboardPage *page = reply->dashboard_page;
    s_check_order (page);
    assert_string_equal (page->rows [0]->agent->stx_address, btc_holder);
    assert_int_equal (page->rows [0]->total_usd_micro, 50000000000LL);
    assert_int_equal (page->prices->btc_usd_micro, BTC_USD_MICRO);
    assert_int_equal (page->stats->priced_at_ms, t0);
    assert_int_equal (page->prices->priced_at_ms, t0);
    bb_wire_envelope_destroy (&reply);

    //  STX to 8 USD: 80,000 USD beats 50,000 USD
    assert_int_equal (fx_prices (store, BTC_USD_MICRO, 8000000, t0 + 1000),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    //  An older snapshot is a duplicate and changes nothing
    assert_int_equal (fx_prices (store, 1, 1, t0 + 500),
                      BALBOARD__ACK_STATUS__ACK_DUPLICATE);
    reply = fx_dashboard (store, 0, 0);
    page = reply->dashboard_page;
    s_check_order (page);
    assert_string_equal (page->rows [0]->agent->stx_address, stx_holder);
    assert_int_equal (page->rows [0]->total_usd_micro, 80000000000LL);
    assert_int_equal (page->rows [0]->tokens [0]->price_usd_micro, 8000000);
    assert_int_equal (page->rows [1]->total_usd_micro, 50000000000LL);
    assert_int_equal (page->prices->stx_usd_micro, 8000000);
    assert_int_equal (page->stats->priced_at_ms, t0 + 1000);
    assert_int_equal (page->stats->total_usd_micro, 130000000000LL);
    bb_wire_envelope_destroy (&reply);

    assert_int_equal (bb_client_rank (store->out, btc_holder, &reply), 0);
    assert_int_equal (reply->rank_reply->rank, 2);
    bb_wire_envelope_destroy (&reply);
}

//  ---------------------------------------------------------------------------
//  Offsets and limits: defaults, clamps, the end, past the end.

static void
s_page (fx_store_t *store, int64_t offset, int64_t limit, size_t rows,
        int64_t limit_used, bool has_more)
{
    bb_envelope_t *reply = fx_dashboard (store, offset, limit);
    Balboard__DashboardPage *page = reply->dashboard_page;
    assert_int_equal (page->n_rows, rows);
    assert_int_equal (page->limit, limit_used);
    assert_int_equal (page->offset, offset);
    assert_int_equal (page->total, 620);
    assert_int_equal (page->has_more, has_more);
    s_check_order (page);
    bb_wire_envelope_destroy (&reply);
}

static void
test_pagination_edges (void **state)
{
    fx_store_t *store = fx_store_agents (state, 620);
    //  Give each agent a distinct STX balance: agent i holds i µSTX
    uint64_t t0 = bb_clock_wall_ms ();
    for (unsigned first = 0; first < 620; first += 100) {
        Balboard__BalanceBatch *batch = fx_batch_new ("1.x");
        for (unsigned i = first; i < first + 100 && i < 620; i++) {
            char stx [FX_ADDRESS_SIZE], amount [16];
            fx_stx (i, stx);
            snprintf (amount, sizeof amount, "%u", i * 1000000);
            fx_batch_simple (batch, stx, t0, amount, NULL, NULL);
        }
        fx_commit (store, &batch);
    }
    assert_int_equal (fx_prices (store, BTC_USD_MICRO, STX_USD_MICRO, t0),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    s_page (store, 0, 0, 100, 100, true);           // default limit
    s_page (store, 0, 10, 10, 10, true);
    s_page (store, 0, 501, 500, 500, true);         // clamped to 500
    s_page (store, 0, 1000000, 500, 500, true);
    s_page (store, 0, -7, 1, 1, true);              // clamped to 1
    s_page (store, 610, 10, 10, 10, false);         // exactly the end
    s_page (store, 615, 10, 5, 10, false);          // short last page
    s_page (store, 619, 1, 1, 1, false);
    s_page (store, 620, 10, 0, 10, false);          // past the end
    s_page (store, 1000000, 100, 0, 100, false);

    //  The first row is the richest, the last the poorest
    bb_envelope_t *reply = fx_dashboard (store, 619, 1);
    const char *poorest = store->stx [0];
    assert_string_equal (reply->dashboard_page->rows [0]->agent->stx_address,
                         poorest);
    assert_int_equal (reply->dashboard_page->rows [0]->rank, 620);
    bb_wire_envelope_destroy (&reply);

    //  Walking the pages visits every agent once
    size_t seen = 0;
    for (int64_t offset = 0; offset < 620; offset += 77) {
        reply = fx_dashboard (store, offset, 77);
        seen += reply->dashboard_page->n_rows;
        bb_wire_envelope_destroy (&reply);
    }
    assert_int_equal (seen, 620);

    //  A negative offset is a bad request
    fx_assert_error (store->out,
                     bb_client_dashboard (store->out, -1, 10, &reply),
                     BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST);
}

//  ---------------------------------------------------------------------------
//  Agent detail: rank, every row with its capture time, and history.

static void
test_agent_detail (void **state)
{
    fx_store_t *store = fx_store_agents (state, 2);
    const char *a = store->stx [0];
    char btc [FX_ADDRESS_SIZE];
    fx_btc (0, btc);
    uint64_t t0 = bb_clock_wall_ms ();
    const char *amounts [] = { "100", "100", "250", "0", "300" };
    for (size_t i = 0; i < 5; i++) {
        Balboard__BalanceBatch *batch = fx_batch_new ("1.0");
        fx_batch_simple (batch, a, t0 + i * 1000, amounts [i], NULL, "7");
        fx_commit (store, &batch);
    }
    bb_envelope_t *reply = fx_agent (store, a);
    Balboard__AgentDetail *detail = reply->agent_detail;
    assert_string_equal (detail->row->agent->stx_address, a);
    assert_string_equal (detail->row->agent->btc_address, btc);
    assert_string_equal (detail->row->agent->display_name, "agent-0");
    assert_int_equal (detail->row->rank, 1);
    Balboard__TokenPosition *stx = fx_token (detail->row, "stx");
    assert_non_null (stx);
    assert_string_equal (stx->balance, "300");
    assert_int_equal (stx->captured_at_ms, t0 + 4000);
    assert_string_equal (stx->source, "hiro");
    assert_int_equal (stx->decimals, 6);
    Balboard__TokenPosition *sats = fx_token (detail->row, "btc-l1");
    assert_string_equal (sats->source, "mempool.space");
    assert_string_equal (sats->symbol, "BTC");
    //  stx history: one point per change, oldest first; btc-l1: one
    const char *points [] = { "100", "250", "0", "300" };
    const uint64_t times [] = { 0, 2000, 3000, 4000 };
    size_t stx_points = 0, btc_points = 0;
    for (size_t i = 0; i < detail->n_history; i++) {
        Balboard__HistoryPoint *point = detail->history [i];
        if (strcmp (point->token_id, "btc-l1") == 0) {
            btc_points++;
            continue;
        }
        assert_string_equal (point->token_id, "stx");
        assert_true (stx_points < 4);
        assert_string_equal (point->balance, points [stx_points]);
        assert_int_equal (point->captured_at_ms, t0 + times [stx_points]);
        stx_points++;
    }
    assert_int_equal (stx_points, 4);
    assert_int_equal (btc_points, 1);
    bb_wire_envelope_destroy (&reply);

    //  history_limit keeps the newest points
    assert_int_equal (bb_client_agent (store->out, a, 2, &reply), 0);
    stx_points = 0;
    for (size_t i = 0; i < reply->agent_detail->n_history; i++)
        if (strcmp (reply->agent_detail->history [i]->token_id, "stx") == 0)
            assert_string_equal (reply->agent_detail->history [i]->balance,
                                 points [2 + stx_points++]);
    assert_int_equal (stx_points, 2);
    bb_wire_envelope_destroy (&reply);

    fx_assert_error (store->out,
                     bb_client_agent (store->out, "SPNOTANAGENT", 0, &reply),
                     BALBOARD__ERROR_REPLY__CODE__NOT_FOUND);
}

//  ---------------------------------------------------------------------------
//  Stats and the scheduler's agents page.

//  Commits the store's commit-duration histogram has counted.
static uint64_t
s_commits (fx_store_t *store)
{
    bb_envelope_t *reply = fx_stats (store);
    const Balboard__StoreStats *stats = reply->store_stats;
    uint64_t commits = 0;
    for (size_t bucket = 0; bucket < stats->n_commit_latency_buckets; bucket++)
        commits += stats->commit_latency_buckets [bucket];
    bb_wire_envelope_destroy (&reply);
    return commits;
}

static void
test_stats_and_agents_page (void **state)
{
    fx_store_t *store = fx_store_agents (state, 25);
    uint64_t commits_before = s_commits (store);
    assert_true (commits_before > 0);           // the agents' upsert
    uint64_t t0 = bb_clock_wall_ms ();
    Balboard__BalanceBatch *batch = fx_batch_new ("7.0");
    batch->rotation = 7;
    batch->rotation_agents = 25;
    const char *a = store->stx [3];
    fx_batch_simple (batch, a, t0, "1", NULL, "2");
    fx_commit (store, &batch);

    bb_envelope_t *reply = fx_stats (store);
    Balboard__StoreStats *stats = reply->store_stats;
    assert_int_equal (stats->agents, 25);
    assert_int_equal (stats->balance_rows, 2);
    assert_int_equal (stats->history_rows, 2);
    assert_int_equal (stats->agents_fetched, 1);
    assert_int_equal (stats->batches_committed, 1);
    assert_int_equal (stats->rotation, 7);
    assert_int_equal (stats->rotation_chunks_done, 1);
    assert_int_equal (stats->rotation_agents, 25);
    assert_true (stats->last_commit_ms >= t0);
    assert_true (stats->map_size > 0);
    assert_true (stats->map_used > 0 && stats->map_used <= stats->map_size);
    assert_int_equal (stats->n_commit_latency_buckets, BB_LATENCY_BUCKETS);
    bb_wire_envelope_destroy (&reply);
    //  The batch's commit was timed
    assert_true (s_commits (store) > commits_before);

    //  Pages of 10 after a cursor, in address order, then the end
    char after [FX_ADDRESS_SIZE] = "";
    unsigned index = 0;
    for (int round = 0; round < 4; round++) {
        assert_int_equal (bb_client_agents_page (store->out, after, 10,
                                                 &reply), 0);
        Balboard__AgentsPage *page = reply->agents_page;
        assert_int_equal (page->total, 25);
        assert_int_equal (page->n_agents, round < 2 ? 10 : round == 2 ? 5
                                                                      : 0);
        for (size_t i = 0; i < page->n_agents; i++) {
            char expected [FX_ADDRESS_SIZE];
            fx_stx (index++, expected);
            assert_string_equal (page->agents [i]->stx_address, expected);
        }
        if (page->n_agents)
            snprintf (after, sizeof after, "%s",
                      page->agents [page->n_agents - 1]->stx_address);
        bb_wire_envelope_destroy (&reply);
    }
    assert_int_equal (index, 25);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test_setup_teardown (test_ranking_with_ties,
                                         s_setup, fx_store_teardown),
        cmocka_unit_test_setup_teardown (test_revaluation,
                                         s_setup, fx_store_teardown),
        cmocka_unit_test_setup_teardown (test_pagination_edges,
                                         s_setup, fx_store_teardown),
        cmocka_unit_test_setup_teardown (test_agent_detail,
                                         s_setup, fx_store_teardown),
        cmocka_unit_test_setup_teardown (test_stats_and_agents_page,
                                         s_setup, fx_store_teardown))
