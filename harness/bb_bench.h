/*  =========================================================================
    bb_bench - what the benchmark programs share

    A benchmark stops at the first failed step, naming it (assert is off
    in the Release builds benchmarks are meant for), and finds the
    binaries it starts next to itself unless BALBOARD_BIN_DIR says
    otherwise. A figure a script reads is printed on a line of its own,
    "figure <name> <value>". Stateless; for bench/ only (tests fail
    through cmocka).
    =========================================================================
*/
#ifndef BB_BENCH_H_INCLUDED
#define BB_BENCH_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "bb_child.h"
#include "bb_client.h"

//  If ok is false, print "<program>: <what> failed" to stderr and exit
//  with EXIT_FAILURE.
void bb_bench_require (bool ok, const char *what);

//  Set BALBOARD_BIN_DIR to the directory of this program unless it is
//  set already (exits as bb_bench_require if it cannot tell).
void bb_bench_bin_dir (void);

//  Print "figure <name> <value>" on a line of its own: a figure
//  scripts/bench.sh reads (name: no spaces, printf-style).
void bb_bench_figure (double value, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Start binary on free ports as bb_child_start_on_free_ports does
//  ("$PORT0".. in args; ports [] gets BB_CHILD_PORTS_MAX ports; env may
//  be NULL), or exit naming the binary.
bb_child_t *bb_bench_start (const char *binary, const char *const args [],
                            const char *const env [], int timeout_ms,
                            int ports []);

#define BB_BENCH_ENDPOINT_SIZE  64

//  Where a store started by bb_bench_store_start answers.
typedef struct {
    char query [BB_BENCH_ENDPOINT_SIZE];
    char ingest [BB_BENCH_ENDPOINT_SIZE];
    char events [BB_BENCH_ENDPOINT_SIZE];   // its own, never the default
} bb_bench_store_t;

//  Start balboard-store with its data in dir, its sockets on free
//  loopback ports written to *store, or exit.
bb_child_t *bb_bench_store_start (const char *dir, bb_bench_store_t *store);

//  Stop *child_p with SIGTERM within timeout_ms (a warning on stderr if it
//  does not exit 0), destroy it and set *child_p to NULL. NULL-safe.
void bb_bench_stop (bb_child_t **child_p, int timeout_ms);

//  Remove directory dir with everything in it (a warning on stderr if it
//  cannot).
void bb_bench_remove (const char *dir);

//  Send command to the scheduler through control and return the status
//  it answers with (the caller destroys *reply_p; reply_p NULL: the
//  answer is dropped and NULL returned), or exit.
Balboard__SchedulerStatus *bb_bench_scheduler (
    bb_client_t *control, Balboard__SchedulerControl__Command command,
    bb_envelope_t **reply_p);

//  The p-th percentile (0..100) of count samples (sorted in place);
//  0 when count is 0.
double bb_bench_percentile (double *samples, size_t count, double p);

//  Bytes the files under path take on disk (allocated blocks), -1 if
//  path cannot be read.
long long bb_bench_disk_bytes (const char *path);

//  Resident memory of process pid in kB (VmRSS), -1 if unknown.
long bb_bench_rss_kb (int pid);

//  CPU seconds (user + system, every thread) process pid has used so
//  far, -1 if unknown.
double bb_bench_cpu_seconds (int pid);

#endif
