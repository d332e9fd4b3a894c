/*  =========================================================================
    bb_mock_server - the HTTP server of the mock upstream

    Owns the MHD daemon and the switches, rate limiter and stats it serves
    with. Layers, in file order: helpers; routing; the upstream flow
    (stats, latency, rate limit, fault, answer); the control paths; the
    daemon and its access handler.

    What each endpoint answers is bb_mock_exchange's business; this module
    decides which answer a request gets and counts it.
    =========================================================================
*/
#include "bb_mock_server.h"

#include <assert.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "bb_buffer.h"
#include "bb_httpd.h"
#include "bb_log.h"
#include "bb_mock_exchange.h"
#include "bb_mock_stats.h"

#define PARAM_MAX           256     // longest address / contract in a path
#define UPLOAD_MAX          (1 << 20)   // largest control body
#define CONNECTIONS_MAX     1000u
#define SLEEP_SLICE_MS      20      // how often a sleep checks for stop
#define JSON_TYPE           "application/json; charset=utf-8"

struct _bb_mock_server_t {
    struct MHD_Daemon *daemon;
    bb_mock_switches_t *switches;       // owned
    bb_mock_ratelimit_t *ratelimit;     // owned
    bb_mock_stats_t *stats;             // owned
    atomic_bool stopping;               // wakes sleeping handlers
    unsigned port;
};

//  The path a request matched.
typedef struct {
    bb_mock_endpoint_t endpoint;
    char param [PARAM_MAX];             // address or contract; "" if none
} route_t;

//  A request's body, collected over the access handler's calls.
typedef struct {
    bb_buffer_t bytes;
    bool overflow;                      // more than UPLOAD_MAX arrived
} upload_t;

static const struct {
    const char *prefix;
    const char *suffix;                 // NULL: the path is exactly prefix
    bb_mock_endpoint_t endpoint;
} s_routes [] = {
    { "/extended/v1/address/", "/balances", BB_MOCK_HIRO_V1 },
    { "/extended/v3/principals/", "/balances/stx", BB_MOCK_HIRO_V3_STX },
    { "/extended/v3/principals/", "/balances/ft", BB_MOCK_HIRO_V3_FT },
    { "/api/address/", "", BB_MOCK_MEMPOOL },
    { "/metadata/v1/ft/", "", BB_MOCK_METADATA },
    { "/api/v3/simple/price", NULL, BB_MOCK_PRICE },
    { "/api/agents", NULL, BB_MOCK_AGENTS },
};

#define ROUTE_COUNT (sizeof s_routes / sizeof s_routes [0])

//  ---------------------------------------------------------------------
//  Helpers

