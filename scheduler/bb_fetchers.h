/*  =========================================================================
    bb_fetchers - the fetchers connected to the scheduler's jobs socket

    Owns one record per fetcher, keyed by the fetcher id it announces: the
    routing id that reaches it (taken from its latest message, since a
    fetcher that reconnects gets a new one), its state (ready, or busy),
    the job the scheduler gave it if any (with that attempt's deadline),
    when it last got a job, and when it expires. It is the one place that
    says which fetcher holds which job: a job no fetcher holds waits.

    Liveness and losses. Liveness is the Paranoid Pirate's, both ways: the
    scheduler heartbeats every fetcher, and every message from one pushes
    its expiry to now + heartbeat x liveness. The registry decides
    when a job a fetcher holds is lost, and why (the job_lost log's why):
      fetcher_dead            silent past its expiry (the fetcher goes);
      fetcher_restarted       READY naming no job;
      fetcher_busy_elsewhere  it says it runs another job (it drops ours);
      fetcher_idle            idle heartbeats from the second one more
                              than an interval after the job went (one
                              may have crossed it): the job never arrived
                              (a socket the fetcher had just replaced) or
                              its report was lost;
      deadline                the deadline plus heartbeat x liveness of
                              grace passed (the fetcher stays busy until
                              it reports or says it is idle).
    A lost job is held by no one; what happens to it is the caller's. After
    the caller's loop stalled, no fetcher is judged (expiry, deadlines,
    idle heartbeats) for one interval: what fetchers said meanwhile may
    not be read yet.

    Ready fetchers are handed out least recently used first, so one that
    never had a job comes first and the work spreads over all of them.
    Lookups are linear scans: a scheduler serves a handful to a few dozen
    fetchers. Time is passed in; the registry belongs to the scheduler
    actor's thread.
    =========================================================================
*/
#ifndef BB_FETCHERS_H_INCLUDED
#define BB_FETCHERS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <czmq.h>

#include "bb_ids.h"
#include "bb_wire.h"

//  What the status tells about one fetcher.
typedef struct {
    char id [BB_FETCHER_ID_SIZE];
    bool ready;
    char job [BB_JOB_ID_SIZE];          // the job it holds, "" = none
    uint64_t jobs;                      // jobs handed to it
} bb_fetcher_info_t;

//  A job a fetcher held and lost, or a fetcher that died.
typedef struct {
    char fetcher [BB_FETCHER_ID_SIZE];
    char job [BB_JOB_ID_SIZE];          // the job lost, "" = none
    const char *why;                    // see above; static
    bool dead;                          // the fetcher was removed
} bb_fetcher_loss_t;

typedef struct _bb_fetchers_t bb_fetchers_t;

//  Why envelope is not a message a fetcher may send: not a fetcher
//  message at all (*code UNSUPPORTED), or its fetcher id, or a report's
//  job id, missing or invalid (BAD_REQUEST). NULL when it is one.
const char *bb_fetchers_refusal (const bb_envelope_t *envelope,
                                 Balboard__ErrorReply__Code *code);

//  Create an empty registry: fetchers heartbeat every heartbeat_ms, and
//  one silent for liveness heartbeats dies.
bb_fetchers_t *bb_fetchers_new (uint64_t heartbeat_ms, uint32_t liveness);

//  Destroy the registry and set *self_p to NULL. NULL-safe.
void bb_fetchers_destroy (bb_fetchers_t **self_p);

//  A message from fetcher id (bb_fetcher_id_valid) arrived over
//  routing_id (copied) at now_ms: register it if unknown (busy, with no
//  job, until told otherwise) and push its expiry. Returns true if it was
//  unknown.
bool bb_fetchers_seen (bb_fetchers_t *self, const char *id,
                       zframe_t *routing_id, uint64_t now_ms);

//  Fetcher id says, in a READY (ready_message) or a heartbeat, that it
//  runs busy ("" = nothing). If that is not the job it holds, the job may
//  be lost (see above): then loss->job names it, else it is "". A fetcher
//  that runs nothing of ours becomes ready. Returns true if anything
//  changed (a job lost, the fetcher ready).
bool bb_fetchers_says (bb_fetchers_t *self, const char *id, const char *busy,
                       bool ready_message, uint64_t now_ms,
                       bb_fetcher_loss_t *loss);

//  Fetcher id (ready) takes attempt of job_id, due by deadline_ms, at
//  now_ms and becomes busy.
void bb_fetchers_assign (bb_fetchers_t *self, const char *id,
                         const char *job_id, uint32_t attempt,
                         uint64_t deadline_ms, uint64_t now_ms);

//  Fetcher id reported attempt of job_id: it is ready again unless it
//  holds another job, or a later attempt of this one.
void bb_fetchers_reported (bb_fetchers_t *self, const char *id,
                           const char *job_id, uint32_t attempt);

//  The fetcher that holds job_id, or NULL when none does (the job waits).
//  Owned by the registry, valid until that fetcher changes.
const char *bb_fetchers_holder (bb_fetchers_t *self, const char *job_id);

//  The next loss due by now_ms into *loss: a fetcher past its expiry
//  (removed, with the job it held or ""), else a job past its deadline
//  and grace. Returns false when there is none; call until then.
bool bb_fetchers_next_loss (bb_fetchers_t *self, uint64_t now_ms,
                            bb_fetcher_loss_t *loss);

//  The caller's loop stalled and runs again at now_ms: judge no fetcher
//  for one heartbeat interval.
void bb_fetchers_stalled (bb_fetchers_t *self, uint64_t now_ms);

//  Send *frame_p to fetcher id over router (the jobs socket), by the
//  routing id of its latest message. Takes the frame. Returns 0 or -1.
int bb_fetchers_send (bb_fetchers_t *self, const char *id, zsock_t *router,
                      zframe_t **frame_p);

//  Send a FetcherHeartbeat from sender_id to every fetcher over router.
void bb_fetchers_heartbeat (bb_fetchers_t *self, zsock_t *router,
                            const char *sender_id);

//  The ready fetcher that got a job least recently, or NULL. Owned by
//  the registry, valid until the fetcher is removed.
const char *bb_fetchers_next_ready (bb_fetchers_t *self);

//  Fetchers registered, and those of them ready.
size_t bb_fetchers_size (bb_fetchers_t *self);
size_t bb_fetchers_ready_count (bb_fetchers_t *self);

//  Copy what up to max fetchers look like into infos, sorted by id.
//  Returns how many were copied.
size_t bb_fetchers_list (bb_fetchers_t *self, bb_fetcher_info_t *infos,
                         size_t max);

#endif
