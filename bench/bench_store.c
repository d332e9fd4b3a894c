/*  =========================================================================
    bench_store - durable ingest and ranked pages of a real balboard-store

    Not a test: run it by hand on a Release build and read the figures.
    For each n it starts a fresh balboard-store, registers n agents,
    streams balance batches (100 agents x 4 rows, agents in key order as
    the scheduler sends them) from several DEALERs at once so that group
    commit can work, and prints:

      - durable ingest rows/s (rows = balance rows the store wrote, every
        batch acked only after its commit is durable);
      - the time to revalue and re-rank everyone at a new price snapshot;
      - dashboard page (limit 100) p50/p99 at offset 0 and at 0.9n;
      - a second, updating pass with dashboard queries running beside it:
        ingest rows/s under query load, page p50/p99 under ingest load;
      - the store's RSS (VmRSS, and VmHWM the peak) and map use;
      - read throughput side by side with Redis, with --clients C > 0
        (default 4): dashboard pages/s (limit 100) that C clients get at
        offset 0 and at 0.9n, from the store with its reply cache, then
        restarted on the same data without it (--reply-cache-entries
        0), next to the same page from a Redis it starts on a free
        loopback port with no persistence and fills with the same n
        agents: ZREVRANGE lb O O+99 WITHSCORES plus 100 pipelined
        HGETALLs of the agents' hashes (15 fields each), through
        hiredis; with the ratios.

      bench_store [--n 10000,100000,1000000] [--dealers 8] [--window 2]
                  [--queries 300] [--clients 4] [--seconds 5]
                  [--readers N] [--dir /tmp/balboard-bench-store]
                  [--binary bin/balboard-store]
                  [--redis-server redis-server]

    Batches are encoded before the clock starts, so the figures are the
    store's, not the encoder's.
    =========================================================================
*/
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hiredis/hiredis.h>

#include "bb_address.h"
#include "bb_client.h"
#include "bb_wire.h"

extern char **environ;

#define BATCH_AGENTS        100
#define UPSERT_AGENTS       5000
#define PAGE_LIMIT          100
#define WARMUP_QUERIES      20
#define START_TIMEOUT_MS    60000
#define CLIENT_TIMEOUT_MS   600000
#define BTC_USD_MICRO       60000000000LL
#define STX_USD_MICRO       2000000LL
#define SBTC "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token::sbtc-token"
#define ALEX "SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9." \
             "age000-governance-token::alex"
#define NS_MAX              16
#define ADDRESS_SIZE        96
#define CLIENTS_MAX         64
#define REDIS_FILL_PIPELINE 1000
#define REDIS_START_MS      10000
#define ARGS_MAX            16

typedef struct {
    long ns [NS_MAX];           // agent counts to run
    size_t n_count;
    int dealers;                // concurrent DEALER sockets
    int window;                 // batches in flight per DEALER
    int queries;                // page requests per measurement
    int clients;                // concurrent clients of the read phase
    int seconds;                // length of each read measurement
    const char *readers;        // the store's --readers, NULL: its default
    const char *dir;            // scratch data directory
    char binary [1024];         // balboard-store
    const char *redis_server;   // redis-server program
} options_t;

typedef struct {
    pid_t pid;
    char ingest [64];
    char query [64];
} store_t;

//  Pages/s at offset 0 and at 0.9n.
typedef struct {
    double at_0;
    double at_09n;
} rate_t;

//  ===========================================================================
//  Helpers

static double
s_now_s (void)
{
    return (double) zclock_usecs () / 1e6;
}

static int
s_compare_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

//  The p-th percentile (0..100) of count samples (sorted in place).
static double
s_percentile (double *samples, size_t count, double p)
{
    qsort (samples, count, sizeof *samples, s_compare_double);
    size_t index = (size_t) (p / 100.0 * (double) (count - 1) + 0.5);
    return samples [index];
}

static void
s_stx (unsigned index, char *buf)
{
    unsigned char hash [20] = { 0x42 };
    for (int i = 0; i < 4; i++)
        hash [1 + i] = (unsigned char) (index >> (24 - 8 * i));
    bb_address_make_stx (BB_STX_VERSION_MAINNET_SINGLESIG, hash, buf,
                         ADDRESS_SIZE);
}

static void
s_btc (unsigned index, char *buf)
{
    unsigned char program [20] = { 0x17 };
    for (int i = 0; i < 4; i++)
        program [1 + i] = (unsigned char) (index >> (24 - 8 * i));
    bb_address_make_segwit ("bc", 0, program, sizeof program, buf,
                            ADDRESS_SIZE);
}

