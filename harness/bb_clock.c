/*  =========================================================================
    bb_clock - time for tests and benchmarks

    clock_gettime and nanosleep behind millisecond helpers, so no test or
    benchmark keeps its own copy.
    =========================================================================
*/
#include "bb_clock.h"

#include <assert.h>
#include <time.h>

#define MS_PER_S    1000
#define NS_PER_MS   1000000L

static int64_t
s_ms (clockid_t clock)
{
    struct timespec now;
    clock_gettime (clock, &now);
    return (int64_t) now.tv_sec * MS_PER_S + now.tv_nsec / NS_PER_MS;
}

int64_t
bb_clock_mono_ms (void)
{
    return s_ms (CLOCK_MONOTONIC);
}

uint64_t
bb_clock_wall_ms (void)
{
    return (uint64_t) s_ms (CLOCK_REALTIME);
}

void
bb_clock_sleep_ms (long ms)
{
    if (ms <= 0)
        return;
    struct timespec pause = { ms / MS_PER_S, (ms % MS_PER_S) * NS_PER_MS };
    nanosleep (&pause, NULL);
}

int
bb_clock_wait_until (bb_clock_condition_fn *condition, void *arg,
                     int timeout_ms, int poll_ms)
{
    assert (condition && poll_ms > 0);
    int64_t deadline = bb_clock_mono_ms () + timeout_ms;
    while (!condition (arg)) {
        if (bb_clock_mono_ms () >= deadline)
            return -1;
        bb_clock_sleep_ms (poll_ms);
    }
    return 0;
}
