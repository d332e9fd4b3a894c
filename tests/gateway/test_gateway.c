/*  test_gateway - the real balboard-gateway in front of a real store,
    scheduler, fetcher and mock upstream, spoken to with libcurl: the
    dashboard against the CLI's --json, parameter rules, every header,
    ETag and 304, gzip, HEAD, the docs payload, the /dashboard page (its
    headers, Content-Security-Policy and self-containment), agent detail,
    status, errors (400, 404, 405, 414, 431, 503 and recovery), 50
    concurrent clients, and a clean exit on SIGTERM. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <zlib.h>

#include "gw_world.h"
#include "bb_http_exchange.h"
#include "bb_test_main.h"
#include "bb_child.h"
#include "bb_clock.h"
#include "bb_mockdata.h"
#include "bb_test_command.h"
#include "bb_test_shape.h"

#define AGENTS              30
#define HTTP_TIMEOUT_MS     30000       // catches a hang only
#define CLI_TIMEOUT_MS      60000
#define RECOVERY_WAIT_MS    60000
#define POLL_MS             100
#define CLIENTS             50
#define REQUESTS_PER_CLIENT 200
#define URL_SIZE            512
#define DATA_CACHE_CONTROL \
    "public, max-age=30, s-maxage=60, stale-while-revalidate=300"

static gw_world_t *s_world;

//  ---------------------------------------------------------------------------
//  HTTP

typedef struct {
    long status;
    const char *body;           // as received (not decoded), NUL-terminated
    size_t size;
    bb_http_exchange_t *exchange;   // owns the body and the headers
} response_t;

//  One request on curl (reused by the caller, or NULL for a fresh one)
//  with headers ("Name: value", NULL-terminated, or NULL).
static response_t
s_exchange (CURL *curl, const char *method, const char *path,
            const char *const headers [])
{
    char url [URL_SIZE + 200000];
    snprintf (url, sizeof url, "%s%s", gw_world_base (s_world), path);
    bb_http_exchange_t *exchange = bb_http_exchange_request (
        curl, method, url, headers, HTTP_TIMEOUT_MS);
    int code = bb_http_exchange_curl_code (exchange);
    if (code != CURLE_OK)
        fprintf (stderr, "test: %s %s: %s\n", method, path,
                 curl_easy_strerror ((CURLcode) code));
    return (response_t) { bb_http_exchange_status (exchange),
                          bb_http_exchange_body (exchange),
                          bb_http_exchange_body_size (exchange), exchange };
}

//  One request on a fresh connection; up to 4 headers ("Name: value"),
//  then NULL.
static response_t
s_request (const char *method, const char *path, const char *header, ...)
{
    const char *headers [5] = { header };
    va_list args;
    va_start (args, header);
    for (size_t i = 1; header && i < 4; i++)
        if (!(headers [i] = va_arg (args, const char *)))
            break;
    va_end (args);
    return s_exchange (NULL, method, path, headers);
}

static void
s_response_reset (response_t *response)
{
    bb_http_exchange_destroy (&response->exchange);
    memset (response, 0, sizeof *response);
}

static const char *
s_header (response_t *response, const char *name)
{
    return bb_http_exchange_header (response->exchange, name);
}

static json_t *
s_json (const char *text)
{
    json_error_t error;
    json_t *json = json_loads (text, 0, &error);
    if (!json)
        fail_msg ("not JSON (%s): %.300s", error.text, text);
    return json;
}

//  GET path, expect status, return the parsed body.
static json_t *
s_get_json (const char *path, long status)
{
    response_t response = s_request ("GET", path, NULL);
    if (response.status != status)
        fail_msg ("GET %s: %ld (want %ld): %.300s", path, response.status,
                  status, response.body);
    assert_string_equal (s_header (&response, "content-type"),
                         "application/json; charset=utf-8");
    json_t *json = s_json (response.body);
    s_response_reset (&response);
    return json;
}

static int64_t
s_integer (json_t *json, const char *object, const char *key)
{
    return json_integer_value (json_object_get (json_object_get (json,
                                                object), key));
}

//  gzip-decode data (size bytes) into a new NUL-terminated string.
static char *
s_gunzip (const char *data, size_t size)
{
    size_t capacity = 1 << 22;
    char *out = calloc (1, capacity);
    z_stream stream = { 0 };
    assert_int_equal (inflateInit2 (&stream, 15 + 16), Z_OK);
    stream.next_in = (Bytef *) data;
    stream.avail_in = (uInt) size;
    stream.next_out = (Bytef *) out;
    stream.avail_out = (uInt) capacity - 1;
    assert_int_equal (inflate (&stream, Z_FINISH), Z_STREAM_END);
    inflateEnd (&stream);
    return out;
}

//  ---------------------------------------------------------------------------
//  The CLI

//  balboard with the world's store plus args (NULL-terminated); its
//  stdout as JSON.
static json_t *
s_cli_json (const char *arg, ...)
{
    const char *store [] = { "--store-query", gw_world_store_query (s_world),
                             NULL };
    bb_test_command_t result;
    va_list args;
    va_start (args, arg);
    result = bb_test_command_run_bin ("balboard", store, arg, args, NULL,
                                      CLI_TIMEOUT_MS);
    va_end (args);
    if (result.status != 0)
        fail_msg ("balboard: %d: %s", result.status, result.err);
    json_t *json = s_json (result.out);
    bb_test_command_reset (&result);
    return json;
}

static void
s_expect_equal_json (json_t *got, json_t *want, const char *what)
{
    if (!json_equal (got, want)) {
        char *got_text = json_dumps (got, JSON_COMPACT);
        char *want_text = json_dumps (want, JSON_COMPACT);
        fail_msg ("%s differs:\n got %.600s\nwant %.600s", what, got_text,
                  want_text);
    }
}

//  ---------------------------------------------------------------------------
//  /api/dashboard

//  The gateway's page at query equals the CLI's for offset and limit.
static void
s_expect_same_as_cli (const char *query, const char *offset,
                      const char *limit)
{
    char path [URL_SIZE];
    snprintf (path, sizeof path, "/api/dashboard%s", query);
    json_t *got = s_get_json (path, 200);
    json_t *want = s_cli_json ("dashboard", "--json", "--offset", offset,
                               "--limit", limit, NULL);
    s_expect_equal_json (got, want, path);
    json_decref (want);
    json_decref (got);
}

static void
test_dashboard_equals_cli (void **state)
{
    s_expect_same_as_cli ("", "0", "100");
    s_expect_same_as_cli ("?limit=10", "0", "10");
    s_expect_same_as_cli ("?offset=7&limit=5", "7", "5");
    s_expect_same_as_cli ("?offset=1000", "1000", "100");
    //  Real rows, fetched, in the documented shape
    json_t *page = s_get_json ("/api/dashboard", 200);
    assert_int_equal (json_array_size (json_object_get (page, "agents")),
                      AGENTS);
    json_t *first = json_array_get (json_object_get (page, "agents"), 0);
    assert_true (json_array_size (json_object_get (first, "tokens")) > 0);
    assert_null (json_object_get (first, "fetchError"));
    char path [URL_SIZE];
    snprintf (path, sizeof path, "%s/dashboard_shape.json",
              getenv ("BALBOARD_FIXTURES"));
    json_t *shape = json_load_file (path, 0, NULL);
    assert_non_null (shape);
    char error [256];
    if (bb_test_shape_check (page, shape, error, sizeof error))
        fail_msg ("dashboard shape: %s", error);
    json_decref (shape);
    json_decref (page);
}

//  The query gives pagination limit and offset.
static void
s_expect_page (const char *query, int64_t limit, int64_t offset)
{
    char path [URL_SIZE];
    snprintf (path, sizeof path, "/api/dashboard%s", query);
    json_t *page = s_get_json (path, 200);
    if (s_integer (page, "pagination", "limit") != limit
    ||  s_integer (page, "pagination", "offset") != offset)
        fail_msg ("%s: limit %lld offset %lld (want %lld %lld)", query,
                  (long long) s_integer (page, "pagination", "limit"),
                  (long long) s_integer (page, "pagination", "offset"),
                  (long long) limit, (long long) offset);
    json_decref (page);
}

static void
test_dashboard_parameters (void **state)
{
    s_expect_page ("", 100, 0);
    s_expect_page ("?limit=abc", 100, 0);
    s_expect_page ("?limit=", 100, 0);
    s_expect_page ("?limit=0", 100, 0);
    s_expect_page ("?limit=-5", 1, 0);
    s_expect_page ("?limit=1000", 500, 0);
    s_expect_page ("?limit=7.9", 7, 0);
    s_expect_page ("?limit=%20%2B12abc", 12, 0);
    s_expect_page ("?limit=99999999999999999999999", 500, 0);
    s_expect_page ("?offset=-5", 100, 0);
    s_expect_page ("?offset=12abc&limit=3", 3, 12);
    s_expect_page ("?offset=abc", 100, 0);
}

static void
s_expect_data_headers (response_t *response)
{
    assert_string_equal (s_header (response, "cache-control"),
                         DATA_CACHE_CONTROL);
    assert_string_equal (s_header (response, "content-type"),
                         "application/json; charset=utf-8");
    assert_string_equal (s_header (response, "vary"), "Accept-Encoding");
    const char *etag = s_header (response, "etag");
    assert_non_null (etag);
    assert_true (etag [0] == '"' && etag [strlen (etag) - 1] == '"');
}

static void
test_dashboard_headers_and_etag (void **state)
{
    response_t page = s_request ("GET", "/api/dashboard?offset=2&limit=4",
                                 NULL);
    assert_int_equal (page.status, 200);
    s_expect_data_headers (&page);
    assert_null (s_header (&page, "content-encoding"));
    const char *etag = s_header (&page, "etag");
    assert_non_null (strstr (etag, "-o2-l4\""));
    char if_none_match [256];
    //  The tag itself, weak, in a list, and "*" give 304 and no body
    const char *matching [] = { "%s", "W/%s", "\"x\", %s", "*" };
    for (size_t i = 0; i < 4; i++) {
        char header [300];
        snprintf (if_none_match, sizeof if_none_match, matching [i], etag);
        snprintf (header, sizeof header, "If-None-Match: %s", if_none_match);
        response_t cached = s_request ("GET",
            "/api/dashboard?offset=2&limit=4", header, NULL);
        assert_int_equal (cached.status, 304);
        assert_int_equal (cached.size, 0);
        assert_string_equal (s_header (&cached, "etag"), etag);
        assert_string_equal (s_header (&cached, "cache-control"),
                             DATA_CACHE_CONTROL);
        s_response_reset (&cached);
    }
    //  Another page or another tag: the page
    char header [300];
    snprintf (header, sizeof header, "If-None-Match: %s", etag);
    response_t other = s_request ("GET", "/api/dashboard?offset=3&limit=4",
                                  header, NULL);
    assert_int_equal (other.status, 200);
    assert_string_not_equal (s_header (&other, "etag"), etag);
    s_response_reset (&other);
    other = s_request ("GET", "/api/dashboard?offset=2&limit=4",
                       "If-None-Match: \"c0-p0-o2-l4\"", NULL);
    assert_int_equal (other.status, 200);
    s_response_reset (&other);
    s_response_reset (&page);
}

static void
test_dashboard_gzip (void **state)
{
    response_t plain = s_request ("GET", "/api/dashboard", NULL);
    response_t gzipped = s_request ("GET", "/api/dashboard",
                                    "Accept-Encoding: br;q=1, gzip;q=0.8",
                                    NULL);
    assert_int_equal (gzipped.status, 200);
    s_expect_data_headers (&gzipped);
    assert_string_equal (s_header (&gzipped, "content-encoding"), "gzip");
    assert_true (gzipped.size < plain.size);
    char *decoded = s_gunzip (gzipped.body, gzipped.size);
    assert_string_equal (decoded, plain.body);
    free (decoded);
    //  A tag per representation; each gives its own 304
    assert_string_not_equal (s_header (&gzipped, "etag"),
                             s_header (&plain, "etag"));
    char header [300];
    snprintf (header, sizeof header, "If-None-Match: %s",
              s_header (&gzipped, "etag"));
    response_t cached = s_request ("GET", "/api/dashboard",
                                   "Accept-Encoding: gzip", header, NULL);
    assert_int_equal (cached.status, 304);
    s_response_reset (&cached);
    //  gzip;q=0 is a refusal
    response_t refused = s_request ("GET", "/api/dashboard",
                                    "Accept-Encoding: gzip;q=0, *", NULL);
    assert_null (s_header (&refused, "content-encoding"));
    assert_string_equal (refused.body, plain.body);
    s_response_reset (&refused);
    s_response_reset (&gzipped);
    s_response_reset (&plain);
}

static void
test_dashboard_head (void **state)
{
    response_t get = s_request ("GET", "/api/dashboard?limit=3", NULL);
    response_t head = s_request ("HEAD", "/api/dashboard?limit=3", NULL);
    assert_int_equal (head.status, 200);
    assert_int_equal (head.size, 0);
    s_expect_data_headers (&head);
    assert_string_equal (s_header (&head, "etag"), s_header (&get, "etag"));
    char length [32];
    snprintf (length, sizeof length, "%zu", get.size);
    assert_string_equal (s_header (&head, "content-length"), length);
    s_response_reset (&head);
    s_response_reset (&get);
}

static void
test_dashboard_docs (void **state)
{
    response_t response = s_request ("GET", "/api/dashboard?docs=1", NULL);
    assert_int_equal (response.status, 200);
    assert_string_equal (s_header (&response, "cache-control"),
                         "public, max-age=3600, s-maxage=86400");
    json_t *docs = s_json (response.body);
    const char *keys [] = { "endpoint", "method", "description",
                            "queryParameters", "responseFormat", "notes" };
    assert_int_equal (json_object_size (docs), 6);
    for (size_t i = 0; i < 6; i++)
        assert_non_null (json_object_get (docs, keys [i]));
    assert_string_equal (json_string_value (json_object_get (docs,
                         "endpoint")), "/api/dashboard");
    json_t *limit = json_object_get (json_object_get (docs,
                                     "queryParameters"), "limit");
    assert_int_equal (json_integer_value (json_object_get (limit,
                      "default")), 100);
    assert_int_equal (json_integer_value (json_object_get (limit, "max")),
                      500);
    //  Every key of the dashboard shape is described
    json_t *format = json_object_get (docs, "responseFormat");
    const char *top [] = { "agents", "prices", "stats", "cachedAt",
                           "pagination" };
    for (size_t i = 0; i < 5; i++)
        assert_non_null (json_object_get (format, top [i]));
    json_t *agent = json_object_get (json_object_get (format, "agents"),
                                     "items");
    assert_non_null (json_object_get (agent, "fetchError"));
    assert_non_null (json_object_get (json_object_get (json_object_get (
        agent, "tokens"), "items"), "usdValue"));
    assert_true (json_array_size (json_object_get (docs, "notes")) > 0);
    json_decref (docs);
    s_response_reset (&response);
}

//  ---------------------------------------------------------------------------
//  /dashboard

static void
test_dashboard_page (void **state)
{
    response_t page = s_request ("GET", "/dashboard", NULL);
    assert_int_equal (page.status, 200);
    assert_string_equal (s_header (&page, "content-type"),
                         "text/html; charset=utf-8");
    assert_string_equal (s_header (&page, "cache-control"),
                         "public, max-age=300");
    const char *policy = s_header (&page, "content-security-policy");
    assert_non_null (policy);
    assert_non_null (strstr (policy, "default-src 'self'"));
    assert_non_null (strstr (policy, "script-src 'sha256-"));
    assert_null (strstr (policy, "unsafe"));
    assert_string_equal (s_header (&page, "x-content-type-options"),
                         "nosniff");
    assert_non_null (strstr (page.body, "<!DOCTYPE html>"));
    //  Self-contained: nothing loaded from elsewhere
    const char *external [] = { "src=\"http", "href=\"http", "src=\"//",
                                "href=\"//", "@import", "url(" };
    for (size_t i = 0; i < 6; i++)
        if (strstr (page.body, external [i]))
            fail_msg ("the page loads something: %s", external [i]);
    //  Its tag gives 304; gzip is the same page
    char header [300];
    snprintf (header, sizeof header, "If-None-Match: %s",
              s_header (&page, "etag"));
    response_t cached = s_request ("GET", "/dashboard", header, NULL);
    assert_int_equal (cached.status, 304);
    s_response_reset (&cached);
    response_t gzipped = s_request ("GET", "/dashboard",
                                    "Accept-Encoding: gzip", NULL);
    assert_string_equal (s_header (&gzipped, "content-encoding"), "gzip");
    char *decoded = s_gunzip (gzipped.body, gzipped.size);
    assert_string_equal (decoded, page.body);
    free (decoded);
    s_response_reset (&gzipped);
    s_response_reset (&page);
}

//  ---------------------------------------------------------------------------
//  /api/agents, /api/status, /healthz, /readyz

static void
test_agent (void **state)
{
    bb_mock_agent_t agent;
    bb_mockdata_agent (3, &agent);
    char path [URL_SIZE];
    snprintf (path, sizeof path, "/api/agents/%s", agent.stx_address);
    json_t *got = s_get_json (path, 200);
    json_t *want = s_cli_json ("agent", agent.stx_address, "--history", "0",
                               "--json", NULL);
    s_expect_equal_json (got, want, path);
    assert_true (json_integer_value (json_object_get (got, "rank")) >= 1);
    json_t *token = json_array_get (json_object_get (got, "tokens"), 0);
    assert_non_null (json_object_get (token, "capturedAt"));
    assert_true (json_is_boolean (json_object_get (token, "stale")));
    assert_true (json_is_array (json_object_get (got, "history")));
    json_decref (want);
    json_decref (got);
}

static void
s_expect_error (const char *method, const char *path, long status)
{
    response_t response = s_request (method, path, NULL);
    if (response.status != status)
        fail_msg ("%s %.80s: %ld (want %ld)", method, path, response.status,
                  status);
    json_t *error = s_json (response.body);
    assert_int_equal (json_object_size (error), 2);
    assert_true (json_is_string (json_object_get (error, "error")));
    assert_int_equal (json_integer_value (json_object_get (error, "status")),
                      status);
    assert_string_equal (s_header (&response, "content-type"),
                         "application/json; charset=utf-8");
    assert_string_equal (s_header (&response, "cache-control"), "no-store");
    if (status == 405)
        assert_string_equal (s_header (&response, "allow"), "GET, HEAD");
    if (status == 503)
        assert_string_equal (s_header (&response, "retry-after"), "2");
    json_decref (error);
    s_response_reset (&response);
}

static void
test_errors (void **state)
{
    s_expect_error ("GET", "/api/agents/SP-NOT-AN-ADDRESS", 400);
    char path [GW_WORLD_PATH_SIZE];
    s_expect_error ("GET", gw_world_agent_path (AGENTS + 7, path), 404);
    s_expect_error ("GET", "/api/nothing", 404);
    s_expect_error ("GET", "/", 404);
    s_expect_error ("POST", "/api/dashboard", 405);
    s_expect_error ("DELETE", "/api/dashboard", 405);
    s_expect_error ("PUT", "/nowhere", 405);
    //  A request target or headers over the gateway's limits
    static char long_path [200000];
    snprintf (long_path, sizeof long_path, "/api/dashboard?x=");
    memset (long_path + strlen (long_path), 'a', 10000);
    s_expect_error ("GET", long_path, 414);
    static char header [20100];
    snprintf (header, sizeof header, "X-Big: ");
    memset (header + strlen (header), 'b', 20000);
    response_t response = s_request ("GET", "/api/dashboard", header, NULL);
    assert_int_equal (response.status, 431);
    json_t *error = s_json (response.body);
    assert_int_equal (json_integer_value (json_object_get (error, "status")),
                      431);
    json_decref (error);
    s_response_reset (&response);
    //  ... and over what a connection may hold: the library answers
    memset (long_path + strlen (long_path), 'a', 150000);
    response = s_request ("GET", long_path, NULL);
    assert_int_equal (response.status, 414);
    s_response_reset (&response);
}

static void
test_status_health_ready (void **state)
{
    json_t *status = s_get_json ("/api/status", 200);
    assert_true (json_is_object (json_object_get (status, "store")));
    assert_int_equal (s_integer (status, "store", "agents"), AGENTS);
    assert_true (json_is_object (json_object_get (status, "scheduler")));
    assert_true (s_integer (status, "scheduler", "rotationsCompleted") >= 1);
    assert_null (json_object_get (status, "errors"));
    json_decref (status);
    json_t *health = s_get_json ("/healthz", 200);
    assert_string_equal (json_string_value (json_object_get (health,
                         "status")), "ok");
    json_decref (health);
    json_t *ready = s_get_json ("/readyz", 200);
    json_decref (ready);
}

//  ---------------------------------------------------------------------------
//  50 clients at once

typedef struct {
    unsigned index;
    json_t *expected;           // body text by "offset/limit"; read only
    unsigned answered;          // 200 with the expected body
} client_t;

static void
s_page_query (unsigned request, char *path, size_t size, char *key)
{
    unsigned offset = request % 7, limit = 1 + request % 11;
    snprintf (path, size, "/api/dashboard?offset=%u&limit=%u", offset,
              limit);
    snprintf (key, 32, "%u/%u", offset, limit);
}

static void *
s_client (void *arg)
{
    client_t *client = arg;
    CURL *curl = curl_easy_init ();
    for (unsigned i = 0; curl && i < REQUESTS_PER_CLIENT; i++) {
        char path [URL_SIZE], key [32];
        s_page_query (client->index + i, path, sizeof path, key);
        response_t response = s_exchange (curl, "GET", path, NULL);
        const char *want = json_string_value (json_object_get (
            client->expected, key));
        if (response.status == 200 && want
        &&  strcmp (response.body, want) == 0)
            client->answered++;
        s_response_reset (&response);
    }
    curl_easy_cleanup (curl);
    return NULL;
}

static void
test_concurrent_clients (void **state)
{
    json_t *expected = json_object ();
    for (unsigned i = 0; i < 7 * 11; i++) {
        char path [URL_SIZE], key [32];
        s_page_query (i, path, sizeof path, key);
        response_t response = s_request ("GET", path, NULL);
        assert_int_equal (response.status, 200);
        json_object_set_new (expected, key, json_string (response.body));
        s_response_reset (&response);
    }
    client_t clients [CLIENTS];
    pthread_t threads [CLIENTS];
    for (unsigned i = 0; i < CLIENTS; i++) {
        clients [i] = (client_t) { i, expected, 0 };
        assert_int_equal (pthread_create (&threads [i], NULL, s_client,
                                          &clients [i]), 0);
    }
    unsigned answered = 0;
    for (unsigned i = 0; i < CLIENTS; i++) {
        pthread_join (threads [i], NULL);
        answered += clients [i].answered;
    }
    assert_int_equal (answered, CLIENTS * REQUESTS_PER_CLIENT);
    json_decref (expected);
}

//  ---------------------------------------------------------------------------
//  A commit changes the tag

typedef struct {
    const char *etag;           // the tag before the commit
    long status;                // of the newest answer
    long long total;            // its pagination.total
} changed_t;

//  True once /api/dashboard, asked with If-None-Match: etag, answers a
//  page of another tag (the commit's event reached the page cache).
static bool
s_dashboard_changed (void *arg)
{
    changed_t *changed = arg;
    char header [300];
    snprintf (header, sizeof header, "If-None-Match: %s", changed->etag);
    response_t after = s_request ("GET", "/api/dashboard", header, NULL);
    changed->status = after.status;
    bool other = after.status == 200
              && strcmp (s_header (&after, "etag"), changed->etag) != 0;
    if (other) {
        json_t *page = s_json (after.body);
        changed->total = s_integer (page, "pagination", "total");
        json_decref (page);
    }
    s_response_reset (&after);
    return other;
}

static void
test_etag_changes_after_commit (void **state)
{
    response_t before = s_request ("GET", "/api/dashboard", NULL);
    char etag [256];
    snprintf (etag, sizeof etag, "%s", s_header (&before, "etag"));
    s_response_reset (&before);
    gw_world_add_agent (s_world);
    //  Until the event comes (or the page cache's TTL ends), the cached
    //  page may still answer: a 304
    changed_t changed = { etag, 0, 0 };
    if (bb_clock_wait_until (s_dashboard_changed, &changed, RECOVERY_WAIT_MS,
                             POLL_MS))
        fail_msg ("the tag stayed %s (last status %ld)", etag,
                  changed.status);
    assert_int_equal (changed.total, AGENTS + 1);
}

//  ---------------------------------------------------------------------------
//  The store goes away and comes back

//  A page no test asked for, so that no cached copy answers it.
#define UNCACHED_PAGE "/api/dashboard?offset=28&limit=2"

static bool
s_dashboard_answers (void *arg)
{
    response_t response = s_request ("GET", UNCACHED_PAGE, NULL);
    bool answered = response.status == 200;
    s_response_reset (&response);
    return answered;
}

static void
test_store_down_then_back (void **state)
{
    gw_world_stop_store (s_world);
    s_expect_error ("GET", UNCACHED_PAGE, 503);
    s_expect_error ("GET", "/readyz", 503);
    char path [GW_WORLD_PATH_SIZE];
    s_expect_error ("GET", gw_world_agent_path (0, path), 503);
    json_t *status = s_get_json ("/api/status", 200);
    assert_true (json_is_null (json_object_get (status, "store")));
    assert_true (json_is_object (json_object_get (status, "scheduler")));
    assert_int_equal (json_array_size (json_object_get (status, "errors")),
                      1);
    json_decref (status);
    //  Still alive, and back once the store is
    json_t *health = s_get_json ("/healthz", 200);
    json_decref (health);
    gw_world_start_store (s_world);
    assert_int_equal (bb_clock_wait_until (s_dashboard_answers, NULL,
                                           RECOVERY_WAIT_MS, POLL_MS), 0);
    json_t *page = s_get_json ("/api/dashboard", 200);
    assert_int_equal (s_integer (page, "pagination", "total"), AGENTS + 1);
    json_decref (page);
    json_t *ready = s_get_json ("/readyz", 200);
    json_decref (ready);
}

//  ---------------------------------------------------------------------------
//  Slow clients

//  A TCP connection to the gateway that sent part of a request line.
static int
s_stalled_connection (void)
{
    int port = atoi (strrchr (gw_world_base (s_world), ':') + 1);
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    assert_true (fd >= 0);
    struct sockaddr_in address = { .sin_family = AF_INET,
                                   .sin_port = htons ((uint16_t) port) };
    inet_pton (AF_INET, "127.0.0.1", &address.sin_addr);
    assert_int_equal (connect (fd, (struct sockaddr *) &address,
                               sizeof address), 0);
    const char *partial = "GET /api/dash";
    assert_int_equal (write (fd, partial, strlen (partial)),
                      (ssize_t) strlen (partial));
    return fd;
}

#define STALLED 40          // ten times the gateway's worker threads

static void
test_slow_clients_do_not_block (void **state)
{
    int stalled [STALLED];
    for (size_t i = 0; i < STALLED; i++)
        stalled [i] = s_stalled_connection ();
    json_t *page = s_get_json ("/api/dashboard?limit=1", 200);
    json_decref (page);
    for (size_t i = 0; i < STALLED; i++)
        close (stalled [i]);
}

//  ---------------------------------------------------------------------------
//  The process

//  balboard-gateway with args (NULL-terminated); its exit status.
static int
s_gateway_command (const char *arg, ...)
{
    bb_test_command_t result;
    va_list args;
    va_start (args, arg);
    result = bb_test_command_run_bin ("balboard-gateway", NULL, arg, args,
                                      NULL, CLI_TIMEOUT_MS);
    va_end (args);
    int status = result.status;
    if (status == 0 && strcmp (arg, "--version") == 0) {
        assert_non_null (strstr (result.out, "libmicrohttpd "));
        assert_non_null (strstr (result.out, "libcurl "));
    }
    bb_test_command_reset (&result);
    return status;
}

//  Last: --health says so while it runs; SIGTERM ends it with exit 0 (its
//  sanitizer build also checks that every allocation was freed); then
//  --health fails.
static void
test_health_version_and_clean_exit (void **state)
{
    const char *bind = gw_world_base (s_world) + strlen ("http://");
    assert_int_equal (s_gateway_command ("--version", NULL), 0);
    assert_int_equal (s_gateway_command ("--health", "--http-bind", bind,
                                         NULL), 0);
    assert_int_equal (gw_world_stop_gateway (s_world), 0);
    assert_int_equal (s_gateway_command ("--health", "--http-bind", bind,
                                         NULL), 1);
}

//  ---------------------------------------------------------------------------

static int
s_setup (void **state)
{
    s_world = gw_world_new (AGENTS);
    return 0;
}

static int
s_teardown (void **state)
{
    gw_world_destroy (&s_world);
    return 0;
}

BB_TEST_MAIN_CURL (s_setup, s_teardown,
    cmocka_unit_test (test_dashboard_equals_cli),
    cmocka_unit_test (test_dashboard_parameters),
    cmocka_unit_test (test_dashboard_headers_and_etag),
    cmocka_unit_test (test_dashboard_gzip),
    cmocka_unit_test (test_dashboard_head),
    cmocka_unit_test (test_dashboard_docs),
    cmocka_unit_test (test_dashboard_page),
    cmocka_unit_test (test_agent),
    cmocka_unit_test (test_errors),
    cmocka_unit_test (test_status_health_ready),
    cmocka_unit_test (test_concurrent_clients),
    cmocka_unit_test (test_etag_changes_after_commit),
    cmocka_unit_test (test_store_down_then_back),
    cmocka_unit_test (test_slow_clients_do_not_block),
    cmocka_unit_test (test_health_version_and_clean_exit))
