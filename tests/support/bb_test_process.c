/*  =========================================================================
    bb_test_process - a child process under test

    Owns the child's pid and, once reaped, its exit status. The child's
    environment is built before fork and the child calls only
    async-signal-safe functions until execve, so spawning is safe even if
    the test process has other threads. Exec failure travels back through
    a close-on-exec pipe, so bb_test_process_new knows at once.
    =========================================================================
*/
#include "bb_test_process.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define POLL_MS 10                      // how often waits look again
#define EXIT_SIGNAL_BASE 128            // shell convention: 128 + signal

struct _bb_test_process_t {
    pid_t pid;
    bool reaped;                        // waitpid collected the status
    int exit_code;                      // valid once reaped
};

//  ---------------------------------------------------------------------
//  Helpers

static long long
s_now_ms (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (long long) now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void
s_pause_ms (long ms)
{
    struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep (&pause, NULL);
}

//  Length of the NAME= part of "NAME=value" (whole length if no '=').
static size_t
s_name_length (const char *entry)
{
    const char *equals = strchr (entry, '=');
    return equals ? (size_t) (equals - entry) + 1 : strlen (entry);
}

//  True if entry's name is set by one of env.
static bool
s_overridden (const char *entry, const char *const env [])
{
    size_t length = s_name_length (entry);
    for (size_t index = 0; env && env [index]; index++)
        if (s_name_length (env [index]) == length
        &&  strncmp (env [index], entry, length) == 0)
            return true;
    return false;
}

//  environ minus the names env sets, plus env. The array is the caller's
//  to free; its strings are borrowed.
static const char **
s_environment (const char *const env [])
{
    size_t count = 0, extra = 0;
    while (environ [count])
        count++;
    while (env && env [extra])
        extra++;
    const char **result = calloc (count + extra + 1, sizeof *result);
    assert (result);
    size_t used = 0;
    for (size_t index = 0; index < count; index++)
        if (!s_overridden (environ [index], env))
            result [used++] = environ [index];
    for (size_t index = 0; index < extra; index++)
        result [used++] = env [index];
    return result;
}

//  In the child, between fork and exec: async-signal-safe calls only.
static void
s_child (const char *const argv [], const char **envp, int report_fd,
         pid_t parent)
{
    prctl (PR_SET_PDEATHSIG, SIGKILL);
    if (getppid () != parent)
        _exit (EXIT_FAILURE);           // the test died before prctl
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
    execve (argv [0], (char *const *) argv, (char *const *) envp);
    int error = errno;
    ssize_t written = write (report_fd, &error, sizeof error);
    (void) written;
    _exit (EXIT_FAILURE);
}

//  Collect the exit status if the process has exited. Returns true if so.
static bool
s_reap (bb_test_process_t *self, int options)
{
    if (self->reaped)
        return true;
    int status = 0;
    pid_t pid;
    do
        pid = waitpid (self->pid, &status, options);
    while (pid < 0 && errno == EINTR);
    if (pid != self->pid)
        return false;
    self->reaped = true;
    self->exit_code = WIFEXITED (status) ? WEXITSTATUS (status)
                    : EXIT_SIGNAL_BASE + WTERMSIG (status);
    return true;
}

//  ---------------------------------------------------------------------
//  The process

bb_test_process_t *
bb_test_process_new (const char *const argv [], const char *const env [])
{
    assert (argv && argv [0]);
    int report [2];
    if (pipe (report))
        return NULL;
    fcntl (report [0], F_SETFD, FD_CLOEXEC);
    fcntl (report [1], F_SETFD, FD_CLOEXEC);
    const char **envp = s_environment (env);
    pid_t parent = getpid ();
    pid_t pid = fork ();
    if (pid == 0)
        s_child (argv, envp, report [1], parent);
    free (envp);
    close (report [1]);
    int error = 0;
    ssize_t got;
    do
        got = read (report [0], &error, sizeof error);
    while (got < 0 && errno == EINTR);
    close (report [0]);
    if (pid < 0 || got > 0) {
        fprintf (stderr, "bb_test_process: cannot run %s: %s\n", argv [0],
                 strerror (pid < 0 ? errno : error));
        if (pid > 0)
            waitpid (pid, NULL, 0);
        return NULL;
    }
    bb_test_process_t *self = calloc (1, sizeof *self);
    assert (self);
    self->pid = pid;
    return self;
}

void
bb_test_process_destroy (bb_test_process_t **self_p)
{
    assert (self_p);
    bb_test_process_t *self = *self_p;
    if (!self)
        return;
    if (!s_reap (self, WNOHANG)) {
        kill (self->pid, SIGKILL);
        s_reap (self, 0);
    }
    free (self);
    *self_p = NULL;
}

pid_t
bb_test_process_pid (bb_test_process_t *self)
{
    assert (self);
    return self->pid;
}

bool
bb_test_process_running (bb_test_process_t *self)
{
    assert (self);
    return !s_reap (self, WNOHANG);
}

//  True if a TCP connect to 127.0.0.1:port succeeds now.
static bool
s_port_accepts (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in address = {
        .sin_family = AF_INET,
        .sin_port = htons ((uint16_t) port),
        .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
    };
    bool accepted =
        connect (fd, (struct sockaddr *) &address, sizeof address) == 0;
    close (fd);
    return accepted;
}

int
bb_test_process_wait_port (bb_test_process_t *self, int port, int timeout_ms)
{
    assert (self);
    long long deadline = s_now_ms () + timeout_ms;
    while (bb_test_process_running (self)) {
        if (s_port_accepts (port))
            return 0;
        if (s_now_ms () >= deadline)
            return -1;
        s_pause_ms (POLL_MS);
    }
    return -1;
}

int
bb_test_process_signal (bb_test_process_t *self, int signum)
{
    assert (self);
    if (self->reaped)
        return -1;
    return kill (self->pid, signum) == 0 ? 0 : -1;
}

int
bb_test_process_wait (bb_test_process_t *self, int timeout_ms)
{
    assert (self);
    long long deadline = s_now_ms () + timeout_ms;
    while (!s_reap (self, WNOHANG)) {
        if (s_now_ms () >= deadline)
            return -1;
        s_pause_ms (POLL_MS);
    }
    return self->exit_code;
}

int
bb_test_process_stop (bb_test_process_t *self, int signum, int timeout_ms)
{
    assert (self);
    bb_test_process_signal (self, signum);
    return bb_test_process_wait (self, timeout_ms);
}

//  ---------------------------------------------------------------------
//  Utilities

int
bb_test_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in address = {
        .sin_family = AF_INET,
        .sin_port = 0,
        .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
    };
    socklen_t length = sizeof address;
    int port = -1;
    if (bind (fd, (struct sockaddr *) &address, sizeof address) == 0
    &&  getsockname (fd, (struct sockaddr *) &address, &length) == 0)
        port = ntohs (address.sin_port);
    close (fd);
    return port;
}

char *
bb_test_bin_path (const char *name)
{
    assert (name);
    const char *dir = getenv ("BALBOARD_BIN_DIR");
    if (!dir)
        return NULL;
    size_t size = strlen (dir) + 1 + strlen (name) + 1;
    char *path = malloc (size);
    assert (path);
    snprintf (path, size, "%s/%s", dir, name);
    return path;
}
