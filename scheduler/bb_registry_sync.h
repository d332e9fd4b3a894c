/*  =========================================================================
    bb_registry_sync - the registry sync as the scheduler runs it

    Owns the scheduler's side of a registry sync (docs/registry.md): the
    registry URL (BALBOARD_REGISTRY_URL, never logged or shown) and its
    source (the same URL without credentials or query), when the next
    sync is due, the sync out (job id "sync.<generation>", attempt,
    deadline, confirm), the registry budget it holds, and the last sync's
    report for the status.

    When. A sync is due at start, at the start of each rotation (unless
    one is out, or one finished since the tick before the rotation's), on
    the operator's SYNC (with confirm: a held snapshot is applied), and
    sync_ms after the last one ended. One is out at a time; a SYNC while
    one is out runs once it ends. A limited registry (bb_health) waits
    for its probe time; a short registry bucket for its tokens.

    Budget. A registry job holds what the registry bucket has free, and
    at least its estimate (the pages of the last sync, and one more);
    a full bucket pays for any estimate. The fetcher makes at most that
    many requests (RegistryJob.requests_max); the tokens come back as
    the report says they were used, or as lost.

    Retries. A sync whose fetcher died or missed its deadline, or whose
    report says the store never answered (SYNC_FAILED), goes again with
    the same job id and generation, attempt + 1, up to max_attempts;
    then it is given up until the next is due. Every new sync takes the
    next generation, which the caller commits durably before it goes.

    Time is passed in; the module belongs to the scheduler actor's thread.
    =========================================================================
*/
#ifndef BB_REGISTRY_SYNC_H_INCLUDED
#define BB_REGISTRY_SYNC_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include <czmq.h>

#include "bb_budget.h"
#include "bb_health.h"
#include "balboard.pb-c.h"

//  Agents per registry page a sync asks for.
#define BB_REGISTRY_SYNC_PAGE_LIMIT 100

typedef struct {
    const char *url;                // the registry API; NULL or "": none
    uint64_t sync_ms;               // from one sync's end to the next
    uint64_t deadline_ms;           // a sync job's deadline from dispatch
    uint32_t max_remove_pct;        // a snapshot removing more is held
    uint32_t max_attempts;          // attempts of one sync
} bb_registry_sync_settings_t;

typedef struct _bb_registry_sync_t bb_registry_sync_t;

//  Create the sync state (settings borrowed, the url too), with the last
//  generation a previous run committed; budget and health borrowed. The
//  first sync is due at now_ms when a url is set.
bb_registry_sync_t *bb_registry_sync_new (
    const bb_registry_sync_settings_t *settings, uint64_t generation,
    bb_budget_t *budget, bb_health_t *health, uint64_t now_ms);

//  Destroy it and set *self_p to NULL. NULL-safe.
void bb_registry_sync_destroy (bb_registry_sync_t **self_p);

//  True if a registry URL is configured.
bool bb_registry_sync_configured (bb_registry_sync_t *self);

//  The registry's URL without credentials or query ("" when none).
const char *bb_registry_sync_source (bb_registry_sync_t *self);

//  The operator asked for a sync now; with confirm, its held removals
//  are applied.
void bb_registry_sync_request (bb_registry_sync_t *self, bool confirm);

//  A tick ran at now_ms.
void bb_registry_sync_tick (bb_registry_sync_t *self, uint64_t now_ms);

//  A rotation started at now_ms: its sync is due (see above).
void bb_registry_sync_rotation_started (bb_registry_sync_t *self,
                                        uint64_t now_ms);

//  When a sync is next due or may go (ms since the epoch), 0 if none is
//  planned (no url, or one is out).
uint64_t bb_registry_sync_next_ms (bb_registry_sync_t *self,
                                   uint64_t now_ms);

//  Make the next attempt due at now_ms: the registry job's frame, its
//  budget spent and the registry's probe noted, or NULL when none is due
//  or may go yet. The job is out from now on; the caller commits the
//  generation (bb_registry_sync_generation) before it sends it, and
//  says it is lost if it cannot.
zframe_t *bb_registry_sync_dispatch (bb_registry_sync_t *self,
                                     uint64_t now_ms);

//  The generation of the latest sync dispatched (0: none yet).
uint64_t bb_registry_sync_generation (bb_registry_sync_t *self);

//  The job id out, or NULL when none is.
const char *bb_registry_sync_job (bb_registry_sync_t *self);

//  Its attempt and deadline (0 when none is out).
uint32_t bb_registry_sync_attempt (bb_registry_sync_t *self);
uint64_t bb_registry_sync_deadline (bb_registry_sync_t *self);

//  The report of a registry job (job id "sync.*", or carrying a registry
//  report) came at now_ms: it settles the budget and, if it is the
//  attempt out, ends it (or makes it go again, see above). Returns true
//  if the report was a registry job's.
bool bb_registry_sync_report (bb_registry_sync_t *self,
                              const Balboard__JobReport *report,
                              uint64_t now_ms);

//  The job job_id was lost (why: bb_fetchers' reasons) at now_ms. Returns
//  true if it was the sync out, which goes again (see above).
bool bb_registry_sync_lost (bb_registry_sync_t *self, const char *job_id,
                            const char *why, uint64_t now_ms);

//  The last sync's report (the store's answer, or the failure), NULL
//  before the first ended. Owned by the sync state.
const Balboard__RegistrySyncReport *bb_registry_sync_last (
    bb_registry_sync_t *self);

#endif
