/*  =========================================================================
    bb_mock_ratelimit - fixed-window request counters of the mock upstream

    Owns the bucket list. A bucket's key is a copy of the API key ("" for
    none), so the caller's header value may go away after the call.
    =========================================================================
*/
#include "bb_mock_ratelimit.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct _bucket_t {
    struct _bucket_t *next;
    bb_mock_host_t host;
    char *api_key;              // owned; "" when the request had none
    int64_t window_end_ms;      // wall clock; the window is open before it
    long count;                 // admitted in this window
} bucket_t;

struct _bb_mock_ratelimit_t {
    pthread_mutex_t mutex;      // guards buckets
    bucket_t *buckets;          // owned list
};

bb_mock_ratelimit_t *
bb_mock_ratelimit_new (void)
{
    bb_mock_ratelimit_t *self = calloc (1, sizeof *self);
    assert (self);
    pthread_mutex_init (&self->mutex, NULL);
    return self;
}

static void
s_buckets_free (bucket_t **list)
{
    while (*list) {
        bucket_t *bucket = *list;
        *list = bucket->next;
        free (bucket->api_key);
        free (bucket);
    }
}

void
bb_mock_ratelimit_destroy (bb_mock_ratelimit_t **self_p)
{
    assert (self_p);
    bb_mock_ratelimit_t *self = *self_p;
    if (!self)
        return;
    s_buckets_free (&self->buckets);
    pthread_mutex_destroy (&self->mutex);
    free (self);
    *self_p = NULL;
}

//  The bucket of (host, api_key), created empty if new. Mutex held.
static bucket_t *
s_bucket_require (bb_mock_ratelimit_t *self, bb_mock_host_t host,
                  const char *api_key)
{
    for (bucket_t *bucket = self->buckets; bucket; bucket = bucket->next)
        if (bucket->host == host && strcmp (bucket->api_key, api_key) == 0)
            return bucket;
    bucket_t *bucket = calloc (1, sizeof *bucket);
    assert (bucket);
    bucket->host = host;
    bucket->api_key = strdup (api_key);
    assert (bucket->api_key);
    bucket->next = self->buckets;
    self->buckets = bucket;
    return bucket;
}

bool
bb_mock_ratelimit_admit (bb_mock_ratelimit_t *self, bb_mock_host_t host,
                         const char *api_key, long limit, long window_ms,
                         int64_t now_ms, bb_mock_quota_t *quota)
{
    assert (self);
    assert (quota);
    if (limit <= 0) {
        *quota = (bb_mock_quota_t) { 0, 0, now_ms };
        return true;
    }
    pthread_mutex_lock (&self->mutex);
    bucket_t *bucket = s_bucket_require (self, host, api_key ? api_key : "");
    if (now_ms >= bucket->window_end_ms) {
        bucket->window_end_ms = now_ms + window_ms;
        bucket->count = 0;
    }
    bool admitted = bucket->count < limit;
    if (admitted)
        bucket->count++;
    *quota = (bb_mock_quota_t) {
        .limit = limit,
        .remaining = limit - bucket->count,
        .reset_ms = bucket->window_end_ms,
    };
    pthread_mutex_unlock (&self->mutex);
    return admitted;
}

void
bb_mock_ratelimit_reset (bb_mock_ratelimit_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->mutex);
    s_buckets_free (&self->buckets);
    pthread_mutex_unlock (&self->mutex);
}
