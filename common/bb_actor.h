/*  =========================================================================
    bb_actor - the one lifecycle of every balboard actor

    Every long-running role (the store's query and ingest actors, the
    scheduler, the fetcher, the gateway's event feed) is a czmq actor
    with the same life, czmq style:

    Owner side. bb_actor_new starts the actor function and returns only
    once the actor is ready, or NULL once it failed to start (the reason
    is logged as actor_failed, actor=<name>). bb_actor_destroy (&actor)
    sends $TERM and returns when the actor has freed everything. A main
    runs bb_actor_serve: it waits for SIGINT/SIGTERM, or for an actor that
    stopped on its own (a fatal error inside it), and says which.

    Actor side. The function builds its state, then calls bb_actor_ready
    (or bb_actor_failed with the reason, and returns). It serves until
    $TERM: a zloop actor adds bb_actor_on_pipe as the pipe's reader (and
    runs zloop_set_nonstop, so only $TERM ends it, never a signal); an
    actor with its own poll loop asks bb_actor_pipe_term. Its last call
    is bb_actor_end, which reports a stop on its own, waits for $TERM and
    frees the thread's library state.

    Pipe protocol (after zactor's start signal): one message "READY" or
    "FAILED" <reason> when the start is over; later "STOPPED" <reason>
    if the actor ends before $TERM.
    =========================================================================
*/
#ifndef BB_ACTOR_H_INCLUDED
#define BB_ACTOR_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <czmq.h>

#include "bb_reason.h"


typedef struct _bb_actor_t bb_actor_t;

//  ---------------------------------------------------------------------
//  Owner side

//  Start fn (args borrowed; they must outlive the actor) as actor name
//  (static string, for logs). Returns the actor once it is ready, or
//  NULL after it failed to start (logged with its reason).
bb_actor_t *bb_actor_new (const char *name, zactor_fn *fn, void *args);

//  Stop the actor ($TERM, synchronous), free it and set *self_p to NULL.
//  NULL-safe.
void bb_actor_destroy (bb_actor_t **self_p);

//  Wait up to timeout_ms while the actor runs. Returns 0 if it still
//  runs, -1 if it stopped on its own (bb_actor_reason says why).
int bb_actor_wait (bb_actor_t *self, int timeout_ms);

//  Why the actor stopped on its own, "" while it runs. Owned by the actor.
const char *bb_actor_reason (bb_actor_t *self);

//  The mains' loop: wait until SIGINT or SIGTERM (returns 0) or until
//  one of count actors stops on its own (returns -1, logged). The
//  actors are not destroyed.
int bb_actor_serve (bb_actor_t *const *actors, size_t count);

//  ---------------------------------------------------------------------
//  Actor side

//  The actor is ready: bb_actor_new returns it.
void bb_actor_ready (zsock_t *pipe);

//  The actor could not start (reason is logged by bb_actor_new): report,
//  wait for $TERM, free the thread's state. The actor returns next.
void bb_actor_failed (zsock_t *pipe, const char *reason);

//  zloop reader for the pipe; arg is a bool set to true when $TERM came.
//  Returns -1 (ending the loop) on $TERM or a broken pipe.
int bb_actor_on_pipe (zloop_t *loop, zsock_t *pipe, void *arg);

//  For an actor with its own poll loop: read the commands waiting on the
//  pipe. Returns true once $TERM came (or the pipe broke).
bool bb_actor_pipe_term (zsock_t *pipe);

//  The actor's last call. If it ends before $TERM (terminated false), it
//  reports STOPPED with reason and waits for $TERM first. Then frees the
//  thread's library state (OpenSSL's, which outlives zactor_destroy).
void bb_actor_end (zsock_t *pipe, bool terminated, const char *reason);

#endif
