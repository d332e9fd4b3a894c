/*  =========================================================================
    bb_tally - what a job counts of one upstream, for its JobReport
    =========================================================================
*/
#include "bb_tally.h"
#include "bb_pb.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
bb_tally_count (bb_tally_t *self, const bb_http_result_t *result)
{
    assert (self && result);
    self->requests += result->attempts;
    bb_latency_merge (&self->latency, result->latency->buckets,
                      BB_LATENCY_BUCKETS, result->latency->sum_us);
    self->rate_limited += result->rate_limited;
    if (result->retry_after_s > self->retry_after_s)
        self->retry_after_s = result->retry_after_s;
}

void
bb_tally_fail (bb_tally_t *self, const char *reason)
{
    assert (self && reason);
    self->failures++;
    snprintf (self->last_error, sizeof self->last_error, "%s", reason);
}

Balboard__UpstreamReport *
bb_tally_report (const bb_tally_t *self, bb_upstream_t upstream,
                 const char *endpoint)
{
    assert (self && endpoint);
    Balboard__UpstreamReport *report =
        bb_pb_new (&balboard__upstream_report__descriptor);
    report->upstream = bb_upstream_to_wire (upstream);
    report->requests = self->requests;
    report->failures = self->failures;
    report->rate_limited = self->rate_limited;
    report->retry_after_s = self->retry_after_s;
    report->endpoint = bb_pb_strdup (endpoint);
    report->last_error = bb_pb_strdup (self->last_error);
    report->latency_buckets = malloc (sizeof self->latency.buckets);
    assert (report->latency_buckets);
    memcpy (report->latency_buckets, self->latency.buckets,
            sizeof self->latency.buckets);
    report->n_latency_buckets = BB_LATENCY_BUCKETS;
    report->latency_sum_us = self->latency.sum_us;
    return report;
}
