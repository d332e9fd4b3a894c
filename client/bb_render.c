/*  =========================================================================
    bb_render - the JSON of balboard's replies, for the CLI and the gateway

    Owns the mapping from wire messages (micro-USD, ms since the epoch,
    raw u128 strings) to the JSON that people and scripts read (USD reals,
    ISO-8601 times, exact balance strings). Objects are built key by key
    so the order in the file is the order on the wire; jansson keeps
    insertion order. Nothing here fails on bad input: a missing
    sub-message renders as zeros, a bad balance drops its token, bad
    UTF-8 is replaced. jansson fails only when out of memory, and then we
    abort, as every allocation in balboard asserts.
    =========================================================================
*/
#include "bb_render.h"
#include "bb_sync_outcome.h"
#include "bb_token_id.h"
#include "bb_upstream.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bb_u128.h"

#define MICRO_PER_USD       1e6
#define MS_PER_SECOND       1000
#define REAL_PRECISION      15      // significant digits of a real
#define REAL_TEXT_SIZE      32      // "%.15g" of any double, NUL included
#define PRETTY_INDENT       2

//  Fetch errors, as fetchError shows them.
#define FETCH_ERROR_PARTIAL "partial"
#define FETCH_ERROR_PENDING "pending"


//  ---------------------------------------------------------------------------
//  Values

//  Set key of object to value (a new reference).
static void
s_set (json_t *object, const char *key, json_t *value)
{
    if (!value || json_object_set_new (object, key, value) != 0)
        abort ();               // out of memory
}

//  Append value (a new reference) to array.
static void
s_append (json_t *array, json_t *value)
{
    if (!value || json_array_append_new (array, value) != 0)
        abort ();               // out of memory
}

//  A string of the length bytes at text. jansson refuses invalid UTF-8;
//  then the non-ASCII bytes become '?'.
static json_t *
s_stringn (const char *text, size_t length)
{
    json_t *string = json_stringn (text, length);
    if (!string) {
        char *ascii = malloc (length + 1);
        if (!ascii)
            abort ();           // out of memory
        for (size_t byte = 0; byte < length; byte++)
            ascii [byte] = (unsigned char) text [byte] < 0x80
                         ? text [byte]: '?';
        string = json_stringn (ascii, length);
        free (ascii);
    }
    return string;
}

//  A string; NULL (a message built by hand) is "".
static json_t *
s_string (const char *text)
{
    text = text? text: "";
    return s_stringn (text, strlen (text));
}

//  A string, or null when text is empty.
static json_t *
s_string_or_null (const char *text)
{
    return text && *text? s_string (text): json_null ();
}

static json_t *
s_uint (uint64_t value)
{
    return json_integer (value > INT64_MAX? INT64_MAX: (json_int_t) value);
}

//  A real rounded to REAL_PRECISION significant digits: what
//  bb_render_to_string prints is then exactly the value, and 1.85 prints
//  as 1.85, not 1.8500000000000001. Micro-USD up to $1e9 are exact.
static json_t *
s_real (double value)
{
    char text [REAL_TEXT_SIZE];
    snprintf (text, sizeof text, "%.*g", REAL_PRECISION, value);
    return json_real (strtod (text, NULL));
}

static json_t *
s_usd (int64_t micro)
{
    return s_real ((double) micro / MICRO_PER_USD);
}

//  An ISO-8601 time, or null for 0.
static json_t *
s_time (uint64_t ms)
{
    char buf [BB_RENDER_TIME_SIZE];
    return ms? json_string (bb_render_time (ms, buf)): json_null ();
}


//  ---------------------------------------------------------------------------
//  Parts of the dashboard

//  {"BTC","STX","sBTC"} of prices (NULL: no snapshot, all 0).
static json_t *
s_prices (const Balboard__PriceSnapshot *prices)
{
    int64_t btc = prices? prices->btc_usd_micro: 0;
    int64_t stx = prices? prices->stx_usd_micro: 0;
    json_t *object = json_object ();
    s_set (object, "BTC", s_usd (btc));
    s_set (object, "STX", s_usd (stx));
    s_set (object, "sBTC", s_usd (btc));
    return object;
}

