/*  =========================================================================
    bb_http - the libcurl multi engine of one fetcher

    A request lives in exactly one place: its lane's waiting list (queued,
    or backing off until not_before_ms), the running list (an easy handle
    in the multi; CURLOPT_PRIVATE points back at the request), or the
    finished list, whose callbacks run at the end of each step. Callbacks
    never run while a list is being walked, so they may queue requests.
    Every list owns its requests through a destructor, so destroying the
    engine frees whatever is still in flight.
    =========================================================================
*/
#include "bb_http.h"
#include "bb_buffer.h"
#include "bb_log.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <czmq.h>

#define BODY_INITIAL_BYTES  16384
#define RETRY_AFTER_SIZE    64          // longest Retry-After value kept
#define RETRY_AFTER_MAX_S   86400L      // a day: longer asks are capped
#define FDS_MAX             8           // extra descriptors bb_http_poll
#define IDLE_EASY_MAX       64          // easy handles kept for reuse
#define SPARE_BODY_MAX      64          // BODY_INITIAL_BYTES buffers kept
#define USER_AGENT          "balboard-fetcher"
#define MS_PER_S            1000

typedef struct {
    bb_http_t *engine;                  // owner
    unsigned lane;
    char *url;                          // owned
    int64_t deadline_ms;                // monotonic
    int64_t not_before_ms;              // earliest next attempt
    bb_http_done_fn *done;
    void *arg;
    CURL *easy;                         // while on the wire, else NULL
    void *handle;                       // in the running list
    bb_buffer_t body;                   // of the last response
    bool over_cap;                      // the body passed the cap
    bool deadline_cut;                  // attempt timeout cut to deadline
    char retry_after [RETRY_AFTER_SIZE];    // header of the last response
    long status;                        // of the last response
    unsigned attempts;
    unsigned unanswered;                // attempts ended with no answer
    bb_latency_t latency;               // the attempts' durations
    unsigned rate_limited;
    unsigned retry_after_s;
    int64_t retry_until_ms;             // end of the latest asked-for wait
    bb_http_outcome_t outcome;          // of the last failed attempt
    char detail [CURL_ERROR_SIZE];      // why it failed
    char error [CURL_ERROR_SIZE];       // libcurl's error buffer
} request_t;

typedef struct {
    unsigned limit;                     // most requests on the wire
    unsigned running;                   // requests on the wire
    int64_t paused_until_ms;            // a 429 asked us to wait
    unsigned rate_limited;              // 429s received, in all
    int64_t earliest_ms;                // no waiting deadline before this
    struct curl_slist *headers;         // owned
    zlistx_t *waiting;                  // request_t, FIFO, owned
    bool hide_urls;                     // its URLs may carry credentials
} lane_t;

struct _bb_http_t {
    bb_http_config_t config;
    CURLM *multi;
    lane_t lanes [BB_HTTP_LANES];
    zlistx_t *running;                  // request_t on the wire, owned
    zlistx_t *finished;                 // request_t to call back, owned
    CURL *idle [IDLE_EASY_MAX];         // reset easy handles, owned
    size_t idle_count;
    char *spare [SPARE_BODY_MAX];       // body buffers for reuse, owned
    size_t spare_count;
    int64_t next_due_ms;                // next timer of a waiting request
    uint64_t random;                    // xorshift64 state (jitter)
};

//  ---------------------------------------------------------------------
//  Requests

//  Take back a request's body buffer: one of BODY_INITIAL_BYTES (most
//  bodies) is kept for the next request, sparing the allocator a large
//  block per request; one that grew is freed.
static void
s_body_give (bb_http_t *self, char *body, size_t capacity)
{
    if (body && capacity == BODY_INITIAL_BYTES
    &&  self->spare_count < SPARE_BODY_MAX)
        self->spare [self->spare_count++] = body;
    else
        free (body);
}

//  A body buffer for a request's first bytes: a spare one, else a new one
//  of BODY_INITIAL_BYTES.
static void
s_body_take (bb_http_t *self, bb_buffer_t *body)
{
    if (self->spare_count) {
        body->data = self->spare [--self->spare_count];
        body->capacity = BODY_INITIAL_BYTES;
    }
    else
        bb_buffer_reserve (body, BODY_INITIAL_BYTES);
}

