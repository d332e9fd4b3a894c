/*  =========================================================================
    store_fixture - a real balboard-store for a test, and batch builders

    Owns one child process, its two clients and its scratch directory.
    Heap batches are built with malloc'd fields only, so protobuf-c's own
    free routine releases them.
    =========================================================================
*/
#include "store_fixture.h"
#include "bb_address.h"
#include "bb_port.h"
#include "bb_clock.h"
#include "bb_scratch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FX_START_TIMEOUT_MS 10000
#define FX_STOP_TIMEOUT_MS  10000

//  ===========================================================================
//  The process

fx_store_t *
fx_store_new (const char *name, const char *const extra [])
{
    fx_store_t *self = calloc (1, sizeof *self);
    assert_non_null (self);
    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    assert_non_null (scratch);
    snprintf (self->dir, sizeof self->dir, "%s/%s", scratch, name);
    assert_int_equal (bb_scratch_remove (self->dir), 0);
    bb_child_args_append (self->args, FX_ARGS_MAX, extra);
    self->ingest_port = bb_port_free ();
    self->query_port = bb_port_free ();
    assert_true (self->ingest_port > 0 && self->query_port > 0);
    assert_int_not_equal (self->ingest_port, self->query_port);
    snprintf (self->ingest, sizeof self->ingest, "tcp://127.0.0.1:%d",
              self->ingest_port);
    snprintf (self->query, sizeof self->query, "tcp://127.0.0.1:%d",
              self->query_port);
    self->in = bb_client_new (self->ingest, FX_TIMEOUT_MS);
    self->out = bb_client_new (self->query, FX_TIMEOUT_MS);
    assert_non_null (self->in);
    assert_non_null (self->out);
    for (unsigned index = 0; index < FX_NAMED; index++)
        fx_stx (index, self->stx [index]);
    fx_store_start (self);
    return self;
}

void
fx_store_start (fx_store_t *self)
{
    bb_child_destroy (&self->process);
    //  BALBOARD_TEST_STORE_LOG=debug shows the store's every round
    const char *log_level = getenv ("BALBOARD_TEST_STORE_LOG");
    const char *args [FX_ARGS_MAX + 12] = {
        "--data-dir", self->dir, "--ingest-bind", self->ingest,
        "--query-bind", self->query, "--log-level",
        log_level ? log_level : "warn"
    };
    bb_child_args_append (args, sizeof args / sizeof args [0], self->args);
    self->process = bb_child_start ("balboard-store", args, NULL,
                                    self->query_port, FX_START_TIMEOUT_MS);
    if (!self->process)
        fail_msg ("balboard-store did not start on %s", self->query);
    assert_int_equal (bb_child_wait_port (self->process, self->ingest_port,
                                          FX_START_TIMEOUT_MS), 0);
}

int
fx_store_stop (fx_store_t *self, int signum)
{
    return bb_child_stop (self->process, signum, FX_STOP_TIMEOUT_MS);
}

void
fx_store_destroy (fx_store_t **self_p)
{
    fx_store_t *self = *self_p;
    if (!self)
        return;
    if (self->process && bb_child_running (self->process))
        assert_int_equal (fx_store_stop (self, SIGTERM), 0);
    bb_child_destroy (&self->process);
    bb_client_destroy (&self->in);
    bb_client_destroy (&self->out);
    free (self);
    *self_p = NULL;
}

fx_store_t *
fx_store_agents (void **state, unsigned count)
{
    fx_store_t *store = *state;
    fx_upsert_range (store, 0, count);
    return store;
}

int
fx_store_teardown (void **state)
{
    fx_store_t *store = *state;
    fx_store_destroy (&store);
    return 0;
}

//  ===========================================================================
//  Addresses

//  Write index big-endian into bytes [1..4]: each index its own hash.
static void
s_put_index (unsigned char *bytes, unsigned index)
{
    bytes [1] = (unsigned char) (index >> 24);
    bytes [2] = (unsigned char) (index >> 16);
    bytes [3] = (unsigned char) (index >> 8);
    bytes [4] = (unsigned char) index;
}

