/*  test_gateway_cache - the gateway's page cache (bb_page_cache) in the
    real balboard-gateway, in front of a real store: a second identical
    request makes no store request (the gateway's hit and miss counters
    in /metrics say so), an If-None-Match naming a cached page's tag is a
    304 from the cache, at most --page-cache-entries pages are kept (the
    least recently used goes), clients missing one page at once make one
    store request, an agent's detail is cached too (a 404 is not), a
    commit's event makes the next request show the new data with a new
    tag, the TTL alone bounds staleness when the store's events cannot
    reach the gateway, the cache can be turned off, and every gateway
    exits cleanly (under AddressSanitizer: with nothing leaked). No
    assertion bounds a duration from above. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "gw_world.h"
#include "bb_test_main.h"
#include "bb_clock.h"
#include "bb_http_exchange.h"

#define AGENTS              20
#define WAIT_MS             60000       // catches a hang only
#define POLL_MS             50
#define STOP_MS             20000
#define URL_SIZE            256
#define TAG_SIZE            128
#define LONG_TTL_MS         "600000"    // only an event ends an entry
#define DEAF_TTL_MS         1500
#define DEAF_TTL_TEXT       "1500"
#define ENTRIES_MAX         4
#define ENTRIES_MAX_TEXT    "4"
#define HITS    "balboard_gateway_page_cache_hits_total"
#define MISSES  "balboard_gateway_page_cache_misses_total"

static gw_world_t *s_world;
static bb_child_t *s_long;      // long TTL: entries end with events
static char s_long_base [GW_WORLD_BASE_SIZE];
static bb_child_t *s_deaf;      // no events reach it: the TTL alone
static char s_deaf_base [GW_WORLD_BASE_SIZE];

//  ---------------------------------------------------------------------------
//  HTTP

//  GET path on base with one extra header (or NULL).
static bb_http_exchange_t *
s_get (const char *base, const char *path, const char *header)
{
    char url [GW_WORLD_BASE_SIZE + URL_SIZE];
    snprintf (url, sizeof url, "%s%s", base, path);
    const char *headers [] = { header, NULL };
    return bb_http_exchange_get (url, header ? headers : NULL, WAIT_MS);
}

//  GET path on base, expect 200; its ETag into etag (TAG_SIZE bytes) and
//  pagination.total returned.
static long long
s_page (const char *base, const char *path, char *etag)
{
    bb_http_exchange_t *exchange = s_get (base, path, NULL);
    assert_int_equal (bb_http_exchange_status (exchange), 200);
    const char *tag = bb_http_exchange_header (exchange, "etag");
    assert_non_null (tag);
    snprintf (etag, TAG_SIZE, "%s", tag);
    json_t *page = json_loads (bb_http_exchange_body (exchange), 0, NULL);
    assert_non_null (page);
    long long total = json_integer_value (json_object_get (
        json_object_get (page, "pagination"), "total"));
    json_decref (page);
    bb_http_exchange_destroy (&exchange);
    return total;
}

//  The value of the sample name in base's /metrics.
static long long
s_metric (const char *base, const char *name)
{
    bb_http_exchange_t *exchange = s_get (base, "/metrics", NULL);
    assert_int_equal (bb_http_exchange_status (exchange), 200);
    char line [URL_SIZE];
    snprintf (line, sizeof line, "\n%s ", name);
    const char *found = strstr (bb_http_exchange_body (exchange), line);
    if (!found)
        fail_msg ("no %s in /metrics", name);
    long long value = strtoll (found + strlen (line), NULL, 10);
    bb_http_exchange_destroy (&exchange);
    return value;
}

typedef struct {
    long long hits, misses;
} counts_t;

static counts_t
s_counts (const char *base)
{
    return (counts_t) { s_metric (base, HITS), s_metric (base, MISSES) };
}

//  The hits and misses since before are hits and misses.
static void
s_expect_counts (const char *base, counts_t before, long long hits,
                 long long misses)
{
    counts_t now = s_counts (base);
    if (now.hits - before.hits != hits || now.misses - before.misses != misses)
        fail_msg ("%s: %lld hits and %lld misses (want %lld and %lld)", base,
                  now.hits - before.hits, now.misses - before.misses, hits,
                  misses);
}


typedef struct {
    const char *base;
    const char *path;
    const char *old_etag;
    char etag [TAG_SIZE];
    long long total;
} change_t;

static bool
s_page_changed (void *arg)
{
    change_t *change = arg;
    change->total = s_page (change->base, change->path, change->etag);
    return strcmp (change->etag, change->old_etag) != 0;
}

//  Wait (a hang-catching deadline) until path on base has another tag;
//  the new total.
static long long
s_wait_for_change (const char *base, const char *path, const char *etag)
{
    change_t change = { base, path, etag, "", 0 };
    if (bb_clock_wait_until (s_page_changed, &change, WAIT_MS, POLL_MS))
        fail_msg ("%s%s still %s after %d ms", base, path, etag, WAIT_MS);
    return change.total;
}

//  ---------------------------------------------------------------------------
//  Tests

static void
test_second_request_is_served_from_the_cache (void **state)
{
    char first [TAG_SIZE], second [TAG_SIZE];
    counts_t before = s_counts (s_long_base);
    long long total = s_page (s_long_base, "/api/dashboard?limit=7", first);
    assert_int_equal (total, AGENTS);
    s_expect_counts (s_long_base, before, 0, 1);
    assert_int_equal (s_page (s_long_base, "/api/dashboard?limit=7", second),
                      AGENTS);
    assert_string_equal (second, first);
    s_expect_counts (s_long_base, before, 1, 1);
    //  Another page is another entry
    s_page (s_long_base, "/api/dashboard?limit=7&offset=1", second);
    assert_string_not_equal (second, first);
    s_expect_counts (s_long_base, before, 1, 2);
}

static void
test_etag_hit_is_a_304_from_the_cache (void **state)
{
    char etag [TAG_SIZE], header [TAG_SIZE + 32];
    s_page (s_long_base, "/api/dashboard?limit=3", etag);
    counts_t before = s_counts (s_long_base);
    snprintf (header, sizeof header, "If-None-Match: %s", etag);
    bb_http_exchange_t *exchange = s_get (s_long_base,
                                          "/api/dashboard?limit=3", header);
    assert_int_equal (bb_http_exchange_status (exchange), 304);
    assert_int_equal (bb_http_exchange_body_size (exchange), 0);
    assert_string_equal (bb_http_exchange_header (exchange, "etag"), etag);
    bb_http_exchange_destroy (&exchange);
    s_expect_counts (s_long_base, before, 1, 0);
    //  The gzip form: made once from the cached body, its own tag and 304
    exchange = s_get (s_long_base, "/api/dashboard?limit=3",
                      "Accept-Encoding: gzip");
    assert_int_equal (bb_http_exchange_status (exchange), 200);
    assert_string_equal (bb_http_exchange_header (exchange,
                         "content-encoding"), "gzip");
    char gzip_etag [TAG_SIZE];
    snprintf (gzip_etag, sizeof gzip_etag, "%s",
              bb_http_exchange_header (exchange, "etag"));
    assert_non_null (strstr (gzip_etag, "-gzip\""));
    bb_http_exchange_destroy (&exchange);
    char url [URL_SIZE];
    snprintf (url, sizeof url, "%s/api/dashboard?limit=3", s_long_base);
    snprintf (header, sizeof header, "If-None-Match: %s", gzip_etag);
    const char *headers [] = { "Accept-Encoding: gzip", header, NULL };
    exchange = bb_http_exchange_get (url, headers, WAIT_MS);
    assert_int_equal (bb_http_exchange_status (exchange), 304);
    bb_http_exchange_destroy (&exchange);
    s_expect_counts (s_long_base, before, 3, 0);
}

static void
test_at_most_entries_max_pages (void **state)
{
    char etag [TAG_SIZE], path [URL_SIZE];
    counts_t before = s_counts (s_long_base);
    for (int offset = 10; offset <= 10 + ENTRIES_MAX; offset++) {
        snprintf (path, sizeof path, "/api/dashboard?limit=1&offset=%d",
                  offset);
        s_page (s_long_base, path, etag);
    }
    s_expect_counts (s_long_base, before, 0, ENTRIES_MAX + 1);
    //  The newest is kept; the least recently used went
    snprintf (path, sizeof path, "/api/dashboard?limit=1&offset=%d",
              10 + ENTRIES_MAX);
    s_page (s_long_base, path, etag);
    s_expect_counts (s_long_base, before, 1, ENTRIES_MAX + 1);
    s_page (s_long_base, "/api/dashboard?limit=1&offset=10", etag);
    s_expect_counts (s_long_base, before, 1, ENTRIES_MAX + 2);
}

//  An agent's detail: the second request is answered from the cache.
static void
test_agent_detail_is_cached (void **state)
{
    char path [GW_WORLD_PATH_SIZE];
    gw_world_agent_path (2, path);
    counts_t before = s_counts (s_long_base);
    bb_http_exchange_t *first = s_get (s_long_base, path, NULL);
    assert_int_equal (bb_http_exchange_status (first), 200);
    s_expect_counts (s_long_base, before, 0, 1);
    bb_http_exchange_t *second = s_get (s_long_base, path, NULL);
    assert_int_equal (bb_http_exchange_status (second), 200);
    assert_string_equal (bb_http_exchange_body (second),
                         bb_http_exchange_body (first));
    assert_null (bb_http_exchange_header (second, "etag"));
    s_expect_counts (s_long_base, before, 1, 1);
    bb_http_exchange_destroy (&second);
    bb_http_exchange_destroy (&first);
    //  An unknown agent is a 404 each time, never kept
    gw_world_agent_path (AGENTS + 100, path);
    for (int i = 0; i < 2; i++) {
        first = s_get (s_long_base, path, NULL);
        assert_int_equal (bb_http_exchange_status (first), 404);
        bb_http_exchange_destroy (&first);
    }
    s_expect_counts (s_long_base, before, 1, 3);
}

#define AT_ONCE 16              // clients asking for one new page

static void *
s_ask (void *arg)
{
    bb_http_exchange_t *exchange = s_get (s_long_base,
                                          "/api/dashboard?limit=9", NULL);
    *(long *) arg = bb_http_exchange_status (exchange);
    bb_http_exchange_destroy (&exchange);
    return NULL;
}

//  Clients that miss the same page at once make one store request: the
//  others wait for its entry (and if they do not overlap, they hit it).
static void
test_concurrent_misses_ask_once (void **state)
{
    counts_t before = s_counts (s_long_base);
    pthread_t threads [AT_ONCE];
    long statuses [AT_ONCE];
    for (size_t i = 0; i < AT_ONCE; i++)
        assert_int_equal (pthread_create (&threads [i], NULL, s_ask,
                                          &statuses [i]), 0);
    for (size_t i = 0; i < AT_ONCE; i++) {
        pthread_join (threads [i], NULL);
        assert_int_equal (statuses [i], 200);
    }
    s_expect_counts (s_long_base, before, AT_ONCE - 1, 1);
}

static void
test_commit_event_shows_new_data (void **state)
{
    char etag [TAG_SIZE];
    const char *path = "/api/dashboard?limit=5";
    long long total = s_page (s_long_base, path, etag);
    gw_world_add_agent (s_world);
    //  The TTL is ten minutes: only the commit's event ends the entry
    long long changed = s_wait_for_change (s_long_base, path, etag);
    assert_int_equal (changed, total + 1);
    char newer [TAG_SIZE];
    counts_t before = s_counts (s_long_base);
    s_page (s_long_base, path, newer);
    s_expect_counts (s_long_base, before, 1, 0);
    assert_true (strtoll (newer + 2, NULL, 10) > strtoll (etag + 2, NULL,
                                                          10));
}

static void
test_ttl_bounds_staleness_without_events (void **state)
{
    char etag [TAG_SIZE], again [TAG_SIZE];
    const char *path = "/api/dashboard?limit=6";
    counts_t before = s_counts (s_deaf_base);
    int64_t asked = bb_clock_mono_ms ();
    long long total = s_page (s_deaf_base, path, etag);
    s_page (s_deaf_base, path, again);
    //  Within the TTL the entry must have answered (a lower bound only)
    if (bb_clock_mono_ms () - asked < DEAF_TTL_MS) {
        s_expect_counts (s_deaf_base, before, 1, 1);
        assert_string_equal (again, etag);
    }
    gw_world_add_agent (s_world);
    long long changed = s_wait_for_change (s_deaf_base, path, etag);
    assert_int_equal (changed, total + 1);
}

static void
test_cache_off (void **state)
{
    char base [GW_WORLD_BASE_SIZE], etag [TAG_SIZE], header [TAG_SIZE + 32];
    const char *extra [] = { "--page-cache-ttl-ms", "0", NULL };
    bb_child_t *gateway = gw_world_gateway_new (s_world, extra, base);
    s_page (base, "/api/dashboard?limit=2", etag);
    s_page (base, "/api/dashboard?limit=2", etag);
    snprintf (header, sizeof header, "If-None-Match: %s", etag);
    bb_http_exchange_t *exchange = s_get (base, "/api/dashboard?limit=2",
                                          header);
    assert_int_equal (bb_http_exchange_status (exchange), 304);
    bb_http_exchange_destroy (&exchange);
    s_expect_counts (base, (counts_t) { 0, 0 }, 0, 0);
    assert_int_equal (bb_child_stop (gateway, SIGTERM, STOP_MS), 0);
    bb_child_destroy (&gateway);
}

//  ---------------------------------------------------------------------------

static int
s_setup (void **state)
{
    s_world = gw_world_new (AGENTS);
    const char *long_ttl [] = {
        "--page-cache-ttl-ms", LONG_TTL_MS,
        "--page-cache-entries", ENTRIES_MAX_TEXT, NULL
    };
    s_long = gw_world_gateway_new (s_world, long_ttl, s_long_base);
    //  Port 1 answers nothing: no event ever reaches this one
    const char *deaf [] = {
        "--page-cache-ttl-ms", DEAF_TTL_TEXT,
        "--store-events", "tcp://127.0.0.1:1", NULL
    };
    s_deaf = gw_world_gateway_new (s_world, deaf, s_deaf_base);
    return 0;
}

//  Every gateway exits 0 on SIGTERM (under AddressSanitizer, nothing
//  leaked: a cached entry is freed with the cache).
static int
s_teardown (void **state)
{
    assert_int_equal (bb_child_stop (s_deaf, SIGTERM, STOP_MS), 0);
    assert_int_equal (bb_child_stop (s_long, SIGTERM, STOP_MS), 0);
    bb_child_destroy (&s_deaf);
    bb_child_destroy (&s_long);
    gw_world_destroy (&s_world);
    return 0;
}

BB_TEST_MAIN_CURL (s_setup, s_teardown,
    cmocka_unit_test (test_second_request_is_served_from_the_cache),
    cmocka_unit_test (test_etag_hit_is_a_304_from_the_cache),
    cmocka_unit_test (test_at_most_entries_max_pages),
    cmocka_unit_test (test_concurrent_misses_ask_once),
    cmocka_unit_test (test_agent_detail_is_cached),
    cmocka_unit_test (test_commit_event_shows_new_data),
    cmocka_unit_test (test_ttl_bounds_staleness_without_events),
    cmocka_unit_test (test_cache_off))
