/*  =========================================================================
    bb_wrk - one wrk load run, for the benchmarks

    Owns the bb_child running "/bin/sh -c 'exec wrk ... > file 2>&1'" (or
    another load generator's command) and the path of that file (mkstemp
    in /tmp).
    =========================================================================
*/
#include "bb_wrk.h"
#include "bb_bench.h"
#include "bb_child.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COMMAND_SIZE    2048

struct _bb_wrk_t {
    bb_child_t *child;                  // the shell that became wrk
    char output [32];                   // wrk's report
    const char *name;                   // "wrk (is it installed?)", ...
};

bb_wrk_t *
bb_wrk_new (const char *options, const char *url)
{
    char command [COMMAND_SIZE];
    int size = snprintf (command, sizeof command, "wrk %s '%s'", options,
                         url);
    bb_bench_require (size > 0 && size < COMMAND_SIZE, "the wrk command");
    return bb_wrk_new_command ("wrk (is it installed?)", command);
}

bb_wrk_t *
bb_wrk_new_command (const char *name, const char *command)
{
    bb_wrk_t *self = calloc (1, sizeof *self);
    bb_bench_require (self != NULL, "allocating a load run");
    self->name = name;
    snprintf (self->output, sizeof self->output, "/tmp/bb_wrk_XXXXXX");
    int fd = mkstemp (self->output);
    bb_bench_require (fd >= 0, "mkstemp");
    close (fd);
    char line [COMMAND_SIZE];
    int size = snprintf (line, sizeof line, "exec %s > '%s' 2>&1", command,
                         self->output);
    bb_bench_require (size > 0 && size < COMMAND_SIZE, "the load command");
    const char *argv [] = { "/bin/sh", "-c", line, NULL };
    self->child = bb_child_new (argv, NULL);
    bb_bench_require (self->child != NULL, name);
    return self;
}

bool
bb_wrk_running (bb_wrk_t *self)
{
    return bb_child_running (self->child);
}

double
bb_wrk_finish (bb_wrk_t **self_p, int timeout_ms, bool *others)
{
    bb_wrk_t *self = *self_p;
    int code = bb_child_wait (self->child, timeout_ms);
    bb_child_destroy (&self->child);
    FILE *file = fopen (self->output, "r");
    bb_bench_require (file != NULL, "reading a load run's output");
    char line [512];
    double rate = 0;
    bool non_2xx = false;
    while (fgets (line, sizeof line, file)) {
        if (strncmp (line, "Requests/sec:", 13) == 0)
            rate = strtod (line + 13, NULL);
        non_2xx |= strstr (line, "Non-2xx or 3xx") != NULL;
    }
    fclose (file);
    unlink (self->output);
    const char *name = self->name;
    free (self);
    *self_p = NULL;
    bb_bench_require (code == 0 && rate > 0, name);
    if (others)
        *others = non_2xx;
    return rate;
}
