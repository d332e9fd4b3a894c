/*  =========================================================================
    balboard-store - the single owner of the LMDB data

    Owns the process: reads the settings (flags and environment, see
    --help), opens the store (bb_db), starts the query actor (it builds
    the rank index) and then the ingest actor, and waits for SIGINT or
    SIGTERM. Shutdown stops the ingest actor first (no write is in flight
    once it returns), then the query actor, then closes the environment:
    a restart reopens the same data. With --health it instead asks the
    query socket for its stats and exits 0 on a reply within 2 s, else 1.
    =========================================================================
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bb_actor.h"
#include "bb_address.h"
#include "bb_client.h"
#include "bb_config.h"
#include "bb_curve.h"
#include "bb_db.h"
#include "bb_ingest.h"
#include "bb_lmdb_version.h"
#include "bb_log.h"
#include "bb_main.h"
#include "bb_query.h"
#include "bb_sync.h"

#define PROGRAM             "balboard-store"
#define HEALTH_TIMEOUT_MS   2000
#define MIB                 ((size_t) 1 << 20)
#define DAY_MS              (24ULL * 3600 * 1000)
#define CHANGES_ENDPOINT    "inproc://balboard-store-changes"
#define ENDPOINT_SIZE       256
#define READERS_MAX         256

static const bb_option_t s_options [] = {
    BB_OPTION_STRING ("data-dir", "BALBOARD_DATA_DIR", "./data/store",
                      "directory of the LMDB environment (created if absent)"),
    BB_OPTION_STRING ("ingest-bind", "BALBOARD_INGEST_BIND",
                      "tcp://127.0.0.1:7701",
                      "ingest socket (balance batches, agent admin) to bind"),
    BB_OPTION_STRING ("query-bind", "BALBOARD_QUERY_BIND",
                      "tcp://127.0.0.1:7702",
                      "query socket (dashboard, agent, rank, stats) to bind"),
    BB_OPTION_STRING ("events-bind", "BALBOARD_EVENTS_BIND",
                      "tcp://127.0.0.1:7703",
                      "events socket (PUB: what the dashboard shows, after "
                      "commits) to bind"),
    BB_OPTION_INT ("events-interval-ms", "BALBOARD_EVENTS_INTERVAL_MS", "250",
                   0, 60000, "at most one event per this many ms; bursts are "
                   "merged, the newest state is sent"),
    BB_OPTION_INT ("readers", "BALBOARD_STORE_READERS", "0", 0, READERS_MAX,
                   "reader threads answering queries; 0 = one per core"),
    BB_OPTION_INT ("reply-cache-entries", "BALBOARD_STORE_REPLY_CACHE_ENTRIES",
                   "256", 0, 65536, "dashboard pages the reply cache keeps "
                   "(0 = no cache); dropped on every commit"),
    BB_OPTION_INT ("reply-cache-mb", "BALBOARD_STORE_REPLY_CACHE_MB", "64", 0,
                   4096, "encoded bytes the reply cache keeps at most, MiB"),
    BB_OPTION_INT ("map-size-mb", "BALBOARD_MAP_SIZE_MB", "1024", 1, 1 << 24,
                   "initial LMDB map size; doubles when full"),
    BB_OPTION_INT ("map-size-max-mb", "BALBOARD_MAP_SIZE_MAX_MB", "65536", 1,
                   1 << 24, "largest map; past it batches get \"store full\""),
    BB_OPTION_INT ("history-days", "BALBOARD_HISTORY_DAYS", "90", 1, 36500,
                   "history points older than this are swept"),
    BB_OPTION_INT ("retention-interval-ms", "BALBOARD_RETENTION_INTERVAL_MS",
                   "3600000", 1, 86400000,
                   "pause between two history retention passes"),
    BB_OPTION_STRING ("network", "BALBOARD_NETWORK", "mainnet",
                      "network of the addresses accepted: mainnet or testnet"),
    BB_OPTIONS_CURVE_SERVER,
    BB_OPTION_HEALTH (
      "ask the store at --query-bind for its stats; exit 0 if it answers "
      "within 2 s, else 1"),
    BB_OPTION_LOG_LEVEL,
};

static const bb_library_t s_libraries [] = { { "lmdb", bb_lmdb_version } };

static int s_health (bb_config_t *config);
static int s_run (bb_config_t *config);

static const bb_program_t s_program = {
    PROGRAM,
    "Own the LMDB store: commit balance batches durably and "
    "answer ranked dashboard\nqueries (docs/store.md).",
    BB_TABLE (s_options), BB_TABLE (s_libraries), s_health, s_run
};

//  ---------------------------------------------------------------------------
//  --health: ask the running store for its stats.

static int
s_health (bb_config_t *config)
{
    char endpoint [ENDPOINT_SIZE];
    bb_wire_connect_endpoint (bb_config_str (config, "query-bind"),
                              endpoint, sizeof endpoint);
    bb_client_t *client = bb_client_new (endpoint, HEALTH_TIMEOUT_MS);
    bb_envelope_t *reply = NULL;
    int rc = client ? bb_client_stats (client, &reply) : BB_CLIENT_TIMEOUT;
    if (rc)
        fprintf (stderr, "%s: unhealthy: %s\n", PROGRAM,
                 client ? bb_client_reason (client) : "bad endpoint");
    else
        printf ("ok agents=%llu\n",
                (unsigned long long) reply->store_stats->agents);
    bb_wire_envelope_destroy (&reply);
    bb_client_destroy (&client);
    return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}

//  ---------------------------------------------------------------------------
//  Serving

static int
s_network (bb_config_t *config, bb_network_t *network)
{
    if (bb_address_network_parse (bb_config_str (config, "network"),
                                  network) == 0)
        return 0;
    bb_error ("config_invalid", "option=network hint=\"mainnet or testnet\"");
    return -1;
}

//  --readers, 0 meaning one per online core.
static size_t
s_readers (bb_config_t *config)
{
    long long readers = bb_config_int (config, "readers");
    if (readers == 0)
        readers = sysconf (_SC_NPROCESSORS_ONLN);
    return readers > 0 ? (size_t) readers : 1;
}

static int
s_serve (bb_config_t *config, bb_network_t network, bb_curve_t *curve)
{
    size_t map_size = (size_t) bb_config_int (config, "map-size-mb") * MIB;
    size_t map_max = (size_t) bb_config_int (config, "map-size-max-mb") * MIB;
    bb_db_t *db = bb_db_new (bb_config_str (config, "data-dir"), map_size,
                             map_max);
    if (!db || bb_sync_drop_staged (db)) {
        bb_db_destroy (&db);
        return EXIT_FAILURE;
    }
    bb_query_args_t query_args = {
        db, bb_config_str (config, "query-bind"), CHANGES_ENDPOINT,
        s_readers (config),
        (size_t) bb_config_int (config, "reply-cache-entries"),
        (size_t) bb_config_int (config, "reply-cache-mb") * MIB
    };
    bb_ingest_args_t ingest_args = {
        db, bb_config_str (config, "ingest-bind"), CHANGES_ENDPOINT,
        bb_config_str (config, "events-bind"),
        bb_config_int (config, "events-interval-ms"), network,
        (uint64_t) bb_config_int (config, "history-days") * DAY_MS,
        bb_config_int (config, "retention-interval-ms"), curve
    };
    bb_actor_t *actors [2] = { NULL, NULL };
    actors [0] = bb_actor_new ("query", bb_query_actor, &query_args);
    if (actors [0])
        actors [1] = bb_actor_new ("ingest", bb_ingest_actor, &ingest_args);
    int rc = actors [1] ? EXIT_SUCCESS : EXIT_FAILURE;
    if (actors [1]) {
        bb_info ("ready", NULL);
        if (bb_actor_serve (actors, 2))
            rc = EXIT_FAILURE;
        bb_info ("stopping", NULL);
    }
    bb_actor_destroy (&actors [1]);
    bb_actor_destroy (&actors [0]);
    bb_db_destroy (&db);
    bb_info ("stopped", "exit=%d", rc);
    return rc;
}

//  The process: --health, or the store until a signal or an actor's
//  failure.
static int
s_run (bb_config_t *config)
{
    bb_network_t network;
    const char *writes [] = { "ingest-bind" };
    bb_curve_t *curve;
    if (s_network (config, &network)
    ||  bb_curve_server_setup (config, writes, 1, &curve))
        return BB_CONFIG_EXIT_USAGE;
    int rc = s_serve (config, network, curve);
    bb_curve_destroy (&curve);
    return rc;
}

int
main (int argc, char **argv)
{
    return bb_main (&s_program, argc, argv);
}
