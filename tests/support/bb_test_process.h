/*  =========================================================================
    bb_test_process - a child process under test

    Owns one spawned binary (a balboard process or the mock upstream) for
    the length of a test: start it with argv and extra environment, wait
    until it accepts TCP connections, signal it and collect its exit status
    within a deadline. Destroying a process that still runs kills it
    (SIGKILL) and reaps it, and the child also dies with the test process
    (PR_SET_PDEATHSIG), so a failed assertion never leaves a server behind.
    The child inherits stdout and stderr, so its logs appear in the test's
    output. Linux only. Not thread-safe: one test thread drives it.
    =========================================================================
*/
#ifndef BB_TEST_PROCESS_H_INCLUDED
#define BB_TEST_PROCESS_H_INCLUDED

#include <stdbool.h>
#include <sys/types.h>

typedef struct _bb_test_process_t bb_test_process_t;

//  Start argv[0] (a path) with arguments argv (NULL-terminated) and the
//  test's environment plus env (NULL-terminated "NAME=value" strings, which
//  override; env may be NULL). Returns NULL if the binary cannot be
//  executed (the reason is printed to stderr).
bb_test_process_t *bb_test_process_new (const char *const argv [],
                                        const char *const env []);

//  Kill (SIGKILL) the process if it still runs, reap it, free, and set
//  *self_p to NULL. NULL-safe.
void bb_test_process_destroy (bb_test_process_t **self_p);

pid_t bb_test_process_pid (bb_test_process_t *self);

//  True while the process has not exited.
bool bb_test_process_running (bb_test_process_t *self);

//  Wait up to timeout_ms until a TCP connect to 127.0.0.1:port succeeds.
//  Returns 0, or -1 on timeout or if the process exited meanwhile.
int bb_test_process_wait_port (bb_test_process_t *self, int port,
                               int timeout_ms);

//  Send signum to the process. Returns 0 or -1.
int bb_test_process_signal (bb_test_process_t *self, int signum);

//  Wait up to timeout_ms for the process to exit. Returns its exit code
//  (0..255), 128 + the signal number if a signal killed it, or -1 on
//  timeout (the process keeps running).
int bb_test_process_wait (bb_test_process_t *self, int timeout_ms);

//  Send signum, then wait as bb_test_process_wait does.
int bb_test_process_stop (bb_test_process_t *self, int signum,
                          int timeout_ms);

//  A TCP port on 127.0.0.1 that was free a moment ago (bound with port 0,
//  then closed): another process may still take it, so callers that
//  start a server on it should retry with a new port if it fails to bind.
//  Returns the port, or -1.
int bb_test_free_port (void);

//  The path of binary name in $BALBOARD_BIN_DIR (set by ctest), or NULL if
//  the variable is unset. Caller owns the string and must free it.
char *bb_test_bin_path (const char *name);

#endif
