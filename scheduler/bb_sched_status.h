/*  =========================================================================
    bb_sched_status - the SchedulerStatus every control reply carries

    Owns how the scheduler's state reads to an operator: the rotation,
    cursor and progress, interval mode, next tick, pause, tick sequence,
    the fetchers (each one's state, job and job count), the jobs in flight
    (each one's attempt, holder, deadline and agents), each upstream's
    health, pause, budget and counts, the rotations completed, the
    build, and the registry sync (source, last report, next, out). It reads the actor's parts and changes none of them. The
    scheduler actor's thread.
    =========================================================================
*/
#ifndef BB_SCHED_STATUS_H_INCLUDED
#define BB_SCHED_STATUS_H_INCLUDED

#include <stdint.h>
#include <czmq.h>

#include "bb_budget.h"
#include "bb_fetchers.h"
#include "bb_health.h"
#include "bb_jobs.h"
#include "bb_registry_sync.h"
#include "bb_sched_state.h"

//  What the status is made of, all borrowed.
typedef struct {
    const bb_sched_meta_t *meta;    // the last committed meta
    bb_health_t *health;
    bb_budget_t *budget;
    bb_fetchers_t *fetchers;
    bb_jobs_t *jobs;
    bb_registry_sync_t *sync;
    uint64_t next_tick_ms;          // when the alarm fires
} bb_sched_status_parts_t;

//  Send the status of parts at now_ms to peer over socket, in reply to
//  request_id. Returns 0 or -1 (as bb_wire_send).
int bb_sched_status_send (const bb_sched_status_parts_t *parts,
                          uint64_t now_ms, zsock_t *socket, zframe_t *peer,
                          uint64_t request_id);

#endif