//  A spread of amounts: a cheap hash of index and pass.
static unsigned long long
s_amount (unsigned index, unsigned pass, unsigned salt)
{
    unsigned long long x = (index + 1) * 2654435761ULL ^ (pass + salt) * 40503;
    return (x % 100000000ULL) + 1;
}

//  Resident memory of a process, kB.
typedef struct {
    long rss;                   // VmRSS: all resident pages
    long hwm;                   // VmHWM: peak of rss
    long anon;                  // RssAnon: heap (rank index, buffers)
    long file;                  // RssFile: mapped LMDB pages, in cache
} rss_t;

static rss_t
s_rss (pid_t pid)
{
    char path [64], line [256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *file = fopen (path, "r");
    rss_t rss = { -1, -1, -1, -1 };
    while (file && fgets (line, sizeof line, file)) {
        sscanf (line, "VmRSS: %ld", &rss.rss);
        sscanf (line, "VmHWM: %ld", &rss.hwm);
        sscanf (line, "RssAnon: %ld", &rss.anon);
        sscanf (line, "RssFile: %ld", &rss.file);
    }
    if (file)
        fclose (file);
    return rss;
}

//  ===========================================================================
//  The store process

//  A loopback port the kernel just handed out (bound to port 0, closed).
static int
s_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET };
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = -1;
    if (fd >= 0 && bind (fd, (struct sockaddr *) &address, sizeof address) == 0
    &&  getsockname (fd, (struct sockaddr *) &address, &length) == 0)
        port = ntohs (address.sin_port);
    if (fd >= 0)
        close (fd);
    return port;
}

//  Run the store on store's endpoints and data, with options->readers as
//  --readers and cache_entries as --reply-cache-entries (either NULL: the
//  store's default), and wait until it answers.
static int
s_store_launch (const options_t *options, store_t *store,
                const char *cache_entries)
{
    char *argv [ARGS_MAX] = {
        (char *) options->binary, "--data-dir", (char *) options->dir,
        "--ingest-bind", store->ingest, "--query-bind", store->query,
        "--log-level", "warn", NULL
    };
    int argc = 0;
    while (argv [argc])
        argc++;
    if (options->readers) {
        argv [argc++] = "--readers";
        argv [argc++] = (char *) options->readers;
    }
    if (cache_entries) {
        argv [argc++] = "--reply-cache-entries";
        argv [argc++] = (char *) cache_entries;
    }
    argv [argc] = NULL;
    if (posix_spawn (&store->pid, options->binary, NULL, NULL, argv,
                     environ)) {
        fprintf (stderr, "bench_store: cannot run %s\n", options->binary);
        return -1;
    }
    bb_client_t *client = bb_client_new (store->query, 200);
    int64_t deadline = zclock_mono () + START_TIMEOUT_MS;
    bb_envelope_t *reply = NULL;
    while (bb_client_stats (client, &reply) && zclock_mono () < deadline)
        zclock_sleep (50);
    bb_client_destroy (&client);
    int rc = reply ? 0 : -1;
    bb_wire_envelope_destroy (&reply);
    return rc;
}

static int
s_store_start (const options_t *options, store_t *store)
{
    char command [1200];
    snprintf (command, sizeof command, "rm -rf '%s'", options->dir);
    if (system (command))
        return -1;
    int ingest_port = s_free_port (), query_port = s_free_port ();
    if (ingest_port < 0 || query_port < 0 || ingest_port == query_port)
        return -1;
    snprintf (store->ingest, sizeof store->ingest, "tcp://127.0.0.1:%d",
              ingest_port);
    snprintf (store->query, sizeof store->query, "tcp://127.0.0.1:%d",
              query_port);
    return s_store_launch (options, store, NULL);
}

static void
s_store_stop (store_t *store)
{
    kill (store->pid, SIGTERM);
    int status;
    waitpid (store->pid, &status, 0);
}

//  ===========================================================================
//  Loading

