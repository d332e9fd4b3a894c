/*  =========================================================================
    bench_constant - a constant upstream for bench_fetcher
    =========================================================================
*/
#include "bench_constant.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bb_httpd.h"

#define HIRO_BODY \
    "{\"stx\":{\"balance\":\"123456789\",\"total_sent\":\"0\"," \
    "\"total_received\":\"123456789\",\"total_fees_sent\":\"0\"," \
    "\"total_miner_rewards_received\":\"0\",\"lock_tx_id\":\"\"," \
    "\"locked\":\"0\",\"lock_height\":0,\"burnchain_lock_height\":0," \
    "\"burnchain_unlock_height\":0},\"fungible_tokens\":{" \
    "\"SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token::sbtc-token\":" \
    "{\"balance\":\"250000\",\"total_sent\":\"0\"," \
    "\"total_received\":\"250000\"}},\"non_fungible_tokens\":{}}"
#define MEMPOOL_BODY \
    "{\"address\":\"bc1q\",\"chain_stats\":{\"funded_txo_count\":2," \
    "\"funded_txo_sum\":150000,\"spent_txo_count\":1," \
    "\"spent_txo_sum\":50000,\"tx_count\":3},\"mempool_stats\":{" \
    "\"funded_txo_count\":0,\"funded_txo_sum\":0,\"spent_txo_count\":0," \
    "\"spent_txo_sum\":0,\"tx_count\":0}}"
#define PRICE_BODY \
    "{\"bitcoin\":{\"usd\":97000.5},\"blockstack\":{\"usd\":0.61}}"

typedef struct {
    const char *marker;             // a path holding it gets the body
    const char *body;
    struct MHD_Response *response;  // made once
} route_t;

static route_t s_routes [] = {
    { "/extended/v1/address/", HIRO_BODY, NULL },
    { "/address/", MEMPOOL_BODY, NULL },
    { "/simple/price", PRICE_BODY, NULL },
};

#define ROUTES (sizeof s_routes / sizeof s_routes [0])

static struct MHD_Response *s_not_found;
static volatile sig_atomic_t s_stop;

//  Every request, answered on the second call, once it is complete, so
//  the connection stays open for the next one.
static enum MHD_Result
s_access (void *cls, struct MHD_Connection *connection, const char *url,
          const char *method, const char *version, const char *upload,
          size_t *upload_size, void **request_p)
{
    (void) method; (void) version; (void) upload;
    if (!*request_p) {
        *request_p = cls;               // seen; no state to keep
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;               // a body: ignored
        return MHD_YES;
    }
    for (size_t i = 0; i < ROUTES; i++)
        if (strstr (url, s_routes [i].marker))
            return MHD_queue_response (connection, MHD_HTTP_OK,
                                       s_routes [i].response);
    return MHD_queue_response (connection, MHD_HTTP_NOT_FOUND, s_not_found);
}

static void
s_on_signal (int signum)
{
    (void) signum;
    s_stop = 1;
}

int
bench_constant_serve (int port)
{
    for (size_t i = 0; i < ROUTES; i++) {
        s_routes [i].response = MHD_create_response_from_buffer (
            strlen (s_routes [i].body), (void *) s_routes [i].body,
            MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header (s_routes [i].response, "Content-Type",
                                 "application/json");
    }
    s_not_found = MHD_create_response_from_buffer (0, (void *) "",
                                                   MHD_RESPMEM_PERSISTENT);
    signal (SIGTERM, s_on_signal);
    signal (SIGINT, s_on_signal);
    char bind [32];
    snprintf (bind, sizeof bind, "127.0.0.1:%d", port);
    const struct MHD_OptionItem options [] = {
        { MHD_OPTION_CONNECTION_LIMIT, 1000, NULL },
        { MHD_OPTION_END, 0, NULL }
    };
    struct MHD_Daemon *daemon = bb_httpd_start (
        bind, MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO,
        s_access, s_routes, options);
    if (!daemon)
        return 1;                       // bb_httpd_start logged why
    while (!s_stop)
        pause ();
    MHD_stop_daemon (daemon);
    for (size_t i = 0; i < ROUTES; i++)
        MHD_destroy_response (s_routes [i].response);
    MHD_destroy_response (s_not_found);
    return 0;
}