static void
s_request_destroy (request_t **self_p)
{
    request_t *self = *self_p;
    if (!self)
        return;
    if (self->easy) {
        curl_multi_remove_handle (self->engine->multi, self->easy);
        curl_easy_cleanup (self->easy);
    }
    free (self->url);
    s_body_give (self->engine, self->body.data, self->body.capacity);
    free (self);
    *self_p = NULL;
}

static void
s_request_free (void **item)
{
    s_request_destroy ((request_t **) item);
}

static void
s_detail (request_t *request, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (request->detail, sizeof request->detail, format, args);
    va_end (args);
}

//  The request's URL as logs may show it.
static const char *
s_logged_url (bb_http_t *self, const request_t *request)
{
    return self->lanes [request->lane].hide_urls ? "(hidden)" : request->url;
}

//  The request ends with outcome (its detail already set); the callback
//  runs at the end of the step.
static void
s_finish (bb_http_t *self, request_t *request, bb_http_outcome_t outcome)
{
    request->outcome = outcome;
    zlistx_add_end (self->finished, request);
}

static bool
s_flush (bb_http_t *self)
{
    bool any = false;
    request_t *request;
    while ((request = zlistx_detach (self->finished, NULL))) {
        bb_http_result_t result = {
            .outcome = request->outcome,
            .status = request->status,
            .body = request->body.data ? request->body.data : "",
            .body_size = request->body.size,
            .attempts = request->attempts,
            .unanswered = request->unanswered,
            .rate_limited = request->rate_limited,
            .retry_after_s = request->retry_after_s,
            .retry_until_ms = request->retry_until_ms,
            .detail = request->detail,
            .latency = &request->latency,
        };
        request->done (&result, request->arg);
        s_request_destroy (&request);
        any = true;
    }
    return any;
}

//  ---------------------------------------------------------------------
//  libcurl callbacks

static size_t
s_write (char *data, size_t size, size_t count, void *arg)
{
    request_t *request = arg;
    size_t bytes = size * count;
    if (request->body.size + bytes > request->engine->config.max_body_bytes) {
        request->over_cap = true;
        return 0;                       // aborts with CURLE_WRITE_ERROR
    }
    if (!request->body.data)
        s_body_take (request->engine, &request->body);
    if (bb_buffer_append (&request->body, data, bytes))
        return 0;                       // out of memory: the same abort
    return bytes;
}

//  Keep the Retry-After of the last response (a status line starts one).
static size_t
s_header (char *line, size_t size, size_t count, void *arg)
{
    request_t *request = arg;
    size_t bytes = size * count;
    static const char name [] = "retry-after:";
    if (bytes >= 5 && memcmp (line, "HTTP/", 5) == 0)
        request->retry_after [0] = 0;
    else
    if (bytes > sizeof name - 1
    &&  strncasecmp (line, name, sizeof name - 1) == 0) {
        const char *value = line + sizeof name - 1;
        size_t length = bytes - (sizeof name - 1);
        while (length && isspace ((unsigned char) *value)) {
            value++;
            length--;
        }
        while (length && isspace ((unsigned char) value [length - 1]))
            length--;
        if (length >= sizeof request->retry_after)
            length = sizeof request->retry_after - 1;
        memcpy (request->retry_after, value, length);
        request->retry_after [length] = 0;
    }
    return bytes;
}

//  ---------------------------------------------------------------------
//  Timing

static uint64_t
s_random (bb_http_t *self)
{
    uint64_t x = self->random;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    self->random = x;
    return x;
}

//  base * 2^(step - 1), capped, with "equal jitter": half fixed, half
//  random, so retries of many requests spread out but never come early.
static long
s_backoff (bb_http_t *self, long base_ms, unsigned step)
{
    long delay = base_ms;
    for (unsigned i = 1; i < step && delay < self->config.backoff_max_ms;
         i++)
        delay *= 2;
    if (delay > self->config.backoff_max_ms)
        delay = self->config.backoff_max_ms;
    long half = delay / 2;
    return half + (long) (s_random (self) % (uint64_t) (delay - half + 1));
}

