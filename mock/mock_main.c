/*  =========================================================================
    balboard-mock-upstream - a local stand-in for Hiro, mempool.space,
    CoinGecko and the agent registry

    Owns the process: reads the settings (flags and environment, see
    --help), starts bb_mock_server and serves until SIGINT or SIGTERM, then
    stops it and exits 0. --health asks a running mock for GET
    /__mock/stats and exits 0 if it answers 200, else 1. Point the fetcher at it with
    HIRO_BASE=http://127.0.0.1:8090, MEMPOOL_BASE=http://127.0.0.1:8090/api
    and PRICE_URL=http://127.0.0.1:8090/api/v3/simple/price?ids=bitcoin,
    blockstack&vs_currencies=usd. Tests change its behaviour at runtime with
    POST /__mock/control and read its counters at GET /__mock/stats.
    =========================================================================
*/
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include <microhttpd.h>

#include "bb_config.h"
#include "bb_httpd.h"
#include "bb_log.h"
#include "bb_main.h"
#include "bb_mock_server.h"
#include "bb_mockdata.h"
#include "bb_signal.h"

#define PROGRAM "balboard-mock-upstream"
#define STOP_POLL_MS 100                // how often main checks for a signal

static const bb_option_t s_options [] = {
    BB_OPTION_STRING ("bind", "BALBOARD_MOCK_BIND", "127.0.0.1:8090",
                      "host:port to listen on (port 0 = any free port)"),
    BB_OPTION_INT ("latency-ms", "BALBOARD_MOCK_LATENCY_MS", "0",
                   0, BB_MOCK_MS_MAX, "delay before every upstream answer"),
    BB_OPTION_INT ("latency-spread-ms", "BALBOARD_MOCK_LATENCY_SPREAD_MS", "0",
                   0, BB_MOCK_MS_MAX, "uniform +/- jitter on --latency-ms"),
    BB_OPTION_INT ("rate-limit-per-minute",
                   "BALBOARD_MOCK_RATE_LIMIT_PER_MINUTE", "0",
                   0, BB_MOCK_RATE_MAX,
                   "requests per window per host and API key; 0 = no limit"),
    BB_OPTION_INT ("rate-limit-window-ms",
                   "BALBOARD_MOCK_RATE_LIMIT_WINDOW_MS", "60000", 1,
                   BB_MOCK_WINDOW_MS_MAX,
                   "length of the fixed rate-limit window"),
    BB_OPTION_INT ("rate-limit-retry-after-s",
                   "BALBOARD_MOCK_RATE_LIMIT_RETRY_AFTER_S", "0",
                   0, BB_MOCK_RETRY_S_MAX,
                   "Retry-After of a 429; 0 = until the window ends"),
    { "gone-v1", "BALBOARD_MOCK_GONE_V1", BB_OPT_BOOL, "false", 0, 0, false,
      "answer Hiro v1 balances with 410 Gone (deprecated endpoints off)" },
    BB_OPTION_INT ("agents", "BALBOARD_MOCK_AGENTS", "1000",
                   0, BB_MOCK_AGENTS_MAX, "sample agents /api/agents lists"),
    BB_OPTION_INT ("v3-page-size", "BALBOARD_MOCK_V3_PAGE_SIZE", "200",
                   1, BB_MOCK_PAGE_SIZE_MAX,
                   "largest v3 ft page, whatever limit asks (forces paging)"),
    BB_OPTION_INT ("oversize-bytes", "BALBOARD_MOCK_OVERSIZE_BYTES", "8388608",
                   1, BB_MOCK_OVERSIZE_MAX,
                   "body size of the \"oversized\" fault"),
    { "btc-usd", "BALBOARD_MOCK_BTC_USD", BB_OPT_STRING,
      BB_MOCK_BTC_USD_DEFAULT, 0, 0, false, "BTC price in USD" },
    { "stx-usd", "BALBOARD_MOCK_STX_USD", BB_OPT_STRING,
      BB_MOCK_STX_USD_DEFAULT, 0, 0, false, "STX price in USD" },
    BB_OPTION_HEALTH (
      "ask the running mock at --bind for GET /__mock/stats; exit 0 if it "
      "answers 200, else 1"),
    BB_OPTION_LOG_LEVEL,
};

static const bb_library_t s_libraries [] = {
    { "libmicrohttpd", MHD_get_version }
};

static int s_health (bb_config_t *config);
static int s_run (bb_config_t *config);

static const bb_program_t s_program = {
    PROGRAM,
    "Serve the Hiro, mempool.space, CoinGecko and agent "
    "registry APIs with deterministic data\nand injectable faults "
    "(POST /__mock/control, POST /__mock/reset, GET /__mock/stats).",
    BB_TABLE (s_options), BB_TABLE (s_libraries), s_health, s_run
};

//  Parse price option name (a finite number >= 0) into *price. 0 or -1.
static int
s_price (bb_config_t *config, const char *name, double *price)
{
    const char *text = bb_config_str (config, name);
    char *end = NULL;
    *price = text ? strtod (text, &end) : NAN;
    if (!text || !*text || *end || !isfinite (*price) || *price < 0) {
        bb_error ("config_invalid", "option=%s hint=\"a number >= 0\"",
                  name);
        return -1;
    }
    return 0;
}

static int
s_settings (bb_config_t *config, bb_mock_settings_t *settings)
{
    *settings = (bb_mock_settings_t) {
        .latency_ms = (long) bb_config_int (config, "latency-ms"),
        .latency_spread_ms = (long) bb_config_int (config,
                                                   "latency-spread-ms"),
        .rate_limit_per_minute = (long) bb_config_int (
            config, "rate-limit-per-minute"),
        .rate_limit_window_ms = (long) bb_config_int (
            config, "rate-limit-window-ms"),
        .rate_limit_retry_after_s = (long) bb_config_int (
            config, "rate-limit-retry-after-s"),
        .gone_v1 = bb_config_bool (config, "gone-v1"),
        .v3_page_size = (long) bb_config_int (config, "v3-page-size"),
        .oversize_bytes = (long) bb_config_int (config, "oversize-bytes"),
        .agents = (long) bb_config_int (config, "agents"),
    };
    if (s_price (config, "btc-usd", &settings->btc_usd)
    ||  s_price (config, "stx-usd", &settings->stx_usd))
        return -1;
    return 0;
}

//  Serve until SIGINT or SIGTERM.
static int
s_serve (bb_config_t *config, const bb_mock_settings_t *settings)
{
    const char *bind_address = bb_config_str (config, "bind");
    bb_mock_server_t *server = bb_mock_server_new (bind_address, settings);
    if (!server)
        return EXIT_FAILURE;
    bb_info ("listening", "bind=%s port=%u", bind_address,
             bb_mock_server_port (server));
    while (!bb_signal_stopping ()) {
        struct timespec pause = { 0, STOP_POLL_MS * 1000000L };
        nanosleep (&pause, NULL);
    }
    bb_info ("stopping", NULL);
    bb_mock_server_destroy (&server);
    bb_info ("stopped", NULL);
    return EXIT_SUCCESS;
}

static int
s_health (bb_config_t *config)
{
    return bb_httpd_health (bb_config_str (config, "bind"), "/__mock/stats");
}

//  The process: --health, or the server until a signal.
static int
s_run (bb_config_t *config)
{
    bb_mock_settings_t settings;
    if (s_settings (config, &settings))
        return BB_CONFIG_EXIT_USAGE;
    return s_serve (config, &settings);
}

int
main (int argc, char **argv)
{
    return bb_main (&s_program, argc, argv);
}
