/*  test_http - the libcurl multi engine (bb_http) in-process against the
    real mock upstream: responses, the lane bound, retries of 5xx and
    transport errors, 429 waits and lane pauses, deadlines (also of
    queued requests), the body cap, cancel and destroy with requests in
    flight, and Retry-After parsing (delta-seconds and HTTP-date). Also
    bb_token_cache, the metadata map the engine's jobs fill. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <czmq.h>
#include <jansson.h>

#include "bb_test_main.h"
#include "bb_http.h"
#include "bb_mock_process.h"
#include "bb_port.h"
#include "bb_token_cache.h"

#define START_MS        10000
#define STOP_MS         10000
#define HTTP_MS         10000
#define WAIT_MS         20000       // longest a test waits for callbacks
#define HANG_MS         60000       // a hang no wait here outlasts
#define HANG_TEXT       "60000"
#define REFUSED_DEADLINE_MS 15000   // under the 30 s Retry-After, and
                                    // under WAIT_MS
#define STX_SAMPLE      "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3"
#define BTC_SAMPLE      "bc1q2su6xnf3fmk2m37qqlg4rsvm7wqpfafd2yr7w9"
#define HIRO_PATH       "/extended/v1/address/" STX_SAMPLE "/balances"
#define MEMPOOL_PATH    "/api/address/" BTC_SAMPLE

typedef struct {
    bb_mock_process_t *mock;
    bb_http_t *http;
} world_t;

//  What one callback saw.
typedef struct {
    bool done;
    bb_http_result_t result;        // its strings point below; no latency
    char body [256];                // start of the body
    char detail [256];
    int64_t sent_ms;                // when it was asked for
    int64_t at_ms;                  // when it ended
} seen_t;

static const bb_http_config_t s_config = {
    .connect_timeout_ms = 1000,
    .request_timeout_ms = 2000,
    .max_body_bytes = 65536,
    .max_retries = 3,
    .backoff_base_ms = 20,
    .backoff_max_ms = 200,
    .rate_limit_backoff_ms = 100,
};

static void
s_done (const bb_http_result_t *result, void *arg)
{
    seen_t *seen = arg;
    assert_false (seen->done);
    seen->done = true;
    snprintf (seen->body, sizeof seen->body, "%s", result->body);
    snprintf (seen->detail, sizeof seen->detail, "%s", result->detail);
    seen->result = *result;
    seen->result.body = seen->body;
    seen->result.detail = seen->detail;
    seen->result.latency = NULL;
    seen->at_ms = zclock_mono ();
}

//  Poll until nothing is pending.
static void
s_drain (world_t *world)
{
    int64_t end = zclock_mono () + WAIT_MS;
    while (bb_http_pending (world->http) && zclock_mono () < end)
        assert_int_equal (bb_http_poll (world->http, NULL, 0, 50), 0);
    assert_int_equal (bb_http_pending (world->http), 0);
}

static void
s_get (world_t *world, unsigned lane, const char *path, int deadline_ms,
       seen_t *seen)
{
    seen->sent_ms = zclock_mono ();
    char url [256];
    snprintf (url, sizeof url, "%s%s", bb_mock_process_base (world->mock),
              path);
    bb_http_get (world->http, lane, url, zclock_mono () + deadline_ms,
                 s_done, seen);
}

static void
s_control (world_t *world, const char *body)
{
    assert_int_equal (bb_mock_process_control (world->mock, body, HTTP_MS),
                      0);
}

static long
s_stat (world_t *world, const char *group, const char *key)
{
    long count = bb_mock_process_count (world->mock, HTTP_MS, group, key,
                                        NULL);
    assert_true (count >= 0);
    return count;
}

//  With the mock's fault set (a control body, or NULL to leave the mock
//  as it is), GET path on lane with a deadline deadline_ms from now and
//  wait until it ended; returns what the callback saw.
static seen_t
s_fetch (world_t *world, const char *fault, unsigned lane, const char *path,
         int deadline_ms)
{
    if (fault)
        s_control (world, fault);
    seen_t seen = { 0 };
    s_get (world, lane, path, deadline_ms, &seen);
    s_drain (world);
    assert_true (seen.done);
    return seen;
}

//  ---------------------------------------------------------------------
//  Tests

static void
test_response (void **state)
{
    world_t *world = *state;
    seen_t ok = { 0 }, missing = { 0 };
    s_get (world, 0, MEMPOOL_PATH, 5000, &ok);
    s_get (world, 0, "/no/such/path", 5000, &missing);
    s_drain (world);
    assert_int_equal (ok.result.outcome, BB_HTTP_RESPONSE);
    assert_int_equal (ok.result.status, 200);
    assert_int_equal (ok.result.attempts, 1);
    assert_non_null (strstr (ok.body, "chain_stats"));
    assert_true (ok.result.body_size > 100);
    //  A 4xx is a final answer: not retried.
    assert_int_equal (missing.result.outcome, BB_HTTP_RESPONSE);
    assert_int_equal (missing.result.status, 404);
    assert_int_equal (missing.result.attempts, 1);
}

static void
test_lane_limit (void **state)
{
    world_t *world = *state;
    s_control (world, "{\"latency_ms\": 40}");
    bb_http_set_lane_limit (world->http, 1, 3);
    seen_t seen [12] = { { 0 } };
    for (size_t index = 0; index < 12; index++)
        s_get (world, 1, HIRO_PATH, 10000, &seen [index]);
    int64_t start = zclock_mono ();
    s_drain (world);
    for (size_t index = 0; index < 12; index++)
        assert_int_equal (seen [index].result.status, 200);
    assert_int_equal (s_stat (world, "max_concurrent", "hiro"), 3);
    //  12 requests, 3 at a time, 40 ms each: at least 4 rounds.
    assert_true (zclock_mono () - start >= 4 * 40);
}

static void
test_retries (void **state)
{
    world_t *world = *state;
    seen_t recovered = s_fetch (world, "{\"faults\": [{\"endpoint\": "
        "\"mempool\", \"kind\": \"5xx\", \"count\": 2}]}", 0,
        MEMPOOL_PATH, 5000);
    assert_int_equal (recovered.result.status, 200);
    assert_int_equal (recovered.result.attempts, 3);

    seen_t failed = s_fetch (world, "{\"faults\": [{\"endpoint\": "
        "\"mempool\", \"kind\": \"5xx\", \"count\": 0, \"status\": 502}]}",
        0, MEMPOOL_PATH, 5000);
    assert_int_equal (failed.result.outcome, BB_HTTP_RESPONSE);
    assert_int_equal (failed.result.status, 502);
    assert_int_equal (failed.result.attempts, 4);

    //  Nobody listens: transport errors, retried, then given up.
    seen_t refused = { 0 };
    char url [64];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/x",
              bb_port_free ());
    bb_http_get (world->http, 2, url, zclock_mono () + 5000, s_done,
                 &refused);
    s_drain (world);
    assert_int_equal (refused.result.outcome, BB_HTTP_TRANSPORT);
    assert_int_equal (refused.result.attempts, 4);
    assert_int_equal (refused.result.status, 0);
    assert_true (strlen (refused.detail) > 0);
}

static void
test_deadline (void **state)
{
    world_t *world = *state;
    //  Past already: never sent.
    seen_t late = s_fetch (world, NULL, 0, MEMPOOL_PATH, -1);
    assert_int_equal (late.result.outcome, BB_HTTP_TIMEOUT);
    assert_int_equal (late.result.attempts, 0);

    //  A hang longer than s_drain waits: only the deadline can end the
    //  attempt, and the request queued behind it (lane limit 1) ends at
    //  the deadline too, unsent.
    s_control (world, "{\"faults\": [{\"endpoint\": \"mempool\", \"kind\": "
               "\"hang\", \"count\": 0, \"hang_ms\": " HANG_TEXT "}]}");
    bb_http_set_lane_limit (world->http, 0, 1);
    seen_t hung = { 0 }, queued = { 0 };
    int64_t start = zclock_mono ();
    s_get (world, 0, MEMPOOL_PATH, 600, &hung);
    s_get (world, 0, MEMPOOL_PATH, 600, &queued);
    s_drain (world);
    assert_int_equal (hung.result.outcome, BB_HTTP_TIMEOUT);
    assert_int_equal (hung.result.attempts, 1);
    assert_string_equal (hung.detail, "job deadline reached");
    assert_int_equal (queued.result.outcome, BB_HTTP_TIMEOUT);
    assert_int_equal (queued.result.attempts, 0);
    //  Ended at the deadline, not before it, and not by the mock's answer
    //  (the hang outlasts the drain). The queued request ends on the first
    //  wake-up with less than an attempt's time left.
    assert_true (hung.at_ms - start >= 590);
    assert_true (queued.at_ms - start >= 600 - BB_HTTP_MIN_ATTEMPT_MS);
    assert_true (hung.at_ms - start < HANG_MS);
    print_message ("deadline 600 ms: ended after %lld ms\n",
                   (long long) (hung.at_ms - start));
}

//  seen got 200 after one 429 whose Retry-After was retry_after_s (0:
//  none), and ended at least min_ms after it was asked for.
static void
s_assert_waited (const seen_t *seen, unsigned retry_after_s, int64_t min_ms)
{
    assert_int_equal (seen->result.status, 200);
    assert_int_equal (seen->result.rate_limited, 1);
    assert_int_equal (seen->result.retry_after_s, retry_after_s);
    assert_true (seen->at_ms - seen->sent_ms >= min_ms);
}

static void
test_rate_limited (void **state)
{
    world_t *world = *state;
    //  Retry-After 1 s inside the deadline: waited out.
    seen_t waited = s_fetch (world, "{\"rate_limit_retry_after_s\": 1, "
        "\"faults\": [{\"endpoint\": \"hiro\", \"kind\": \"429\", "
        "\"count\": 1}]}", 0, HIRO_PATH, 5000);
    s_assert_waited (&waited, 1, 1000);

    //  Retry-After past the deadline: given up at once, and the lane
    //  waits, so the next request ends without being sent.
    s_control (world, "{\"rate_limit_retry_after_s\": 30, \"faults\": "
               "[{\"endpoint\": \"hiro\", \"kind\": \"429\", \"count\": 1}]}");
    //  Both end before their deadline: given up, not waited out.
    seen_t refused = { 0 }, paused = { 0 };
    int64_t start = zclock_mono ();
    s_get (world, 0, HIRO_PATH, REFUSED_DEADLINE_MS, &refused);
    s_drain (world);
    s_get (world, 0, HIRO_PATH, REFUSED_DEADLINE_MS, &paused);
    s_drain (world);
    int64_t elapsed = zclock_mono () - start;
    assert_int_equal (refused.result.outcome, BB_HTTP_RATE_LIMITED);
    assert_int_equal (refused.result.retry_after_s, 30);
    assert_int_equal (refused.result.attempts, 1);
    assert_true (refused.at_ms - start < REFUSED_DEADLINE_MS);
    assert_int_equal (paused.result.outcome, BB_HTTP_RATE_LIMITED);
    assert_int_equal (paused.result.attempts, 0);
    assert_true (paused.at_ms - start < REFUSED_DEADLINE_MS);
    //  What is left of the 30 s pause, less the seconds gone meanwhile
    assert_true (paused.result.retry_after_s <= 30);
    assert_true (paused.result.retry_after_s + elapsed / 1000 >= 29);
    print_message ("429 past the deadline: given up after %lld ms\n",
                   (long long) elapsed);

    //  Without Retry-After (mempool's HTML page): ended at once, rate
    //  limited, for the caller to give up on the upstream.
    seen_t given_up = s_fetch (world, "{\"faults\": [{\"endpoint\": "
        "\"mempool\", \"kind\": \"429\", \"count\": 1}]}", 1,
        MEMPOOL_PATH, 5000);
    assert_int_equal (given_up.result.outcome, BB_HTTP_RATE_LIMITED);
    assert_int_equal (given_up.result.attempts, 1);
    assert_int_equal (given_up.result.rate_limited, 1);
    assert_true (given_up.at_ms - given_up.sent_ms < 5000);
}

static void
test_body_cap (void **state)
{
    world_t *world = *state;
    seen_t big = s_fetch (world, "{\"faults\": [{\"endpoint\": "
        "\"mempool\", \"kind\": \"oversized\", \"count\": 0, "
        "\"oversize_bytes\": 200000}]}", 0, MEMPOOL_PATH, 5000);
    assert_int_equal (big.result.outcome, BB_HTTP_TRANSPORT);
    assert_int_equal (big.result.attempts, 1);
    assert_string_equal (big.detail, "body over the 65536-byte cap");
}

static void
test_cancel_and_destroy (void **state)
{
    world_t *world = *state;
    s_control (world, "{\"faults\": [{\"endpoint\": \"any\", \"kind\": "
               "\"hang\", \"count\": 0, \"hang_ms\": 2000}]}");
    seen_t seen [4] = { { 0 } };
    for (size_t index = 0; index < 4; index++)
        s_get (world, (unsigned) index % 2, MEMPOOL_PATH,
               5000, &seen [index]);
    assert_int_equal (bb_http_poll (world->http, NULL, 0, 100), 0);
    assert_int_equal (bb_http_pending (world->http), 4);
    bb_http_cancel_all (world->http);
    assert_int_equal (bb_http_pending (world->http), 0);
    for (size_t index = 0; index < 4; index++) {
        assert_true (seen [index].done);
        assert_int_equal (seen [index].result.outcome, BB_HTTP_CANCELLED);
    }
    //  Destroying an engine with requests in flight frees them, quietly.
    seen_t dropped = { 0 };
    s_get (world, 0, MEMPOOL_PATH, 5000, &dropped);
    assert_int_equal (bb_http_poll (world->http, NULL, 0, 50), 0);
    bb_http_destroy (&world->http);
    assert_null (world->http);
    assert_false (dropped.done);
    bb_http_destroy (&world->http);
}

static void
test_retry_after_parse (void **state)
{
    long seconds = -1;
    time_t now = curl_getdate ("Wed, 21 Oct 2015 07:28:00 GMT", NULL);
    assert_true (now > 0);
    assert_int_equal (bb_http_retry_after_parse ("120", now, &seconds), 0);
    assert_int_equal (seconds, 120);
    assert_int_equal (bb_http_retry_after_parse ("0", now, &seconds), 0);
    assert_int_equal (seconds, 0);
    assert_int_equal (bb_http_retry_after_parse ("999999999999", now,
                                                 &seconds), 0);
    assert_int_equal (seconds, 86400);
    assert_int_equal (bb_http_retry_after_parse (
        "Wed, 21 Oct 2015 07:28:30 GMT", now, &seconds), 0);
    assert_int_equal (seconds, 30);
    assert_int_equal (bb_http_retry_after_parse (
        "Wed, 21 Oct 2015 07:00:00 GMT", now, &seconds), 0);
    assert_int_equal (seconds, 0);
    seconds = 5;
    assert_int_equal (bb_http_retry_after_parse ("soon", now, &seconds), -1);
    assert_int_equal (bb_http_retry_after_parse ("", now, &seconds), -1);
    assert_int_equal (seconds, 5);
}

static void
test_token_cache (void **state)
{
    bb_token_cache_t *cache = bb_token_cache_new ();
    assert_null (bb_token_cache_lookup (cache, "SP1.x"));
    bb_token_meta_t known = { BB_TOKEN_META_KNOWN, "LONG", 6 };
    bb_token_meta_t missing = { BB_TOKEN_META_MISSING, "", 0 };
    bb_token_cache_put (cache, "SP1.x", &known);
    bb_token_cache_put (cache, "SP2.y", &missing);
    assert_int_equal (bb_token_cache_size (cache), 2);
    const bb_token_meta_t *meta = bb_token_cache_lookup (cache, "SP1.x");
    assert_non_null (meta);
    assert_string_equal (meta->symbol, "LONG");
    assert_int_equal (meta->decimals, 6);
    known.decimals = 8;                         // the cache keeps a copy
    bb_token_cache_put (cache, "SP1.x", &known);
    assert_int_equal (bb_token_cache_size (cache), 2);
    assert_int_equal (bb_token_cache_lookup (cache, "SP1.x")->decimals, 8);
    assert_int_equal (bb_token_cache_lookup (cache, "SP2.y")->state,
                      BB_TOKEN_META_MISSING);
    bb_token_cache_destroy (&cache);
    assert_null (cache);
    bb_token_cache_destroy (&cache);
}

//  ---------------------------------------------------------------------

static int
s_setup (void **state)
{
    world_t *world = *state;
    assert_int_equal (bb_mock_process_reset (world->mock, HTTP_MS), 0);
    world->http = bb_http_new (&s_config);
    assert_non_null (world->http);
    for (unsigned lane = 0; lane < BB_HTTP_LANES; lane++)
        bb_http_set_lane_limit (world->http, lane, 4);
    return 0;
}

static int
s_teardown (void **state)
{
    world_t *world = *state;
    bb_http_destroy (&world->http);
    return 0;
}

static int
s_group_setup (void **state)
{
    curl_global_init (CURL_GLOBAL_DEFAULT);
    world_t *world = calloc (1, sizeof *world);
    assert_non_null (world);
    const char *args [] = { "--log-level", "error", NULL };
    world->mock = bb_mock_process_new (args, START_MS);
    assert_non_null (world->mock);
    *state = world;
    return 0;
}

static int
s_group_teardown (void **state)
{
    world_t *world = *state;
    int code = bb_mock_process_end (&world->mock, STOP_MS);
    free (world);
    curl_global_cleanup ();
    return code == 0 ? 0 : -1;
}

BB_TEST_MAIN (s_group_setup, s_group_teardown,
              BB_TEST (test_response),
              BB_TEST (test_lane_limit),
              BB_TEST (test_retries),
              BB_TEST (test_deadline),
              BB_TEST (test_rate_limited),
              BB_TEST (test_body_cap),
              BB_TEST (test_cancel_and_destroy),
              cmocka_unit_test (test_retry_after_parse),
              cmocka_unit_test (test_token_cache))
