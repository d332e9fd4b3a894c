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
    "server in each run, the same for the fetcher's HTTP engine alone and\n" \
    "bare libcurl (the floor), the fetcher's RSS after 1 and 50 jobs, and req/s\n" \
    "with 100 ms added latency. Needs wrk in\n" \
    "PATH; binaries from BALBOARD_BIN_DIR, else this program's\n" \
    "directory. Build Release for meaningful figures.\n"

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
} bench_t;

//  What one run against a server measured.
typedef struct {
    double fetcher_rate, wrk_rate;  // req/s
    double fetcher_us, wrk_us;      // CPU per request of each
    double engine_rate, engine_us;  // the fetcher's HTTP engine alone's
    double libcurl_rate, libcurl_us;    // bare libcurl's
    double server_us, server_wrk_us;    // the server's, in each run
    double server_share, server_wrk_share;  // its cores, in each run
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

//  Run the load generator argv until it exits, serving the scheduler side
//  meanwhile (the fetcher stays connected: the side keeps heartbeating);
//  returns the Requests/sec it wrote to output (wrk's line), the server's
//  CPU seconds meanwhile in *server_cpu and the generator's own in
//  *load_cpu. what names the generator in a failure.
static double
s_load (bench_t *bench, const char *const argv [], const char *output,
        double *server_cpu, double *load_cpu, const char *what)
{
    cpu_t before = s_cpu (bench);
    double children = s_children_cpu ();
    bb_child_t *load = bb_child_new (argv, NULL);
    bb_bench_require (load != NULL, what);
    while (bb_child_running (load))
        bb_fake_scheduler_serve (bench->side, HEARTBEAT_MS / 10);
    int code = bb_child_wait (load, STOP_MS);
    bb_child_destroy (&load);
    *server_cpu = s_cpu (bench).server - before.server;
    *load_cpu = s_children_cpu () - children;
    FILE *file = fopen (output, "r");
    bb_bench_require (file != NULL, what);
    char line [512];
    double rate = 0;
    while (fgets (line, sizeof line, file))
        if (strncmp (line, "Requests/sec:", 13) == 0)
            rate = strtod (line + 13, NULL);
    fclose (file);
    unlink (output);
    bb_bench_require (code == 0 && rate > 0, what);
    return rate;
}

//  A temporary file for a load generator's report, in output.
static void
s_output_file (char *output)
{
    int fd = mkstemp (output);
    bb_bench_require (fd >= 0, "mkstemp");
    close (fd);
}

//  wrk's Requests/sec on url with CONCURRENCY connections from one thread,
//  as the fetcher runs all its requests on one; CPU as s_load.
static double
s_wrk (bench_t *bench, const char *url, double *server_cpu, double *wrk_cpu)
{
    char output [] = "/tmp/bench_fetcher_wrk_XXXXXX";
    s_output_file (output);
    char script [512];
    snprintf (script, sizeof script, "exec wrk -t1 -c" CONCURRENCY_TEXT
              " -d" WRK_SECONDS "s '%s' > '%s' 2>&1", url, output);
    const char *argv [] = { "/bin/sh", "-c", script, NULL };
    return s_load (bench, argv, output, server_cpu, wrk_cpu,
                   "wrk (is it installed?)");
}

//  A client of bench_transport (this program run with --transport-client
//  engine|libcurl) on url with CONCURRENCY requests in flight; CPU as
//  s_load.
static double
s_transport (bench_t *bench, const char *client, const char *url,
             double *server_cpu, double *transport_cpu)
{
    char output [] = "/tmp/bench_fetcher_transport_XXXXXX";
    s_output_file (output);
    const char *argv [] = { "/proc/self/exe", "--transport-client", client,
                            url, CONCURRENCY_TEXT, WRK_SECONDS, output,
                            NULL };
    return s_load (bench, argv, output, server_cpu, transport_cpu, client);
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
    pair->fetcher_rate = (double) requests / seconds;
    pair->fetcher_us = (after.fetcher - before.fetcher) * 1e6
                     / (double) requests;
    pair->server_us = (after.server - before.server) * 1e6
                    / (double) requests;
    pair->server_share = (after.server - before.server) / seconds;
    double server_cpu, wrk_cpu;
    pair->wrk_rate = s_wrk (bench, url, &server_cpu, &wrk_cpu);
    double wrk_requests = pair->wrk_rate * atof (WRK_SECONDS);
    pair->wrk_us = wrk_cpu * 1e6 / wrk_requests;
    pair->server_wrk_us = server_cpu * 1e6 / wrk_requests;
    pair->server_wrk_share = server_cpu / atof (WRK_SECONDS);
    double engine_cpu, libcurl_cpu;
    pair->engine_rate = s_transport (bench, "engine", url, &server_cpu,
                                     &engine_cpu);
    pair->engine_us = engine_cpu * 1e6
                    / (pair->engine_rate * atof (WRK_SECONDS));
    pair->libcurl_rate = s_transport (bench, "libcurl", url, &server_cpu,
                                      &libcurl_cpu);
    pair->libcurl_us = libcurl_cpu * 1e6
                     / (pair->libcurl_rate * atof (WRK_SECONDS));
}

//  Print pair, measured against server (its figures named name).
static void
s_pair_print (const pair_t *pair, const char *server, const char *name)
{
    printf ("%-9s fetcher %.0f req/s   wrk %.0f req/s (-t1 -c%d, Hiro "
            "balances)   ratio %.2f\n", server, pair->fetcher_rate,
            pair->wrk_rate, CONCURRENCY, pair->fetcher_rate / pair->wrk_rate);
    printf ("%-9s CPU per request: fetcher %.1f us, wrk %.1f us; %s %.1f us "
            "(%.0f%% of a core) in the fetcher's run, %.1f us (%.0f%% of a "
            "core) in wrk's\n", "", pair->fetcher_us, pair->wrk_us, name,
            pair->server_us, pair->server_share * 100, pair->server_wrk_us,
            pair->server_wrk_share * 100);
    printf ("%-9s floor, no parsing or store: the fetcher's HTTP engine "
            "alone %.0f req/s (ratio %.2f, %.1f us), bare libcurl %.0f req/s "
            "(ratio %.2f, %.1f us)\n", "", pair->engine_rate,
            pair->engine_rate / pair->wrk_rate, pair->engine_us,
            pair->libcurl_rate, pair->libcurl_rate / pair->wrk_rate,
            pair->libcurl_us);
    bb_bench_figure (pair->fetcher_rate, "fetcher.%s.fetcher_rps", name);
    bb_bench_figure (pair->wrk_rate, "fetcher.%s.wrk_rps", name);
    bb_bench_figure (pair->engine_rate, "fetcher.%s.engine_rps", name);
    bb_bench_figure (pair->engine_us, "fetcher.%s.engine_cpu_us", name);
    bb_bench_figure (pair->libcurl_rate, "fetcher.%s.libcurl_rps", name);
    bb_bench_figure (pair->libcurl_us, "fetcher.%s.libcurl_cpu_us", name);
    bb_bench_figure (pair->fetcher_us, "fetcher.%s.fetcher_cpu_us", name);
    bb_bench_figure (pair->wrk_us, "fetcher.%s.wrk_cpu_us", name);
    bb_bench_figure (pair->server_us, "fetcher.%s.server_cpu_us", name);
    bb_bench_figure (pair->server_wrk_us, "fetcher.%s.server_wrk_cpu_us",
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
    if (argc > 6 && strcmp (argv [1], "--transport-client") == 0)
        return bench_transport_run (strcmp (argv [2], "engine") == 0
                                    ? BENCH_TRANSPORT_ENGINE
                                    : BENCH_TRANSPORT_LIBCURL,
                                    argv [3], atoi (argv [4]),
                                    atoi (argv [5]), argv [6]);
    size_t agents = argc > 1 ? (size_t) atol (argv [1]) : AGENTS_DEFAULT;
    bb_bench_require (agents >= WARMUP_AGENTS && agents <= 10000,
               "agents in 200..10000");
    bb_bench_bin_dir ();
    bench_t bench = { 0 };
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
