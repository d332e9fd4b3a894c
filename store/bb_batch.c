/*  =========================================================================
    bb_batch - a balance batch or price snapshot, checked and applied

    Owns the batch rules. Validation is pure and complete, so applying
    never meets bad input: apply fails only on LMDB errors. The newest
    captured_at applied per (agent, source) lives in the agent's totals
    record next to the valued components, so one get decides whether a
    result is new and one put records it. An agent without a totals
    record is not in the registry (bb_registry keeps the two together).
    =========================================================================
*/
#include "bb_batch.h"
#include "bb_pb.h"
#include "bb_reason.h"
#include "bb_text.h"
#include "bb_token.h"

#include <stdio.h>
#include <string.h>

//  Most decimals a u128 amount can use (2^128-1 has 39 digits).
#define BB_DECIMALS_MAX 38

//  Longest bad value echoed in a reason.
#define BB_ECHO_MAX "48"

static const char *
s_str (const char *text)
{
    return text ? text : "";
}

//  Source slot of an upstream, or -1 for one that reports no balances.
static int
s_source_index (Balboard__Upstream upstream)
{
    bb_upstream_t index;
    if (bb_upstream_from_wire (upstream, &index)
    ||  !bb_upstream_is_source (index))
        return -1;
    return (int) index;
}

static bool
s_status_known (Balboard__FetchStatus status)
{
    return status >= BALBOARD__FETCH_STATUS__FETCH_OK
        && status <= BALBOARD__FETCH_STATUS__FETCH_TRANSPORT;
}

//  ===========================================================================
//  Validation

static int
s_validate_balances (const Balboard__SourceResult *source, size_t agent,
                     bb_network_t network, char *reason, size_t size)
{
    bb_upstream_t index = (bb_upstream_t) s_source_index (source->upstream);
    for (size_t k = 0; k < source->n_balances; k++) {
        const char *token = s_str (source->balances [k]->token_id);
        const char *amount = s_str (source->balances [k]->amount);
        const char *why;
        if (bb_token_check (token, index, network, &why))
            return bb_reason_fail (reason, size, "agents[%zu]: token '%."
                           BB_ECHO_MAX "s': %s", agent, token, why);
        if (bb_u128_parse (amount, NULL, &why))
            return bb_reason_fail (reason, size, "agents[%zu]: token '%."
                           BB_ECHO_MAX "s': bad amount '%." BB_ECHO_MAX
                           "s' (%s)", agent, token, amount, why);
        for (size_t m = 0; m < k; m++)
            if (strcmp (s_str (source->balances [m]->token_id), token) == 0)
                return bb_reason_fail (reason, size, "agents[%zu]: token '%."
                               BB_ECHO_MAX "s' repeated", agent, token);
    }
    return 0;
}

static int
s_validate_agent (const Balboard__AgentResult *result, size_t agent,
                  bb_network_t network, char *reason, size_t size)
{
    const char *stx = s_str (result->stx_address);
    const char *why = "too long";
    if (strlen (stx) >= BB_STX_SIZE
    ||  bb_address_check_stx (stx, network, &why))
        return bb_reason_fail (reason, size, "agents[%zu]: invalid stx address '%."
                       BB_ECHO_MAX "s' (%s)", agent, stx, why);
    if (result->captured_at_ms == 0)
        return bb_reason_fail (reason, size, "agents[%zu]: captured_at_ms missing",
                       agent);
    bool seen [BB_UPSTREAM_SOURCES] = { false, false };
    for (size_t j = 0; j < result->n_sources; j++) {
        const Balboard__SourceResult *source = result->sources [j];
        int index = s_source_index (source->upstream);
        if (index < 0)
            return bb_reason_fail (reason, size, "agents[%zu]: unknown upstream %d",
                           agent, (int) source->upstream);
        if (seen [index])
            return bb_reason_fail (reason, size, "agents[%zu]: upstream %d repeated",
                           agent, (int) source->upstream);
        seen [index] = true;
        if (!s_status_known (source->status))
            return bb_reason_fail (reason, size, "agents[%zu]: unknown fetch status "
                           "%d", agent, (int) source->status);
        if (source->status == BALBOARD__FETCH_STATUS__FETCH_OK
        &&  s_validate_balances (source, agent, network, reason, size))
            return -1;
    }
    return 0;
}

static int
s_compare_stx (const void *a, const void *b)
{
    const Balboard__AgentResult *left = *(Balboard__AgentResult *const *) a;
    const Balboard__AgentResult *right = *(Balboard__AgentResult *const *) b;
    return strcmp (s_str (left->stx_address), s_str (right->stx_address));
}

