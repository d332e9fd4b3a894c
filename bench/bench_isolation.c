/*  bench_isolation - a mempool.space 429 storm stays at mempool.space

    Runs the whole system on loopback: balboard-mock-upstream (LATENCY_MS
    added latency), balboard-store, balboard-scheduler ticking every
    TICK_MS, FETCHERS balboard-fetcher, and the mock's first N sample
    agents. After two healthy rotations, the mock answers every
    mempool.space request with its 429 (an HTML page, no Retry-After) for
    the storm's length, then heals. Prints:

      - the rotation time, healthy and during the storm (each rotation's
        figure as the scheduler measured it), and the rotations completed;
      - the requests sent to mempool.space per minute during the storm,
        in all and per window of WINDOW_S seconds, with the scheduler's
        backoff step at the end of each window;
      - the time to heal: from the end of the storm until no agent of the
        dashboard shows "partial" (every mempool.space row fresh again).

    Usage: bench_isolation [agents [storm_s [backoff_ms [backoff_max_ms]]]]
    (defaults 1000, 60, 2000, 30000: the scheduler's --rate-limit-backoff-ms
    and --rate-limit-backoff-max-ms; production defaults are 10 s and
    10 min, which take longer to show). The binaries are taken from
    BALBOARD_BIN_DIR, else from the directory of this program.
    =========================================================================
*/
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <czmq.h>
#include <jansson.h>

#include "bb_bench.h"
#include "bb_child.h"
#include "bb_client.h"
#include "bb_clock.h"
#include "bb_mock_process.h"
#include "bench_world.h"

#define AGENTS_DEFAULT      1000
#define STORM_S_DEFAULT     60
#define BACKOFF_DEFAULT     "2000"
#define BACKOFF_MAX_DEFAULT "30000"
#define FETCHERS            2
#define LATENCY_MS          "20"
#define TICK_MS             "2000"
#define CHUNK_TEXT          "100"
#define WINDOW_S            10
#define PAGE_LIMIT          500
#define HTTP_MS             5000
#define WAIT_MS             600000
#define POLL_MS             100
#define MS_PER_S            1000
#define MEMPOOL             1           // UpstreamHealth index

static long
s_mempool_requests (bench_world_t *world)
{
    return (long) bb_mock_process_count (world->mock, HTTP_MS, "requests",
                                         "by_endpoint", "mempool", NULL);
}

//  Agents the dashboard shows "partial" (a source's rows stale).
static unsigned
s_partial (bench_world_t *world, unsigned agents)
{
    unsigned partial = 0;
    for (int64_t offset = 0; offset < agents; offset += PAGE_LIMIT) {
        bb_envelope_t *reply = NULL;
        bb_bench_require (bb_client_dashboard (world->query_client, offset,
                                               PAGE_LIMIT, &reply) == 0,
                          "a dashboard page");
        const Balboard__DashboardPage *page = reply->dashboard_page;
        for (size_t i = 0; i < page->n_rows; i++)
            partial += page->rows [i]->fetch_state
                    == BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PARTIAL;
        bb_wire_envelope_destroy (&reply);
    }
    return partial;
}

