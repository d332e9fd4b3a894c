/*  bench_rotation - rotation time against fetcher count, and the share of
    an upstream budget a rotation uses

    Runs the whole system on loopback for each fetcher count (1, 2, 4):
    balboard-mock-upstream with 100 ms added latency, balboard-store,
    balboard-scheduler and N balboard-fetcher, imports the mock's sample
    agents and times two rotations (the scheduler's own figure,
    last_rotation_ms): the first, which also learns token metadata, and
    the second, the steady state. Prints per count both times, agents per
    second, the speed-up over one fetcher and the ratio to the ideal
    agents / (N x lane concurrency / latency): each agent is one Hiro and
    one mempool.space request, on lanes of LANE requests each.

    Then, with a budget: Hiro and mempool.space at BUDGET_RPM requests per
    minute held over BUDGET_WINDOW_MS windows (the mock limiting each host
    to exactly that), four fetchers: the rotation time, the Hiro requests
    the mock served as a share of what the budget allowed over that time,
    and the mock's 429 count (0 expected).

    Every figure is also printed as "figure <name> <value>" for
    scripts/bench.sh: rotation.first_ms|steady_ms|ideal_ms.<fetchers>,
    budget.rotation_ms, budget.requests, budget.allowed, budget.share_pct,
    budget.429s.

    Usage: bench_rotation [agents [budget_agents]]   (default 2000, and
    the same for the budget run; agents 0 runs the budget run alone)
    The binaries are taken from BALBOARD_BIN_DIR, else from the directory
    of this program. Build Release for meaningful figures.
    =========================================================================
*/
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <czmq.h>
#include <jansson.h>

#include "bb_client.h"
#include "bb_mockdata.h"
#include "bb_mock_process.h"
#include "bb_bench.h"
#include "bench_world.h"
#include "bb_http_exchange.h"
#include "bb_child.h"
#include "bb_clock.h"

#define AGENTS_DEFAULT      2000        // 20 chunks: whole rounds of 4
#define LATENCY_MS          "100"
#define LATENCY_S           0.1
#define LANE                20          // concurrent requests per lane
#define LANE_TEXT           "20"
#define CHUNK_TEXT          "100"
#define BUDGET_FETCHERS     4
#define BUDGET_RPM          3000        // = 500 per 10 s window
#define BUDGET_RPM_TEXT     "3000"
#define BUDGET_WINDOW_MS    10000
#define BUDGET_WINDOW_TEXT  "10000"
#define BUDGET_PER_WINDOW   "500"
#define HTTP_MS             5000
#define ROTATION_MS         600000

//  A world of agents and fetchers, the mock at LATENCY_MS (plus
//  mock_extra), the scheduler in chunks of CHUNK_TEXT (plus
//  scheduler_extra), every fetcher's lanes LANE wide.
static void
s_world_start (bench_world_t *world, unsigned agents, size_t fetchers,
               const char *const *mock_extra,
               const char *const *scheduler_extra)
{
    const char *mock_args [12] = { "--latency-ms", LATENCY_MS };
    bb_child_args_append (mock_args, 12, mock_extra);
    const char *scheduler_args [12] = { "--chunk-size", CHUNK_TEXT };
    bb_child_args_append (scheduler_args, 12, scheduler_extra);
    const char *fetcher_env [] = {
        "BALBOARD_HIRO_CONCURRENCY=" LANE_TEXT,
        "BALBOARD_MEMPOOL_CONCURRENCY=" LANE_TEXT, NULL
    };
    bench_world_start (world, &(bench_world_options_t) {
        .name = "bench_rotation", .agents = agents, .fetchers = fetchers,
        .mock_args = mock_args, .scheduler_args = scheduler_args,
        .fetcher_env = fetcher_env });
}

//  Resume, tick, and time the first rotation (token metadata still to
//  learn) into *first_ms; tick again and time the second (steady state:
//  every contract known) into *steady_ms.
static void
s_rotations (bench_world_t *world, uint64_t *first_ms, uint64_t *steady_ms)
{
    bench_world_command (world, BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME);
    bench_world_command (world, BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK);
    *first_ms = bench_world_wait_rotations (world, 1, ROTATION_MS);
    bench_world_command (world, BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK);
    *steady_ms = bench_world_wait_rotations (world, 2, ROTATION_MS);
}

//  The mock's /__mock/stats (caller json_decrefs).
static json_t *
s_mock_stats (bench_world_t *world)
{
    json_t *stats = bb_mock_process_stats (world->mock, HTTP_MS);
    bb_bench_require (stats != NULL, "reading the mock's stats");
    return stats;
}

