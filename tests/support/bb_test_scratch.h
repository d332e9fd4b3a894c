/*  =========================================================================
    bb_test_scratch - a test's scratch directory, empty at the start

    ctest gives each test a directory of its own in BALBOARD_TEST_SCRATCH
    (tests/CMakeLists.txt); a test that runs processes on data there
    starts from an empty one, whatever an earlier run left behind.
    Stateless.
    =========================================================================
*/
#ifndef BB_TEST_SCRATCH_H_INCLUDED
#define BB_TEST_SCRATCH_H_INCLUDED

#include <stddef.h>

//  $BALBOARD_TEST_SCRATCH (fallback when it is unset; NULL: then it is
//  an error) into dir (size bytes), removed with everything in it and
//  made again, empty. Returns 0, or -1 if it could not be made.
int bb_test_scratch_reset (const char *fallback, char *dir, size_t size);

#endif
