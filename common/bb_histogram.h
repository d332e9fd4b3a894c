/*  =========================================================================
    bb_histogram - a latency histogram many threads count into at once

    The shared form of bb_latency_t: the same buckets (common/bb_latency.h),
    each a relaxed atomic, so one thread may count durations while others
    read them without a lock (the store's ingest actor times its commits,
    its readers answer StoreStats; the gateway's HTTP threads time their
    requests, /metrics reads them). A reader gets a copy whose buckets
    were each read once; it may miss a duration being counted, never
    tear one. Zeroed memory is an empty histogram, so it embeds in a
    calloc'd owner.
    =========================================================================
*/
#ifndef BB_HISTOGRAM_H_INCLUDED
#define BB_HISTOGRAM_H_INCLUDED

#include <stdatomic.h>
#include <stdint.h>

#include "bb_latency.h"

typedef struct {
    atomic_uint_fast64_t buckets [BB_LATENCY_BUCKETS];  // each alone
    atomic_uint_fast64_t sum_us;
} bb_histogram_t;

//  Count one duration of micros. Any thread.
void bb_histogram_add (bb_histogram_t *self, uint64_t micros);

//  Copy the counts so far into latency. Any thread.
void bb_histogram_read (bb_histogram_t *self, bb_latency_t *latency);

#endif