void
fx_stx (unsigned index, char *buf)
{
    unsigned char hash [20] = { 0x42 };
    s_put_index (hash, index);
    assert_int_equal (bb_address_make_stx (BB_STX_VERSION_MAINNET_SINGLESIG,
                                           hash, buf, FX_ADDRESS_SIZE), 0);
}

void
fx_btc (unsigned index, char *buf)
{
    unsigned char program [20] = { 0x17 };
    s_put_index (program, index);
    assert_int_equal (bb_address_make_segwit ("bc", 0, program,
                                              sizeof program, buf,
                                              FX_ADDRESS_SIZE), 0);
}

//  ===========================================================================
//  Registry

static char *
s_strdup (const char *text)
{
    char *copy = strdup (text);
    assert_non_null (copy);
    return copy;
}

void
fx_upsert_range (fx_store_t *self, unsigned first, unsigned count)
{
    Balboard__Agent **agents = calloc (count, sizeof *agents);
    assert_non_null (agents);
    for (unsigned i = 0; i < count; i++) {
        char stx [FX_ADDRESS_SIZE], btc [FX_ADDRESS_SIZE], name [32];
        fx_stx (first + i, stx);
        fx_btc (first + i, btc);
        snprintf (name, sizeof name, "agent-%u", first + i);
        agents [i] = malloc (sizeof (Balboard__Agent));
        assert_non_null (agents [i]);
        balboard__agent__init (agents [i]);
        agents [i]->stx_address = s_strdup (stx);
        agents [i]->btc_address = s_strdup (btc);
        agents [i]->display_name = s_strdup (name);
        agents [i]->level = (first + i) % 3;
        agents [i]->level_name = s_strdup ("Genesis");
    }
    bb_envelope_t *reply;
    assert_int_equal (bb_client_agent_upsert (self->in, agents, count,
                                              &reply), 0);
    const Balboard__AgentAck *ack = reply->agent_ack;
    assert_int_equal (ack->n_rejected, 0);
    assert_int_equal (ack->inserted + ack->updated + ack->unchanged, count);
    bb_wire_envelope_destroy (&reply);
    for (unsigned i = 0; i < count; i++)
        balboard__agent__free_unpacked (agents [i], NULL);
    free (agents);
}

//  ===========================================================================
//  Batches

#define S_PUSH(array, count, item) do { \
    (array) = realloc ((array), ((count) + 1) * sizeof *(array)); \
    assert_non_null (array); \
    (array) [(count)++] = (item); \
} while (0)

Balboard__BalanceBatch *
fx_batch_new (const char *job_id)
{
    Balboard__BalanceBatch *batch = malloc (sizeof *batch);
    assert_non_null (batch);
    balboard__balance_batch__init (batch);
    batch->job_id = s_strdup (job_id);
    batch->attempt = 1;
    return batch;
}

void
fx_batch_destroy (Balboard__BalanceBatch **batch_p)
{
    if (*batch_p)
        balboard__balance_batch__free_unpacked (*batch_p, NULL);
    *batch_p = NULL;
}

Balboard__AgentResult *
fx_batch_agent (Balboard__BalanceBatch *batch, const char *stx,
                uint64_t captured_at_ms)
{
    Balboard__AgentResult *agent = malloc (sizeof *agent);
    assert_non_null (agent);
    balboard__agent_result__init (agent);
    agent->stx_address = s_strdup (stx);
    agent->captured_at_ms = captured_at_ms;
    S_PUSH (batch->agents, batch->n_agents, agent);
    return agent;
}

Balboard__SourceResult *
fx_agent_source (Balboard__AgentResult *agent, Balboard__Upstream upstream,
                 Balboard__FetchStatus status)
{
    Balboard__SourceResult *source = malloc (sizeof *source);
    assert_non_null (source);
    balboard__source_result__init (source);
    source->upstream = upstream;
    source->status = status;
    S_PUSH (agent->sources, agent->n_sources, source);
    return source;
}

