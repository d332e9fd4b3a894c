/*  =========================================================================
    bb_metrics - the gateway's /metrics, in the Prometheus text format

    The counters are relaxed atomics: requests by (route, status) in one
    flat array, durations in a bb_histogram per route, each bucket
    counting the requests that fell in it alone (the cumulative le counts
    are summed at render time, from one read of each, so a histogram's
    +Inf bucket always equals its _count). The store's commit durations
    come the same way in its StoreStats. The exposition is written into
    a memory stream, one family after another: HELP, TYPE, then its
    samples. A family that is one field of a StoreStats, SchedulerStatus
    or UpstreamHealth is a row of a table (name, type, help, the field,
    whose C type says how to read it), so a new one is one row.
    =========================================================================
*/
#include <assert.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb_histogram.h"
#include "bb_metrics.h"
#include "bb_sync_outcome.h"
#include "bb_upstream.h"
#include "bb_version.h"

#define STATUS_MIN          100
#define STATUS_MAX          599
#define STATUS_SPAN         (STATUS_MAX - STATUS_MIN + 1)
#define AGENTS_PREFIX       "/api/agents/"
#define MICROS_PER_SECOND   1e6
#define MS_PER_SECOND       1e3
#define NAME_SIZE           256     // a label=value series, at most

//  The routes, as labels; the last one is every other path.
static const char *const s_routes [] = {
    "/api/dashboard", "/api/dashboard/events", "/api/agents/{stxAddress}",
    "/api/status", "/dashboard", "/healthz", "/readyz", "/metrics",
    "/llms.txt", "/.well-known/agent.json", "/openapi.json", "other"
};
#define ROUTE_COUNT (sizeof s_routes / sizeof s_routes [0])
#define ROUTE_AGENT 2
#define ROUTE_OTHER (ROUTE_COUNT - 1)

typedef atomic_uint_fast64_t counter_t;

struct _bb_metrics_t {
    counter_t requests [ROUTE_COUNT][STATUS_SPAN];      // by status
    bb_histogram_t durations [ROUTE_COUNT];             // by route
    counter_t page_cache_hits;          // pages answered from the cache
    counter_t page_cache_misses;        // ... asked of the store
};

bb_metrics_t *
bb_metrics_new (void)
{
    bb_metrics_t *self = calloc (1, sizeof *self);
    assert (self);
    return self;
}

