/*  bench_fetcher - requests per second of one balboard-fetcher against
    balboard-mock-upstream on loopback, and against a constant upstream

    Starts the mock and one fetcher (Hiro and mempool lanes of CONCURRENCY
    / 2 each), plays the scheduler and the store with
    bb_test_scheduler_side, and times whole jobs from ChunkJob to
    JobReport (every agent is one Hiro and one mempool request; the
    report's counts give the request count). Prints:

      1. no added latency, against the mock: the fetcher's req/s next to
         wrk's on the Hiro balances endpoint with as many connections
         on as many threads (one),
         and their ratio (what the fetcher's work per request costs: JSON
         parsing, batching, the store exchange);
      2. the CPU each request costs the fetcher, wrk and the server (user
         + system, from /proc and getrusage) in each one's run: the
         server's share tells whether it is the limit;
      2b. the floor: the same endpoint and connections through the
         fetcher's HTTP engine alone and through bare libcurl
         (bench_transport, this program run with --transport-client), no
         parsing or store: what any libcurl fetcher could do here;
      3. the same pair and CPU against a constant upstream
         (bench_constant, this program run with --constant-upstream: one
         epoll thread, fixed bodies), the cheapest server, since on 2
         cores the mock (a thread per connection) is the limit of both;
      4. the fetcher's RSS after one job and after RSS_JOBS jobs of
         WARMUP_AGENTS agents (it should stay flat);
      5. 100 ms added latency: the fetcher's req/s against the ideal
         CONCURRENCY / 0.1 s = 500 req/s, and its CPU per request when
         most connections wait.

    Usage: bench_fetcher [agents]   (default 4000; wrk must be in PATH)
    The binaries are taken from BALBOARD_BIN_DIR, else from the directory
    of this program. Build Release for meaningful figures.
    =========================================================================
*/
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <czmq.h>
#include <jansson.h>

#include "bb_bench.h"
#include "bb_mockdata.h"
#include "bb_child.h"
#include "bb_mock_process.h"
#include "bb_port.h"
#include "bb_fake_scheduler.h"
#include "bench_constant.h"
#include "bench_transport.h"
#include "bb_wrk.h"

#define CONCURRENCY         50          // fetcher total = wrk connections
#define CONCURRENCY_TEXT    "50"
#define LANE_TEXT           "25"        // half each to Hiro and mempool
#define LATENCY_MS          100
#define AGENTS_DEFAULT      4000
#define WARMUP_AGENTS       200         // fills the token cache, connects
#define RSS_JOBS            50          // jobs before the second RSS
#define WRK_SECONDS         "5"
#define START_MS            10000
#define STOP_MS             10000
#define HTTP_MS             10000
#define JOB_DEADLINE_MS     600000
#define HEARTBEAT_MS        1000
#define USAGE \
    "Usage: bench_fetcher [agents]\n" \
    "  agents: per timed job, 200..10000 (default 4000)\n" \
    "Prints the fetcher's req/s next to wrk's (-t1 -c50) on the mock and on a\n" \
    "constant upstream, the CPU per request of the fetcher, wrk and the\n" \
    "server in each run, the same for the fetcher's HTTP engine alone\n" \
    "and bare libcurl (the floor), the fetcher's RSS after 1 and 50 jobs,\n" \
    "and req/s with 100 ms added latency. Needs wrk in PATH; binaries\n" \
    "from BALBOARD_BIN_DIR, else this program's directory. Build Release\n" \
    "for meaningful figures.\n"

//  CPU seconds used so far by the fetcher and by the server it asks.
typedef struct {
    double fetcher;
    double server;
} cpu_t;

typedef struct {
    bb_mock_process_t *mock;
    bb_child_t *fetcher;
    pid_t server;                   // the upstream the fetcher asks
    bb_fake_scheduler_t *side;
    char jobs [64], ingest [64];    // the side's endpoints
    Balboard__Agent *agents;        // the job's agents
    Balboard__Agent **pointers;
    bb_mock_agent_t *samples;
    size_t count;
    char self_path [PATH_MAX];      // this program, for its client modes
} bench_t;

