/*  test_actor - the one actor lifecycle: bb_actor_new returns only once
    the actor is ready (its init ran) or NULL when it failed; destroy is a
    synchronous $TERM; an actor that stops on its own is seen, with its
    reason, by bb_actor_wait and bb_actor_serve; a signal ends
    bb_actor_serve. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include "bb_actor.h"
#include "bb_log.h"
#include "bb_signal.h"

//  What the test actor does, and what it saw.
typedef struct {
    bool fail_start;            // report FAILED instead of READY
    bool stop_on_its_own;       // end its loop at once, before $TERM
    bool init_done;             // set by the actor before it is ready
    bool ended;                 // set by the actor after its loop
    bool terminated;            // the loop saw $TERM
    bool signal_owner;          // signal the owner before it is ready
    pthread_t owner;            // the thread that starts the actor
} script_t;

//  How long the actor lets its owner block on the start before it signals
//  it: an order of events, not a bound (a late block only hides the case)
#define SIGNAL_LEAD_MS  50

//  Set by the owner's SIGUSR1 handler, installed without SA_RESTART like
//  the services' SIGTERM handler, so the owner's wait is interrupted
static volatile sig_atomic_t s_owner_signalled;

static void
s_on_usr1 (int signum)
{
    (void) signum;
    s_owner_signalled = 1;
}

static void
s_test_actor (zsock_t *pipe, void *args)
{
    script_t *script = (script_t *) args;
    if (script->fail_start) {
        bb_actor_failed (pipe, "no database here");
        return;
    }
    if (script->signal_owner) {
        zclock_sleep (SIGNAL_LEAD_MS);
        pthread_kill (script->owner, SIGUSR1);
        while (!s_owner_signalled)
            zclock_sleep (1);
    }
    script->init_done = true;
    bb_actor_ready (pipe);
    zloop_t *loop = zloop_new ();
    zloop_set_nonstop (loop, true);
    zloop_reader (loop, pipe, bb_actor_on_pipe, &script->terminated);
    if (!script->stop_on_its_own)
        zloop_start (loop);
    zloop_destroy (&loop);
    script->ended = true;
    bb_actor_end (pipe, script->terminated, "disk on fire");
}

static void
test_ready_after_init (void **state)
{
    script_t script = { 0 };
    bb_actor_t *actor = bb_actor_new ("test", s_test_actor, &script);
    assert_non_null (actor);
    assert_true (script.init_done);
    assert_int_equal (bb_actor_wait (actor, 50), 0);
    assert_string_equal (bb_actor_reason (actor), "");
    bb_actor_destroy (&actor);
    assert_null (actor);
    assert_true (script.ended);
    assert_true (script.terminated);
    bb_actor_destroy (&actor);          // NULL-safe
}

static void
test_failed_start (void **state)
{
    script_t script = { .fail_start = true };
    bb_actor_t *actor = bb_actor_new ("test", s_test_actor, &script);
    assert_null (actor);
    assert_false (script.init_done);
}

static void
test_stopped_on_its_own (void **state)
{
    script_t script = { .stop_on_its_own = true };
    bb_actor_t *actor = bb_actor_new ("test", s_test_actor, &script);
    assert_non_null (actor);
    //  No upper bound: wait until it says so (the ctest timeout catches
    //  a hang)
    while (bb_actor_wait (actor, 1000) == 0)
        ;
    assert_string_equal (bb_actor_reason (actor), "disk on fire");
    assert_int_equal (bb_actor_wait (actor, 0), -1);
    assert_int_equal (bb_actor_serve (&actor, 1), -1);
    assert_false (script.terminated);
    bb_actor_destroy (&actor);
    assert_true (script.ended);
}

static void
test_serve_ends_on_signal (void **state)
{
    script_t scripts [2] = { { 0 }, { 0 } };
    bb_actor_t *actors [2] = {
        bb_actor_new ("one", s_test_actor, &scripts [0]),
        bb_actor_new ("two", s_test_actor, &scripts [1])
    };
    assert_non_null (actors [0]);
    assert_non_null (actors [1]);
    raise (SIGTERM);
    assert_true (bb_signal_stopping ());
    assert_int_equal (bb_actor_serve (actors, 2), 0);
    //  A signal does not end a nonstop actor: only $TERM does
    assert_false (scripts [0].ended);
    bb_actor_destroy (&actors [0]);
    bb_actor_destroy (&actors [1]);
    assert_true (scripts [0].terminated && scripts [1].terminated);
}

//  A signal (SIGTERM in a service) while a process starts its actors: the
//  start still completes, as the owner's wait was interrupted, not the
//  actor. It used to read zactor's start signal, left unread by the
//  interrupted zactor_new, as the report and fail with "no report".
static void
test_signal_while_starting (void **state)
{
    struct sigaction action = { .sa_handler = s_on_usr1 };
    sigemptyset (&action.sa_mask);
    assert_int_equal (sigaction (SIGUSR1, &action, NULL), 0);
    script_t script = { .signal_owner = true, .owner = pthread_self () };
    bb_actor_t *actor = bb_actor_new ("test", s_test_actor, &script);
    assert_true (s_owner_signalled);
    assert_non_null (actor);
    assert_true (script.init_done);
    bb_actor_destroy (&actor);
    assert_true (script.terminated);
}

//  Logging and signal handling as in the services, before any test.
static int
s_init (void **state)
{
    bb_log_init ("test_actor", BB_LOG_WARN);
    bb_signal_init ();
    return 0;
}

BB_TEST_MAIN (s_init, NULL,
        cmocka_unit_test (test_ready_after_init),
        cmocka_unit_test (test_failed_start),
        cmocka_unit_test (test_stopped_on_its_own),
        cmocka_unit_test (test_serve_ends_on_signal),
        cmocka_unit_test (test_signal_while_starting))
