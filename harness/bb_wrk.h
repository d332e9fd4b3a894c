/*  =========================================================================
    bb_wrk - one wrk load run, for the benchmarks

    Owns a wrk process started in the background (so the benchmark can
    serve something else meanwhile) and the temporary file its report
    goes to; finishing it waits for wrk, reads Requests/sec and whether
    any answer was not 2xx or 3xx, and removes the file. Another load
    generator that reports as wrk does (a "Requests/sec: N" line on
    stdout) runs the same way, so both are measured alike. A failed step
    ends the benchmark as bb_bench_require does. Linux only.
    =========================================================================
*/
#ifndef BB_WRK_H_INCLUDED
#define BB_WRK_H_INCLUDED

#include <stdbool.h>

typedef struct _bb_wrk_t bb_wrk_t;

//  Start "wrk <options> '<url>'" (options: wrk's own, e.g. "-t2 -c50
//  -d5s", with any -H or -s; url single-quoted by this module).
bb_wrk_t *bb_wrk_new (const char *options, const char *url);

//  Start command (a shell command line, quoted by the caller) as a load
//  generator that reports as wrk does; name (a string that outlives the
//  run) says what it is in a failure.
bb_wrk_t *bb_wrk_new_command (const char *name, const char *command);

//  True while wrk runs.
bool bb_wrk_running (bb_wrk_t *self);

//  Wait up to timeout_ms for wrk to end, destroy the run (its report
//  removed) and set *self_p to NULL: a run ends here, as a benchmark
//  ends at its first failed step. Returns its Requests/sec (wrk must
//  have exited 0 with a rate above 0); *others (if not NULL) says whether
//  wrk counted answers other than 2xx or 3xx.
double bb_wrk_finish (bb_wrk_t **self_p, int timeout_ms, bool *others);

#endif
