/*  =========================================================================
    bb_mock_switches - the runtime switches of the mock upstream

    Owns every setting a test may change while the mock runs: latency,
    the rate limit, the "v1 is gone" switch, the prices, the v3 page size,
    the agent registry (its agent count, invalid agents mixed in, a count
    that moves while it is read, pages that ignore their offset) and the
    list of queued faults. They start from the
    flags, change with POST /__mock/control (a JSON object, see
    bb_mock_switches_control) and return to the flag values on
    POST /__mock/reset.

    Threading: MHD serves each connection on its own thread, so every
    method takes the object's mutex. A mutex is fine here, this is a test
    server; balboard's own processes share no state between threads.
    =========================================================================
*/
#ifndef BB_MOCK_SWITCHES_H_INCLUDED
#define BB_MOCK_SWITCHES_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "bb_mock_endpoint.h"

typedef struct {
    long latency_ms;                // added before every upstream answer
    long latency_spread_ms;         // +/- uniform jitter on latency_ms
    long rate_limit_per_minute;     // per host and API key; 0 = no limit
    long rate_limit_window_ms;      // the fixed window (60000 = a minute)
    long rate_limit_retry_after_s;  // Retry-After; 0 = until window end
    long retry_after_header;        // 429s with a Retry-After: 0 = each
                                    // upstream's own way (not mempool's),
                                    // 1 = every one, -1 = none
    bool gone_v1;                   // v1 balances answer 410 Gone
    double btc_usd;
    double stx_usd;
    long v3_page_size;              // caps the v3 ft page (limit param)
    long oversize_bytes;            // default body size of "oversized"
    long agents;                    // sample agents the registry lists
    long agents_invalid_every;      // every Nth listed agent is invalid
                                    // (index % N == N-1); 0 = none
    long agents_step;               // the agent count moves by this after
                                    // each registry page served
    bool agents_stuck;              // every registry page is the first one
                                    // (offset ignored)
} bb_mock_settings_t;

typedef enum {
    BB_MOCK_FAULT_5XX,              // status (503) + database error body
    BB_MOCK_FAULT_HANG,             // sleep hang_ms, then answer normally
    BB_MOCK_FAULT_RESET,            // drop the connection, no response
    BB_MOCK_FAULT_TRUNCATED,        // 200, first half of the JSON body
    BB_MOCK_FAULT_WRONG_TYPES,      // 200, numbers for strings and back
    BB_MOCK_FAULT_OVERSIZED,        // 200, valid JSON of oversize_bytes
    BB_MOCK_FAULT_INVALID_ADDRESS,  // the upstream's invalid-address 400
    BB_MOCK_FAULT_429,              // as if over the rate limit
    BB_MOCK_FAULT_KIND_COUNT
} bb_mock_fault_kind_t;

typedef struct {
    bb_mock_fault_kind_t kind;
    bb_mock_endpoint_set_t endpoints;   // where it applies
    long remaining;                 // requests left; 0 = every request
    long hang_ms;                   // HANG: how long
    long status;                    // 5XX: the status code
    long oversize_bytes;            // OVERSIZED: body size
    long skip;                      // requests of its endpoints that go
                                    // through before it applies
} bb_mock_fault_t;

//  Bounds of the settings, shared by the flags and the control body.
#define BB_MOCK_MS_MAX          600000L         // ten minutes
#define BB_MOCK_RATE_MAX        1000000L        // requests per window
#define BB_MOCK_WINDOW_MS_MAX   3600000L        // an hour
#define BB_MOCK_RETRY_S_MAX     86400L          // a day
#define BB_MOCK_PAGE_SIZE_MAX   200L            // Hiro's own maximum
#define BB_MOCK_OVERSIZE_MAX    (256L << 20)    // 256 MiB
#define BB_MOCK_AGENTS_MAX      10000000L

//  Most faults queued at once.
#define BB_MOCK_FAULTS_MAX 32

//  Defaults of the fault parameters.
#define BB_MOCK_HANG_MS_DEFAULT     30000
#define BB_MOCK_5XX_STATUS_DEFAULT  503

typedef struct _bb_mock_switches_t bb_mock_switches_t;

//  Create the switches at initial (copied; also what reset restores).
bb_mock_switches_t *bb_mock_switches_new (const bb_mock_settings_t *initial);

//  Destroy the switches and set *self_p to NULL. NULL-safe.
void bb_mock_switches_destroy (bb_mock_switches_t **self_p);

//  Copy the current settings into *settings.
void bb_mock_switches_get (bb_mock_switches_t *self,
                           bb_mock_settings_t *settings);

//  Apply a control body: a JSON object whose keys are the settings'
//  names (latency_ms, latency_spread_ms, rate_limit_per_minute,
//  rate_limit_window_ms, rate_limit_retry_after_s, retry_after_header,
//  gone_v1, btc_usd,
//  stx_usd, v3_page_size, oversize_bytes, agents, agents_invalid_every,
//  agents_step, agents_stuck) and "faults": an array of
//  {"endpoint", "kind", "count", "hang_ms", "status", "oversize_bytes",
//  "skip"} that replaces the queued faults ([] clears them); "skip": 1 with
//  endpoint "agents" fails the registry's second page on. Keys not given keep
//  their value. All or nothing: on any unknown key, wrong type or bad value
//  nothing changes. Returns 0, or -1 with the reason in error (size bytes).
int bb_mock_switches_control (bb_mock_switches_t *self, const char *body,
                              char *error, size_t size);

//  Restore the initial settings and clear the faults.
void bb_mock_switches_reset (bb_mock_switches_t *self);

//  The current settings and faults as a JSON object text, in the control
//  body's format. Caller owns the returned string and must free it.
char *bb_mock_switches_describe (bb_mock_switches_t *self);

//  Take the first queued fault that applies to endpoint: copy it into
//  *fault, count one use (a fault whose count runs out is dropped) and
//  return true; false if none applies.
bool bb_mock_switches_take_fault (bb_mock_switches_t *self,
                                  bb_mock_endpoint_t endpoint,
                                  bb_mock_fault_t *fault);

//  A registry page was served: the agent count moves by agents_step
//  (within 0..BB_MOCK_AGENTS_MAX).
void bb_mock_switches_agents_served (bb_mock_switches_t *self);

//  A latency sample in ms: latency_ms +/- a uniform latency_spread_ms,
//  never negative.
long bb_mock_switches_latency_ms (bb_mock_switches_t *self);

//  Name of a fault kind as in the control body ("5xx", "hang", ...).
const char *bb_mock_fault_kind_name (bb_mock_fault_kind_t kind);

#endif
