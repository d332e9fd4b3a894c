/*  =========================================================================
    balboard-scheduler - the rotation cursor and the adaptive alarm

    Owns the process: reads the settings (flags and environment, see
    --help), starts the bb_scheduler actor and runs until SIGINT or
    SIGTERM, then stops it (every job in flight is in the durable state,
    so a restart goes on where this run stopped). --health asks a running
    scheduler's control socket for its status and exits 0 or 1.

    Budgets default to the published keyless limits (Hiro 50/min, the
    price API 30/min; mempool.space publishes none and is paced at
    100/min). With an API key raise --hiro-rpm to 500; offline against
    the mock upstream, 0 (unlimited) is fine.
    =========================================================================
*/
#include <stdlib.h>
#include <string.h>

#include "bb_actor.h"
#include "bb_client.h"
#include "bb_config.h"
#include "bb_curve.h"
#include "bb_lmdb_version.h"
#include "bb_log.h"
#include "bb_main.h"
#include "bb_scheduler.h"
#include "bb_wire.h"

#define PROGRAM "balboard-scheduler"
#define LIVENESS 3                      // heartbeats missed before death
#define HEALTH_TIMEOUT_MS 2000
#define ENDPOINT_SIZE 256

static const bb_option_t s_options [] = {
    BB_OPTION_STRING ("data-dir", "BALBOARD_DATA_DIR", "./data/scheduler",
                      "directory of the scheduler's LMDB state"),
    BB_OPTION_STRING ("jobs-bind", "BALBOARD_JOBS_BIND",
                      "tcp://127.0.0.1:7711",
                      "endpoint fetchers connect to (ROUTER)"),
    BB_OPTION_STRING ("control-bind", "BALBOARD_CONTROL_BIND",
                      "tcp://127.0.0.1:7712",
                      "endpoint of the control socket (ROUTER; status, pause, "
                      "tick)"),
    BB_OPTION_STRING ("store-query", "BALBOARD_STORE_QUERY",
                      "tcp://127.0.0.1:7702",
                      "the store's query socket (agents after the cursor)"),
    BB_OPTION_STRING ("store-events", "BALBOARD_STORE_EVENTS",
                      "tcp://127.0.0.1:7703",
                      "the store's events socket (SUB): an import starts a "
                      "rotation at once if none runs (\"\": off)"),
    BB_OPTION_INT ("chunk-size", "BALBOARD_CHUNK_SIZE", "100", 1, 1000,
                   "agents per job at most"),
    BB_OPTION_INT ("alarm-active-ms", "BALBOARD_ALARM_ACTIVE_MS", "120000", 1,
                   86400000, "tick interval while upstreams are healthy"),
    BB_OPTION_INT ("alarm-idle-ms", "BALBOARD_ALARM_IDLE_MS", "600000", 1,
                   86400000, "tick interval after upstream failures"),
    BB_OPTION_INT ("heartbeat-ms", "BALBOARD_HEARTBEAT_MS", "1000", 10, 60000,
                   "heartbeat interval; a fetcher silent for 3 is dead"),
    BB_OPTION_INT ("job-deadline-ms", "BALBOARD_JOB_DEADLINE_MS", "60000", 100,
                   3600000, "a job's deadline, from its dispatch"),
    BB_OPTION_INT ("store-timeout-ms", "BALBOARD_STORE_TIMEOUT_MS", "5000", 10,
                   600000, "give up waiting for an agents page after this"),
    BB_OPTION_INT ("hiro-rpm", "BALBOARD_HIRO_RPM", "50", 0, 1000000,
                   "Hiro requests per minute, all fetchers (0 = unlimited)"),
    BB_OPTION_INT ("mempool-rpm", "BALBOARD_MEMPOOL_RPM", "100", 0, 1000000,
                   "mempool.space requests per minute (0 = unlimited)"),
    BB_OPTION_INT ("price-rpm", "BALBOARD_PRICE_RPM", "30", 0, 1000000,
                   "price API requests per minute (0 = unlimited)"),
    BB_OPTION_INT ("budget-window-ms", "BALBOARD_BUDGET_WINDOW_MS", "60000",
                   100, 3600000, "window the per-minute budgets hold over "
                   "(tests shorten it)"),
    BB_OPTION_INT ("rate-limit-backoff-ms", "BALBOARD_RATE_LIMIT_BACKOFF_MS",
                   "10000", 0, 86400000,
                   "first pause of an upstream after a 429 without "
                   "Retry-After or failures"),
    BB_OPTION_INT ("rate-limit-backoff-max-ms",
                   "BALBOARD_RATE_LIMIT_BACKOFF_MAX_MS", "600000", 0, 86400000,
                   "longest such pause: it doubles (full jitter) while the "
                   "trouble lasts"),
    { "registry-url", "BALBOARD_REGISTRY_URL", BB_OPT_STRING, "", 0, 0, true,
      "the agent registry API (?limit=&offset=, pagination.hasMore) to "
      "sync the agents from; \"\": none, manual imports only" },
    BB_OPTION_INT ("registry-sync-ms", "BALBOARD_REGISTRY_SYNC_MS", "600000",
                   1000, 86400000,
                   "sync the registry this long after the last "
                   "sync (and at each rotation's start)"),
    BB_OPTION_INT ("registry-rpm", "BALBOARD_REGISTRY_RPM", "60", 0, 1000000,
                   "registry requests per minute (0 = unlimited)"),
    BB_OPTION_INT ("registry-max-remove-pct",
                   "BALBOARD_REGISTRY_MAX_REMOVE_PCT", "20", 0, 100,
                   "hold a sync that would remove more than this "
                   "share of the agents (until agents sync --confirm)"),
    BB_OPTION_INT ("registry-deadline-ms", "BALBOARD_REGISTRY_DEADLINE_MS",
                   "300000", 100, 3600000, "a registry sync's deadline, from "
                   "its dispatch"),
    { "paused", "BALBOARD_PAUSED", BB_OPT_BOOL, "false", 0, 0, false,
      "start paused (resume with the control socket)" },
    BB_OPTIONS_CURVE_SERVER,
    BB_OPTION_STRING ("scheduler-key", "BALBOARD_SCHEDULER_KEY", NULL,
                      "--health with CURVE: this scheduler's public "
                      "certificate; --curve-cert is then a reader or operator "
                      "key"),
    BB_OPTION_HEALTH (
      "ask the running scheduler at --control-bind for its status; "
      "exit 0 if it answers, else 1"),
    BB_OPTION_LOG_LEVEL,
};

