/*  =========================================================================
    bb_child - a child process of a test or benchmark

    Owns the child's pid and, once reaped, its exit status. The child's
    environment is built before fork and the child calls only
    async-signal-safe functions until execve, so spawning is safe even if
    the test process has other threads. Exec failure travels back through
    a close-on-exec pipe, so bb_child_new knows at once.
    =========================================================================
*/
#include "bb_child.h"
#include "bb_clock.h"
#include "bb_port.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
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
#define ARGS_MAX 64                     // arguments of a started binary
#define ARG_SIZE 256                    // one argument, ports put in
#define PORT_MARKER "$PORT"             // then a digit: $PORT0..$PORT3

struct _bb_child_t {
    pid_t pid;
    bool reaped;                        // waitpid collected the status
    int exit_code;                      // valid once reaped
};

//  ---------------------------------------------------------------------
//  Helpers

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
s_reap (bb_child_t *self, int options)
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

bb_child_t *
bb_child_new (const char *const argv [], const char *const env [])
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
        fprintf (stderr, "bb_child: cannot run %s: %s\n", argv [0],
                 strerror (pid < 0 ? errno : error));
        if (pid > 0)
            waitpid (pid, NULL, 0);
        return NULL;
    }
    bb_child_t *self = calloc (1, sizeof *self);
    assert (self);
    self->pid = pid;
    return self;
}

void
bb_child_destroy (bb_child_t **self_p)
{
    assert (self_p);
    bb_child_t *self = *self_p;
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
bb_child_pid (bb_child_t *self)
{
    assert (self);
    return self->pid;
}

bool
bb_child_running (bb_child_t *self)
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
bb_child_wait_port (bb_child_t *self, int port, int timeout_ms)
{
    assert (self);
    int64_t deadline = bb_clock_mono_ms () + timeout_ms;
    while (bb_child_running (self)) {
        if (s_port_accepts (port))
            return 0;
        if (bb_clock_mono_ms () >= deadline)
            return -1;
        bb_clock_sleep_ms (POLL_MS);
    }
    return -1;
}

int
bb_child_signal (bb_child_t *self, int signum)
{
    assert (self);
    if (self->reaped)
        return -1;
    return kill (self->pid, signum) == 0 ? 0 : -1;
}

int
bb_child_wait (bb_child_t *self, int timeout_ms)
{
    assert (self);
    int64_t deadline = bb_clock_mono_ms () + timeout_ms;
    while (!s_reap (self, WNOHANG)) {
        if (bb_clock_mono_ms () >= deadline)
            return -1;
        bb_clock_sleep_ms (POLL_MS);
    }
    return self->exit_code;
}

int
bb_child_stop (bb_child_t *self, int signum, int timeout_ms)
{
    assert (self);
    bb_child_signal (self, signum);
    return bb_child_wait (self, timeout_ms);
}

int
bb_child_end (bb_child_t **self_p, int signum, int timeout_ms)
{
    assert (self_p);
    int rc = *self_p ? bb_child_stop (*self_p, signum, timeout_ms) : 0;
    bb_child_destroy (self_p);
    return rc;
}

//  ---------------------------------------------------------------------
//  Utilities

//  Put next at argv [*argc] (size entries in all), keeping one for the
//  NULL. A list too small is the caller's bug: caught in every build
//  type (NDEBUG drops the asserts of the RelWithDebInfo tests).
static void
s_args_put (const char **argv, size_t size, size_t *argc, const char *next)
{
    if (*argc + 1 >= size) {
        fprintf (stderr, "bb_child: more than %zu arguments\n", size - 1);
        abort ();
    }
    argv [(*argc)++] = next;
}

//  The index of argv's first NULL (aborts if it has none).
static size_t
s_args_end (const char **argv, size_t size)
{
    assert (argv);
    size_t argc = 0;
    while (argc < size && argv [argc])
        argc++;
    if (argc == size) {
        fprintf (stderr, "bb_child: an argument list without its NULL\n");
        abort ();
    }
    return argc;
}

void
bb_child_args_append (const char **argv, size_t size,
                      const char *const extra [])
{
    size_t argc = s_args_end (argv, size);
    for (size_t index = 0; extra && extra [index]; index++)
        s_args_put (argv, size, &argc, extra [index]);
    argv [argc] = NULL;
}

void
bb_child_args_append_v (const char **argv, size_t size, const char *arg,
                        va_list args)
{
    size_t argc = s_args_end (argv, size);
    for (const char *next = arg; next; next = va_arg (args, const char *))
        s_args_put (argv, size, &argc, next);
    argv [argc] = NULL;
}

char *
bb_child_bin_path (const char *name)
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

bb_child_t *
bb_child_start (const char *name, const char *const args [],
                const char *const env [], int port, int timeout_ms)
{
    char *path = bb_child_bin_path (name);
    if (!path) {
        fprintf (stderr, "bb_child: BALBOARD_BIN_DIR is not set\n");
        return NULL;
    }
    const char *argv [ARGS_MAX] = { path };
    size_t argc = 1;
    for (size_t index = 0; args && args [index]; index++) {
        assert (argc < ARGS_MAX - 1);
        argv [argc++] = args [index];
    }
    bb_child_t *self = bb_child_new (argv, env);
    free (path);
    if (self && port > 0 && bb_child_wait_port (self, port, timeout_ms))
        bb_child_destroy (&self);
    return self;
}

//  Copy arg into buffer with every $PORTn replaced by ports [n].
static void
s_put_ports (const char *arg, const int ports [], char *buffer)
{
    size_t used = 0;
    const size_t marker = strlen (PORT_MARKER);
    while (*arg) {
        int slot = -1;
        if (strncmp (arg, PORT_MARKER, marker) == 0
        &&  arg [marker] >= '0'
        &&  arg [marker] < '0' + BB_CHILD_PORTS_MAX)
            slot = arg [marker] - '0';
        if (slot >= 0) {
            used += (size_t) snprintf (buffer + used, ARG_SIZE - used, "%d",
                                       ports [slot]);
            arg += marker + 1;
        }
        else
            buffer [used++] = *arg++;
        assert (used < ARG_SIZE);
    }
    buffer [used] = 0;
}

bb_child_t *
bb_child_start_on_free_ports (const char *name, const char *const args [],
                              const char *const env [], int timeout_ms,
                              int ports [])
{
    assert (name && ports);
    char values [ARGS_MAX][ARG_SIZE];   // args with the ports put in
    for (int attempt = 0; attempt < BB_CHILD_START_TRIES; attempt++) {
        for (size_t slot = 0; slot < BB_CHILD_PORTS_MAX; slot++)
            ports [slot] = bb_port_free ();
        const char *argv [ARGS_MAX] = { NULL };
        size_t argc = 0;
        for (; args && args [argc]; argc++) {
            assert (argc < ARGS_MAX - 1);
            s_put_ports (args [argc], ports, values [argc]);
            argv [argc] = values [argc];
        }
        bb_child_t *self = bb_child_start (name, argv, env, ports [0],
                                           timeout_ms);
        if (self)
            return self;
    }
    return NULL;
}
