/*  =========================================================================
    bb_query - the query actor: the query socket's front end and pool

    A czmq actor that owns the query socket (dashboard, agent detail,
    rank, stats, agents page), the shared rank index (bb_index), the
    reply cache (bb_cache) and a pool of reader actors (bb_reader) that
    answer the queries, each on its own core with its own read
    transactions. The actor itself only moves frames between the query
    ROUTER and an inproc DEALER the readers connect to (round robin), and
    applies the change set the ingest actor sends after every commit
    (bb_changes) to the index, dropping the cached pages of older
    commits. Every reply is built from one snapshot (bb_index_begin); a
    commit's fsync never blocks a reader, since a commit becomes visible
    to readers only once it is durable.

    It also answers the ingest actor's PAUSE (no reader transaction
    open; reply PAUSED; wait for RESUME), which LMDB needs around a map
    resize.
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
    size_t readers;                 // reader threads, at least 1
    size_t cache_entries;           // reply cache bounds (0: no cache)
    size_t cache_bytes;
} bb_query_args_t;

//  PAIR commands between the actors (besides bb_changes).
#define BB_QUERY_PAUSE      "PAUSE"
#define BB_QUERY_PAUSED     "PAUSED"
#define BB_QUERY_RESUME     "RESUME"

//  The actor: bb_actor_new ("query", bb_query_actor, &args). Ready once
//  it has bound both sockets, built the index and started its readers;
//  failed if it could not. Ends on $TERM (its readers first).
void bb_query_actor (zsock_t *pipe, void *args);

#endif
