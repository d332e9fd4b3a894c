/*  =========================================================================
    bb_test_scratch - a test's scratch directory, empty at the start

    Owns nothing: bb_scratch removes and makes the directory.
    =========================================================================
*/
#include "bb_test_scratch.h"
#include "bb_scratch.h"

#include <stdio.h>
#include <stdlib.h>

int
bb_test_scratch_reset (const char *fallback, char *dir, size_t size)
{
    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    if (!scratch)
        scratch = fallback;
    if (!scratch || (size_t) snprintf (dir, size, "%s", scratch) >= size)
        return -1;
    return bb_scratch_reset (dir);
}
