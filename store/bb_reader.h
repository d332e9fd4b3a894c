/*  =========================================================================
    bb_reader - one reader of the store's pool: answers queries

    A czmq actor that the query actor starts N of. Each has a DEALER
    connected to the query actor's inproc back end, from which it gets
    the query socket's requests as they came ([peer][envelope]), and
    sends back [peer][reply]. It decodes the request, begins a read at
    one commit (bb_index_begin: its own read transaction, the shared rank
    index held for reading), builds the reply (bb_view) or takes a
    dashboard page from the reply cache (bb_cache), ends the read, and
    only then sends: a reader never holds the index while it waits on a
    socket. LMDB readers take no locks, so N readers use N cores.
    =========================================================================
*/
#ifndef BB_READER_H_INCLUDED
#define BB_READER_H_INCLUDED

#include <czmq.h>

#include "bb_cache.h"
#include "bb_index.h"

//  The actor's arguments; borrowed, they must outlive the actor.
typedef struct {
    bb_index_t *index;          // shared rank index and environment
    bb_cache_t *cache;          // shared reply cache
    const char *endpoint;       // the query actor's inproc back end
} bb_reader_args_t;

//  The actor: bb_actor_new ("reader", bb_reader_actor, &args). Ready once
//  connected. Ends on $TERM.
void bb_reader_actor (zsock_t *pipe, void *args);

#endif
