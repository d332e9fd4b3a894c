/*  =========================================================================
    bb_mock_ratelimit - fixed-window request counters of the mock upstream

    Owns one counter per (host, API key): the first request opens a window
    of window_ms, at most limit requests are admitted in it, the rest are
    refused until it ends. Requests without a key share one bucket per host
    (the real services count those per client IP; the mock has one client
    address that matters). Refused requests do not count. Buckets are kept
    in a list, searched linearly: tests use a handful of keys.

    Threading: methods take the object's mutex (MHD serves connections on
    their own threads; a mutex is fine in a test server).
    =========================================================================
*/
#ifndef BB_MOCK_RATELIMIT_H_INCLUDED
#define BB_MOCK_RATELIMIT_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "bb_mock_endpoint.h"

//  What the rate-limit headers report for one request.
typedef struct {
    long limit;                 // requests per window
    long remaining;             // left in this window after this request
    int64_t reset_ms;           // wall-clock ms when the window ends
} bb_mock_quota_t;

typedef struct _bb_mock_ratelimit_t bb_mock_ratelimit_t;

bb_mock_ratelimit_t *bb_mock_ratelimit_new (void);

//  Destroy the limiter and set *self_p to NULL. NULL-safe.
void bb_mock_ratelimit_destroy (bb_mock_ratelimit_t **self_p);

//  Count one request to host with api_key (NULL = none) at now_ms
//  (wall clock). limit 0 admits everything and reports nothing counted.
//  Returns true if admitted; *quota is filled either way.
bool bb_mock_ratelimit_admit (bb_mock_ratelimit_t *self, bb_mock_host_t host,
                              const char *api_key, long limit,
                              long window_ms, int64_t now_ms,
                              bb_mock_quota_t *quota);

//  Forget every bucket.
void bb_mock_ratelimit_reset (bb_mock_ratelimit_t *self);

#endif
