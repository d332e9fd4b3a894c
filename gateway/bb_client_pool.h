/*  =========================================================================
    bb_client_pool - one store client and one scheduler client per thread

    ZeroMQ sockets, and so bb_clients, belong to one thread, while the
    HTTP server answers on a fixed pool of worker threads. The pool keeps
    one slot per worker thread, keyed by pthread_self (): a thread's first
    request takes a free slot, and its clients are made there lazily, on
    first use, then reused by every later request of that thread. A mutex
    guards only the slot lookup, never a request, so workers never wait on
    each other's store round-trips. A client that timed out makes itself
    a fresh socket (bb_client), so a store that comes back is reached
    again without a restart. Slots are never handed to another thread;
    the pool is destroyed after the server's threads are joined, so every
    socket is closed there.
    =========================================================================
*/
#ifndef BB_CLIENT_POOL_H_INCLUDED
#define BB_CLIENT_POOL_H_INCLUDED

#include <stddef.h>

#include "bb_client.h"

typedef struct _bb_client_pool_t bb_client_pool_t;

//  A pool for up to threads threads, whose clients connect to the store's
//  query endpoint and the scheduler's control endpoint with a per-call
//  timeout. Returns NULL (logged) if either endpoint is malformed.
bb_client_pool_t *bb_client_pool_new (const char *store_endpoint,
                                      const char *scheduler_endpoint,
                                      int timeout_ms, size_t threads);

//  Make the scheduler clients authenticate with curve (a client
//  bb_curve_t, borrowed: it outlives the pool), before any is made.
void bb_client_pool_set_curve (bb_client_pool_t *self, bb_curve_t *curve);

//  Close every client, free, and set *self_p to NULL. NULL-safe. Only
//  once no thread uses the pool any more.
void bb_client_pool_destroy (bb_client_pool_t **self_p);

//  The calling thread's store (query) client, made on first use. NULL if
//  more threads than the pool's size asked (logged). Borrowed.
bb_client_t *bb_client_pool_store (bb_client_pool_t *self);

//  The calling thread's scheduler (control) client, as above.
bb_client_t *bb_client_pool_scheduler (bb_client_pool_t *self);

#endif