//  Reject a batch that names an agent twice (sorted copy, O(n log n)).
static int
s_validate_unique (const Balboard__BalanceBatch *batch, char *reason,
                   size_t size)
{
    if (batch->n_agents < 2)
        return 0;
    Balboard__AgentResult **sorted =
        malloc (batch->n_agents * sizeof *sorted);
    assert (sorted);
    memcpy (sorted, batch->agents, batch->n_agents * sizeof *sorted);
    qsort (sorted, batch->n_agents, sizeof *sorted, s_compare_stx);
    int rc = 0;
    for (size_t i = 1; i < batch->n_agents && rc == 0; i++)
        if (s_compare_stx (&sorted [i - 1], &sorted [i]) == 0)
            rc = bb_reason_fail (reason, size, "agent '%." BB_ECHO_MAX "s' "
                         "repeated", s_str (sorted [i]->stx_address));
    free (sorted);
    return rc;
}

static int
s_validate_meta (const Balboard__TokenMeta *meta, size_t index,
                 bb_network_t network, char *reason, size_t size)
{
    const char *contract = s_str (meta->contract);
    const char *why;
    if (bb_address_check_contract (contract, network, &why))
        return bb_reason_fail (reason, size, "token_meta[%zu]: invalid contract '%."
                       BB_ECHO_MAX "s' (%s)", index, contract, why);
    if (meta->decimals > BB_DECIMALS_MAX)
        return bb_reason_fail (reason, size, "token_meta[%zu]: decimals %u over %d",
                       index, meta->decimals, BB_DECIMALS_MAX);
    if (bb_text_check (meta->symbol, BB_TOKEN_SYMBOL_SIZE - 1, &why))
        return bb_reason_fail (reason, size, "token_meta[%zu]: symbol %s", index,
                       why);
    return 0;
}

int
bb_batch_validate_prices (const Balboard__PriceSnapshot *prices,
                          char *reason, size_t size)
{
    if (prices->btc_usd_micro < 0 || prices->stx_usd_micro < 0)
        return bb_reason_fail (reason, size, "prices: negative price");
    if (prices->priced_at_ms == 0)
        return bb_reason_fail (reason, size, "prices: priced_at_ms missing");
    return 0;
}

int
bb_batch_validate (const Balboard__BalanceBatch *batch, bb_network_t network,
                   char *reason, size_t size)
{
    for (size_t i = 0; i < batch->n_agents; i++)
        if (s_validate_agent (batch->agents [i], i, network, reason, size))
            return -1;
    for (size_t i = 0; i < batch->n_token_meta; i++)
        if (s_validate_meta (batch->token_meta [i], i, network, reason,
                             size))
            return -1;
    if (batch->prices
    &&  bb_batch_validate_prices (batch->prices, reason, size))
        return -1;
    return s_validate_unique (batch, reason, size);
}

//  ===========================================================================
//  Application

//  What applying one agent's results needs.
typedef struct {
    bb_write_t *write;
    const char *stx;
    uint64_t captured_at_ms;
    bb_balance_list_t *old;         // the agent's rows before the batch
    bb_totals_rec_t *totals;        // updated in place
    uint32_t rows;                  // balance rows written
} agent_t;

//  Decimals of token_id: fixed, else from its metadata, else 0.
static int
s_decimals (bb_write_t *write, const char *token_id, uint8_t *decimals)
{
    const char *symbol;
    unsigned fixed;
    if (bb_token_id_fixed (token_id, &symbol, &fixed) == 0) {
        *decimals = (uint8_t) fixed;
        return 0;
    }
    char contract [BB_TOKEN_ID_SIZE];
    bb_token_id_contract (token_id, contract, sizeof contract);
    bb_token_rec_t token;
    int rc = bb_record_token_get (write->db, write->txn, contract, &token);
    *decimals = rc == 0 && token.known ? token.decimals : 0;
    return rc == MDB_NOTFOUND ? 0 : rc;
}

//  Write the latest row of token_id and a history point if its amount
//  changed (or the token is new for the agent).
static int
s_put_row (agent_t *self, const char *token_id, bb_u128_t amount,
           uint8_t decimals, bb_upstream_t source)
{
    bb_balance_item_t *old = bb_balance_list_find (self->old, token_id);
    bb_balance_rec_t row = {
        amount, decimals, (uint8_t) source, false, self->captured_at_ms
    };
    int rc = bb_record_balance_put (self->write->db, self->write->txn,
                                    self->stx, token_id, &row);
    if (rc == 0 && (!old || old->row.amount != amount))
        rc = bb_record_history_put (self->write->db, self->write->txn,
                                    self->stx, token_id,
                                    self->captured_at_ms, amount);
    if (rc == 0)
        self->rows++;
    return rc;
}