//  The token object of position, or NULL when it holds nothing (a zero
//  or unparsable balance). With detail, also capturedAt, stale, source.
static json_t *
s_token (const Balboard__TokenPosition *position, bool detail)
{
    bb_u128_t amount;
    if (bb_u128_parse (position->balance, &amount, NULL) != 0 || amount == 0)
        return NULL;
    const char *token_id = position->token_id? position->token_id: "";
    const char *symbol = position->symbol;
    if (!symbol || !*symbol)
        symbol = bb_token_id_asset_name (token_id);
    char contract [BB_TOKEN_ID_SIZE];
    bb_token_id_contract (token_id, contract, sizeof contract);

    json_t *token = json_object ();
    s_set (token, "symbol", s_string (symbol));
    if (*contract)
        s_set (token, "contract", s_string (contract));
    char digits [BB_U128_DEC_SIZE];
    s_set (token, "balance", json_string (bb_u128_format (amount, digits)));
    s_set (token, "decimals", json_integer (position->decimals));
    //  Finite for any u128 and any decimals, as json_real needs
    s_set (token, "amount",
           s_real (bb_u128_to_units (amount, position->decimals)));
    s_set (token, "priceUsd", s_usd (position->price_usd_micro));
    s_set (token, "usdValue", s_usd (position->usd_value_micro));
    if (detail) {
        s_set (token, "capturedAt", s_time (position->captured_at_ms));
        s_set (token, "stale", json_boolean (position->stale));
        s_set (token, "source", s_string (position->source));
    }
    return token;
}

//  The agent object of row; with detail, the tokens carry their
//  capturedAt, stale and source.
static json_t *
s_agent (const Balboard__DashboardRow *row, bool detail)
{
    static const Balboard__Agent no_agent = BALBOARD__AGENT__INIT;
    const Balboard__Agent *agent = row->agent? row->agent: &no_agent;
    bool pending = row->fetch_state
                == BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING;
    bool partial = row->fetch_state
                == BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PARTIAL;

    json_t *object = json_object ();
    s_set (object, "stxAddress", s_string (agent->stx_address));
    s_set (object, "btcAddress", s_string (agent->btc_address));
    s_set (object, "displayName", s_string_or_null (agent->display_name));
    s_set (object, "bnsName", s_string_or_null (agent->bns_name));
    s_set (object, "level", json_integer (agent->level));
    s_set (object, "levelName", s_string_or_null (agent->level_name));
    json_t *tokens = json_array ();
    for (size_t index = 0; index < row->n_tokens && !pending; index++) {
        json_t *token = s_token (row->tokens [index], detail);
        if (token)
            s_append (tokens, token);
    }
    s_set (object, "tokens", tokens);
    s_set (object, "totalUsd", s_usd (pending? 0: row->total_usd_micro));
    if (pending)
        s_set (object, "fetchError", json_string (FETCH_ERROR_PENDING));
    else
    if (partial)
        s_set (object, "fetchError", json_string (FETCH_ERROR_PARTIAL));
    return object;
}


//  ---------------------------------------------------------------------------
//  The dashboard page

json_t *
bb_render_dashboard (const Balboard__DashboardPage *page)
{
    assert (page);
    static const Balboard__DashboardStats no_stats =
        BALBOARD__DASHBOARD_STATS__INIT;
    const Balboard__DashboardStats *page_stats =
        page->stats? page->stats: &no_stats;

    json_t *agents = json_array ();
    for (size_t index = 0; index < page->n_rows; index++)
        s_append (agents, s_agent (page->rows [index], false));
    json_t *stats = json_object ();
    s_set (stats, "total", s_uint (page_stats->total));
    s_set (stats, "totalUsd", s_usd (page_stats->total_usd_micro));
    s_set (stats, "pricedAt", s_time (page_stats->priced_at_ms));
    json_t *pagination = json_object ();
    s_set (pagination, "total", s_uint (page->total));
    s_set (pagination, "limit", json_integer (page->limit));
    s_set (pagination, "offset", json_integer (page->offset));
    s_set (pagination, "hasMore", json_boolean (page->has_more));

    json_t *root = json_object ();
    s_set (root, "agents", agents);
    s_set (root, "prices", s_prices (page->prices));
    s_set (root, "stats", stats);
    s_set (root, "cachedAt", s_time (page->cached_at_ms));
    s_set (root, "pagination", pagination);
    return root;
}


