/*  =========================================================================
    bb_sched_control - the scheduler's control socket: operator commands

    Every message gets one answer: the status, or an ErrorReply saying why
    not (bb_curve_recv answers the ones it refuses).
    =========================================================================
*/
#include "bb_sched_control.h"
#include "bb_log.h"
#include "bb_sched_status.h"
#include "bb_wire.h"

#include <assert.h>

//  Apply control; returns NULL, or why it cannot.
static const char *
s_apply (bb_sched_control_t *self, const Balboard__SchedulerControl *control)
{
    switch (control->command) {
        case BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS:
            return NULL;
        case BALBOARD__SCHEDULER_CONTROL__COMMAND__PAUSE:
            bb_rotation_set_paused (self->rotation, true);
            bb_pager_drop (self->pager);
            return NULL;
        case BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME:
            if (bb_rotation_set_paused (self->rotation, false) == 0)
                self->pump (self->actor);
            return NULL;
        case BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK:
            bb_info ("tick_requested", NULL);
            self->tick (self->actor);
            return NULL;
        case BALBOARD__SCHEDULER_CONTROL__COMMAND__SYNC:
            if (!bb_registry_sync_configured (self->sync))
                return "no registry to sync: set BALBOARD_REGISTRY_URL";
            bb_registry_sync_request (self->sync, control->confirm);
            self->pump (self->actor);
            return NULL;
        default:
            return "command must be STATUS, PAUSE, RESUME, TICK or SYNC";
    }
}

//  Reply to peer with the status, as of now.
static void
s_send_status (bb_sched_control_t *self, zsock_t *socket, zframe_t *peer,
               uint64_t request_id)
{
    bb_sched_status_parts_t parts = {
        .meta = bb_rotation_meta (self->rotation),
        .health = self->health,
        .budget = self->budget,
        .fetchers = self->fetchers,
        .jobs = self->jobs,
        .sync = self->sync,
        .next_tick_ms = *self->next_tick_ms
    };
    bb_sched_status_send (&parts, zclock_time (), socket, peer, request_id);
}

//  Serve envelope from peer: apply it if it is a SchedulerControl, then
//  answer with the status or why not.
static void
s_serve (bb_sched_control_t *self, zsock_t *reader, zframe_t *peer,
         const bb_envelope_t *envelope)
{
    uint64_t request_id = envelope->request_id;
    bool control = envelope->body_case
                == BALBOARD__ENVELOPE__BODY_SCHEDULER_CONTROL;
    const char *why = control
        ? s_apply (self, envelope->scheduler_control)
        : "the control socket takes SchedulerControl";
    if (why)
        bb_wire_send_error (reader, peer, request_id, control
                            ? BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST
                            : BALBOARD__ERROR_REPLY__CODE__UNSUPPORTED,
                            why);
    else
        s_send_status (self, reader, peer, request_id);
}

int
bb_sched_control_on_socket (zloop_t *loop, zsock_t *reader, void *arg)
{
    bb_sched_control_t *self = (bb_sched_control_t *) arg;
    assert (self);
    bb_wire_msg_t msg = { 0 };
    if (bb_curve_recv (self->curve, reader, "control", &msg))
        s_serve (self, reader, msg.peer, msg.envelope);
    bb_wire_msg_reset (&msg);
    return 0;
}
