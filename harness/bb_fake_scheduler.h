/*  =========================================================================
    bb_fake_scheduler - the scheduler's end of a fetcher's sockets,
    for tests and benchmarks

    Owns a ROUTER bound where the fetcher's jobs DEALER connects: it waits
    for FetcherReady, sends ChunkJobs and RegistryJobs, heartbeats as the scheduler does
    (so the fetcher never thinks it is gone), counts the fetcher's
    heartbeats and collects JobReports. It follows the fetcher's latest
    routing id, so a fetcher that reconnected is still reached.

    Optionally it also plays the store on a second ROUTER at the ingest
    endpoint: every BalanceBatch is kept for the test and answered with a
    BatchAck (committed by default, or as set, or not at all); a
    TokenMetaQuery is answered from the token metadata of the batches it
    committed, as the durable store would. A RegistrySnapshot part is kept
    as a batch is and answered SYNC_PART_KEPT, the last part with
    SYNC_APPLIED (SYNC_PARTIAL if incomplete) and the counts of the parts
    of its generation. Without it the fetcher talks
    to whatever store the test started.

    One thread: the caller's. Every wait serves both sockets and returns
    early once the process is interrupted (SIGINT, SIGTERM).
    =========================================================================
*/
#ifndef BB_FAKE_SCHEDULER_H_INCLUDED
#define BB_FAKE_SCHEDULER_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bb_wire.h"

typedef struct _bb_fake_scheduler_t bb_fake_scheduler_t;

//  How the fake store answers batches.
typedef enum {
    BB_FAKE_STORE_COMMIT,       // ACK_COMMITTED
    BB_FAKE_STORE_REJECT,       // ACK_REJECTED, reason "test"
    BB_FAKE_STORE_SILENT,       // no answer (the fetcher resends)
} bb_fake_store_mode_t;

//  Bind the jobs ROUTER at jobs_endpoint and, if ingest_endpoint is not
//  NULL, the fake store's ROUTER there (both "tcp://127.0.0.1:port").
//  heartbeat_ms is how often to heartbeat the fetcher. NULL if a bind
//  fails.
bb_fake_scheduler_t *bb_fake_scheduler_new (
    const char *jobs_endpoint, const char *ingest_endpoint,
    int heartbeat_ms);

//  As bb_fake_scheduler_new, on free ports of 127.0.0.1: writes the
//  endpoints it bound into jobs_endpoint and, if not NULL,
//  ingest_endpoint (size bytes each), and tries new ports when a bind
//  fails (a port taken meanwhile), BB_FAKE_SCHEDULER_BIND_TRIES times in
//  all. NULL if every try failed.
#define BB_FAKE_SCHEDULER_BIND_TRIES 3
bb_fake_scheduler_t *bb_fake_scheduler_new_on_free_ports (
    char *jobs_endpoint, char *ingest_endpoint, size_t size,
    int heartbeat_ms);

//  Destroy and set *self_p to NULL. NULL-safe.
void bb_fake_scheduler_destroy (bb_fake_scheduler_t **self_p);

//  Wait until the fetcher sent FetcherReady (again, if it did before).
//  Returns 0, or -1 on timeout.
int bb_fake_scheduler_wait_ready (bb_fake_scheduler_t *self,
                                  int timeout_ms);

//  Send job to the fetcher, at the routing id of its latest message
//  (those waiting are read first). Returns 0, or -1 if no fetcher is
//  known.
int bb_fake_scheduler_send_job (bb_fake_scheduler_t *self,
                                const Balboard__ChunkJob *job);

//  As bb_fake_scheduler_send_job, for a RegistryJob.
int bb_fake_scheduler_send_registry_job (bb_fake_scheduler_t *self,
                                         const Balboard__RegistryJob *job);

//  Serve both sockets until a JobReport arrives. Returns its envelope
//  (the caller destroys it), or NULL on timeout.
bb_envelope_t *bb_fake_scheduler_wait_report (
    bb_fake_scheduler_t *self, int timeout_ms);

//  Serve both sockets for ms milliseconds.
void bb_fake_scheduler_serve (bb_fake_scheduler_t *self, int ms);

//  How the fake store answers from now on.
void bb_fake_scheduler_set_store_mode (bb_fake_scheduler_t *self,
                                            bb_fake_store_mode_t mode);

//  The oldest batch or snapshot part envelope the fake store received and
//  not yet taken (the caller destroys it), or NULL.
bb_envelope_t *bb_fake_scheduler_take_batch (
    bb_fake_scheduler_t *self);

//  Counters: BalanceBatch and RegistrySnapshot sends received (resends
//  included), token meta
//  queries received and contracts asked, heartbeats from the fetcher
//  (and of those, how many named a busy job), FetcherReady received.
size_t bb_fake_scheduler_batches (bb_fake_scheduler_t *self);
size_t bb_fake_scheduler_token_queries (bb_fake_scheduler_t *self);
size_t bb_fake_scheduler_contracts_asked (
    bb_fake_scheduler_t *self);
size_t bb_fake_scheduler_heartbeats (bb_fake_scheduler_t *self);
size_t bb_fake_scheduler_busy_heartbeats (
    bb_fake_scheduler_t *self);
size_t bb_fake_scheduler_readies (bb_fake_scheduler_t *self);

//  Stop (true) or resume sending heartbeats: a scheduler gone silent.
void bb_fake_scheduler_set_silent (bb_fake_scheduler_t *self,
                                   bool silent);

//  The busy_job_id of the latest FetcherReady ("" if idle or none yet).
const char *bb_fake_scheduler_ready_busy (
    bb_fake_scheduler_t *self);

//  Forget the token metadata the fake store holds (a new store).
void bb_fake_scheduler_forget_tokens (bb_fake_scheduler_t *self);

//  Number of contracts the fake store holds token metadata for.
size_t bb_fake_scheduler_tokens (bb_fake_scheduler_t *self);

#endif
