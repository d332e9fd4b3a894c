/*  =========================================================================
    bb_mock_endpoint - the upstream endpoints the mock serves

    Owns the names of the endpoints (as /__mock/stats reports them), the
    upstream host each belongs to (the unit of rate limiting and of the
    max_concurrent figures) and the selectors a fault names in
    /__mock/control. Pure tables, thread-safe.
    =========================================================================
*/
#ifndef BB_MOCK_ENDPOINT_H_INCLUDED
#define BB_MOCK_ENDPOINT_H_INCLUDED

typedef enum {
    BB_MOCK_HIRO_V1,            // /extended/v1/address/{p}/balances
    BB_MOCK_HIRO_V3_STX,        // /extended/v3/principals/{p}/balances/stx
    BB_MOCK_HIRO_V3_FT,         // /extended/v3/principals/{p}/balances/ft
    BB_MOCK_MEMPOOL,            // /api/address/{btc}
    BB_MOCK_PRICE,              // /api/v3/simple/price
    BB_MOCK_METADATA,           // /metadata/v1/ft/{contract}
    BB_MOCK_AGENTS,             // /api/agents
    BB_MOCK_ENDPOINT_COUNT
} bb_mock_endpoint_t;

typedef enum {
    BB_MOCK_HOST_HIRO,          // Stacks API + token metadata (one quota)
    BB_MOCK_HOST_MEMPOOL,
    BB_MOCK_HOST_PRICE,
    BB_MOCK_HOST_AGENTS,        // the agent registry; never rate limited
    BB_MOCK_HOST_COUNT
} bb_mock_host_t;

//  A set of endpoints, one bit per bb_mock_endpoint_t.
typedef unsigned bb_mock_endpoint_set_t;

//  Stats name of endpoint: "hiro_v1", "hiro_v3_stx", "hiro_v3_ft",
//  "mempool", "price", "metadata", "agents".
const char *bb_mock_endpoint_name (bb_mock_endpoint_t endpoint);

//  The host endpoint belongs to.
bb_mock_host_t bb_mock_endpoint_host (bb_mock_endpoint_t endpoint);

//  Stats name of host: "hiro", "mempool", "price", "agents".
const char *bb_mock_host_name (bb_mock_host_t host);

//  Parse a fault selector into *set. Selectors: "hiro" (v1 balances),
//  "hiro_v3" (v3 stx + ft), "metadata", "mempool", "price", "agents",
//  "any" (all), or any endpoint's stats name. Returns 0 or -1.
int bb_mock_endpoint_select (const char *selector,
                             bb_mock_endpoint_set_t *set);

//  The selector that yields set (as /__mock/control shows a fault), or
//  "custom" if no single selector does.
const char *bb_mock_endpoint_set_name (bb_mock_endpoint_set_t set);

#define BB_MOCK_ENDPOINT_BIT(endpoint) (1u << (endpoint))

#endif
