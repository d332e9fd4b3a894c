/*  =========================================================================
    bb_fetchers - the fetchers connected to the scheduler's jobs socket

    Owns one record per fetcher, keyed by the fetcher id it announces: the
    routing id that reaches it (taken from its latest message, since a
    fetcher that reconnects gets a new one), its state (ready, or busy,
    with the job the scheduler gave it if any), when it last got a job,
    and when it expires. Liveness is the Paranoid Pirate's: every message
    pushes the expiry to now + heartbeat x liveness, and a fetcher past it
    is dead and removed.

    Ready fetchers are handed out least recently used first, so one that
    never had a job comes first and the work spreads over all of them.
    Lookups are linear scans: a scheduler serves a handful to a few dozen
    fetchers. The registry belongs to the scheduler actor's thread.
    =========================================================================
*/
#ifndef BB_FETCHERS_H_INCLUDED
#define BB_FETCHERS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <czmq.h>

//  Longest fetcher id, NUL included; longer ids are refused.
#define BB_FETCHER_ID_SIZE 64

//  Longest job id, NUL included.
#define BB_FETCHER_JOB_SIZE 48

//  What the status tells about one fetcher.
typedef struct {
    char id [BB_FETCHER_ID_SIZE];
    bool ready;
    char job [BB_FETCHER_JOB_SIZE];     // the job it holds, "" = none
    uint64_t jobs;                      // jobs handed to it
} bb_fetcher_info_t;

typedef struct _bb_fetchers_t bb_fetchers_t;

//  Create an empty registry where a silent fetcher dies after expiry_ms.
bb_fetchers_t *bb_fetchers_new (uint64_t expiry_ms);

//  Destroy the registry and set *self_p to NULL. NULL-safe.
void bb_fetchers_destroy (bb_fetchers_t **self_p);

//  True if id is acceptable as a fetcher id (1..BB_FETCHER_ID_SIZE-1
//  printable characters).
bool bb_fetchers_id_valid (const char *id);

//  A message from fetcher id arrived over routing_id (copied) at now_ms:
//  register it if unknown (busy, with no job, until told otherwise) and
//  push its expiry. id must be valid. Returns true if it was unknown.
bool bb_fetchers_seen (bb_fetchers_t *self, const char *id,
                       zframe_t *routing_id, uint64_t now_ms);

//  Fetcher id is ready for a job; whatever job it had is forgotten.
void bb_fetchers_set_ready (bb_fetchers_t *self, const char *id);

//  Fetcher id (ready) takes job_id at now_ms and becomes busy.
void bb_fetchers_assign (bb_fetchers_t *self, const char *id,
                         const char *job_id, uint64_t now_ms);

//  Fetcher id stays busy but no longer holds a job of ours (its job went
//  to another fetcher); it is ready again when it says so.
void bb_fetchers_forget_job (bb_fetchers_t *self, const char *id);

//  True if fetcher id is ready.
bool bb_fetchers_is_ready (bb_fetchers_t *self, const char *id);

//  The job fetcher id holds, or "" when none; NULL if id is unknown.
//  Owned by the registry, valid until the fetcher changes.
const char *bb_fetchers_job (bb_fetchers_t *self, const char *id);

//  Count an idle heartbeat of fetcher id that holds a job given more than
//  grace_ms ago. Returns how many such heartbeats came since the job was
//  given (0 if it holds none or the grace still runs).
unsigned bb_fetchers_idle_beat (bb_fetchers_t *self, const char *id,
                                uint64_t grace_ms, uint64_t now_ms);

//  The routing id of fetcher id, or NULL; owned by the registry.
zframe_t *bb_fetchers_routing_id (bb_fetchers_t *self, const char *id);

//  The ready fetcher that got a job least recently, or NULL. Owned by
//  the registry, valid until the fetcher is removed.
const char *bb_fetchers_next_ready (bb_fetchers_t *self);

//  Remove one fetcher that expired by now_ms, copying its id and its job
//  ("" if none) into id and job (sizes BB_FETCHER_ID_SIZE and
//  BB_FETCHER_JOB_SIZE). Returns true if one was removed; call again
//  until false.
bool bb_fetchers_expire (bb_fetchers_t *self, uint64_t now_ms, char *id,
                         char *job);

//  Fetchers registered, and those of them ready.
size_t bb_fetchers_size (bb_fetchers_t *self);
size_t bb_fetchers_ready_count (bb_fetchers_t *self);

//  Copy what up to max fetchers look like into infos, sorted by id.
//  Returns how many were copied.
size_t bb_fetchers_list (bb_fetchers_t *self, bb_fetcher_info_t *infos,
                         size_t max);

//  Iterate over the routing ids of every fetcher (any order; for
//  heartbeats), owned by the registry. Call no other method while
//  iterating: every lookup moves the cursor. NULL at the end.
zframe_t *bb_fetchers_first_peer (bb_fetchers_t *self);
zframe_t *bb_fetchers_next_peer (bb_fetchers_t *self);

#endif
