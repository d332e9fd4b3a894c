/*  =========================================================================
    balboard-gateway - balboard's HTTP face

    Owns the process: reads the settings (flags and environment, see
    --help), makes the documentation payload, the discovery documents,
    the metrics counters, the page cache and the per-thread client pool,
    starts the event feed (bb_event_feed, the store's events for the SSE
    streams and the page cache) and the HTTP server (bb_gateway) and
    serves until SIGINT or SIGTERM; then stops the feed, then the server
    (every event stream ends, its threads are joined, requests in
    progress finish), closes every client and exits 0. It keeps no state
    of its own beyond pages cached for at most --page-cache-ttl-ms, so
    several replicas can serve side by side. --health asks a running
    gateway for GET /healthz and exits 0 if it answers 200, else 1.
    =========================================================================
*/
#include <stdio.h>
#include <stdlib.h>

#include <microhttpd.h>

#include "bb_actor.h"
#include "bb_address.h"
#include "bb_api_docs.h"
#include "bb_client_pool.h"
#include "bb_config.h"
#include "bb_curl_version.h"
#include "bb_event_feed.h"
#include "bb_gateway.h"
#include "bb_httpd.h"
#include "bb_log.h"
#include "bb_main.h"

#define PROGRAM             "balboard-gateway"
#define KEEPALIVE_MS        15000       // an SSE comment line this often
#define KIB                 1024

static const bb_option_t s_options [] = {
    BB_OPTION_STRING ("http-bind", "BALBOARD_HTTP_BIND", "127.0.0.1:8080",
                      "host:port the HTTP server listens on"),
    BB_OPTION_STRING ("store-query", "BALBOARD_STORE_QUERY",
                      "tcp://127.0.0.1:7702", "the store's query socket"),
    BB_OPTION_STRING ("scheduler-control", "BALBOARD_SCHEDULER_CONTROL",
                      "tcp://127.0.0.1:7712",
                      "the scheduler's control socket (for /api/status)"),
    BB_OPTION_STRING ("store-events", "BALBOARD_STORE_EVENTS",
                      "tcp://127.0.0.1:7703",
                      "the store's events socket (for /api/dashboard/events)"),
    BB_OPTION_INT ("sse-max", "BALBOARD_GATEWAY_SSE_MAX", "256", 1, 65536,
                   "open event streams at most; more get 503"),
    BB_OPTION_INT ("threads", "BALBOARD_GATEWAY_THREADS", "4", 1, 256,
                   "HTTP worker threads, each with its own store client"),
    BB_OPTION_INT ("connection-limit", "BALBOARD_GATEWAY_CONNECTION_LIMIT",
                   "1024", 1, 65536, "open HTTP connections at most"),
    BB_OPTION_INT ("connection-timeout-s",
                   "BALBOARD_GATEWAY_CONNECTION_TIMEOUT_S", "15", 1, 3600,
                   "an idle or slow connection is closed after"),
    BB_OPTION_INT ("connection-memory-kib",
                   "BALBOARD_GATEWAY_CONNECTION_MEMORY_KIB", "64", 16, 1024,
                   "memory per connection; a request line or headers that "
                   "outgrow it get 414 or 431"),
    BB_OPTION_INT ("store-timeout-ms", "BALBOARD_GATEWAY_STORE_TIMEOUT_MS",
                   "2000", 1, 60000,
                   "wait for the store or scheduler before answering 503"),
    BB_OPTION_INT ("page-cache-ttl-ms", "BALBOARD_GATEWAY_PAGE_CACHE_TTL_MS",
                   "1000", 0, 3600000,
                   "serve a rendered dashboard page or agent detail for at "
                   "most this long, and only while no newer store event "
                   "came; 0: no page cache"),
    BB_OPTION_INT ("page-cache-entries", "BALBOARD_GATEWAY_PAGE_CACHE_ENTRIES",
                   "256", 1, 1000000,
                   "rendered pages (dashboard pages and agent details) kept "
                   "at most, least recently used out"),
    BB_OPTION_STRING ("network", "BALBOARD_NETWORK", "mainnet", "network of "
                      "the addresses /api/agents accepts: mainnet or testnet"),
    BB_OPTION_CURVE_CERT,
    BB_OPTION_SCHEDULER_KEY,
    BB_OPTION_HEALTH (
      "ask the running gateway at --http-bind for GET /healthz; exit 0 if "
      "it answers 200, else 1"),
    BB_OPTION_LOG_LEVEL,
};