static const bb_library_t s_libraries [] = { { "lmdb", bb_lmdb_version } };

static int s_health (bb_config_t *config);
static int s_run (bb_config_t *config);

static const bb_program_t s_program = {
    PROGRAM,
    "Own the rotation cursor and the adaptive alarm: hand chunk "
    "jobs of agents to\nready fetchers within the upstream budgets.",
    BB_TABLE (s_options), BB_TABLE (s_libraries), s_health, s_run
};

static void
s_settings (bb_config_t *config, bb_scheduler_settings_t *settings)
{
    *settings = (bb_scheduler_settings_t) {
        .data_dir = bb_config_str (config, "data-dir"),
        .jobs_bind = bb_config_str (config, "jobs-bind"),
        .control_bind = bb_config_str (config, "control-bind"),
        .store_query = bb_config_str (config, "store-query"),
        .store_events = bb_config_str (config, "store-events"),
        .chunk_size = (uint32_t) bb_config_int (config, "chunk-size"),
        .alarm_active_ms = (uint64_t) bb_config_int (config,
                                                     "alarm-active-ms"),
        .alarm_idle_ms = (uint64_t) bb_config_int (config, "alarm-idle-ms"),
        .heartbeat_ms = (uint64_t) bb_config_int (config, "heartbeat-ms"),
        .liveness = LIVENESS,
        .job_deadline_ms = (uint64_t) bb_config_int (config,
                                                     "job-deadline-ms"),
        .store_timeout_ms = (uint64_t) bb_config_int (config,
                                                      "store-timeout-ms"),
        .rpm = {
            [BB_UPSTREAM_HIRO] = (uint32_t) bb_config_int (config,
                                                           "hiro-rpm"),
            [BB_UPSTREAM_MEMPOOL] = (uint32_t) bb_config_int (config,
                                                              "mempool-rpm"),
            [BB_UPSTREAM_PRICE] = (uint32_t) bb_config_int (config,
                                                            "price-rpm"),
            [BB_UPSTREAM_REGISTRY] = (uint32_t) bb_config_int (
                config, "registry-rpm"),
        },
        .budget_window_ms = (uint64_t) bb_config_int (config,
                                                      "budget-window-ms"),
        .backoff_ms = (uint64_t) bb_config_int (config,
                                                "rate-limit-backoff-ms"),
        .backoff_max_ms = (uint64_t) bb_config_int (
            config, "rate-limit-backoff-max-ms"),
        .start_paused = bb_config_bool (config, "paused"),
        .registry = {
            .url = bb_config_str (config, "registry-url"),
            .sync_ms = (uint64_t) bb_config_int (config, "registry-sync-ms"),
            .deadline_ms = (uint64_t) bb_config_int (config,
                                                     "registry-deadline-ms"),
            .max_remove_pct = (uint32_t) bb_config_int (
                config, "registry-max-remove-pct"),
            .max_attempts = BB_SCHEDULER_MAX_ATTEMPTS,
        },
    };
}

//  Ask the scheduler at the control endpoint for its status. 0 or 1.
static int
s_health (bb_config_t *config)
{
    char endpoint [ENDPOINT_SIZE];
    bb_wire_connect_endpoint (bb_config_str (config, "control-bind"),
                              endpoint, sizeof endpoint);
    bb_curve_t *curve;
    if (bb_curve_client_setup (config, "scheduler-key", &curve))
        return EXIT_FAILURE;
    bb_client_t *client = bb_client_new_curve (endpoint, HEALTH_TIMEOUT_MS,
                                               curve);
    bb_envelope_t *reply = NULL;
    int rc = client ? bb_client_scheduler_control (
                          client, BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS,
                          &reply)
                    : BB_CLIENT_TIMEOUT;
    bb_info ("health", "endpoint=%s healthy=%d", endpoint, rc == BB_CLIENT_OK);
    bb_wire_envelope_destroy (&reply);
    bb_client_destroy (&client);
    bb_curve_destroy (&curve);
    return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}

//  The process: --health, or the actor until a signal or its failure.
static int
s_run (bb_config_t *config)
{
    bb_scheduler_settings_t settings;
    s_settings (config, &settings);
    const char *writes [] = { "jobs-bind", "control-bind" };
    if (bb_curve_server_setup (config, writes, 2, &settings.curve))
        return BB_CONFIG_EXIT_USAGE;
    bb_actor_t *scheduler = bb_actor_new ("scheduler", bb_scheduler_actor,
                                          &settings);
    int rc = EXIT_FAILURE;
    if (scheduler) {
        rc = bb_actor_serve (&scheduler, 1) ? EXIT_FAILURE : EXIT_SUCCESS;
        bb_info ("stopping", NULL);
        bb_actor_destroy (&scheduler);
        bb_info ("stopped", "exit=%d", rc);
    }
    bb_curve_destroy (&settings.curve);
    return rc;
}

int
main (int argc, char **argv)
{
    return bb_main (&s_program, argc, argv);
}
