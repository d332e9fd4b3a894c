/*  =========================================================================
    bb_actor - starting a store actor that may fail to start

    zactor_new returns once the actor signals, whatever happened inside.
    A store actor that can fail at start (a bind, the index rebuild)
    signals, then reports READY or FAILED on its pipe; bb_actor_start
    reads that report and hands back the actor only when it is ready. A
    failed actor waits for $TERM like any other, so destroying it is the
    usual synchronous handshake.

    zactor_destroy returns when the actor function returns, before its
    thread has exited, so per-thread library state freed at thread exit
    (OpenSSL's, which the address checks use) could outlive the process's
    own cleanup; an actor calls bb_actor_finish last to free it at once.
    =========================================================================
*/
#ifndef BB_ACTOR_H_INCLUDED
#define BB_ACTOR_H_INCLUDED

#include <stdbool.h>
#include <czmq.h>

//  Start fn with args. Returns the actor once it reported READY, or NULL
//  (the actor is destroyed) if it reported FAILED.
zactor_t *bb_actor_start (zactor_fn *fn, void *args);

//  Inside an actor: signal the start, then report ok. A failed actor
//  then waits for $TERM before it returns.
void bb_actor_report (zsock_t *pipe, bool ok);

//  Inside an actor, last: free this thread's library state now.
void bb_actor_finish (void);

#endif
