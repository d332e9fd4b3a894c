/*  =========================================================================
    bb_mock_stats - request counters of the mock upstream

    Owns the counters. Per-address counts live in a jansson object (a
    string-keyed map that keeps insertion order and renders for free).
    =========================================================================
*/
#include "bb_mock_stats.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

#include <jansson.h>

//  Concurrency of one scope (a host, or all requests).
typedef struct {
    long now;                   // requests in flight
    long peak;                  // most in flight at once since reset
} gauge_t;

struct _bb_mock_stats_t {
    pthread_mutex_t mutex;      // guards everything below
    long total;                 // requests to upstream endpoints
    long with_api_key;          // ... that carried x-api-key
    long by_endpoint [BB_MOCK_ENDPOINT_COUNT];
    json_t *by_address;         // owned object: address -> integer
    long rate_limited;
    long faults_injected;
    gauge_t all;
    gauge_t by_host [BB_MOCK_HOST_COUNT];
};

bb_mock_stats_t *
bb_mock_stats_new (void)
{
    bb_mock_stats_t *self = calloc (1, sizeof *self);
    assert (self);
    pthread_mutex_init (&self->mutex, NULL);
    self->by_address = json_object ();
    assert (self->by_address);
    return self;
}

void
bb_mock_stats_destroy (bb_mock_stats_t **self_p)
{
    assert (self_p);
    bb_mock_stats_t *self = *self_p;
    if (!self)
        return;
    json_decref (self->by_address);
    pthread_mutex_destroy (&self->mutex);
    free (self);
    *self_p = NULL;
}

static void
s_gauge_up (gauge_t *gauge)
{
    if (++gauge->now > gauge->peak)
        gauge->peak = gauge->now;
}

void
bb_mock_stats_enter (bb_mock_stats_t *self, bb_mock_endpoint_t endpoint,
                     const char *address, bool with_key)
{
    assert (self);
    assert (endpoint < BB_MOCK_ENDPOINT_COUNT);
    pthread_mutex_lock (&self->mutex);
    self->total++;
    self->with_api_key += with_key;
    self->by_endpoint [endpoint]++;
    if (address) {
        json_t *count = json_object_get (self->by_address, address);
        if (count)
            json_integer_set (count, json_integer_value (count) + 1);
        else
            json_object_set_new (self->by_address, address,
                                 json_integer (1));
    }
    s_gauge_up (&self->all);
    s_gauge_up (&self->by_host [bb_mock_endpoint_host (endpoint)]);
    pthread_mutex_unlock (&self->mutex);
}

void
bb_mock_stats_leave (bb_mock_stats_t *self, bb_mock_endpoint_t endpoint)
{
    assert (self);
    assert (endpoint < BB_MOCK_ENDPOINT_COUNT);
    pthread_mutex_lock (&self->mutex);
    self->all.now--;
    self->by_host [bb_mock_endpoint_host (endpoint)].now--;
    pthread_mutex_unlock (&self->mutex);
}

//  One more of counter (a field of self), under the lock.
static void
s_count (bb_mock_stats_t *self, long *counter)
{
    pthread_mutex_lock (&self->mutex);
    (*counter)++;
    pthread_mutex_unlock (&self->mutex);
}

void
bb_mock_stats_rate_limited (bb_mock_stats_t *self)
{
    assert (self);
    s_count (self, &self->rate_limited);
}

void
bb_mock_stats_fault (bb_mock_stats_t *self)
{
    assert (self);
    s_count (self, &self->faults_injected);
}

void
bb_mock_stats_reset (bb_mock_stats_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->mutex);
    self->total = self->with_api_key = 0;
    self->rate_limited = self->faults_injected = 0;
    for (unsigned endpoint = 0; endpoint < BB_MOCK_ENDPOINT_COUNT; endpoint++)
        self->by_endpoint [endpoint] = 0;
    json_object_clear (self->by_address);
    self->all.peak = self->all.now;
    for (unsigned host = 0; host < BB_MOCK_HOST_COUNT; host++)
        self->by_host [host].peak = self->by_host [host].now;
    pthread_mutex_unlock (&self->mutex);
}

//  {"total":N,"hiro":N,...} of the now or peak figures. Mutex held.
static json_t *
s_gauges_json (bb_mock_stats_t *self, bool peak)
{
    json_t *gauges = json_object ();
    json_object_set_new (gauges, "total", json_integer (
        peak ? self->all.peak : self->all.now));
    for (unsigned host = 0; host < BB_MOCK_HOST_COUNT; host++) {
        const gauge_t *gauge = &self->by_host [host];
        json_object_set_new (gauges, bb_mock_host_name (host),
                             json_integer (peak ? gauge->peak : gauge->now));
    }
    return gauges;
}

char *
bb_mock_stats_json (bb_mock_stats_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->mutex);
    json_t *by_endpoint = json_object ();
    for (unsigned endpoint = 0; endpoint < BB_MOCK_ENDPOINT_COUNT; endpoint++)
        json_object_set_new (by_endpoint, bb_mock_endpoint_name (endpoint),
                             json_integer (self->by_endpoint [endpoint]));
    json_t *root = json_pack (
        "{s:{s:I, s:I, s:o, s:O}, s:I, s:I, s:o, s:o}",
        "requests",
            "total", (json_int_t) self->total,
            "with_api_key", (json_int_t) self->with_api_key,
            "by_endpoint", by_endpoint,
            "by_address", self->by_address,
        "rate_limited", (json_int_t) self->rate_limited,
        "faults_injected", (json_int_t) self->faults_injected,
        "max_concurrent", s_gauges_json (self, true),
        "in_flight", s_gauges_json (self, false));
    assert (root);
    //  Render and release under the mutex: by_address is shared.
    char *text = json_dumps (root, JSON_COMPACT);
    json_decref (root);
    pthread_mutex_unlock (&self->mutex);
    return text;
}
