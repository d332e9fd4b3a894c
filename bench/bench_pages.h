/*  =========================================================================
    bench_pages - pages/s and page latency of any leaderboard

    A leaderboard under test (the store, SQLite, Redis) is a page source:
    how to open a client connection, ask one ranked page (limit 100) at
    an offset, and close it. The same measurements then run on each:
    pages/s that C clients in threads get at one offset, and page
    latency percentiles of one client.
    =========================================================================
*/
#ifndef BENCH_PAGES_H_INCLUDED
#define BENCH_PAGES_H_INCLUDED

#include <stdint.h>

#define BENCH_PAGES_LIMIT 100
#define BENCH_PAGES_CLIENTS_MAX 64

typedef struct {
    //  A client connection to system, NULL if it cannot connect
    void *(*open) (void *system);
    //  Ask one page at offset; 0 if a full page (BENCH_PAGES_LIMIT rows)
    //  came, -1 otherwise (says why on stderr)
    int (*page) (void *connection, int64_t offset);
    //  Close the connection and set *connection_p to NULL
    void (*close) (void **connection_p);
    void *system;
} bench_pages_source_t;

//  Pages/s that clients threads (1..BENCH_PAGES_CLIENTS_MAX), each on its
//  own connection, get asking the page at offset again and again for
//  seconds. 0 if a page failed.
double bench_pages_rate (const bench_pages_source_t *source, int clients,
                         int64_t offset, double seconds);

//  Page latency at offset of one client: *p50 and *p99 in µs over count
//  pages after some to warm up (a tenth of count, within a tenth of
//  max_seconds), or fewer (at least one) once max_seconds have passed.
//  -1 if a page failed.
int bench_pages_latency (const bench_pages_source_t *source, int64_t offset,
                         int count, double max_seconds, double *p50,
                         double *p99);

#endif
