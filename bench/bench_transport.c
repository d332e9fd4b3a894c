/*  =========================================================================
    bench_transport - the fetcher's HTTP engine alone, and bare libcurl,
    for bench_fetcher
    =========================================================================
*/
#include "bench_transport.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <czmq.h>
#include <curl/curl.h>

#include "bb_http.h"

#define LANE            0
#define POLL_MS         100
#define CONNECT_MS      5000
#define REQUEST_MS      10000
#define BODY_MAX        (1024 * 1024)

typedef struct {
    const char *url;
    int64_t end_ms;                 // stop asking again after this
    long done;                      // requests answered 200
    bool failed;
    bb_http_t *http;                // the engine client's
} transport_t;

static void s_engine_ask (transport_t *self);

//  A request ended: count it and, until the end, ask again.
static void
s_engine_done (const bb_http_result_t *result, void *arg)
{
    transport_t *self = (transport_t *) arg;
    if (result->outcome != BB_HTTP_RESPONSE || result->status != 200) {
        fprintf (stderr, "bench_transport: %s: HTTP %ld %s\n", self->url,
                 result->status, result->detail ? result->detail : "");
        self->failed = true;
        return;
    }
    self->done++;
    if (zclock_mono () < self->end_ms)
        s_engine_ask (self);
}

static void
s_engine_ask (transport_t *self)
{
    bb_http_get (self->http, LANE, self->url, zclock_mono () + REQUEST_MS,
                 s_engine_done, self);
}

//  Through bb_http, with the fetcher's options.
static void
s_engine_run (transport_t *self, int concurrency)
{
    bb_http_config_t config = {
        .connect_timeout_ms = CONNECT_MS,
        .request_timeout_ms = REQUEST_MS,
        .max_body_bytes = BODY_MAX,
    };
    self->http = bb_http_new (&config);
    if (!self->http) {
        self->failed = true;
        return;
    }
    bb_http_set_lane_limit (self->http, LANE, (unsigned) concurrency);
    for (int request = 0; request < concurrency; request++)
        s_engine_ask (self);
    while (!self->failed && bb_http_pending (self->http) > 0)
        if (bb_http_poll (self->http, NULL, 0, POLL_MS))
            self->failed = true;
    bb_http_destroy (&self->http);
}

static size_t
s_discard (char *data, size_t size, size_t count, void *arg)
{
    (void) data;
    (void) arg;
    return size * count;
}

//  A bare transfer ended: count it and, until the end, start it again.
//  Returns 1 if it was started again, else 0.
static int
s_libcurl_done (transport_t *self, CURLM *multi, CURLMsg *message)
{
    CURL *easy = message->easy_handle;
    long status = 0;
    curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
    if (message->data.result != CURLE_OK || status != 200) {
        fprintf (stderr, "bench_transport: %s: HTTP %ld %s\n", self->url,
                 status, curl_easy_strerror (message->data.result));
        self->failed = true;
    }
    self->done++;
    curl_multi_remove_handle (multi, easy);
    if (self->failed || zclock_mono () >= self->end_ms)
        return 0;
    curl_multi_add_handle (multi, easy);
    return 1;
}

//  Through one multi handle and concurrency reused easy handles, with no
//  option beyond the URL and a body sink.
static void
s_libcurl_run (transport_t *self, int concurrency)
{
    CURLM *multi = curl_multi_init ();
    CURL **easies = calloc ((size_t) concurrency, sizeof (CURL *));
    int started = 0;
    while (multi && easies && started < concurrency
       && (easies [started] = curl_easy_init ())) {
        curl_easy_setopt (easies [started], CURLOPT_URL, self->url);
        curl_easy_setopt (easies [started], CURLOPT_WRITEFUNCTION, s_discard);
        curl_easy_setopt (easies [started], CURLOPT_NOSIGNAL, 1L);
        curl_multi_add_handle (multi, easies [started++]);
    }
    self->failed = started < concurrency;
    int attached = started;
    while (attached > 0 && !self->failed) {
        int running;
        self->failed = curl_multi_perform (multi, &running) != CURLM_OK;
        CURLMsg *message;
        int left;
        while ((message = curl_multi_info_read (multi, &left)))
            attached += s_libcurl_done (self, multi, message) - 1;
        if (attached > 0)
            curl_multi_poll (multi, NULL, 0, POLL_MS, NULL);
    }
    for (int index = 0; index < started; index++) {
        curl_multi_remove_handle (multi, easies [index]);
        curl_easy_cleanup (easies [index]);
    }
    free (easies);
    curl_multi_cleanup (multi);
}

int
bench_transport_run (bench_transport_client_t client, const char *url,
                     int concurrency, int seconds)
{
    curl_global_init (CURL_GLOBAL_DEFAULT);
    int64_t start_ms = zclock_mono ();
    transport_t self = { .url = url, .end_ms = start_ms + seconds * 1000 };
    if (client == BENCH_TRANSPORT_ENGINE)
        s_engine_run (&self, concurrency);
    else
        s_libcurl_run (&self, concurrency);
    double elapsed = (double) (zclock_mono () - start_ms) / 1000.0;
    curl_global_cleanup ();
    if (self.failed)
        return 1;
    printf ("Requests/sec: %.2f\n", (double) self.done / elapsed);
    return 0;
}
