/*  =========================================================================
    bb_agent_batch - a one-agent balance batch built by hand, for tests
    and benchmarks

    The lists of pointers the protobuf-c structs need point into the same
    struct, so a bb_agent_batch_t must not be copied once initialised.
    =========================================================================
*/
#include "bb_agent_batch.h"

#include <assert.h>
#include <string.h>

void
bb_agent_batch_init (bb_agent_batch_t *self, const char *job_id,
                    uint32_t attempt, const char *stx,
                    uint64_t captured_at_ms)
{
    assert (self && job_id && stx);
    memset (self, 0, sizeof *self);
    const Balboard__Upstream upstreams [BB_AGENT_BATCH_SOURCES] = {
        BALBOARD__UPSTREAM__UPSTREAM_HIRO,
        BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL,
    };
    for (size_t index = 0; index < BB_AGENT_BATCH_SOURCES; index++) {
        Balboard__SourceResult *source = &self->sources [index];
        balboard__source_result__init (source);
        source->upstream = upstreams [index];
        source->status = BALBOARD__FETCH_STATUS__FETCH_OK;
        source->balances = self->balance_list [index];
        self->source_list [index] = source;
    }
    balboard__agent_result__init (&self->agent);
    self->agent.stx_address = (char *) stx;
    self->agent.captured_at_ms = captured_at_ms;
    self->agent.n_sources = BB_AGENT_BATCH_SOURCES;
    self->agent.sources = self->source_list;
    self->agent_list [0] = &self->agent;
    balboard__balance_batch__init (&self->batch);
    self->batch.job_id = (char *) job_id;
    self->batch.attempt = attempt;
    self->batch.n_agents = 1;
    self->batch.agents = self->agent_list;
}

void
bb_agent_batch_balance (bb_agent_batch_t *self, bb_agent_batch_source_t source,
                       const char *token_id, const char *amount)
{
    assert (self && source < BB_AGENT_BATCH_SOURCES && token_id && amount);
    Balboard__SourceResult *result = &self->sources [source];
    size_t index = result->n_balances++;
    assert (index < BB_AGENT_BATCH_BALANCES);
    Balboard__TokenBalance *balance = &self->balances [source][index];
    balboard__token_balance__init (balance);
    balance->token_id = (char *) token_id;
    balance->amount = (char *) amount;
    self->balance_list [source][index] = balance;
}

void
bb_agent_batch_prices (bb_agent_batch_t *self, int64_t btc_usd_micro,
                      int64_t stx_usd_micro, uint64_t priced_at_ms)
{
    assert (self);
    balboard__price_snapshot__init (&self->prices);
    self->prices.btc_usd_micro = btc_usd_micro;
    self->prices.stx_usd_micro = stx_usd_micro;
    self->prices.priced_at_ms = priced_at_ms;
    self->batch.prices = &self->prices;
}
