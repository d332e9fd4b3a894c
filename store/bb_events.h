/*  =========================================================================
    bb_events - the store's events socket: what the dashboard shows, after
    each commit, bursts merged

    Owns the PUB socket (bound on --events-bind) and the merge of bursts.
    The ingest actor hands it the state after every commit
    (bb_events_commit); the first state after a quiet interval goes out at
    once, the states that follow within the interval are merged and the
    newest goes out when the interval ends (a zloop timer on the ingest
    actor's loop). So at most one event per interval leaves, the last
    state of a burst always leaves, and a commit never waits: the PUB
    drops for a subscriber past its high-water mark, and the send does not
    block. Each event is one Envelope holding a DashboardEvent, request
    id 0. Runs in the ingest actor's thread only.
    =========================================================================
*/
#ifndef BB_EVENTS_H_INCLUDED
#define BB_EVENTS_H_INCLUDED

#include <stdint.h>
#include <czmq.h>

#include "balboard.pb-c.h"

//  Default merge interval: at most four events a second.
#define BB_EVENTS_INTERVAL_MS   250

typedef struct _bb_events_t bb_events_t;

//  Bind the PUB socket on endpoint and merge on loop (borrowed; it must
//  outlive self) with interval_ms between two events (0: every commit
//  goes out at once). Returns NULL (logged as events_bind_failed, an
//  error) if the bind fails; the store then serves without events.
bb_events_t *bb_events_new (const char *endpoint, zloop_t *loop,
                            int64_t interval_ms);

//  Cancel the pending timer, close the socket, free, set *self_p to NULL.
//  A state still merged is dropped. NULL-safe.
void bb_events_destroy (bb_events_t **self_p);

//  The state after a commit (copied). Published now or at the end of the
//  interval; never blocks.
void bb_events_commit (bb_events_t *self,
                       const Balboard__DashboardEvent *state);

//  Events published so far (for logs and tests).
uint64_t bb_events_published (bb_events_t *self);

#endif
