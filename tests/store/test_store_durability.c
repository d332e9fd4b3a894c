/*  test_store_durability - what survives a stop of a real balboard-store:
    a clean restart reopens the same data; a SIGKILL while batches stream
    in loses no acked batch and leaves no batch half-applied; a full map
    grows, then rejects with "store full", counted in the stats, and
    never corrupts; a reader slot left by a killed process is cleared at
    start; history older than the retention window is swept. */
#include "store_fixture.h"
#include "bb_test_main.h"
#include "bb_clock.h"
#include "bb_test_command.h"

#include <lmdb.h>
#include <sys/wait.h>
#include <unistd.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MS  (24ULL * 3600 * 1000)

//  ---------------------------------------------------------------------------
//  SIGTERM stops cleanly (exit 0); a restart serves the same data.

static void
test_restart_reopens (void **state)
{
    fx_store_t *store = fx_store_new ("restart", NULL);
    fx_upsert_range (store, 0, 50);
    Balboard__BalanceBatch *batch = fx_batch_new ("1.0");
    for (unsigned i = 0; i < 50; i += 2) {
        char stx [FX_ADDRESS_SIZE], amount [16];
        fx_stx (i, stx);
        snprintf (amount, sizeof amount, "%u", 1000 + i);
        fx_batch_simple (batch, stx, bb_clock_wall_ms (), amount, "5", "9");
    }
    fx_batch_prices (batch, 40000000000, 1000000, bb_clock_wall_ms ());
    assert_int_equal (fx_send (store, batch, NULL, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    bb_envelope_t *before = fx_dashboard (store, 0, 500);
    bb_envelope_t *stats_before = fx_stats (store);

    assert_int_equal (fx_store_stop (store, SIGTERM), 0);
    fx_store_start (store);
    bb_envelope_t *after = fx_dashboard (store, 0, 500);
    bb_envelope_t *stats_after = fx_stats (store);
    //  The same page, byte for byte
    size_t size = balboard__dashboard_page__get_packed_size (
        before->dashboard_page);
    assert_int_equal (balboard__dashboard_page__get_packed_size (
                          after->dashboard_page), size);
    uint8_t *a = malloc (size), *b = malloc (size);
    balboard__dashboard_page__pack (before->dashboard_page, a);
    balboard__dashboard_page__pack (after->dashboard_page, b);
    assert_memory_equal (a, b, size);
    free (a);
    free (b);
    assert_int_equal (stats_after->store_stats->balance_rows,
                      stats_before->store_stats->balance_rows);
    assert_int_equal (stats_after->store_stats->batches_committed, 1);
    //  A replay after the restart is still a duplicate
    assert_int_equal (fx_send (store, batch, NULL, NULL),
                      BALBOARD__ACK_STATUS__ACK_DUPLICATE);
    bb_wire_envelope_destroy (&before);
    bb_wire_envelope_destroy (&after);
    bb_wire_envelope_destroy (&stats_before);
    bb_wire_envelope_destroy (&stats_after);
    fx_batch_destroy (&batch);
    fx_store_destroy (&store);
}

//  ---------------------------------------------------------------------------
//  SIGKILL mid-stream. Batch k sets agents k*10 .. k*10+9, each to values
//  only that batch writes, so after a restart every batch is visibly
//  all there or not there at all.

#define KILL_AGENTS         4000
#define KILL_PER_BATCH      10
#define KILL_BATCHES        (KILL_AGENTS / KILL_PER_BATCH)
#define KILL_WINDOW         16          // batches in flight
#define KILL_AFTER_ACKS     120

//  Row j of kill batch k: the agent and the balances only that batch
//  writes.
typedef struct {
    char stx [FX_ADDRESS_SIZE];
    char ustx [24];                 // STX balance
    char sats [24];                 // BTC balance
} kill_row_t;

static void
s_kill_row (unsigned k, unsigned j, kill_row_t *row)
{
    unsigned index = k * KILL_PER_BATCH + j;
    fx_stx (index, row->stx);
    snprintf (row->ustx, sizeof row->ustx, "%u", index * 1000 + 7);
    snprintf (row->sats, sizeof row->sats, "%u", k + 1);
}

static Balboard__BalanceBatch *
s_kill_batch (unsigned k, uint64_t base_ms)
{
    char job [32];
    snprintf (job, sizeof job, "kill.%u", k);
    Balboard__BalanceBatch *batch = fx_batch_new (job);
    for (unsigned j = 0; j < KILL_PER_BATCH; j++) {
        kill_row_t expected;
        s_kill_row (k, j, &expected);
        fx_batch_simple (batch, expected.stx, base_ms + k, expected.ustx,
                         NULL, expected.sats);
    }
    return batch;
}

static void
s_send_raw (zsock_t *dealer, unsigned k, uint64_t base_ms)
{
    Balboard__BalanceBatch *batch = s_kill_batch (k, base_ms);
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.request_id = k + 1;
    envelope.body_case = BALBOARD__ENVELOPE__BODY_BALANCE_BATCH;
    envelope.balance_batch = batch;
    assert_int_equal (bb_wire_send (dealer, NULL, &envelope), 0);
    fx_batch_destroy (&batch);
}

//  Stream batches with KILL_WINDOW in flight; SIGKILL the store once
//  KILL_AFTER_ACKS acks came. Marks acked [k] for each committed ack.
static void
s_stream_and_kill (fx_store_t *store, bool *acked, uint64_t base_ms)
{
    char attach [80];
    snprintf (attach, sizeof attach, ">%s", store->ingest);
    zsock_t *dealer = bb_wire_socket_new (ZMQ_DEALER, attach);
    zsock_set_rcvtimeo (dealer, FX_TIMEOUT_MS);
    unsigned sent = 0, acks = 0;
    for (; sent < KILL_WINDOW; sent++)
        s_send_raw (dealer, sent, base_ms);
    while (acks < KILL_AFTER_ACKS) {
        bb_wire_msg_t msg = { 0 };
        assert_int_equal (bb_wire_recv (dealer, &msg), BB_WIRE_OK);
        assert_int_equal (msg.envelope->body_case,
                          BALBOARD__ENVELOPE__BODY_BATCH_ACK);
        assert_int_equal (msg.envelope->batch_ack->status,
                          BALBOARD__ACK_STATUS__ACK_COMMITTED);
        acked [msg.envelope->request_id - 1] = true;
        acks++;
        bb_wire_msg_reset (&msg);
        if (sent < KILL_BATCHES)
            s_send_raw (dealer, sent++, base_ms);
    }
    //  The store goes on with the window meanwhile: the kill lands in a
    //  round, and batches it commits now are never acked
    bb_clock_sleep_ms (1 + (long) (bb_clock_wall_ms () % 3));
    assert_int_equal (fx_store_stop (store, SIGKILL), 128 + SIGKILL);
    zsock_destroy (&dealer);
}

//  How many of batch k's agents show exactly what batch k wrote; fail if
//  an agent shows anything else but "pending".
static unsigned
s_batch_present (zhashx_t *rows, unsigned k)
{
    unsigned present = 0;
    for (unsigned j = 0; j < KILL_PER_BATCH; j++) {
        kill_row_t expected;
        s_kill_row (k, j, &expected);
        Balboard__DashboardRow *row = zhashx_lookup (rows, expected.stx);
        assert_non_null (row);
        if (row->fetch_state
            == BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING) {
            assert_int_equal (row->n_tokens, 0);
            continue;
        }
        assert_int_equal (row->fetch_state,
                          BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK);
        assert_string_equal (fx_token (row, "stx")->balance, expected.ustx);
        assert_string_equal (fx_token (row, "btc-l1")->balance,
                             expected.sats);
        present++;
    }
    return present;
}

//  Every agent's dashboard row by address (rows owned by pages).
static zhashx_t *
s_all_rows (fx_store_t *store, zlist_t *pages)
{
    zhashx_t *rows = zhashx_new ();
    for (int64_t offset = 0; offset < KILL_AGENTS; offset += 500) {
        bb_envelope_t *page = fx_dashboard (store, offset, 500);
        for (size_t i = 0; i < page->dashboard_page->n_rows; i++) {
            Balboard__DashboardRow *row = page->dashboard_page->rows [i];
            zhashx_insert (rows, row->agent->stx_address, row);
        }
        zlist_append (pages, page);
    }
    assert_int_equal (zhashx_size (rows), KILL_AGENTS);
    return rows;
}

static void
s_free_pages (zlist_t **pages_p)
{
    bb_envelope_t *page;
    while ((page = zlist_pop (*pages_p)))
        bb_wire_envelope_destroy (&page);
    zlist_destroy (pages_p);
}

static void
test_sigkill_mid_stream (void **state)
{
    fx_store_t *store = fx_store_new ("sigkill", NULL);
    fx_upsert_range (store, 0, KILL_AGENTS);
    uint64_t base_ms = bb_clock_wall_ms ();
    bool acked [KILL_BATCHES] = { false };
    s_stream_and_kill (store, acked, base_ms);

    fx_store_start (store);
    zlist_t *pages = zlist_new ();
    zhashx_t *rows = s_all_rows (store, pages);
    unsigned complete = 0, acked_count = 0;
    for (unsigned k = 0; k < KILL_BATCHES; k++) {
        unsigned present = s_batch_present (rows, k);
        assert_true (present == 0 || present == KILL_PER_BATCH);
        if (acked [k]) {
            acked_count++;
            assert_int_equal (present, KILL_PER_BATCH);
        }
        if (present)
            complete++;
    }
    assert_true (acked_count >= KILL_AFTER_ACKS);
    assert_true (complete >= acked_count);
    print_message ("acked %u batches, %u present after the restart\n",
                   acked_count, complete);
    bb_envelope_t *stats = fx_stats (store);
    assert_int_equal (stats->store_stats->batches_committed, complete);
    assert_int_equal (stats->store_stats->agents_fetched,
                      complete * KILL_PER_BATCH);
    bb_wire_envelope_destroy (&stats);
    zhashx_destroy (&rows);
    s_free_pages (&pages);

    //  The fetchers resend what was not acked: each is applied once
    for (unsigned k = 0; k < KILL_BATCHES; k++) {
        if (acked [k])
            continue;
        Balboard__BalanceBatch *batch = s_kill_batch (k, base_ms);
        Balboard__AckStatus status = fx_send (store, batch, NULL, NULL);
        assert_true (status == BALBOARD__ACK_STATUS__ACK_COMMITTED
                     || status == BALBOARD__ACK_STATUS__ACK_DUPLICATE);
        fx_batch_destroy (&batch);
    }
    pages = zlist_new ();
    rows = s_all_rows (store, pages);
    for (unsigned k = 0; k < KILL_BATCHES; k++)
        assert_int_equal (s_batch_present (rows, k), KILL_PER_BATCH);
    zhashx_destroy (&rows);
    s_free_pages (&pages);
    fx_store_destroy (&store);
}

//  ---------------------------------------------------------------------------
//  A full map doubles up to its maximum, then writes are refused with
//  RESOURCE_EXHAUSTED "store full", counted in the stats; reads go on,
//  what was committed before stays, and a restart with a larger maximum
//  resumes writing with every acknowledged write there.

static void
test_map_growth_and_full (void **state)
{
    const char *args [] = {
        "--map-size-mb", "1", "--map-size-max-mb", "2", NULL
    };
    fx_store_t *store = fx_store_new ("mapfull", args);
    fx_commit_kept (store);
    uint64_t filling = bb_clock_wall_ms ();
    unsigned registered = fx_fill_until_full (store, 1, "store full");
    //  The map grew to its maximum and counts the refusal; what was
    //  committed before is there
    bb_envelope_t *stats = fx_stats (store);
    assert_int_equal (stats->store_stats->map_size, 2 << 20);
    assert_int_equal (stats->store_stats->agents, registered);
    assert_true (stats->store_stats->writes_refused_full >= 1);
    assert_true (stats->store_stats->store_full_since_ms >= filling);
    bb_wire_envelope_destroy (&stats);
    fx_assert_kept (store);
    Balboard__BalanceBatch *batch = fx_batch_new ("full.1");
    for (unsigned i = 0; i < 100; i++) {
        char stx [FX_ADDRESS_SIZE];
        fx_stx (i, stx);
        fx_batch_simple (batch, stx, bb_clock_wall_ms (), "1000", "2000",
                         "3000");
    }
    //  It fits, or the store says it is full: never a half-applied batch
    bb_envelope_t *ack = NULL;
    int sent = bb_client_balance_batch (store->in, batch, &ack);
    if (sent) {
        fx_assert_error (store->in, sent,
                         BALBOARD__ERROR_REPLY__CODE__RESOURCE_EXHAUSTED);
        assert_string_equal (bb_client_reason (store->in), "store full");
    }
    Balboard__AckStatus status =
        ack ? ack->batch_ack->status
            : BALBOARD__ACK_STATUS__ACK_STATUS_UNSPECIFIED;
    bb_wire_envelope_destroy (&ack);
    printf ("store full after %u agents; the batch was %s\n", registered,
            sent ? "refused" : "committed");

    //  Restart with a larger maximum: every acknowledged write is there,
    //  the store is no longer full, and writes resume
    assert_int_equal (fx_store_stop (store, SIGTERM), 0);
    store->args [3] = "64";
    fx_store_start (store);
    stats = fx_stats (store);
    assert_int_equal (stats->store_stats->agents, registered);
    assert_int_equal (stats->store_stats->batches_committed,
                      1 + (status == BALBOARD__ACK_STATUS__ACK_COMMITTED));
    assert_int_equal (stats->store_stats->store_full_since_ms, 0);
    bb_wire_envelope_destroy (&stats);
    fx_assert_kept (store);
    fx_upsert_range (store, registered, FX_FULL_CHUNK);
    for (size_t i = 0; i < batch->n_agents; i++)
        batch->agents [i]->captured_at_ms = bb_clock_wall_ms ();
    fx_commit (store, &batch);
    fx_store_destroy (&store);
}

//  ---------------------------------------------------------------------------
//  The reader slot of a process killed inside a read transaction is
//  cleared when the store opens, and logged with the count. LMDB resets
//  its reader table itself when no other process has the environment
//  open, so the test keeps it open (as a backup or an mdb_stat would)
//  while the store starts.

//  Fork a process that opens dir's environment and a read transaction,
//  then waits to be killed; returns its pid once the transaction is open.
static pid_t
s_reader_child (const char *dir)
{
    int ready [2];
    assert_int_equal (pipe (ready), 0);
    pid_t pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0) {
        MDB_env *env;
        MDB_txn *txn;
        if (mdb_env_create (&env) || mdb_env_set_maxdbs (env, 8)
        ||  mdb_env_open (env, dir, MDB_NOTLS, 0640)
        ||  mdb_txn_begin (env, NULL, MDB_RDONLY, &txn))
            _exit (1);
        if (write (ready [1], "r", 1) != 1)
            _exit (1);
        pause ();
        _exit (0);
    }
    close (ready [1]);
    char byte;
    assert_int_equal (read (ready [0], &byte, 1), 1);
    close (ready [0]);
    return pid;
}

static void
test_stale_reader_cleared (void **state)
{
    fx_store_t *store = fx_store_new ("stalereader", NULL);
    fx_upsert_range (store, 0, 3);
    assert_int_equal (fx_store_stop (store, SIGTERM), 0);
    MDB_env *holder;
    assert_int_equal (mdb_env_create (&holder), 0);
    assert_int_equal (mdb_env_set_maxdbs (holder, 8), 0);
    assert_int_equal (mdb_env_open (holder, store->dir, MDB_NOTLS, 0640), 0);
    pid_t reader = s_reader_child (store->dir);
    assert_int_equal (kill (reader, SIGKILL), 0);
    assert_int_equal (waitpid (reader, NULL, 0), reader);

    //  The store opens the data, clears the slot, then stops at once on a
    //  query endpoint it cannot bind
    char *path = bb_child_bin_path ("balboard-store");
    const char *argv [] = {
        path, "--data-dir", store->dir, "--query-bind", "nowhere://x", NULL
    };
    bb_test_command_t run;
    assert_int_equal (bb_test_command_run (argv, NULL, NULL, FX_TIMEOUT_MS,
                                           &run), 0);
    printf ("%s", run.err);
    assert_int_equal (run.status, 1);
    assert_non_null (strstr (run.err, "stale_readers_cleared"));
    assert_non_null (strstr (run.err, "count=1"));
    bb_test_command_reset (&run);
    free (path);
    mdb_env_close (holder);
    //  The store serves the data as before
    fx_store_start (store);
    bb_envelope_t *stats = fx_stats (store);
    assert_int_equal (stats->store_stats->agents, 3);
    bb_wire_envelope_destroy (&stats);
    fx_store_destroy (&store);
}

//  ---------------------------------------------------------------------------
//  History older than the window goes, except a series' newest point.

static size_t
s_points (fx_store_t *store, const char *stx, const char *token_id)
{
    bb_envelope_t *reply = fx_agent (store, stx);
    size_t points = 0;
    for (size_t i = 0; i < reply->agent_detail->n_history; i++)
        if (strcmp (reply->agent_detail->history [i]->token_id, token_id)
            == 0)
            points++;
    bb_wire_envelope_destroy (&reply);
    return points;
}

static void
test_history_retention (void **state)
{
    const char *args [] = {
        "--history-days", "1", "--retention-interval-ms", "100", NULL
    };
    fx_store_t *store = fx_store_new ("retention", args);
    fx_upsert_range (store, 0, 2);
    const char *a = store->stx [0];
    const char *b = store->stx [1];
    uint64_t now = bb_clock_wall_ms ();
    const char *amounts [] = { "100", "200", "300" };
    const uint64_t ages [] = { 3 * DAY_MS, 2 * DAY_MS, 0 };
    for (size_t i = 0; i < 3; i++) {
        Balboard__BalanceBatch *batch = fx_batch_new ("r.a");
        fx_batch_simple (batch, a, now - ages [i], amounts [i], NULL, NULL);
        if (i == 0)
            fx_batch_simple (batch, b, now - 5 * DAY_MS, "50", NULL, NULL);
        fx_commit (store, &batch);
    }
    //  The sweep runs every 100 ms: wait for it
    for (int tries = 0; tries < 100 && s_points (store, a, "stx") > 1;
         tries++)
        bb_clock_sleep_ms (50);
    bb_envelope_t *reply = fx_agent (store, a);
    assert_int_equal (reply->agent_detail->n_history, 1);
    assert_string_equal (reply->agent_detail->history [0]->balance, "300");
    assert_int_equal (reply->agent_detail->history [0]->captured_at_ms, now);
    bb_wire_envelope_destroy (&reply);
    //  b's only point is 5 days old but the newest of its series: kept
    reply = fx_agent (store, b);
    assert_int_equal (reply->agent_detail->n_history, 1);
    assert_string_equal (reply->agent_detail->history [0]->balance, "50");
    bb_wire_envelope_destroy (&reply);
    bb_envelope_t *stats = fx_stats (store);
    assert_int_equal (stats->store_stats->history_rows, 2);
    bb_wire_envelope_destroy (&stats);
    fx_store_destroy (&store);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test (test_restart_reopens),
        cmocka_unit_test (test_sigkill_mid_stream),
        cmocka_unit_test (test_map_growth_and_full),
        cmocka_unit_test (test_stale_reader_cleared),
        cmocka_unit_test (test_history_retention))