static bool
s_listed (const Balboard__SourceResult *result, const char *token_id)
{
    for (size_t k = 0; k < result->n_balances; k++)
        if (strcmp (s_str (result->balances [k]->token_id), token_id) == 0)
            return true;
    return false;
}

//  FETCH_OK: the listed tokens get their amount, the source's other
//  tokens become zero, and the source's valued components are replaced.
static int
s_apply_ok (agent_t *self, const Balboard__SourceResult *result,
            bb_upstream_t source)
{
    bb_u128_t btc_l1 = 0, sbtc = 0, ustx = 0;
    int rc = 0;
    for (size_t k = 0; k < result->n_balances && rc == 0; k++) {
        const char *token_id = result->balances [k]->token_id;
        bb_u128_t amount;
        bb_u128_parse (result->balances [k]->amount, &amount, NULL);
        uint8_t decimals;
        rc = s_decimals (self->write, token_id, &decimals);
        if (rc == 0)
            rc = s_put_row (self, token_id, amount, decimals, source);
        bb_token_kind_t kind = bb_token_id_kind (token_id);
        if (kind == BB_TOKEN_KIND_BTC)
            btc_l1 = amount;
        else
        if (kind == BB_TOKEN_KIND_SBTC)
            sbtc = amount;
        else
        if (kind == BB_TOKEN_KIND_STX)
            ustx = amount;
    }
    for (size_t i = 0; i < self->old->size && rc == 0; i++) {
        const bb_balance_item_t *item = &self->old->items [i];
        if (item->row.source == source && !s_listed (result, item->token_id))
            rc = s_put_row (self, item->token_id, 0, item->row.decimals,
                            source);
    }
    if (source == BB_UPSTREAM_MEMPOOL)
        self->totals->btc_l1 = btc_l1;
    else {
        self->totals->sbtc = sbtc;
        self->totals->ustx = ustx;
    }
    return rc;
}

//  A failed source: its rows stay, marked stale.
static int
s_apply_failed (agent_t *self, bb_upstream_t source)
{
    int rc = 0;
    for (size_t i = 0; i < self->old->size && rc == 0; i++) {
        bb_balance_item_t *item = &self->old->items [i];
        if (item->row.source != source || item->row.stale)
            continue;
        item->row.stale = true;
        rc = bb_record_balance_put (self->write->db, self->write->txn,
                                    self->stx, item->token_id, &item->row);
        if (rc == 0)
            self->rows++;
    }
    return rc;
}

static bool
s_components_equal (const bb_totals_rec_t *a, const bb_totals_rec_t *b)
{
    return a->btc_l1 == b->btc_l1 && a->sbtc == b->sbtc
        && a->ustx == b->ustx;
}

//  Apply the new sources of one agent. Sets *applied if any source was
//  new, *skipped if any was not newer than what is stored.
static int
s_apply_agent (bb_write_t *write, const Balboard__AgentResult *result,
               bb_balance_list_t *old, uint32_t *rows, bool *applied,
               bool *skipped)
{
    bb_totals_rec_t totals;
    int rc = bb_record_totals_get (write->db, write->txn,
                                   result->stx_address, &totals);
    if (rc == MDB_NOTFOUND)
        return 0;                   // not (or no longer) registered
    if (rc)
        return rc;
    const bb_totals_rec_t before = totals;
    agent_t self = {
        write, result->stx_address, result->captured_at_ms, old, &totals, 0
    };
    bool loaded = false;
    for (size_t j = 0; j < result->n_sources && rc == 0; j++) {
        const Balboard__SourceResult *source = result->sources [j];
        bb_upstream_t index = (bb_upstream_t) s_source_index (source->upstream);
        if (result->captured_at_ms <= totals.attempt_ms [index]) {
            *skipped = true;
            continue;
        }
        if (!loaded) {
            rc = bb_record_balances_load (write->db, write->txn,
                                          self.stx, old);
            loaded = true;
        }
        bool ok = source->status == BALBOARD__FETCH_STATUS__FETCH_OK;
        if (rc == 0)
            rc = ok ? s_apply_ok (&self, source, index)
                    : s_apply_failed (&self, index);
        totals.attempt_ms [index] = result->captured_at_ms;
        totals.state [index] = ok ? BB_SOURCE_OK : BB_SOURCE_FAILED;
    }
    if (rc || !loaded)
        return rc;
    *applied = true;
    *rows += self.rows;
    rc = bb_record_totals_put (write->db, write->txn, self.stx, &totals);
    if (!s_components_equal (&before, &totals))
        bb_changes_set (write->changes, self.stx, &totals);
    if (!bb_record_totals_fetched (&before))
        write->counters->agents_fetched++;
    return rc;
}

