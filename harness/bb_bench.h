/*  =========================================================================
    bb_bench - what the benchmark programs share

    A benchmark stops at the first failed step, naming it (assert is off
    in the Release builds benchmarks are meant for), and finds the
    binaries it starts next to itself unless BALBOARD_BIN_DIR says
    otherwise. Stateless; for bench/ only (tests fail through cmocka).
    =========================================================================
*/
#ifndef BB_BENCH_H_INCLUDED
#define BB_BENCH_H_INCLUDED

#include <stdbool.h>

//  If ok is false, print "<program>: <what> failed" to stderr and exit
//  with EXIT_FAILURE.
void bb_bench_require (bool ok, const char *what);

//  Set BALBOARD_BIN_DIR to the directory of this program unless it is
//  set already (exits as bb_bench_require if it cannot tell).
void bb_bench_bin_dir (void);

#endif
