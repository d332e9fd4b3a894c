/*  =========================================================================
    bb_actor - starting a store actor that may fail to start

    Owns the READY/FAILED report that follows zactor's start signal, and
    the end of an actor's thread-local library state.
    =========================================================================
*/
#include "bb_actor.h"

#include <openssl/crypto.h>

#define BB_ACTOR_READY  "READY"
#define BB_ACTOR_FAILED "FAILED"

zactor_t *
bb_actor_start (zactor_fn *fn, void *args)
{
    zactor_t *actor = zactor_new (fn, args);
    char *status = actor ? zstr_recv (actor) : NULL;
    bool ready = status && streq (status, BB_ACTOR_READY);
    zstr_free (&status);
    if (!ready)
        zactor_destroy (&actor);
    return actor;
}

//  Block until $TERM (or the pipe fails).
static void
s_wait_term (zsock_t *pipe)
{
    while (true) {
        char *command = zstr_recv (pipe);
        if (!command)
            return;
        bool term = streq (command, "$TERM");
        zstr_free (&command);
        if (term)
            return;
    }
}

void
bb_actor_report (zsock_t *pipe, bool ok)
{
    zsock_signal (pipe, 0);
    zstr_send (pipe, ok ? BB_ACTOR_READY : BB_ACTOR_FAILED);
    if (!ok)
        s_wait_term (pipe);
}

void
bb_actor_finish (void)
{
    OPENSSL_thread_stop ();
}
