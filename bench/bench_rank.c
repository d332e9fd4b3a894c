/*  bench_rank - speed and memory of the rank index (store/bb_rank)

    For n = 10k, 100k and 1M agents with a realistic spread of totals
    (a third pending at 0 USD, the rest spread over six decades), prints:
    the bulk rebuild time into an empty index and again over the full one
    (the store's case on a price change); set/move throughput (an existing
    agent gets a new total); the latency of positioning at offset 0 and at
    0.9n, p50 and p99, alone and for a whole 100-row page; rank_of p50;
    and the process RSS (VmRSS) with the part the index adds. Latencies
    are of single calls timed with CLOCK_MONOTONIC, so they include ~20-30
    ns of timer overhead. Usage: bench_rank [max_n].
    =========================================================================
*/
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bb_bench.h"
#include "bb_random.h"
#include "bb_rank.h"

#define ADDR_SIZE       (BB_RANK_ADDR_MAX + 1)
#define MOVE_OPS        200000      // set/move calls timed per size
#define SAMPLES         20000       // latency samples per figure
#define PAGE_ROWS       100         // a default dashboard page

//  The agents of one run: addresses and totals.
typedef struct {
    size_t size;
    char (*addr) [ADDR_SIZE];
    bb_rank_entry_t *entries;
    uint64_t random;            // xorshift64 state
} agents_t;

static uint64_t
s_random (agents_t *agents)
{
    return bb_random_next (&agents->random);
}

static uint64_t
s_now_ns (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (uint64_t) now.tv_sec * 1000000000ULL + (uint64_t) now.tv_nsec;
}

//  A total in micro-USD: 0 for a third (pending, empty), else from 1 USD
//  to ~1M USD, log-uniform.
static int64_t
s_random_total (agents_t *agents)
{
    if (s_random (agents) % 3 == 0)
        return 0;
    int64_t total = 1000000;
    for (int decade = (int) (s_random (agents) % 6); decade > 0; decade--)
        total *= 10;
    return total + (int64_t) (s_random (agents) % (uint64_t) total);
}

static agents_t *
s_agents_new (size_t size)
{
    static const char c32 [] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    agents_t *agents = calloc (1, sizeof (agents_t));
    bb_bench_require (agents != NULL, "calloc");
    agents->size = size;
    agents->random = 0x2545F4914F6CDD1DULL ^ size;
    agents->addr = malloc (size * ADDR_SIZE);
    agents->entries = malloc (size * sizeof (bb_rank_entry_t));
    bb_bench_require (agents->addr && agents->entries, "malloc");
    for (size_t agent = 0; agent < size; agent++) {
        char *addr = agents->addr [agent];
        addr [0] = 'S';
        addr [1] = 'P';
        for (size_t index = 2; index < 41; index++)
            addr [index] = c32 [s_random (agents) % 32];
        addr [41] = '\0';
        agents->entries [agent].address = addr;
        agents->entries [agent].score = s_random_total (agents);
    }
    return agents;
}

static void
s_agents_destroy (agents_t **agents_p)
{
    agents_t *agents = *agents_p;
    free (agents->addr);
    free (agents->entries);
    free (agents);
    *agents_p = NULL;
}

static int
s_compare_u64 (const void *a, const void *b)
{
    uint64_t value_a = *(const uint64_t *) a;
    uint64_t value_b = *(const uint64_t *) b;
    return (value_a > value_b) - (value_a < value_b);
}

//  Percentile pct of samples (sorts them).
static uint64_t
s_percentile (uint64_t *samples, size_t count, unsigned pct)
{
    qsort (samples, count, sizeof (uint64_t), s_compare_u64);
    return samples [(count - 1) * pct / 100];
}

//  Time SAMPLES positionings at offset, each followed by rows - 1 nexts;
//  p50 and p99 in ns into *p50 and *p99.
static void
s_time_seek (bb_rank_t *rank, uint64_t offset, size_t rows,
             uint64_t *samples, uint64_t *p50, uint64_t *p99)
{
    for (size_t sample = 0; sample < SAMPLES; sample++) {
        uint64_t start = s_now_ns ();
        const char *addr = bb_rank_seek (rank, offset, NULL);
        for (size_t row = 1; row < rows && addr; row++)
            addr = bb_rank_next (rank, NULL);
        samples [sample] = s_now_ns () - start;
        bb_bench_require (addr != NULL, "seek");
    }
    *p50 = s_percentile (samples, SAMPLES, 50);
    *p99 = s_percentile (samples, SAMPLES, 99);
}

