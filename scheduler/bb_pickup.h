/*  =========================================================================
    bb_pickup - the prompt pickup of imported agents: the scheduler's
    subscription to the store's events

    Owns the SUB to the store's events socket (a DashboardEvent after
    commits, bursts merged, bb_events) and what the scheduler needs from
    it: whether the registry grew since the count it last saw, and when
    an early start may happen. Growth seen while no rotation runs makes a
    pickup due, which the scheduler serves with a tick; at most one
    pickup per interval (the heartbeat), the others wait for the interval
    to end. Growth seen while a rotation runs is dropped: that rotation
    takes the agents after its cursor, and those before it wait for the
    next rotation, as they always did. The count starts at the size of
    the last rotation, so a restart on an unchanged registry picks up
    nothing. Events are advisory: a lost one (PUB drops, store down)
    only means the agents wait for the alarm. The scheduler actor's
    thread.
    =========================================================================
*/
#ifndef BB_PICKUP_H_INCLUDED
#define BB_PICKUP_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include <czmq.h>

typedef struct _bb_pickup_t bb_pickup_t;

//  Subscribe to the store's events at endpoint (NULL or "": no
//  subscription; the socket is then NULL), knowing agents agents, with
//  at least interval_ms between two pickups. Returns NULL if endpoint
//  cannot be connected.
bb_pickup_t *bb_pickup_new (const char *endpoint, uint64_t agents,
                            uint64_t interval_ms);

//  Close the socket, free, set *self_p to NULL. NULL-safe.
void bb_pickup_destroy (bb_pickup_t **self_p);

//  The SUB socket for the caller's loop, owned by self; NULL if none.
zsock_t *bb_pickup_socket (bb_pickup_t *self);

//  Read one event from the socket and take its agent count (a message
//  that is no DashboardEvent is logged and dropped). Returns true if the
//  count changed.
bool bb_pickup_recv (bb_pickup_t *self);

//  Take the registry's agent count as an event showed it: growth makes a
//  pickup pending. Returns true if the count changed.
bool bb_pickup_agents (bb_pickup_t *self, uint64_t agents);

//  True if a pickup should start a rotation at now_ms: one is pending, no
//  rotation runs (running drops the pending one), the registry as last
//  seen is larger than the last rotation (rotation_agents: an event that
//  comes late, after the rotation that fetched its agents, picks up
//  nothing) and the last pickup was an interval or more ago. A true
//  answer counts as the pickup.
bool bb_pickup_due (bb_pickup_t *self, bool running,
                    uint64_t rotation_agents, uint64_t now_ms);

#endif