static unsigned
s_seconds_until (int64_t when_ms, int64_t now_ms)
{
    return when_ms > now_ms
         ? (unsigned) ((when_ms - now_ms + MS_PER_S - 1) / MS_PER_S) : 0;
}

//  ---------------------------------------------------------------------
//  Attempts

//  A new easy handle with the options every request shares.
static CURL *
s_easy_init (bb_http_t *self)
{
    CURL *easy = curl_easy_init ();
    if (!easy)
        return NULL;
    curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, s_write);
    curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, s_header);
    curl_easy_setopt (easy, CURLOPT_MAXFILESIZE_LARGE,
                      (curl_off_t) self->config.max_body_bytes);
    curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt (easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt (easy, CURLOPT_USERAGENT, USER_AGENT);
    return easy;
}

//  An easy handle: a reused one if any (cheaper than a new one; the
//  connections themselves belong to the multi handle either way).
static CURL *
s_easy_take (bb_http_t *self)
{
    return self->idle_count ? self->idle [--self->idle_count]
                            : s_easy_init (self);
}

//  Take back easy, which is out of the multi handle. It keeps the shared
//  options (s_easy_new sets every other one again) but nothing that
//  points into its last request.
static void
s_easy_give (bb_http_t *self, CURL *easy)
{
    if (self->idle_count < IDLE_EASY_MAX) {
        curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, NULL);
        curl_easy_setopt (easy, CURLOPT_PRIVATE, NULL);
        curl_easy_setopt (easy, CURLOPT_WRITEDATA, NULL);
        curl_easy_setopt (easy, CURLOPT_HEADERDATA, NULL);
        self->idle [self->idle_count++] = easy;
    }
    else
        curl_easy_cleanup (easy);
}

//  An easy handle for request's next attempt: the shared options, and
//  the request's own.
static CURL *
s_easy_new (bb_http_t *self, request_t *request, long timeout_ms)
{
    CURL *easy = s_easy_take (self);
    if (!easy)
        return NULL;
    long connect_ms = self->config.connect_timeout_ms < timeout_ms
                    ? self->config.connect_timeout_ms : timeout_ms;
    curl_easy_setopt (easy, CURLOPT_URL, request->url);
    curl_easy_setopt (easy, CURLOPT_PRIVATE, request);
    curl_easy_setopt (easy, CURLOPT_HTTPHEADER,
                      self->lanes [request->lane].headers);
    curl_easy_setopt (easy, CURLOPT_WRITEDATA, request);
    curl_easy_setopt (easy, CURLOPT_HEADERDATA, request);
    curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, request->error);
    curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    //  Over TLS, ALPN tells at connect time whether the server
    //  multiplexes (HTTP/2), so waiting for that beats opening another
    //  connection. Over cleartext HTTP/1.1 the answer would only come
    //  with the first response: a slow one would stall the others.
    curl_easy_setopt (easy, CURLOPT_PIPEWAIT,
                      strncmp (request->url, "https://", 8) == 0 ? 1L : 0L);
    return easy;
}

//  Put request on the wire. It has time left before its deadline.
static void
s_start (bb_http_t *self, request_t *request, int64_t now)
{
    long timeout_ms = self->config.request_timeout_ms;
    request->deadline_cut = request->deadline_ms - now < timeout_ms;
    if (request->deadline_cut)
        timeout_ms = (long) (request->deadline_ms - now);
    request->body.size = 0;
    request->over_cap = false;
    request->retry_after [0] = 0;
    request->error [0] = 0;
    request->easy = s_easy_new (self, request, timeout_ms);
    if (!request->easy
    ||  curl_multi_add_handle (self->multi, request->easy) != CURLM_OK) {
        curl_easy_cleanup (request->easy);
        request->easy = NULL;
        s_detail (request, "libcurl could not start the transfer");
        s_finish (self, request, BB_HTTP_TRANSPORT);
        return;
    }
    request->attempts++;
    bb_debug ("http_start", "lane=%u attempt=%u timeout_ms=%ld url=%s",
              request->lane, request->attempts, timeout_ms,
              s_logged_url (self, request));
    self->lanes [request->lane].running++;
    request->handle = zlistx_add_end (self->running, request);
}

