/*  test_metrics - the /metrics renderer: route labels, request counts
    and duration histograms (cumulative, +Inf equal to _count), counts
    from many threads at once, the store's and scheduler's series from
    their replies, the up gauges when a part did not answer, label
    escaping, and the text format's rules for every family (HELP and
    TYPE before the samples, the balboard_ prefix, _total on counters
    only). promtool checks the live exposition in
    test_discovery_metrics. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bb_latency.h"
#include "bb_metrics.h"
#include "bb_test_main.h"

#define THREADS             8
#define COUNTS_PER_THREAD   10000
#define NAME_SIZE           128

//  Fail unless text holds line as a whole line.
static void
s_has_line (const char *text, const char *line)
{
    size_t length = strlen (line);
    for (const char *at = strstr (text, line); at; at = strstr (at + 1, line))
        if ((at == text || at [-1] == '\n') && at [length] == '\n')
            return;
    fail_msg ("no line \"%s\" in:\n%s", line, text);
}

static void
s_lacks (const char *text, const char *part)
{
    if (strstr (text, part))
        fail_msg ("\"%s\" should not be in:\n%s", part, text);
}

//  The text format's rules for every line: a sample's family was
//  declared by HELP then TYPE just before its samples, every name starts
//  with balboard_, counters (only) end in _total.
static void
s_check_format (const char *text)
{
    char family [NAME_SIZE] = "", type [NAME_SIZE] = "";
    char *copy = strdup (text);
    char *save = NULL;
    for (char *line = strtok_r (copy, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save)) {
        char name [NAME_SIZE];
        if (sscanf (line, "# HELP %127s", name) == 1) {
            assert_memory_equal (name, "balboard_", 9);
            snprintf (family, sizeof family, "%s", name);
            continue;
        }
        if (sscanf (line, "# TYPE %127s %127s", name, type) == 2) {
            assert_string_equal (name, family);
            bool total = strlen (name) > 6
                      && strcmp (name + strlen (name) - 6, "_total") == 0;
            assert_int_equal (total, strcmp (type, "counter") == 0);
            continue;
        }
        assert_int_equal (sscanf (line, "%127[^{ ]", name), 1);
        if (strncmp (name, family, strlen (family)))
            fail_msg ("sample %s outside its family %s", name, family);
    }
    free (copy);
}

static char *
s_render (bb_metrics_t *metrics, const Balboard__StoreStats *store,
          const Balboard__SchedulerStatus *scheduler)
{
    bb_metrics_sources_t sources = { store, scheduler, 3 };
    char *text = bb_metrics_render (metrics, &sources);
    s_check_format (text);
    return text;
}

static void
test_routes (void **state)
{
    const struct { const char *path, *route; } cases [] = {
        { "/api/dashboard", "/api/dashboard" },
        { "/api/dashboard/events", "/api/dashboard/events" },
        { "/api/agents/SP1KZHSQV4H6NQYHRQ22J4ZDBXK38CHRD50KAXNTF",
          "/api/agents/{stxAddress}" },
        { "/api/agents/anything", "/api/agents/{stxAddress}" },
        { "/api/agents/", "other" },
        { "/api/agents/a/b", "other" },
        { "/metrics", "/metrics" },
        { "/.well-known/agent.json", "/.well-known/agent.json" },
        { "/openapi.json", "/openapi.json" },
        { "/api/dashboard/", "other" },
        { "/", "other" },
        { "/api/agents/{stxAddress}", "/api/agents/{stxAddress}" },
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases [0]; index++)
        assert_string_equal (bb_metrics_route (cases [index].path),
                             cases [index].route);
}

static void
test_requests_and_durations (void **state)
{
    bb_metrics_t *metrics = bb_metrics_new ();
    char *text = s_render (metrics, NULL, NULL);
    s_has_line (text, "balboard_store_up 0");
    s_has_line (text, "balboard_scheduler_up 0");
    s_has_line (text, "balboard_sse_clients 3");
    s_lacks (text, "balboard_http_requests_total{");
    s_lacks (text, "balboard_store_agents");
    s_lacks (text, "balboard_rotation ");
    free (text);

    bb_metrics_count_request (metrics, "/api/dashboard", 200, 0.0002);
    bb_metrics_count_request (metrics, "/api/dashboard", 200, 0.003);
    bb_metrics_count_request (metrics, "/api/dashboard", 304, 0.0001);
    bb_metrics_count_request (metrics, "/api/agents/SPX", 404, 20.0);
    bb_metrics_count_request (metrics, "/nope", 404, 0.001);
    bb_metrics_count_request (metrics, "/nope", 0, 0.001);      // no status
    bb_metrics_count_request (metrics, "/nope", 600, 0.001);
    text = s_render (metrics, NULL, NULL);
    s_has_line (text, "balboard_http_requests_total{route=\"/api/dashboard\","
                      "status=\"200\"} 2");
    s_has_line (text, "balboard_http_requests_total{route=\"/api/dashboard\","
                      "status=\"304\"} 1");
    s_has_line (text, "balboard_http_requests_total{route="
                      "\"/api/agents/{stxAddress}\",status=\"404\"} 1");
    s_has_line (text, "balboard_http_requests_total{route=\"other\","
                      "status=\"404\"} 1");
    const char *histogram = "balboard_http_request_duration_seconds";
    char line [256];
    const char *expected [][2] = {
        { "0.0005", "2" }, { "0.001", "2" }, { "0.0025", "2" },
        { "0.005", "3" }, { "10", "3" }, { "+Inf", "3" }
    };
    for (size_t index = 0; index < 6; index++) {
        snprintf (line, sizeof line, "%s_bucket{route=\"/api/dashboard\","
                  "le=\"%s\"} %s", histogram, expected [index][0],
                  expected [index][1]);
        s_has_line (text, line);
    }
    snprintf (line, sizeof line, "%s_count{route=\"/api/dashboard\"} 3",
              histogram);
    s_has_line (text, line);
    snprintf (line, sizeof line, "%s_sum{route=\"/api/dashboard\"} 0.003300",
              histogram);
    s_has_line (text, line);
    snprintf (line, sizeof line, "%s_bucket{route=\"/api/agents/"
              "{stxAddress}\",le=\"10\"} 0", histogram);
    s_has_line (text, line);
    snprintf (line, sizeof line, "%s_bucket{route=\"/api/agents/"
              "{stxAddress}\",le=\"+Inf\"} 1", histogram);
    s_has_line (text, line);
    s_lacks (text, "route=\"/healthz\"");
    free (text);
    bb_metrics_destroy (&metrics);
    bb_metrics_destroy (&metrics);
}

static void *
s_count_many (void *metrics)
{
    for (int count = 0; count < COUNTS_PER_THREAD; count++)
        bb_metrics_count_request (metrics, "/healthz", 200, 0.0001);
    return NULL;
}

static void
test_threads_count_at_once (void **state)
{
    bb_metrics_t *metrics = bb_metrics_new ();
    pthread_t threads [THREADS];
    for (size_t index = 0; index < THREADS; index++)
        assert_int_equal (pthread_create (&threads [index], NULL,
                                          s_count_many, metrics), 0);
    for (size_t index = 0; index < THREADS; index++)
        pthread_join (threads [index], NULL);
    char *text = s_render (metrics, NULL, NULL), line [200];
    snprintf (line, sizeof line, "balboard_http_requests_total{route="
              "\"/healthz\",status=\"200\"} %d", THREADS * COUNTS_PER_THREAD);
    s_has_line (text, line);
    snprintf (line, sizeof line, "balboard_http_request_duration_seconds_"
              "count{route=\"/healthz\"} %d", THREADS * COUNTS_PER_THREAD);
    s_has_line (text, line);
    free (text);
    bb_metrics_destroy (&metrics);
}

static void
test_store_and_scheduler (void **state)
{
    Balboard__PriceSnapshot prices = BALBOARD__PRICE_SNAPSHOT__INIT;
    prices.btc_usd_micro = 67187335894;
    prices.stx_usd_micro = 2500000;
    prices.priced_at_ms = 1764655629223;
    Balboard__StoreStats store = BALBOARD__STORE_STATS__INIT;
    store.agents = 50;
    store.agents_fetched = 49;
    store.batches_committed = 7;
    store.batches_duplicate = 2;
    store.last_commit_ms = 1764655629229;
    store.prices = &prices;
    store.version = "0.1.0 (a\"b\\c)";
    uint64_t commits [BB_LATENCY_BUCKETS] = { 0 };
    commits [bb_latency_bucket (3000)] = 2;         // 2.5 to 5 ms
    store.commit_latency_buckets = commits;
    store.n_commit_latency_buckets = BB_LATENCY_BUCKETS;
    store.commit_latency_sum_us = 7000;
    Balboard__UpstreamHealth hiro = BALBOARD__UPSTREAM_HEALTH__INIT;
    hiro.upstream = BALBOARD__UPSTREAM__UPSTREAM_HIRO;
    hiro.healthy = true;
    hiro.requests_dispatched = 100;
    hiro.rate_limited = 3;
    hiro.budget_per_minute = 50;
    hiro.limited = true;
    hiro.backoff_ms = 4000;
    hiro.next_probe_ms = 1764655630500;
    uint64_t latency [BB_LATENCY_BUCKETS] = { 0 };
    latency [bb_latency_bucket (80000)] = 3;        // 50 to 100 ms
    latency [BB_LATENCY_BOUNDS] = 1;                // above 10 s
    hiro.latency_buckets = latency;
    hiro.n_latency_buckets = BB_LATENCY_BUCKETS;
    hiro.latency_sum_us = 12250000;
    Balboard__UpstreamHealth *upstreams [] = { &hiro };
    Balboard__InFlightJob job = BALBOARD__IN_FLIGHT_JOB__INIT;
    Balboard__InFlightJob *jobs [] = { &job, &job };
    Balboard__SchedulerStatus scheduler = BALBOARD__SCHEDULER_STATUS__INIT;
    scheduler.rotation = 4;
    scheduler.rotation_done = 30;
    scheduler.rotations_completed = 3;
    scheduler.fetchers = 2;
    scheduler.fetchers_ready = 1;
    scheduler.n_in_flight = 2;
    scheduler.in_flight = jobs;
    scheduler.n_upstreams = 1;
    scheduler.upstreams = upstreams;
    scheduler.version = "0.1.0 (x)";
    Balboard__RegistrySyncReport held = BALBOARD__REGISTRY_SYNC_REPORT__INIT;
    held.generation = 9;
    held.outcome = BALBOARD__SYNC_OUTCOME__SYNC_HELD;
    held.registry_agents = 80;
    held.added = 2;
    held.held_removals = 70;
    held.requests = 3;
    held.finished_ms = 1764655629500;
    scheduler.registry_source = "http://registry.test/api/agents";
    scheduler.registry_sync = &held;
    scheduler.registry_next_sync_ms = 1764656229500;

    bb_metrics_t *metrics = bb_metrics_new ();
    char *text = s_render (metrics, &store, &scheduler);
    const char *lines [] = {
        "balboard_store_up 1", "balboard_scheduler_up 1",
        "balboard_store_agents 50", "balboard_store_agents_fetched 49",
        "balboard_store_batches_total{outcome=\"committed\"} 7",
        "balboard_store_batches_total{outcome=\"duplicate\"} 2",
        "balboard_store_batches_total{outcome=\"rejected\"} 0",
        "balboard_store_last_commit_timestamp_seconds 1764655629.229",
        "balboard_price_usd{symbol=\"BTC\"} 67187.335894",
        "balboard_price_usd{symbol=\"sBTC\"} 67187.335894",
        "balboard_price_usd{symbol=\"STX\"} 2.500000",
        "# TYPE balboard_store_commit_seconds histogram",
        "balboard_store_commit_seconds_bucket{le=\"0.0025\"} 0",
        "balboard_store_commit_seconds_bucket{le=\"0.005\"} 2",
        "balboard_store_commit_seconds_bucket{le=\"+Inf\"} 2",
        "balboard_store_commit_seconds_sum 0.007000",
        "balboard_store_commit_seconds_count 2",
        "balboard_build_info{service=\"store\","
        "version=\"0.1.0 (a\\\"b\\\\c)\"} 1",
        "balboard_build_info{service=\"scheduler\",version=\"0.1.0 (x)\"} 1",
        "balboard_rotation 4", "balboard_rotation_done_agents 30",
        "balboard_rotations_completed_total 3",
        "balboard_fetchers_connected 2", "balboard_fetchers_ready 1",
        "balboard_jobs_in_flight 2",
        "balboard_upstream_requests_total{upstream=\"hiro\"} 100",
        "balboard_upstream_rate_limited_total{upstream=\"hiro\"} 3",
        "balboard_upstream_failures_total{upstream=\"hiro\"} 0",
        "balboard_upstream_healthy{upstream=\"hiro\"} 1",
        "balboard_upstream_budget_per_minute{upstream=\"hiro\"} 50",
        "balboard_upstream_limited{upstream=\"hiro\"} 1",
        "balboard_upstream_probing{upstream=\"hiro\"} 0",
        "balboard_upstream_backoff_seconds{upstream=\"hiro\"} 4",
        "balboard_upstream_next_probe_timestamp_seconds{upstream=\"hiro\"} "
        "1764655630.5",
        "balboard_upstream_last_error_timestamp_seconds{upstream=\"hiro\"} 0",
        "balboard_upstream_request_duration_seconds_bucket{upstream="
        "\"hiro\",le=\"0.05\"} 0",
        "balboard_upstream_request_duration_seconds_bucket{upstream="
        "\"hiro\",le=\"0.1\"} 3",
        "balboard_upstream_request_duration_seconds_bucket{upstream="
        "\"hiro\",le=\"10\"} 3",
        "balboard_upstream_request_duration_seconds_bucket{upstream="
        "\"hiro\",le=\"+Inf\"} 4",
        "balboard_upstream_request_duration_seconds_sum{upstream="
        "\"hiro\"} 12.250000",
        "balboard_upstream_request_duration_seconds_count{upstream="
        "\"hiro\"} 4",
        "balboard_registry_configured 1", "balboard_registry_syncing 0",
        "balboard_registry_next_sync_timestamp_seconds 1764656229.5",
        "balboard_registry_last_sync_timestamp_seconds 1764655629.5",
        "balboard_registry_last_sync_generation 9",
        "balboard_registry_last_sync_outcome{outcome=\"held\"} 1",
        "balboard_registry_last_sync_outcome{outcome=\"applied\"} 0",
        "balboard_registry_last_sync_agents{what=\"listed\"} 80",
        "balboard_registry_last_sync_agents{what=\"added\"} 2",
        "balboard_registry_last_sync_agents{what=\"removed\"} 0",
        "balboard_registry_held_removals 70",
        "balboard_registry_last_sync_requests 3",
    };
    for (size_t index = 0; index < sizeof lines / sizeof lines [0]; index++)
        s_has_line (text, lines [index]);
    free (text);

    store.prices = NULL;            // no snapshot yet
    text = s_render (metrics, &store, NULL);
    s_lacks (text, "balboard_price_usd");
    s_has_line (text, "balboard_scheduler_up 0");
    s_lacks (text, "balboard_upstream_");
    s_lacks (text, "balboard_registry_");
    free (text);

    //  No scheduler: the store's last applied sync
    Balboard__RegistrySyncReport applied = BALBOARD__REGISTRY_SYNC_REPORT__INIT;
    applied.generation = 8;
    applied.outcome = BALBOARD__SYNC_OUTCOME__SYNC_APPLIED;
    applied.removed = 5;
    store.registry_sync = &applied;
    text = s_render (metrics, &store, NULL);
    s_has_line (text, "balboard_registry_last_sync_generation 8");
    s_has_line (text, "balboard_registry_last_sync_agents{what=\"removed\"} 5");
    s_lacks (text, "balboard_registry_configured");
    free (text);
    bb_metrics_destroy (&metrics);
}

BB_TEST_MAIN (NULL, NULL,
              cmocka_unit_test (test_routes),
              cmocka_unit_test (test_requests_and_durations),
              cmocka_unit_test (test_threads_count_at_once),
              cmocka_unit_test (test_store_and_scheduler))