//  The storm: windows of WINDOW_S, mempool.space requests per minute in
//  each and in all; the rotations that completed meanwhile.
static void
s_storm (bench_world_t *world, unsigned storm_s)
{
    bb_bench_require (bb_mock_process_control (world->mock,
        "{\"faults\": [{\"endpoint\": \"mempool\", \"kind\": \"429\", "
        "\"count\": 0}]}", HTTP_MS) == 0, "the storm");
    uint64_t last_ms;
    uint64_t rotations = bench_world_rotations (world, &last_ms);
    long start = s_mempool_requests (world);
    long before = start;
    printf ("storm: mempool.space answers 429 (HTML, no Retry-After) for "
            "%u s\n", storm_s);
    printf ("%-8s %14s %14s %12s %10s\n", "window", "mempool_req",
            "mempool_req/min", "backoff_ms", "rotations");
    for (unsigned at = 0; at < storm_s; at += WINDOW_S) {
        bb_clock_sleep_ms (WINDOW_S * MS_PER_S);
        long now = s_mempool_requests (world);
        bb_envelope_t *reply = NULL;
        Balboard__SchedulerStatus *status = bb_bench_scheduler (
            world->control_client,
            BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS, &reply);
        printf ("%3u-%-4u %14ld %14.1f %12llu %10llu\n", at, at + WINDOW_S,
                now - before, (now - before) * 60.0 / WINDOW_S,
                (unsigned long long) status->upstreams [MEMPOOL]->backoff_ms,
                (unsigned long long) (status->rotations_completed
                                      - rotations));
        bb_wire_envelope_destroy (&reply);
        before = now;
        fflush (stdout);
    }
    uint64_t completed = bench_world_rotations (world, &last_ms) - rotations;
    printf ("storm: %llu rotations completed, the last in %llu ms; "
            "mempool.space %.1f requests/min (%ld in %u s)\n",
            (unsigned long long) completed, (unsigned long long) last_ms,
            (before - start) * 60.0 / storm_s, before - start, storm_s);
}

//  The end of the storm: time until no agent is partial.
static void
s_heal (bench_world_t *world, unsigned agents)
{
    bb_bench_require (bb_mock_process_control (world->mock,
                                               "{\"faults\": []}",
                                               HTTP_MS) == 0,
                      "the end of the storm");
    int64_t healed = bb_clock_mono_ms ();
    unsigned partial;
    while ((partial = s_partial (world, agents)) > 0) {
        bb_bench_require (bb_clock_mono_ms () - healed < WAIT_MS,
                          "waiting for the stale rows to clear");
        bb_clock_sleep_ms (POLL_MS);
    }
    printf ("heal: every agent fresh %lld ms after the storm ended\n",
            (long long) (bb_clock_mono_ms () - healed));
}

int
main (int argc, char **argv)
{
    unsigned agents = argc > 1 ? (unsigned) atoi (argv [1]) : AGENTS_DEFAULT;
    unsigned storm_s = argc > 2 ? (unsigned) atoi (argv [2])
                                : STORM_S_DEFAULT;
    const char *backoff = argc > 3 ? argv [3] : BACKOFF_DEFAULT;
    const char *backoff_max = argc > 4 ? argv [4] : BACKOFF_MAX_DEFAULT;
    bb_bench_require (agents > 0 && storm_s > 0, "reading the arguments");
    bb_bench_bin_dir ();
    curl_global_init (CURL_GLOBAL_DEFAULT);
    const char *scheduler_args [] = {
        "--chunk-size", CHUNK_TEXT, "--alarm-active-ms", TICK_MS,
        "--alarm-idle-ms", TICK_MS, "--rate-limit-backoff-ms", backoff,
        "--rate-limit-backoff-max-ms", backoff_max, NULL
    };
    const char *mock_args [] = { "--latency-ms", LATENCY_MS, NULL };
    bench_world_t world;
    bench_world_start (&world, &(bench_world_options_t) {
        .name = "bench_isolation", .agents = agents, .fetchers = FETCHERS,
        .mock_args = mock_args, .scheduler_args = scheduler_args });
    printf ("bench_isolation: %u agents, chunk %s, %d fetchers, mock "
            "latency %s ms, tick %s ms, backoff %s..%s ms\n", agents,
            CHUNK_TEXT, FETCHERS, LATENCY_MS, TICK_MS, backoff, backoff_max);
    bench_world_command (&world, BALBOARD__SCHEDULER_CONTROL__COMMAND__RESUME);
    bench_world_command (&world, BALBOARD__SCHEDULER_CONTROL__COMMAND__TICK);
    bench_world_wait_rotations (&world, 1, WAIT_MS);
    uint64_t healthy_ms = bench_world_wait_rotations (&world, 2, WAIT_MS);
    printf ("healthy: rotation %llu ms\n", (unsigned long long) healthy_ms);
    fflush (stdout);
    s_storm (&world, storm_s);
    s_heal (&world, agents);
    bench_world_stop (&world);
    curl_global_cleanup ();
    return EXIT_SUCCESS;
}