void
bb_metrics_destroy (bb_metrics_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

//  ---------------------------------------------------------------------------
//  Counting

static size_t
s_route_index (const char *path)
{
    size_t prefix = strlen (AGENTS_PREFIX);
    if (strncmp (path, AGENTS_PREFIX, prefix) == 0)
        return path [prefix] && !strchr (path + prefix, '/')
             ? ROUTE_AGENT : ROUTE_OTHER;
    for (size_t route = 0; route < ROUTE_OTHER; route++)
        if (route != ROUTE_AGENT && strcmp (path, s_routes [route]) == 0)
            return route;
    return ROUTE_OTHER;
}

const char *
bb_metrics_route (const char *path)
{
    assert (path);
    return s_routes [s_route_index (path)];
}

void
bb_metrics_count_request (bb_metrics_t *self, const char *path,
                          unsigned status, double seconds)
{
    assert (self && path);
    if (status < STATUS_MIN || status > STATUS_MAX)
        return;
    size_t route = s_route_index (path);
    uint64_t micros = seconds > 0
                    ? (uint64_t) (seconds * MICROS_PER_SECOND) : 0;
    atomic_fetch_add_explicit (&self->requests [route][status - STATUS_MIN],
                               1, memory_order_relaxed);
    bb_histogram_add (&self->durations [route], micros);
}

void
bb_metrics_count_page_cache (bb_metrics_t *self, bool hit)
{
    assert (self);
    atomic_fetch_add_explicit (hit ? &self->page_cache_hits
                                   : &self->page_cache_misses,
                               1, memory_order_relaxed);
}

static uint64_t
s_read (counter_t *counter)
{
    return atomic_load_explicit (counter, memory_order_relaxed);
}

//  ---------------------------------------------------------------------------
//  Writing the exposition

static void
s_family (FILE *out, const char *name, const char *type, const char *help)
{
    fprintf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

//  A family with one sample and no labels.
static void
s_single (FILE *out, const char *name, const char *type, const char *help,
          double value)
{
    s_family (out, name, type, help);
    fprintf (out, "%s %.15g\n", name, value);
}

static void
s_gauge (FILE *out, const char *name, const char *help, double value)
{
    s_single (out, name, "gauge", help, value);
}

static void
s_counter (FILE *out, const char *name, const char *help, double value)
{
    s_single (out, name, "counter", help, value);
}

//  A label value, escaped as the text format asks (\\, \", \n).
static void
s_label_value (FILE *out, const char *text)
{
    for (; text && *text; text++) {
        if (*text == '\\' || *text == '"')
            fputc ('\\', out);
        if (*text == '\n')
            fputs ("\\n", out);
        else
            fputc (*text, out);
    }
}

static double
s_seconds (uint64_t ms)
{
    return (double) ms / MS_PER_SECOND;
}

//  ---------------------------------------------------------------------------
//  Families read from a message's fields

//  How a field is read: its C type, or milliseconds shown as seconds.
typedef enum { FIELD_U64, FIELD_U32, FIELD_BOOL, FIELD_MS } field_kind_t;

//  A family whose sample is one field of a message (StoreStats,
//  SchedulerStatus, UpstreamHealth).
typedef struct {
    const char *name;
    const char *type;               // "gauge" or "counter"
    const char *help;
    size_t offset;                  // of the field in its message
    field_kind_t kind;
} field_family_t;

//  A row for member of the FIELD_MESSAGE type its table defines: the
//  member's C type picks its reading (a size_t count reads as the unsigned
//  integer it is).
#define FIELD(type, name, help, member) \
    { name, type, help, offsetof (FIELD_MESSAGE, member), \
      _Generic (((FIELD_MESSAGE *) 0)->member, uint64_t: FIELD_U64, \
                uint32_t: FIELD_U32, protobuf_c_boolean: FIELD_BOOL) }
//  A gauge row for a uint64_t member in ms, shown in seconds.
#define FIELD_SECONDS(name, help, member) \
    { name, "gauge", help, offsetof (FIELD_MESSAGE, member), \
      _Generic (((FIELD_MESSAGE *) 0)->member, uint64_t: FIELD_MS) }

static double
s_field (const void *message, const field_family_t *family)
{
    const char *field = (const char *) message + family->offset;
    switch (family->kind) {
        case FIELD_U32:     return *(const uint32_t *) field;
        case FIELD_BOOL:    return *(const protobuf_c_boolean *) field;
        case FIELD_MS:      return s_seconds (*(const uint64_t *) field);
        default:            return (double) *(const uint64_t *) field;
    }
}

//  One family of one sample per row of families, read from message.
#define FAMILIES(table) table, sizeof table / sizeof table [0]
static void
s_render_fields (FILE *out, const void *message,
                 const field_family_t *families, size_t count)
{
    for (size_t index = 0; index < count; index++)
        s_single (out, families [index].name, families [index].type,
                  families [index].help, s_field (message, &families [index]));
}

//  ---------------------------------------------------------------------------
//  The gateway's own series

static void
s_render_requests (bb_metrics_t *self, FILE *out)
{
    s_family (out, "balboard_http_requests_total", "counter",
              "HTTP requests answered by this gateway, by route and status.");
    for (size_t route = 0; route < ROUTE_COUNT; route++)
        for (unsigned index = 0; index < STATUS_SPAN; index++) {
            uint64_t count = s_read (&self->requests [route][index]);
            if (count)
                fprintf (out, "balboard_http_requests_total{route=\"%s\","
                         "status=\"%u\"} %" PRIu64 "\n", s_routes [route],
                         index + STATUS_MIN, count);
        }
}

//  The samples of histogram name for the series label=value (no label
//  when label is NULL): cumulative le buckets, _sum and _count. Nothing
//  for a labelled series that counted none.
static void
s_histogram (FILE *out, const char *name, const char *label,
             const char *value, const bb_latency_t *latency)
{
    uint64_t cumulative [BB_LATENCY_BUCKETS], total = 0;
    for (size_t bucket = 0; bucket < BB_LATENCY_BUCKETS; bucket++)
        cumulative [bucket] = total += latency->buckets [bucket];
    if (!total && label)
        return;
    char series [NAME_SIZE] = "";
    if (label)
        snprintf (series, sizeof series, "%s=\"%s\"", label, value);
    for (size_t bucket = 0; bucket < BB_LATENCY_BUCKETS; bucket++)
        fprintf (out, "%s_bucket{%s%sle=\"%s\"} %" PRIu64 "\n", name,
                 series, label ? "," : "", bucket < BB_LATENCY_BOUNDS
                 ? bb_latency_bound_label (bucket) : "+Inf",
                 cumulative [bucket]);
    const char *open = label ? "{" : "", *close = label ? "}" : "";
    fprintf (out, "%s_sum%s%s%s %.6f\n", name, open, series, close,
             (double) latency->sum_us / MICROS_PER_SECOND);
    fprintf (out, "%s_count%s%s%s %" PRIu64 "\n", name, open, series, close,
             total);
}

static void
s_render_durations (bb_metrics_t *self, FILE *out)
{
    const char *name = "balboard_http_request_duration_seconds";
    s_family (out, name, "histogram",
              "Time from a complete request to its queued answer, by route.");
    for (size_t route = 0; route < ROUTE_COUNT; route++) {
        bb_latency_t latency;
        bb_histogram_read (&self->durations [route], &latency);
        s_histogram (out, name, "route", s_routes [route], &latency);
    }
}

//  balboard_build_info: the gateway's, the store's and the scheduler's.
static void
s_render_build (FILE *out, const bb_metrics_sources_t *sources)
{
    char gateway [BB_VERSION_TEXT_SIZE];
    const char *services [] = { "gateway", "store", "scheduler" };
    const char *versions [] = {
        bb_version_text (gateway),
        sources->store ? sources->store->version : NULL,
        sources->scheduler ? sources->scheduler->version : NULL
    };
    s_family (out, "balboard_build_info", "gauge",
              "1, labelled with each running part's build.");
    for (size_t index = 0; index < sizeof services / sizeof services [0];
         index++) {
        if (!versions [index])
            continue;
        fprintf (out, "balboard_build_info{service=\"%s\",version=\"",
                 services [index]);
        s_label_value (out, versions [index]);
        fputs ("\"} 1\n", out);
    }
}

//  ---------------------------------------------------------------------------
//  The store's series (StoreStats)

#define FIELD_MESSAGE Balboard__StoreStats

static const field_family_t s_store_counts [] = {
    FIELD ("gauge", "balboard_store_agents", "Agents in the registry.",
           agents),
    FIELD ("gauge", "balboard_store_agents_fetched",
           "Agents fetched at least once.", agents_fetched),
    FIELD ("gauge", "balboard_store_balance_rows",
           "Latest-balance rows, one per agent and token.", balance_rows),
    FIELD ("gauge", "balboard_store_history_rows", "History points kept.",
           history_rows),
    FIELD_SECONDS ("balboard_store_last_commit_timestamp_seconds",
                   "When the store last committed a write, 0 if never.",
                   last_commit_ms),
};

static const field_family_t s_store_space [] = {
    FIELD ("gauge", "balboard_store_rotation",
           "The rotation the newest batch belongs to.", rotation),
    FIELD ("gauge", "balboard_store_rotation_chunks_done",
           "Chunks of that rotation committed.", rotation_chunks_done),
    FIELD ("gauge", "balboard_store_map_size_bytes",
           "Size of the store's LMDB map.", map_size),
    FIELD ("gauge", "balboard_store_map_used_bytes",
           "Bytes of the LMDB map in use.", map_used),
    FIELD ("counter", "balboard_store_writes_refused_full_total",
           "Writes refused RESOURCE_EXHAUSTED: the map at its maximum or "
           "the volume out of space.", writes_refused_full),
    FIELD_SECONDS ("balboard_store_full_since_timestamp_seconds",
                   "Since when the store refuses writes as full, 0 if it "
                   "is not.", store_full_since_ms),
};
#undef FIELD_MESSAGE

static void
s_render_store (FILE *out, const Balboard__StoreStats *stats)
{
    s_render_fields (out, stats, FAMILIES (s_store_counts));
    s_family (out, "balboard_store_batches_total", "counter",
              "Balance batches the store answered, by outcome.");
    fprintf (out, "balboard_store_batches_total{outcome=\"committed\"} %"
             PRIu64 "\n", stats->batches_committed);
    fprintf (out, "balboard_store_batches_total{outcome=\"duplicate\"} %"
             PRIu64 "\n", stats->batches_duplicate);
    fprintf (out, "balboard_store_batches_total{outcome=\"rejected\"} %"
             PRIu64 "\n", stats->batches_rejected);
    s_render_fields (out, stats, FAMILIES (s_store_space));
}

//  The store's commit durations, as one histogram of no labels (a store
//  that predates them sends no buckets: an empty one).
static void
s_render_store_commits (FILE *out, const Balboard__StoreStats *stats)
{
    const char *name = "balboard_store_commit_seconds";
    s_family (out, name, "histogram",
              "How long the store's write transactions took to commit.");
    bb_latency_t latency = { .sum_us = 0 };
    bb_latency_merge (&latency, stats->commit_latency_buckets,
                      stats->n_commit_latency_buckets,
                      stats->commit_latency_sum_us);
    s_histogram (out, name, NULL, NULL, &latency);
}

//  What a process with CURVE keys (process: "store", "scheduler") refused
//  at the handshake and denied by role (docs/security.md).
static void
s_render_auth (FILE *out, const char *process, uint64_t refused,
               uint64_t denied)
{
    fprintf (out, "# HELP balboard_%s_auth_refused_total Connections the %s "
             "refused at the CURVE handshake: no key, unknown or revoked "
             "key.\n# TYPE balboard_%s_auth_refused_total counter\n"
             "balboard_%s_auth_refused_total %" PRIu64 "\n", process,
             process, process, process, refused);
    fprintf (out, "# HELP balboard_%s_auth_denied_total Requests the %s "
             "denied: outside the role of the sender's key.\n# TYPE "
             "balboard_%s_auth_denied_total counter\n"
             "balboard_%s_auth_denied_total %" PRIu64 "\n", process,
             process, process, process, denied);
}

//  The price snapshot the store values everything at (absent before the
//  first one).
static void
s_render_prices (FILE *out, const Balboard__PriceSnapshot *prices)
{
    s_family (out, "balboard_price_usd", "gauge",
              "USD per whole token in the current price snapshot.");
    fprintf (out, "balboard_price_usd{symbol=\"BTC\"} %.6f\n",
             (double) prices->btc_usd_micro / MICROS_PER_SECOND);
    fprintf (out, "balboard_price_usd{symbol=\"STX\"} %.6f\n",
             (double) prices->stx_usd_micro / MICROS_PER_SECOND);
    fprintf (out, "balboard_price_usd{symbol=\"sBTC\"} %.6f\n",
             (double) prices->btc_usd_micro / MICROS_PER_SECOND);
    s_gauge (out, "balboard_price_timestamp_seconds",
             "When the current price snapshot was taken.",
             s_seconds (prices->priced_at_ms));
}

//  ---------------------------------------------------------------------------
//  The scheduler's series (SchedulerStatus)

#define FIELD_MESSAGE Balboard__SchedulerStatus

static const field_family_t s_scheduler [] = {
    FIELD ("gauge", "balboard_rotation", "The current rotation's number.",
           rotation),
    FIELD ("gauge", "balboard_rotation_agents",
           "Agents in the current rotation so far.", rotation_agents),
    FIELD ("gauge", "balboard_rotation_done_agents",
           "Agents of the current rotation whose job has reported.",
           rotation_done),
    FIELD ("counter", "balboard_rotations_completed_total",
           "Rotations completed.", rotations_completed),
    FIELD_SECONDS ("balboard_rotation_last_duration_seconds",
                   "How long the last complete rotation took.",
                   last_rotation_ms),
    FIELD ("counter", "balboard_scheduler_ticks_total",
           "Alarm ticks (and balboard tick) the scheduler ran.",
           tick_seq),
    FIELD ("gauge", "balboard_scheduler_idle",
           "1 in the IDLE interval mode, 0 in ACTIVE.", idle_mode),
    FIELD ("gauge", "balboard_scheduler_paused",
           "1 while an operator has paused dispatch.", paused),
    FIELD_SECONDS ("balboard_scheduler_next_tick_timestamp_seconds",
                   "When the next alarm tick is due.", next_tick_ms),
    FIELD ("gauge", "balboard_fetchers_connected", "Fetchers connected.",
           fetchers),
    FIELD ("gauge", "balboard_fetchers_ready",
           "Fetchers connected and waiting for a job.", fetchers_ready),
    FIELD ("gauge", "balboard_jobs_in_flight",
           "Jobs dispatched and not yet reported.", n_in_flight),
};
#undef FIELD_MESSAGE

#define FIELD_MESSAGE Balboard__UpstreamHealth

//  The upstreams' counts, then how the scheduler paces a troubled one
//  (docs/scheduler.md): one sample per upstream each.
static const field_family_t s_upstreams [] = {
    FIELD ("counter", "balboard_upstream_requests_total",
           "Upstream requests dispatched in jobs.", requests_dispatched),
    FIELD ("counter", "balboard_upstream_failures_total",
           "Upstream requests that failed, as jobs reported.", failures),
    FIELD ("counter", "balboard_upstream_rate_limited_total",
           "Upstream answers 429 Too Many Requests, as jobs reported.",
           rate_limited),
    FIELD ("gauge", "balboard_upstream_healthy",
           "1 while the upstream is healthy.", healthy),
    FIELD_SECONDS ("balboard_upstream_paused_until_timestamp_seconds",
                   "Until when dispatch to the upstream is paused, 0 if "
                   "not.", paused_until_ms),
    FIELD ("gauge", "balboard_upstream_budget_per_minute",
           "The upstream's request budget per minute, 0 = unlimited.",
           budget_per_minute),
    FIELD ("gauge", "balboard_upstream_limited",
           "1 while the upstream is paced: chunk jobs skip it.", limited),
    FIELD ("gauge", "balboard_upstream_probing",
           "1 while a job carrying the upstream as a probe is out.",
           probing),
    FIELD_SECONDS ("balboard_upstream_backoff_seconds",
                   "The ceiling of the upstream's current backoff step, "
                   "0 if none.", backoff_ms),
    FIELD_SECONDS ("balboard_upstream_last_error_timestamp_seconds",
                   "When the upstream's latest trouble was reported, 0 "
                   "if never.", last_error_ms),
    FIELD_SECONDS ("balboard_upstream_next_probe_timestamp_seconds",
                   "When a job next carries the paced upstream, 0 if not "
                   "limited.", next_probe_ms),
};
#undef FIELD_MESSAGE

static void
s_render_upstreams (FILE *out, const Balboard__SchedulerStatus *status)
{
    for (size_t family = 0; family < sizeof s_upstreams / sizeof *s_upstreams;
         family++) {
        const field_family_t *upstream = &s_upstreams [family];
        s_family (out, upstream->name, upstream->type, upstream->help);
        for (size_t index = 0; index < status->n_upstreams; index++) {
            const Balboard__UpstreamHealth *health = status->upstreams [index];
            fprintf (out, "%s{upstream=\"%s\"} %.15g\n", upstream->name,
                     bb_upstream_wire_label (health->upstream),
                     s_field (health, upstream));
        }
    }
}

//  The upstream requests' durations, as the scheduler summed the jobs'
//  reports (bb_latency buckets).
static void
s_render_upstream_latency (FILE *out, const Balboard__SchedulerStatus *status)
{
    const char *name = "balboard_upstream_request_duration_seconds";
    s_family (out, name, "histogram",
              "Upstream request durations (each attempt), as jobs "
              "reported them.");
    for (size_t index = 0; index < status->n_upstreams; index++) {
        const Balboard__UpstreamHealth *health = status->upstreams [index];
        bb_latency_t latency = { .sum_us = health->latency_sum_us };
        bb_latency_merge (&latency, health->latency_buckets,
                          health->n_latency_buckets, 0);
        s_histogram (out, name, "upstream",
                     bb_upstream_wire_label (health->upstream), &latency);
    }
}

//  ---------------------------------------------------------------------------
//  The registry sync's series

//  The outcomes a finished sync can have, one sample each.
static const Balboard__SyncOutcome s_sync_outcomes [] = {
    BALBOARD__SYNC_OUTCOME__SYNC_APPLIED, BALBOARD__SYNC_OUTCOME__SYNC_PARTIAL,
    BALBOARD__SYNC_OUTCOME__SYNC_HELD, BALBOARD__SYNC_OUTCOME__SYNC_DUPLICATE,
    BALBOARD__SYNC_OUTCOME__SYNC_FAILED
};
#define SYNC_OUTCOME_COUNT (sizeof s_sync_outcomes / sizeof *s_sync_outcomes)

static void
s_render_sync_report (FILE *out, const Balboard__RegistrySyncReport *report)
{
    s_gauge (out, "balboard_registry_last_sync_timestamp_seconds",
             "When the last registry sync finished.",
             s_seconds (report->finished_ms));
    s_gauge (out, "balboard_registry_last_sync_generation",
             "The scheduler's number of the last registry sync.",
             (double) report->generation);
    s_family (out, "balboard_registry_last_sync_outcome", "gauge",
              "1 for the last registry sync's outcome, 0 for the others.");
    for (size_t index = 0; index < SYNC_OUTCOME_COUNT; index++)
        fprintf (out, "balboard_registry_last_sync_outcome{outcome=\"%s\"} "
                 "%d\n", bb_sync_outcome_label (s_sync_outcomes [index]),
                 report->outcome == s_sync_outcomes [index]);
    const struct { const char *what; uint32_t count; } counts [] = {
        { "listed", report->registry_agents }, { "added", report->added },
        { "updated", report->updated }, { "removed", report->removed },
        { "unchanged", report->unchanged }, { "rejected", report->rejected }
    };
    s_family (out, "balboard_registry_last_sync_agents", "gauge",
              "Agents of the last registry sync, by what it did with them.");
    for (size_t index = 0; index < sizeof counts / sizeof counts [0]; index++)
        fprintf (out, "balboard_registry_last_sync_agents{what=\"%s\"} %u\n",
                 counts [index].what, counts [index].count);
    s_gauge (out, "balboard_registry_held_removals",
             "Removals the last registry sync held until balboard agents "
             "sync --confirm.", report->held_removals);
    s_gauge (out, "balboard_registry_last_sync_requests",
             "HTTP requests the last registry sync made, retries included.",
             report->requests);
}

//  The scheduler's registry state, and the last sync as the scheduler saw
//  it (failures included), else as the store applied it.
static void
s_render_registry (FILE *out, const bb_metrics_sources_t *sources)
{
    const Balboard__SchedulerStatus *status = sources->scheduler;
    if (status) {
        s_gauge (out, "balboard_registry_configured",
                 "1 if the scheduler syncs the agents with a registry.",
                 status->registry_source && *status->registry_source);
        s_gauge (out, "balboard_registry_syncing",
                 "1 while a registry sync job is out.",
                 status->registry_syncing);
        s_gauge (out, "balboard_registry_next_sync_timestamp_seconds",
                 "When the next registry sync is due, 0 if none is planned.",
                 s_seconds (status->registry_next_sync_ms));
    }
    const Balboard__RegistrySyncReport *report =
        status && status->registry_sync ? status->registry_sync
        : sources->store ? sources->store->registry_sync : NULL;
    if (report)
        s_render_sync_report (out, report);
}

//  ---------------------------------------------------------------------------
//  The exposition

char *
bb_metrics_render (bb_metrics_t *self, const bb_metrics_sources_t *sources)
{
    assert (self && sources);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    assert (out);
    s_render_requests (self, out);
    s_render_durations (self, out);
    s_counter (out, "balboard_gateway_page_cache_hits_total",
               "Dashboard pages and agent details answered from this "
               "gateway's page cache.",
               (double) s_read (&self->page_cache_hits));
    s_counter (out, "balboard_gateway_page_cache_misses_total",
               "Dashboard pages and agent details this gateway's page "
               "cache did not hold (each a store request).",
               (double) s_read (&self->page_cache_misses));
    s_render_build (out, sources);
    s_gauge (out, "balboard_sse_clients",
             "Open /api/dashboard/events streams of this gateway.",
             (double) sources->sse_clients);
    s_gauge (out, "balboard_store_up",
             "1 if the store answered this scrape's stats query.",
             sources->store != NULL);
    s_gauge (out, "balboard_scheduler_up",
             "1 if the scheduler answered this scrape's status query.",
             sources->scheduler != NULL);
    if (sources->store) {
        s_render_store (out, sources->store);
        s_render_store_commits (out, sources->store);
        s_render_auth (out, "store", sources->store->auth_refused,
                       sources->store->auth_denied);
    }
    if (sources->store && sources->store->prices)
        s_render_prices (out, sources->store->prices);
    if (sources->scheduler) {
        s_render_fields (out, sources->scheduler, FAMILIES (s_scheduler));
        s_render_upstreams (out, sources->scheduler);
        s_render_upstream_latency (out, sources->scheduler);
        s_render_auth (out, "scheduler", sources->scheduler->auth_refused,
                       sources->scheduler->auth_denied);
    }
    s_render_registry (out, sources);
    fclose (out);
    assert (text);
    return text;
}
