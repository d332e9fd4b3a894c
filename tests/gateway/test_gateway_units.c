/*  test_gateway_units - the gateway's pure modules: the parseInt reading
    of query parameters, ETags and If-None-Match, Accept-Encoding and
    gzip, the SSE message of a store event, the page's
    Content-Security-Policy, and the page cache's rules (state, TTL,
    LRU, off, claims). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "bb_test_main.h"
#include <zlib.h>

#include "bb_etag.h"
#include "bb_event_feed.h"
#include "bb_gzip.h"
#include "bb_http_query.h"
#include "bb_page.h"
#include "bb_page_cache.h"

static void
test_parse_int (void **state)
{
    int64_t value = -1;
    assert_false (bb_http_query_parse_int (NULL, &value));
    assert_false (bb_http_query_parse_int ("", &value));
    assert_false (bb_http_query_parse_int ("abc", &value));
    assert_false (bb_http_query_parse_int ("-", &value));
    assert_false (bb_http_query_parse_int (" + 1", &value));
    assert_false (bb_http_query_parse_int (".5", &value));
    assert_true (bb_http_query_parse_int ("7.9", &value));
    assert_int_equal (value, 7);
    assert_true (bb_http_query_parse_int ("12abc", &value));
    assert_int_equal (value, 12);
    assert_true (bb_http_query_parse_int (" \t\n-5", &value));
    assert_int_equal (value, -5);
    assert_true (bb_http_query_parse_int ("+007", &value));
    assert_int_equal (value, 7);
    assert_true (bb_http_query_parse_int ("0x10", &value));
    assert_int_equal (value, 0);
    assert_true (bb_http_query_parse_int ("99999999999999999999", &value));
    assert_int_equal (value, INT64_MAX);
}

static void
test_limit_and_offset (void **state)
{
    assert_int_equal (bb_http_query_limit (NULL), 100);
    assert_int_equal (bb_http_query_limit ("abc"), 100);
    assert_int_equal (bb_http_query_limit (""), 100);
    assert_int_equal (bb_http_query_limit ("0"), 100);
    assert_int_equal (bb_http_query_limit ("-0"), 100);
    assert_int_equal (bb_http_query_limit ("-5"), 1);
    assert_int_equal (bb_http_query_limit ("1"), 1);
    assert_int_equal (bb_http_query_limit ("500"), 500);
    assert_int_equal (bb_http_query_limit ("501"), 500);
    assert_int_equal (bb_http_query_limit ("1000"), 500);
    assert_int_equal (bb_http_query_limit ("7.9"), 7);
    assert_int_equal (bb_http_query_offset (NULL), 0);
    assert_int_equal (bb_http_query_offset ("-5"), 0);
    assert_int_equal (bb_http_query_offset ("12abc"), 12);
    assert_int_equal (bb_http_query_offset ("abc"), 0);
    assert_int_equal (bb_http_query_offset ("99999999999999999999"),
                      BB_HTTP_QUERY_OFFSET_MAX);
}

static void
test_etag (void **state)
{
    Balboard__PriceSnapshot prices = BALBOARD__PRICE_SNAPSHOT__INIT;
    prices.priced_at_ms = 1700000000123ULL;
    Balboard__DashboardPage page = BALBOARD__DASHBOARD_PAGE__INIT;
    page.commit_seq = 42;
    page.prices = &prices;
    page.offset = 10;
    page.limit = 20;
    char etag [BB_ETAG_SIZE];
    assert_string_equal (bb_etag_dashboard (&page, false, etag),
                         "\"c42-p1700000000123-o10-l20\"");
    assert_string_equal (bb_etag_dashboard (&page, true, etag),
                         "\"c42-p1700000000123-o10-l20-gzip\"");
    page.prices = NULL;
    assert_string_equal (bb_etag_dashboard (&page, false, etag),
                         "\"c42-p0-o10-l20\"");
}

static void
test_if_none_match (void **state)
{
    const char *etag = "\"c1-p2-o0-l100\"";
    assert_false (bb_etag_matches (NULL, etag));
    assert_false (bb_etag_matches ("", etag));
    assert_true (bb_etag_matches ("\"c1-p2-o0-l100\"", etag));
    assert_true (bb_etag_matches ("W/\"c1-p2-o0-l100\"", etag));
    assert_true (bb_etag_matches ("*", etag));
    assert_true (bb_etag_matches ("\"a\", W/\"b\",\"c1-p2-o0-l100\" ", etag));
    assert_true (bb_etag_matches (" ,\"a\" ,  \"c1-p2-o0-l100\"", etag));
    assert_false (bb_etag_matches ("\"c1-p2-o0-l10\"", etag));
    assert_false (bb_etag_matches ("c1-p2-o0-l100", etag));
    assert_false (bb_etag_matches ("\"a,\"c1-p2-o0-l100", etag));
    assert_false (bb_etag_matches ("\"c1-p2-o0-l100-gzip\"", etag));
}

static void
test_accept_encoding (void **state)
{
    assert_false (bb_gzip_accepted (NULL));
    assert_false (bb_gzip_accepted (""));
    assert_false (bb_gzip_accepted ("identity"));
    assert_false (bb_gzip_accepted ("br, deflate"));
    assert_false (bb_gzip_accepted ("gzipped"));
    assert_true (bb_gzip_accepted ("gzip"));
    assert_true (bb_gzip_accepted ("GZIP"));
    assert_true (bb_gzip_accepted ("x-gzip"));
    assert_true (bb_gzip_accepted ("deflate, gzip;q=0.5"));
    assert_true (bb_gzip_accepted ("br;q=1.0, gzip ; q=0.8, *;q=0.1"));
    assert_false (bb_gzip_accepted ("gzip;q=0"));
    assert_false (bb_gzip_accepted ("gzip;q=0.000, *"));
    assert_true (bb_gzip_accepted ("*"));
    assert_false (bb_gzip_accepted ("*;q=0"));
}

static void
test_gzip_roundtrip (void **state)
{
    char text [4096];
    for (size_t i = 0; i < sizeof text - 1; i++)
        text [i] = "{\"agents\":[]}" [i % 13];
    text [sizeof text - 1] = 0;
    void *gzipped = NULL;
    size_t size = 0;
    assert_int_equal (bb_gzip_compress (text, strlen (text), &gzipped,
                                        &size), 0);
    assert_true (size > 18 && size < strlen (text));
    assert_int_equal (((unsigned char *) gzipped) [0], 0x1f);
    assert_int_equal (((unsigned char *) gzipped) [1], 0x8b);
    char out [sizeof text] = { 0 };
    z_stream stream = { 0 };
    assert_int_equal (inflateInit2 (&stream, 15 + 16), Z_OK);
    stream.next_in = gzipped;
    stream.avail_in = (uInt) size;
    stream.next_out = (Bytef *) out;
    stream.avail_out = sizeof out - 1;
    assert_int_equal (inflate (&stream, Z_FINISH), Z_STREAM_END);
    inflateEnd (&stream);
    assert_string_equal (out, text);
    free (gzipped);
    //  An empty body is a valid gzip member too
    assert_int_equal (bb_gzip_compress ("", 0, &gzipped, &size), 0);
    assert_true (size > 0);
    free (gzipped);
}

static void
test_event_message (void **state)
{
    Balboard__DashboardEvent event = BALBOARD__DASHBOARD_EVENT__INIT;
    event.commit_seq = 41;
    event.rotation = 3;
    event.rotation_agents_done = 200;
    event.rotation_agents = 1000;
    event.rotation_chunks_done = 2;
    event.priced_at_ms = 1796220000123ULL;
    event.agents = 1001;
    char *message = bb_event_feed_message (&event);
    assert_string_equal (message,
        "event: dashboard\n"
        "data: {\"commitSeq\":41,\"rotation\":3,\"rotationDone\":200,"
        "\"rotationAgents\":1000,\"pricedAt\":\"2026-12-02T14:00:00.123Z\","
        "\"agents\":1001}\n\n");
    free (message);
    event.priced_at_ms = 0;     // never priced: null
    message = bb_event_feed_message (&event);
    assert_non_null (strstr (message, "\"pricedAt\":null"));
    free (message);
}

//  The policy names the page's inline script and style by hash, and
//  allows nothing inline otherwise and no other origin.
static void
test_page_policy (void **state)
{
    bb_page_t *page = bb_page_new ();
    const char *policy = bb_page_policy (page);
    assert_non_null (strstr (policy, "default-src 'self'"));
    const char *script = strstr (policy, "script-src 'sha256-");
    const char *style = strstr (policy, "style-src 'sha256-");
    assert_non_null (script);
    assert_non_null (style);
    assert_int_equal (strcspn (script + 19, "'"), 44);     // base64 SHA-256
    assert_int_equal (strcspn (style + 18, "'"), 44);
    assert_null (strstr (policy, "unsafe"));
    assert_non_null (strstr (policy, "frame-ancestors 'none'"));
    bb_page_destroy (&page);
    bb_page_destroy (&page);
}

//  ---------------------------------------------------------------------------
//  The page cache

static const bb_page_cache_tags_t s_tags = {
    "public", "\"c1-p0-o0-l1\"", "\"c1-p0-o0-l1-gzip\""
};

//  Put a body under key at (seq, priced); the cache keeps it.
static void
s_put (bb_page_cache_t *cache, const char *key, uint64_t seq,
       uint64_t priced)
{
    char *body = strdup ("{\"agents\":[]}");
    bb_page_cache_state_t state = { seq, priced };
    bb_page_cache_entry_t *entry = bb_page_cache_put (cache, key, &state,
                                                      &body, &s_tags);
    assert_non_null (entry);
    assert_null (body);                     // consumed
    bb_page_cache_entry_release (&entry);
    assert_null (entry);
}

static bool
s_holds (bb_page_cache_t *cache, const char *key)
{
    bb_page_cache_entry_t *entry = bb_page_cache_get (cache, key);
    bool held = entry != NULL;
    bb_page_cache_entry_release (&entry);
    return held;
}

//  Before any event the TTL alone decides; then only the newest state
//  is served, older entries are dropped, newer ones wait for their event.
static void
test_page_cache_state (void **state)
{
    bb_page_cache_t *cache = bb_page_cache_new (8, 600000);
    assert_true (bb_page_cache_enabled (cache));
    assert_false (s_holds (cache, "a"));
    s_put (cache, "a", 5, 100);
    s_put (cache, "b", 6, 100);
    assert_true (s_holds (cache, "a"));
    assert_true (s_holds (cache, "b"));
    bb_page_cache_advance (cache, &(bb_page_cache_state_t) { 5, 100 });
    assert_true (s_holds (cache, "a"));
    assert_false (s_holds (cache, "b"));    // its event is still to come
    bb_page_cache_advance (cache, &(bb_page_cache_state_t) { 6, 100 });
    assert_false (s_holds (cache, "a"));    // dropped: an older state
    assert_true (s_holds (cache, "b"));     // kept for its event
    bb_page_cache_advance (cache, &(bb_page_cache_state_t) { 6, 200 });
    assert_false (s_holds (cache, "b"));    // another price snapshot
    //  An entry in use outlives its removal
    s_put (cache, "c", 6, 200);
    bb_page_cache_entry_t *held = bb_page_cache_get (cache, "c");
    assert_non_null (held);
    bb_page_cache_advance (cache, &(bb_page_cache_state_t) { 7, 200 });
    assert_false (s_holds (cache, "c"));
    bb_page_cache_entry_release (&held);
    bb_page_cache_destroy (&cache);
    bb_page_cache_destroy (&cache);
}

static void
test_page_cache_ttl_lru_and_off (void **state)
{
    bb_page_cache_t *cache = bb_page_cache_new (2, 1);
    s_put (cache, "a", 1, 0);
    zclock_sleep (5);                       // past the 1 ms TTL
    assert_false (s_holds (cache, "a"));
    bb_page_cache_destroy (&cache);
    cache = bb_page_cache_new (2, 600000);
    s_put (cache, "a", 1, 0);
    s_put (cache, "b", 1, 0);
    assert_true (s_holds (cache, "a"));     // a is now the newest used
    s_put (cache, "c", 1, 0);               // b goes
    assert_true (s_holds (cache, "a"));
    assert_false (s_holds (cache, "b"));
    assert_true (s_holds (cache, "c"));
    s_put (cache, "c", 1, 0);               // replaced, not added
    assert_true (s_holds (cache, "a"));
    bb_page_cache_destroy (&cache);
    cache = bb_page_cache_new (2, 0);
    assert_false (bb_page_cache_enabled (cache));
    s_put (cache, "a", 1, 0);               // answered, not kept
    assert_false (s_holds (cache, "a"));
    bb_page_cache_destroy (&cache);
}

//  A miss claims the key; a second miss waits for the claim (here it
//  cannot end: one thread) and then asks too; put ends every claim.
static void
test_page_cache_claim (void **state)
{
    bb_page_cache_t *cache = bb_page_cache_new (4, 600000);
    assert_null (bb_page_cache_claim (cache, "k", 10));
    assert_null (bb_page_cache_claim (cache, "k", 10));
    s_put (cache, "k", 1, 0);
    bb_page_cache_entry_t *entry = bb_page_cache_claim (cache, "k", 10);
    assert_non_null (entry);
    bb_page_cache_entry_release (&entry);
    assert_null (bb_page_cache_claim (cache, "other", 10));
    bb_page_cache_abandon (cache, "other");
    bb_page_cache_abandon (cache, "never claimed");
    assert_null (bb_page_cache_claim (cache, "other", 10));
    bb_page_cache_abandon (cache, "other");
    bb_page_cache_destroy (&cache);
    cache = bb_page_cache_new (4, 0);       // off: nothing to claim
    assert_null (bb_page_cache_claim (cache, "k", 10));
    bb_page_cache_destroy (&cache);
}

BB_TEST_MAIN (NULL, NULL,
    cmocka_unit_test (test_parse_int),
    cmocka_unit_test (test_limit_and_offset),
    cmocka_unit_test (test_etag),
    cmocka_unit_test (test_if_none_match),
    cmocka_unit_test (test_accept_encoding),
    cmocka_unit_test (test_gzip_roundtrip),
    cmocka_unit_test (test_event_message),
    cmocka_unit_test (test_page_policy),
    cmocka_unit_test (test_page_cache_state),
    cmocka_unit_test (test_page_cache_ttl_lru_and_off),
    cmocka_unit_test (test_page_cache_claim))
