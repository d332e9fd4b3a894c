/*  =========================================================================
    bench_redis - a Redis sorted-set leaderboard beside the store
    =========================================================================
*/
#define _GNU_SOURCE                 // syncfs
#include "bench_redis.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hiredis/hiredis.h>

#include "bb_bench.h"
#include "bb_clock.h"
#include "bb_scratch.h"
#include "bb_port.h"
#include "bench_agents.h"

extern char **environ;

#define FILL_PIPELINE       400         // commands in flight a connection:
                                        // 200 agents, so 8 connections have
                                        // as many in flight as the store's
                                        // 8 DEALERs x 2 batches of 100
#define FILL_CONNECTIONS_MAX 64
#define START_MS            10000
#define POLL_MS             50
#define PATH_SIZE           512

struct _bench_redis_t {
    pid_t pid;
    int port;
    char dir [PATH_SIZE];
};

static bool
s_answers (int port)
{
    redisContext *redis = redisConnect ("127.0.0.1", port);
    redisReply *pong = redis && !redis->err
                     ? redisCommand (redis, "PING") : NULL;
    bool up = pong != NULL;
    if (pong)
        freeReplyObject (pong);
    if (redis)
        redisFree (redis);
    return up;
}

bench_redis_t *
bench_redis_new (const char *program, const char *dir,
                 const char *appendfsync)
{
    bench_redis_t *self = calloc (1, sizeof *self);
    snprintf (self->dir, sizeof self->dir, "%s", dir);
    char port [16];
    self->port = bb_port_free ();
    snprintf (port, sizeof port, "%d", self->port);
    char *argv [] = {
        (char *) program, "--port", port, "--bind", "127.0.0.1", "--dir",
        self->dir, "--save", "", "--appendonly", appendfsync ? "yes" : "no",
        "--appendfsync", appendfsync ? (char *) appendfsync : "everysec",
        "--loglevel", "warning", "--logfile", "/dev/null", "--daemonize",
        "no", NULL
    };
    if (bb_scratch_reset (dir) || self->port <= 0
    ||  posix_spawnp (&self->pid, program, NULL, NULL, argv, environ)) {
        fprintf (stderr, "bench_redis: cannot run %s\n", program);
        free (self);
        return NULL;
    }
    int64_t until = bb_clock_mono_ms () + START_MS;
    while (!s_answers (self->port) && bb_clock_mono_ms () < until)
        bb_clock_sleep_ms (POLL_MS);
    if (!s_answers (self->port))
        bench_redis_destroy (&self);
    return self;
}

void
bench_redis_destroy (bench_redis_t **self_p)
{
    bench_redis_t *self = *self_p;
    if (!self)
        return;
    kill (self->pid, SIGTERM);
    int status;
    waitpid (self->pid, &status, 0);
    free (self);
    *self_p = NULL;
}

//  Read the replies of pending pipelined commands. Returns 0 or -1.
static int
s_drain (redisContext *redis, long pending)
{
    int rc = 0;
    for (long i = 0; i < pending; i++) {
        redisReply *reply;
        if (redisGetReply (redis, (void **) &reply) != REDIS_OK)
            return -1;
        if (reply->type == REDIS_REPLY_ERROR)
            rc = -1;
        freeReplyObject (reply);
    }
    return rc;
}

//  One connection's share of a fill: agents first, first + step, ...
typedef struct {
    int port;
    long first, step, n;
    unsigned pass;
    int rc;
} filler_t;

static void
s_append (redisContext *redis, const bench_agent_t *a)
{
    redisAppendCommand (redis, "ZADD lb %lld %s", a->total_usd_micro,
                        a->stx);
    redisAppendCommand (redis, "HSET a:%s stx %s btc %s name %s level 1 "
        "levelName Genesis state ok total %lld stx_balance %llu stx_usd "
        "%lld sbtc_balance %llu sbtc_usd %lld alex_balance %llu "
        "btc_balance %llu btc_usd %lld captured_at %lld", a->stx, a->stx,
        a->btc, "bench agent", a->total_usd_micro, a->amount [0],
        a->usd_micro [0], a->amount [1], a->usd_micro [1], a->amount [2],
        a->amount [3], a->usd_micro [3], (long long) bb_clock_wall_ms ());
}

