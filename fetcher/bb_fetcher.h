/*  =========================================================================
    bb_fetcher - the fetcher actor: sockets, heartbeats, one job at a time

    Owns the two DEALER sockets (scheduler jobs, store ingest), the
    bb_http engine, the token metadata cache and the job being run. Its
    loop waits in curl_multi_poll on the pipe, both sockets and the
    transfers at once, so heartbeats keep flowing while a job fetches.

    Life (docs/protocol.md, Paranoid Pirate): connect, send FetcherReady,
    heartbeat every interval with the busy job id; a scheduler silent for
    3 intervals is dead: the jobs socket is recreated and FetcherReady
    sent again, with the wait before the next try doubling up to a cap.
    A job: fetch (bb_fetch_job) until its I/O deadline, which keeps a
    reserve of the job's deadline for the store; ask the store about new
    token contracts; send the BalanceBatch and resend it with the same
    request id until BatchAck (recreating the ingest socket, Lazy
    Pirate), a bounded number of times; then send the JobReport, which
    makes the fetcher ready again. A registry job (bb_registry_job) reads
    the agent registry instead and sends the store its snapshot in parts,
    each resent the same way until the store answers it; the last part's
    answer goes to the scheduler in the JobReport. $TERM aborts the job's
    transfers and sends nothing more.
    =========================================================================
*/
#ifndef BB_FETCHER_H_INCLUDED
#define BB_FETCHER_H_INCLUDED

#include <czmq.h>

#include "bb_address.h"
#include "bb_curve.h"
#include "bb_http.h"

typedef struct {
    const char *scheduler_jobs;     // endpoint the jobs DEALER connects to
    const char *store_ingest;       // endpoint the ingest DEALER connects to
    bb_curve_t *scheduler_curve;    // CURVE to the scheduler, or NULL
    bb_curve_t *store_curve;        // CURVE to the store, or NULL
    const char *fetcher_id;
    const char *hiro_base;          // no trailing '/'
    const char *mempool_base;       // no trailing '/'
    const char *price_url;
    const char *hiro_api_key;       // NULL when unset; never logged
    bb_network_t network;
    unsigned hiro_concurrency;      // lane limits
    unsigned mempool_concurrency;
    unsigned price_concurrency;
    long heartbeat_ms;
    long token_pending_retry_ms;    // a 422 contract is asked again after
    bb_http_config_t http;
} bb_fetcher_config_t;

//  The actor; args is a bb_fetcher_config_t that outlives it. Start with
//  bb_actor_new ("fetcher", bb_fetcher_actor, &config): ready once its
//  sockets and HTTP engine are made, failed if they cannot be. If the
//  engine fails later, the actor stops on its own (bb_actor_serve sees
//  it). Ends on $TERM.
void bb_fetcher_actor (zsock_t *pipe, void *args);

#endif
