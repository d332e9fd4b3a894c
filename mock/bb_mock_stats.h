/*  =========================================================================
    bb_mock_stats - request counters of the mock upstream

    Owns what GET /__mock/stats reports: requests per endpoint and per
    address, 429s from the rate limiter, injected faults, and the number of
    requests being served at once (now and at peak) per host and in total.
    The peak is what fetcher tests read to prove their concurrency bound: a
    request counts as in flight from the moment its handler starts (before
    the injected latency) until its answer is queued.

    Threading: methods take the object's mutex (MHD serves connections on
    their own threads; a mutex is fine in a test server).
    =========================================================================
*/
#ifndef BB_MOCK_STATS_H_INCLUDED
#define BB_MOCK_STATS_H_INCLUDED

#include <stdbool.h>

#include "bb_mock_endpoint.h"

typedef struct _bb_mock_stats_t bb_mock_stats_t;

bb_mock_stats_t *bb_mock_stats_new (void);

//  Destroy the stats and set *self_p to NULL. NULL-safe.
void bb_mock_stats_destroy (bb_mock_stats_t **self_p);

//  A request to endpoint starts; address (may be NULL) is the principal,
//  Bitcoin address or contract in its path, valid or not; with_key says
//  it carried x-api-key.
void bb_mock_stats_enter (bb_mock_stats_t *self, bb_mock_endpoint_t endpoint,
                          const char *address, bool with_key);

//  The request to endpoint that entered has been answered.
void bb_mock_stats_leave (bb_mock_stats_t *self, bb_mock_endpoint_t endpoint);

//  Count a 429 from the rate limiter, or an injected fault.
void bb_mock_stats_rate_limited (bb_mock_stats_t *self);
void bb_mock_stats_fault (bb_mock_stats_t *self);

//  Zero every counter; peaks restart from the requests now in flight.
void bb_mock_stats_reset (bb_mock_stats_t *self);

//  The stats as JSON text:
//  {"requests":{"total":N,"with_api_key":N,"by_endpoint":{"hiro_v1":N,...},
//   "by_address":{"<addr>":N,...}},"rate_limited":N,"faults_injected":N,
//   "max_concurrent":{"total":N,"hiro":N,"mempool":N,"price":N,"agents":N},
//   "in_flight":{same keys}}. Caller owns the string and must free it.
char *bb_mock_stats_json (bb_mock_stats_t *self);

#endif
