/*  =========================================================================
    bb_test_command - run a command to completion and capture its output

    For tests that drive a CLI: the command gets stdin from a string (or
    /dev/null), and its stdout and stderr are captured whole. A command
    still running at the deadline is killed and reported as timed out.
    bb_test_command_run_bin runs one of the build's binaries by name.
    =========================================================================
*/
#ifndef BB_TEST_COMMAND_H_INCLUDED
#define BB_TEST_COMMAND_H_INCLUDED

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    int status;             // exit code, 128 + signal, -1 on timeout,
                            // BB_TEST_COMMAND_UNSTARTED (run_bin)
    char *out;              // captured stdout, NUL-terminated, owned
    char *err;              // captured stderr, NUL-terminated, owned
} bb_test_command_t;

//  Run argv (NULL-terminated; argv[0] a path) with input on stdin (NULL
//  for none) and extra env ("NAME=value", NULL-terminated, may be NULL),
//  waiting up to timeout_ms. Returns 0 with *result filled, -1 if it could
//  not start. Free with bb_test_command_reset.
int bb_test_command_run (const char *const argv [], const char *input,
                         const char *const env [], int timeout_ms,
                         bb_test_command_t *result);

#define BB_TEST_COMMAND_ARGS_MAX 48     // arguments of run_bin, all told
#define BB_TEST_COMMAND_UNSTARTED (-2)  // status of a run that never began

//  Run name (a binary in $BALBOARD_BIN_DIR) with args (NULL-terminated,
//  may be NULL), then arg and the arguments in rest up to a NULL (the
//  caller's variable arguments), input on stdin (NULL for none) and no
//  extra env, as bb_test_command_run. If the binary is unknown or could
//  not start, the status is BB_TEST_COMMAND_UNSTARTED and err says so.
//  Asserts that the arguments fit in BB_TEST_COMMAND_ARGS_MAX. Free the
//  result with bb_test_command_reset.
bb_test_command_t bb_test_command_run_bin (const char *name,
                                           const char *const args [],
                                           const char *arg, va_list rest,
                                           const char *input,
                                           int timeout_ms);

void bb_test_command_reset (bb_test_command_t *result);

#endif
