/*  =========================================================================
    bench_sqlite - the original D1 schema and query in SQLite, beside the
    store

    One database file in a directory of its own, in WAL mode with
    synchronous=FULL (a commit is durable when it returns), with the
    original schema: the table balances (agent_address, token_id,
    captured_at, raw_amount, decimals, usd_value, source), primary key
    (agent_address, token_id, captured_at), index (agent_address,
    token_id, captured_at DESC). Ingest writes the benchmark's agents
    (bench_agents) one transaction per batch of agents, as the original
    wrote a fetched chunk. A page is the original ranked query: the
    latest row per (agent, token), summed per agent, ordered by the total,
    LIMIT 100 OFFSET O; then the latest rows of each of the 100 agents
    (an index lookup each), as the page shows their tokens.
    =========================================================================
*/
#ifndef BENCH_SQLITE_H_INCLUDED
#define BENCH_SQLITE_H_INCLUDED

#include <stdint.h>

#include "bench_pages.h"

typedef struct _bench_sqlite_t bench_sqlite_t;

//  Create the database in dir (emptied first). NULL if it cannot.
bench_sqlite_t *bench_sqlite_new (const char *dir);

//  Close the database and set *self_p to NULL.
void bench_sqlite_destroy (bench_sqlite_t **self_p);

//  Insert the rows of agents first..n-1 as they are at pass, captured at
//  captured_at_ms, one transaction per batch_agents agents. Returns the
//  rows written (-1 on an error), *seconds the time it took.
long bench_sqlite_ingest (bench_sqlite_t *self, long first, long n,
                          unsigned pass, uint64_t captured_at_ms,
                          int batch_agents, double *seconds);

//  Insert the rows of agents 0..n-1 fast, for a timed ingest of the
//  agents after them into a database that size: synchronous OFF and
//  large transactions, then synchronous FULL again and the WAL
//  checkpointed into the database (fsynced), so that the timed commits
//  that follow sync only their own rows. Returns 0 or -1.
int bench_sqlite_prefill (bench_sqlite_t *self, long n, unsigned pass,
                          uint64_t captured_at_ms);

//  Bytes the database (file, WAL, shared memory) takes on disk.
long long bench_sqlite_disk_bytes (bench_sqlite_t *self);

//  The most memory SQLite has had allocated in this process, kB (it runs
//  in the benchmark's own process: there is no server's RSS to read).
long bench_sqlite_memory_kb (void);

//  The database as a page source for bench_pages: every connection its
//  own, read-only.
bench_pages_source_t bench_sqlite_source (bench_sqlite_t *self);

#endif