//  ---------------------------------------------------------------------------
//  An agent's detail

json_t *
bb_render_agent_detail (const Balboard__AgentDetail *detail)
{
    assert (detail);
    static const Balboard__DashboardRow no_row =
        BALBOARD__DASHBOARD_ROW__INIT;
    const Balboard__DashboardRow *row = detail->row? detail->row: &no_row;

    json_t *root = s_agent (row, true);
    s_set (root, "rank", s_uint (row->rank));
    json_t *history = json_array ();
    for (size_t index = 0; index < detail->n_history; index++) {
        const Balboard__HistoryPoint *point = detail->history [index];
        bb_u128_t amount;
        if (bb_u128_parse (point->balance, &amount, NULL) != 0)
            continue;           // unparsable: nothing to show
        char digits [BB_U128_DEC_SIZE];
        json_t *object = json_object ();
        s_set (object, "token", s_string (point->token_id));
        s_set (object, "capturedAt", s_time (point->captured_at_ms));
        s_set (object, "balance",
               json_string (bb_u128_format (amount, digits)));
        s_append (history, object);
    }
    s_set (root, "history", history);
    s_set (root, "prices", s_prices (detail->prices));
    return root;
}


//  ---------------------------------------------------------------------------
//  The rank of an agent

json_t *
bb_render_rank (const Balboard__RankReply *rank)
{
    assert (rank);
    json_t *root = json_object ();
    s_set (root, "stxAddress", s_string (rank->stx_address));
    s_set (root, "rank", s_uint (rank->rank));
    s_set (root, "total", s_uint (rank->total));
    s_set (root, "totalUsd", s_usd (rank->total_usd_micro));
    return root;
}


//  ---------------------------------------------------------------------------
//  Agents rejected, and the registry sync

//  [{"index","stxAddress","reason"}] of count rejections.
static json_t *
s_rejections (Balboard__AgentRejection *const *rejections, size_t count)
{
    json_t *array = json_array ();
    for (size_t index = 0; index < count; index++) {
        const Balboard__AgentRejection *rejection = rejections [index];
        json_t *object = json_object ();
        s_set (object, "index", s_uint (rejection->index));
        s_set (object, "stxAddress", s_string (rejection->stx_address));
        s_set (object, "reason", s_string (rejection->reason));
        s_append (array, object);
    }
    return array;
}

json_t *
bb_render_registry_sync (const Balboard__RegistrySyncReport *report)
{
    if (!report)
        return json_null ();
    json_t *root = json_object ();
    s_set (root, "generation", s_uint (report->generation));
    s_set (root, "outcome",
           json_string (bb_sync_outcome_label (report->outcome)));
    s_set (root, "reason", s_string_or_null (report->reason));
    s_set (root, "source", s_string_or_null (report->source));
    s_set (root, "registryAgents", s_uint (report->registry_agents));
    s_set (root, "added", s_uint (report->added));
    s_set (root, "updated", s_uint (report->updated));
    s_set (root, "removed", s_uint (report->removed));
    s_set (root, "unchanged", s_uint (report->unchanged));
    s_set (root, "rejected", s_uint (report->rejected));
    s_set (root, "rejections",
           s_rejections (report->rejections, report->n_rejections));
    s_set (root, "heldRemovals", s_uint (report->held_removals));
    s_set (root, "pages", s_uint (report->pages));
    s_set (root, "requests", s_uint (report->requests));
    s_set (root, "startedAt", s_time (report->started_ms));
    s_set (root, "finishedAt", s_time (report->finished_ms));
    return root;
}