//  Hiro requests the mock served: balances (v1, v3) and token metadata.
static long
s_hiro_requests (json_t *stats)
{
    json_t *by_endpoint = json_object_get (json_object_get (stats,
                                                            "requests"),
                                           "by_endpoint");
    const char *names [] = { "hiro_v1", "hiro_v3_stx", "hiro_v3_ft",
                             "metadata" };
    long requests = 0;
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++)
        requests += (long) json_integer_value (json_object_get (by_endpoint,
                                                                names [i]));
    return requests;
}

static void
s_scaling (unsigned agents)
{
    printf ("bench_rotation: %u agents, mock latency %s ms, chunk %s, "
            "lanes Hiro %d / mempool %d per fetcher, no budget\n",
            agents, LATENCY_MS, CHUNK_TEXT, LANE, LANE);
    printf ("first = the first rotation (token metadata to learn), steady "
            "= the second; ideal = agents / (fetchers x lane / latency)\n");
    printf ("%-9s %9s %10s %10s %9s %9s %10s %10s\n", "fetchers",
            "first_ms", "steady_ms", "agents/s", "speed-up", "ideal_ms",
            "first/id", "steady/id");
    const size_t counts [] = { 1, 2, 4 };
    double one = 0;
    for (size_t c = 0; c < sizeof counts / sizeof counts [0]; c++) {
        bench_world_t world;
        s_world_start (&world, agents, counts [c], NULL, NULL);
        uint64_t first, steady;
        s_rotations (&world, &first, &steady);
        bench_world_stop (&world);
        double ideal = agents / (counts [c] * LANE / LATENCY_S) * 1000;
        if (c == 0)
            one = (double) steady;
        bb_bench_figure ((double) first, "rotation.first_ms.%zu", counts [c]);
        bb_bench_figure ((double) steady, "rotation.steady_ms.%zu",
                         counts [c]);
        bb_bench_figure (ideal, "rotation.ideal_ms.%zu", counts [c]);
        printf ("%-9zu %9llu %10llu %10.0f %9.2f %9.0f %10.2f %10.2f\n",
                counts [c], (unsigned long long) first,
                (unsigned long long) steady,
                agents * 1000.0 / (double) steady, one / (double) steady,
                ideal, (double) first / ideal, (double) steady / ideal);
        fflush (stdout);
    }
}

static void
s_budget (unsigned agents)
{
    const char *mock_limit [] = {
        "--rate-limit-per-minute", BUDGET_PER_WINDOW,
        "--rate-limit-window-ms", BUDGET_WINDOW_TEXT, NULL
    };
    const char *budget [] = {
        "--hiro-rpm", BUDGET_RPM_TEXT, "--mempool-rpm", BUDGET_RPM_TEXT,
        "--budget-window-ms", BUDGET_WINDOW_TEXT, NULL
    };
    bench_world_t world;
    s_world_start (&world, agents, BUDGET_FETCHERS, mock_limit, budget);
    bench_world_command (&world, BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME);
    bench_world_command (&world, BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK);
    uint64_t ms = bench_world_wait_rotations (&world, 1, ROTATION_MS);
    json_t *stats = s_mock_stats (&world);
    long hiro = s_hiro_requests (stats);
    long limited = (long) json_integer_value (json_object_get (
        stats, "rate_limited"));
    json_decref (stats);
    bench_world_stop (&world);
    double allowed = BUDGET_RPM * (double) ms / 60000.0;
    printf ("bench_rotation: budget Hiro and mempool.space %d/min held over "
            "%d ms windows (the mock limits each host to that), %d "
            "fetchers\n", BUDGET_RPM, BUDGET_WINDOW_MS, BUDGET_FETCHERS);
    printf ("rotation %llu ms, Hiro requests %ld of %.0f allowed: %.1f%% of "
            "the budget, 429s %ld\n", (unsigned long long) ms, hiro,
            allowed, 100.0 * hiro / allowed, limited);
    bb_bench_figure ((double) ms, "budget.rotation_ms");
    bb_bench_figure ((double) hiro, "budget.requests");
    bb_bench_figure (allowed, "budget.allowed");
    bb_bench_figure (100.0 * hiro / allowed, "budget.share_pct");
    bb_bench_figure ((double) limited, "budget.429s");
}

int
main (int argc, char **argv)
{
    unsigned agents = argc > 1 ? (unsigned) atoi (argv [1]) : AGENTS_DEFAULT;
    unsigned budget_agents = argc > 2 ? (unsigned) atoi (argv [2]) : agents;
    bb_bench_require (budget_agents > 0, "reading the agent counts");
    bb_bench_bin_dir ();
    curl_global_init (CURL_GLOBAL_DEFAULT);
    if (agents > 0)
        s_scaling (agents);
    s_budget (budget_agents);
    curl_global_cleanup ();
    return EXIT_SUCCESS;
}
