/*  =========================================================================
    bench_gateway - requests per second of balboard-gateway under wrk

    Starts a real balboard-store, registers N agents (the mock's sample
    agents, bb_sample_agents), commits a balance batch for every one of
    them (BTC, STX, sBTC, 100 agents a batch, the first with a price
    snapshot as a fetcher sends one), so every page holds real rows and
    values, then starts two real balboard-gateways
    in front of it, one with its page cache (the default settings) and
    one without (--page-cache-ttl-ms 0), and runs wrk (-c50, 5 s each)
    against:

      1. /healthz, the gateway's cheapest constant answer: the HTTP
         stack's limit on this machine;
      2. cached: /api/dashboard on the caching gateway, every answer a
         200 from the page cache (a body hit: no store request, no
         rendering);
      3. cached: the same with If-None-Match naming the page's ETag,
         every answer a 304 from the cache;
      4. uncached: the 304 on the gateway without the cache (the store
         is asked, nothing is rendered);
      5. uncached: /api/dashboard?limit=100&offset=O on the gateway
         without the cache, O spread over the whole ranking by a wrk Lua
         script: every answer a 200 asked of the store and rendered;

    and prints each one's requests/s and its ratio to the first, side by
    side. Every wrk answer must be 200 or 304 (a run with others is a
    failure). The store's events go to both gateways on a port of their
    own; none come during the runs, so the cache's TTL (1 s) alone ends
    an entry: about one store request per second per page.

    Usage: bench_gateway [agents]   (default 10000; wrk must be in PATH)
    The binaries are taken from BALBOARD_BIN_DIR, else from the directory
    of this program. Build Release for meaningful figures.
    =========================================================================
*/
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bb_agent_batch.h"
#include "bb_bench.h"
#include "bb_wrk.h"
#include "bb_child.h"
#include "bb_client.h"
#include "bb_http_exchange.h"
#include "bb_mockdata.h"
#include "bb_sample_agents.h"

#define AGENTS_DEFAULT      10000
#define AGENTS_MAX          1000000
#define BATCH_AGENTS        100
#define PAGE_LIMIT          100
#define CONNECTIONS         "50"
#define WRK_THREADS         "2"
#define WRK_SECONDS         "5"
#define GATEWAY_THREADS     "4"
#define CACHE_TTL_MS        "1000"      // the gateway's default
#define START_MS            20000
#define STOP_MS             20000
#define CLIENT_MS           60000
#define HTTP_MS             10000
#define WRK_MS              60000       // catches a hung wrk only
#define ENDPOINT_SIZE       64
#define COMMAND_SIZE        1024
#define BTC_USD_MICRO       67187335894LL
#define STX_USD_MICRO       2500000LL
#define SBTC "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token::sbtc-token"

typedef struct {
    bb_child_t *store;
    bb_child_t *gateway;                // with its page cache
    bb_child_t *uncached;               // without
    bb_bench_store_t store_sockets;     // query, ingest, events
    char base [ENDPOINT_SIZE];          // http://127.0.0.1:port
    char uncached_base [ENDPOINT_SIZE];
    unsigned agents;
} bench_t;

//  ---------------------------------------------------------------------------
//  The store, filled

//  One agent's balances: STX and sBTC from Hiro, BTC from mempool.space;
//  amounts spread by index so the ranking is not flat.
typedef struct {
    bb_mock_agent_t sample;
    char amounts [3][32];
    bb_agent_batch_t batch;             // its agent result is sent
} agent_rows_t;

static void
s_agent_rows (agent_rows_t *rows, unsigned index, uint64_t captured_at_ms)
{
    unsigned long long spread = (index + 1ULL) * 2654435761ULL % 100000007ULL;
    bb_mockdata_agent (index, &rows->sample);
    snprintf (rows->amounts [0], 32, "%llu", spread * 1000);
    snprintf (rows->amounts [1], 32, "%llu", spread / 7 + 1);
    snprintf (rows->amounts [2], 32, "%llu", spread);
    bb_agent_batch_init (&rows->batch, "1", 0, rows->sample.stx_address,
                         captured_at_ms);
    bb_agent_batch_balance (&rows->batch, BB_AGENT_BATCH_HIRO, "stx",
                            rows->amounts [0]);
    bb_agent_batch_balance (&rows->batch, BB_AGENT_BATCH_HIRO, SBTC,
                            rows->amounts [1]);
    bb_agent_batch_balance (&rows->batch, BB_AGENT_BATCH_MEMPOOL, "btc-l1",
                            rows->amounts [2]);
}

