/*  =========================================================================
    bb_fetch_job - one chunk job, from ChunkJob to BalanceBatch and
    JobReport

    Owns the I/O plan of one job over the fetcher's bb_http engine and
    the results as they arrive. Addresses are checked (bb_address) before
    any URL is built: an invalid Stacks address (the agent's key) keeps
    the agent out of the batch, which the store would otherwise reject
    whole; an invalid Bitcoin address gives that source
    FETCH_INVALID_ADDRESS. Neither reaches the upstream.

    Per agent: one Hiro request (v1 balances; after a 410 the v3 stx and
    ft endpoints, following the ft cursor) and one mempool.space request;
    plus one price request if the job asks. Hiro balance requests are fed
    to the engine a lane's worth at a time, so that after a 410 the rest
    of the job goes straight to v3 instead of queueing doomed v1 calls.
    A source the job does not name (ChunkJob.sources: the scheduler
    paused it) is not asked: each agent reports it FETCH_RATE_LIMITED,
    "skipped: ...".

    Giving up. An upstream that answers a 429 the engine could not wait
    out (no Retry-After, or one past the deadline), or fails
    GIVE_UP_FAILURES requests in a row (5xx, timeouts, transport errors,
    each after its retries), is given up for the rest of the job: its
    requests are cancelled, and every agent not fetched from it yet gets
    that failure without a request. The job then ends as soon as the
    other upstreams are done, never at the deadline.

    Phases: FETCHING (balances, prices) -> NEED_TOKENS (the fetcher asks
    the store which of the new contracts it knows) -> METADATA (fetch the
    rest from Hiro's metadata API, once per contract) -> DONE (the batch
    is ready; nothing more goes on the network). Contracts already in the
    token cache skip the last two phases. Metadata failures never fail an
    agent: the token shows its asset name until a later job learns it.
    Nor does the budget: a job with hiro_requests_max fetches metadata
    only while its Hiro requests so far leave room, the rest waits.

    While a job runs it owns every request in the engine; destroying it
    cancels them. One thread (the fetcher actor's).
    =========================================================================
*/
#ifndef BB_FETCH_JOB_H_INCLUDED
#define BB_FETCH_JOB_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "balboard.pb-c.h"
#include "bb_address.h"
#include "bb_http.h"
#include "bb_token_cache.h"
#include "bb_upstream.h"

//  What the jobs of one fetcher share. Owned by the fetcher; each job
//  borrows it for its life and may set hiro_v3.
typedef struct {
    bb_http_t *http;            // the engine
    bb_token_cache_t *tokens;   // metadata already known
    const char *fetcher_id;
    const char *hiro_base;      // "https://api.hiro.so"
    const char *mempool_base;   // "https://mempool.space/api"
    const char *price_url;      // the full CoinGecko simple price URL
    bb_network_t network;
    unsigned hiro_window;       // Hiro balance requests queued at once
    int64_t pending_retry_ms;   // a 422 contract is asked again after
    bool hiro_v3;               // v1 said 410: v3 from now on
} bb_fetch_context_t;

typedef enum {
    BB_FETCH_JOB_FETCHING,      // balance and price requests running
    BB_FETCH_JOB_NEED_TOKENS,   // waiting for bb_fetch_job_tokens_known
    BB_FETCH_JOB_METADATA,      // metadata requests running
    BB_FETCH_JOB_DONE,          // all I/O done, the batch is ready
} bb_fetch_job_state_t;

typedef struct _bb_fetch_job_t bb_fetch_job_t;

//  Create the job for chunk (copied) and queue its first requests on
//  context's engine; nothing may end by deadline_ms (monotonic,
//  zclock_mono). The job has the engine to itself until destroyed.
bb_fetch_job_t *bb_fetch_job_new (const Balboard__ChunkJob *chunk,
                                  bb_fetch_context_t *context,
                                  int64_t deadline_ms);

//  Cancel what still runs, destroy the job and set *self_p to NULL.
//  NULL-safe.
void bb_fetch_job_destroy (bb_fetch_job_t **self_p);

//  The job's phase; it moves on as bb_http_poll calls back.
bb_fetch_job_state_t bb_fetch_job_state (bb_fetch_job_t *self);

const char *bb_fetch_job_id (bb_fetch_job_t *self);

//  In NEED_TOKENS: the contracts to ask the store about (owned by the
//  job) and their number.
const char *const *bb_fetch_job_unknown (bb_fetch_job_t *self,
                                         size_t *count);

//  In NEED_TOKENS: the store's answer (NULL if it did not answer in
//  time). Known contracts go into the token cache; the rest are fetched
//  from Hiro (state METADATA) or, if none is left, the job is DONE.
void bb_fetch_job_tokens_known (bb_fetch_job_t *self,
                                const Balboard__TokenMetaReply *reply);

//  In DONE: the batch for the store, owned by the job, the same on every
//  call (resends carry the same content).
const Balboard__BalanceBatch *bb_fetch_job_batch (bb_fetch_job_t *self);

//  The job's counts so far per upstream it asks, as the report will say
//  them (for the heartbeat): count entries, owned by the job, valid
//  until the next call or destroy.
Balboard__UpstreamReport *const *bb_fetch_job_progress (bb_fetch_job_t *self,
                                                        size_t *count);

//  In DONE: the report for the scheduler after the store answered
//  store_status; store_detail (may be NULL) says why it failed. Owned by
//  the job, valid until the next call or destroy.
const Balboard__JobReport *bb_fetch_job_report (
    bb_fetch_job_t *self, Balboard__AckStatus store_status,
    const char *store_detail);

#endif
