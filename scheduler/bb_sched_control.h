/*  =========================================================================
    bb_sched_control - the scheduler's control socket: operator commands

    Owns what a SchedulerControl on the control socket (the CLI's ROUTER)
    does and what it answers. STATUS changes nothing; PAUSE pauses the
    rotation and drops the page kept ahead; RESUME resumes and pumps;
    TICK ticks now; SYNC [confirm] asks for a registry sync and pumps
    (refused with no registry configured). The reply is the status as of
    after the command (bb_sched_status); a command it cannot apply, or a
    body that is not a SchedulerControl, gets an ErrorReply instead. A
    bad frame or a sender CURVE does not permit is answered as on every
    socket. The scheduler actor's thread.
    =========================================================================
*/
#ifndef BB_SCHED_CONTROL_H_INCLUDED
#define BB_SCHED_CONTROL_H_INCLUDED

#include <stdint.h>
#include <czmq.h>

#include "bb_budget.h"
#include "bb_curve.h"
#include "bb_fetchers.h"
#include "bb_health.h"
#include "bb_jobs.h"
#include "bb_pager.h"
#include "bb_registry_sync.h"
#include "bb_rotation.h"

//  The actor the control socket acts on: its parts, all borrowed (they
//  outlive the socket's reader), and its pump and tick, called with actor.
typedef struct {
    bb_rotation_t *rotation;
    bb_pager_t *pager;
    bb_health_t *health;
    bb_budget_t *budget;
    bb_fetchers_t *fetchers;
    bb_jobs_t *jobs;                // the jobs in flight
    bb_registry_sync_t *sync;
    const uint64_t *next_tick_ms;   // when the alarm fires
    bb_curve_t *curve;              // who may send, or NULL: anyone
    void (*pump) (void *actor);     // dispatch what may go now
    void (*tick) (void *actor);     // tick now
    void *actor;
} bb_sched_control_t;

//  zloop reader for the control socket; arg is the bb_sched_control_t.
//  Serves the message waiting and returns 0.
int bb_sched_control_on_socket (zloop_t *loop, zsock_t *reader, void *arg);

#endif