//  Merge token metadata; a known entry is never replaced by an unknown.
static int
s_apply_meta (bb_write_t *write, const Balboard__TokenMeta *meta)
{
    bb_token_rec_t token;
    int rc = bb_record_token_get (write->db, write->txn, meta->contract,
                                  &token);
    if (rc == 0 && token.known && !meta->known)
        return 0;
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    token.known = meta->known;
    token.decimals = (uint8_t) meta->decimals;
    snprintf (token.symbol, sizeof token.symbol, "%s", s_str (meta->symbol));
    return bb_record_token_put (write->db, write->txn, meta->contract,
                                &token);
}

//  Store prices if newer. Sets *applied or *skipped.
static int
s_apply_snapshot (bb_write_t *write, const Balboard__PriceSnapshot *snapshot,
                  bool *applied, bool *skipped)
{
    bb_prices_rec_t prices;
    int rc = bb_record_prices_get (write->db, write->txn, &prices);
    if (rc)
        return rc;
    if (snapshot->priced_at_ms <= prices.priced_at_ms) {
        *skipped = true;
        return 0;
    }
    prices = (bb_prices_rec_t) {
        snapshot->btc_usd_micro, snapshot->stx_usd_micro,
        snapshot->priced_at_ms
    };
    *applied = true;
    bb_changes_set_prices (write->changes);
    return bb_record_prices_put (write->db, write->txn, &prices);
}

//  Agents of the batch's rotation done: a newer rotation starts at 0.
static int
s_count_rotation_agents (bb_write_t *write,
                         const Balboard__BalanceBatch *batch)
{
    bb_rotation_agents_rec_t agents;
    int rc = bb_record_rotation_agents_get (write->db, write->txn, &agents);
    if (rc)
        return rc;
    if (agents.rotation != batch->rotation)
        agents = (bb_rotation_agents_rec_t) { batch->rotation, 0 };
    agents.agents_done += (uint32_t) batch->n_agents;
    return bb_record_rotation_agents_put (write->db, write->txn, &agents);
}

//  Rotation progress as the batches report it: a newer rotation restarts
//  the counts of chunks and agents done.
static int
s_apply_rotation (bb_write_t *write, const Balboard__BalanceBatch *batch)
{
    if (batch->rotation == 0)
        return 0;
    bb_rotation_rec_t rotation;
    int rc = bb_record_rotation_get (write->db, write->txn, &rotation);
    if (rc || batch->rotation < rotation.rotation)
        return rc;
    if (batch->rotation > rotation.rotation) {
        rotation.rotation = batch->rotation;
        rotation.chunks_done = 0;
    }
    rotation.chunks_done++;
    rotation.rotation_agents = batch->rotation_agents;
    rc = bb_record_rotation_put (write->db, write->txn, &rotation);
    return rc ? rc : s_count_rotation_agents (write, batch);
}

static Balboard__AckStatus
s_status (bool applied, bool skipped)
{
    return !applied && skipped ? BALBOARD__ACK_STATUS__ACK_DUPLICATE
                               : BALBOARD__ACK_STATUS__ACK_COMMITTED;
}

int
bb_batch_apply (bb_write_t *write, const Balboard__BalanceBatch *batch,
                Balboard__BatchAck *ack)
{
    bool applied = false, skipped = false;
    uint32_t rows = 0;
    int rc = 0;
    for (size_t i = 0; i < batch->n_token_meta && rc == 0; i++)
        rc = s_apply_meta (write, batch->token_meta [i]);
    if (rc == 0 && batch->prices)
        rc = s_apply_snapshot (write, batch->prices, &applied, &skipped);
    bb_balance_list_t old = { NULL, 0, 0 };
    for (size_t i = 0; i < batch->n_agents && rc == 0; i++)
        rc = s_apply_agent (write, batch->agents [i], &old, &rows,
                            &applied, &skipped);
    bb_balance_list_reset (&old);
    ack->status = s_status (applied, skipped);
    if (rc == 0 && ack->status == BALBOARD__ACK_STATUS__ACK_COMMITTED)
        rc = s_apply_rotation (write, batch);
    ack->job_id = bb_pb_strdup (batch->job_id);
    ack->attempt = batch->attempt;
    ack->rows_written = rows;
    return rc;
}

int
bb_batch_apply_prices (bb_write_t *write,
                       const Balboard__PriceSnapshot *prices,
                       Balboard__BatchAck *ack)
{
    bool applied = false, skipped = false;
    int rc = s_apply_snapshot (write, prices, &applied, &skipped);
    ack->status = s_status (applied, skipped);
    return rc;
}
