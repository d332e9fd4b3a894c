/*  =========================================================================
    fuzz_gateway - the gateway's path and query-string reading

    Anyone on the network controls the request line. The input is read
    as a request target, "path?query": the path's route
    (bb_metrics_route, the same rule as the router's: "/api/agents/"
    then one non-empty segment) and, for an agent path, the address
    check bb_api_agent makes before anything reaches the store; each
    "name=value" of the query as the dashboard reads limit and offset
    (bb_http_query). Whatever the text, a limit is in 1..500 and an
    offset in 0..BB_HTTP_QUERY_OFFSET_MAX, and parseInt's rules hold.
    =========================================================================
*/
#include <stdbool.h>
#include <string.h>

#include "fuzz_target.h"
#include "bb_address.h"
#include "bb_http_query.h"
#include "bb_metrics.h"

#define AGENTS_PREFIX "/api/agents/"

static void
s_check_path (const char *path)
{
    const char *route = bb_metrics_route (path);
    FUZZ_CHECK (route && route [0]);
    size_t prefix = strlen (AGENTS_PREFIX);
    bool agent_path = strncmp (path, AGENTS_PREFIX, prefix) == 0
                   && path [prefix] && !strchr (path + prefix, '/');
    FUZZ_CHECK (agent_path
                == (strcmp (route, "/api/agents/{stxAddress}") == 0));
    if (agent_path) {
        const char *reason = NULL;
        if (bb_address_check_stx (path + prefix, BB_NETWORK_MAINNET,
                                  &reason))
            FUZZ_CHECK (reason && reason [0]);
    }
}

//  One query value, as limit and as offset.
static void
s_check_value (const char *value)
{
    int64_t limit = bb_http_query_limit (value);
    FUZZ_CHECK (limit >= 1 && limit <= BB_HTTP_QUERY_LIMIT_MAX);
    int64_t offset = bb_http_query_offset (value);
    FUZZ_CHECK (offset >= 0 && offset <= BB_HTTP_QUERY_OFFSET_MAX);
    int64_t number = 0;
    if (bb_http_query_parse_int (value, &number)) {
        if (number >= 1 && number <= BB_HTTP_QUERY_LIMIT_MAX)
            FUZZ_CHECK (limit == number);
        if (number >= 0 && number <= BB_HTTP_QUERY_OFFSET_MAX)
            FUZZ_CHECK (offset == number);
    }
    else {
        FUZZ_CHECK (limit == BB_HTTP_QUERY_LIMIT_DEFAULT);
        FUZZ_CHECK (offset == 0);
    }
}

//  Each name=value pair of query (modified in place).
static void
s_check_query (char *query)
{
    char *save = NULL;
    for (char *pair = strtok_r (query, "&", &save); pair;
         pair = strtok_r (NULL, "&", &save)) {
        char *equals = strchr (pair, '=');
        s_check_value (equals ? equals + 1 : pair);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *target = fuzz_target_string (data, size);
    s_check_value (target);
    s_check_value (NULL);
    char *question = strchr (target, '?');
    if (question)
        *question = '\0';
    s_check_path (target);
    if (question)
        s_check_query (question + 1);
    free (target);
    return 0;
}
