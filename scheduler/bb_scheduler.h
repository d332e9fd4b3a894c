/*  =========================================================================
    bb_scheduler - the scheduler actor: rotation cursor and adaptive alarm

    Owns, in one czmq actor (one thread, one zloop): the jobs ROUTER that
    fetchers connect to, the control ROUTER, the agents page requests to
    the store (bb_pager), the rotation with its durable state and jobs in
    flight (bb_rotation, bb_sched_state, bb_jobs, bb_job), the upstream
    budgets (bb_budget), the upstream health and interval mode
    (bb_health), the fetcher registry, which also says which fetcher holds
    which job and when a job is lost (bb_fetchers), and the status reply
    (bb_sched_status).

    Ticks. The alarm fires every ALARM_ACTIVE_MS, or ALARM_IDLE_MS in IDLE
    mode, and "tick now" fires it at once; it is re-armed on every path.
    A tick makes the price snapshot due (the next job dispatched fetches
    it) and, once the previous rotation has been dispatched whole, starts
    a new one, so the tick rate bounds how often a full rotation starts.
    Imports tick early: when the store's events show the registry grew
    while no rotation runs, the scheduler ticks at once (at most once a
    heartbeat, bb_pickup), so new agents are fetched within seconds.
    Agents imported while a rotation runs join it if they fall after its
    cursor; those before it wait for the next rotation.

    Dispatch. In ACTIVE mode the rotation is dispatched as fast as ready
    fetchers (least recently used first) and the budgets allow: for each
    job the scheduler asks the store for the agents after its cursor
    (up to CHUNK_SIZE, fewer when the budget is short, plus one to look
    ahead), commits the cursor advance and the job durably, then sends
    it. A chunk with no agent after it ends the rotation's dispatch; the
    rotation is complete when every job has reported. In
    IDLE mode (every balance source limited, bb_health) a tick
    dispatches one round (a job per fetcher ready at the tick) and waits
    for the next. Jobs waiting to go again come first. A limited
    upstream (paused after a 429 or failures, or waiting for its probe)
    is only left out of the jobs: they go on for the other source, and
    the fetcher reports the skipped one so that the store keeps its rows,
    stale. Fetchers' heartbeats carry their job's counts so far, so an
    upstream in trouble is limited within a heartbeat. Agents added
    after the cursor join this rotation, those added before it the next;
    removed agents stop appearing.

    Failures. A fetcher silent for heartbeat x liveness is dropped; a job
    whose fetcher died, reconnected (READY again), said it is busy with
    another job, or missed its deadline (plus the same grace) goes again
    with the same job id and attempt + 1 to another fetcher. Any attempt
    whose batch the store answered completes the job, so an attempt given
    up for lost that finishes after all is not wasted; reports of jobs no
    longer on record are logged and ignored (the store dedups their
    batches). A job whose batch the store never acked goes again; after
    BB_SCHEDULER_MAX_ATTEMPTS attempts it is given up (its agents keep
    their last rows until the next rotation).
    =========================================================================
*/
#ifndef BB_SCHEDULER_H_INCLUDED
#define BB_SCHEDULER_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include <czmq.h>

#include "bb_curve.h"
#include "bb_registry_sync.h"
#include "bb_upstream.h"

//  Attempts of one job before it is given up.
#define BB_SCHEDULER_MAX_ATTEMPTS 5

typedef struct {
    const char *data_dir;           // the state's LMDB directory
    const char *jobs_bind;          // ROUTER for fetchers
    const char *control_bind;       // ROUTER for the CLI
    const char *store_query;        // the store's query socket
    const char *store_events;       // its events socket; NULL: none
    uint32_t chunk_size;            // agents per job at most
    uint64_t alarm_active_ms;
    uint64_t alarm_idle_ms;
    uint64_t heartbeat_ms;          // Paranoid Pirate interval
    uint32_t liveness;              // heartbeats missed before death
    uint64_t job_deadline_ms;       // a job's deadline from dispatch
    uint64_t store_timeout_ms;      // an agents page request gives up
    uint32_t rpm [BB_UPSTREAM_COUNT];   // budgets, 0 = unlimited
    uint64_t budget_window_ms;      // window the budgets hold over
    uint64_t backoff_ms;            // first pause after trouble without
                                    // Retry-After (bb_health)
    uint64_t backoff_max_ms;        // ... growing up to this
    bool start_paused;              // start (and stay) paused
    bb_registry_sync_settings_t registry;   // the registry sync
    bb_curve_t *curve;              // CURVE on jobs and control, or NULL
} bb_scheduler_settings_t;

//  The actor: bb_actor_new ("scheduler", bb_scheduler_actor, &settings)
//  (settings borrowed, strings included; they must outlive the actor).
//  Ready once its state is open and its sockets bound; failed (logged)
//  if not. Ends on $TERM.
void bb_scheduler_actor (zsock_t *pipe, void *args);

#endif