//  {"source","syncing","nextSyncAt","lastSync"} of a scheduler's status.
static json_t *
s_registry_status (const Balboard__SchedulerStatus *status)
{
    json_t *registry = json_object ();
    s_set (registry, "source", s_string_or_null (status->registry_source));
    s_set (registry, "syncing", json_boolean (status->registry_syncing));
    s_set (registry, "nextSyncAt", s_time (status->registry_next_sync_ms));
    s_set (registry, "lastSync",
           bb_render_registry_sync (status->registry_sync));
    return registry;
}


//  ---------------------------------------------------------------------------
//  The store's stats

//  {refused, denied}: the CURVE refusals of a store or scheduler.
static json_t *
s_auth (uint64_t refused, uint64_t denied)
{
    json_t *auth = json_object ();
    s_set (auth, "refused", s_uint (refused));
    s_set (auth, "denied", s_uint (denied));
    return auth;
}

json_t *
bb_render_store_stats (const Balboard__StoreStats *stats)
{
    assert (stats);
    json_t *batches = json_object ();
    s_set (batches, "committed", s_uint (stats->batches_committed));
    s_set (batches, "duplicate", s_uint (stats->batches_duplicate));
    s_set (batches, "rejected", s_uint (stats->batches_rejected));
    json_t *rotation = json_object ();
    s_set (rotation, "number", s_uint (stats->rotation));
    s_set (rotation, "chunksDone", s_uint (stats->rotation_chunks_done));
    s_set (rotation, "agents", s_uint (stats->rotation_agents));
    json_t *prices = s_prices (stats->prices);
    s_set (prices, "pricedAt",
           s_time (stats->prices? stats->prices->priced_at_ms: 0));
    json_t *map = json_object ();
    s_set (map, "size", s_uint (stats->map_size));
    s_set (map, "used", s_uint (stats->map_used));
    json_t *full = json_object ();
    s_set (full, "writesRefused", s_uint (stats->writes_refused_full));
    s_set (full, "since", s_time (stats->store_full_since_ms));

    json_t *root = json_object ();
    s_set (root, "agents", s_uint (stats->agents));
    s_set (root, "agentsFetched", s_uint (stats->agents_fetched));
    s_set (root, "balanceRows", s_uint (stats->balance_rows));
    s_set (root, "historyRows", s_uint (stats->history_rows));
    s_set (root, "lastCommitAt", s_time (stats->last_commit_ms));
    s_set (root, "batches", batches);
    s_set (root, "rotation", rotation);
    s_set (root, "prices", prices);
    s_set (root, "map", map);
    s_set (root, "full", full);
    s_set (root, "version", s_string (stats->version));
    s_set (root, "registrySync", bb_render_registry_sync (stats->registry_sync));
    s_set (root, "auth", s_auth (stats->auth_refused, stats->auth_denied));
    return root;
}


//  ---------------------------------------------------------------------------
//  The scheduler's status

