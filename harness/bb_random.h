/*  =========================================================================
    bb_random - reproducible pseudo-random numbers for tests and benchmarks

    xorshift64 (Marsaglia): fast, and the same seed gives the same
    sequence on every machine, so a failing randomized test can be rerun
    exactly. Not for anything that needs unpredictable numbers. The
    caller owns the state (one uint64_t, never 0); stateless otherwise.
    =========================================================================
*/
#ifndef BB_RANDOM_H_INCLUDED
#define BB_RANDOM_H_INCLUDED

#include <stdint.h>

//  Advance *state (not 0) and return its new value (never 0).
uint64_t bb_random_next (uint64_t *state);

#endif
