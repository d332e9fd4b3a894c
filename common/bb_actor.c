/*  =========================================================================
    bb_actor - the one lifecycle of every balboard actor

    Owns the start report (READY / FAILED reason) that follows zactor's
    start signal, the stop report (STOPPED reason), the $TERM handling
    inside actors, the mains' wait for a signal, and the end of an
    actor's thread-local library state.
    =========================================================================
*/
#include "bb_actor.h"
#include "bb_log.h"
#include "bb_signal.h"

#include <assert.h>
#include <openssl/crypto.h>

#define READY_SIGNAL    "READY"
#define FAILED_SIGNAL   "FAILED"
#define STOPPED_SIGNAL  "STOPPED"
#define SERVE_POLL_MS   200         // how often bb_actor_serve checks signals

struct _bb_actor_t {
    zactor_t *actor;
    const char *name;               // for logs, static
    bool stopped;                   // it reported STOPPED
    char reason [BB_REASON_SIZE];
};

//  ---------------------------------------------------------------------
//  Owner side

//  Read one report from the actor: its word and, into reason, its reason.
//  A signal (SIGTERM while the process starts) interrupts the owner's
//  wait, not the actor: the read goes on, past zactor's start signal when
//  the interrupted zactor_new left it unread, and the owner sees the
//  signal once its actors are up. Returns the word (caller frees), NULL
//  if the pipe broke.
static char *
s_read_report (zactor_t *actor, char *reason, size_t size)
{
    zmsg_t *report = NULL;
    while (!report) {
        report = zmsg_recv (actor);
        if (!report && zmq_errno () != EINTR)
            return NULL;
        if (report && zmsg_signal (report) >= 0)
            zmsg_destroy (&report);
    }
    char *word = zmsg_popstr (report);
    char *text = zmsg_popstr (report);
    snprintf (reason, size, "%s", text ? text : "");
    zstr_free (&text);
    zmsg_destroy (&report);
    return word;
}

bb_actor_t *
bb_actor_new (const char *name, zactor_fn *fn, void *args)
{
    assert (name && fn);
    bb_actor_t *self = calloc (1, sizeof *self);
    assert (self);
    self->name = name;
    self->actor = zactor_new (fn, args);
    char *word = self->actor ? s_read_report (self->actor, self->reason,
                                              sizeof self->reason)
                             : NULL;
    bool ready = word && streq (word, READY_SIGNAL);
    zstr_free (&word);
    if (!ready) {
        char quoted [BB_REASON_SIZE + 8];
        bb_error ("actor_failed", "actor=%s reason=%s", name,
                  bb_log_quote (*self->reason ? self->reason : "no report",
                                quoted, sizeof quoted));
        bb_actor_destroy (&self);
    }
    return self;
}

void
bb_actor_destroy (bb_actor_t **self_p)
{
    assert (self_p);
    bb_actor_t *self = *self_p;
    if (self) {
        zactor_destroy (&self->actor);
        free (self);
        *self_p = NULL;
    }
}

int
bb_actor_wait (bb_actor_t *self, int timeout_ms)
{
    assert (self);
    if (self->stopped)
        return -1;
    zpoller_t *poller = zpoller_new (self->actor, NULL);
    void *which = zpoller_wait (poller, timeout_ms);
    zpoller_destroy (&poller);
    if (!which)
        return 0;
    char *word = s_read_report (self->actor, self->reason,
                                sizeof self->reason);
    self->stopped = !word || streq (word, STOPPED_SIGNAL);
    if (!word)
        snprintf (self->reason, sizeof self->reason, "pipe broke");
    zstr_free (&word);
    return self->stopped ? -1 : 0;
}

const char *
bb_actor_reason (bb_actor_t *self)
{
    assert (self);
    return self->stopped ? self->reason : "";
}

//  The first of count actors that stopped on its own, or NULL. which is
//  the one whose pipe has a message (or NULL): only it is read.
static bb_actor_t *
s_stopped_one (bb_actor_t *const *actors, size_t count, void *which)
{
    for (size_t i = 0; i < count; i++)
        if (actors [i]->stopped
        ||  (which == actors [i]->actor && bb_actor_wait (actors [i], 0)))
            return actors [i];
    return NULL;
}

int
bb_actor_serve (bb_actor_t *const *actors, size_t count)
{
    zpoller_t *poller = zpoller_new (NULL);
    for (size_t i = 0; i < count; i++)
        zpoller_add (poller, actors [i]->actor);
    bb_actor_t *stopped = s_stopped_one (actors, count, NULL);
    while (!stopped && !bb_signal_stopping ())
        stopped = s_stopped_one (actors, count,
                                 zpoller_wait (poller, SERVE_POLL_MS));
    zpoller_destroy (&poller);
    if (!stopped)
        return 0;
    char quoted [BB_REASON_SIZE + 8];
    bb_error ("actor_stopped", "actor=%s reason=%s", stopped->name,
              bb_log_quote (stopped->reason, quoted, sizeof quoted));
    return -1;
}

//  ---------------------------------------------------------------------
//  Actor side

//  Block until $TERM (or the pipe breaks).
static void
s_wait_term (zsock_t *pipe)
{
    while (true) {
        char *command = zstr_recv (pipe);
        bool term = !command || streq (command, "$TERM");
        zstr_free (&command);
        if (term)
            return;
    }
}

void
bb_actor_ready (zsock_t *pipe)
{
    zsock_signal (pipe, 0);
    zstr_send (pipe, READY_SIGNAL);
}

void
bb_actor_failed (zsock_t *pipe, const char *reason)
{
    zsock_signal (pipe, 0);
    zstr_sendx (pipe, FAILED_SIGNAL, reason ? reason : "", NULL);
    s_wait_term (pipe);
    OPENSSL_thread_stop ();
}

int
bb_actor_on_pipe (zloop_t *loop, zsock_t *pipe, void *arg)
{
    bool *terminated = (bool *) arg;
    char *command = zstr_recv (pipe);
    bool term = !command || streq (command, "$TERM");
    if (!term)
        bb_warn ("pipe_command_unknown", "command=%s", command);
    zstr_free (&command);
    if (term && terminated)
        *terminated = true;
    return term ? -1 : 0;
}

bool
bb_actor_pipe_term (zsock_t *pipe)
{
    bool term = false;
    while (!term && (zsock_events (pipe) & ZMQ_POLLIN))
        term = bb_actor_on_pipe (NULL, pipe, NULL) == -1;
    return term;
}

void
bb_actor_end (zsock_t *pipe, bool terminated, const char *reason)
{
    if (!terminated) {
        zstr_sendx (pipe, STOPPED_SIGNAL, reason ? reason : "", NULL);
        s_wait_term (pipe);
    }
    OPENSSL_thread_stop ();
}
