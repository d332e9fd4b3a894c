/*  =========================================================================
    bb_agent_batch - a one-agent balance batch built by hand, for tests
    and benchmarks

    Owns the storage of a BalanceBatch as a fetcher would send it for one
    agent: a Hiro and a mempool.space source (both FETCH_OK, empty until
    balances are added), and optionally a price snapshot. Everything
    lives in the struct (no heap), so a test declares one, fills it and
    hands &batch->batch to the codec or a client (a benchmark gathers the
    agent results of many into one batch); the strings are borrowed, so
    they must outlive the batch. Tests change any field directly
    afterwards (a source's status, the rotation).
    =========================================================================
*/
#ifndef BB_AGENT_BATCH_H_INCLUDED
#define BB_AGENT_BATCH_H_INCLUDED

#include <stdint.h>

#include "bb_wire.h"

#define BB_AGENT_BATCH_BALANCES  4       // balances per source at most

typedef enum {
    BB_AGENT_BATCH_HIRO,                 // sources [0]
    BB_AGENT_BATCH_MEMPOOL,              // sources [1]
    BB_AGENT_BATCH_SOURCES
} bb_agent_batch_source_t;

typedef struct {
    Balboard__TokenBalance balances [BB_AGENT_BATCH_SOURCES]
                                    [BB_AGENT_BATCH_BALANCES];
    Balboard__TokenBalance *balance_list [BB_AGENT_BATCH_SOURCES]
                                         [BB_AGENT_BATCH_BALANCES];
    Balboard__SourceResult sources [BB_AGENT_BATCH_SOURCES];
    Balboard__SourceResult *source_list [BB_AGENT_BATCH_SOURCES];
    Balboard__AgentResult agent;
    Balboard__AgentResult *agent_list [1];
    Balboard__PriceSnapshot prices;
    Balboard__BalanceBatch batch;       // what to send
} bb_agent_batch_t;

//  Make self job_id's batch (attempt attempt) of one agent, stx, captured
//  at captured_at_ms, with both sources fetched and empty, no prices.
void bb_agent_batch_init (bb_agent_batch_t *self, const char *job_id,
                         uint32_t attempt, const char *stx,
                         uint64_t captured_at_ms);

//  Add token_id with amount (decimal text) to source's balances.
void bb_agent_batch_balance (bb_agent_batch_t *self,
                            bb_agent_batch_source_t source,
                            const char *token_id, const char *amount);

//  Give the batch a price snapshot.
void bb_agent_batch_prices (bb_agent_batch_t *self, int64_t btc_usd_micro,
                           int64_t stx_usd_micro, uint64_t priced_at_ms);

#endif
