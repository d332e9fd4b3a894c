/*  =========================================================================
    bb_child - a child process of a test or benchmark

    Owns one spawned binary (a balboard process or the mock upstream) for
    the length of a test or benchmark: start it with argv and extra
    environment (on free ports, retried if one was taken meanwhile), wait
    until it accepts TCP connections, signal it and collect its exit
    status within a deadline. Destroying a process that still runs kills it
    (SIGKILL) and reaps it, and the child also dies with the test process
    (PR_SET_PDEATHSIG), so a failed assertion never leaves a server behind.
    The child inherits stdout and stderr, so its logs appear in the test's
    output. Linux only. Not thread-safe: one test thread drives it.
    =========================================================================
*/
#ifndef BB_CHILD_H_INCLUDED
#define BB_CHILD_H_INCLUDED

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct _bb_child_t bb_child_t;

//  Start argv[0] (a path) with arguments argv (NULL-terminated) and the
//  test's environment plus env (NULL-terminated "NAME=value" strings, which
//  override; env may be NULL). Returns NULL if the binary cannot be
//  executed (the reason is printed to stderr).
bb_child_t *bb_child_new (const char *const argv [],
                                        const char *const env []);

//  Kill (SIGKILL) the process if it still runs, reap it, free, and set
//  *self_p to NULL. NULL-safe.
void bb_child_destroy (bb_child_t **self_p);

pid_t bb_child_pid (bb_child_t *self);

//  True while the process has not exited.
bool bb_child_running (bb_child_t *self);

//  Wait up to timeout_ms until a TCP connect to 127.0.0.1:port succeeds.
//  Returns 0, or -1 on timeout or if the process exited meanwhile.
int bb_child_wait_port (bb_child_t *self, int port,
                               int timeout_ms);

//  Send signum to the process. Returns 0 or -1.
int bb_child_signal (bb_child_t *self, int signum);

//  Wait up to timeout_ms for the process to exit. Returns its exit code
//  (0..255), 128 + the signal number if a signal killed it, or -1 on
//  timeout (the process keeps running).
int bb_child_wait (bb_child_t *self, int timeout_ms);

//  Send signum, then wait as bb_child_wait does.
int bb_child_stop (bb_child_t *self, int signum,
                          int timeout_ms);

//  bb_child_stop *self_p, then destroy it (*self_p becomes NULL); returns
//  what bb_child_stop returned, or 0 if *self_p was NULL already.
int bb_child_end (bb_child_t **self_p, int signum, int timeout_ms);

//  Append extra (NULL-terminated, may be NULL) to argv, an argument list
//  of size entries ended by its first NULL, keeping it NULL-terminated.
//  Asserts that everything fits.
void bb_child_args_append (const char **argv, size_t size,
                           const char *const extra []);

//  As bb_child_args_append, with arg and then the arguments in args up
//  to a NULL (the variable arguments of the caller).
void bb_child_args_append_v (const char **argv, size_t size,
                             const char *arg, va_list args);

//  The path of binary name in $BALBOARD_BIN_DIR (set by ctest), or NULL if
//  the variable is unset. Caller owns the string and must free it.
char *bb_child_bin_path (const char *name);

//  Start name (a binary in $BALBOARD_BIN_DIR) with args (NULL-terminated,
//  may be NULL) and env as bb_child_new; if port is above 0, wait up to
//  timeout_ms until it accepts connections there. Returns NULL if it
//  could not run, exited first or did not listen in time (then it is
//  killed and reaped).
bb_child_t *bb_child_start (const char *name, const char *const args [],
                            const char *const env [], int port,
                            int timeout_ms);

#define BB_CHILD_PORTS_MAX  4           // placeholders $PORT0..$PORT3
#define BB_CHILD_START_TRIES 3          // starts lost to a port race

//  Start name on free ports: in args, "$PORT0" .. "$PORT3" inside an
//  argument stand for ports [0..3], each a fresh free port; the child must
//  listen on ports [0] within timeout_ms. A start that fails (a port taken
//  meanwhile) is tried again on new ports, BB_CHILD_START_TRIES times in
//  all. Returns the child with ports [] (BB_CHILD_PORTS_MAX entries)
//  filled, or NULL.
bb_child_t *bb_child_start_on_free_ports (const char *name,
                                          const char *const args [],
                                          const char *const env [],
                                          int timeout_ms, int ports []);

#endif
