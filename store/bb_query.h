/*  =========================================================================
    bb_query - the query actor: read-only ROUTER, rank index, snapshots

    A czmq actor that owns the query socket (dashboard, agent detail,
    rank, stats, agents page), the in-memory rank index and only read
    transactions. It rebuilds the index from the totals dbi at start and
    whenever the prices change, and applies the change set the ingest
    actor sends after every commit (bb_changes) before serving the next
    query: it begins its read transaction, and if the snapshot is newer
    than the index, it waits for the change sets up to that commit (they
    follow the commit by microseconds), so every reply is built from one
    snapshot. A commit's fsync never blocks it: a commit becomes visible
    to readers only once it is durable.

    It also answers the ingest actor's PAUSE (no transaction open; reply
    PAUSED; wait for RESUME), which LMDB needs around a map resize.
    =========================================================================
*/
#ifndef BB_QUERY_H_INCLUDED
#define BB_QUERY_H_INCLUDED

#include <czmq.h>

#include "bb_db.h"

//  The actor's arguments; borrowed, they must outlive the actor.
typedef struct {
    bb_db_t *db;
    const char *endpoint;           // query ROUTER bind, "tcp://…"
    const char *changes_endpoint;   // inproc PAIR it binds
} bb_query_args_t;

//  PAIR commands between the actors (besides bb_changes).
#define BB_QUERY_PAUSE      "PAUSE"
#define BB_QUERY_PAUSED     "PAUSED"
#define BB_QUERY_RESUME     "RESUME"

//  The actor: bb_actor_new ("query", bb_query_actor, &args). Ready once
//  it has bound both sockets and built the index, failed if it could
//  not. Ends on $TERM.
void bb_query_actor (zsock_t *pipe, void *args);

#endif
