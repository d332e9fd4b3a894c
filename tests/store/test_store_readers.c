/*  test_store_readers - the store's pool of readers and its reply cache,
    over a real balboard-store: clients asking pages at once while ingest
    commits new amounts and new prices get pages read at one snapshot
    each (every row of one commit, ordered by total, each total the sum
    of its tokens at the page's prices, the whole sum the page's stats);
    a page after a commit shows the commit (the cache is dropped); one
    reader and no cache work the same; the store shuts down cleanly
    after the load (exit 0, which under ASan also means no leak). */
#include "store_fixture.h"
#include "bb_test_main.h"
#include "bb_clock.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AGENTS          100
#define COMMITS         40
#define PRICES_EVERY    8
#define CLIENTS_MAX     8
#define BTC_USD_MICRO   50000000000LL
#define STX_USD_MICRO   2000000LL
#define MICRO           1000000ULL
#define GENERATION      1000        // agent i's STX: generation * this + i + 1
#define FAILURE_SIZE    256

typedef struct {
    const char *endpoint;           // the store's query socket
    atomic_bool *stop;
    unsigned seed;
    int pages;                      // pages checked
    char failure [FAILURE_SIZE];    // the first inconsistency, or ""
} client_t;

//  ---------------------------------------------------------------------------
//  What a consistent page is

//  The generation of the row's STX amount, or -1 without STX.
static long
s_generation (const Balboard__DashboardRow *row)
{
    Balboard__TokenPosition *stx = fx_token ((Balboard__DashboardRow *) row,
                                             "stx");
    if (!stx)
        return -1;
    unsigned long long ustx = strtoull (stx->balance, NULL, 10);
    return (long) (ustx / MICRO / GENERATION);
}

//  Check one row of page against the one before; "" if it holds.
static const char *
s_check_row (const Balboard__DashboardPage *page, size_t i, long generation)
{
    const Balboard__DashboardRow *row = page->rows [i];
    int64_t sum = 0;
    for (size_t t = 0; t < row->n_tokens; t++) {
        sum += row->tokens [t]->usd_value_micro;
        if (strcmp (row->tokens [t]->token_id, "stx") == 0
        &&  row->tokens [t]->price_usd_micro != page->prices->stx_usd_micro)
            return "a token valued at other prices than the page's";
    }
    if (row->rank != (uint64_t) page->offset + i + 1)
        return "ranks do not follow the offset";
    if (row->total_usd_micro != sum)
        return "a total is not the sum of its tokens";
    if (s_generation (row) != generation)
        return "rows of two commits on one page";
    const Balboard__DashboardRow *prev = i ? page->rows [i - 1] : NULL;
    if (prev && (prev->total_usd_micro < row->total_usd_micro
             || (prev->total_usd_micro == row->total_usd_micro
             &&  strcmp (prev->agent->stx_address,
                         row->agent->stx_address) >= 0)))
        return "rows out of order";
    return "";
}

static const char *
s_check_page (const Balboard__DashboardPage *page, int64_t offset,
              int64_t limit)
{
    size_t expected = (size_t) (AGENTS - offset < limit ? AGENTS - offset
                                                        : limit);
    if (page->n_rows != expected || page->total != AGENTS)
        return "a page of the wrong size";
    long generation = s_generation (page->rows [0]);
    int64_t sum = 0;
    for (size_t i = 0; i < page->n_rows; i++) {
        const char *why = s_check_row (page, i, generation);
        if (*why)
            return why;
        sum += page->rows [i]->total_usd_micro;
    }
    if (expected == AGENTS && sum != page->stats->total_usd_micro)
        return "the rows do not add up to the page's total";
    return "";
}

//  ---------------------------------------------------------------------------
//  The clients

static void *
s_client (void *arg)
{
    client_t *client = arg;
    const int64_t offsets [] = { 0, 0, 10, 50, 99 };
    const int64_t limits [] = { AGENTS, 20, 100 };
    bb_client_t *socket = bb_client_new (client->endpoint, FX_TIMEOUT_MS);
    uint64_t seen_seq = 0;
    while (!atomic_load (client->stop) && client->failure [0] == '\0') {
        int64_t offset = offsets [rand_r (&client->seed) % 5];
        int64_t limit = limits [rand_r (&client->seed) % 3];
        bb_envelope_t *reply = NULL;
        const char *why = "";
        if (bb_client_dashboard (socket, offset, limit, &reply))
            why = bb_client_reason (socket);
        else
        if (reply->dashboard_page->commit_seq < seen_seq)
            why = "a page older than the one before";
        else {
            seen_seq = reply->dashboard_page->commit_seq;
            why = s_check_page (reply->dashboard_page, offset, limit);
        }
        if (*why)
            snprintf (client->failure, sizeof client->failure,
                      "offset %lld limit %lld: %s", (long long) offset,
                      (long long) limit, why);
        bb_wire_envelope_destroy (&reply);
        client->pages++;
    }
    bb_client_destroy (&socket);
    return NULL;
}

//  ---------------------------------------------------------------------------
//  The writer

