/*  =========================================================================
    fuzz_target - the entry point every fuzz target defines

    Each fuzz_<name>.c defines LLVMFuzzerTestOneInput for one door of
    balboard (bytes a peer, an upstream or an operator controls). It is
    linked twice: with libFuzzer (-fsanitize=fuzzer, BALBOARD_FUZZ=ON,
    clang) to search for crashes, and with fuzz_replay.c into a plain
    ctest that runs the seed corpus and every kept crash input through
    it. A target checks what must hold for any input with FUZZ_CHECK, so
    a wrong answer crashes as loudly as a bad read.
    =========================================================================
*/
#ifndef FUZZ_TARGET_H_INCLUDED
#define FUZZ_TARGET_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

//  Run one input through the target. Always returns 0 (libFuzzer's
//  contract); a failed check aborts.
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  Abort with the condition's text when it does not hold (assert is
//  compiled out of release builds; a fuzz check must never be).
#define FUZZ_CHECK(condition) \
    do { \
        if (!(condition)) { \
            fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, \
                     __LINE__, #condition); \
            abort (); \
        } \
    } while (0)

//  The input as a NUL-terminated string (a copy the caller frees), for
//  the functions that take C strings; an embedded NUL ends it early, as
//  it would for them.
char *fuzz_target_string (const uint8_t *data, size_t size);

#endif
