/*  =========================================================================
    bb_event_feed - the gateway's event feed: the store's events, fanned
    out to every SSE stream

    A czmq actor (bb_actor) with one SUB socket connected to the store's
    events socket. Each DashboardEvent becomes one SSE message,

        event: dashboard
        data: {"commitSeq":…,"rotation":…,"rotationDone":…,
               "rotationAgents":…,"pricedAt":"…"|null,"agents":…}

    (data on one line), handed to every stream (bb_sse_broadcast) and
    remembered for streams opened later. The event's store state
    (commit_seq, priced_at_ms) goes to the page cache (bb_page_cache_
    advance, which guards it with its lock), so the HTTP workers serve
    only pages of the newest state. Every keepalive_ms it sends a
    comment line so proxies and clients see a live stream. A store that
    is down or restarts costs nothing here: the SUB reconnects by itself
    and the next event follows the next commit. A frame that is not a
    DashboardEvent is logged and dropped.
    =========================================================================
*/
#ifndef BB_EVENT_FEED_H_INCLUDED
#define BB_EVENT_FEED_H_INCLUDED

#include <stdint.h>
#include <czmq.h>
#include <jansson.h>

#include "balboard.pb-c.h"
#include "bb_page_cache.h"
#include "bb_sse.h"

//  The actor's arguments; borrowed, they must outlive the actor.
typedef struct {
    const char *endpoint;       // the store's events socket, "tcp://…"
    bb_sse_t *streams;
    bb_page_cache_t *pages;     // told the newest state; NULL: none
    int64_t keepalive_ms;       // a comment line this often
} bb_event_feed_args_t;

//  The actor: bb_actor_new ("event-feed", bb_event_feed_actor, &args).
//  Ready once its SUB socket is made (it connects in the background);
//  failed if the endpoint is malformed. Ends on $TERM.
void bb_event_feed_actor (zsock_t *pipe, void *args);

//  The SSE message of event (caller frees).
char *bb_event_feed_message (const Balboard__DashboardEvent *event);

#endif
