/*  test_fetch_source - one source of one agent in a job: it ends once,
    in success or in its first failure, which keeps the HTTP status,
    Retry-After and detail that came with it and drops the balances read;
    its SourceResult carries balances only on success; and the status a
    request's outcome stands for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include "bb_fetch_source.h"

#define STX_TOKEN   "stx"
#define SBTC_TOKEN  "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token::sbtc-token"

static bb_http_result_t
s_response (long status, unsigned retry_after_s)
{
    return (bb_http_result_t) {
        .outcome = BB_HTTP_RESPONSE, .status = status,
        .retry_after_s = retry_after_s, .detail = ""
    };
}

static void
test_ok_then_no_failure (void **state)
{
    (void) state;
    bb_fetch_source_t source;
    bb_fetch_source_init (&source);
    assert_true (bb_fetch_source_open (&source));
    bb_balances_set (source.balances, STX_TOKEN, 1500000);
    bb_balances_set (source.balances, SBTC_TOKEN, 42);
    bb_fetch_source_ok (&source);
    assert_false (bb_fetch_source_open (&source));
    //  A late failure (a cancelled request, say) changes nothing.
    bb_http_result_t late = s_response (503, 0);
    bb_fetch_source_fail (&source, BALBOARD__FETCH_STATUS__FETCH_HTTP_ERROR,
                          &late, NULL);
    assert_int_equal (source.status, BALBOARD__FETCH_STATUS__FETCH_OK);

    Balboard__SourceResult *result =
        bb_fetch_source_result (&source, BALBOARD__UPSTREAM__UPSTREAM_HIRO);
    assert_int_equal (result->upstream, BALBOARD__UPSTREAM__UPSTREAM_HIRO);
    assert_int_equal (result->status, BALBOARD__FETCH_STATUS__FETCH_OK);
    assert_int_equal (result->http_status, 0);
    assert_string_equal (result->detail, "");
    assert_int_equal (result->n_balances, 2);
    assert_string_equal (result->balances [0]->token_id, STX_TOKEN);
    assert_string_equal (result->balances [0]->amount, "1500000");
    assert_string_equal (result->balances [1]->token_id, SBTC_TOKEN);
    assert_string_equal (result->balances [1]->amount, "42");
    balboard__source_result__free_unpacked (result, NULL);
    bb_fetch_source_free (&source);
    bb_fetch_source_free (&source);     // idempotent
}

static void
test_first_failure_is_reported (void **state)
{
    (void) state;
    bb_fetch_source_t source;
    bb_fetch_source_init (&source);
    bb_balances_set (source.balances, STX_TOKEN, 7);
    bb_http_result_t limited = s_response (429, 30);
    bb_fetch_source_fail (&source,
                          BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED,
                          &limited, NULL);
    bb_http_result_t later = s_response (500, 0);
    bb_fetch_source_fail (&source, BALBOARD__FETCH_STATUS__FETCH_HTTP_ERROR,
                          &later, "later");
    bb_fetch_source_ok (&source);
    assert_int_equal (source.status,
                      BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED);
    assert_int_equal (source.http_status, 429);
    assert_int_equal (source.retry_after_s, 30);
    assert_string_equal (source.detail, "HTTP 429");
    assert_int_equal (bb_balances_size (source.balances), 0);

    Balboard__SourceResult *result = bb_fetch_source_result (
        &source, BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL);
    assert_int_equal (result->status,
                      BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED);
    assert_int_equal (result->retry_after_s, 30);
    assert_string_equal (result->detail, "HTTP 429");
    assert_int_equal (result->n_balances, 0);
    balboard__source_result__free_unpacked (result, NULL);
    bb_fetch_source_free (&source);
}

static void
test_failure_detail (void **state)
{
    (void) state;
    //  A given detail wins over the result's.
    bb_fetch_source_t source;
    bb_fetch_source_init (&source);
    bb_http_result_t bad = s_response (200, 0);
    bb_fetch_source_fail (&source, BALBOARD__FETCH_STATUS__FETCH_PARSE_ERROR,
                          &bad, "stx.balance: missing");
    assert_int_equal (source.http_status, 200);
    assert_string_equal (source.detail, "stx.balance: missing");
    bb_fetch_source_free (&source);

    //  No answer: the engine's detail.
    bb_fetch_source_init (&source);
    bb_http_result_t reset = {
        .outcome = BB_HTTP_TRANSPORT, .detail = "Connection reset by peer"
    };
    bb_fetch_source_fail (&source, bb_fetch_status_of (&reset), &reset,
                          NULL);
    assert_int_equal (source.status, BALBOARD__FETCH_STATUS__FETCH_TRANSPORT);
    assert_string_equal (source.detail, "Connection reset by peer");
    bb_fetch_source_free (&source);

    //  No request at all (an invalid address), the reason as given.
    bb_fetch_source_init (&source);
    bb_fetch_source_fail (&source,
                          BALBOARD__FETCH_STATUS__FETCH_INVALID_ADDRESS,
                          NULL, "bad checksum");
    assert_int_equal (source.http_status, 0);
    assert_string_equal (source.detail, "bad checksum");
    bb_fetch_source_free (&source);
}

static void
test_status_of (void **state)
{
    (void) state;
    static const struct {
        bb_http_outcome_t outcome;
        long status;
        Balboard__FetchStatus expected;
        const char *name;
    } cases [] = {
        { BB_HTTP_RESPONSE, 400, BALBOARD__FETCH_STATUS__FETCH_INVALID_ADDRESS,
          "invalid_address" },
        { BB_HTTP_RESPONSE, 503, BALBOARD__FETCH_STATUS__FETCH_HTTP_ERROR,
          "http_error" },
        { BB_HTTP_RESPONSE, 404, BALBOARD__FETCH_STATUS__FETCH_HTTP_ERROR,
          "http_error" },
        { BB_HTTP_RATE_LIMITED, 429,
          BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED, "rate_limited" },
        { BB_HTTP_TIMEOUT, 0, BALBOARD__FETCH_STATUS__FETCH_TIMEOUT,
          "timeout" },
        { BB_HTTP_TRANSPORT, 0, BALBOARD__FETCH_STATUS__FETCH_TRANSPORT,
          "transport" },
        { BB_HTTP_CANCELLED, 0, BALBOARD__FETCH_STATUS__FETCH_TRANSPORT,
          "transport" },
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases [0];
         index++) {
        bb_http_result_t result = {
            .outcome = cases [index].outcome, .status = cases [index].status
        };
        Balboard__FetchStatus status = bb_fetch_status_of (&result);
        assert_int_equal (status, cases [index].expected);
        assert_string_equal (bb_fetch_status_name (status),
                             cases [index].name);
    }
    assert_string_equal (bb_fetch_status_name (
        BALBOARD__FETCH_STATUS__FETCH_OK), "ok");
    assert_string_equal (bb_fetch_status_name (
        BALBOARD__FETCH_STATUS__FETCH_PARSE_ERROR), "parse_error");
    assert_string_equal (bb_fetch_status_name (
        BALBOARD__FETCH_STATUS__FETCH_STATUS_UNSPECIFIED), "pending");
}

BB_TEST_MAIN (NULL, NULL,
    cmocka_unit_test (test_ok_then_no_failure),
    cmocka_unit_test (test_first_failure_is_reported),
    cmocka_unit_test (test_failure_detail),
    cmocka_unit_test (test_status_of))
