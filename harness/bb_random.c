/*  =========================================================================
    bb_random - reproducible pseudo-random numbers for tests and benchmarks

    xorshift64 with the shifts 13, 7, 17: a full period of 2^64 - 1 over
    the nonzero states.
    =========================================================================
*/
#include "bb_random.h"

#include <assert.h>

uint64_t
bb_random_next (uint64_t *state)
{
    assert (state && *state);
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}
