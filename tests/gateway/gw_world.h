/*  =========================================================================
    gw_world - a whole balboard behind a real gateway, for its tests

    Owns real processes on free ports: the mock upstream, the store, the
    scheduler, one fetcher and balboard-gateway, each with its data under
    the test's scratch directory, plus clients for the store's ingest
    socket and the scheduler's control socket. The store publishes its
    events (one per commit: no merge) on a free port the gateways read;
    a test may start more gateways with settings of its own.
    gw_world_new imports the mock's first agents and waits (polling, with
    a deadline that only catches a hang) until the first rotation has
    fetched them all, so the dashboard holds real rows. The store can be
    stopped and started again on the same data and ports. Destroying the
    world stops every process with SIGTERM and fails the test if one does
    not exit cleanly.
    =========================================================================
*/
#ifndef GW_WORLD_H_INCLUDED
#define GW_WORLD_H_INCLUDED

#include "bb_child.h"
#include "bb_client.h"

typedef struct _gw_world_t gw_world_t;

//  Start the world with sample agents 0..agents-1 fetched (asserts).
gw_world_t *gw_world_new (unsigned agents);

//  Stop every process (SIGTERM; a clean exit is asserted), free, and set
//  *self_p to NULL.
void gw_world_destroy (gw_world_t **self_p);

//  "http://127.0.0.1:<port>" of the gateway. Borrowed.
const char *gw_world_base (gw_world_t *self);

//  The store's query endpoint, for the CLI. Borrowed.
const char *gw_world_store_query (gw_world_t *self);

//  A client of the store's ingest socket. Borrowed.
bb_client_t *gw_world_ingest (gw_world_t *self);

//  Upsert the next sample agent (the first one the world has not
//  upserted yet) through the ingest socket: one commit, one event.
//  Asserts that the store took it.
void gw_world_add_agent (gw_world_t *self);

//  Stop the store (SIGTERM, clean exit asserted) / start it again on the
//  same data directory and endpoints.
void gw_world_stop_store (gw_world_t *self);
void gw_world_start_store (gw_world_t *self);

//  Stop the gateway with SIGTERM and return its exit status.
int gw_world_stop_gateway (gw_world_t *self);

//  Size of an agent's detail path.
#define GW_WORLD_PATH_SIZE 128

//  "/api/agents/<stxAddress>" of sample agent index (one the world
//  holds, or not) into path (GW_WORLD_PATH_SIZE bytes); returns path.
char *gw_world_agent_path (unsigned index, char *path);

//  Size of a gateway's base URL.
#define GW_WORLD_BASE_SIZE 64

//  Start another balboard-gateway on the world's store and scheduler
//  with extra arguments (NULL-terminated, or NULL), on a free port; its
//  "http://127.0.0.1:<port>" into base (GW_WORLD_BASE_SIZE bytes). Stop
//  it with bb_child_stop.
bb_child_t *gw_world_gateway_new (gw_world_t *self, const char *const *extra,
                                  char *base);

#endif