static void
s_register (const store_t *store, long n)
{
    bb_client_t *client = bb_client_new (store->ingest, CLIENT_TIMEOUT_MS);
    double started = s_now_s ();
    for (long first = 0; first < n; first += UPSERT_AGENTS) {
        size_t count = (size_t) (n - first < UPSERT_AGENTS ? n - first
                                                          : UPSERT_AGENTS);
        Balboard__Agent *agents = calloc (count, sizeof *agents);
        Balboard__Agent **pointers = calloc (count, sizeof *pointers);
        char (*addresses) [2][ADDRESS_SIZE] = calloc (count,
                                                      sizeof *addresses);
        for (size_t i = 0; i < count; i++) {
            balboard__agent__init (&agents [i]);
            s_stx ((unsigned) (first + (long) i), addresses [i][0]);
            s_btc ((unsigned) (first + (long) i), addresses [i][1]);
            agents [i].stx_address = addresses [i][0];
            agents [i].btc_address = addresses [i][1];
            agents [i].display_name = "bench agent";
            agents [i].level = 1;
            agents [i].level_name = "Genesis";
            pointers [i] = &agents [i];
        }
        bb_envelope_t *reply;
        if (bb_client_agent_upsert (client, pointers, count, &reply))
            fprintf (stderr, "upsert: %s\n", bb_client_reason (client));
        bb_wire_envelope_destroy (&reply);
        free (agents);
        free (pointers);
        free (addresses);
    }
    printf ("  register       %ld agents in %.2f s\n", n,
            s_now_s () - started);
    bb_client_destroy (&client);
}

//  Encode the batches of one pass: agents in key order, BATCH_AGENTS a
//  batch, 4 rows an agent (stx, sBTC, ALEX from Hiro; btc-l1).
static zframe_t **
s_encode_pass (long n, unsigned pass, uint64_t captured_at_ms, size_t *count)
{
    *count = (size_t) ((n + BATCH_AGENTS - 1) / BATCH_AGENTS);
    zframe_t **frames = calloc (*count, sizeof *frames);
    for (size_t b = 0; b < *count; b++) {
        Balboard__BalanceBatch batch = BALBOARD__BALANCE_BATCH__INIT;
        Balboard__AgentResult agents [BATCH_AGENTS];
        Balboard__AgentResult *agent_p [BATCH_AGENTS];
        Balboard__SourceResult sources [BATCH_AGENTS][2];
        Balboard__SourceResult *source_p [BATCH_AGENTS][2];
        Balboard__TokenBalance balances [BATCH_AGENTS][4];
        Balboard__TokenBalance *hiro_p [BATCH_AGENTS][3];
        Balboard__TokenBalance *mempool_p [BATCH_AGENTS][1];
        char text [BATCH_AGENTS][5][ADDRESS_SIZE];
        char job [32];
        snprintf (job, sizeof job, "%u.%zu", pass, b);
        batch.job_id = job;
        batch.rotation = pass;
        batch.chunk_index = (uint32_t) b;
        batch.rotation_agents = (uint32_t) n;
        size_t used = 0;
        for (long i = (long) b * BATCH_AGENTS;
             i < n && used < BATCH_AGENTS; i++, used++) {
            unsigned index = (unsigned) i;
            s_stx (index, text [used][0]);
            snprintf (text [used][1], ADDRESS_SIZE, "%llu",
                      s_amount (index, pass, 1) * 1000);
            snprintf (text [used][2], ADDRESS_SIZE, "%llu",
                      s_amount (index, pass, 2) / 10);
            snprintf (text [used][3], ADDRESS_SIZE, "%llu",
                      s_amount (index, 0, 3));
            snprintf (text [used][4], ADDRESS_SIZE, "%llu",
                      s_amount (index, pass, 4));
            const char *ids [4] = { "stx", SBTC, ALEX, "btc-l1" };
            for (int t = 0; t < 4; t++) {
                balboard__token_balance__init (&balances [used][t]);
                balances [used][t].token_id = (char *) ids [t];
                balances [used][t].amount = text [used][1 + t];
            }
            for (int t = 0; t < 3; t++)
                hiro_p [used][t] = &balances [used][t];
            mempool_p [used][0] = &balances [used][3];
            for (int s = 0; s < 2; s++) {
                balboard__source_result__init (&sources [used][s]);
                sources [used][s].status = BALBOARD__FETCH_STATUS__FETCH_OK;
                source_p [used][s] = &sources [used][s];
            }
            sources [used][0].upstream = BALBOARD__UPSTREAM__UPSTREAM_HIRO;
            sources [used][0].n_balances = 3;
            sources [used][0].balances = hiro_p [used];
            sources [used][1].upstream = BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL;
            sources [used][1].n_balances = 1;
            sources [used][1].balances = mempool_p [used];
            balboard__agent_result__init (&agents [used]);
            agents [used].stx_address = text [used][0];
            agents [used].captured_at_ms = captured_at_ms;
            agents [used].n_sources = 2;
            agents [used].sources = source_p [used];
            agent_p [used] = &agents [used];
        }
        batch.n_agents = used;
        batch.agents = agent_p;
        bb_envelope_t envelope;
        bb_wire_envelope_init (&envelope);
        envelope.request_id = b + 1;
        envelope.body_case = BALBOARD__ENVELOPE__BODY_BALANCE_BATCH;
        envelope.balance_batch = &batch;
        frames [b] = bb_wire_encode (&envelope);
    }
    return frames;
}

