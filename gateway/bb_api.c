/*  =========================================================================
    bb_api - what each route of the gateway answers
    =========================================================================
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb_api.h"
#include "bb_api_docs.h"
#include "bb_etag.h"
#include "bb_http_query.h"
#include "bb_log.h"
#include "bb_render.h"

#define DATA_CACHE_CONTROL \
    "public, max-age=30, s-maxage=60, stale-while-revalidate=300"
#define HISTORY_DEFAULT 0       // the store's default history length
#define MESSAGE_SIZE    256
#define KEY_SIZE        128     // a page's key in the cache
#define MISS_WAIT_MS    2000    // for another worker's store request for
                                // the same page, at most (then ask too)

//  ---------------------------------------------------------------------------
//  Failures of a request to the store or the scheduler

//  The HTTP status for a failed call (rc) on client.
static unsigned
s_failure_status (bb_client_t *client, int rc)
{
    if (rc == BB_CLIENT_TIMEOUT || !client)
        return MHD_HTTP_SERVICE_UNAVAILABLE;
    if (rc != BB_CLIENT_ERROR_REPLY)
        return MHD_HTTP_BAD_GATEWAY;
    switch (bb_client_error_code (client)) {
        case BALBOARD__ERROR_REPLY__CODE__NOT_FOUND:
            return MHD_HTTP_NOT_FOUND;
        case BALBOARD__ERROR_REPLY__CODE__UNAVAILABLE:
        case BALBOARD__ERROR_REPLY__CODE__DEADLINE_EXCEEDED:
            return MHD_HTTP_SERVICE_UNAVAILABLE;
        default:
            return MHD_HTTP_BAD_GATEWAY;
    }
}

//  What went wrong, for a log line and an error body.
static const char *
s_failure_reason (bb_client_t *client)
{
    return client ? bb_client_reason (client) : "no client for this thread";
}

//  Answer the failure of a call to the service named what.
static enum MHD_Result
s_reply_failure (bb_http_reply_t *reply, const char *what,
                 bb_client_t *client, int rc)
{
    unsigned status = s_failure_status (client, rc);
    char message [MESSAGE_SIZE], quoted [MESSAGE_SIZE];
    snprintf (message, sizeof message, "%s: %s", what,
              status == MHD_HTTP_SERVICE_UNAVAILABLE
              ? "unavailable, retry later" : s_failure_reason (client));
    if (status != MHD_HTTP_NOT_FOUND)
        bb_warn ("upstream_failed", "service=%s status=%u reason=%s", what,
                 status, bb_log_quote (s_failure_reason (client), quoted,
                                       sizeof quoted));
    return bb_http_reply_error (reply, status, message);
}

//  ---------------------------------------------------------------------------
//  /api/dashboard

static const char *
s_argument (bb_http_reply_t *reply, const char *name)
{
    return MHD_lookup_connection_value (reply->connection,
                                        MHD_GET_ARGUMENT_KIND, name);
}

static const char *
s_header (bb_http_reply_t *reply, const char *name)
{
    return MHD_lookup_connection_value (reply->connection, MHD_HEADER_KIND,
                                        name);
}

static enum MHD_Result
s_dashboard_docs (const bb_api_t *api, bb_http_reply_t *reply)
{
    bb_http_cache_t cache = { BB_API_DOCS_CACHE_CONTROL, NULL };
    return bb_http_reply_text (reply, MHD_HTTP_OK, api->docs, &cache);
}

//  With the cache off: the ETag is checked before anything is rendered.
static enum MHD_Result
s_dashboard_uncached (const bb_api_t *api, bb_http_reply_t *reply,
                      int64_t offset, int64_t limit)
{
    bb_client_t *store = bb_client_pool_store (api->clients);
    bb_envelope_t *page = NULL;
    int rc = store ? bb_client_dashboard (store, offset, limit, &page)
                   : BB_CLIENT_TIMEOUT;
    if (rc)
        return s_reply_failure (reply, "store", store, rc);
    char etag [BB_ETAG_SIZE];
    bb_http_cache_t cache = {
        DATA_CACHE_CONTROL,
        bb_etag_dashboard (page->dashboard_page, reply->gzip, etag)
    };
    enum MHD_Result result;
    if (bb_etag_matches (s_header (reply, MHD_HTTP_HEADER_IF_NONE_MATCH),
                         etag))
        result = bb_http_reply_not_modified (reply, &cache);
    else
        result = bb_http_reply_json (reply, MHD_HTTP_OK,
            bb_render_dashboard (page->dashboard_page), &cache);
    bb_wire_envelope_destroy (&page);
    return result;
}

//  Ask the store for the page at offset and limit, render it and keep it
//  in the cache under key (claimed by the caller; the claim ends here).
//  Returns the entry (the caller releases it), or NULL with *result set
//  once the failure is answered.
static bb_page_cache_entry_t *
s_dashboard_render (const bb_api_t *api, bb_http_reply_t *reply,
                    const char *key, int64_t offset, int64_t limit,
                    enum MHD_Result *result)
{
    bb_client_t *store = bb_client_pool_store (api->clients);
    bb_envelope_t *reply_page = NULL;
    int rc = store ? bb_client_dashboard (store, offset, limit, &reply_page)
                   : BB_CLIENT_TIMEOUT;
    if (rc) {
        bb_page_cache_abandon (api->pages, key);
        *result = s_reply_failure (reply, "store", store, rc);
        return NULL;
    }
    const Balboard__DashboardPage *page = reply_page->dashboard_page;
    json_t *json = bb_render_dashboard (page);
    char *body = bb_render_to_string (json, false);
    json_decref (json);
    char etag [BB_ETAG_SIZE], etag_gzip [BB_ETAG_SIZE];
    bb_page_cache_tags_t tags = {
        DATA_CACHE_CONTROL, bb_etag_dashboard (page, false, etag),
        bb_etag_dashboard (page, true, etag_gzip)
    };
    bb_page_cache_state_t state = {
        page->commit_seq, page->prices ? page->prices->priced_at_ms : 0
    };
    bb_page_cache_entry_t *entry = NULL;
    if (body)
        entry = bb_page_cache_put (api->pages, key, &state, &body, &tags);
    else
        bb_page_cache_abandon (api->pages, key);
    free (body);
    bb_wire_envelope_destroy (&reply_page);
    *result = MHD_NO;               // out of memory when entry is NULL
    return entry;
}

enum MHD_Result
bb_api_dashboard (const bb_api_t *api, bb_http_reply_t *reply)
{
    const char *docs = s_argument (reply, "docs");
    if (docs && strcmp (docs, "1") == 0)
        return s_dashboard_docs (api, reply);
    int64_t limit = bb_http_query_limit (s_argument (reply, "limit"));
    int64_t offset = bb_http_query_offset (s_argument (reply, "offset"));
    if (!bb_page_cache_enabled (api->pages))
        return s_dashboard_uncached (api, reply, offset, limit);
    char key [KEY_SIZE];
    snprintf (key, sizeof key, "dashboard o=%lld l=%lld",
              (long long) offset, (long long) limit);
    bb_page_cache_entry_t *entry = bb_page_cache_claim (api->pages, key,
                                                        MISS_WAIT_MS);
    bb_metrics_count_page_cache (api->metrics, entry != NULL);
    enum MHD_Result result = MHD_NO;
    if (!entry)
        entry = s_dashboard_render (api, reply, key, offset, limit, &result);
    if (entry)
        result = bb_page_cache_entry_answer (entry, reply);
    bb_page_cache_entry_release (&entry);
    return result;
}

//  ---------------------------------------------------------------------------
//  /api/agents/{stxAddress}

//  Ask the store for address's detail, render it and keep it in the
//  cache under key (claimed by the caller; the claim ends here), at
//  label, the newest state known before asking. Returns the entry (the
//  caller releases it), or NULL with *result set once the failure is
//  answered.
static bb_page_cache_entry_t *
s_agent_render (const bb_api_t *api, bb_http_reply_t *reply,
                const char *key, const char *address,
                const bb_page_cache_state_t *label, enum MHD_Result *result)
{
    bb_client_t *store = bb_client_pool_store (api->clients);
    bb_envelope_t *detail = NULL;
    int rc = store ? bb_client_agent (store, address, HISTORY_DEFAULT,
                                      &detail)
                   : BB_CLIENT_TIMEOUT;
    if (rc) {
        bb_page_cache_abandon (api->pages, key);
        if (rc == BB_CLIENT_ERROR_REPLY && bb_client_error_code (store)
            == BALBOARD__ERROR_REPLY__CODE__NOT_FOUND)
            *result = bb_http_reply_error (reply, MHD_HTTP_NOT_FOUND,
                                           "no agent with this address");
        else
            *result = s_reply_failure (reply, "store", store, rc);
        return NULL;
    }
    json_t *json = bb_render_agent_detail (detail->agent_detail);
    char *body = bb_render_to_string (json, false);
    json_decref (json);
    bb_wire_envelope_destroy (&detail);
    bb_page_cache_tags_t tags = { DATA_CACHE_CONTROL, NULL, NULL };
    bb_page_cache_entry_t *entry = NULL;
    if (body)
        entry = bb_page_cache_put (api->pages, key, label, &body, &tags);
    else
        bb_page_cache_abandon (api->pages, key);
    *result = MHD_NO;               // out of memory when entry is NULL
    return entry;
}

enum MHD_Result
bb_api_agent (const bb_api_t *api, bb_http_reply_t *reply,
              const char *address)
{
    const char *reason = NULL;
    char key [KEY_SIZE];
    if (bb_address_check_stx (address, api->network, &reason)
    ||  snprintf (key, sizeof key, "agent %s", address) >= KEY_SIZE) {
        char message [MESSAGE_SIZE];
        snprintf (message, sizeof message, "not a valid STX address: %s",
                  reason ? reason : "too long");
        return bb_http_reply_error (reply, MHD_HTTP_BAD_REQUEST, message);
    }
    bb_page_cache_state_t label;
    bb_page_cache_newest (api->pages, &label);
    bb_page_cache_entry_t *entry = bb_page_cache_claim (api->pages, key,
                                                        MISS_WAIT_MS);
    if (bb_page_cache_enabled (api->pages))
        bb_metrics_count_page_cache (api->metrics, entry != NULL);
    enum MHD_Result result = MHD_NO;
    if (!entry)
        entry = s_agent_render (api, reply, key, address, &label, &result);
    if (entry)
        result = bb_page_cache_entry_answer (entry, reply);
    bb_page_cache_entry_release (&entry);
    return result;
}

//  ---------------------------------------------------------------------------
//  /api/status, /healthz, /readyz

//  reply, the answer of client's call that returned rc, or NULL with
//  *failure set. Caller destroys.
static bb_envelope_t *
s_answer (bb_client_t *client, int rc, bb_envelope_t *reply,
          const char **failure)
{
    *failure = rc ? s_failure_reason (client) : NULL;
    if (rc)
        bb_wire_envelope_destroy (&reply);
    return reply;
}

//  The store's stats reply, or NULL with *failure set. Caller destroys.
static bb_envelope_t *
s_stats_reply (const bb_api_t *api, const char **failure)
{
    bb_client_t *store = bb_client_pool_store (api->clients);
    bb_envelope_t *stats = NULL;
    int rc = store ? bb_client_stats (store, &stats) : BB_CLIENT_TIMEOUT;
    return s_answer (store, rc, stats, failure);
}

//  The scheduler's status reply, or NULL with *failure set. Caller
//  destroys.
static bb_envelope_t *
s_status_reply (const bb_api_t *api, const char **failure)
{
    bb_client_t *scheduler = bb_client_pool_scheduler (api->clients);
    bb_envelope_t *status = NULL;
    int rc = scheduler
        ? bb_client_scheduler_control (
              scheduler, BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS,
              &status)
        : BB_CLIENT_TIMEOUT;
    return s_answer (scheduler, rc, status, failure);
}

//  The store's stats as JSON, or NULL with *failure set.
static json_t *
s_store_stats (const bb_api_t *api, const char **failure)
{
    bb_envelope_t *stats = s_stats_reply (api, failure);
    json_t *json = stats ? bb_render_store_stats (stats->store_stats) : NULL;
    bb_wire_envelope_destroy (&stats);
    return json;
}

//  The scheduler's status as JSON, or NULL with *failure set.
static json_t *
s_scheduler_status (const bb_api_t *api, const char **failure)
{
    bb_envelope_t *status = s_status_reply (api, failure);
    json_t *json = status
                 ? bb_render_scheduler_status (status->scheduler_status)
                 : NULL;
    bb_wire_envelope_destroy (&status);
    return json;
}

//  Set key to part, or to null with an entry in errors.
static void
s_status_part (json_t *root, json_t *errors, const char *key, json_t *part,
               const char *failure)
{
    json_object_set_new (root, key, part ? part : json_null ());
    if (!part)
        json_array_append_new (errors, json_pack ("{s:s, s:s}", "service",
                                                  key, "error", failure));
}

enum MHD_Result
bb_api_status (const bb_api_t *api, bb_http_reply_t *reply)
{
    const char *store_failure = NULL, *scheduler_failure = NULL;
    json_t *store = s_store_stats (api, &store_failure);
    json_t *root = json_object ();
    json_t *errors = json_array ();
    s_status_part (root, errors, "store", store, store_failure);
    json_t *scheduler = s_scheduler_status (api, &scheduler_failure);
    s_status_part (root, errors, "scheduler", scheduler, scheduler_failure);
    if (json_array_size (errors))
        json_object_set (root, "errors", errors);
    json_decref (errors);
    return bb_http_reply_json (reply, MHD_HTTP_OK, root, NULL);
}

enum MHD_Result
bb_api_healthz (const bb_api_t *api, bb_http_reply_t *reply)
{
    return bb_http_reply_json (reply, MHD_HTTP_OK,
                               json_pack ("{s:s}", "status", "ok"), NULL);
}

enum MHD_Result
bb_api_readyz (const bb_api_t *api, bb_http_reply_t *reply)
{
    const char *failure = NULL;
    json_t *stats = s_store_stats (api, &failure);
    if (!stats)
        return bb_http_reply_error (reply, MHD_HTTP_SERVICE_UNAVAILABLE,
                                    "store: unavailable, retry later");
    json_decref (stats);
    return bb_http_reply_json (reply, MHD_HTTP_OK,
                               json_pack ("{s:s}", "status", "ready"), NULL);
}

//  ---------------------------------------------------------------------------
//  /metrics and the discovery documents

enum MHD_Result
bb_api_metrics (const bb_api_t *api, bb_http_reply_t *reply)
{
    const char *failure = NULL;
    bb_envelope_t *stats = s_stats_reply (api, &failure);
    bb_envelope_t *status = s_status_reply (api, &failure);
    bb_metrics_sources_t sources = {
        stats ? stats->store_stats : NULL,
        status ? status->scheduler_status : NULL,
        bb_sse_clients (api->streams)
    };
    char *text = bb_metrics_render (api->metrics, &sources);
    enum MHD_Result result = bb_http_reply_typed (
        reply, MHD_HTTP_OK, BB_METRICS_CONTENT_TYPE, text, strlen (text),
        NULL);
    free (text);
    bb_wire_envelope_destroy (&status);
    bb_wire_envelope_destroy (&stats);
    return result;
}

enum MHD_Result
bb_api_document (const bb_api_t *api, bb_http_reply_t *reply,
                 const bb_discovery_document_t *document)
{
    bb_http_cache_t cache = { BB_DISCOVERY_CACHE_CONTROL, NULL };
    return bb_http_reply_typed (reply, MHD_HTTP_OK, document->content_type,
                                document->body, document->size, &cache);
}