//  A waiting request that would have to wait for a paused lane past its
//  deadline: it ends rate limited, with the wait left as Retry-After.
static void
s_paused_out (bb_http_t *self, lane_t *lane, request_t *request,
              int64_t now)
{
    unsigned wait_s = s_seconds_until (lane->paused_until_ms, now);
    if (wait_s > request->retry_after_s)
        request->retry_after_s = wait_s;
    if (lane->paused_until_ms > request->retry_until_ms)
        request->retry_until_ms = lane->paused_until_ms;
    s_detail (request, "rate limited: upstream asked to wait %u s, past "
              "the job deadline", wait_s);
    s_finish (self, request, BB_HTTP_RATE_LIMITED);
}

//  A waiting request whose time ran out: it ends with what its last
//  attempt gave, or as a timeout if it never went out.
static void
s_expire (bb_http_t *self, request_t *request)
{
    if (request->attempts == 0) {
        s_detail (request, "job deadline reached before the request "
                  "could start");
        s_finish (self, request, BB_HTTP_TIMEOUT);
    }
    else
        s_finish (self, request, request->outcome);
}

//  Queue request on its lane: a retry first, a new request last.
static void
s_enqueue (bb_http_t *self, request_t *request, bool first)
{
    lane_t *lane = &self->lanes [request->lane];
    if (first)
        zlistx_add_start (lane->waiting, request);
    else
        zlistx_add_end (lane->waiting, request);
    if (request->deadline_ms < lane->earliest_ms)
        lane->earliest_ms = request->deadline_ms;
}

static void
s_due (bb_http_t *self, int64_t when_ms)
{
    if (when_ms < self->next_due_ms)
        self->next_due_ms = when_ms;
}

//  Walk one lane's queue: end what expired, start what may start, and
//  note when the next waiting request needs attention. A full lane ends
//  the walk early (nothing behind could start), unless a deadline may
//  have passed (earliest_ms) or the lane is paused: then all is walked.
static void
s_dispatch_lane (bb_http_t *self, lane_t *lane, int64_t now)
{
    bool paused = lane->paused_until_ms > now;
    bool sweep = paused || now >= lane->earliest_ms;
    int64_t earliest = INT64_MAX;
    request_t *request = zlistx_first (lane->waiting);
    while (request) {
        bool ends = now + BB_HTTP_MIN_ATTEMPT_MS >= request->deadline_ms
                 || (paused && request->deadline_ms <= lane->paused_until_ms);
        bool startable = !paused && request->not_before_ms <= now;
        if (ends) {
            zlistx_detach_cur (lane->waiting);
            if (paused && now < request->deadline_ms)
                s_paused_out (self, lane, request, now);
            else
                s_expire (self, request);
        }
        else
        if (startable && lane->running < lane->limit) {
            zlistx_detach_cur (lane->waiting);
            s_start (self, request, now);
        }
        else
        if (startable && !sweep)
            break;
        else {
            if (request->deadline_ms < earliest)
                earliest = request->deadline_ms;
            if (request->not_before_ms > now)
                s_due (self, request->not_before_ms);
        }
        request = zlistx_next (lane->waiting);
    }
    if (!request)
        lane->earliest_ms = earliest;
    if (zlistx_size (lane->waiting)) {
        s_due (self, lane->earliest_ms);
        if (paused)
            s_due (self, lane->paused_until_ms);
    }
}

//  Dispatch every lane until no callback queues more work.
static void
s_dispatch (bb_http_t *self)
{
    do {
        int64_t now = zclock_mono ();
        self->next_due_ms = INT64_MAX;
        for (unsigned lane = 0; lane < BB_HTTP_LANES; lane++)
            s_dispatch_lane (self, &self->lanes [lane], now);
    } while (s_flush (self));
}