void
fx_source_balance (Balboard__SourceResult *source, const char *token_id,
                   const char *amount)
{
    Balboard__TokenBalance *balance = malloc (sizeof *balance);
    assert_non_null (balance);
    balboard__token_balance__init (balance);
    balance->token_id = s_strdup (token_id);
    balance->amount = s_strdup (amount);
    S_PUSH (source->balances, source->n_balances, balance);
}

void
fx_batch_prices (Balboard__BalanceBatch *batch, int64_t btc_usd_micro,
                 int64_t stx_usd_micro, uint64_t priced_at_ms)
{
    batch->prices = malloc (sizeof *batch->prices);
    assert_non_null (batch->prices);
    balboard__price_snapshot__init (batch->prices);
    batch->prices->btc_usd_micro = btc_usd_micro;
    batch->prices->stx_usd_micro = stx_usd_micro;
    batch->prices->priced_at_ms = priced_at_ms;
}

void
fx_batch_meta (Balboard__BalanceBatch *batch, const char *contract,
               const char *symbol, uint32_t decimals, bool known)
{
    Balboard__TokenMeta *meta = malloc (sizeof *meta);
    assert_non_null (meta);
    balboard__token_meta__init (meta);
    meta->contract = s_strdup (contract);
    meta->symbol = s_strdup (symbol);
    meta->decimals = decimals;
    meta->known = known;
    S_PUSH (batch->token_meta, batch->n_token_meta, meta);
}

void
fx_batch_simple (Balboard__BalanceBatch *batch, const char *stx,
                 uint64_t captured_at_ms, const char *ustx, const char *sbtc,
                 const char *sats)
{
    Balboard__AgentResult *agent = fx_batch_agent (batch, stx,
                                                   captured_at_ms);
    Balboard__SourceResult *hiro = fx_agent_source (
        agent, BALBOARD__UPSTREAM__UPSTREAM_HIRO,
        BALBOARD__FETCH_STATUS__FETCH_OK);
    if (ustx)
        fx_source_balance (hiro, "stx", ustx);
    if (sbtc)
        fx_source_balance (hiro, FX_SBTC, sbtc);
    Balboard__SourceResult *mempool = fx_agent_source (
        agent, BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL,
        BALBOARD__FETCH_STATUS__FETCH_OK);
    if (sats)
        fx_source_balance (mempool, "btc-l1", sats);
}

Balboard__AckStatus
fx_send (fx_store_t *self, const Balboard__BalanceBatch *batch,
         uint32_t *rows, char *reason)
{
    bb_envelope_t *reply;
    int rc = bb_client_balance_batch (self->in, batch, &reply);
    if (rc)
        fail_msg ("batch: %s", bb_client_reason (self->in));
    Balboard__AckStatus status = reply->batch_ack->status;
    assert_string_equal (reply->batch_ack->job_id, batch->job_id);
    if (rows)
        *rows = reply->batch_ack->rows_written;
    if (reason)
        snprintf (reason, BB_REASON_SIZE, "%s",
                  reply->batch_ack->reason);
    bb_wire_envelope_destroy (&reply);
    return status;
}

void
fx_commit (fx_store_t *self, Balboard__BalanceBatch **batch_p)
{
    assert_int_equal (fx_send (self, *batch_p, NULL, NULL),
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);
    fx_batch_destroy (batch_p);
}

Balboard__AckStatus
fx_prices (fx_store_t *self, int64_t btc_usd_micro, int64_t stx_usd_micro,
           uint64_t priced_at_ms)
{
    Balboard__PriceSnapshot prices = BALBOARD__PRICE_SNAPSHOT__INIT;
    prices.btc_usd_micro = btc_usd_micro;
    prices.stx_usd_micro = stx_usd_micro;
    prices.priced_at_ms = priced_at_ms;
    bb_envelope_t *reply;
    int rc = bb_client_price_snapshot (self->in, &prices, &reply);
    if (rc)
        fail_msg ("prices: %s", bb_client_reason (self->in));
    Balboard__AckStatus status = reply->batch_ack->status;
    bb_wire_envelope_destroy (&reply);
    return status;
}

