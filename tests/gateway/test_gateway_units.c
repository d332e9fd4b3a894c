/*  test_gateway_units - the gateway's pure modules: the parseInt reading
    of query parameters, ETags and If-None-Match, Accept-Encoding and
    gzip, the SSE message of a store event, the page's
    Content-Security-Policy, and the page cache's rules (state, TTL,
    LRU, off, claims). */
#include <stdarg.h>
#include <stdbool.h>
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
    static const struct {
        const char *text;
        bool parsed;
        int64_t value;                  // when parsed
    } cases [] = {
        { NULL, false, 0 }, { "", false, 0 }, { "abc", false, 0 },
        { "-", false, 0 }, { " + 1", false, 0 }, { ".5", false, 0 },
        { "7.9", true, 7 }, { "12abc", true, 12 }, { " \t\n-5", true, -5 },
        { "+007", true, 7 }, { "0x10", true, 0 },
        { "99999999999999999999", true, INT64_MAX },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        int64_t value = -1;
        assert_int_equal (bb_http_query_parse_int (cases [i].text, &value),
                          cases [i].parsed);
        if (cases [i].parsed)
            assert_int_equal (value, cases [i].value);
    }
}

//  What the query parameter reader under test makes of text.
typedef struct {
    const char *text;                   // NULL: no such parameter
    int64_t value;
} query_case_t;

static void
test_limit_and_offset (void **state)
{
    static const query_case_t limits [] = {
        { NULL, 100 }, { "abc", 100 }, { "", 100 }, { "0", 100 },
        { "-0", 100 }, { "-5", 1 }, { "1", 1 }, { "500", 500 },
        { "501", 500 }, { "1000", 500 }, { "7.9", 7 },
    };
    static const query_case_t offsets [] = {
        { NULL, 0 }, { "-5", 0 }, { "12abc", 12 }, { "abc", 0 },
        { "99999999999999999999", BB_HTTP_QUERY_OFFSET_MAX },
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits [0]; i++)
        assert_int_equal (bb_http_query_limit (limits [i].text),
                          limits [i].value);
    for (size_t i = 0; i < sizeof offsets / sizeof offsets [0]; i++)
        assert_int_equal (bb_http_query_offset (offsets [i].text),
                          offsets [i].value);
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

//  A request header's value and whether the rule under test accepts it.
typedef struct {
    const char *value;                  // NULL: no such header
    bool accepted;
} header_case_t;

//  Check rule against every case of cases (count entries).
static void
s_check_header_cases (const char *name, bool (*rule) (const char *),
                      const header_case_t *cases, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (rule (cases [i].value) != cases [i].accepted)
            fail_msg ("%s: %s: %s", name,
                      cases [i].value ? cases [i].value : "(none)",
                      cases [i].accepted ? "refused" : "accepted");
}

#define CASES(table) table, sizeof table / sizeof table [0]

//  If-None-Match against the tag "c1-p2-o0-l100".
static bool
s_matches_tag (const char *if_none_match)
{
    return bb_etag_matches (if_none_match, "\"c1-p2-o0-l100\"");
}

static void
test_if_none_match (void **state)
{
    static const header_case_t cases [] = {
        { NULL, false }, { "", false },
        { "\"c1-p2-o0-l100\"", true }, { "W/\"c1-p2-o0-l100\"", true },
        { "*", true }, { "\"a\", W/\"b\",\"c1-p2-o0-l100\" ", true },
        { " ,\"a\" ,  \"c1-p2-o0-l100\"", true },
        { "\"c1-p2-o0-l10\"", false }, { "c1-p2-o0-l100", false },
        { "\"a,\"c1-p2-o0-l100", false },
        { "\"c1-p2-o0-l100-gzip\"", false },
    };
    s_check_header_cases ("If-None-Match", s_matches_tag, CASES (cases));
}

static void
test_accept_encoding (void **state)
{
    static const header_case_t cases [] = {
        { NULL, false }, { "", false }, { "identity", false },
        { "br, deflate", false }, { "gzipped", false },
        { "gzip", true }, { "GZIP", true }, { "x-gzip", true },
        { "deflate, gzip;q=0.5", true },
        { "br;q=1.0, gzip ; q=0.8, *;q=0.1", true },
        { "gzip;q=0", false }, { "gzip;q=0.000, *", false },
        { "*", true }, { "*;q=0", false },
    };
    s_check_header_cases ("Accept-Encoding", bb_gzip_accepted,
                          CASES (cases));
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