static void *
s_filler (void *arg)
{
    filler_t *filler = arg;
    redisContext *redis = redisConnect ("127.0.0.1", filler->port);
    filler->rc = redis && !redis->err ? 0 : -1;
    long pending = 0;
    for (long i = filler->first; i < filler->n && filler->rc == 0;
         i += filler->step) {
        bench_agent_t agent;
        bench_agents_get ((unsigned) i, filler->pass, &agent);
        s_append (redis, &agent);
        pending += 2;
        if (pending >= FILL_PIPELINE) {
            filler->rc = s_drain (redis, pending);
            pending = 0;
        }
    }
    if (filler->rc == 0)
        filler->rc = s_drain (redis, pending);
    if (redis)
        redisFree (redis);
    return NULL;
}

double
bench_redis_fill (bench_redis_t *self, long first, long n, unsigned pass,
                  int connections)
{
    filler_t fillers [FILL_CONNECTIONS_MAX];
    pthread_t threads [FILL_CONNECTIONS_MAX];
    if (connections < 1 || connections > FILL_CONNECTIONS_MAX)
        return -1;
    int64_t started = bb_clock_mono_ms ();
    for (int c = 0; c < connections; c++) {
        fillers [c] = (filler_t) { self->port, first + c, connections, n,
                                   pass, 0 };
        pthread_create (&threads [c], NULL, s_filler, &fillers [c]);
    }
    int rc = 0;
    for (int c = 0; c < connections; c++) {
        pthread_join (threads [c], NULL);
        rc |= fillers [c].rc;
    }
    double seconds = (double) (bb_clock_mono_ms () - started) / 1000;
    return rc ? -1 : seconds;
}

int
bench_redis_appendfsync (bench_redis_t *self, const char *policy)
{
    int dir = open (self->dir, O_RDONLY | O_DIRECTORY);
    int rc = dir >= 0 && syncfs (dir) == 0 ? 0 : -1;
    if (dir >= 0)
        close (dir);
    redisContext *redis = redisConnect ("127.0.0.1", self->port);
    redisReply *reply = rc == 0 && redis && !redis->err
                      ? redisCommand (redis, "CONFIG SET appendfsync %s",
                                      policy)
                      : NULL;
    if (!reply || reply->type == REDIS_REPLY_ERROR)
        rc = -1;
    if (reply)
        freeReplyObject (reply);
    if (redis)
        redisFree (redis);
    return rc;
}

long
bench_redis_rss_kb (bench_redis_t *self)
{
    return bb_bench_rss_kb (self->pid);
}

long long
bench_redis_disk_bytes (bench_redis_t *self)
{
    return bb_bench_disk_bytes (self->dir);
}

//  ===========================================================================
//  The page source

static void *
s_open (void *system)
{
    bench_redis_t *self = system;
    redisContext *redis = redisConnect ("127.0.0.1", self->port);
    if (redis && redis->err) {
        fprintf (stderr, "bench_redis: %s\n", redis->errstr);
        redisFree (redis);
        redis = NULL;
    }
    return redis;
}

static int
s_page (void *connection, int64_t offset)
{
    redisContext *redis = connection;
    redisReply *range = redisCommand (redis, "ZREVRANGE lb %lld %lld "
                                      "WITHSCORES", (long long) offset,
                                      (long long) offset
                                      + BENCH_PAGES_LIMIT - 1);
    if (!range)
        return -1;
    size_t members = range->type == REDIS_REPLY_ARRAY
                   ? range->elements / 2 : 0;
    for (size_t i = 0; i < members; i++)
        redisAppendCommand (redis, "HGETALL a:%s",
                            range->element [2 * i]->str);
    int rc = members == BENCH_PAGES_LIMIT ? 0 : -1;
    for (size_t i = 0; i < members; i++) {
        redisReply *hash;
        if (redisGetReply (redis, (void **) &hash) != REDIS_OK) {
            rc = -1;
            break;
        }
        if (hash->type != REDIS_REPLY_ARRAY || hash->elements == 0)
            rc = -1;
        freeReplyObject (hash);
    }
    freeReplyObject (range);
    if (rc)
        fprintf (stderr, "bench_redis: a short page at %lld\n",
                 (long long) offset);
    return rc;
}

static void
s_close (void **connection_p)
{
    redisFree (*connection_p);
    *connection_p = NULL;
}

bench_pages_source_t
bench_redis_source (bench_redis_t *self)
{
    return (bench_pages_source_t) { s_open, s_page, s_close, self };
}
