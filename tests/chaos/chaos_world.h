/*  =========================================================================
    chaos_world - a whole balboard whose processes a test kills at will

    Owns the real processes of one system on loopback, each on fixed
    free ports and with its data under the test's scratch directory: the
    mock upstream (with latency), the store, the scheduler (short alarm
    intervals, so rotations run back to back) and CHAOS_FETCHERS
    fetchers. Any of the four balboard processes can be killed with
    SIGKILL and started again on the same ports and data, as an operator's
    supervisor would. Clients of the store's ingest and query sockets and
    the scheduler's control socket ride over the restarts (each call is
    retried until the process answers again). Destroying the world stops
    every process with SIGTERM. One thread: the test's.
    =========================================================================
*/
#ifndef CHAOS_WORLD_H_INCLUDED
#define CHAOS_WORLD_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "bb_client.h"

#define CHAOS_FETCHERS 2

//  The processes a test may kill.
typedef enum {
    CHAOS_STORE,
    CHAOS_SCHEDULER,
    CHAOS_FETCHER_0,
    CHAOS_FETCHER_1,
    CHAOS_ROLE_COUNT
} chaos_role_t;

typedef struct _chaos_world_t chaos_world_t;

//  Start the mock, the store, the scheduler (paused) and the fetchers,
//  import sample agents 0..agents-1 in chunks of chunk_size, then let
//  the scheduler go. Asserts on failure.
chaos_world_t *chaos_world_new (unsigned agents, unsigned chunk_size);

//  Stop every process (SIGTERM), free, set *self_p to NULL.
void chaos_world_destroy (chaos_world_t **self_p);

//  kill -9 the process of role, reap it, and start it again on its ports
//  and data; for the store and the scheduler, wait until they listen.
void chaos_world_kill_restart (chaos_world_t *self, chaos_role_t role);

//  A name for role ("store", "scheduler", "fetcher f0").
const char *chaos_world_role_name (chaos_role_t role);

//  The clients (owned by the world).
bb_client_t *chaos_world_query (chaos_world_t *self);
bb_client_t *chaos_world_control (chaos_world_t *self);

//  The reply of a query (a bb_client call on the query or control
//  socket): call it again until it answers, up to a hang-catching
//  deadline; fail the test past it. Caller destroys the reply.
typedef int (chaos_call_fn) (bb_client_t *client, void *arg,
                             bb_envelope_t **reply_p);
bb_envelope_t *chaos_world_ask (chaos_world_t *self, bb_client_t *client,
                                const char *what, chaos_call_fn *call,
                                void *arg);

//  The scheduler's status and the store's stats (caller destroys).
bb_envelope_t *chaos_world_status (chaos_world_t *self);
bb_envelope_t *chaos_world_stats (chaos_world_t *self);

#endif