static int64_t
s_now_ms (void)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    return (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

//  Sleep ms, in slices, returning early once the server is stopping.
static void
s_sleep (bb_mock_server_t *self, long ms)
{
    while (ms > 0 && !atomic_load (&self->stopping)) {
        long slice = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
        struct timespec pause = { 0, slice * 1000000L };
        nanosleep (&pause, NULL);
        ms -= slice;
    }
}

//  Fastify's 404 for a path no route serves.
static void
s_reply_not_found (bb_mock_reply_t *reply, const char *method,
                   const char *url)
{
    char message [PARAM_MAX + 64];
    snprintf (message, sizeof message, "Route %s:%s not found", method, url);
    json_t *body = json_pack ("{s:s, s:s, s:i}", "message", message,
                              "error", "Not Found",
                              "statusCode", MHD_HTTP_NOT_FOUND);
    bb_mock_reply_set_json (reply, MHD_HTTP_NOT_FOUND, &body);
}

//  ---------------------------------------------------------------------
//  Routing

//  True if path is prefix + param + suffix (param non-empty, no '/',
//  shorter than PARAM_MAX), or exactly prefix when suffix is NULL.
static bool
s_route_match (const char *path, size_t index, route_t *route)
{
    const char *prefix = s_routes [index].prefix;
    const char *suffix = s_routes [index].suffix;
    route->endpoint = s_routes [index].endpoint;
    route->param [0] = 0;
    if (!suffix)
        return strcmp (path, prefix) == 0;
    size_t path_len = strlen (path);
    size_t prefix_len = strlen (prefix);
    size_t suffix_len = strlen (suffix);
    if (path_len <= prefix_len + suffix_len
    ||  strncmp (path, prefix, prefix_len) != 0
    ||  strcmp (path + path_len - suffix_len, suffix) != 0)
        return false;
    size_t param_len = path_len - prefix_len - suffix_len;
    if (param_len >= PARAM_MAX
    ||  memchr (path + prefix_len, '/', param_len))
        return false;
    memcpy (route->param, path + prefix_len, param_len);
    route->param [param_len] = 0;
    return true;
}

static bool
s_route (const char *path, route_t *route)
{
    for (size_t index = 0; index < ROUTE_COUNT; index++)
        if (s_route_match (path, index, route))
            return true;
    return false;
}

//  ---------------------------------------------------------------------
//  The upstream flow

//  Count the exchange against its host's rate limit (the agent registry
//  has none); fills ex->quota and ex->now_ms.
static bool
s_admit (bb_mock_server_t *self, bb_mock_exchange_t *ex)
{
    bb_mock_host_t host = bb_mock_endpoint_host (ex->endpoint);
    long limit = host == BB_MOCK_HOST_AGENTS
               ? 0 : ex->settings.rate_limit_per_minute;
    ex->now_ms = s_now_ms ();
    return bb_mock_ratelimit_admit (self->ratelimit, host, ex->api_key,
                                    limit, ex->settings.rate_limit_window_ms,
                                    ex->now_ms, &ex->quota);
}

static void
s_inject (bb_mock_server_t *self, bb_mock_exchange_t *ex,
          const bb_mock_fault_t *fault, bb_mock_reply_t *reply)
{
    switch (fault->kind) {
        case BB_MOCK_FAULT_5XX:
            bb_mock_exchange_unavailable (ex, (unsigned) fault->status,
                                          reply);
            break;
        case BB_MOCK_FAULT_HANG:
            s_sleep (self, fault->hang_ms);
            bb_mock_exchange_answer (ex, reply);
            break;
        case BB_MOCK_FAULT_RESET:
            bb_mock_reply_reset (reply);
            break;
        case BB_MOCK_FAULT_TRUNCATED:
            bb_mock_exchange_answer (ex, reply);
            bb_mock_reply_truncate (reply);
            break;
        case BB_MOCK_FAULT_WRONG_TYPES:
            ex->wrong_types = true;
            bb_mock_exchange_answer (ex, reply);
            break;
        case BB_MOCK_FAULT_OVERSIZED:
            bb_mock_exchange_answer (ex, reply);
            bb_mock_reply_pad (reply, (size_t) fault->oversize_bytes);
            break;
        case BB_MOCK_FAULT_INVALID_ADDRESS:
            bb_mock_exchange_reject_address (ex, reply);
            break;
        case BB_MOCK_FAULT_429:
            bb_mock_exchange_too_many (ex, reply);
            break;
        case BB_MOCK_FAULT_KIND_COUNT:
            assert (false);
            break;
    }
}

//  Build the reply of an upstream exchange. Returns what was injected:
//  "none", "rate_limit" or a fault kind's name.
static const char *
s_upstream_reply (bb_mock_server_t *self, bb_mock_exchange_t *ex,
                  bb_mock_reply_t *reply)
{
    bool admitted = s_admit (self, ex);
    bb_mock_exchange_quota_headers (ex, reply);
    if (!admitted) {
        bb_mock_stats_rate_limited (self->stats);
        bb_mock_exchange_too_many (ex, reply);
        return "rate_limit";
    }
    bb_mock_fault_t fault;
    if (!bb_mock_switches_take_fault (self->switches, ex->endpoint, &fault)) {
        bb_mock_exchange_answer (ex, reply);
        return "none";
    }
    bb_mock_stats_fault (self->stats);
    s_inject (self, ex, &fault, reply);
    return bb_mock_fault_kind_name (fault.kind);
}

static enum MHD_Result
s_serve_upstream (bb_mock_server_t *self, struct MHD_Connection *connection,
                  const char *method, const char *url, const route_t *route)
{
    bb_mock_exchange_t ex = {
        .connection = connection,
        .endpoint = route->endpoint,
        .param = route->param,
        .api_key = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                "x-api-key"),
    };
    bb_mock_switches_get (self->switches, &ex.settings);
    bb_mock_stats_enter (self->stats, route->endpoint,
                         route->param [0] ? route->param : NULL,
                         ex.api_key != NULL);
    long latency = bb_mock_switches_latency_ms (self->switches);
    s_sleep (self, latency);

    bb_mock_reply_t *reply = bb_mock_reply_new ();
    const char *injected = s_upstream_reply (self, &ex, reply);
    if (route->endpoint == BB_MOCK_AGENTS)
        bb_mock_switches_agents_served (self->switches);
    enum MHD_Result rc = bb_mock_reply_send (reply, connection);
    char quoted [PARAM_MAX + 64];
    bb_debug ("request", "method=%s path=%s endpoint=%s status=%u "
              "injected=%s latency_ms=%ld key=%s", method,
              bb_log_quote (url, quoted, sizeof quoted),
              bb_mock_endpoint_name (route->endpoint),
              bb_mock_reply_status (reply), injected, latency,
              ex.api_key ? "set" : "unset");
    bb_mock_reply_destroy (&reply);
    bb_mock_stats_leave (self->stats, route->endpoint);
    return rc;
}

