/*  =========================================================================
    bb_test_command - run a command to completion and capture its output

    For tests that drive a CLI: the command gets stdin from a string (or
    /dev/null), and its stdout and stderr are captured whole. A command
    still running at the deadline is killed and reported as timed out.
    =========================================================================
*/
#ifndef BB_TEST_COMMAND_H_INCLUDED
#define BB_TEST_COMMAND_H_INCLUDED

#include <stddef.h>

typedef struct {
    int status;             // exit code, 128 + signal, or -1 on timeout
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

void bb_test_command_reset (bb_test_command_t *result);

#endif
