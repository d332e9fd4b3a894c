/*  =========================================================================
    bench_world - a whole balboard on loopback, for the system benchmarks

    The scheduler starts paused on the store's own events socket; the
    world waits for every fetcher to be ready before it returns, so a
    benchmark's clock starts with RESUME, not with process start-up.
    =========================================================================
*/
#include "bench_world.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bb_bench.h"
#include "bb_clock.h"
#include "bb_sample_agents.h"

#define ARGS_MAX            40
#define START_MS            10000
#define STOP_MS             10000
#define CLIENT_MS           5000
#define POLL_MS             50

static void
s_endpoint (char *endpoint, int port)
{
    snprintf (endpoint, BB_BENCH_ENDPOINT_SIZE, "tcp://127.0.0.1:%d",
              port);
}

static void
s_start_mock (bench_world_t *world, const bench_world_options_t *options)
{
    char count [24];
    snprintf (count, sizeof count, "%u", options->agents);
    const char *args [ARGS_MAX] = {
        "--agents", count, "--log-level", "warn"
    };
    bb_child_args_append (args, ARGS_MAX, options->mock_args);
    world->mock = bb_mock_process_new (args, START_MS);
    bb_bench_require (world->mock != NULL, "balboard-mock-upstream");
}

static void
s_start_store (bench_world_t *world)
{
    char dir [BENCH_WORLD_PATH_SIZE + 16];
    snprintf (dir, sizeof dir, "%s/store", world->dir);
    world->store = bb_bench_store_start (dir, &world->store_sockets);
}

//  Paused, without budgets unless the benchmark's own flags set them.
static void
s_start_scheduler (bench_world_t *world,
                   const bench_world_options_t *options)
{
    char dir [BENCH_WORLD_PATH_SIZE + 16];
    snprintf (dir, sizeof dir, "%s/scheduler", world->dir);
    const char *args [ARGS_MAX] = {
        "--data-dir", dir, "--control-bind", "tcp://127.0.0.1:$PORT0",
        "--jobs-bind", "tcp://127.0.0.1:$PORT1",
        "--store-query", world->store_sockets.query,
        "--store-events", world->store_sockets.events,
        "--heartbeat-ms", "200", "--paused",
        "--log-level", "warn", "--hiro-rpm", "0", "--mempool-rpm", "0",
        "--price-rpm", "0"
    };
    bb_child_args_append (args, ARGS_MAX, options->scheduler_args);
    int ports [BB_CHILD_PORTS_MAX];
    world->scheduler = bb_bench_start ("balboard-scheduler", args, NULL,
                                       START_MS, ports);
    s_endpoint (world->control, ports [0]);
    s_endpoint (world->jobs, ports [1]);
}

static void
s_import (bench_world_t *world, unsigned agents)
{
    bb_client_t *ingest = bb_client_new (world->store_sockets.ingest,
                                         CLIENT_MS);
    bb_bench_require (bb_sample_agents_upsert (ingest, 0, agents, NULL) == 0,
                      "the agent import");
    bb_client_destroy (&ingest);
}

//  The fetchers, asking the mock; returns once the scheduler counts
//  every one ready.
static void
s_start_fetchers (bench_world_t *world,
                  const bench_world_options_t *options)
{
    bb_mock_fetcher_env_t fetcher;
    bb_mock_process_fetcher_env (world->mock, world->jobs,
                                 world->store_sockets.ingest,
                                 &fetcher);
    const char *env [ARGS_MAX] = {
        "BALBOARD_HEARTBEAT_MS=200", "BALBOARD_LOG_LEVEL=warn"
    };
    bb_child_args_append (env, ARGS_MAX, options->fetcher_env);
    bb_child_args_append (env, ARGS_MAX, fetcher.list);
    for (size_t i = 0; i < options->fetchers; i++) {
        bb_child_t *child = bb_child_start ("balboard-fetcher", NULL, env, 0,
                                            START_MS);
        bb_bench_require (child != NULL, "balboard-fetcher");
        world->fetchers [world->fetcher_count++] = child;
    }
    int64_t until = bb_clock_mono_ms () + START_MS;
    while (true) {
        bb_envelope_t *reply = NULL;
        size_t ready = bb_bench_scheduler (
            world->control_client,
            BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS, &reply)
            ->fetchers_ready;
        bb_wire_envelope_destroy (&reply);
        if (ready == options->fetchers)
            return;
        bb_bench_require (bb_clock_mono_ms () <= until,
                          "waiting for the fetchers");
        bb_clock_sleep_ms (POLL_MS);
    }
}

void
bench_world_start (bench_world_t *world,
                   const bench_world_options_t *options)
{
    static int worlds;
    bb_bench_require (options->fetchers <= BENCH_WORLD_FETCHERS_MAX,
                      "fetchers within BENCH_WORLD_FETCHERS_MAX");
    memset (world, 0, sizeof *world);
    snprintf (world->dir, sizeof world->dir, "/tmp/%s-%d-%d", options->name,
              (int) getpid (), worlds++);
    s_start_mock (world, options);
    s_start_store (world);
    s_start_scheduler (world, options);
    world->control_client = bb_client_new (world->control, CLIENT_MS);
    world->query_client = bb_client_new (world->store_sockets.query,
                                         CLIENT_MS);
    bb_bench_require (world->control_client && world->query_client,
                      "connecting the clients");
    s_import (world, options->agents);
    s_start_fetchers (world, options);
}

void
bench_world_stop (bench_world_t *world)
{
    bb_client_destroy (&world->control_client);
    bb_client_destroy (&world->query_client);
    for (size_t i = 0; i < world->fetcher_count; i++)
        bb_bench_stop (&world->fetchers [i], STOP_MS);
    world->fetcher_count = 0;
    bb_bench_stop (&world->scheduler, STOP_MS);
    bb_bench_stop (&world->store, STOP_MS);
    if (bb_mock_process_end (&world->mock, STOP_MS))
        fprintf (stderr, "bench_world: the mock did not stop cleanly\n");
    bb_bench_remove (world->dir);
}

void
bench_world_command (bench_world_t *world,
                     Balboard__SchedulerControl__Command command)
{
    bb_bench_scheduler (world->control_client, command, NULL);
}

uint64_t
bench_world_rotations (bench_world_t *world, uint64_t *last_ms)
{
    bb_envelope_t *reply = NULL;
    Balboard__SchedulerStatus *status = bb_bench_scheduler (
        world->control_client, BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS,
        &reply);
    uint64_t done = status->rotations_completed;
    *last_ms = status->last_rotation_ms;
    bb_wire_envelope_destroy (&reply);
    return done;
}

uint64_t
bench_world_wait_rotations (bench_world_t *world, uint64_t rotations,
                            int64_t wait_ms)
{
    uint64_t last_ms;
    int64_t until = bb_clock_mono_ms () + wait_ms;
    while (bench_world_rotations (world, &last_ms) < rotations) {
        bb_bench_require (bb_clock_mono_ms () < until,
                          "waiting for a rotation");
        bb_clock_sleep_ms (POLL_MS);
    }
    return last_ms;
}
