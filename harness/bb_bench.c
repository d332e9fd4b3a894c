/*  =========================================================================
    bb_bench - what the benchmark programs share

    The program's name comes from glibc's program_invocation_short_name,
    its directory from /proc/self/exe (Linux, as bb_child).
    =========================================================================
*/
#define _GNU_SOURCE
#include "bb_bench.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void
bb_bench_require (bool ok, const char *what)
{
    if (ok)
        return;
    fprintf (stderr, "%s: %s failed\n", program_invocation_short_name,
             what);
    exit (EXIT_FAILURE);
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