//  Try request again after delay_ms if its retries and deadline allow,
//  else end it with outcome (its detail already set).
static void
s_retry (bb_http_t *self, request_t *request, bb_http_outcome_t outcome,
         long delay_ms, int64_t now)
{
    request->outcome = outcome;
    if (request->attempts <= self->config.max_retries
    &&  now + delay_ms < request->deadline_ms) {
        request->not_before_ms = now + delay_ms;
        s_enqueue (self, request, true);
    }
    else
        s_finish (self, request, outcome);
}

//  A 429: hold the whole lane for the wait it asked for (or the
//  rate-limit backoff). Only a Retry-After that ends before the deadline
//  is waited out, BB_HTTP_RATE_LIMIT_RETRIES times at most; without one
//  the request ends at once: the caller gives up on the upstream rather
//  than guess how long it limits.
static void
s_rate_limited (bb_http_t *self, request_t *request, int64_t now)
{
    request->rate_limited++;
    long seconds;
    long wait_ms;
    bool told = request->retry_after [0]
             && bb_http_retry_after_parse (request->retry_after, time (NULL),
                                           &seconds) == 0;
    if (told) {
        wait_ms = seconds * MS_PER_S;
        if ((unsigned) seconds > request->retry_after_s)
            request->retry_after_s = (unsigned) seconds;
        if (now + wait_ms > request->retry_until_ms)
            request->retry_until_ms = now + wait_ms;
        s_detail (request, "HTTP 429, Retry-After %ld s", seconds);
    }
    else {
        wait_ms = s_backoff (self, self->config.rate_limit_backoff_ms,
                             request->rate_limited);
        s_detail (request, "HTTP 429 without Retry-After");
    }
    lane_t *lane = &self->lanes [request->lane];
    lane->rate_limited++;
    if (now + wait_ms > lane->paused_until_ms)
        lane->paused_until_ms = now + wait_ms;
    if (told && request->rate_limited <= BB_HTTP_RATE_LIMIT_RETRIES)
        s_retry (self, request, BB_HTTP_RATE_LIMITED, wait_ms, now);
    else
        s_finish (self, request, BB_HTTP_RATE_LIMITED);
}

//  A transfer ended with code: decide between done, retry and failure.
static void
s_complete (bb_http_t *self, CURL *easy, CURLcode code)
{
    char *private = NULL;
    curl_easy_getinfo (easy, CURLINFO_PRIVATE, &private);
    request_t *request = (request_t *) private;
    assert (request && request->easy == easy);
    zlistx_detach (self->running, request->handle);
    self->lanes [request->lane].running--;
    long status = 0;
    curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t micros = 0;
    curl_easy_getinfo (easy, CURLINFO_TOTAL_TIME_T, &micros);
    bb_latency_add (&request->latency, micros > 0 ? (uint64_t) micros : 0);
    curl_multi_remove_handle (self->multi, easy);
    s_easy_give (self, easy);
    request->easy = NULL;
    if (status)
        request->status = status;
    else
        request->unanswered++;

    int64_t now = zclock_mono ();
    bb_debug ("http_end", "lane=%u attempt=%u code=%d status=%ld bytes=%zu "
              "url=%s", request->lane, request->attempts, (int) code, status,
              request->body.size, s_logged_url (self, request));
    long backoff = s_backoff (self, self->config.backoff_base_ms,
                              request->attempts);
    const char *why = request->error [0] ? request->error
                                         : curl_easy_strerror (code);
    if (request->over_cap || code == CURLE_FILESIZE_EXCEEDED) {
        s_detail (request, "body over the %zu-byte cap",
                  self->config.max_body_bytes);
        s_finish (self, request, BB_HTTP_TRANSPORT);
    }
    else
    if (code == CURLE_OPERATION_TIMEDOUT) {
        s_detail (request, "%s", request->deadline_cut
                  ? "job deadline reached" : why);
        s_retry (self, request, BB_HTTP_TIMEOUT, backoff, now);
    }
    else
    if (code != CURLE_OK) {
        s_detail (request, "%s", why);
        s_retry (self, request, BB_HTTP_TRANSPORT, backoff, now);
    }
    else
    if (status == 429)
        s_rate_limited (self, request, now);
    else
    if (status >= 500) {
        s_detail (request, "HTTP %ld", status);
        s_retry (self, request, BB_HTTP_RESPONSE, backoff, now);
    }
    else {
        request->detail [0] = 0;
        s_finish (self, request, BB_HTTP_RESPONSE);
    }
}

