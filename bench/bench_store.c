/*  =========================================================================
    bench_store - the store side by side with SQLite and Redis

    Not a test: run it on a Release build (scripts/bench.sh does) and read
    the figures. For each n it loads the same n agents (bench_agents: 4
    balance rows each) into each of three leaderboards in turn and
    measures the same things:

      - balboard-store, a fresh one: n agents registered, then balance
        batches (100 agents x 4 rows, agents in key order as the
        scheduler sends them) streamed from several DEALERs at once so
        that group commit can work: durable ingest rows/s (every batch
        acked only after its commit is durable); the time to revalue and
        re-rank everyone; page latency (limit 100) p50/p99 at offsets
        0, 0.25n, 0.5n, 0.75n and 0.9n; a second, updating pass with
        pages asked beside it (ingest rows/s under query load, page
        p50/p99 under ingest load); RSS and bytes on disk; pages/s of 1
        and 4 clients at offsets 0 and 0.9n with its reply cache, then
        restarted on the same data without it (--reply-cache-entries 0):
        page latency at every offset again (each page built, where the
        cache's latencies are of hits) and the same pages/s;
      - SQLite with the original D1 schema and query (bench_sqlite):
        one transaction per 100 agents, WAL and synchronous=FULL: ingest
        rows/s, then the same pages;
      - Redis (bench_redis), one server loaded with the second pass from
        as many connections as the store's DEALERs: durable ingest rows/s
        with appendfsync always, then with its default everysec, then
        the same pages.

    Up to 10,000 agents SQLite and Redis time whole loads (SQLite both
    passes; Redis half the agents with each policy). Above it they time
    their last 10% of the agents (Redis: 10% with each policy), written
    into a database already holding the others, which were loaded
    untimed and without an fsync per write: the rate at that size, in
    seconds instead of minutes (SQLite alone took over two minutes to
    load a million agents durably, Redis twice that for its two
    policies).

    Every figure is also printed as "figure <name> <value>" for
    scripts/bench.sh: ingest.<system>.<n>, p50|p99.<system>.<n>.<offset
    as a share of n>, rate.<system>.<n>.c<clients>.<offset share>,
    rss_kb.<system>.<n>, disk_bytes.<system>.<n>, and the store's
    revalue_ms, under_ingest_p50|p99.

      bench_store [--n 10000,100000,1000000] [--dealers 8] [--window 2]
                  [--queries 300] [--clients 1,4] [--seconds 2]
                  [--readers N] [--dir /tmp/balboard-bench-store]
                  [--binary $BALBOARD_BIN_DIR/balboard-store, by default
                   next to this program]
                  [--redis-server redis-server]
                  [--systems store,sqlite,redis]

    Batches are encoded before the clock starts, so the figures are the
    store's, not the encoder's.
    =========================================================================
*/
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bb_bench.h"
#include "bb_client.h"
#include "bb_scratch.h"
#include "bb_port.h"
#include "bb_wire.h"
#include "bench_agents.h"
#include "bench_pages.h"
#include "bench_redis.h"
#include "bench_sqlite.h"

extern char **environ;

#define BATCH_AGENTS        100
#define UPSERT_AGENTS       5000
#define START_TIMEOUT_MS    60000
#define CLIENT_TIMEOUT_MS   600000
#define BTC_USD_MICRO       60000000000LL
#define STX_USD_MICRO       2000000LL
#define NS_MAX              16
#define CLIENT_COUNTS_MAX   4
#define ARGS_MAX            16
#define PATH_SIZE           1024
#define OFFSETS             5
#define SQLITE_SECONDS      2       // time a SQLite latency takes, at most
                                    // (or 3 pages after 1 to warm up)
#define SQLITE_FULL_N       10000   // above it SQLite takes the light path
                                    // and the alternatives' loads are timed
                                    // over their last agents
#define TIMED_SHARE_PCT     10      // those agents, % of n
#define SYSTEM_STORE        1
#define SYSTEM_SQLITE       2
#define SYSTEM_REDIS        4

