/*  =========================================================================
    bb_pickup - the prompt pickup of imported agents: the scheduler's
    subscription to the store's events
    =========================================================================
*/
#include "bb_pickup.h"
#include "bb_log.h"
#include "bb_wire.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

struct _bb_pickup_t {
    zsock_t *subscriber;        // SUB to the store's events; NULL: none
    uint64_t agents;            // the registry's size as last seen
    uint64_t interval_ms;       // between two pickups at least
    uint64_t last_ms;           // the last pickup; 0 = none yet
    bool pending;               // the registry grew, no pickup yet
};

bb_pickup_t *
bb_pickup_new (const char *endpoint, uint64_t agents, uint64_t interval_ms)
{
    bb_pickup_t *self = calloc (1, sizeof *self);
    assert (self);
    self->agents = agents;
    self->interval_ms = interval_ms;
    if (endpoint && *endpoint) {
        self->subscriber = bb_wire_socket_new (ZMQ_SUB, NULL);
        if (!self->subscriber
        ||  zsock_connect (self->subscriber, "%s", endpoint) == -1) {
            bb_pickup_destroy (&self);
            return NULL;
        }
        zsock_set_subscribe (self->subscriber, "");
    }
    return self;
}

void
bb_pickup_destroy (bb_pickup_t **self_p)
{
    assert (self_p);
    bb_pickup_t *self = *self_p;
    if (self) {
        zsock_destroy (&self->subscriber);
        free (self);
        *self_p = NULL;
    }
}

zsock_t *
bb_pickup_socket (bb_pickup_t *self)
{
    assert (self);
    return self->subscriber;
}

bool
bb_pickup_recv (bb_pickup_t *self)
{
    assert (self && self->subscriber);
    bb_wire_msg_t msg = { 0 };
    bool changed = false;
    bb_wire_result_t result = bb_wire_recv (self->subscriber, &msg);
    if (result == BB_WIRE_OK
    &&  msg.envelope->body_case == BALBOARD__ENVELOPE__BODY_DASHBOARD_EVENT)
        changed = bb_pickup_agents (self,
                                    msg.envelope->dashboard_event->agents);
    else
    if (result != BB_WIRE_INTERRUPTED)
        bb_wire_reject (self->subscriber, "store_events", &msg);
    bb_wire_msg_reset (&msg);
    return changed;
}

bool
bb_pickup_agents (bb_pickup_t *self, uint64_t agents)
{
    assert (self);
    if (agents > self->agents) {
        bb_debug ("registry_grew", "agents=%" PRIu64 " was=%" PRIu64,
                  agents, self->agents);
        self->pending = true;
    }
    bool changed = agents != self->agents;
    self->agents = agents;
    return changed;
}

bool
bb_pickup_due (bb_pickup_t *self, bool running, uint64_t rotation_agents,
               uint64_t now_ms)
{
    assert (self);
    if (running || self->agents <= rotation_agents)
        self->pending = false;
    if (!self->pending
    ||  (self->last_ms && now_ms < self->last_ms + self->interval_ms))
        return false;
    self->pending = false;
    self->last_ms = now_ms;
    return true;
}
