/*  =========================================================================
    bb_histogram - a latency histogram many threads count into at once
    =========================================================================
*/
#include "bb_histogram.h"

#include <assert.h>

void
bb_histogram_add (bb_histogram_t *self, uint64_t micros)
{
    assert (self);
    atomic_fetch_add_explicit (&self->buckets [bb_latency_bucket (micros)],
                               1, memory_order_relaxed);
    atomic_fetch_add_explicit (&self->sum_us, micros, memory_order_relaxed);
}

void
bb_histogram_read (bb_histogram_t *self, bb_latency_t *latency)
{
    assert (self && latency);
    for (size_t bucket = 0; bucket < BB_LATENCY_BUCKETS; bucket++)
        latency->buckets [bucket] =
            atomic_load_explicit (&self->buckets [bucket],
                                  memory_order_relaxed);
    latency->sum_us = atomic_load_explicit (&self->sum_us,
                                            memory_order_relaxed);
}
