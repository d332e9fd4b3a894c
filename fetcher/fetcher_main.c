/*  =========================================================================
    balboard-fetcher - fetch chunks of agents' balances for the scheduler

    Owns the process: reads the settings (flags and environment, see
    --help), initialises libcurl and the signal handlers before any
    thread, runs the bb_fetcher actor until SIGINT or SIGTERM (or the
    actor fails), then stops it and exits. --health only checks that the
    configuration loads and the sockets and HTTP engine can be created.
    =========================================================================
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <czmq.h>

#include "bb_actor.h"
#include "bb_config.h"
#include "bb_curl_version.h"
#include "bb_fetcher.h"
#include "bb_ids.h"
#include "bb_log.h"
#include "bb_main.h"
#include "bb_wire.h"

#define PROGRAM             "balboard-fetcher"
#define TEN_MINUTES_MS      600000
#define MAX_BODY_LIMIT      (256 << 20)     // 256 MiB

static const bb_option_t s_options [] = {
    BB_OPTION_STRING ("scheduler-jobs", "BALBOARD_SCHEDULER_JOBS",
                      "tcp://127.0.0.1:7711", "the scheduler's jobs endpoint"),
    BB_OPTION_STRING ("store-ingest", "BALBOARD_STORE_INGEST",
                      "tcp://127.0.0.1:7701", "the store's ingest endpoint"),
    BB_OPTION_STRING ("hiro-base", "HIRO_BASE", "https://api.hiro.so",
                      "Hiro Stacks API base URL"),
    BB_OPTION_STRING ("mempool-base", "MEMPOOL_BASE",
                      "https://mempool.space/api",
                      "mempool.space REST API base URL"),
    BB_OPTION_STRING ("price-url", "PRICE_URL",
                      "https://api.coingecko.com/api/v3/simple/price"
                      "?ids=bitcoin,blockstack&vs_currencies=usd",
                      "CoinGecko simple price URL (bitcoin, blockstack in "
                      "usd)"),
    { "hiro-api-key", "HIRO_API_KEY", BB_OPT_STRING, NULL, 0, 0, true,
      "Hiro API key, sent as x-api-key (never logged)" },
    BB_OPTION_STRING ("fetcher-id", "BALBOARD_FETCHER_ID", NULL,
                      "id announced to the scheduler (default hostname-pid)"),
    BB_OPTION_INT ("hiro-concurrency", "BALBOARD_HIRO_CONCURRENCY", "20", 1,
                   1000, "most Hiro requests at once (20/s secondary limit)"),
    BB_OPTION_INT ("mempool-concurrency", "BALBOARD_MEMPOOL_CONCURRENCY", "4",
                   1, 1000, "most mempool.space requests at once"),
    BB_OPTION_INT ("price-concurrency", "BALBOARD_PRICE_CONCURRENCY", "1",
                   1, 100, "most price requests at once"),
    BB_OPTION_INT ("connect-timeout-ms", "BALBOARD_CONNECT_TIMEOUT_MS", "5000",
                   1, TEN_MINUTES_MS, "connect timeout per request"),
    BB_OPTION_INT ("request-timeout-ms", "BALBOARD_REQUEST_TIMEOUT_MS",
                   "15000", 1, TEN_MINUTES_MS,
                   "total timeout per request attempt"),
    BB_OPTION_INT ("max-body-bytes", "BALBOARD_MAX_BODY_BYTES", "2097152",
                   1, MAX_BODY_LIMIT, "larger response bodies are cut off"),
    BB_OPTION_INT ("max-retries", "BALBOARD_MAX_RETRIES", "3", 0, 10,
                   "retries of 5xx, transport errors and timeouts"),
    BB_OPTION_INT ("retry-backoff-ms", "BALBOARD_RETRY_BACKOFF_MS", "250",
                   1, TEN_MINUTES_MS, "first retry delay, doubled per retry"),
    BB_OPTION_INT ("retry-backoff-max-ms", "BALBOARD_RETRY_BACKOFF_MAX_MS",
                   "8000", 1, TEN_MINUTES_MS, "longest retry delay"),
    BB_OPTION_INT ("rate-limit-backoff-ms", "BALBOARD_RATE_LIMIT_BACKOFF_MS",
                   "1000", 1, TEN_MINUTES_MS,
                   "first pause of a lane after a 429 without Retry-After"),
    BB_OPTION_INT ("token-pending-retry-ms", "BALBOARD_TOKEN_PENDING_RETRY_MS",
                   "600000", 1, 24 * 60 * 60 * 1000LL,
                   "a token whose metadata Hiro still prepares (422) is "
                   "asked again after"),
    BB_OPTION_INT ("heartbeat-ms", "BALBOARD_HEARTBEAT_MS", "1000", 10,
                   TEN_MINUTES_MS, "heartbeat interval with the scheduler"),
    BB_OPTION_STRING ("network", "BALBOARD_NETWORK", "mainnet",
                      "mainnet or testnet: which addresses are valid"),
    BB_OPTION_CURVE_CERT,
    BB_OPTION_SCHEDULER_KEY,
    BB_OPTION_STORE_KEY,
    BB_OPTION_HEALTH (
      "check the configuration and sockets, then exit 0 or 1"),
    BB_OPTION_LOG_LEVEL,
};

static const bb_library_t s_libraries [] = { { "libcurl", bb_curl_version } };

static int s_health (bb_config_t *config);
static int s_run (bb_config_t *config);

static const bb_program_t s_program = {
    PROGRAM,
    "Fetch chunks of agents' balances from Hiro, mempool.space "
    "and CoinGecko for the\nscheduler, and hand them to the store.",
    BB_TABLE (s_options), BB_TABLE (s_libraries), s_health, s_run
};

//  What main owns besides the config: strings the fetcher borrows.
typedef struct {
    char fetcher_id [BB_FETCHER_ID_SIZE];
    char *hiro_base;            // trailing '/' removed, owned
    char *mempool_base;         // trailing '/' removed, owned
    bb_curve_t *scheduler_curve;    // CURVE keys, owned; NULL none
    bb_curve_t *store_curve;
} owned_t;

static char *
s_base (bb_config_t *config, const char *name)
{
    char *base = strdup (bb_config_str (config, name));
    assert (base);
    size_t length = strlen (base);
    while (length > 0 && base [length - 1] == '/')
        base [--length] = 0;
    return base;
}

static bool
s_http_url (const char *url)
{
    return strncmp (url, "http://", 7) == 0
        || strncmp (url, "https://", 8) == 0;
}

//  Fill *fetcher from config. Returns 0, or -1 after logging why.
static int
s_settings (bb_config_t *config, owned_t *owned, bb_fetcher_config_t *fetcher)
{
    const char *network = bb_config_str (config, "network");
    const char *id = bb_config_str (config, "fetcher-id");
    char host [256] = "fetcher";
    gethostname (host, sizeof host - 1);
    if (id)
        snprintf (owned->fetcher_id, sizeof owned->fetcher_id, "%s", id);
    else
        snprintf (owned->fetcher_id, sizeof owned->fetcher_id, "%.40s-%d",
                  host, (int) getpid ());
    owned->hiro_base = s_base (config, "hiro-base");
    owned->mempool_base = s_base (config, "mempool-base");
    *fetcher = (bb_fetcher_config_t) {
        .scheduler_jobs = bb_config_str (config, "scheduler-jobs"),
        .store_ingest = bb_config_str (config, "store-ingest"),
        .fetcher_id = owned->fetcher_id,
        .hiro_base = owned->hiro_base,
        .mempool_base = owned->mempool_base,
        .price_url = bb_config_str (config, "price-url"),
        .hiro_api_key = bb_config_str (config, "hiro-api-key"),
        .hiro_concurrency = (unsigned) bb_config_int (config,
                                                      "hiro-concurrency"),
        .mempool_concurrency = (unsigned) bb_config_int (
            config, "mempool-concurrency"),
        .price_concurrency = (unsigned) bb_config_int (config,
                                                       "price-concurrency"),
        .heartbeat_ms = (long) bb_config_int (config, "heartbeat-ms"),
        .token_pending_retry_ms = (long) bb_config_int (
            config, "token-pending-retry-ms"),
        .http = {
            .connect_timeout_ms = (long) bb_config_int (
                config, "connect-timeout-ms"),
            .request_timeout_ms = (long) bb_config_int (
                config, "request-timeout-ms"),
            .max_body_bytes = (size_t) bb_config_int (config,
                                                      "max-body-bytes"),
            .max_retries = (unsigned) bb_config_int (config, "max-retries"),
            .backoff_base_ms = (long) bb_config_int (config,
                                                     "retry-backoff-ms"),
            .backoff_max_ms = (long) bb_config_int (config,
                                                    "retry-backoff-max-ms"),
            .rate_limit_backoff_ms = (long) bb_config_int (
                config, "rate-limit-backoff-ms"),
        },
    };
    const char *bad = NULL;
    if (bb_address_network_parse (network, &fetcher->network))
        bad = "network";
    else
    if (id && !bb_fetcher_id_valid (id))
        bad = "fetcher-id";
    else
    if (!s_http_url (fetcher->hiro_base))
        bad = "hiro-base";
    else
    if (!s_http_url (fetcher->mempool_base))
        bad = "mempool-base";
    else
    if (!s_http_url (fetcher->price_url))
        bad = "price-url";
    if (bad) {
        bb_error ("config_invalid", "option=%s", bad);
        return -1;
    }
    if (bb_curve_client_setup (config, "scheduler-key",
                               &owned->scheduler_curve)
    ||  bb_curve_client_setup (config, "store-key", &owned->store_curve))
        return -1;
    fetcher->scheduler_curve = owned->scheduler_curve;
    fetcher->store_curve = owned->store_curve;
    return 0;
}

//  --health: can we make what the fetcher needs?
//  --health: the sockets and the HTTP engine can be made. 0 or 1.
static int
s_check (const bb_fetcher_config_t *fetcher)
{
    char endpoint [512];
    snprintf (endpoint, sizeof endpoint, ">%s", fetcher->scheduler_jobs);
    zsock_t *jobs = bb_curve_socket_new (fetcher->scheduler_curve,
                                         ZMQ_DEALER, endpoint, NULL);
    snprintf (endpoint, sizeof endpoint, ">%s", fetcher->store_ingest);
    zsock_t *ingest = bb_curve_socket_new (fetcher->store_curve, ZMQ_DEALER,
                                           endpoint, NULL);
    bb_http_t *http = bb_http_new (&fetcher->http);
    int rc = jobs && ingest && http ? EXIT_SUCCESS : EXIT_FAILURE;
    bb_http_destroy (&http);
    zsock_destroy (&ingest);
    zsock_destroy (&jobs);
    return rc;
}

//  Run the actor until a signal, or until it fails.
static int
s_serve (const bb_fetcher_config_t *fetcher)
{
    bb_actor_t *actor = bb_actor_new ("fetcher", bb_fetcher_actor,
                                      (void *) fetcher);
    if (!actor)
        return EXIT_FAILURE;
    int rc = bb_actor_serve (&actor, 1) ? EXIT_FAILURE : EXIT_SUCCESS;
    bb_info ("stopping", "exit=%d", rc);
    bb_actor_destroy (&actor);
    return rc;
}

//  Run fn with the fetcher's settings, inside libcurl's global state.
static int
s_with_settings (bb_config_t *config,
                 int (*fn) (const bb_fetcher_config_t *fetcher))
{
    //  libcurl is not thread-safe to initialise: once, before any thread.
    if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        bb_error ("curl_init_failed", NULL);
        return EXIT_FAILURE;
    }
    owned_t owned = { .hiro_base = NULL };
    bb_fetcher_config_t fetcher;
    int rc = s_settings (config, &owned, &fetcher) ? BB_CONFIG_EXIT_USAGE
                                                   : fn (&fetcher);
    free (owned.hiro_base);
    free (owned.mempool_base);
    bb_curve_destroy (&owned.scheduler_curve);
    bb_curve_destroy (&owned.store_curve);
    curl_global_cleanup ();
    return rc;
}

static int
s_health (bb_config_t *config)
{
    return s_with_settings (config, s_check);
}

static int
s_run (bb_config_t *config)
{
    return s_with_settings (config, s_serve);
}

int
main (int argc, char **argv)
{
    return bb_main (&s_program, argc, argv);
}