//  The offsets of the latency measurements, as shares of n; the first
//  and the last are those of the pages/s.
static const double s_offsets [OFFSETS] = { 0, 0.25, 0.5, 0.75, 0.9 };

typedef struct {
    long ns [NS_MAX];           // agent counts to run
    size_t n_count;
    int dealers;                // concurrent DEALER sockets
    int window;                 // batches in flight per DEALER
    int queries;                // pages per latency measurement
    long clients [CLIENT_COUNTS_MAX];   // client counts of pages/s
    size_t client_count;
    int seconds;                // length of each pages/s measurement
    const char *readers;        // the store's --readers, NULL: its default
    const char *dir;            // scratch data directory
    char binary [PATH_SIZE];    // balboard-store
    const char *redis_server;   // redis-server program
    int systems;                // SYSTEM_STORE | SYSTEM_SQLITE | ...
} options_t;

typedef struct {
    pid_t pid;
    char ingest [64];
    char query [64];
    char events [64];           // nobody listens: only so that the store
                                // never tries the default port
} store_t;

//  ===========================================================================
//  Helpers

static double
s_now_s (void)
{
    return (double) zclock_usecs () / 1e6;
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
        "--events-bind", store->events, "--log-level", "warn", NULL
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
    if (bb_scratch_remove (options->dir))
        return -1;
    if (bb_port_free_endpoint (store->ingest, sizeof store->ingest) < 0
    ||  bb_port_free_endpoint (store->query, sizeof store->query) < 0
    ||  bb_port_free_endpoint (store->events, sizeof store->events) < 0
    ||  strcmp (store->ingest, store->query) == 0)
        return -1;
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
        bench_agent_t *made = calloc (count, sizeof *made);
        for (size_t i = 0; i < count; i++) {
            bench_agents_get ((unsigned) (first + (long) i), 1, &made [i]);
            balboard__agent__init (&agents [i]);
            agents [i].stx_address = made [i].stx;
            agents [i].btc_address = made [i].btc;
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
        free (made);
    }
    printf ("  register       %ld agents in %.2f s\n", n,
            s_now_s () - started);
    bb_client_destroy (&client);
}

//  One agent's result at pass: its Hiro tokens (stx, sBTC, ALEX) and
//  mempool.space's btc-l1, pointing into agent and the arrays given.
typedef struct {
    Balboard__AgentResult result;
    Balboard__SourceResult sources [2];
    Balboard__SourceResult *source_p [2];
    Balboard__TokenBalance balances [BENCH_AGENTS_TOKENS];
    Balboard__TokenBalance *hiro_p [3];
    Balboard__TokenBalance *mempool_p [1];
    char amounts [BENCH_AGENTS_TOKENS][32];
    bench_agent_t agent;
} result_t;

static void
s_result (result_t *r, unsigned index, unsigned pass,
          uint64_t captured_at_ms)
{
    bench_agents_get (index, pass, &r->agent);
    for (int t = 0; t < BENCH_AGENTS_TOKENS; t++) {
        snprintf (r->amounts [t], sizeof r->amounts [t], "%llu",
                  r->agent.amount [t]);
        balboard__token_balance__init (&r->balances [t]);
        r->balances [t].token_id = (char *) r->agent.token_id [t];
        r->balances [t].amount = r->amounts [t];
    }
    for (int t = 0; t < 3; t++)
        r->hiro_p [t] = &r->balances [t];
    r->mempool_p [0] = &r->balances [3];
    for (int s = 0; s < 2; s++) {
        balboard__source_result__init (&r->sources [s]);
        r->sources [s].status = BALBOARD__FETCH_STATUS__FETCH_OK;
        r->source_p [s] = &r->sources [s];
    }
    r->sources [0].upstream = BALBOARD__UPSTREAM__UPSTREAM_HIRO;
    r->sources [0].n_balances = 3;
    r->sources [0].balances = r->hiro_p;
    r->sources [1].upstream = BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL;
    r->sources [1].n_balances = 1;
    r->sources [1].balances = r->mempool_p;
    balboard__agent_result__init (&r->result);
    r->result.stx_address = r->agent.stx;
    r->result.captured_at_ms = captured_at_ms;
    r->result.n_sources = 2;
    r->result.sources = r->source_p;
}