//  Send every frame over dealers DEALERs, window in flight on each, and
//  wait for every ack. Returns the rows written; *seconds the wall time.
static uint64_t
s_stream (const store_t *store, zframe_t **frames, size_t count,
          const options_t *options, double *seconds)
{
    int dealers = options->dealers;
    zsock_t **sockets = calloc ((size_t) dealers, sizeof *sockets);
    zmq_pollitem_t *items = calloc ((size_t) dealers, sizeof *items);
    char attach [80];
    snprintf (attach, sizeof attach, ">%s", store->ingest);
    for (int d = 0; d < dealers; d++) {
        sockets [d] = bb_wire_socket_new (ZMQ_DEALER, attach);
        items [d] = (zmq_pollitem_t) { zsock_resolve (sockets [d]), 0,
                                       ZMQ_POLLIN, 0 };
    }
    zclock_sleep (100);                 // let every DEALER connect
    size_t next = 0, acked = 0;
    uint64_t rows = 0;
    double started = s_now_s ();
    for (int d = 0; d < dealers; d++)
        for (int w = 0; w < options->window && next < count; w++)
            zframe_send (&frames [next++], sockets [d], ZFRAME_REUSE);
    while (acked < count) {
        if (zmq_poll (items, dealers, CLIENT_TIMEOUT_MS) <= 0)
            break;
        for (int d = 0; d < dealers; d++) {
            if (!(items [d].revents & ZMQ_POLLIN))
                continue;
            bb_wire_msg_t msg = { NULL, NULL, "" };
            if (bb_wire_recv (sockets [d], &msg) == BB_WIRE_OK
            &&  msg.envelope->body_case == BALBOARD__ENVELOPE__BODY_BATCH_ACK) {
                if (msg.envelope->batch_ack->status
                    == BALBOARD__ACK_STATUS__ACK_REJECTED)
                    fprintf (stderr, "rejected: %s\n",
                             msg.envelope->batch_ack->reason);
                rows += msg.envelope->batch_ack->rows_written;
                acked++;
                if (next < count)
                    zframe_send (&frames [next++], sockets [d],
                                 ZFRAME_REUSE);
            }
            bb_wire_msg_reset (&msg);
        }
    }
    *seconds = s_now_s () - started;
    for (int d = 0; d < dealers; d++)
        zsock_destroy (&sockets [d]);
    free (sockets);
    free (items);
    return rows;
}

static void
s_free_frames (zframe_t **frames, size_t count)
{
    for (size_t i = 0; i < count; i++)
        zframe_destroy (&frames [i]);
    free (frames);
}

//  ===========================================================================
//  Queries

//  Time count dashboard pages at offset; fill samples (µs).
static void
s_pages (bb_client_t *client, int64_t offset, int count, double *samples)
{
    for (int i = 0; i < count; i++) {
        int64_t started = zclock_usecs ();
        bb_envelope_t *reply;
        if (bb_client_dashboard (client, offset, PAGE_LIMIT, &reply))
            fprintf (stderr, "dashboard: %s\n", bb_client_reason (client));
        bb_wire_envelope_destroy (&reply);
        samples [i] = (double) (zclock_usecs () - started);
    }
}

static void
s_latency (const store_t *store, long n, const options_t *options)
{
    bb_client_t *client = bb_client_new (store->query, CLIENT_TIMEOUT_MS);
    double *samples = calloc ((size_t) options->queries + WARMUP_QUERIES,
                              sizeof *samples);
    const int64_t offsets [2] = { 0, (int64_t) (n * 9 / 10) };
    double p50 [2], p99 [2];
    for (int o = 0; o < 2; o++) {
        s_pages (client, offsets [o], WARMUP_QUERIES, samples);
        s_pages (client, offsets [o], options->queries, samples);
        p50 [o] = s_percentile (samples, (size_t) options->queries, 50);
        p99 [o] = s_percentile (samples, (size_t) options->queries, 99);
        printf ("  page @%-9lld p50 %7.0f us   p99 %7.0f us\n",
                (long long) offsets [o], p50 [o], p99 [o]);
    }
    printf ("  page @0.9n / @0: p50 x%.2f  p99 x%.2f\n", p50 [1] / p50 [0],
            p99 [1] / p99 [0]);
    free (samples);
    bb_client_destroy (&client);
}