static void
s_bench (size_t size)
{
    agents_t *agents = s_agents_new (size);
    uint64_t *samples = malloc (SAMPLES * sizeof (uint64_t));
    bb_bench_require (samples != NULL, "malloc");
    long rss_before = bb_bench_rss_kb (getpid ());

    bb_rank_t *rank = bb_rank_new ();
    uint64_t start = s_now_ns ();
    int rc = bb_rank_rebuild (rank, agents->entries, size);
    double build_ms = (double) (s_now_ns () - start) / 1e6;
    bb_bench_require (rc == 0 && bb_rank_size (rank) == size, "rebuild");
    //  Again over a full index: what the store pays on a price change
    start = s_now_ns ();
    rc = bb_rank_rebuild (rank, agents->entries, size);
    double rebuild_ms = (double) (s_now_ns () - start) / 1e6;
    bb_bench_require (rc == 0 && bb_rank_size (rank) == size, "rebuild");

    start = s_now_ns ();
    for (size_t op = 0; op < MOVE_OPS; op++) {
        size_t agent = s_random (agents) % size;
        rc = bb_rank_set (rank, agents->addr [agent],
                          s_random_total (agents));
        bb_bench_require (rc == 0, "set");
    }
    double move_ops = MOVE_OPS / ((double) (s_now_ns () - start) / 1e9);

    uint64_t seek0_p50, seek0_p99, seek90_p50, seek90_p99;
    uint64_t page0_p50, page0_p99, page90_p50, page90_p99;
    uint64_t offset90 = size / 10 * 9;
    s_time_seek (rank, 0, 1, samples, &seek0_p50, &seek0_p99);
    s_time_seek (rank, offset90, 1, samples, &seek90_p50, &seek90_p99);
    s_time_seek (rank, 0, PAGE_ROWS, samples, &page0_p50, &page0_p99);
    s_time_seek (rank, offset90, PAGE_ROWS, samples,
                 &page90_p50, &page90_p99);

    for (size_t sample = 0; sample < SAMPLES; sample++) {
        size_t agent = s_random (agents) % size;
        start = s_now_ns ();
        uint64_t position = bb_rank_rank (rank, agents->addr [agent], NULL);
        samples [sample] = s_now_ns () - start;
        bb_bench_require (position > 0, "rank");
    }
    uint64_t rank_p50 = s_percentile (samples, SAMPLES, 50);
    long rss = bb_bench_rss_kb (getpid ());

    printf ("%8zu %9.1f %9.1f %10.0f %7" PRIu64 " %7" PRIu64 " %7" PRIu64
            " %7" PRIu64 " %9" PRIu64 " %9" PRIu64 " %7" PRIu64
            " %8.1f %8.1f\n",
            size, build_ms, rebuild_ms, move_ops, seek0_p50, seek0_p99,
            seek90_p50, seek90_p99, page0_p50, page90_p50, rank_p50,
            (double) rss / 1024, (double) (rss - rss_before) / 1024);
    bb_rank_destroy (&rank);
    free (samples);
    s_agents_destroy (&agents);
}

int
main (int argc, char *argv [])
{
    size_t max_size = argc > 1? strtoul (argv [1], NULL, 10): 1000000;
    printf ("bench_rank: store/bb_rank; latencies in ns, memory in MiB\n");
    printf ("%8s %9s %9s %10s %7s %7s %7s %7s %9s %9s %7s %8s %8s\n",
            "n", "build_ms", "again_ms", "set_ops/s", "seek0", "p99",
            "seek.9n", "p99", "page0", "page.9n", "rank", "rss", "index");
    printf ("%8s %9s %9s %10s %7s %7s %7s %7s %9s %9s %7s %8s %8s\n",
            "", "", "", "", "p50", "", "p50", "", "p50", "p50", "p50", "", "");
    for (size_t size = 10000; size <= max_size; size *= 10)
        s_bench (size);
    return 0;
}
