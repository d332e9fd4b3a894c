/*  =========================================================================
    bench_world - a whole balboard on loopback, for the system benchmarks

    Owns real processes on free ports: balboard-mock-upstream, the store
    (with an events socket of its own, never the default port), the
    scheduler subscribed to it, and fetchers, with their data in a
    scratch directory under /tmp; plus clients for the scheduler's
    control socket and the store's query socket. bench_world_start
    imports the mock's first agents and returns once every fetcher is
    ready and the scheduler, started paused, waits for RESUME. Any
    failure ends the benchmark (bb_bench_require).
    =========================================================================
*/
#ifndef BENCH_WORLD_H_INCLUDED
#define BENCH_WORLD_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "balboard.pb-c.h"
#include "bb_bench.h"
#include "bb_child.h"
#include "bb_client.h"
#include "bb_mock_process.h"

#define BENCH_WORLD_FETCHERS_MAX    8
#define BENCH_WORLD_PATH_SIZE       512

typedef struct {
    const char *name;                   // the benchmark's, names its dir
    unsigned agents;                    // the mock's sample, all imported
    size_t fetchers;                    // at most BENCH_WORLD_FETCHERS_MAX
    const char *const *mock_args;       // extra flags, NULL-terminated
    const char *const *scheduler_args;  // (each list may be NULL)
    const char *const *fetcher_env;     // extra NAME=value of each fetcher
} bench_world_options_t;

typedef struct {
    char dir [BENCH_WORLD_PATH_SIZE];
    bb_bench_store_t store_sockets;     // query, ingest, events
    char jobs [BB_BENCH_ENDPOINT_SIZE];
    char control [BB_BENCH_ENDPOINT_SIZE];
    bb_mock_process_t *mock;
    bb_child_t *store, *scheduler;
    bb_child_t *fetchers [BENCH_WORLD_FETCHERS_MAX];
    size_t fetcher_count;
    bb_client_t *control_client;
    bb_client_t *query_client;
} bench_world_t;

//  Start the world options describe into world.
void bench_world_start (bench_world_t *world,
                        const bench_world_options_t *options);

//  Stop every process (SIGTERM), close the clients, remove the dir.
void bench_world_stop (bench_world_t *world);

//  Send command to the scheduler; its status reply is not kept.
void bench_world_command (bench_world_t *world,
                          Balboard__SchedulerControl__Command command);

//  Rotations the scheduler has completed, and the last one's duration as
//  it measured it (ms) in *last_ms.
uint64_t bench_world_rotations (bench_world_t *world, uint64_t *last_ms);

//  Wait, polling the scheduler, until it has completed rotations
//  rotations (at most wait_ms); returns the last one's duration (ms).
uint64_t bench_world_wait_rotations (bench_world_t *world,
                                     uint64_t rotations, int64_t wait_ms);

#endif