//  Revalue everyone: a new snapshot, then time to the first page.
static void
s_revalue (const store_t *store, uint64_t priced_at_ms, int64_t stx_price)
{
    bb_client_t *in = bb_client_new (store->ingest, CLIENT_TIMEOUT_MS);
    bb_client_t *out = bb_client_new (store->query, CLIENT_TIMEOUT_MS);
    Balboard__PriceSnapshot prices = BALBOARD__PRICE_SNAPSHOT__INIT;
    prices.btc_usd_micro = BTC_USD_MICRO;
    prices.stx_usd_micro = stx_price;
    prices.priced_at_ms = priced_at_ms;
    bb_envelope_t *reply;
    double started = s_now_s ();
    if (bb_client_price_snapshot (in, &prices, &reply))
        fprintf (stderr, "prices: %s\n", bb_client_reason (in));
    bb_wire_envelope_destroy (&reply);
    if (bb_client_dashboard (out, 0, PAGE_LIMIT, &reply))
        fprintf (stderr, "dashboard: %s\n", bb_client_reason (out));
    bb_wire_envelope_destroy (&reply);
    printf ("  revalue        %.0f ms (snapshot commit + re-rank + 1 page)\n",
            (s_now_s () - started) * 1000);
    bb_client_destroy (&in);
    bb_client_destroy (&out);
}

//  Pages at random offsets until told to stop, beside an ingest pass.
typedef struct {
    const store_t *store;
    long n;
    atomic_bool stop;
    double *samples;
    size_t count;
    size_t capacity;
} load_t;

static void *
s_query_load (void *arg)
{
    load_t *load = arg;
    bb_client_t *client = bb_client_new (load->store->query,
                                         CLIENT_TIMEOUT_MS);
    unsigned seed = 7;
    while (!atomic_load (&load->stop) && load->count < load->capacity) {
        int64_t offset = (int64_t) (rand_r (&seed) % (unsigned) load->n);
        s_pages (client, offset, 1, &load->samples [load->count++]);
    }
    bb_client_destroy (&client);
    return NULL;
}


//  ===========================================================================
//  Read throughput, side by side with Redis

//  One client thread of a read measurement.
typedef struct {
    const char *endpoint;       // the store's query socket (store readers)
    int redis_port;             // Redis's port (Redis readers)
    int64_t offset;             // the page every request asks
    double until;               // stop at this s_now_s
    long pages;                 // full pages received
} reader_t;

static void *
s_store_reader (void *arg)
{
    reader_t *reader = arg;
    bb_client_t *client = bb_client_new (reader->endpoint, CLIENT_TIMEOUT_MS);
    while (s_now_s () < reader->until) {
        bb_envelope_t *reply;
        int rc = bb_client_dashboard (client, reader->offset, PAGE_LIMIT,
                                      &reply);
        bool full = rc == 0 && reply->dashboard_page->n_rows == PAGE_LIMIT;
        bb_wire_envelope_destroy (&reply);
        if (!full) {
            fprintf (stderr, "dashboard: %s\n", rc ? bb_client_reason (client)
                                                   : "short page");
            break;
        }
        reader->pages++;
    }
    bb_client_destroy (&client);
    return NULL;
}

//  One Redis page: the members and scores at offset, then every member's
//  hash in one pipeline. Returns 0 if it got PAGE_LIMIT hashes.
static int
s_redis_page (redisContext *redis, int64_t offset)
{
    redisReply *range = redisCommand (redis, "ZREVRANGE lb %lld %lld "
                                      "WITHSCORES", (long long) offset,
                                      (long long) offset + PAGE_LIMIT - 1);
    if (!range)
        return -1;
    size_t members = range->type == REDIS_REPLY_ARRAY
                   ? range->elements / 2 : 0;
    for (size_t i = 0; i < members; i++)
        redisAppendCommand (redis, "HGETALL a:%s",
                            range->element [2 * i]->str);
    int rc = members == PAGE_LIMIT ? 0 : -1;
    for (size_t i = 0; i < members; i++) {
        redisReply *hash;
        if (redisGetReply (redis, (void **) &hash) != REDIS_OK)
            return -1;
        if (hash->type != REDIS_REPLY_ARRAY || hash->elements == 0)
            rc = -1;
        freeReplyObject (hash);
    }
    freeReplyObject (range);
    return rc;
}