//  Commit generation: every agent gets STX generation * 1000 + i + 1.
static void
s_commit_generation (fx_store_t *store, long generation, uint64_t t0)
{
    Balboard__BalanceBatch *batch = fx_batch_new ("gen");
    for (unsigned i = 0; i < AGENTS; i++) {
        char stx [FX_ADDRESS_SIZE], ustx [32];
        fx_stx (i, stx);
        snprintf (ustx, sizeof ustx, "%llu",
                  ((unsigned long long) generation * GENERATION + i + 1)
                  * MICRO);
        fx_batch_simple (batch, stx, t0 + (uint64_t) generation, ustx, NULL,
                         NULL);
    }
    fx_commit (store, &batch);
}

static fx_store_t *
s_store (const char *name, const char *const extra [])
{
    fx_store_t *store = fx_store_new (name, extra);
    fx_upsert_range (store, 0, AGENTS);
    assert_int_equal (fx_prices (store, BTC_USD_MICRO, STX_USD_MICRO, 1),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    return store;
}

//  clients ask pages while the writer commits COMMITS generations (and
//  new prices every PRICES_EVERY); then every page was consistent and
//  the store stops with exit 0.
static void
s_pages_under_ingest (const char *name, const char *const extra [],
                      int clients)
{
    fx_store_t *store = s_store (name, extra);
    uint64_t t0 = bb_clock_wall_ms ();
    s_commit_generation (store, 0, t0);
    atomic_bool stop = false;
    client_t client [CLIENTS_MAX];
    pthread_t thread [CLIENTS_MAX];
    for (int c = 0; c < clients; c++) {
        client [c] = (client_t) { store->query, &stop, (unsigned) c + 1, 0,
                                  "" };
        assert_int_equal (pthread_create (&thread [c], NULL, s_client,
                                          &client [c]), 0);
    }
    for (long generation = 1; generation <= COMMITS; generation++) {
        s_commit_generation (store, generation, t0);
        if (generation % PRICES_EVERY == 0)
            assert_int_equal (fx_prices (store, BTC_USD_MICRO,
                                         STX_USD_MICRO + generation,
                                         1 + (uint64_t) generation),
                              BALBOARD__ACK_STATUS__ACK_COMMITTED);
    }
    atomic_store (&stop, true);
    for (int c = 0; c < clients; c++) {
        assert_int_equal (pthread_join (thread [c], NULL), 0);
        if (client [c].failure [0])
            fail_msg ("client %d: %s", c, client [c].failure);
        assert_true (client [c].pages > 0);
    }
    //  The newest page shows the last generation at the last prices
    bb_envelope_t *reply = fx_dashboard (store, 0, AGENTS);
    assert_string_equal (s_check_page (reply->dashboard_page, 0, AGENTS), "");
    assert_int_equal (s_generation (reply->dashboard_page->rows [0]),
                      COMMITS);
    assert_int_equal (reply->dashboard_page->prices->stx_usd_micro,
                      STX_USD_MICRO + COMMITS);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (fx_store_stop (store, SIGTERM), 0);
    fx_store_destroy (&store);
}

//  ---------------------------------------------------------------------------

static void
test_pool_pages_under_ingest (void **state)
{
    const char *const extra [] = { "--readers", "4", NULL };
    s_pages_under_ingest ("pool", extra, 4);
}

static void
test_one_reader (void **state)
{
    const char *const extra [] = { "--readers", "1", NULL };
    s_pages_under_ingest ("one_reader", extra, 2);
}

static void
test_no_cache (void **state)
{
    const char *const extra [] = {
        "--readers", "2", "--reply-cache-entries", "0", NULL
    };
    s_pages_under_ingest ("no_cache", extra, 3);
}

//  The same page twice (the second from the cache) is the same page; a
//  commit or new prices in between show on the next one.
static void
test_cache_dropped_on_commit (void **state)
{
    const char *const extra [] = { "--readers", "2", NULL };
    fx_store_t *store = s_store ("cache", extra);
    uint64_t t0 = bb_clock_wall_ms ();
    int64_t stx_price = STX_USD_MICRO;
    for (long generation = 0; generation < 6; generation++) {
        s_commit_generation (store, generation, t0);
        if (generation % 2) {
            stx_price = STX_USD_MICRO + generation;
            assert_int_equal (fx_prices (store, BTC_USD_MICRO, stx_price,
                                         1 + (uint64_t) generation),
                              BALBOARD__ACK_STATUS__ACK_COMMITTED);
        }
        bb_envelope_t *first = fx_dashboard (store, 0, 10);
        bb_envelope_t *again = fx_dashboard (store, 0, 10);
        const Balboard__DashboardPage *page = first->dashboard_page;
        assert_string_equal (s_check_page (page, 0, 10), "");
        assert_int_equal (s_generation (page->rows [0]), generation);
        assert_int_equal (page->prices->stx_usd_micro, stx_price);
        assert_int_equal (again->dashboard_page->commit_seq,
                          page->commit_seq);
        assert_int_equal (again->dashboard_page->n_rows, page->n_rows);
        for (size_t i = 0; i < page->n_rows; i++)
            assert_int_equal (again->dashboard_page->rows [i]
                                  ->total_usd_micro,
                              page->rows [i]->total_usd_micro);
        bb_wire_envelope_destroy (&first);
        bb_wire_envelope_destroy (&again);
    }
    fx_store_destroy (&store);
}

BB_TEST_MAIN (NULL, NULL,
    cmocka_unit_test (test_pool_pages_under_ingest),
    cmocka_unit_test (test_one_reader),
    cmocka_unit_test (test_no_cache),
    cmocka_unit_test (test_cache_dropped_on_commit))
