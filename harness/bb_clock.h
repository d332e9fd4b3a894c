/*  =========================================================================
    bb_clock - time for tests and benchmarks

    Monotonic and wall-clock milliseconds, a sleep, and a wait that polls
    a condition until it holds or a deadline passes. Tests wait on
    conditions, never for a fixed time; the deadline of a wait is there to
    catch a hang (be generous), not to measure speed. Stateless.
    =========================================================================
*/
#ifndef BB_CLOCK_H_INCLUDED
#define BB_CLOCK_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

//  Milliseconds on the monotonic clock (for durations and deadlines).
int64_t bb_clock_mono_ms (void);

//  Milliseconds since the epoch (to compare with the times processes
//  report, such as a next tick or a pause's end).
uint64_t bb_clock_wall_ms (void);

//  Sleep ms milliseconds (a signal may cut it short).
void bb_clock_sleep_ms (long ms);

//  A condition to wait on; arg is the wait's arg.
typedef bool (bb_clock_condition_fn) (void *arg);

//  Call condition (arg) every poll_ms until it returns true. Returns 0,
//  or -1 if it was still false after timeout_ms.
int bb_clock_wait_until (bb_clock_condition_fn *condition, void *arg,
                         int timeout_ms, int poll_ms);

#endif
