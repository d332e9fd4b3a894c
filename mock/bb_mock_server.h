/*  =========================================================================
    bb_mock_server - the HTTP server of the mock upstream

    Owns the libmicrohttpd daemon, the routing of the upstream paths (Hiro
    /extended/..., /metadata/..., mempool.space /api/address/..., CoinGecko
    /api/v3/simple/price, the agent registry /api/agents) and of the
    control paths (/__mock/control, /__mock/reset, /__mock/stats), and the
    order in which a request meets its switches: stats, latency, rate
    limit, fault, answer.

    Each connection is served on its own thread, so a slow, hanging or
    latency-delayed request never holds up the others; the switches, rate
    limiter and stats are mutex-guarded for that reason. Sleeps are cut
    short when the server is destroyed, so shutdown is prompt.
    =========================================================================
*/
#ifndef BB_MOCK_SERVER_H_INCLUDED
#define BB_MOCK_SERVER_H_INCLUDED

#include "bb_mock_switches.h"

typedef struct _bb_mock_server_t bb_mock_server_t;

//  Start serving on bind_address ("host:port", "[v6 host]:port"; port 0 picks a
//  free port) with the initial settings (copied). Returns NULL, after
//  logging why, if the address is bad or cannot be bound.
bb_mock_server_t *bb_mock_server_new (const char *bind_address,
                                      const bb_mock_settings_t *settings);

//  Stop serving (requests in progress finish; sleeping ones are woken),
//  free everything and set *self_p to NULL. NULL-safe.
void bb_mock_server_destroy (bb_mock_server_t **self_p);

//  The TCP port the server listens on.
unsigned bb_mock_server_port (bb_mock_server_t *self);

#endif
