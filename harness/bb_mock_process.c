/*  =========================================================================
    bb_mock_process - the mock upstream as a running process, for tests
    and benchmarks

    Owns the mock's bb_child and its base URL, and is the one place that
    knows the mock's control paths (/__mock/control, /__mock/reset,
    /__mock/stats). Every exchange is one blocking bb_http_exchange.
    =========================================================================
*/
#include "bb_mock_process.h"
#include "bb_http_exchange.h"

#include <assert.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#define MOCK_BINARY     "balboard-mock-upstream"
#define ARGS_MAX        64              // as bb_child's started binaries
#define BASE_SIZE       64
#define URL_SIZE        512
#define CONTROL_PATH    "/__mock/control"
#define RESET_PATH      "/__mock/reset"
#define STATS_PATH      "/__mock/stats"
#define REGISTRY_PATH   "/api/agents"
#define MEMPOOL_PATH    "/api"
#define PRICE_PATH      "/api/v3/simple/price?ids=bitcoin,blockstack&" \
                        "vs_currencies=usd"

struct _bb_mock_process_t {
    bb_child_t *child;                  // the running mock
    char base [BASE_SIZE];              // http://127.0.0.1:<port>
};

//  ---------------------------------------------------------------------

bb_mock_process_t *
bb_mock_process_new (const char *const args [], int timeout_ms)
{
    const char *argv [ARGS_MAX] = { "--bind", "127.0.0.1:$PORT0" };
    bb_child_args_append (argv, ARGS_MAX, args);
    int ports [BB_CHILD_PORTS_MAX];
    bb_child_t *child = bb_child_start_on_free_ports (MOCK_BINARY, argv,
                                                      NULL, timeout_ms,
                                                      ports);
    if (!child) {
        fprintf (stderr, "bb_mock_process: %s did not start\n",
                 MOCK_BINARY);
        return NULL;
    }
    bb_mock_process_t *self = calloc (1, sizeof *self);
    assert (self);
    self->child = child;
    snprintf (self->base, sizeof self->base, "http://127.0.0.1:%d",
              ports [0]);
    return self;
}

//  ---------------------------------------------------------------------

void
bb_mock_process_destroy (bb_mock_process_t **self_p)
{
    assert (self_p);
    if (*self_p)
        bb_child_destroy (&(*self_p)->child);
    free (*self_p);
    *self_p = NULL;
}

//  ---------------------------------------------------------------------

int
bb_mock_process_end (bb_mock_process_t **self_p, int timeout_ms)
{
    assert (self_p);
    int code = *self_p
             ? bb_child_stop ((*self_p)->child, SIGTERM, timeout_ms) : 0;
    bb_mock_process_destroy (self_p);
    return code;
}

const char *
bb_mock_process_base (bb_mock_process_t *self)
{
    assert (self);
    return self->base;
}

//  The upstream URLs, each after its prefix (the name of a setting).
static void
s_urls (bb_mock_process_t *self, bb_mock_urls_t *urls, const char *hiro,
        const char *mempool, const char *price)
{
    assert (self && urls);
    snprintf (urls->hiro, sizeof urls->hiro, "%s%s", hiro, self->base);
    snprintf (urls->mempool, sizeof urls->mempool, "%s%s" MEMPOOL_PATH,
              mempool, self->base);
    snprintf (urls->price, sizeof urls->price, "%s%s" PRICE_PATH, price,
              self->base);
    snprintf (urls->registry, sizeof urls->registry, "%s" REGISTRY_PATH,
              self->base);
}

void
bb_mock_process_urls (bb_mock_process_t *self, bb_mock_urls_t *urls)
{
    s_urls (self, urls, "", "", "");
}

void
bb_mock_process_fetcher_env (bb_mock_process_t *self, const char *jobs,
                             const char *ingest, bb_mock_fetcher_env_t *env)
{
    assert (jobs && ingest && env);
    snprintf (env->jobs, sizeof env->jobs, "BALBOARD_SCHEDULER_JOBS=%s",
              jobs);
    snprintf (env->ingest, sizeof env->ingest, "BALBOARD_STORE_INGEST=%s",
              ingest);
    s_urls (self, &env->urls, "HIRO_BASE=", "MEMPOOL_BASE=", "PRICE_URL=");
    const char *list [] = { env->jobs, env->ingest, env->urls.hiro,
                            env->urls.mempool, env->urls.price, NULL };
    memcpy (env->list, list, sizeof env->list);
}

bb_child_t *
bb_mock_process_child (bb_mock_process_t *self)
{
    assert (self);
    return self->child;
}

//  ---------------------------------------------------------------------

int
bb_mock_process_post (bb_mock_process_t *self, const char *path,
                      const char *body, int timeout_ms)
{
    assert (self && path && body);
    char url [URL_SIZE];
    snprintf (url, sizeof url, "%s%s", self->base, path);
    bb_http_exchange_t *http = bb_http_exchange_post (
        url, "application/json", body, NULL, timeout_ms);
    long status = bb_http_exchange_status (http);
    if (status != 200)
        fprintf (stderr, "bb_mock_process: POST %s %s: %ld %s\n", path,
                 body, status, bb_http_exchange_body (http));
    bb_http_exchange_destroy (&http);
    return status == 200 ? 0 : -1;
}

int
bb_mock_process_control (bb_mock_process_t *self, const char *body,
                         int timeout_ms)
{
    return bb_mock_process_post (self, CONTROL_PATH, body, timeout_ms);
}

int
bb_mock_process_reset (bb_mock_process_t *self, int timeout_ms)
{
    return bb_mock_process_post (self, RESET_PATH, "{}", timeout_ms);
}

//  ---------------------------------------------------------------------

json_t *
bb_mock_process_stats (bb_mock_process_t *self, int timeout_ms)
{
    assert (self);
    char url [URL_SIZE];
    snprintf (url, sizeof url, "%s%s", self->base, STATS_PATH);
    bb_http_exchange_t *http = bb_http_exchange_get (url, NULL, timeout_ms);
    long status = bb_http_exchange_status (http);
    json_t *stats = status == 200
                  ? json_loads (bb_http_exchange_body (http), 0, NULL)
                  : NULL;
    if (!stats)
        fprintf (stderr, "bb_mock_process: GET %s: %ld %s\n", STATS_PATH,
                 status, bb_http_exchange_body (http));
    bb_http_exchange_destroy (&http);
    return stats;
}

long
bb_mock_process_count (bb_mock_process_t *self, int timeout_ms,
                       const char *key, ...)
{
    va_list keys;
    va_start (keys, key);
    long count = bb_mock_process_count_v (self, timeout_ms, key, keys);
    va_end (keys);
    return count;
}

long
bb_mock_process_count_v (bb_mock_process_t *self, int timeout_ms,
                         const char *key, va_list keys)
{
    json_t *stats = bb_mock_process_stats (self, timeout_ms);
    if (!stats)
        return -1;
    json_t *value = stats;
    for (; key; key = va_arg (keys, const char *))
        value = json_object_get (value, key);
    long count = (long) json_integer_value (value);
    json_decref (stats);
    return count;
}
