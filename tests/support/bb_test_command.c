/*  =========================================================================
    bb_test_command - run a command to completion and capture its output

    Owns the captured output of one run. stdout and stderr go to unlinked
    temporary files (no pipe-buffer deadlocks, whatever the size), read
    back after the child exits.
    =========================================================================
*/
#define _GNU_SOURCE
#include "bb_test_command.h"
#include "bb_child.h"
#include "bb_clock.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 5

static int
s_temp_file (void)
{
    char path [] = "/tmp/bb-test-command-XXXXXX";
    int fd = mkstemp (path);
    if (fd >= 0)
        unlink (path);
    return fd;
}

static char *
s_read_all (int fd)
{
    off_t size = lseek (fd, 0, SEEK_END);
    char *text = malloc ((size_t) (size > 0 ? size : 0) + 1);
    if (!text)
        return NULL;
    ssize_t got = size > 0 ? pread (fd, text, (size_t) size, 0) : 0;
    text [got > 0 ? got : 0] = '\0';
    return text;
}

static void
s_child (const char *const argv [], const char *const env [], int input_fd,
         int out_fd, int err_fd)
{
    dup2 (input_fd, STDIN_FILENO);
    dup2 (out_fd, STDOUT_FILENO);
    dup2 (err_fd, STDERR_FILENO);
    for (size_t i = 0; env && env [i]; i++)
        putenv ((char *) env [i]);
    execv (argv [0], (char *const *) argv);
    fprintf (stderr, "cannot execute %s\n", argv [0]);
    _exit (127);
}

//  Wait for pid up to timeout_ms; kill it at the deadline.
static int
s_wait (pid_t pid, int timeout_ms)
{
    int64_t deadline = bb_clock_mono_ms () + timeout_ms;
    while (1) {
        int wstatus;
        pid_t done = waitpid (pid, &wstatus, WNOHANG);
        if (done == pid)
            return WIFEXITED (wstatus) ? WEXITSTATUS (wstatus)
                                       : 128 + WTERMSIG (wstatus);
        if (bb_clock_mono_ms () > deadline) {
            kill (pid, SIGKILL);
            waitpid (pid, &wstatus, 0);
            return -1;
        }
        bb_clock_sleep_ms (POLL_MS);
    }
}

int
bb_test_command_run (const char *const argv [], const char *input,
                     const char *const env [], int timeout_ms,
                     bb_test_command_t *result)
{
    memset (result, 0, sizeof *result);
    int input_fd = s_temp_file ();
    int out_fd = s_temp_file ();
    int err_fd = s_temp_file ();
    if (input_fd < 0 || out_fd < 0 || err_fd < 0)
        return -1;
    if (input) {
        size_t length = strlen (input);
        if (write (input_fd, input, length) != (ssize_t) length)
            return -1;
        lseek (input_fd, 0, SEEK_SET);
    }
    fflush (NULL);
    pid_t pid = fork ();
    if (pid == 0)
        s_child (argv, env, input_fd, out_fd, err_fd);
    int rc = -1;
    if (pid > 0) {
        result->status = s_wait (pid, timeout_ms);
        result->out = s_read_all (out_fd);
        result->err = s_read_all (err_fd);
        rc = 0;
    }
    close (input_fd);
    close (out_fd);
    close (err_fd);
    return rc;
}

bb_test_command_t
bb_test_command_run_bin (const char *name, const char *const args [],
                         const char *arg, va_list rest, const char *input,
                         int timeout_ms)
{
    bb_test_command_t result = { BB_TEST_COMMAND_UNSTARTED, NULL, NULL };
    char *path = bb_child_bin_path (name);
    const char *argv [BB_TEST_COMMAND_ARGS_MAX] = { path };
    bb_child_args_append (argv, BB_TEST_COMMAND_ARGS_MAX, args);
    bb_child_args_append_v (argv, BB_TEST_COMMAND_ARGS_MAX, arg, rest);
    if (!path || bb_test_command_run (argv, input, NULL, timeout_ms,
                                      &result)) {
        bb_test_command_reset (&result);
        result.status = BB_TEST_COMMAND_UNSTARTED;
        result.out = strdup ("");
        result.err = strdup ("could not start the binary");
        fprintf (stderr, "test: could not start %s\n", name);
    }
    free (path);
    return result;
}

void
bb_test_command_reset (bb_test_command_t *result)
{
    free (result->out);
    free (result->err);
    result->out = NULL;
    result->err = NULL;
}