json_t *
bb_render_scheduler_status (const Balboard__SchedulerStatus *status)
{
    assert (status);
    json_t *fetchers = json_object ();
    s_set (fetchers, "connected", s_uint (status->fetchers));
    s_set (fetchers, "ready", s_uint (status->fetchers_ready));
    json_t *list = json_array ();
    for (size_t index = 0; index < status->n_fetcher_list; index++) {
        const Balboard__FetcherInfo *info = status->fetcher_list [index];
        json_t *object = json_object ();
        s_set (object, "id", s_string (info->fetcher_id));
        s_set (object, "ready", json_boolean (info->ready));
        s_set (object, "jobId", s_string (info->job_id));
        s_set (object, "jobs", s_uint (info->jobs));
        s_append (list, object);
    }
    s_set (fetchers, "list", list);
    json_t *in_flight = json_array ();
    for (size_t index = 0; index < status->n_in_flight; index++) {
        const Balboard__InFlightJob *job = status->in_flight [index];
        json_t *object = json_object ();
        s_set (object, "jobId", s_string (job->job_id));
        s_set (object, "attempt", s_uint (job->attempt));
        s_set (object, "fetcherId", s_string (job->fetcher_id));
        s_set (object, "deadlineAt", s_time (job->deadline_ms));
        s_set (object, "agents", s_uint (job->agents));
        s_append (in_flight, object);
    }
    json_t *upstreams = json_array ();
    for (size_t index = 0; index < status->n_upstreams; index++) {
        const Balboard__UpstreamHealth *health = status->upstreams [index];
        json_t *object = json_object ();
        s_set (object, "upstream",
               json_string (bb_upstream_wire_label (health->upstream)));
        s_set (object, "healthy", json_boolean (health->healthy));
        s_set (object, "pausedUntil", s_time (health->paused_until_ms));
        s_set (object, "budgetPerMinute",
               s_uint (health->budget_per_minute));
        s_set (object, "requestsDispatched",
               s_uint (health->requests_dispatched));
        s_set (object, "failures", s_uint (health->failures));
        s_set (object, "rateLimited", s_uint (health->rate_limited));
        s_set (object, "endpoint", s_string (health->endpoint));
        s_set (object, "limited", json_boolean (health->limited));
        s_set (object, "lastError", s_string (health->last_error));
        s_set (object, "lastErrorAt", s_time (health->last_error_ms));
        s_set (object, "backoffMs", s_uint (health->backoff_ms));
        s_set (object, "nextProbeAt", s_time (health->next_probe_ms));
        s_set (object, "probing", json_boolean (health->probing));
        s_append (upstreams, object);
    }

    json_t *root = json_object ();
    s_set (root, "rotation", s_uint (status->rotation));
    s_set (root, "rotationsCompleted", s_uint (status->rotations_completed));
    s_set (root, "lastRotationMs", s_uint (status->last_rotation_ms));
    s_set (root, "cursor", s_string (status->cursor));
    s_set (root, "rotationAgents", s_uint (status->rotation_agents));
    s_set (root, "rotationDone", s_uint (status->rotation_done));
    s_set (root, "mode", json_string (status->idle_mode? "idle": "active"));
    s_set (root, "paused", json_boolean (status->paused));
    s_set (root, "nextTickAt", s_time (status->next_tick_ms));
    s_set (root, "tickSeq", s_uint (status->tick_seq));
    s_set (root, "fetchers", fetchers);
    s_set (root, "inFlight", in_flight);
    s_set (root, "upstreams", upstreams);
    s_set (root, "version", s_string (status->version));
    s_set (root, "registry", s_registry_status (status));
    s_set (root, "auth", s_auth (status->auth_refused,
                                 status->auth_denied));
    return root;
}


//  ---------------------------------------------------------------------------
//  The answer to an agent upsert or remove

json_t *
bb_render_agent_ack (const Balboard__AgentAck *ack)
{
    assert (ack);
    json_t *root = json_object ();
    s_set (root, "inserted", s_uint (ack->inserted));
    s_set (root, "updated", s_uint (ack->updated));
    s_set (root, "unchanged", s_uint (ack->unchanged));
    s_set (root, "removed", s_uint (ack->removed));
    s_set (root, "rejected", s_rejections (ack->rejected, ack->n_rejected));
    return root;
}


//  ---------------------------------------------------------------------------
//  JSON as text

char *
bb_render_to_string (json_t *json, bool pretty)
{
    if (!json)
        return NULL;
    size_t flags = JSON_REAL_PRECISION (REAL_PRECISION)
                 | (pretty? JSON_INDENT (PRETTY_INDENT): JSON_COMPACT);
    return json_dumps (json, flags);
}


//  ---------------------------------------------------------------------------
//  Format ms since the epoch as ISO-8601 UTC with milliseconds

char *
bb_render_time (uint64_t ms, char *buf)
{
    assert (buf);
    //  Any uint64 of ms is a year below 2^31: gmtime_r cannot fail with a
    //  64-bit time_t.
    time_t seconds = (time_t) (ms / MS_PER_SECOND);
    struct tm tm;
    gmtime_r (&seconds, &tm);
    size_t length = strftime (buf, BB_RENDER_TIME_SIZE, "%Y-%m-%dT%H:%M:%S",
                              &tm);
    snprintf (buf + length, BB_RENDER_TIME_SIZE - length, ".%03uZ",
              (unsigned) (ms % MS_PER_SECOND));
    return buf;
}
