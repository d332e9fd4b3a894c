/*  =========================================================================
    bb_test_scratch - a test's scratch directory, empty at the start

    Owns nothing: removes and makes the directory with the shell, the
    path quoted.
    =========================================================================
*/
#include "bb_test_scratch.h"

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
    char command [2 * 4096 + 32];
    snprintf (command, sizeof command, "rm -rf '%s' && mkdir -p '%s'", dir,
              dir);
    return system (command) == 0 ? 0 : -1;
}