static void *
s_redis_reader (void *arg)
{
    reader_t *reader = arg;
    redisContext *redis = redisConnect ("127.0.0.1", reader->redis_port);
    while (redis && !redis->err && s_now_s () < reader->until) {
        if (s_redis_page (redis, reader->offset)) {
            fprintf (stderr, "redis: a short page\n");
            break;
        }
        reader->pages++;
    }
    if (redis)
        redisFree (redis);
    return NULL;
}

//  Pages/s that options->clients threads running fn get at offset.
static double
s_rate (const options_t *options, void *(*fn) (void *), const char *endpoint,
        int redis_port, int64_t offset)
{
    reader_t readers [CLIENTS_MAX];
    pthread_t threads [CLIENTS_MAX];
    double started = s_now_s ();
    for (int c = 0; c < options->clients; c++) {
        readers [c] = (reader_t) { endpoint, redis_port, offset,
                                   started + options->seconds, 0 };
        pthread_create (&threads [c], NULL, fn, &readers [c]);
    }
    long pages = 0;
    for (int c = 0; c < options->clients; c++) {
        pthread_join (threads [c], NULL);
        pages += readers [c].pages;
    }
    return (double) pages / (s_now_s () - started);
}

static rate_t
s_rates (const options_t *options, long n, void *(*fn) (void *),
         const char *endpoint, int redis_port)
{
    rate_t rate;
    rate.at_0 = s_rate (options, fn, endpoint, redis_port, 0);
    rate.at_09n = s_rate (options, fn, endpoint, redis_port, n * 9 / 10);
    return rate;
}

//  Start redis-server on a free loopback port, nothing persisted; wait
//  until it answers. Returns 0 or -1.
static int
s_redis_start (const options_t *options, pid_t *pid, int *port)
{
    *port = s_free_port ();
    char port_text [16];
    snprintf (port_text, sizeof port_text, "%d", *port);
    char *argv [] = {
        (char *) options->redis_server, "--port", port_text, "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel",
        "warning", "--logfile", "/dev/null", "--daemonize", "no", NULL
    };
    if (*port < 0 || posix_spawnp (pid, options->redis_server, NULL, NULL,
                                   argv, environ))
        return -1;
    int64_t deadline = zclock_mono () + REDIS_START_MS;
    while (zclock_mono () < deadline) {
        redisContext *redis = redisConnect ("127.0.0.1", *port);
        redisReply *pong = redis && !redis->err
                         ? redisCommand (redis, "PING") : NULL;
        bool up = pong != NULL;
        if (pong)
            freeReplyObject (pong);
        if (redis)
            redisFree (redis);
        if (up)
            return 0;
        zclock_sleep (50);
    }
    return -1;
}

//  Read the replies of pending pipelined commands. Returns 0 or -1.
static int
s_redis_drain (redisContext *redis, long pending)
{
    for (long i = 0; i < pending; i++) {
        redisReply *reply;
        if (redisGetReply (redis, (void **) &reply) != REDIS_OK)
            return -1;
        freeReplyObject (reply);
    }
    return 0;
}

//  The agents of the second pass, as Redis keeps them: the sorted set lb
//  (score = total micro-USD) and one hash a:<stx> per agent with what a
//  dashboard row shows.
static int
s_redis_fill (int port, long n)
{
    redisContext *redis = redisConnect ("127.0.0.1", port);
    int rc = redis && !redis->err ? 0 : -1;
    long pending = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        unsigned index = (unsigned) i;
        char stx [ADDRESS_SIZE], btc [ADDRESS_SIZE];
        s_stx (index, stx);
        s_btc (index, btc);
        unsigned long long ustx = s_amount (index, 2, 1) * 1000,
            sbtc = s_amount (index, 2, 2) / 10, alex = s_amount (index, 0, 3),
            sats = s_amount (index, 2, 4);
        long long stx_usd = (long long) (ustx * 2),
            sbtc_usd = (long long) (sbtc * 600), btc_usd = (long long) (sats
                                                                  * 600);
        long long total = stx_usd + sbtc_usd + btc_usd;
        redisAppendCommand (redis, "ZADD lb %lld %s", total, stx);
        redisAppendCommand (redis, "HSET a:%s stx %s btc %s name %s level 1 "
            "levelName Genesis state ok total %lld stx_balance %llu stx_usd "
            "%lld sbtc_balance %llu sbtc_usd %lld alex_balance %llu "
            "btc_balance %llu btc_usd %lld captured_at %lld", stx, stx, btc,
            "bench agent", total, ustx, stx_usd, sbtc, sbtc_usd, alex, sats,
            btc_usd, (long long) zclock_time ());
        pending += 2;
        if (pending >= REDIS_FILL_PIPELINE) {
            rc = s_redis_drain (redis, pending);
            pending = 0;
        }
    }
    if (rc == 0)
        rc = s_redis_drain (redis, pending);
    if (redis)
        redisFree (redis);
    return rc;
}

