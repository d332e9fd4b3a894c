/*  =========================================================================
    bb_http - the libcurl multi engine of one fetcher

    Owns one CURLM and every request in it, from bb_http_get until its
    done callback. The multi handle lives as long as the fetcher, so
    connections (and HTTP/2 multiplexing, where the server offers it) are
    reused across requests and jobs.

    Lanes. Each request runs on a lane, one per upstream (Hiro, mempool,
    prices), and a lane never has more than its limit of requests on the
    wire; the others wait in FIFO order. The bound is ours rather than
    CURLMOPT_MAX_HOST_CONNECTIONS because several upstreams may share one
    host (the mock serves all of them) and because with HTTP/2 one
    connection carries many requests. A lane also carries the headers
    its requests send (x-api-key for Hiro; never logged here).

    Failures. Transport errors, timeouts and 5xx are retried up to
    max_retries times with exponential backoff and jitter. A 429 pauses
    the whole lane, since the host limits us, not one URL: for its
    Retry-After (delta-seconds or HTTP-date), or without one for a
    rate-limit backoff (mempool.space answers an HTML page and no
    header). The request itself waits only a Retry-After that ends before
    its deadline, BB_HTTP_RATE_LIMIT_RETRIES times at most; a 429 without
    one ends it at once, rate limited, so that its caller can give up on
    the upstream instead of waiting out the limit. Nothing runs or waits
    past a request's deadline:
    each attempt's timeout is cut to it, and a retry or 429 wait that
    would end past it is not taken, the request ends with its last
    outcome instead. Bodies over max_body_bytes are cut off.

    Threading: one thread (the fetcher actor's). curl_global_init must
    have run in main before any thread started.
    =========================================================================
*/
#ifndef BB_HTTP_H_INCLUDED
#define BB_HTTP_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bb_latency.h"

//  Most lanes an engine has.
#define BB_HTTP_LANES 4

//  429s with a Retry-After one request waits out, at most.
#define BB_HTTP_RATE_LIMIT_RETRIES 2

//  An attempt with less time than this before its deadline is not worth
//  starting (libcurl's timers can end the one before it a little early):
//  a waiting request ends once less is left.
#define BB_HTTP_MIN_ATTEMPT_MS 20

typedef struct {
    long connect_timeout_ms;    // per attempt
    long request_timeout_ms;    // per attempt, whole transfer
    size_t max_body_bytes;      // larger bodies fail (transport)
    unsigned max_retries;       // retries after the first attempt
    long backoff_base_ms;       // first retry delay, doubled per retry
    long backoff_max_ms;        // cap of a retry delay
    long rate_limit_backoff_ms; // first lane pause, 429 without header
} bb_http_config_t;

//  How a request ended.
typedef enum {
    BB_HTTP_RESPONSE,           // a final HTTP response: see status
    BB_HTTP_RATE_LIMITED,       // 429 that could not be waited out
    BB_HTTP_TIMEOUT,            // attempt timeout or the deadline
    BB_HTTP_TRANSPORT,          // connect, reset, DNS, body over the cap
    BB_HTTP_CANCELLED,          // bb_http_cancel_all
} bb_http_outcome_t;

//  What a done callback gets. Valid only during the callback.
typedef struct {
    bb_http_outcome_t outcome;
    long status;                // last HTTP status, 0 if none arrived
    const char *body;           // last body, NUL-terminated, may be ""
    size_t body_size;
    unsigned attempts;          // requests put on the wire
    unsigned unanswered;        // of them, ended with no HTTP answer
                                // (timeout, transport, cancelled): the
                                // upstream may see them later
    unsigned rate_limited;      // 429s received
    unsigned retry_after_s;     // largest wait a 429 asked for, 0 if none
    int64_t retry_until_ms;     // when that wait ends (zclock_mono), or 0
    const char *detail;         // why, for anything but a response
    const bb_latency_t *latency;    // every attempt's duration
} bb_http_result_t;

//  Called exactly once per request, from bb_http_poll or
//  bb_http_cancel_all. It may queue new requests with bb_http_get.
typedef void (bb_http_done_fn) (const bb_http_result_t *result, void *arg);

typedef struct _bb_http_t bb_http_t;

//  Create an engine with config (copied). Returns NULL if libcurl cannot
//  create a multi handle.
bb_http_t *bb_http_new (const bb_http_config_t *config);

//  Abort every request (their callbacks are not called), close every
//  connection, destroy the engine and set *self_p to NULL. NULL-safe.
void bb_http_destroy (bb_http_t **self_p);

//  Allow at most limit (>= 1) requests of lane (< BB_HTTP_LANES) on the
//  wire at once. Every lane starts at 1.
void bb_http_set_lane_limit (bb_http_t *self, unsigned lane, unsigned limit);

//  Send header ("Name: value", copied) with every request of lane.
void bb_http_add_lane_header (bb_http_t *self, unsigned lane,
                              const char *header);

//  Never log the URLs of lane's requests (they may carry credentials,
//  as the agent registry's may).
void bb_http_hide_lane_urls (bb_http_t *self, unsigned lane);

//  Queue GET url (copied) on lane, to be done by deadline_ms (monotonic,
//  zclock_mono). done (arg) is called once when it ends.
void bb_http_get (bb_http_t *self, unsigned lane, const char *url,
                  int64_t deadline_ms, bb_http_done_fn *done, void *arg);

//  Start what may start, wait up to timeout_ms for network activity, a
//  timer or one of fds (count may be 0) becoming readable, then move
//  transfers on and call the callbacks of those that ended. Returns 0,
//  or -1 if libcurl's multi interface failed.
int bb_http_poll (bb_http_t *self, const int *fds, size_t count,
                  int timeout_ms);

//  Requests queued or on the wire.
size_t bb_http_pending (bb_http_t *self);

//  429s lane has received since the engine was made, including those its
//  requests are still waiting out, and in *paused_until_ms (monotonic)
//  the end of the lane's latest pause.
unsigned bb_http_lane_rate_limited (bb_http_t *self, unsigned lane,
                                    int64_t *paused_until_ms);

//  End every request now with BB_HTTP_CANCELLED (callbacks are called).
void bb_http_cancel_all (bb_http_t *self);

//  End every request of lane, running or waiting, with BB_HTTP_CANCELLED.
//  For a callback giving up on an upstream: the callbacks run at the end
//  of the current step (bb_http_poll's), not within this call.
void bb_http_cancel_lane (bb_http_t *self, unsigned lane);

//  Parse a Retry-After value, delta-seconds or an HTTP-date, into the
//  seconds to wait from now (0 for a date in the past). Returns 0, or -1
//  if value is neither.
int bb_http_retry_after_parse (const char *value, time_t now,
                               long *seconds);

#endif