//  ---------------------------------------------------------------------
//  Control paths

static void
s_reply_described (bb_mock_server_t *self, bb_mock_reply_t *reply)
{
    char *text = bb_mock_switches_describe (self->switches);
    bb_mock_reply_set_text (reply, MHD_HTTP_OK, JSON_TYPE, text);
    free (text);
}

static void
s_control (bb_mock_server_t *self, const upload_t *upload,
           bb_mock_reply_t *reply)
{
    char error [256];
    char quoted [512];
    const char *request = upload->bytes.data ? upload->bytes.data : "";
    if (upload->overflow)
        snprintf (error, sizeof error, "control body over %d bytes",
                  UPLOAD_MAX);
    if (upload->overflow
    ||  bb_mock_switches_control (self->switches, request, error,
                                  sizeof error)) {
        bb_warn ("control", "result=rejected error=%s",
                 bb_log_quote (error, quoted, sizeof quoted));
        json_t *body = json_pack ("{s:s}", "error", error);
        bb_mock_reply_set_json (reply, MHD_HTTP_BAD_REQUEST, &body);
        return;
    }
    bb_info ("control", "result=applied body=%s",
             bb_log_quote (request, quoted, sizeof quoted));
    s_reply_described (self, reply);
}

static void
s_reset (bb_mock_server_t *self, bb_mock_reply_t *reply)
{
    bb_mock_switches_reset (self->switches);
    bb_mock_ratelimit_reset (self->ratelimit);
    bb_mock_stats_reset (self->stats);
    bb_info ("reset", NULL);
    s_reply_described (self, reply);
}

static enum MHD_Result
s_serve_control (bb_mock_server_t *self, struct MHD_Connection *connection,
                 const char *method, const char *url, const upload_t *upload)
{
    bool get = strcmp (method, MHD_HTTP_METHOD_GET) == 0;
    bool post = strcmp (method, MHD_HTTP_METHOD_POST) == 0;
    bb_mock_reply_t *reply = bb_mock_reply_new ();
    if (strcmp (url, "/__mock/stats") == 0 && get) {
        char *text = bb_mock_stats_json (self->stats);
        bb_mock_reply_set_text (reply, MHD_HTTP_OK, JSON_TYPE, text);
        free (text);
    }
    else
    if (strcmp (url, "/__mock/control") == 0 && get)
        s_reply_described (self, reply);
    else
    if (strcmp (url, "/__mock/control") == 0 && post)
        s_control (self, upload, reply);
    else
    if (strcmp (url, "/__mock/reset") == 0 && post)
        s_reset (self, reply);
    else
        s_reply_not_found (reply, method, url);
    enum MHD_Result rc = bb_mock_reply_send (reply, connection);
    bb_mock_reply_destroy (&reply);
    return rc;
}

