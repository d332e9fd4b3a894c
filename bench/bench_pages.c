/*  =========================================================================
    bench_pages - pages/s and page latency of any leaderboard
    =========================================================================
*/
#include "bench_pages.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bb_bench.h"
#include "bb_clock.h"

#include <czmq.h>


typedef struct {
    const bench_pages_source_t *source;
    int64_t offset;
    int64_t until_ms;           // stop then (monotonic)
    long pages;                 // full pages received
    bool failed;
} reader_t;

static void *
s_reader (void *arg)
{
    reader_t *reader = arg;
    void *connection = reader->source->open (reader->source->system);
    reader->failed = connection == NULL;
    while (!reader->failed && bb_clock_mono_ms () < reader->until_ms) {
        reader->failed = reader->source->page (connection,
                                               reader->offset) != 0;
        reader->pages += !reader->failed;
    }
    if (connection)
        reader->source->close (&connection);
    return NULL;
}

double
bench_pages_rate (const bench_pages_source_t *source, int clients,
                  int64_t offset, double seconds)
{
    reader_t readers [BENCH_PAGES_CLIENTS_MAX];
    pthread_t threads [BENCH_PAGES_CLIENTS_MAX];
    if (clients < 1 || clients > BENCH_PAGES_CLIENTS_MAX)
        return 0;
    int64_t started = bb_clock_mono_ms ();
    for (int c = 0; c < clients; c++) {
        readers [c] = (reader_t) { source, offset,
                                   started + (int64_t) (seconds * 1000),
                                   0, false };
        pthread_create (&threads [c], NULL, s_reader, &readers [c]);
    }
    long pages = 0;
    bool failed = false;
    for (int c = 0; c < clients; c++) {
        pthread_join (threads [c], NULL);
        pages += readers [c].pages;
        failed |= readers [c].failed;
    }
    double elapsed = (double) (bb_clock_mono_ms () - started) / 1000;
    return failed ? 0 : (double) pages / elapsed;
}

int
bench_pages_latency (const bench_pages_source_t *source, int64_t offset,
                     int count, double max_seconds, double *p50, double *p99)
{
    void *connection = source->open (source->system);
    double *samples = calloc ((size_t) count, sizeof *samples);
    int rc = connection && samples ? 0 : -1;
    //  Warm up with a tenth of the pages, within a tenth of the time
    int64_t until_ms = bb_clock_mono_ms () + (int64_t) (max_seconds * 100);
    for (int i = 0; rc == 0 && i < count / 10
                 && bb_clock_mono_ms () < until_ms; i++)
        rc = source->page (connection, offset);
    until_ms = bb_clock_mono_ms () + (int64_t) (max_seconds * 1000);
    int taken = 0;
    while (rc == 0 && taken < count
       && (taken == 0 || bb_clock_mono_ms () < until_ms)) {
        int64_t started = zclock_usecs ();
        rc = source->page (connection, offset);
        samples [taken++] = (double) (zclock_usecs () - started);
    }
    *p50 = bb_bench_percentile (samples, (size_t) taken, 50);
    *p99 = bb_bench_percentile (samples, (size_t) taken, 99);
    free (samples);
    if (connection)
        source->close (&connection);
    return rc;
}