//  Commit the rows of agents first..first+count-1, with prices (or NULL)
//  as a fetcher sends them.
static void
s_commit_batch (bb_client_t *ingest, unsigned first, unsigned count,
                uint64_t now_ms, Balboard__PriceSnapshot *prices)
{
    agent_rows_t rows [BATCH_AGENTS];
    Balboard__AgentResult *results [BATCH_AGENTS];
    for (unsigned index = 0; index < count; index++) {
        s_agent_rows (&rows [index], first + index, now_ms);
        results [index] = &rows [index].batch.agent;
    }
    char job [32];
    snprintf (job, sizeof job, "1.%u", first / BATCH_AGENTS);
    Balboard__BalanceBatch batch = BALBOARD__BALANCE_BATCH__INIT;
    batch.job_id = job;
    batch.rotation = 1;
    batch.chunk_index = first / BATCH_AGENTS;
    batch.n_agents = count;
    batch.agents = results;
    batch.prices = prices;
    bb_envelope_t *reply = NULL;
    bb_bench_require (bb_client_balance_batch (ingest, &batch, &reply) == 0,
                      "balance batch");
    bb_wire_envelope_destroy (&reply);
}

static void
s_fill (bench_t *bench)
{
    bb_client_t *ingest = bb_client_new (bench->store_sockets.ingest,
                                         CLIENT_MS);
    bb_bench_require (ingest != NULL, "ingest client");
    bb_bench_require (bb_sample_agents_upsert (ingest, 0, bench->agents,
                                               NULL) == 0, "agent upsert");
    uint64_t now_ms = (uint64_t) zclock_time ();
    Balboard__PriceSnapshot prices = BALBOARD__PRICE_SNAPSHOT__INIT;
    prices.btc_usd_micro = BTC_USD_MICRO;
    prices.stx_usd_micro = STX_USD_MICRO;
    prices.priced_at_ms = now_ms;
    for (unsigned first = 0; first < bench->agents; first += BATCH_AGENTS)
        s_commit_batch (ingest, first, bench->agents - first < BATCH_AGENTS
                                       ? bench->agents - first
                                       : BATCH_AGENTS, now_ms,
                        first ? NULL : &prices);
    bb_client_destroy (&ingest);
}

//  ---------------------------------------------------------------------------
//  The gateway and wrk

//  A gateway on the store whose pages live ttl_ms in its cache ("0":
//  none); its http://127.0.0.1:port into base (ENDPOINT_SIZE bytes).
static bb_child_t *
s_start_gateway (bench_t *bench, const char *ttl_ms, char *base)
{
    const char *args [] = {
        "--http-bind", "127.0.0.1:$PORT0",
        "--store-query", bench->store_sockets.query,
        "--store-events", bench->store_sockets.events,
        "--scheduler-control", "tcp://127.0.0.1:$PORT1",
        "--page-cache-ttl-ms", ttl_ms,
        "--threads", GATEWAY_THREADS, "--log-level", "warn", NULL
    };
    int ports [BB_CHILD_PORTS_MAX];
    bb_child_t *gateway = bb_bench_start ("balboard-gateway", args, NULL,
                                          START_MS, ports);
    snprintf (base, ENDPOINT_SIZE, "http://127.0.0.1:%d", ports [0]);
    return gateway;
}

//  The ETag of the first page, as served without gzip. Caller frees.
static char *
s_etag (const char *base)
{
    char url [ENDPOINT_SIZE + 32];
    snprintf (url, sizeof url, "%s/api/dashboard", base);
    bb_http_exchange_t *exchange = bb_http_exchange_get (url, NULL, HTTP_MS);
    bb_bench_require (bb_http_exchange_status (exchange) == 200,
                      "GET /api/dashboard");
    const char *etag = bb_http_exchange_header (exchange, "ETag");
    bb_bench_require (etag != NULL, "the page's ETag");
    char *copy = strdup (etag);
    bb_http_exchange_destroy (&exchange);
    return copy;
}

