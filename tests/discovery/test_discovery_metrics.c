/*  test_discovery_metrics - the real gateway's /metrics

    Starts a whole balboard behind a real gateway (gw_world), asks a few
    routes, then reads /metrics: the text format's Content-Type, the
    store's and scheduler's series with the world's figures, the requests
    just made counted by route and status, and promtool check metrics
    (Debian's prometheus package) accepting the exposition with no lint
    complaint. Exits 77 (skipped) when promtool is not installed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gw_world.h"
#include "bb_http_exchange.h"
#include "bb_test_command.h"

#define AGENTS          20
#define HTTP_MS         10000
#define CHECK_MS        60000           // catches a hang only
#define URL_SIZE        256

static long
s_get_status (gw_world_t *world, const char *path)
{
    char url [URL_SIZE];
    snprintf (url, sizeof url, "%s%s", gw_world_base (world), path);
    bb_http_exchange_t *exchange = bb_http_exchange_get (url, NULL, HTTP_MS);
    long status = bb_http_exchange_status (exchange);
    bb_http_exchange_destroy (&exchange);
    return status;
}

static void
s_has (const char *text, const char *part)
{
    if (!strstr (text, part))
        fail_msg ("no \"%s\" in /metrics:\n%s", part, text);
}

static void
test_metrics_of_a_running_world (void **state)
{
    gw_world_t *world = gw_world_new (AGENTS);
    assert_int_equal (s_get_status (world, "/api/dashboard?limit=5"), 200);
    assert_int_equal (s_get_status (world, "/api/dashboard?limit=5"), 200);
    assert_int_equal (s_get_status (world, "/api/agents/nope"), 400);
    assert_int_equal (s_get_status (world, "/no/such/route"), 404);

    char url [URL_SIZE];
    snprintf (url, sizeof url, "%s/metrics", gw_world_base (world));
    bb_http_exchange_t *exchange = bb_http_exchange_get (url, NULL, HTTP_MS);
    assert_int_equal (bb_http_exchange_status (exchange), 200);
    assert_string_equal (bb_http_exchange_header (exchange, "Content-Type"),
                         "text/plain; version=0.0.4; charset=utf-8");
    const char *text = bb_http_exchange_body (exchange);
    const char *parts [] = {
        "\nbalboard_store_up 1\n", "\nbalboard_scheduler_up 1\n",
        "\nbalboard_store_agents 20\n", "\nbalboard_store_agents_fetched 20\n",
        "\nbalboard_rotations_completed_total ",
        "\nbalboard_fetchers_connected 1\n", "\nbalboard_sse_clients 0\n",
        "\nbalboard_upstream_requests_total{upstream=\"hiro\"} ",
        "balboard_http_requests_total{route=\"/api/dashboard\","
        "status=\"200\"} 2\n",
        "balboard_http_requests_total{route=\"/api/agents/{stxAddress}\","
        "status=\"400\"} 1\n",
        "balboard_http_requests_total{route=\"other\",status=\"404\"} 1\n",
        "balboard_http_request_duration_seconds_count{route="
        "\"/api/dashboard\"} 2\n",
        "balboard_build_info{service=\"store\",version=\"",
        "\n# TYPE balboard_upstream_request_duration_seconds histogram\n",
        "\nbalboard_upstream_request_duration_seconds_bucket{upstream="
        "\"hiro\",le=\"+Inf\"} ",
        "\nbalboard_upstream_request_duration_seconds_sum{upstream="
        "\"hiro\"} ",
        "\nbalboard_upstream_request_duration_seconds_count{upstream="
        "\"mempool.space\"} ",
        "\n# TYPE balboard_store_commit_seconds histogram\n",
        "\nbalboard_store_commit_seconds_bucket{le=\"+Inf\"} ",
    };
    for (size_t index = 0; index < sizeof parts / sizeof parts [0]; index++)
        s_has (text, parts [index]);
    //  The world's fetches were committed, and timed
    assert_null (strstr (text, "\nbalboard_store_commit_seconds_count 0\n"));

    const char *argv [] = { "/bin/sh", "-c", "exec promtool check metrics",
                            NULL };
    bb_test_command_t result;
    assert_int_equal (bb_test_command_run (argv, text, NULL, CHECK_MS,
                                           &result), 0);
    printf ("promtool check metrics: exit %d %s%s\n", result.status,
            result.out, result.err);
    assert_int_equal (result.status, 0);
    assert_string_equal (result.out, "");
    assert_string_equal (result.err, "");
    bb_test_command_reset (&result);
    bb_http_exchange_destroy (&exchange);
    gw_world_destroy (&world);
}

int
main (void)
{
    if (system ("command -v promtool > /dev/null 2>&1") != 0) {
        printf ("test_discovery_metrics: no promtool (Debian package "
                "prometheus); skipped\n");
        return 77;
    }
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_metrics_of_a_running_world),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
