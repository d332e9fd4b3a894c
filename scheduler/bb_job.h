/*  =========================================================================
    bb_job - one chunk job of a rotation

    Owns a ChunkJob envelope exactly as it goes to a fetcher and into the
    scheduler's durable state (the same bytes, so what a restart
    re-dispatches is what was sent). Which fetcher holds it is the fetcher
    registry's to say (bb_fetchers). The job id "<rotation>.<chunk>"
    (bb_ids) stays the same across attempts; each dispatch makes the next
    attempt as a new job, so the one in flight changes only once that
    attempt is committed. Agents are kept with their two addresses only,
    all a fetcher needs.
    =========================================================================
*/
#ifndef BB_JOB_H_INCLUDED
#define BB_JOB_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <czmq.h>

#include "bb_budget.h"
#include "bb_ids.h"
#include "balboard.pb-c.h"

typedef struct _bb_job_t bb_job_t;

//  Create job chunk_index of rotation for count agents (their addresses
//  are copied), attempt 0 (not dispatched yet).
bb_job_t *bb_job_new (uint64_t rotation, uint32_t chunk_index,
                      uint32_t rotation_agents,
                      Balboard__Agent *const *agents, size_t count);

//  Decode a job from bytes bb_job_encode made. Returns NULL if they are
//  not a valid ChunkJob envelope.
bb_job_t *bb_job_decode (const void *data, size_t size);

//  Destroy the job and set *self_p to NULL. NULL-safe.
void bb_job_destroy (bb_job_t **self_p);

//  bb_job_destroy for a czmq container of jobs that owns them (zhashx,
//  zlistx): item_p points to a bb_job_t *.
void bb_job_destructor (void **item_p);

//  The ChunkJob envelope as a new frame. Caller owns it.
zframe_t *bb_job_encode (bb_job_t *self);

//  The job id, owned by the job.
const char *bb_job_id (bb_job_t *self);

uint64_t bb_job_rotation (bb_job_t *self);
uint32_t bb_job_chunk_index (bb_job_t *self);
uint32_t bb_job_agents (bb_job_t *self);

//  The stx address of agent index (< bb_job_agents), owned by the job.
const char *bb_job_agent_stx (bb_job_t *self, uint32_t index);

//  A new job: the next attempt of self (attempt + 1), due by deadline_ms,
//  asking the upstreams in sources (bb_sources: the balance sources it
//  names, the prices if it holds the price API), and allowed
//  hiro_requests_max requests of Hiro (what the budget holds for it; 0 =
//  no budget). Caller owns it.
bb_job_t *bb_job_next_attempt (bb_job_t *self, uint64_t deadline_ms,
                               unsigned sources,
                               uint32_t hiro_requests_max);

uint32_t bb_job_attempt (bb_job_t *self);
uint64_t bb_job_deadline (bb_job_t *self);
bool bb_job_fetch_prices (bb_job_t *self);

//  The upstreams the current attempt asks (bb_sources); a job never
//  dispatched, or recorded before ChunkJob.sources, asks every one.
unsigned bb_job_sources (bb_job_t *self);

//  The budget ticket of the current attempt, "<job id>#<attempt>", into
//  ticket (BB_BUDGET_TICKET_SIZE bytes). Returns ticket.
char *bb_job_ticket (bb_job_t *self, char *ticket);

#endif
