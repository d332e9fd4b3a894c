/*  bench_fetcher - requests per second of one balboard-fetcher against
    balboard-mock-upstream on loopback

    Starts the mock and one fetcher (Hiro and mempool lanes of CONCURRENCY
    / 2 each), plays the scheduler and the store with
    bb_test_scheduler_side, and times whole jobs from ChunkJob to
    JobReport (every agent is one Hiro and one mempool request; the
    mock's own counters give the request count). Prints:

      1. no added latency: the fetcher's req/s next to wrk's on the Hiro
         balances endpoint with as many connections, and their ratio
         (what the fetcher's work per request costs: JSON parsing,
         batching, the store exchange);
      2. the CPU each request costs the fetcher and the mock (user +
         system, from /proc) during the fetcher's run, and the mock's
         during wrk's: the mock's share tells whether it is the limit;
      3. the fetcher's RSS after one job and after RSS_JOBS jobs of
         WARMUP_AGENTS agents (it should stay flat);
      4. 100 ms added latency: the fetcher's req/s against the ideal
         CONCURRENCY / 0.1 s = 500 req/s.

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
#include <unistd.h>

#include <czmq.h>
#include <jansson.h>

#include "bb_bench.h"
#include "bb_mockdata.h"
#include "bb_child.h"
#include "bb_mock_process.h"
#include "bb_port.h"
#include "bb_fake_scheduler.h"

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
    "Prints the fetcher's req/s next to wrk's (-c50) on the mock, the CPU\n" \
    "per request of the fetcher and the mock, the fetcher's RSS after 1\n" \
    "and 50 jobs, and req/s with 100 ms added latency. Needs wrk in\n" \
    "PATH; binaries from BALBOARD_BIN_DIR, else this program's\n" \
    "directory. Build Release for meaningful figures.\n"

//  CPU seconds used so far by the fetcher and by the mock.
typedef struct {
    double fetcher;
    double mock;
} cpu_t;

typedef struct {
    bb_mock_process_t *mock;
    bb_child_t *fetcher;
    bb_fake_scheduler_t *side;
    Balboard__Agent *agents;        // the job's agents
    Balboard__Agent **pointers;
    bb_mock_agent_t *samples;
    size_t count;
} bench_t;

static long
s_mock_requests (bench_t *bench)
{
    long total = bb_mock_process_count (bench->mock, HTTP_MS, "requests",
                                        "total", NULL);
    bb_bench_require (total >= 0, "GET /__mock/stats");
    return total;
}

static cpu_t
s_cpu (bench_t *bench)
{
    pid_t mock = bb_child_pid (bb_mock_process_child (bench->mock));
    return (cpu_t) {
        .fetcher = bb_bench_cpu_seconds (bb_child_pid (bench->fetcher)),
        .mock = bb_bench_cpu_seconds (mock)
    };
}

static void
s_start (bench_t *bench)
{
    char *fetcher = bb_child_bin_path ("balboard-fetcher");
    const char *mock_args [] = { "--log-level", "error", NULL };
    bench->mock = bb_mock_process_new (mock_args, START_MS);
    bb_bench_require (bench->mock != NULL, "starting balboard-mock-upstream");
    bb_mock_urls_t urls;
    bb_mock_process_urls (bench->mock, &urls);

    char jobs [64], ingest [64];
    bench->side = bb_fake_scheduler_new_on_free_ports (jobs, ingest,
                                                       sizeof jobs,
                                                       HEARTBEAT_MS);
    bb_bench_require (bench->side != NULL, "binding the scheduler side");
    const char *fetcher_argv [] = {
        fetcher, "--scheduler-jobs", jobs, "--store-ingest", ingest,
        "--hiro-base", urls.hiro, "--mempool-base", urls.mempool,
        "--price-url", urls.price, "--hiro-concurrency", LANE_TEXT,
        "--mempool-concurrency", LANE_TEXT, "--log-level", "warn", NULL
    };
    bench->fetcher = bb_child_new (fetcher_argv, NULL);
    bb_bench_require (bench->fetcher != NULL
               && bb_fake_scheduler_wait_ready (bench->side, START_MS)
                  == 0, "starting balboard-fetcher");
    free (fetcher);
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
    long before = s_mock_requests (bench);
    int64_t start = zclock_usecs ();
    bb_bench_require (bb_fake_scheduler_send_job (bench->side, &job) == 0,
               "sending a job");
    bb_envelope_t *report = bb_fake_scheduler_wait_report (
        bench->side, JOB_DEADLINE_MS);
    int64_t end = zclock_usecs ();
    bb_bench_require (report != NULL, "waiting for the job report");
    bb_bench_require (report->job_report->agents_ok == count, "every agent ok");
    bb_wire_envelope_destroy (&report);
    bb_envelope_t *batch;
    while ((batch = bb_fake_scheduler_take_batch (bench->side)))
        bb_wire_envelope_destroy (&batch);
    *requests = s_mock_requests (bench) - before;
    return (double) (end - start) / 1e6;
}

//  wrk's Requests/sec on url with CONCURRENCY connections; the mock's
//  CPU seconds meanwhile in *mock_cpu. The fetcher stays connected
//  meanwhile: the scheduler side keeps heartbeating.
static double
s_wrk (bench_t *bench, const char *url, double *mock_cpu)
{
    char output [] = "/tmp/bench_fetcher_wrk_XXXXXX";
    int fd = mkstemp (output);
    bb_bench_require (fd >= 0, "mkstemp");
    close (fd);
    char script [512];
    snprintf (script, sizeof script, "exec wrk -t2 -c" CONCURRENCY_TEXT
              " -d" WRK_SECONDS "s '%s' > '%s' 2>&1", url, output);
    const char *argv [] = { "/bin/sh", "-c", script, NULL };
    cpu_t before = s_cpu (bench);
    bb_child_t *wrk = bb_child_new (argv, NULL);
    bb_bench_require (wrk != NULL, "running wrk");
    while (bb_child_running (wrk))
        bb_fake_scheduler_serve (bench->side, HEARTBEAT_MS / 10);
    int code = bb_child_wait (wrk, STOP_MS);
    bb_child_destroy (&wrk);
    *mock_cpu = s_cpu (bench).mock - before.mock;
    FILE *file = fopen (output, "r");
    bb_bench_require (file != NULL, "reading wrk's output");
    char line [512];
    double rate = 0;
    while (fgets (line, sizeof line, file))
        if (strncmp (line, "Requests/sec:", 13) == 0)
            rate = strtod (line + 13, NULL);
    fclose (file);
    unlink (output);
    bb_bench_require (code == 0 && rate > 0, "wrk (is it installed?)");
    return rate;
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

int
main (int argc, char **argv)
{
    if (argc > 1 && (strcmp (argv [1], "--help") == 0
                 || strcmp (argv [1], "-h") == 0)) {
        fputs (USAGE, stdout);
        return EXIT_SUCCESS;
    }
    size_t agents = argc > 1 ? (size_t) atol (argv [1]) : AGENTS_DEFAULT;
    bb_bench_require (agents >= WARMUP_AGENTS && agents <= 10000,
               "agents in 200..10000");
    bb_bench_bin_dir ();
    bench_t bench = { 0 };
    s_start (&bench);
    s_agents (&bench, agents);
    printf ("bench_fetcher: one fetcher, %d concurrent requests (Hiro %s + "
            "mempool %s), %zu agents per job, mock on loopback\n",
            CONCURRENCY, LANE_TEXT, LANE_TEXT, agents);

    long requests;
    s_job (&bench, "warmup", WARMUP_AGENTS, &requests);
    cpu_t before = s_cpu (&bench);
    double seconds = s_job (&bench, "fast", agents, &requests);
    cpu_t after = s_cpu (&bench);
    double fetcher_rate = (double) requests / seconds;
    char url [256];
    snprintf (url, sizeof url, "%s/extended/v1/address/%s/balances",
              bb_mock_process_base (bench.mock),
              bench.samples [0].stx_address);
    double wrk_mock_cpu;
    double wrk_rate = s_wrk (&bench, url, &wrk_mock_cpu);
    double wrk_requests = wrk_rate * atof (WRK_SECONDS);
    printf ("no added latency:  fetcher %.0f req/s (%ld requests in %.2f s)"
            "   wrk %.0f req/s (-c%d, Hiro balances)   ratio %.2f\n",
            fetcher_rate, requests, seconds, wrk_rate, CONCURRENCY,
            fetcher_rate / wrk_rate);
    double fetcher_us = (after.fetcher - before.fetcher) * 1e6
                      / (double) requests;
    double mock_us = (after.mock - before.mock) * 1e6 / (double) requests;
    printf ("CPU per request:   fetcher %.0f us, mock %.0f us (%.0f%% of a "
            "core) in the fetcher's run   mock %.0f us (%.0f%% of a core) "
            "in wrk's\n", fetcher_us, mock_us,
            (after.mock - before.mock) * 100 / seconds,
            wrk_mock_cpu * 1e6 / wrk_requests,
            wrk_mock_cpu * 100 / atof (WRK_SECONDS));
    bb_bench_figure (fetcher_us, "fetcher.cpu_us_per_request");
    bb_bench_figure (mock_us, "fetcher.mock_cpu_us_per_request");
    s_rss (&bench);

    char control [64];
    snprintf (control, sizeof control, "{\"latency_ms\": %d}", LATENCY_MS);
    bb_bench_require (bb_mock_process_control (bench.mock, control, HTTP_MS) == 0,
               "POST /__mock/control");
    size_t slow_agents = agents < 1500 ? agents : 1500;
    seconds = s_job (&bench, "slow", slow_agents, &requests);
    double ideal = CONCURRENCY * 1000.0 / LATENCY_MS;
    printf ("%d ms latency:    fetcher %.0f req/s (%ld requests in %.2f s)"
            "   ideal %.0f req/s   ratio %.2f\n", LATENCY_MS,
            (double) requests / seconds, requests, seconds, ideal,
            (double) requests / seconds / ideal);

    bb_bench_require (bb_child_stop (bench.fetcher, SIGTERM, STOP_MS) == 0,
               "stopping the fetcher");
    bb_mock_process_end (&bench.mock, STOP_MS);
    bb_child_destroy (&bench.fetcher);
    bb_fake_scheduler_destroy (&bench.side);
    free (bench.agents);
    free (bench.pointers);
    free (bench.samples);
    return EXIT_SUCCESS;
}