//  A wrk script asking for pages at offsets spread over agents rows.
//  Caller unlinks and frees the path.
static char *
s_offsets_script (unsigned agents)
{
    char *path = strdup ("/tmp/bench_gateway_lua_XXXXXX");
    int fd = mkstemp (path);
    bb_bench_require (fd >= 0, "mkstemp");
    FILE *file = fdopen (fd, "w");
    bb_bench_require (file != NULL, "fdopen");
    fprintf (file, "counter = 0\n"
             "request = function ()\n"
             "    counter = counter + 1\n"
             "    local offset = (counter * 7919) %% %u\n"
             "    return wrk.format (nil, \"/api/dashboard?limit=%d&offset=\""
             " .. offset)\n"
             "end\n", agents, PAGE_LIMIT);
    fclose (file);
    return path;
}

//  wrk's Requests/sec for url with extra (options, may be ""). Every
//  answer must be 2xx or 3xx.
static double
s_wrk (const char *url, const char *extra)
{
    char options [COMMAND_SIZE];
    snprintf (options, sizeof options, "-t" WRK_THREADS " -c" CONNECTIONS
              " -d" WRK_SECONDS "s %s", extra);
    bb_wrk_t *wrk = bb_wrk_new (options, url);
    bool others = false;
    double rate = bb_wrk_finish (&wrk, WRK_MS, &others);
    bb_bench_require (!others, "wrk: every answer 2xx or 3xx");
    return rate;
}

static void
s_report (const char *what, double rate, double constant)
{
    printf ("%-50s %8.0f req/s   %.2f x constant\n", what, rate,
            rate / constant);
}

int
main (int argc, char **argv)
{
    bench_t bench = { .agents = argc > 1 ? (unsigned) atol (argv [1])
                                         : AGENTS_DEFAULT };
    bb_bench_require (bench.agents >= PAGE_LIMIT && bench.agents <= AGENTS_MAX,
                      "agents in 100..1000000");
    bb_bench_bin_dir ();
    char dir [] = "/tmp/bench_gateway_XXXXXX";
    bb_bench_require (mkdtemp (dir) != NULL, "mkdtemp");
    bench.store = bb_bench_store_start (dir, &bench.store_sockets);
    int64_t started = zclock_mono ();
    s_fill (&bench);
    printf ("bench_gateway: %u agents with balances in the store (%.1f s); "
            "gateway with %s threads; wrk -t%s -c%s -d%ss\n", bench.agents,
            (double) (zclock_mono () - started) / 1000, GATEWAY_THREADS,
            WRK_THREADS, CONNECTIONS, WRK_SECONDS);
    bench.gateway = s_start_gateway (&bench, CACHE_TTL_MS, bench.base);
    bench.uncached = s_start_gateway (&bench, "0", bench.uncached_base);

    char url [ENDPOINT_SIZE + 32], header [256];
    snprintf (url, sizeof url, "%s/healthz", bench.base);
    double constant = s_wrk (url, "");
    printf ("%-50s %8.0f req/s\n", "constant  /healthz", constant);
    snprintf (url, sizeof url, "%s/api/dashboard", bench.base);
    double cached = s_wrk (url, "");
    s_report ("cached    /api/dashboard, body hit (200)", cached,
              constant);
    char *etag = s_etag (bench.base);
    snprintf (header, sizeof header, "-H 'If-None-Match: %s'", etag);
    double cached_304 = s_wrk (url, header);
    s_report ("cached    /api/dashboard, ETag hit (304)",
              cached_304, constant);
    snprintf (url, sizeof url, "%s/api/dashboard", bench.uncached_base);
    double uncached_304 = s_wrk (url, header);
    s_report ("uncached  /api/dashboard, ETag hit (304), no cache",
              uncached_304, constant);
    char *script = s_offsets_script (bench.agents);
    snprintf (header, sizeof header, "-s '%s'", script);
    double uncached = s_wrk (url, header);
    s_report ("uncached  /api/dashboard, offsets spread (200)",
              uncached, constant);

    unlink (script);
    free (script);
    free (etag);
    bb_bench_require (bb_child_stop (bench.gateway, SIGTERM, STOP_MS) == 0,
                      "stopping the gateway");
    bb_bench_require (bb_child_stop (bench.uncached, SIGTERM, STOP_MS) == 0,
                      "stopping the gateway without a cache");
    bb_bench_require (bb_child_stop (bench.store, SIGTERM, STOP_MS) == 0,
                      "stopping the store");
    bb_child_destroy (&bench.gateway);
    bb_child_destroy (&bench.uncached);
    bb_child_destroy (&bench.store);
    bb_bench_remove (dir);
    return EXIT_SUCCESS;
}