//  ---------------------------------------------------------------------
//  Engine

bb_http_t *
bb_http_new (const bb_http_config_t *config)
{
    assert (config);
    assert (config->max_body_bytes > 0);
    CURLM *multi = curl_multi_init ();
    if (!multi)
        return NULL;
    bb_http_t *self = calloc (1, sizeof *self);
    assert (self);
    self->config = *config;
    self->multi = multi;
    curl_multi_setopt (multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    self->running = zlistx_new ();
    self->finished = zlistx_new ();
    zlistx_set_destructor (self->running, s_request_free);
    zlistx_set_destructor (self->finished, s_request_free);
    for (unsigned lane = 0; lane < BB_HTTP_LANES; lane++) {
        self->lanes [lane].earliest_ms = INT64_MAX;
        self->lanes [lane].waiting = zlistx_new ();
        zlistx_set_destructor (self->lanes [lane].waiting, s_request_free);
    }
    for (unsigned lane = 0; lane < BB_HTTP_LANES; lane++)
        bb_http_set_lane_limit (self, lane, 1);
    self->random = (uint64_t) zclock_time () ^ ((uint64_t) getpid () << 32)
                 ^ (uint64_t) (uintptr_t) self;
    if (!self->random)
        self->random = 1;
    return self;
}

void
bb_http_destroy (bb_http_t **self_p)
{
    assert (self_p);
    bb_http_t *self = *self_p;
    if (!self)
        return;
    zlistx_destroy (&self->running);
    zlistx_destroy (&self->finished);
    for (unsigned lane = 0; lane < BB_HTTP_LANES; lane++) {
        zlistx_destroy (&self->lanes [lane].waiting);
        curl_slist_free_all (self->lanes [lane].headers);
    }
    while (self->idle_count)
        curl_easy_cleanup (self->idle [--self->idle_count]);
    while (self->spare_count)
        free (self->spare [--self->spare_count]);
    curl_multi_cleanup (self->multi);
    free (self);
    *self_p = NULL;
}

void
bb_http_set_lane_limit (bb_http_t *self, unsigned lane, unsigned limit)
{
    assert (self);
    assert (lane < BB_HTTP_LANES);
    assert (limit >= 1);
    self->lanes [lane].limit = limit;
    //  libcurl's own per-host and cache bounds must never be the tighter
    //  ones: lanes may share a host, so allow the sum of every lane.
    long total = 0;
    for (unsigned index = 0; index < BB_HTTP_LANES; index++)
        total += self->lanes [index].limit;
    curl_multi_setopt (self->multi, CURLMOPT_MAX_HOST_CONNECTIONS, total);
    curl_multi_setopt (self->multi, CURLMOPT_MAXCONNECTS, total);
}

void
bb_http_add_lane_header (bb_http_t *self, unsigned lane, const char *header)
{
    assert (self);
    assert (lane < BB_HTTP_LANES);
    assert (header);
    struct curl_slist *headers = curl_slist_append (
        self->lanes [lane].headers, header);
    assert (headers);
    self->lanes [lane].headers = headers;
}

void
bb_http_hide_lane_urls (bb_http_t *self, unsigned lane)
{
    assert (self);
    assert (lane < BB_HTTP_LANES);
    self->lanes [lane].hide_urls = true;
}

void
bb_http_get (bb_http_t *self, unsigned lane, const char *url,
             int64_t deadline_ms, bb_http_done_fn *done, void *arg)
{
    assert (self);
    assert (lane < BB_HTTP_LANES);
    assert (url && done);
    request_t *request = calloc (1, sizeof *request);
    assert (request);
    request->engine = self;
    request->lane = lane;
    request->url = strdup (url);
    assert (request->url);
    request->deadline_ms = deadline_ms;
    request->done = done;
    request->arg = arg;
    s_enqueue (self, request, false);
}

static void
s_read_done (bb_http_t *self)
{
    int left;
    CURLMsg *message;
    while ((message = curl_multi_info_read (self->multi, &left)))
        if (message->msg == CURLMSG_DONE)
            s_complete (self, message->easy_handle, message->data.result);
}

int
bb_http_poll (bb_http_t *self, const int *fds, size_t count, int timeout_ms)
{
    assert (self);
    assert (count <= FDS_MAX);
    s_dispatch (self);
    int64_t now = zclock_mono ();
    if (self->next_due_ms - now < timeout_ms)
        timeout_ms = self->next_due_ms > now
                   ? (int) (self->next_due_ms - now) : 0;
    struct curl_waitfd extra [FDS_MAX];
    for (size_t index = 0; index < count; index++)
        extra [index] = (struct curl_waitfd) {
            .fd = fds [index], .events = CURL_WAIT_POLLIN };
    int running;
    if (curl_multi_poll (self->multi, extra, (unsigned) count, timeout_ms,
                         NULL) != CURLM_OK
    ||  curl_multi_perform (self->multi, &running) != CURLM_OK)
        return -1;
    s_read_done (self);
    s_flush (self);
    return 0;
}

unsigned
bb_http_lane_rate_limited (bb_http_t *self, unsigned lane,
                           int64_t *paused_until_ms)
{
    assert (self);
    assert (lane < BB_HTTP_LANES);
    *paused_until_ms = self->lanes [lane].paused_until_ms;
    return self->lanes [lane].rate_limited;
}

size_t
bb_http_pending (bb_http_t *self)
{
    assert (self);
    size_t pending = zlistx_size (self->running)
                   + zlistx_size (self->finished);
    for (unsigned lane = 0; lane < BB_HTTP_LANES; lane++)
        pending += zlistx_size (self->lanes [lane].waiting);
    return pending;
}

//  Take request, detached from the running list, off the wire: it ends
//  cancelled, and unanswered (the upstream may still see it).
static void
s_cancel_running (bb_http_t *self, request_t *request)
{
    curl_multi_remove_handle (self->multi, request->easy);
    s_easy_give (self, request->easy);
    request->easy = NULL;
    request->unanswered++;
    self->lanes [request->lane].running--;
    s_detail (request, "cancelled");
    s_finish (self, request, BB_HTTP_CANCELLED);
}

void
bb_http_cancel_lane (bb_http_t *self, unsigned lane)
{
    assert (self);
    assert (lane < BB_HTTP_LANES);
    request_t *request = zlistx_first (self->running);
    while (request) {
        request_t *next = zlistx_next (self->running);
        if (request->lane == lane) {
            zlistx_detach (self->running, request->handle);
            s_cancel_running (self, request);
        }
        request = next;
    }
    while ((request = zlistx_detach (self->lanes [lane].waiting, NULL))) {
        s_detail (request, "cancelled");
        s_finish (self, request, BB_HTTP_CANCELLED);
    }
}

void
bb_http_cancel_all (bb_http_t *self)
{
    assert (self);
    request_t *request;
    while ((request = zlistx_detach (self->running, NULL)))
        s_cancel_running (self, request);
    for (unsigned lane = 0; lane < BB_HTTP_LANES; lane++)
        while ((request = zlistx_detach (self->lanes [lane].waiting, NULL))) {
            s_detail (request, "cancelled");
            s_finish (self, request, BB_HTTP_CANCELLED);
        }
    s_flush (self);
}

int
bb_http_retry_after_parse (const char *value, time_t now, long *seconds)
{
    assert (value && seconds);
    while (isspace ((unsigned char) *value))
        value++;
    size_t digits = strspn (value, "0123456789");
    long wait;
    if (digits > 0 && value [digits] == 0)
        wait = digits > 9 ? RETRY_AFTER_MAX_S : strtol (value, NULL, 10);
    else {
        time_t when = *value ? curl_getdate (value, NULL) : -1;
        if (when == -1)
            return -1;
        wait = when > now ? (long) (when - now) : 0;
    }
    *seconds = wait < RETRY_AFTER_MAX_S ? wait : RETRY_AFTER_MAX_S;
    return 0;
}