//  What one run of the fetcher or a load generator measured: its req/s,
//  its CPU per request, and the server's CPU per request and share of a
//  core meanwhile.
typedef struct {
    double rate;
    double us;
    double server_us;
    double server_share;
} load_t;

//  What one run against a server measured.
typedef struct {
    load_t fetcher;                 // a job of every agent
    load_t wrk;
    load_t engine;                  // the fetcher's HTTP engine alone
    load_t libcurl;                 // bare libcurl
} pair_t;

static cpu_t
s_cpu (bench_t *bench)
{
    return (cpu_t) {
        .fetcher = bb_bench_cpu_seconds (bb_child_pid (bench->fetcher)),
        .server = bb_bench_cpu_seconds (bench->server)
    };
}

//  CPU seconds of the children reaped so far.
static double
s_children_cpu (void)
{
    struct rusage usage;
    getrusage (RUSAGE_CHILDREN, &usage);
    return (double) usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
         + (double) usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

//  Start a fetcher asking the upstreams at urls, served by server.
static void
s_fetcher_start (bench_t *bench, const bb_mock_urls_t *urls, pid_t server)
{
    char *fetcher = bb_child_bin_path ("balboard-fetcher");
    const char *fetcher_argv [] = {
        fetcher, "--scheduler-jobs", bench->jobs,
        "--store-ingest", bench->ingest,
        "--hiro-base", urls->hiro, "--mempool-base", urls->mempool,
        "--price-url", urls->price, "--hiro-concurrency", LANE_TEXT,
        "--mempool-concurrency", LANE_TEXT, "--log-level", "warn", NULL
    };
    bench->fetcher = bb_child_new (fetcher_argv, NULL);
    bench->server = server;
    bb_bench_require (bench->fetcher != NULL
               && bb_fake_scheduler_wait_ready (bench->side, START_MS)
                  == 0, "starting balboard-fetcher");
    free (fetcher);
}

static void
s_fetcher_stop (bench_t *bench)
{
    bb_bench_require (bb_child_stop (bench->fetcher, SIGTERM, STOP_MS) == 0,
                      "stopping the fetcher");
    bb_child_destroy (&bench->fetcher);
}

//  The mock, the scheduler side and a fetcher asking the mock.
static void
s_start (bench_t *bench)
{
    const char *mock_args [] = { "--log-level", "error", NULL };
    bench->mock = bb_mock_process_new (mock_args, START_MS);
    bb_bench_require (bench->mock != NULL, "starting balboard-mock-upstream");
    bench->side = bb_fake_scheduler_new_on_free_ports (bench->jobs,
                                                       bench->ingest,
                                                       sizeof bench->jobs,
                                                       HEARTBEAT_MS);
    bb_bench_require (bench->side != NULL, "binding the scheduler side");
    bb_mock_urls_t urls;
    bb_mock_process_urls (bench->mock, &urls);
    s_fetcher_start (bench, &urls,
                     bb_child_pid (bb_mock_process_child (bench->mock)));
}

static void
s_agents (bench_t *bench, size_t count)
{
    bench->count = count;
    bench->agents = calloc (count, sizeof bench->agents [0]);
    bench->pointers = calloc (count, sizeof bench->pointers [0]);
    bench->samples = calloc (count, sizeof bench->samples [0]);
    bb_bench_require (bench->agents && bench->pointers && bench->samples, "calloc");
    for (size_t index = 0; index < count; index++) {
        bb_mockdata_agent ((unsigned) index, &bench->samples [index]);
        balboard__agent__init (&bench->agents [index]);
        bench->agents [index].stx_address = bench->samples [index].stx_address;
        bench->agents [index].btc_address = bench->samples [index].btc_address;
        bench->pointers [index] = &bench->agents [index];
    }
}

//  Run one job of the first count agents; returns the seconds it took
//  and the upstream requests it made in *requests.
static double
s_job (bench_t *bench, const char *job_id, size_t count, long *requests)
{
    Balboard__ChunkJob job = BALBOARD__CHUNK_JOB__INIT;
    job.job_id = (char *) job_id;
    job.attempt = 1;
    job.deadline_ms = (uint64_t) zclock_time () + JOB_DEADLINE_MS;
    job.agents = bench->pointers;
    job.n_agents = count;
    int64_t start = zclock_usecs ();
    bb_bench_require (bb_fake_scheduler_send_job (bench->side, &job) == 0,
               "sending a job");
    bb_envelope_t *report = bb_fake_scheduler_wait_report (
        bench->side, JOB_DEADLINE_MS);
    int64_t end = zclock_usecs ();
    bb_bench_require (report != NULL, "waiting for the job report");
    bb_bench_require (report->job_report->agents_ok == count, "every agent ok");
    *requests = 0;
    for (size_t i = 0; i < report->job_report->n_upstreams; i++)
        *requests += report->job_report->upstreams [i]->requests;
    bb_wire_envelope_destroy (&report);
    bb_envelope_t *batch;
    while ((batch = bb_fake_scheduler_take_batch (bench->side)))
        bb_wire_envelope_destroy (&batch);
    return (double) (end - start) / 1e6;
}

//  Run load (a bb_wrk run, consumed) until it ends, serving the scheduler
//  side meanwhile: the fetcher stays connected, the side keeps
//  heartbeating.
static load_t
s_load (bench_t *bench, bb_wrk_t *load)
{
    cpu_t before = s_cpu (bench);
    double children = s_children_cpu ();
    while (bb_wrk_running (load))
        bb_fake_scheduler_serve (bench->side, HEARTBEAT_MS / 10);
    load_t measured = { .rate = bb_wrk_finish (&load, STOP_MS, NULL) };
    double requests = measured.rate * atof (WRK_SECONDS);
    double server = s_cpu (bench).server - before.server;
    measured.us = (s_children_cpu () - children) * 1e6 / requests;
    measured.server_us = server * 1e6 / requests;
    measured.server_share = server / atof (WRK_SECONDS);
    return measured;
}

//  wrk on url with CONCURRENCY connections from one thread, as the
//  fetcher runs all its requests on one.
static load_t
s_wrk (bench_t *bench, const char *url)
{
    return s_load (bench, bb_wrk_new ("-t1 -c" CONCURRENCY_TEXT
                                      " -d" WRK_SECONDS "s", url));
}

//  A client of bench_transport (this program run with --transport-client
//  engine|libcurl) on url with CONCURRENCY requests in flight.
static load_t
s_transport (bench_t *bench, const char *client, const char *url)
{
    char command [BB_MOCK_PROCESS_URL_SIZE + PATH_MAX + 128];
    snprintf (command, sizeof command, "'%s' --transport-client %s '%s' "
              CONCURRENCY_TEXT " " WRK_SECONDS, bench->self_path, client,
              url);
    return s_load (bench, bb_wrk_new_command (client, command));
}

//  The fetcher's RSS after one job and after RSS_JOBS, every job of the
//  first WARMUP_AGENTS agents.
static void
s_rss (bench_t *bench)
{
    pid_t fetcher = bb_child_pid (bench->fetcher);
    long requests;
    s_job (bench, "rss-1", WARMUP_AGENTS, &requests);
    long first = bb_bench_rss_kb (fetcher);
    for (int job = 2; job <= RSS_JOBS; job++) {
        char job_id [32];
        snprintf (job_id, sizeof job_id, "rss-%d", job);
        s_job (bench, job_id, WARMUP_AGENTS, &requests);
    }
    long last = bb_bench_rss_kb (fetcher);
    bb_bench_require (first > 0 && last > 0, "reading the fetcher's VmRSS");
    printf ("fetcher RSS:       %.1f MiB after 1 job, %.1f MiB after %d "
            "jobs of %d agents (%+.1f MiB)\n", first / 1024.0,
            last / 1024.0, RSS_JOBS, WARMUP_AGENTS,
            (last - first) / 1024.0);
    bb_bench_figure ((double) first, "fetcher.rss_kb.1");
    bb_bench_figure ((double) last, "fetcher.rss_kb.%d", RSS_JOBS);
}

//  Time a job of every agent and wrk on url (the same server), with the
//  CPU each costs per request, into *pair.
static void
s_pair (bench_t *bench, const char *url, pair_t *pair)
{
    long requests;
    cpu_t before = s_cpu (bench);
    double seconds = s_job (bench, "fast", bench->count, &requests);
    cpu_t after = s_cpu (bench);
    pair->fetcher = (load_t) {
        .rate = (double) requests / seconds,
        .us = (after.fetcher - before.fetcher) * 1e6 / (double) requests,
        .server_us = (after.server - before.server) * 1e6
                   / (double) requests,
        .server_share = (after.server - before.server) / seconds
    };
    pair->wrk = s_wrk (bench, url);
    pair->engine = s_transport (bench, "engine", url);
    pair->libcurl = s_transport (bench, "libcurl", url);
}

//  Print pair, measured against server (its figures named name).
static void
s_pair_print (const pair_t *pair, const char *server, const char *name)
{
    double wrk = pair->wrk.rate;
    printf ("%-9s fetcher %.0f req/s   wrk %.0f req/s (-t1 -c%d, Hiro "
            "balances)   ratio %.2f\n", server, pair->fetcher.rate, wrk,
            CONCURRENCY, pair->fetcher.rate / wrk);
    printf ("%-9s CPU per request: fetcher %.1f us, wrk %.1f us; %s %.1f us "
            "(%.0f%% of a core) in the fetcher's run, %.1f us (%.0f%% of a "
            "core) in wrk's\n", "", pair->fetcher.us, pair->wrk.us, name,
            pair->fetcher.server_us, pair->fetcher.server_share * 100,
            pair->wrk.server_us, pair->wrk.server_share * 100);
    printf ("%-9s floor, no parsing or store: the fetcher's HTTP engine "
            "alone %.0f req/s (ratio %.2f, %.1f us), bare libcurl %.0f req/s "
            "(ratio %.2f, %.1f us)\n", "", pair->engine.rate,
            pair->engine.rate / wrk, pair->engine.us, pair->libcurl.rate,
            pair->libcurl.rate / wrk, pair->libcurl.us);
    bb_bench_figure (pair->fetcher.rate, "fetcher.%s.fetcher_rps", name);
    bb_bench_figure (wrk, "fetcher.%s.wrk_rps", name);
    bb_bench_figure (pair->engine.rate, "fetcher.%s.engine_rps", name);
    bb_bench_figure (pair->engine.us, "fetcher.%s.engine_cpu_us", name);
    bb_bench_figure (pair->libcurl.rate, "fetcher.%s.libcurl_rps", name);
    bb_bench_figure (pair->libcurl.us, "fetcher.%s.libcurl_cpu_us", name);
    bb_bench_figure (pair->fetcher.us, "fetcher.%s.fetcher_cpu_us", name);
    bb_bench_figure (pair->wrk.us, "fetcher.%s.wrk_cpu_us", name);
    bb_bench_figure (pair->fetcher.server_us, "fetcher.%s.server_cpu_us",
                     name);
    bb_bench_figure (pair->wrk.server_us, "fetcher.%s.server_wrk_cpu_us",
                     name);
}

//  The fetcher against the mock, then a fetcher against the constant
//  upstream, each beside wrk.
static void
s_pairs (bench_t *bench)
{
    long requests;
    s_job (bench, "warmup", WARMUP_AGENTS, &requests);
    char url [BB_MOCK_PROCESS_URL_SIZE + 128];
    snprintf (url, sizeof url, "%s/extended/v1/address/%s/balances",
              bb_mock_process_base (bench->mock),
              bench->samples [0].stx_address);
    pair_t mock;
    s_pair (bench, url, &mock);
    s_pair_print (&mock, "mock:", "mock");

    int port = bb_port_free ();
    char port_text [16];
    snprintf (port_text, sizeof port_text, "%d", port);
    const char *argv [] = { "/proc/self/exe", "--constant-upstream",
                            port_text, NULL };
    bb_child_t *constant = bb_child_new (argv, NULL);
    bb_bench_require (constant != NULL
                      && bb_child_wait_port (constant, port, START_MS) == 0,
                      "starting the constant upstream");
    bb_mock_urls_t urls;
    snprintf (urls.hiro, sizeof urls.hiro, "http://127.0.0.1:%d", port);
    snprintf (urls.mempool, sizeof urls.mempool, "http://127.0.0.1:%d/api",
              port);
    snprintf (urls.price, sizeof urls.price,
              "http://127.0.0.1:%d/api/v3/simple/price", port);
    s_fetcher_stop (bench);
    s_fetcher_start (bench, &urls, bb_child_pid (constant));
    s_job (bench, "warmup-constant", WARMUP_AGENTS, &requests);
    snprintf (url, sizeof url, "%s/extended/v1/address/%s/balances",
              urls.hiro, bench->samples [0].stx_address);
    pair_t fixed;
    s_pair (bench, url, &fixed);
    s_pair_print (&fixed, "constant:", "constant");
    s_fetcher_stop (bench);
    bb_bench_require (bb_child_stop (constant, SIGTERM, STOP_MS) == 0,
                      "stopping the constant upstream");
    bb_child_destroy (&constant);
    bb_mock_process_urls (bench->mock, &urls);
    s_fetcher_start (bench, &urls,
                     bb_child_pid (bb_mock_process_child (bench->mock)));
}

int
main (int argc, char **argv)
{
    if (argc > 1 && (strcmp (argv [1], "--help") == 0
                 || strcmp (argv [1], "-h") == 0)) {
        fputs (USAGE, stdout);
        return EXIT_SUCCESS;
    }
    if (argc > 2 && strcmp (argv [1], "--constant-upstream") == 0)
        return bench_constant_serve (atoi (argv [2]));
    if (argc > 5 && strcmp (argv [1], "--transport-client") == 0)
        return bench_transport_run (strcmp (argv [2], "engine") == 0
                                    ? BENCH_TRANSPORT_ENGINE
                                    : BENCH_TRANSPORT_LIBCURL,
                                    argv [3], atoi (argv [4]),
                                    atoi (argv [5]));
    size_t agents = argc > 1 ? (size_t) atol (argv [1]) : AGENTS_DEFAULT;
    bb_bench_require (agents >= WARMUP_AGENTS && agents <= 10000,
               "agents in 200..10000");
    bb_bench_bin_dir ();
    bench_t bench = { 0 };
    ssize_t length = readlink ("/proc/self/exe", bench.self_path,
                               sizeof bench.self_path - 1);
    bb_bench_require (length > 0, "readlink /proc/self/exe");
    s_agents (&bench, agents);
    s_start (&bench);
    printf ("bench_fetcher: one fetcher, %d concurrent requests (Hiro %s + "
            "mempool %s), %zu agents per job, on loopback against the mock "
            "and a constant upstream\n",
            CONCURRENCY, LANE_TEXT, LANE_TEXT, agents);
    s_pairs (&bench);
    s_rss (&bench);

    char control [64];
    snprintf (control, sizeof control, "{\"latency_ms\": %d}", LATENCY_MS);
    bb_bench_require (bb_mock_process_control (bench.mock, control, HTTP_MS) == 0,
               "POST /__mock/control");
    size_t slow_agents = agents < 1500 ? agents : 1500;
    long requests;
    cpu_t before = s_cpu (&bench);
    double seconds = s_job (&bench, "slow", slow_agents, &requests);
    double cpu_us = (s_cpu (&bench).fetcher - before.fetcher) * 1e6
                  / (double) requests;
    double ideal = CONCURRENCY * 1000.0 / LATENCY_MS;
    printf ("%d ms latency:    fetcher %.0f req/s (%ld requests in %.2f s)"
            "   ideal %.0f req/s   ratio %.2f   CPU per request %.1f us\n",
            LATENCY_MS, (double) requests / seconds, requests, seconds,
            ideal, (double) requests / seconds / ideal, cpu_us);
    bb_bench_figure (cpu_us, "fetcher.latency.fetcher_cpu_us");

    s_fetcher_stop (&bench);
    bb_mock_process_end (&bench.mock, STOP_MS);
    bb_fake_scheduler_destroy (&bench.side);
    free (bench.agents);
    free (bench.pointers);
    free (bench.samples);
    return EXIT_SUCCESS;
}
