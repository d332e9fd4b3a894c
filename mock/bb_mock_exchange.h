/*  =========================================================================
    bb_mock_exchange - one upstream request and how its endpoint answers

    Owns the upstream APIs' behaviour at the HTTP level: the status,
    headers and body each endpoint gives (validate the address or query,
    then render bb_mock_body), the 400 each gives for an invalid address,
    each one's style of 429, and Hiro's rate-limit headers. The server
    fills an exchange when a request arrives and keeps it on its stack;
    these functions read it and write a reply. No state of their own,
    thread-safe.
    =========================================================================
*/
#ifndef BB_MOCK_EXCHANGE_H_INCLUDED
#define BB_MOCK_EXCHANGE_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include <microhttpd.h>

#include "bb_mock_endpoint.h"
#include "bb_mock_ratelimit.h"
#include "bb_mock_reply.h"
#include "bb_mock_switches.h"

typedef struct {
    struct MHD_Connection *connection;  // for the query arguments
    bb_mock_endpoint_t endpoint;
    const char *param;                  // address or contract in the path
                                        // ("" if the path has none)
    bb_mock_settings_t settings;        // snapshot taken on arrival
    const char *api_key;                // x-api-key, or NULL
    bb_mock_quota_t quota;              // the rate limit's count of it
    int64_t now_ms;                     // wall clock when it was counted
    bool wrong_types;                   // render with the wrong JSON types
} bb_mock_exchange_t;

//  The endpoint's normal answer.
void bb_mock_exchange_answer (bb_mock_exchange_t *self,
                              bb_mock_reply_t *reply);

//  The 400 the endpoint's upstream gives for an invalid address, even if
//  the address is valid (the "invalid_address" fault).
void bb_mock_exchange_reject_address (bb_mock_exchange_t *self,
                                      bb_mock_reply_t *reply);

//  429 in the style of the endpoint's upstream: Hiro's and CoinGecko's
//  JSON with Retry-After, mempool.space's nginx HTML page without it.
void bb_mock_exchange_too_many (bb_mock_exchange_t *self,
                                bb_mock_reply_t *reply);

//  status (a 5xx) with Hiro's database outage body.
void bb_mock_exchange_unavailable (bb_mock_exchange_t *self, unsigned status,
                                   bb_mock_reply_t *reply);

//  Add the rate-limit headers the endpoint's upstream sends (only Hiro
//  sends any: ratelimit-limit/-remaining/-reset and the -stacks-minute
//  pair).
void bb_mock_exchange_quota_headers (bb_mock_exchange_t *self,
                                     bb_mock_reply_t *reply);

#endif