//  Encode the batches of one pass: agents in key order, BATCH_AGENTS a
//  batch, 4 rows an agent.
static zframe_t **
s_encode_pass (long n, unsigned pass, uint64_t captured_at_ms, size_t *count)
{
    *count = (size_t) ((n + BATCH_AGENTS - 1) / BATCH_AGENTS);
    zframe_t **frames = calloc (*count, sizeof *frames);
    result_t *results = calloc (BATCH_AGENTS, sizeof *results);
    for (size_t b = 0; b < *count; b++) {
        Balboard__BalanceBatch batch = BALBOARD__BALANCE_BATCH__INIT;
        Balboard__AgentResult *agent_p [BATCH_AGENTS];
        char job [32];
        snprintf (job, sizeof job, "%u.%zu", pass, b);
        batch.job_id = job;
        batch.rotation = pass;
        batch.chunk_index = (uint32_t) b;
        batch.rotation_agents = (uint32_t) n;
        size_t used = 0;
        for (long i = (long) b * BATCH_AGENTS;
             i < n && used < BATCH_AGENTS; i++, used++) {
            s_result (&results [used], (unsigned) i, pass, captured_at_ms);
            agent_p [used] = &results [used].result;
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
    free (results);
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
            bb_wire_msg_t msg = { 0 };
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
//  Pages

//  The store as a page source: a bb_client on its query socket.
static void *
s_store_open (void *system)
{
    const store_t *store = system;
    return bb_client_new (store->query, CLIENT_TIMEOUT_MS);
}

static int
s_store_page (void *connection, int64_t offset)
{
    bb_client_t *client = connection;
    bb_envelope_t *reply;
    int rc = bb_client_dashboard (client, offset, BENCH_PAGES_LIMIT, &reply);
    bool full = rc == 0
             && reply->dashboard_page->n_rows == BENCH_PAGES_LIMIT;
    bb_wire_envelope_destroy (&reply);
    if (!full)
        fprintf (stderr, "dashboard: %s\n", rc ? bb_client_reason (client)
                                               : "short page");
    return full ? 0 : -1;
}

static void
s_store_close (void **connection_p)
{
    bb_client_destroy ((bb_client_t **) connection_p);
}

static bench_pages_source_t
s_store_source (store_t *store)
{
    return (bench_pages_source_t) { s_store_open, s_store_page,
                                    s_store_close, store };
}

//  Page latency of system at every offset share (only the first and the
//  last if ends_only: then, from one page each, one client's pages/s
//  too), max_seconds at most for each.
static void
s_latency (const bench_pages_source_t *source, const char *system, long n,
           int queries, double max_seconds, bool ends_only)
{
    for (int o = 0; o < OFFSETS; o++) {
        if (ends_only && o > 0 && o < OFFSETS - 1)
            continue;
        int64_t offset = (int64_t) ((double) n * s_offsets [o]);
        double p50, p99;
        if (bench_pages_latency (source, offset, queries, max_seconds, &p50,
                                 &p99)) {
            fprintf (stderr, "bench_store: %s pages failed\n", system);
            return;
        }
        printf ("  %-14s page @%-8lld p50 %9.0f us  p99 %9.0f us\n", system,
                (long long) offset, p50, p99);
        bb_bench_figure (p50, "p50.%s.%ld.%g", system, n, s_offsets [o]);
        bb_bench_figure (p99, "p99.%s.%ld.%g", system, n, s_offsets [o]);
        if (ends_only && queries == 1)
            bb_bench_figure (1e6 / p50, "rate.%s.%ld.c1.%g", system, n,
                             s_offsets [o]);
    }
}

//  Pages/s of system with each client count at offsets 0 and 0.9n.
static void
s_rates (const options_t *options, const bench_pages_source_t *source,
         const char *system, long n)
{
    for (size_t c = 0; c < options->client_count; c++) {
        int clients = (int) options->clients [c];
        double at [2];
        for (int o = 0; o < 2; o++) {
            double share = o ? s_offsets [OFFSETS - 1] : 0;
            at [o] = bench_pages_rate (source, clients,
                                       (int64_t) ((double) n * share),
                                       options->seconds);
            bb_bench_figure (at [o], "rate.%s.%ld.c%d.%g", system, n,
                             clients, share);
        }
        printf ("  %-14s %d client%s: %9.1f pages/s @0  %9.1f pages/s "
                "@0.9n\n", system, clients, clients > 1 ? "s" : " ",
                at [0], at [1]);
    }
}

//  Revalue everyone: a new snapshot, then time to the first page.
static void
s_revalue (const store_t *store, uint64_t priced_at_ms, int64_t stx_price,
           long n)
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
    if (bb_client_dashboard (out, 0, BENCH_PAGES_LIMIT, &reply))
        fprintf (stderr, "dashboard: %s\n", bb_client_reason (out));
    bb_wire_envelope_destroy (&reply);
    double ms = (s_now_s () - started) * 1000;
    printf ("  store          revalue %.0f ms (snapshot commit + re-rank + "
            "1 page)\n", ms);
    bb_bench_figure (ms, "revalue_ms.store.%ld", n);
    bb_client_destroy (&in);
    bb_client_destroy (&out);
}

//  Pages at random offsets until told to stop, beside an ingest pass.
typedef struct {
    store_t *store;
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
    bench_pages_source_t source = s_store_source (load->store);
    void *client = source.open (source.system);
    unsigned seed = 7;
    while (!atomic_load (&load->stop) && load->count < load->capacity) {
        long pages = load->n > BENCH_PAGES_LIMIT
                   ? load->n - BENCH_PAGES_LIMIT + 1 : 1;
        int64_t offset = (int64_t) (rand_r (&seed) % (unsigned) pages);
        int64_t started = zclock_usecs ();
        source.page (client, offset);
        load->samples [load->count++] = (double) (zclock_usecs () - started);
    }
    source.close (&client);
    return NULL;
}

//  The second pass, every amount but ALEX changed, pages asked beside it
//  at random offsets (a full rotation committing under queries).
static void
s_update_under_pages (const options_t *options, store_t *store, long n,
                      uint64_t captured_at_ms)
{
    size_t count;
    zframe_t **frames = s_encode_pass (n, 2, captured_at_ms, &count);
    load_t load = { store, n, false, NULL, 0, 1000000 };
    load.samples = calloc (load.capacity, sizeof *load.samples);
    pthread_t thread;
    pthread_create (&thread, NULL, s_query_load, &load);
    double seconds;
    uint64_t rows = s_stream (store, frames, count, options, &seconds);
    atomic_store (&load.stop, true);
    pthread_join (thread, NULL);
    s_free_frames (frames, count);
    double p50 = bb_bench_percentile (load.samples, load.count, 50),
           p99 = bb_bench_percentile (load.samples, load.count, 99);
    printf ("  store          update %llu rows in %.2f s: %.0f rows/s "
            "durable; %zu pages beside it p50 %.0f us p99 %.0f us\n",
            (unsigned long long) rows, seconds, (double) rows / seconds,
            load.count, p50, p99);
    bb_bench_figure ((double) rows / seconds, "ingest.store_update.%ld", n);
    bb_bench_figure (p50, "under_ingest_p50.store.%ld", n);
    bb_bench_figure (p99, "under_ingest_p99.store.%ld", n);
    free (load.samples);
}

//  The store's memory and what its data takes on disk.
static void
s_store_usage (const options_t *options, store_t *store, long n)
{
    rss_t rss = s_rss (store->pid);
    long long disk = bb_bench_disk_bytes (options->dir);
    bb_client_t *client = bb_client_new (store->query, CLIENT_TIMEOUT_MS);
    bb_envelope_t *reply;
    printf ("  store          RSS %ld MiB (peak %ld MiB; heap %ld MiB, "
            "mapped LMDB pages %ld MiB), %lld MiB on disk\n", rss.rss / 1024,
            rss.hwm / 1024, rss.anon / 1024, rss.file / 1024, disk >> 20);
    if (bb_client_stats (client, &reply) == 0) {
        printf ("  store          map %llu MiB used of %llu MiB, %llu balance "
                "rows, %llu history rows\n",
                (unsigned long long) reply->store_stats->map_used >> 20,
                (unsigned long long) reply->store_stats->map_size >> 20,
                (unsigned long long) reply->store_stats->balance_rows,
                (unsigned long long) reply->store_stats->history_rows);
        bb_wire_envelope_destroy (&reply);
    }
    bb_client_destroy (&client);
    bb_bench_figure ((double) rss.rss, "rss_kb.store.%ld", n);
    bb_bench_figure ((double) disk, "disk_bytes.store.%ld", n);
}

//  ===========================================================================
//  The three leaderboards

//  The store: both passes, pages, then pages/s with and without cache.
static void
s_run_store (const options_t *options, long n)
{
    store_t store;
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
    printf ("  store          ingest %llu rows in %.2f s: %.0f rows/s "
            "durable (%zu batches, %d dealers x %d)\n",
            (unsigned long long) rows, seconds, (double) rows / seconds,
            count, options->dealers, options->window);
    bb_bench_figure ((double) rows / seconds, "ingest.store.%ld", n);
    s_revalue (&store, now, STX_USD_MICRO, n);
    bench_pages_source_t source = s_store_source (&store);
    s_latency (&source, "store", n, options->queries, 60, false);
    s_update_under_pages (options, &store, n, now + 1);
    s_revalue (&store, now + 1, STX_USD_MICRO, n);
    s_store_usage (options, &store, n);
    s_rates (options, &source, "store_cache", n);
    s_store_stop (&store);
    if (s_store_launch (options, &store, "0")) {
        fprintf (stderr, "bench_store: the store did not restart\n");
        return;
    }
    s_latency (&source, "store_nocache", n, options->queries, 60, false);
    s_rates (options, &source, "store_nocache", n);
    s_store_stop (&store);
}

//  SQLite's pages: up to SQLITE_FULL_N agents as the others' (latency at
//  every offset, pages/s of each client count); above it a page takes
//  seconds, so one page at offsets 0 and 0.9n gives the latency and one
//  client's pages/s (1 / latency), or SQLite would take most of the
//  benchmark's time.
static void
s_sqlite_pages (const options_t *options, bench_sqlite_t *sqlite, long n)
{
    bench_pages_source_t source = bench_sqlite_source (sqlite);
    bool light = n > SQLITE_FULL_N;
    s_latency (&source, "sqlite", n, light ? 1 : options->queries,
               SQLITE_SECONDS, light);
    if (!light) {
        s_rates (options, &source, "sqlite", n);
        return;
    }
    for (int o = 0; o < OFFSETS; o += OFFSETS - 1) {
        double p50, p99;
        int64_t offset = (int64_t) ((double) n * s_offsets [o]);
        if (bench_pages_latency (&source, offset, 1, 0, &p50, &p99) == 0)
            bb_bench_figure (1e6 / p50, "rate.sqlite.%ld.c1.%g", n,
                             s_offsets [o]);
    }
}

//  Agents each timed load of SQLite and Redis writes at n: all of them
//  up to SQLITE_FULL_N agents (for Redis half, once per appendfsync
//  policy); above it the last TIMED_SHARE_PCT percent, into a database
//  that already holds the others (prefilled untimed, nothing fsynced
//  per write), so that a load of a million agents takes seconds, not
//  minutes, and still writes into a database of that size.
static long
s_timed_agents (long n, int loads)
{
    return n > SQLITE_FULL_N ? n * TIMED_SHARE_PCT / 100 : n / loads;
}

//  SQLite: up to SQLITE_FULL_N the two passes, both timed; above it the
//  second pass only (the same latest rows, no older ones to skip, if
//  anything in SQLite's favour), its last agents timed. One transaction
//  per batch, then the same pages.
static void
s_run_sqlite (const options_t *options, long n)
{
    char dir [PATH_SIZE + 16];
    snprintf (dir, sizeof dir, "%s-sqlite", options->dir);
    bench_sqlite_t *sqlite = bench_sqlite_new (dir);
    if (!sqlite)
        return;
    uint64_t now = (uint64_t) zclock_time ();
    bool one_pass = n > SQLITE_FULL_N;
    long first = n - s_timed_agents (n, 1);
    if (first > 0 && bench_sqlite_prefill (sqlite, first, 2, now + 2)) {
        bench_sqlite_destroy (&sqlite);
        return;
    }
    for (unsigned pass = one_pass ? 2 : 1; pass <= 2; pass++) {
        double seconds;
        long rows = bench_sqlite_ingest (sqlite, first, n, pass, now + pass,
                                         BATCH_AGENTS, &seconds);
        printf ("  sqlite         pass %u: %ld rows in %.2f s: %.0f rows/s "
                "durable (a transaction per %d agents, agents %ld..%ld)\n",
                pass, rows, seconds, (double) rows / seconds, BATCH_AGENTS,
                first, n - 1);
        bb_bench_figure ((double) rows / seconds, "ingest.%s.%ld",
                         pass == 1 || one_pass ? "sqlite" : "sqlite_update",
                         n);
    }
    long long disk = bench_sqlite_disk_bytes (sqlite);
    bb_bench_figure ((double) disk, "disk_bytes.sqlite.%ld", n);
    s_sqlite_pages (options, sqlite, n);
    printf ("  sqlite         %lld MiB on disk, SQLite's heap peak %ld MiB "
            "(in this process)\n", disk >> 20,
            bench_sqlite_memory_kb () / 1024);
    bench_sqlite_destroy (&sqlite);
}

//  Redis, one server loaded with the second pass: the agents before the
//  timed ones prefilled with appendfsync no, then the next timed share
//  with appendfsync always, the last with everysec; then the pages.
static void
s_run_redis (const options_t *options, long n)
{
    char dir [PATH_SIZE + 16];
    snprintf (dir, sizeof dir, "%s-redis", options->dir);
    bench_redis_t *redis = bench_redis_new (options->redis_server, dir, "no");
    if (!redis)
        return;
    const char *policies [2] = { "always", "everysec" };
    long timed = s_timed_agents (n, 2);
    long first = n - 2 * timed;
    if (first > 0)
        bench_redis_fill (redis, 0, first, 2, options->dealers);
    for (int p = 0; p < 2; p++, first += timed) {
        long last = p ? n : first + timed;
        double seconds = bench_redis_appendfsync (redis, policies [p]) == 0
                       ? bench_redis_fill (redis, first, last, 2,
                                           options->dealers) : -1;
        double rows = (double) (last - first) * BENCH_AGENTS_TOKENS;
        printf ("  redis %-8s ingest %.0f rows in %.2f s: %.0f rows/s (%d "
                "connections, appendfsync %s, agents %ld..%ld)\n",
                policies [p], rows, seconds, rows / seconds,
                options->dealers, policies [p], first, last - 1);
        bb_bench_figure (seconds > 0 ? rows / seconds : 0,
                         "ingest.redis_%s.%ld", policies [p], n);
    }
    bench_pages_source_t source = bench_redis_source (redis);
    s_latency (&source, "redis", n, options->queries, 60, false);
    s_rates (options, &source, "redis", n);
    long rss = bench_redis_rss_kb (redis);
    long long disk = bench_redis_disk_bytes (redis);
    printf ("  redis          RSS %ld MiB, %lld MiB on disk\n", rss / 1024,
            disk >> 20);
    bb_bench_figure ((double) rss, "rss_kb.redis.%ld", n);
    bb_bench_figure ((double) disk, "disk_bytes.redis.%ld", n);
    bench_redis_destroy (&redis);
}

//  ===========================================================================

//  A comma-separated list of positive numbers into list (at most max).
static size_t
s_parse_list (const char *text, long *list, size_t max)
{
    size_t count = 0;
    for (const char *at = text; *at && count < max; ) {
        char *end;
        long value = strtol (at, &end, 10);
        if (value > 0)
            list [count++] = value;
        at = *end == ',' ? end + 1 : end + (*end != '\0');
    }
    return count;
}

static int
s_parse (int argc, char **argv, options_t *options)
{
    *options = (options_t) {
        { 10000, 100000, 1000000 }, 3, 8, 2, 300, { 1, 4 }, 2, 2, NULL,
        "/tmp/balboard-bench-store", "", "redis-server",
        SYSTEM_STORE | SYSTEM_SQLITE | SYSTEM_REDIS
    };
    bb_bench_bin_dir ();
    snprintf (options->binary, sizeof options->binary, "%s/balboard-store",
              getenv ("BALBOARD_BIN_DIR"));
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *flag = argv [i], *value = argv [i + 1];
        if (strcmp (flag, "--n") == 0)
            options->n_count = s_parse_list (value, options->ns, NS_MAX);
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
            options->client_count = s_parse_list (value, options->clients,
                                                  CLIENT_COUNTS_MAX);
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
        if (strcmp (flag, "--systems") == 0)
            options->systems = (strstr (value, "store") ? SYSTEM_STORE : 0)
                             | (strstr (value, "sqlite") ? SYSTEM_SQLITE : 0)
                             | (strstr (value, "redis") ? SYSTEM_REDIS : 0);
        else
        if (strcmp (flag, "--binary") == 0)
            snprintf (options->binary, sizeof options->binary, "%s", value);
        else
            return -1;
    }
    bool clients_ok = true;
    for (size_t c = 0; c < options->client_count; c++)
        clients_ok &= options->clients [c] <= BENCH_PAGES_CLIENTS_MAX;
    return argc % 2 == 1 && options->dealers > 0 && options->window > 0
        && options->queries > 0 && clients_ok && options->seconds > 0
        && options->n_count > 0 && options->systems ? 0 : -1;
}

int
main (int argc, char **argv)
{
    options_t options;
    if (s_parse (argc, argv, &options)) {
        fprintf (stderr, "usage: bench_store [--n 10000,100000,1000000] "
                 "[--dealers 8] [--window 2] [--queries 300] [--clients 1,4] "
                 "[--seconds 2] [--readers N] [--dir PATH] [--binary PATH] "
                 "[--redis-server PROGRAM] [--systems store,sqlite,redis]"
                 "\n");
        return 64;
    }
    zsys_init ();
    printf ("bench_store: %s, %d dealers x %d batches in flight, "
            "%d agents a batch, 4 rows an agent\n", options.binary,
            options.dealers, options.window, BATCH_AGENTS);
    for (size_t i = 0; i < options.n_count; i++) {
        long n = options.ns [i];
        printf ("n = %ld agents\n", n);
        if (options.systems & SYSTEM_STORE)
            s_run_store (&options, n);
        if (options.systems & SYSTEM_SQLITE)
            s_run_sqlite (&options, n);
        if (options.systems & SYSTEM_REDIS)
            s_run_redis (&options, n);
        fflush (stdout);
    }
    return 0;
}
