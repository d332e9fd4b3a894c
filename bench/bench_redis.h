/*  =========================================================================
    bench_redis - a Redis sorted-set leaderboard beside the store

    Runs redis-server on a free loopback port, with its data in a
    directory of its own: no persistence, or an append-only file fsynced
    as appendfsync says ("always": before each reply, as the store's
    durable commit; "everysec": Redis's default, up to a second lost).
    Loads the benchmark's agents (bench_agents) as Redis keeps a
    leaderboard: the sorted set lb (score = total micro-USD) and one hash
    a:<stx> per agent with what a dashboard row shows (15 fields). A page
    is ZREVRANGE lb O O+99 WITHSCORES plus the 100 agents' HGETALLs in one
    pipeline, through hiredis.
    =========================================================================
*/
#ifndef BENCH_REDIS_H_INCLUDED
#define BENCH_REDIS_H_INCLUDED

#include "bench_pages.h"

typedef struct _bench_redis_t bench_redis_t;

//  Start program (redis-server) with its data in dir (emptied first) and
//  appendfsync "always", "everysec" or "no" (an append-only file the
//  kernel writes when it likes), or NULL for no persistence; wait until
//  it answers. NULL if it does not.
bench_redis_t *bench_redis_new (const char *program, const char *dir,
                                const char *appendfsync);

//  Stop the server (SIGTERM, waited for) and set *self_p to NULL.
void bench_redis_destroy (bench_redis_t **self_p);

//  Load agents first..n-1 as they are at pass over connections
//  connections at once, every command's reply read (so durable as
//  configured). Returns the seconds it took, or -1.
double bench_redis_fill (bench_redis_t *self, long first, long n,
                         unsigned pass, int connections);

//  Sync what the server has written to disk (syncfs of its directory),
//  then set its appendfsync to policy (CONFIG SET): the writes after it
//  pay for their own fsyncs only. Returns 0 or -1.
int bench_redis_appendfsync (bench_redis_t *self, const char *policy);

//  The server's resident memory in kB, -1 if unknown.
long bench_redis_rss_kb (bench_redis_t *self);

//  Bytes its data directory takes on disk.
long long bench_redis_disk_bytes (bench_redis_t *self);

//  The server as a page source for bench_pages.
bench_pages_source_t bench_redis_source (bench_redis_t *self);

#endif
