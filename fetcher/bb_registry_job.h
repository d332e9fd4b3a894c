/*  =========================================================================
    bb_registry_job - one registry sync job, from RegistryJob to the
    snapshot parts and the JobReport

    Reads the agent registry (the RegistryJob's url: ?limit=&offset=,
    pagination.hasMore) page after page on the fetcher's bb_http engine,
    on the registry's lane, and checks every agent with bb_agent_list (the
    import's rules): valid agents go into the snapshot with owner
    REGISTRY, invalid ones into its rejections with their reasons.

    Never wipe by accident: the snapshot is complete only if every page
    was read and they agree. Any of these ends the read early or marks it
    incomplete, with the reason, and keeps what was read so far: a page
    that failed after the engine's retries (5xx, timeout, transport, any
    status but 200) or is not an agent list; the job's deadline; the
    registry budget (requests_max: no page is asked once the requests so
    far reach it); a pagination total that changes between pages; a page
    that lists an agent an earlier page listed (that page is left out);
    hasMore with an empty page; fewer agents read than the total said.

    The snapshot goes to the store in parts of at most
    BB_REGISTRY_JOB_PART_AGENTS agents (and as many rejections), every
    part with the same header; the caller sends them in order. The url may
    carry credentials: it is never logged or reported, only `source`.

    While a job runs it owns every request on the registry lane;
    destroying it cancels them. One thread (the fetcher actor's).
    =========================================================================
*/
#ifndef BB_REGISTRY_JOB_H_INCLUDED
#define BB_REGISTRY_JOB_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "balboard.pb-c.h"
#include "bb_address.h"
#include "bb_http.h"

//  Most agents (and rejections) in one snapshot part.
#define BB_REGISTRY_JOB_PART_AGENTS 2000

//  Agents per page when the job does not say.
#define BB_REGISTRY_JOB_PAGE_LIMIT 100

typedef struct _bb_registry_job_t bb_registry_job_t;

//  Create the job for job (copied) and ask the first page on http;
//  nothing may end after deadline_ms (monotonic, zclock_mono).
bb_registry_job_t *bb_registry_job_new (const Balboard__RegistryJob *job,
                                        bb_http_t *http,
                                        bb_network_t network,
                                        const char *fetcher_id,
                                        int64_t deadline_ms);

//  Cancel what still runs, destroy the job, set *self_p to NULL.
//  NULL-safe.
void bb_registry_job_destroy (bb_registry_job_t **self_p);

const char *bb_registry_job_id (bb_registry_job_t *self);

//  True once the read is over (complete or not): the parts are ready.
bool bb_registry_job_done (bb_registry_job_t *self);

//  When done: the number of parts (at least 1) and part index (< parts),
//  owned by the job, valid until the next call or destroy.
size_t bb_registry_job_parts (bb_registry_job_t *self);
const Balboard__RegistrySnapshot *bb_registry_job_part (
    bb_registry_job_t *self, size_t index);

//  The registry's UpstreamReport so far (for the heartbeat): count
//  entries (1), owned by the job, valid until the next call or destroy.
Balboard__UpstreamReport *const *bb_registry_job_progress (
    bb_registry_job_t *self, size_t *count);

//  The report for the scheduler: with the store's final reply, or, when
//  there is none (reply NULL), outcome SYNC_FAILED and failure as the
//  reason. Owned by the job, valid until the next call or destroy.
const Balboard__JobReport *bb_registry_job_report (
    bb_registry_job_t *self, const Balboard__RegistrySyncReport *reply,
    const char *failure);

//  A report for a RegistryJob the fetcher does not run (reason why): the
//  caller owns it and frees it with balboard__job_report__free_unpacked.
Balboard__JobReport *bb_registry_job_refusal (
    const Balboard__RegistryJob *job, const char *fetcher_id,
    const char *reason);

#endif
