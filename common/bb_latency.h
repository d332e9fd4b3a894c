/*  =========================================================================
    bb_latency - the latency histogram's buckets, one set for every
    balboard duration

    The bucket bounds (0.5 ms to 10 s, the Prometheus defaults' span) are
    kept here only, so the gateway's HTTP durations, the fetchers'
    upstream requests (UpstreamReport, aggregated into UpstreamHealth)
    and the store's commits are comparable. A bb_latency_t counts each
    duration in one bucket alone (not cumulative): bucket i holds the
    durations above bound i - 1 and up to bound i, the last bucket those
    above every bound; the gateway sums them into the le counts when it
    renders. Plain data, no thread rules.
    =========================================================================
*/
#ifndef BB_LATENCY_H_INCLUDED
#define BB_LATENCY_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define BB_LATENCY_BOUNDS   14
#define BB_LATENCY_BUCKETS  (BB_LATENCY_BOUNDS + 1)     // + above them all

typedef struct {
    uint64_t buckets [BB_LATENCY_BUCKETS];  // durations in each, alone
    uint64_t sum_us;                        // of every duration counted
} bb_latency_t;

//  Bound (0 .. BB_LATENCY_BOUNDS - 1) in microseconds.
static inline uint64_t
bb_latency_bound_us (size_t bound)
{
    static const uint64_t micros [BB_LATENCY_BOUNDS] = {
        500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
        1000000, 2500000, 5000000, 10000000
    };
    return micros [bound];
}

//  Bound as a Prometheus le label says it, in seconds.
static inline const char *
bb_latency_bound_label (size_t bound)
{
    static const char *const labels [BB_LATENCY_BOUNDS] = {
        "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
        "0.1", "0.25", "0.5", "1", "2.5", "5", "10"
    };
    return labels [bound];
}

//  The bucket a duration of micros falls in.
static inline size_t
bb_latency_bucket (uint64_t micros)
{
    size_t bucket = 0;
    while (bucket < BB_LATENCY_BOUNDS && micros > bb_latency_bound_us (bucket))
        bucket++;
    return bucket;
}

//  Count one duration of micros.
static inline void
bb_latency_add (bb_latency_t *self, uint64_t micros)
{
    self->buckets [bb_latency_bucket (micros)]++;
    self->sum_us += micros;
}

//  Add counts (count buckets, as a peer sent them; extra ones are
//  ignored) and their sum.
static inline void
bb_latency_merge (bb_latency_t *self, const uint64_t *counts, size_t count,
                  uint64_t sum_us)
{
    for (size_t bucket = 0; bucket < count && bucket < BB_LATENCY_BUCKETS;
         bucket++)
        self->buckets [bucket] += counts [bucket];
    self->sum_us += sum_us;
}

#endif
