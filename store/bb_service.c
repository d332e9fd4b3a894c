/*  =========================================================================
    bb_service - the sockets and reactor a store actor serves from

    See bb_service.h. The loop is made last, so a failed open leaves no
    loop to run.
    =========================================================================
*/
#include "bb_service.h"
#include "bb_actor.h"
#include "bb_reason.h"
#include "bb_wire.h"

#include <assert.h>
#include <stdio.h>

int
bb_service_open (bb_service_t *self, zsock_t *pipe, const char *name,
                 const char *endpoint, bb_curve_t *curve,
                 const char *changes_endpoint, bool bind_changes,
                 char *reason)
{
    assert (self && pipe && name && endpoint && changes_endpoint && reason);
    self->changes = zsock_new (ZMQ_PAIR);
    assert (self->changes);
    int rc = bind_changes
           ? zsock_bind (self->changes, "%s", changes_endpoint)
           : zsock_connect (self->changes, "%s", changes_endpoint);
    if (rc == -1
    ||  !(self->router = bb_curve_socket_new (curve, ZMQ_ROUTER, NULL, name))
    ||  zsock_bind (self->router, "%s", endpoint) == -1) {
        snprintf (reason, BB_REASON_SIZE, "cannot bind %s: %s",
                  endpoint, zmq_strerror (zmq_errno ()));
        return -1;
    }
    self->loop = zloop_new ();
    zloop_set_nonstop (self->loop, true);
    zloop_reader (self->loop, pipe, bb_actor_on_pipe, &self->terminated);
    return 0;
}

void
bb_service_close (bb_service_t *self)
{
    assert (self);
    zloop_destroy (&self->loop);
    zsock_destroy (&self->router);
    zsock_destroy (&self->changes);
}
