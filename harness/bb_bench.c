/*  =========================================================================
    bb_bench - what the benchmark programs share

    The program's name comes from glibc's program_invocation_short_name,
    its directory from /proc/self/exe (Linux, as bb_child).
    =========================================================================
*/
#define _GNU_SOURCE
#include "bb_bench.h"
#include "bb_scratch.h"

#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define STORE_START_MS      10000

void
bb_bench_require (bool ok, const char *what)
{
    if (ok)
        return;
    fprintf (stderr, "%s: %s failed\n", program_invocation_short_name,
             what);
    exit (EXIT_FAILURE);
}

bb_child_t *
bb_bench_start (const char *binary, const char *const args [],
                const char *const env [], int timeout_ms, int ports [])
{
    bb_child_t *child = bb_child_start_on_free_ports (binary, args, env,
                                                      timeout_ms, ports);
    bb_bench_require (child != NULL, binary);
    return child;
}

bb_child_t *
bb_bench_store_start (const char *dir, bb_bench_store_t *store)
{
    const char *args [] = {
        "--data-dir", dir, "--query-bind", "tcp://127.0.0.1:$PORT0",
        "--ingest-bind", "tcp://127.0.0.1:$PORT1",
        "--events-bind", "tcp://127.0.0.1:$PORT2", "--log-level", "warn",
        NULL
    };
    int ports [BB_CHILD_PORTS_MAX];
    bb_child_t *child = bb_bench_start ("balboard-store", args, NULL,
                                        STORE_START_MS, ports);
    char *endpoints [] = { store->query, store->ingest, store->events };
    for (size_t i = 0; i < sizeof endpoints / sizeof endpoints [0]; i++)
        snprintf (endpoints [i], BB_BENCH_ENDPOINT_SIZE,
                  "tcp://127.0.0.1:%d", ports [i]);
    return child;
}

void
bb_bench_stop (bb_child_t **child_p, int timeout_ms)
{
    if (bb_child_end (child_p, SIGTERM, timeout_ms))
        fprintf (stderr, "%s: a process did not stop cleanly\n",
                 program_invocation_short_name);
}

void
bb_bench_remove (const char *dir)
{
    if (bb_scratch_remove (dir))
        fprintf (stderr, "%s: could not remove %s\n",
                 program_invocation_short_name, dir);
}

Balboard__SchedulerStatus *
bb_bench_scheduler (bb_client_t *control,
                    Balboard__SchedulerControl__Command command,
                    bb_envelope_t **reply_p)
{
    bb_envelope_t *reply = NULL;
    bb_bench_require (bb_client_scheduler_control (control, command,
                                                   &reply) == 0,
                      "a scheduler control call");
    if (!reply_p) {
        bb_wire_envelope_destroy (&reply);
        return NULL;
    }
    *reply_p = reply;
    return reply->scheduler_status;
}

void
bb_bench_bin_dir (void)
{
    if (getenv ("BALBOARD_BIN_DIR"))
        return;
    char path [PATH_MAX];
    ssize_t length = readlink ("/proc/self/exe", path, sizeof path - 1);
    bb_bench_require (length > 0, "readlink /proc/self/exe");
    path [length] = 0;
    setenv ("BALBOARD_BIN_DIR", dirname (path), 1);
}

void
bb_bench_figure (double value, const char *format, ...)
{
    char name [256];
    va_list args;
    va_start (args, format);
    vsnprintf (name, sizeof name, format, args);
    va_end (args);
    printf ("figure %s %.6g\n", name, value);
    fflush (stdout);
}

static int
s_compare_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

double
bb_bench_percentile (double *samples, size_t count, double p)
{
    if (count == 0)
        return 0;
    qsort (samples, count, sizeof *samples, s_compare_double);
    size_t index = (size_t) (p / 100.0 * (double) (count - 1) + 0.5);
    return samples [index];
}

//  nftw walks one tree at a time: the sum of the walk in progress.
static long long s_disk_bytes;

static int
s_add_blocks (const char *path, const struct stat *stat, int flag,
              struct FTW *ftw)
{
    (void) path, (void) flag, (void) ftw;
    s_disk_bytes += (long long) stat->st_blocks * 512;
    return 0;
}

long long
bb_bench_disk_bytes (const char *path)
{
    s_disk_bytes = 0;
    if (nftw (path, s_add_blocks, 16, FTW_PHYS))
        return -1;
    return s_disk_bytes;
}

//  The first line of /proc/<pid>/<name> that starts with prefix ("": the
//  first line) into line (size bytes). Returns 0, or -1 if there is none.
static int
s_proc_line (int pid, const char *name, const char *prefix, char *line,
             int size)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/%s", pid, name);
    FILE *file = fopen (path, "r");
    int rc = -1;
    while (rc && file && fgets (line, size, file))
        if (strncmp (line, prefix, strlen (prefix)) == 0)
            rc = 0;
    if (file)
        fclose (file);
    return rc;
}

long
bb_bench_rss_kb (int pid)
{
    char line [256];
    long rss = -1;
    if (s_proc_line (pid, "status", "VmRSS:", line, sizeof line) == 0)
        sscanf (line, "VmRSS: %ld", &rss);
    return rss;
}

double
bb_bench_cpu_seconds (int pid)
{
    char line [1024];
    bool read = s_proc_line (pid, "stat", "", line, sizeof line) == 0;
    //  utime and stime are the 12th and 13th fields after the
    //  parenthesised command name, which may itself hold spaces.
    char *field = read ? strrchr (line, ')') : NULL;
    unsigned long ticks [2] = { 0, 0 };
    if (!field || sscanf (field + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
                          "%*u %*u %lu %lu", &ticks [0], &ticks [1]) != 2)
        return -1;
    return (double) (ticks [0] + ticks [1]) / (double) sysconf (_SC_CLK_TCK);
}
