/*  =========================================================================
    store_fixture - a real balboard-store for a test, and batch builders

    Starts the balboard-store binary ($BALBOARD_BIN_DIR) on free loopback
    ports with its data in a scratch directory of its own
    ($BALBOARD_TEST_SCRATCH/<name>), and holds a bb_client on each of its
    sockets. Restarting keeps the directory and the ports, so a test can
    stop or kill the store and prove what a restart finds. Builders make
    valid addresses (sorted by index) and balance batches on the heap.
    Failures are cmocka assertions.
    =========================================================================
*/
#ifndef STORE_FIXTURE_H_INCLUDED
#define STORE_FIXTURE_H_INCLUDED

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include "bb_client.h"
#include "bb_child.h"
#include "bb_wire.h"

#define FX_TIMEOUT_MS   10000
#define FX_ADDRESS_SIZE 96
#define FX_ARGS_MAX     16
#define FX_NAMED        8           // agents whose addresses a store names

//  Tokens.
#define FX_SBTC \
    "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token::sbtc-token"
#define FX_ALEX_CONTRACT \
    "SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.age000-governance-token"
#define FX_ALEX FX_ALEX_CONTRACT "::alex"

typedef struct {
    char dir [512];                 // the store's data directory
    char ingest [64];               // endpoints
    char query [64];
    int ingest_port;
    int query_port;
    const char *args [FX_ARGS_MAX]; // extra arguments, borrowed
    bb_child_t *process;
    bb_client_t *in;                // client on the ingest socket
    bb_client_t *out;               // client on the query socket
    char stx [FX_NAMED][FX_ADDRESS_SIZE];   // fx_stx of agents 0..7
} fx_store_t;

//  Start a store with a fresh data directory named name and the extra
//  arguments (NULL-terminated, may be NULL).
fx_store_t *fx_store_new (const char *name, const char *const extra []);

//  Start the store again (same directory, ports and arguments).
void fx_store_start (fx_store_t *self);

//  Send signum and wait for the exit; returns the exit code.
int fx_store_stop (fx_store_t *self, int signum);

void fx_store_destroy (fx_store_t **self_p);

//  The store a test got in state (its setup's), with agents
//  0..count-1 upserted as fx_upsert_range does.
fx_store_t *fx_store_agents (void **state, unsigned count);

//  cmocka teardown of a test whose state is a store: destroys it.
int fx_store_teardown (void **state);

//  ---------------------------------------------------------------------------
//  Addresses: valid mainnet addresses, the STX ones sorting by index.

void fx_stx (unsigned index, char *buf);
void fx_btc (unsigned index, char *buf);

//  ---------------------------------------------------------------------------
//  Registry

//  Upsert agents first..first+count-1 (names "agent-<i>"); all must be
//  inserted or updated.
void fx_upsert_range (fx_store_t *self, unsigned first, unsigned count);

//  ---------------------------------------------------------------------------
//  Batches (heap; free with fx_batch_destroy)

Balboard__BalanceBatch *fx_batch_new (const char *job_id);
void fx_batch_destroy (Balboard__BalanceBatch **batch_p);
Balboard__AgentResult *fx_batch_agent (Balboard__BalanceBatch *batch,
                                       const char *stx,
                                       uint64_t captured_at_ms);
Balboard__SourceResult *fx_agent_source (Balboard__AgentResult *agent,
                                         Balboard__Upstream upstream,
                                         Balboard__FetchStatus status);
void fx_source_balance (Balboard__SourceResult *source, const char *token_id,
                        const char *amount);
void fx_batch_prices (Balboard__BalanceBatch *batch, int64_t btc_usd_micro,
                      int64_t stx_usd_micro, uint64_t priced_at_ms);
void fx_batch_meta (Balboard__BalanceBatch *batch, const char *contract,
                    const char *symbol, uint32_t decimals, bool known);

//  An agent result with Hiro OK (stx, optional sBTC) and mempool OK
//  (btc-l1); NULL amounts are left out.
void fx_batch_simple (Balboard__BalanceBatch *batch, const char *stx,
                      uint64_t captured_at_ms, const char *ustx,
                      const char *sbtc, const char *sats);

//  Send batch; returns the ack status, rows written in *rows (may be
//  NULL), reason copied into reason (may be NULL, 160 bytes).
Balboard__AckStatus fx_send (fx_store_t *self,
                             const Balboard__BalanceBatch *batch,
                             uint32_t *rows, char *reason);

//  Send *batch_p, assert that it was committed, destroy it and set
//  *batch_p to NULL.
void fx_commit (fx_store_t *self, Balboard__BalanceBatch **batch_p);

//  Send a price snapshot; returns the ack status.
Balboard__AckStatus fx_prices (fx_store_t *self, int64_t btc_usd_micro,
                               int64_t stx_usd_micro, uint64_t priced_at_ms);

//  ---------------------------------------------------------------------------
//  Queries (assert success; caller destroys the envelope)

bb_envelope_t *fx_dashboard (fx_store_t *self, int64_t offset, int64_t limit);
bb_envelope_t *fx_agent (fx_store_t *self, const char *stx);
bb_envelope_t *fx_stats (fx_store_t *self);

//  rc, what a bb_client call returned, is an error reply with code.
void fx_assert_error (bb_client_t *client, int rc,
                      Balboard__ErrorReply__Code code);

//  ---------------------------------------------------------------------------
//  Store full

#define FX_FULL_CHUNK   200         // agents per upsert while filling

//  Upsert chunks of agents from first on until the store refuses one
//  RESOURCE_EXHAUSTED with reason; returns the agents registered then.
unsigned fx_fill_until_full (fx_store_t *self, unsigned first,
                             const char *reason);

//  Register agent 0 and commit its balances (FX_KEPT_USTX µSTX), the
//  data a full store must keep; fx_assert_kept checks it is there.
#define FX_KEPT_USTX    "1000"
void fx_commit_kept (fx_store_t *self);
void fx_assert_kept (fx_store_t *self);

//  The position of token_id in row, or NULL.
Balboard__TokenPosition *fx_token (Balboard__DashboardRow *row,
                                   const char *token_id);

#endif