//  ---------------------------------------------------------------------
//  The daemon

//  Append a chunk of the request body, keeping it NUL-terminated; past
//  UPLOAD_MAX (or out of memory) the body is refused as too large.
static void
s_upload_append (upload_t *upload, const char *data, size_t size)
{
    if (upload->overflow || upload->bytes.size + size > UPLOAD_MAX
    ||  bb_buffer_append (&upload->bytes, data, size))
        upload->overflow = true;
}

static enum MHD_Result
s_access (void *cls, struct MHD_Connection *connection, const char *url,
          const char *method, const char *version, const char *upload_data,
          size_t *upload_data_size, void **request_p)
{
    bb_mock_server_t *self = cls;
    upload_t *upload = *request_p;
    if (!upload) {
        //  First call: headers only. Keep a place for the body.
        upload = calloc (1, sizeof *upload);
        assert (upload);
        *request_p = upload;
        return MHD_YES;
    }
    if (*upload_data_size) {
        s_upload_append (upload, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strncmp (url, "/__mock/", strlen ("/__mock/")) == 0)
        return s_serve_control (self, connection, method, url, upload);
    route_t route;
    if (strcmp (method, MHD_HTTP_METHOD_GET) == 0 && s_route (url, &route))
        return s_serve_upstream (self, connection, method, url, &route);
    bb_mock_reply_t *reply = bb_mock_reply_new ();
    s_reply_not_found (reply, method, url);
    enum MHD_Result rc = bb_mock_reply_send (reply, connection);
    bb_mock_reply_destroy (&reply);
    return rc;
}

static void
s_completed (void *cls, struct MHD_Connection *connection,
             void **request_p, enum MHD_RequestTerminationCode code)
{
    upload_t *upload = *request_p;
    if (upload) {
        bb_buffer_free (&upload->bytes);
        free (upload);
        *request_p = NULL;
    }
}

static struct MHD_Daemon *
s_daemon_start (bb_mock_server_t *self, const char *bind_address)
{
    const struct MHD_OptionItem options [] = {
        { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t) s_completed, self },
        { MHD_OPTION_CONNECTION_LIMIT, CONNECTIONS_MAX, NULL },
        { MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL },
        { MHD_OPTION_END, 0, NULL }
    };
    return bb_httpd_start (bind_address, MHD_USE_INTERNAL_POLLING_THREAD
                                         | MHD_USE_THREAD_PER_CONNECTION
                                         | MHD_USE_POLL
                                         | MHD_USE_ERROR_LOG,
                           s_access, self, options);
}

bb_mock_server_t *
bb_mock_server_new (const char *bind_address,
                    const bb_mock_settings_t *settings)
{
    assert (bind_address);
    assert (settings);
    bb_mock_server_t *self = calloc (1, sizeof *self);
    assert (self);
    self->switches = bb_mock_switches_new (settings);
    self->ratelimit = bb_mock_ratelimit_new ();
    self->stats = bb_mock_stats_new ();
    atomic_init (&self->stopping, false);
    self->daemon = s_daemon_start (self, bind_address);
    if (!self->daemon) {
        bb_mock_server_destroy (&self);
        return NULL;
    }
    self->port = bb_httpd_port (self->daemon);
    return self;
}

void
bb_mock_server_destroy (bb_mock_server_t **self_p)
{
    assert (self_p);
    bb_mock_server_t *self = *self_p;
    if (!self)
        return;
    atomic_store (&self->stopping, true);
    if (self->daemon)
        MHD_stop_daemon (self->daemon);
    bb_mock_stats_destroy (&self->stats);
    bb_mock_ratelimit_destroy (&self->ratelimit);
    bb_mock_switches_destroy (&self->switches);
    free (self);
    *self_p = NULL;
}

unsigned
bb_mock_server_port (bb_mock_server_t *self)
{
    assert (self);
    return self->port;
}
