/*  test_discovery_openapi - the real gateway against its /openapi.json

    Starts a whole balboard behind a real gateway (gw_world: mock, store,
    scheduler, fetcher, the first rotation fetched), then runs
    check_openapi.py with the tests' Python (BALBOARD_PYTHON): the
    document passes openapi-spec-validator and is the one in
    gateway/discovery/, and the live answers of every route, /api/dashboard
    and /api/agents/{stxAddress} included, validate against its schemas
    (jsonschema). Exits 77 (skipped) when BALBOARD_PYTHON is empty. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gw_world.h"
#include "bb_mockdata.h"
#include "bb_test_command.h"

#define AGENTS          20
#define CHECK_MS        120000          // catches a hang only
#define PATH_SIZE       512

static void
test_openapi_against_live_answers (void **state)
{
    gw_world_t *world = gw_world_new (AGENTS);
    bb_mock_agent_t known, unknown;
    bb_mockdata_agent (0, &known);
    bb_mockdata_agent (AGENTS + 1, &unknown);
    char script [PATH_SIZE];
    snprintf (script, sizeof script, "%s/tests/discovery/check_openapi.py",
              getenv ("BALBOARD_SOURCE_DIR"));
    const char *argv [] = {
        getenv ("BALBOARD_PYTHON"), script, gw_world_base (world),
        known.stx_address, unknown.stx_address,
        getenv ("BALBOARD_SOURCE_DIR"), NULL
    };
    bb_test_command_t result;
    assert_int_equal (bb_test_command_run (argv, NULL, NULL, CHECK_MS,
                                           &result), 0);
    printf ("%s%s", result.out, result.err);
    assert_int_equal (result.status, 0);
    bb_test_command_reset (&result);
    gw_world_destroy (&world);
}

int
main (void)
{
    const char *python = getenv ("BALBOARD_PYTHON");
    if (!python || !*python) {
        printf ("test_discovery_openapi: no BALBOARD_PYTHON; skipped\n");
        return 77;
    }
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_openapi_against_live_answers),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
