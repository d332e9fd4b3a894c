/*  =========================================================================
    bb_mock_endpoint - the upstream endpoints the mock serves

    Owns the endpoint, host and selector tables.
    =========================================================================
*/
#include "bb_mock_endpoint.h"

#include <assert.h>
#include <string.h>

#define BIT BB_MOCK_ENDPOINT_BIT
#define ALL_ENDPOINTS ((1u << BB_MOCK_ENDPOINT_COUNT) - 1)

static const struct {
    const char *name;
    bb_mock_host_t host;
} s_endpoints [BB_MOCK_ENDPOINT_COUNT] = {
    [BB_MOCK_HIRO_V1]     = { "hiro_v1",     BB_MOCK_HOST_HIRO },
    [BB_MOCK_HIRO_V3_STX] = { "hiro_v3_stx", BB_MOCK_HOST_HIRO },
    [BB_MOCK_HIRO_V3_FT]  = { "hiro_v3_ft",  BB_MOCK_HOST_HIRO },
    [BB_MOCK_MEMPOOL]     = { "mempool",     BB_MOCK_HOST_MEMPOOL },
    [BB_MOCK_PRICE]       = { "price",       BB_MOCK_HOST_PRICE },
    [BB_MOCK_METADATA]    = { "metadata",    BB_MOCK_HOST_HIRO },
    [BB_MOCK_AGENTS]      = { "agents",      BB_MOCK_HOST_AGENTS },
};

static const char *s_hosts [BB_MOCK_HOST_COUNT] = {
    [BB_MOCK_HOST_HIRO] = "hiro",
    [BB_MOCK_HOST_MEMPOOL] = "mempool",
    [BB_MOCK_HOST_PRICE] = "price",
    [BB_MOCK_HOST_AGENTS] = "agents",
};

//  Selectors beyond the endpoint names; matched first.
static const struct {
    const char *name;
    bb_mock_endpoint_set_t set;
} s_selectors [] = {
    { "any",     ALL_ENDPOINTS },
    { "hiro",    BIT (BB_MOCK_HIRO_V1) },
    { "hiro_v3", BIT (BB_MOCK_HIRO_V3_STX) | BIT (BB_MOCK_HIRO_V3_FT) },
};

#define SELECTOR_COUNT (sizeof s_selectors / sizeof s_selectors [0])

const char *
bb_mock_endpoint_name (bb_mock_endpoint_t endpoint)
{
    assert (endpoint < BB_MOCK_ENDPOINT_COUNT);
    return s_endpoints [endpoint].name;
}

bb_mock_host_t
bb_mock_endpoint_host (bb_mock_endpoint_t endpoint)
{
    assert (endpoint < BB_MOCK_ENDPOINT_COUNT);
    return s_endpoints [endpoint].host;
}

const char *
bb_mock_host_name (bb_mock_host_t host)
{
    assert (host < BB_MOCK_HOST_COUNT);
    return s_hosts [host];
}

int
bb_mock_endpoint_select (const char *selector, bb_mock_endpoint_set_t *set)
{
    assert (set);
    if (!selector)
        return -1;
    for (size_t index = 0; index < SELECTOR_COUNT; index++)
        if (strcmp (selector, s_selectors [index].name) == 0) {
            *set = s_selectors [index].set;
            return 0;
        }
    for (unsigned endpoint = 0; endpoint < BB_MOCK_ENDPOINT_COUNT; endpoint++)
        if (strcmp (selector, s_endpoints [endpoint].name) == 0) {
            *set = BIT (endpoint);
            return 0;
        }
    return -1;
}

const char *
bb_mock_endpoint_set_name (bb_mock_endpoint_set_t set)
{
    for (size_t index = 0; index < SELECTOR_COUNT; index++)
        if (set == s_selectors [index].set)
            return s_selectors [index].name;
    for (unsigned endpoint = 0; endpoint < BB_MOCK_ENDPOINT_COUNT; endpoint++)
        if (set == BIT (endpoint))
            return s_endpoints [endpoint].name;
    return "custom";
}
