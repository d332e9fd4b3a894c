/*  =========================================================================
    bb_gateway - balboard's HTTP server: the daemon and its routes
    =========================================================================
*/
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <czmq.h>

#include "bb_gateway.h"
#include "bb_gzip.h"
#include "bb_httpd.h"
#include "bb_log.h"

#define TARGET_MAX      8192    // request target (path and query) bytes
#define HEADERS_MAX     16384   // request header bytes (names and values)
#define AGENTS_PREFIX   "/api/agents/"
#define PATH_LOG_SIZE   256
#define USECS_PER_MS    1000
#define USECS_PER_SECOND 1e6

struct _bb_gateway_t {
    bb_gateway_settings_t settings;
    struct MHD_Daemon *daemon;
    unsigned port;
};

//  ---------------------------------------------------------------------------
//  Request size limits

//  Adds the size of one key=value pair to the total at cls.
static enum MHD_Result
s_count_pair (void *cls, enum MHD_ValueKind kind, const char *key,
              const char *value)
{
    size_t *total = cls;
    *total += strlen (key) + (value ? strlen (value) + 1 : 0) + 1;
    return MHD_YES;
}

static size_t
s_values_size (struct MHD_Connection *connection, enum MHD_ValueKind kind)
{
    size_t total = 0;
    MHD_get_connection_values (connection, kind, s_count_pair, &total);
    return total;
}

//  0 when the request is within the limits, else 414 or 431.
static unsigned
s_size_status (struct MHD_Connection *connection, const char *url)
{
    if (strlen (url) + s_values_size (connection, MHD_GET_ARGUMENT_KIND)
        > TARGET_MAX)
        return MHD_HTTP_URI_TOO_LONG;
    if (s_values_size (connection, MHD_HEADER_KIND) > HEADERS_MAX)
        return MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE;
    return 0;
}

//  ---------------------------------------------------------------------------
//  Routing

static bool
s_method_allowed (const char *method)
{
    return strcmp (method, MHD_HTTP_METHOD_GET) == 0
        || strcmp (method, MHD_HTTP_METHOD_HEAD) == 0;
}

//  The agent address of an /api/agents/{stxAddress} path, or NULL.
static const char *
s_agent_address (const char *url)
{
    if (strncmp (url, AGENTS_PREFIX, strlen (AGENTS_PREFIX)))
        return NULL;
    const char *address = url + strlen (AGENTS_PREFIX);
    return *address && !strchr (address, '/') ? address : NULL;
}

static enum MHD_Result
s_route (bb_gateway_t *self, bb_http_reply_t *reply, const char *method,
         const char *url)
{
    const bb_api_t *api = &self->settings.api;
    unsigned too_large = s_size_status (reply->connection, url);
    if (too_large)
        return bb_http_reply_error (reply, too_large, "request too large");
    if (!s_method_allowed (method))
        return bb_http_reply_error (reply, MHD_HTTP_METHOD_NOT_ALLOWED,
                                    "method not allowed");
    if (strcmp (url, "/api/dashboard") == 0)
        return bb_api_dashboard (api, reply);
    if (strcmp (url, "/api/dashboard/events") == 0)
        return bb_sse_answer (api->streams, reply);
    const char *address = s_agent_address (url);
    if (address)
        return bb_api_agent (api, reply, address);
    if (strcmp (url, "/dashboard") == 0)
        return bb_page_answer (api->page, reply);
    if (strcmp (url, "/api/status") == 0)
        return bb_api_status (api, reply);
    if (strcmp (url, "/healthz") == 0)
        return bb_api_healthz (api, reply);
    if (strcmp (url, "/readyz") == 0)
        return bb_api_readyz (api, reply);
    if (strcmp (url, "/metrics") == 0)
        return bb_api_metrics (api, reply);
    const bb_discovery_document_t *document =
        bb_discovery_find (api->discovery, url);
    if (document)
        return bb_api_document (api, reply, document);
    return bb_http_reply_error (reply, MHD_HTTP_NOT_FOUND, "no such route");
}

//  Every request. A GET or HEAD is answered on the second call, once
//  the request is complete, so the connection stays open for the next
//  one; any other method gets its 405 at once (its body, if any, is not
//  read, and the connection closes).
static enum MHD_Result
s_access (void *cls, struct MHD_Connection *connection, const char *url,
          const char *method, const char *version, const char *upload_data,
          size_t *upload_data_size, void **request_p)
{
    bb_gateway_t *self = cls;
    if (!*request_p && s_method_allowed (method)) {
        *request_p = self;              // seen; no state to keep
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;          // a GET's body: ignored
        return MHD_YES;
    }
    int64_t started = zclock_usecs ();
    bb_http_reply_t reply = {
        connection,
        bb_gzip_accepted (MHD_lookup_connection_value (
            connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING)),
        0
    };
    enum MHD_Result result = s_route (self, &reply, method, url);
    int64_t usecs = zclock_usecs () - started;
    bb_metrics_count_request (self->settings.api.metrics, url, reply.status,
                              (double) usecs / USECS_PER_SECOND);
    char path [PATH_LOG_SIZE];
    bb_debug ("request", "method=%s path=%s status=%u ms=%lld", method,
              bb_log_quote (url, path, sizeof path), reply.status,
              (long long) (usecs / USECS_PER_MS));
    return result;
}

//  ---------------------------------------------------------------------------
//  The daemon

static struct MHD_Daemon *
s_daemon_start (bb_gateway_t *self)
{
    const bb_gateway_settings_t *settings = &self->settings;
    const struct MHD_OptionItem options [] = {
        { MHD_OPTION_THREAD_POOL_SIZE, settings->threads, NULL },
        { MHD_OPTION_CONNECTION_LIMIT, settings->connection_limit, NULL },
        { MHD_OPTION_CONNECTION_TIMEOUT, settings->connection_timeout_s,
          NULL },
        { MHD_OPTION_CONNECTION_MEMORY_LIMIT,
          (intptr_t) settings->connection_memory, NULL },
        { MHD_OPTION_END, 0, NULL }
    };
    return bb_httpd_start (settings->bind, MHD_USE_EPOLL_INTERNAL_THREAD
                                           | MHD_USE_ERROR_LOG
                                           | MHD_ALLOW_SUSPEND_RESUME,
                           s_access, self, options);
}

bb_gateway_t *
bb_gateway_new (const bb_gateway_settings_t *settings)
{
    assert (settings && settings->bind && settings->threads);
    bb_gateway_t *self = calloc (1, sizeof *self);
    assert (self);
    self->settings = *settings;
    self->daemon = s_daemon_start (self);
    if (!self->daemon) {
        bb_gateway_destroy (&self);
        return NULL;
    }
    self->port = bb_httpd_port (self->daemon);
    return self;
}

void
bb_gateway_destroy (bb_gateway_t **self_p)
{
    assert (self_p);
    bb_gateway_t *self = *self_p;
    if (!self)
        return;
    if (self->daemon) {
        bb_sse_stop (self->settings.api.streams);  // none stays suspended
        MHD_stop_daemon (self->daemon);
    }
    free (self);
    *self_p = NULL;
}

unsigned
bb_gateway_port (bb_gateway_t *self)
{
    assert (self);
    return self->port;
}