//  Redis's pages/s at both offsets, from a fresh server with n agents;
//  zero if it cannot run.
static rate_t
s_redis_rates (const options_t *options, long n)
{
    rate_t rate = { 0, 0 };
    pid_t pid;
    int port;
    if (s_redis_start (options, &pid, &port)) {
        fprintf (stderr, "bench_store: cannot run %s\n",
                 options->redis_server);
        return rate;
    }
    double started = s_now_s ();
    if (s_redis_fill (port, n) == 0) {
        printf ("  redis fill     %ld agents in %.2f s\n", n,
                s_now_s () - started);
        rate = s_rates (options, n, s_redis_reader, NULL, port);
    }
    else
        fprintf (stderr, "bench_store: redis fill failed\n");
    kill (pid, SIGTERM);
    int status;
    waitpid (pid, &status, 0);
    return rate;
}

static void
s_print_rate (const char *label, rate_t rate, rate_t redis)
{
    printf ("    %-32s %9.0f %9.0f", label, rate.at_0, rate.at_09n);
    if (redis.at_0 > 0 && redis.at_09n > 0)
        printf ("   x%.2f  x%.2f of redis", rate.at_0 / redis.at_0,
                rate.at_09n / redis.at_09n);
    printf ("\n");
}

//  The store's pages/s with its cache, then restarted without it, and
//  Redis's for the same page. The store stays running (no cache).
static void
s_read_side_by_side (const options_t *options, store_t *store, long n)
{
    rate_t cached = s_rates (options, n, s_store_reader, store->query, 0);
    s_store_stop (store);
    if (s_store_launch (options, store, "0")) {
        fprintf (stderr, "bench_store: the store did not restart\n");
        return;
    }
    rate_t uncached = s_rates (options, n, s_store_reader, store->query, 0);
    rate_t redis = s_redis_rates (options, n);
    printf ("  pages/s, %d clients, limit 100, %d s each:  @0     @0.9n\n",
            options->clients, options->seconds);
    s_print_rate ("balboard, reply cache", cached, redis);
    s_print_rate ("balboard, no cache", uncached, redis);
    s_print_rate ("redis ZREVRANGE + 100 HGETALL", redis, redis);
}

//  ===========================================================================

