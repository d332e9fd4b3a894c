/*  =========================================================================
    bb_service - the sockets and reactor a store actor serves from

    The store's two actors (bb_query, bb_ingest) each answer requests on a
    ROUTER bound on their endpoint and talk to each other over one inproc
    PAIR: the query actor binds it (it starts first), the ingest actor
    connects to it. Each runs one zloop that reads its pipe, nonstop, so
    only $TERM ends it (never a signal). This module opens and closes
    that frame; the actor adds its own readers and timers to the loop.
    =========================================================================
*/
#ifndef BB_SERVICE_H_INCLUDED
#define BB_SERVICE_H_INCLUDED

#include <stdbool.h>
#include <czmq.h>

#include "bb_curve.h"

typedef struct {
    zsock_t *router;        // requests, bound on the actor's endpoint
    zsock_t *changes;       // this actor's end of the changes PAIR
    zloop_t *loop;          // reads the pipe; the actor adds the rest
    bool terminated;        // $TERM came
} bb_service_t;

//  Open self (zeroed, at a stable address: the loop keeps &terminated):
//  the changes PAIR on changes_endpoint (bound if bind_changes, else
//  connected), the ROUTER bound on endpoint (with CURVE when curve is not
//  NULL, refusals logged under name), and the loop reading pipe.
//  Returns 0, or -1 with why in reason (BB_REASON_SIZE bytes). Call
//  bb_service_close either way.
int bb_service_open (bb_service_t *self, zsock_t *pipe, const char *name,
                     const char *endpoint, bb_curve_t *curve,
                     const char *changes_endpoint, bool bind_changes,
                     char *reason);

//  Destroy the loop and both sockets. Safe on a partly opened or closed
//  self.
void bb_service_close (bb_service_t *self);

#endif
