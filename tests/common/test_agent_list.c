/*  test_agent_list - the agent-list parser the CLI's import and the
    registry sync share: registry pages (pagination read back), arrays,
    NDJSON, rejections with positions and reasons, the owner given to
    every agent, documents adding up, truncation of the last one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include "bb_agent_list.h"
#include "bb_mockdata.h"

#define MANUAL      BALBOARD__AGENT_OWNER__AGENT_OWNER_MANUAL
#define REGISTRY    BALBOARD__AGENT_OWNER__AGENT_OWNER_REGISTRY

#define AGENT_JSON_SIZE 512

//  Sample agents first and first + 1 as JSON objects, in text (each
//  AGENT_JSON_SIZE bytes).
static void
s_agents_json (unsigned first, char *one, char *two)
{
    char *texts [2] = { one, two };
    for (unsigned i = 0; i < 2; i++) {
        bb_mock_agent_t agent;
        bb_mockdata_agent (first + i, &agent);
        snprintf (texts [i], AGENT_JSON_SIZE, "{\"stxAddress\":\"%s\","
                  "\"btcAddress\":\"%s\",\"displayName\":\"%s\","
                  "\"bnsName\":null,\"level\":%d,\"levelName\":\"%s\"}",
                  agent.stx_address, agent.btc_address, agent.display_name,
                  agent.level, agent.level_name);
    }
}

static void
test_registry_page (void **state)
{
    (void) state;
    char one [AGENT_JSON_SIZE], two [AGENT_JSON_SIZE], text [2048];
    s_agents_json (0, one, two);
    snprintf (text, sizeof text, "{\"agents\":[%s,%s,{\"stxAddress\":"
              "\"SPnope\",\"btcAddress\":\"x\"}],\"pagination\":{\"total\":"
              "7,\"limit\":3,\"offset\":0,\"hasMore\":true}}", one, two);
    bb_agent_list_t *list = bb_agent_list_new (BB_NETWORK_MAINNET, REGISTRY);
    bb_agent_page_t page;
    assert_int_equal (bb_agent_list_parse (list, text, strlen (text), &page),
                      0);
    assert_true (page.registry_page);
    assert_true (page.has_more);
    assert_int_equal (page.total, 7);
    assert_int_equal (page.entries, 3);
    assert_int_equal (bb_agent_list_count (list), 2);
    assert_int_equal (bb_agent_list_agents (list) [1]->owner, REGISTRY);
    assert_int_equal (bb_agent_list_rejected_count (list), 1);
    const bb_agent_rejection_t *rejection = bb_agent_list_rejection (list, 0);
    assert_int_equal (rejection->index, 2);
    assert_string_equal (rejection->stx_address, "SPnope");
    assert_non_null (strstr (rejection->reason, "invalid stxAddress"));
    bb_agent_list_destroy (&list);
    assert_null (list);
}

static void
test_array_and_ndjson_add_up (void **state)
{
    (void) state;
    char one [AGENT_JSON_SIZE], two [AGENT_JSON_SIZE], text [2048];
    s_agents_json (3, one, two);
    bb_agent_list_t *list = bb_agent_list_new (BB_NETWORK_MAINNET, MANUAL);
    snprintf (text, sizeof text, "[%s]", one);
    bb_agent_page_t page;
    assert_int_equal (bb_agent_list_parse (list, text, strlen (text), &page),
                      0);
    assert_false (page.registry_page);
    assert_int_equal (page.total, -1);
    snprintf (text, sizeof text, "%s\n \r\n{\"level\":7}\n%s\n", one, two);
    assert_int_equal (bb_agent_list_parse (list, text, strlen (text), &page),
                      0);
    assert_int_equal (page.entries, 3);
    assert_int_equal (bb_agent_list_seen (list), 4);
    assert_int_equal (bb_agent_list_count (list), 3);
    assert_int_equal (bb_agent_list_agents (list) [0]->owner, MANUAL);
    assert_int_equal (bb_agent_list_rejection (list, 0)->index, 2);
    assert_string_equal (bb_agent_list_rejection (list, 0)->reason,
                         "missing stxAddress");
    //  The last document is forgotten; the first stays
    bb_agent_list_truncate (list, 1, 0);
    assert_int_equal (bb_agent_list_count (list), 1);
    assert_int_equal (bb_agent_list_rejected_count (list), 0);
    bb_agent_list_destroy (&list);
}

static void
test_not_a_list (void **state)
{
    (void) state;
    bb_agent_list_t *list = bb_agent_list_new (BB_NETWORK_MAINNET, MANUAL);
    const char *text = "{\"agents\":{}}";
    assert_int_equal (bb_agent_list_parse (list, text, strlen (text), NULL),
                      -1);
    assert_string_equal (bb_agent_list_error (list),
                         "\"agents\" is not an array");
    text = "42";
    assert_int_equal (bb_agent_list_parse (list, text, strlen (text), NULL),
                      -1);
    text = "{\"a\":1}\nnot json\n";
    assert_int_equal (bb_agent_list_parse (list, text, strlen (text), NULL),
                      -1);
    assert_non_null (strstr (bb_agent_list_error (list), "line 2"));
    bb_agent_list_destroy (&list);
}

BB_TEST_MAIN (NULL, NULL,
    cmocka_unit_test (test_registry_page),
    cmocka_unit_test (test_array_and_ndjson_add_up),
    cmocka_unit_test (test_not_a_list))