static void
s_run (const options_t *options, long n)
{
    store_t store;
    printf ("n = %ld agents\n", n);
    if (s_store_start (options, &store)) {
        fprintf (stderr, "bench_store: the store did not start\n");
        return;
    }
    s_register (&store, n);
    uint64_t now = (uint64_t) zclock_time ();

    size_t count;
    zframe_t **frames = s_encode_pass (n, 1, now, &count);
    double seconds;
    uint64_t rows = s_stream (&store, frames, count, options, &seconds);
    s_free_frames (frames, count);
    printf ("  ingest         %llu rows in %.2f s: %.0f rows/s durable "
            "(%zu batches, %d dealers x %d)\n", (unsigned long long) rows,
            seconds, (double) rows / seconds, count, options->dealers,
            options->window);
    s_revalue (&store, now, STX_USD_MICRO);
    s_latency (&store, n, options);

    //  Second pass, every amount but ALEX changed, pages served beside it
    frames = s_encode_pass (n, 2, now + 1, &count);
    load_t load = { &store, n, false, NULL, 0, 1000000 };
    load.samples = calloc (load.capacity, sizeof *load.samples);
    pthread_t thread;
    pthread_create (&thread, NULL, s_query_load, &load);
    rows = s_stream (&store, frames, count, options, &seconds);
    atomic_store (&load.stop, true);
    pthread_join (thread, NULL);
    s_free_frames (frames, count);
    printf ("  update+queries %llu rows in %.2f s: %.0f rows/s durable; "
            "%zu pages beside it p50 %.0f us p99 %.0f us\n",
            (unsigned long long) rows, seconds, (double) rows / seconds,
            load.count, s_percentile (load.samples, load.count, 50),
            s_percentile (load.samples, load.count, 99));
    free (load.samples);
    s_revalue (&store, now + 1, STX_USD_MICRO * 2);

    rss_t rss = s_rss (store.pid);
    bb_client_t *client = bb_client_new (store.query, CLIENT_TIMEOUT_MS);
    bb_envelope_t *reply;
    if (bb_client_stats (client, &reply) == 0) {
        printf ("  store          RSS %ld MiB (peak %ld MiB; heap %ld MiB, "
                "mapped LMDB pages %ld MiB)\n", rss.rss / 1024,
                rss.hwm / 1024, rss.anon / 1024, rss.file / 1024);
        printf ("  data           map %llu MiB used of %llu MiB, %llu balance "
                "rows, %llu history rows\n",
                (unsigned long long) reply->store_stats->map_used >> 20,
                (unsigned long long) reply->store_stats->map_size >> 20,
                (unsigned long long) reply->store_stats->balance_rows,
                (unsigned long long) reply->store_stats->history_rows);
        bb_wire_envelope_destroy (&reply);
    }
    bb_client_destroy (&client);
    if (options->clients > 0)
        s_read_side_by_side (options, &store, n);
    s_store_stop (&store);
    fflush (stdout);
}

//  A comma-separated list of agent counts.
static void
s_parse_ns (const char *list, options_t *options)
{
    options->n_count = 0;
    for (const char *at = list; *at && options->n_count < NS_MAX; ) {
        char *end;
        long n = strtol (at, &end, 10);
        if (n > 0)
            options->ns [options->n_count++] = n;
        at = *end == ',' ? end + 1 : end + (*end != '\0');
    }
}

static int
s_parse (int argc, char **argv, options_t *options)
{
    *options = (options_t) {
        { 10000, 100000, 1000000 }, 3, 8, 2, 300, 4, 5, NULL,
        "/tmp/balboard-bench-store", "", "redis-server"
    };
    const char *bin_dir = getenv ("BALBOARD_BIN_DIR");
    snprintf (options->binary, sizeof options->binary, "%s/balboard-store",
              bin_dir ? bin_dir : "bin");
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *flag = argv [i], *value = argv [i + 1];
        if (strcmp (flag, "--n") == 0)
            s_parse_ns (value, options);
        else
        if (strcmp (flag, "--dealers") == 0)
            options->dealers = atoi (value);
        else
        if (strcmp (flag, "--window") == 0)
            options->window = atoi (value);
        else
        if (strcmp (flag, "--queries") == 0)
            options->queries = atoi (value);
        else
        if (strcmp (flag, "--clients") == 0)
            options->clients = atoi (value);
        else
        if (strcmp (flag, "--seconds") == 0)
            options->seconds = atoi (value);
        else
        if (strcmp (flag, "--readers") == 0)
            options->readers = value;
        else
        if (strcmp (flag, "--redis-server") == 0)
            options->redis_server = value;
        else
        if (strcmp (flag, "--dir") == 0)
            options->dir = value;
        else
        if (strcmp (flag, "--binary") == 0)
            snprintf (options->binary, sizeof options->binary, "%s", value);
        else
            return -1;
    }
    return argc % 2 == 1 && options->dealers > 0 && options->window > 0
        && options->queries > 0 && options->clients >= 0
        && options->clients <= CLIENTS_MAX && options->seconds > 0 ? 0 : -1;
}

int
main (int argc, char **argv)
{
    options_t options;
    if (s_parse (argc, argv, &options)) {
        fprintf (stderr, "usage: bench_store [--n 10000,100000,1000000] "
                 "[--dealers 8] [--window 2] [--queries 300] [--clients 4] "
                 "[--seconds 5] [--readers N] [--dir PATH] [--binary PATH] "
                 "[--redis-server PROGRAM]\n");
        return 64;
    }
    zsys_init ();
    printf ("bench_store: %s, %d dealers x %d batches in flight, "
            "%d agents a batch, 4 rows an agent\n", options.binary,
            options.dealers, options.window, BATCH_AGENTS);
    for (size_t i = 0; i < options.n_count; i++)
        s_run (&options, options.ns [i]);
    return 0;
}