static const bb_library_t s_libraries [] = {
    { "libmicrohttpd", MHD_get_version },
    { "libcurl", bb_curl_version },
};

static int s_health (bb_config_t *config);
static int s_run (bb_config_t *config);

static const bb_program_t s_program = {
    PROGRAM,
    "Serve balboard over HTTP: the live /dashboard page, the ranked "
    "dashboard, agent\ndetails and status as JSON with cache headers, "
    "ETags and gzip, and live updates\nas Server-Sent Events "
    "(docs/gateway.md).",
    BB_TABLE (s_options), BB_TABLE (s_libraries), s_health, s_run
};

//  ---------------------------------------------------------------------------
//  --health: GET /healthz on the running gateway.

static int
s_health (bb_config_t *config)
{
    return bb_httpd_health (bb_config_str (config, "http-bind"), "/healthz");
}

//  ---------------------------------------------------------------------------
//  Serving

//  Serve with api until SIGINT or SIGTERM, or until the event feed
//  stops on its own.
static int
s_serve (bb_config_t *config, const bb_api_t *api)
{
    bb_gateway_settings_t settings = {
        .bind = bb_config_str (config, "http-bind"),
        .threads = (unsigned) bb_config_int (config, "threads"),
        .connection_limit = (unsigned) bb_config_int (config,
                                                      "connection-limit"),
        .connection_timeout_s = (unsigned) bb_config_int (
            config, "connection-timeout-s"),
        .connection_memory = (size_t) bb_config_int (
            config, "connection-memory-kib") * KIB,
        .api = *api,
    };
    bb_event_feed_args_t feed_args = {
        bb_config_str (config, "store-events"), api->streams, api->pages,
        KEEPALIVE_MS
    };
    bb_actor_t *feed = bb_actor_new ("event-feed", bb_event_feed_actor,
                                     &feed_args);
    bb_gateway_t *gateway = feed ? bb_gateway_new (&settings) : NULL;
    int rc = gateway ? EXIT_SUCCESS : EXIT_FAILURE;
    if (gateway) {
        bb_info ("listening", "bind=%s port=%u threads=%u", settings.bind,
                 bb_gateway_port (gateway), settings.threads);
        if (bb_actor_serve (&feed, 1))
            rc = EXIT_FAILURE;
        bb_info ("stopping", NULL);
    }
    bb_actor_destroy (&feed);
    bb_gateway_destroy (&gateway);
    return rc;
}

//  The process: the gateway until a signal.
static int
s_run (bb_config_t *config)
{
    bb_api_t api = { .network = BB_NETWORK_MAINNET };
    if (bb_address_network_parse (bb_config_str (config, "network"),
                                  &api.network)) {
        bb_error ("config_invalid",
                  "option=network hint=\"mainnet or testnet\"");
        return BB_CONFIG_EXIT_USAGE;
    }
    api.clients = bb_client_pool_new (
        bb_config_str (config, "store-query"),
        bb_config_str (config, "scheduler-control"),
        (int) bb_config_int (config, "store-timeout-ms"),
        (size_t) bb_config_int (config, "threads"));
    if (!api.clients) {
        bb_error ("config_invalid", "option=store-query|scheduler-control "
                  "hint=\"tcp://host:port\"");
        return BB_CONFIG_EXIT_USAGE;
    }
    bb_curve_t *curve;
    if (bb_curve_client_setup (config, "scheduler-key", &curve)) {
        bb_client_pool_destroy (&api.clients);
        return BB_CONFIG_EXIT_USAGE;
    }
    bb_client_pool_set_curve (api.clients, curve);
    char *docs = bb_api_docs_text ();
    api.docs = docs;
    api.streams = bb_sse_new ((size_t) bb_config_int (config, "sse-max"));
    api.page = bb_page_new ();
    api.discovery = bb_discovery_new ();
    api.metrics = bb_metrics_new ();
    api.pages = bb_page_cache_new (
        (size_t) bb_config_int (config, "page-cache-entries"),
        bb_config_int (config, "page-cache-ttl-ms"));
    int rc = s_serve (config, &api);
    bb_page_cache_destroy (&api.pages);
    bb_metrics_destroy (&api.metrics);
    bb_discovery_destroy (&api.discovery);
    bb_page_destroy (&api.page);
    bb_sse_destroy (&api.streams);
    bb_client_pool_destroy (&api.clients);
    bb_curve_destroy (&curve);
    free (docs);
    bb_info ("stopped", "exit=%d", rc);
    return rc;
}

int
main (int argc, char **argv)
{
    return bb_main (&s_program, argc, argv);
}