//  ===========================================================================
//  Queries

void
fx_assert_error (bb_client_t *client, int rc, Balboard__ErrorReply__Code code)
{
    assert_int_equal (rc, BB_CLIENT_ERROR_REPLY);
    assert_int_equal (bb_client_error_code (client), code);
}

bb_envelope_t *
fx_dashboard (fx_store_t *self, int64_t offset, int64_t limit)
{
    bb_envelope_t *reply;
    if (bb_client_dashboard (self->out, offset, limit, &reply))
        fail_msg ("dashboard: %s", bb_client_reason (self->out));
    return reply;
}

bb_envelope_t *
fx_agent (fx_store_t *self, const char *stx)
{
    bb_envelope_t *reply;
    if (bb_client_agent (self->out, stx, 0, &reply))
        fail_msg ("agent: %s", bb_client_reason (self->out));
    return reply;
}

bb_envelope_t *
fx_stats (fx_store_t *self)
{
    bb_envelope_t *reply;
    if (bb_client_stats (self->out, &reply))
        fail_msg ("stats: %s", bb_client_reason (self->out));
    return reply;
}

Balboard__TokenPosition *
fx_token (Balboard__DashboardRow *row, const char *token_id)
{
    for (size_t i = 0; i < row->n_tokens; i++)
        if (strcmp (row->tokens [i]->token_id, token_id) == 0)
            return row->tokens [i];
    return NULL;
}

//  ---------------------------------------------------------------------------
//  Store full

unsigned
fx_fill_until_full (fx_store_t *self, unsigned first, const char *reason)
{
    unsigned registered = first;
    while (true) {
        Balboard__Agent **agents = calloc (FX_FULL_CHUNK, sizeof *agents);
        for (unsigned i = 0; i < FX_FULL_CHUNK; i++) {
            char stx [FX_ADDRESS_SIZE], btc [FX_ADDRESS_SIZE];
            fx_stx (registered + i, stx);
            fx_btc (registered + i, btc);
            agents [i] = calloc (1, sizeof (Balboard__Agent));
            balboard__agent__init (agents [i]);
            agents [i]->stx_address = s_strdup (stx);
            agents [i]->btc_address = s_strdup (btc);
            agents [i]->display_name = s_strdup ("a rather long display "
                                                 "name to fill the map");
        }
        bb_envelope_t *reply;
        int rc = bb_client_agent_upsert (self->in, agents, FX_FULL_CHUNK,
                                         &reply);
        for (unsigned i = 0; i < FX_FULL_CHUNK; i++)
            balboard__agent__free_unpacked (agents [i], NULL);
        free (agents);
        if (rc) {
            fx_assert_error (self->in, rc,
                             BALBOARD__ERROR_REPLY__CODE__RESOURCE_EXHAUSTED);
            assert_string_equal (bb_client_reason (self->in), reason);
            return registered;
        }
        assert_int_equal (reply->agent_ack->inserted, FX_FULL_CHUNK);
        registered += FX_FULL_CHUNK;
        bb_wire_envelope_destroy (&reply);
        assert_true (registered < 1000000);
    }
}

void
fx_commit_kept (fx_store_t *self)
{
    fx_upsert_range (self, 0, 1);
    Balboard__BalanceBatch *batch = fx_batch_new ("kept.1");
    fx_batch_simple (batch, self->stx [0], bb_clock_wall_ms (), FX_KEPT_USTX,
                     NULL, "3000");
    fx_commit (self, &batch);
}

void
fx_assert_kept (fx_store_t *self)
{
    bb_envelope_t *reply = fx_agent (self, self->stx [0]);
    Balboard__TokenPosition *position =
        fx_token (reply->agent_detail->row, "stx");
    assert_non_null (position);
    assert_string_equal (position->balance, FX_KEPT_USTX);
    bb_wire_envelope_destroy (&reply);
}
