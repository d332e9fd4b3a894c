/*  =========================================================================
    bb_sched_state - the scheduler's durable state, in its own LMDB env

    Owns the scheduler's LMDB environment (default ./data/scheduler): the
    rotation (number, cursor, next chunk, progress, start time, whether
    the cursor passed the last agent and whether every job reported), the
    tick sequence, the interval mode, the operator pause, each upstream's
    Retry-After pause and budget held, and every job in flight (the exact
    ChunkJob bytes sent, see bb_job).

    The invariant that makes a restart exact: the scheduler commits a
    change here, durably, before it sends the job the change describes.
    After a kill -9 the jobs still recorded are the ones that never
    reported; they go again (attempt + 1), and the cursor says where the
    rotation goes on. Nothing else dispatches a chunk, so no chunk goes
    twice otherwise and no agent is skipped.

    Changes are transactions: _begin, any _put / _del, _commit (durable,
    all or nothing). After a failed step only _commit (which then aborts
    and returns -1) or _abort is allowed, as with LMDB's MDB_TXN_ERROR.
    _meta reflects the last committed meta. An exclusive lock on the data
    file keeps a second scheduler off the same directory. One thread.
    =========================================================================
*/
#ifndef BB_SCHED_STATE_H_INCLUDED
#define BB_SCHED_STATE_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include <czmq.h>

#include "bb_job.h"
#include "bb_upstream.h"

//  Longest cursor (an STX address), NUL included.
#define BB_SCHED_CURSOR_SIZE 128

typedef struct {
    uint64_t rotation;              // latest rotation started, 0 = none
    char cursor [BB_SCHED_CURSOR_SIZE]; // last agent it dispatched, "" none
    uint32_t next_chunk;            // chunk index of its next job
    uint32_t rotation_agents;       // registry size when it started
    uint32_t rotation_done;         // agents of its jobs that reported
    uint64_t rotation_started_ms;
    bool exhausted;                 // the cursor passed the last agent
    bool complete;                  // ... and every job of it reported
    uint64_t rotations_completed;
    uint64_t last_rotation_ms;      // duration of the last complete one
    uint64_t tick_seq;              // ticks run
    bool idle;                      // interval mode IDLE (else ACTIVE)
    bool paused;                    // operator pause
    uint64_t paused_until [BB_UPSTREAM_COUNT];  // Retry-After, 0 = none
    uint32_t budget_held [BB_UPSTREAM_COUNT];   // bb_budget_summary
    uint64_t budget_until [BB_UPSTREAM_COUNT];
    uint64_t registry_generation;   // the latest registry sync's
} bb_sched_meta_t;

typedef struct _bb_sched_state_t bb_sched_state_t;

//  Open (creating it and its directory when absent) the state in dir.
//  A fresh state has no rotation, which counts as complete. Returns NULL
//  after logging why (unwritable, locked by another scheduler, LMDB).
bb_sched_state_t *bb_sched_state_new (const char *dir);

//  Close the environment and set *self_p to NULL; an open transaction is
//  aborted. NULL-safe.
void bb_sched_state_destroy (bb_sched_state_t **self_p);

//  The last committed meta, owned by the state.
const bb_sched_meta_t *bb_sched_state_meta (bb_sched_state_t *self);

//  The jobs recorded, in job id order, as a new list that owns them
//  (destroying it destroys them). A record that does not decode is
//  logged and skipped. Returns NULL on an LMDB error (logged).
zlistx_t *bb_sched_state_jobs (bb_sched_state_t *self);

//  Begin a change. Returns 0 or -1 (logged). One change at a time.
int bb_sched_state_begin (bb_sched_state_t *self);

//  Within a change: replace the meta; record job (by its id, replacing
//  the record of an earlier attempt); forget job job_id. Return 0 or -1;
//  after -1 the change can only be aborted.
int bb_sched_state_put_meta (bb_sched_state_t *self,
                             const bb_sched_meta_t *meta);
int bb_sched_state_put_job (bb_sched_state_t *self, bb_job_t *job);
int bb_sched_state_del_job (bb_sched_state_t *self, const char *job_id);

//  Commit the change durably. Returns 0, or -1 (logged) when a step or
//  the commit failed: then nothing of the change is kept.
int bb_sched_state_commit (bb_sched_state_t *self);

//  Drop the change. NULL-safe on no change.
void bb_sched_state_abort (bb_sched_state_t *self);

#endif
