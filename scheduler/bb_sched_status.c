/*  =========================================================================
    bb_sched_status - the SchedulerStatus every control reply carries

    The message points into the parts (protobuf-c copies nothing until it
    packs), so it lives on the stack with three arrays on the heap: jobs
    in flight, fetchers, upstreams' health. They go once it is sent.
    =========================================================================
*/
#include "bb_sched_status.h"
#include "bb_curve.h"
#include "bb_version.h"
#include "bb_wire.h"

#include <assert.h>

//  The arrays a status points into.
typedef struct {
    Balboard__InFlightJob *in_flight;
    Balboard__InFlightJob **in_flight_p;
    bb_fetcher_info_t *infos;
    Balboard__FetcherInfo *fetchers;
    Balboard__FetcherInfo **fetchers_p;
    Balboard__UpstreamHealth upstreams [BB_UPSTREAM_COUNT];
    Balboard__UpstreamHealth *upstreams_p [BB_UPSTREAM_COUNT];
} arrays_t;

static void
s_in_flight (const bb_sched_status_parts_t *parts, arrays_t *arrays,
             Balboard__SchedulerStatus *status)
{
    size_t jobs = bb_jobs_size (parts->jobs);
    arrays->in_flight = calloc (jobs + 1, sizeof *arrays->in_flight);
    arrays->in_flight_p = calloc (jobs + 1, sizeof *arrays->in_flight_p);
    assert (arrays->in_flight && arrays->in_flight_p);
    size_t index = 0;
    for (bb_job_t *job = bb_jobs_first (parts->jobs); job;
         job = bb_jobs_next (parts->jobs), index++) {
        Balboard__InFlightJob *entry = &arrays->in_flight [index];
        balboard__in_flight_job__init (entry);
        entry->job_id = (char *) bb_job_id (job);
        entry->attempt = bb_job_attempt (job);
        const char *holder = bb_fetchers_holder (parts->fetchers,
                                                 bb_job_id (job));
        entry->fetcher_id = (char *) (holder ? holder : "");
        entry->deadline_ms = bb_job_deadline (job);
        entry->agents = bb_job_agents (job);
        arrays->in_flight_p [index] = entry;
    }
    status->n_in_flight = jobs;
    status->in_flight = arrays->in_flight_p;
}

static void
s_fetcher_list (const bb_sched_status_parts_t *parts, arrays_t *arrays,
                Balboard__SchedulerStatus *status)
{
    size_t size = bb_fetchers_size (parts->fetchers);
    arrays->infos = calloc (size + 1, sizeof *arrays->infos);
    arrays->fetchers = calloc (size + 1, sizeof *arrays->fetchers);
    arrays->fetchers_p = calloc (size + 1, sizeof *arrays->fetchers_p);
    assert (arrays->infos && arrays->fetchers && arrays->fetchers_p);
    size_t count = bb_fetchers_list (parts->fetchers, arrays->infos, size);
    for (size_t i = 0; i < count; i++) {
        Balboard__FetcherInfo *entry = &arrays->fetchers [i];
        balboard__fetcher_info__init (entry);
        entry->fetcher_id = arrays->infos [i].id;
        entry->ready = arrays->infos [i].ready;
        entry->job_id = arrays->infos [i].job;
        entry->jobs = arrays->infos [i].jobs;
        arrays->fetchers_p [i] = entry;
    }
    status->n_fetcher_list = count;
    status->fetcher_list = arrays->fetchers_p;
}

static void
s_upstreams (const bb_sched_status_parts_t *parts, uint64_t now_ms,
             arrays_t *arrays, Balboard__SchedulerStatus *status)
{
    for (int u = 0; u < BB_UPSTREAM_COUNT; u++) {
        bb_upstream_t upstream = (bb_upstream_t) u;
        Balboard__UpstreamHealth *health = &arrays->upstreams [u];
        balboard__upstream_health__init (health);
        health->upstream = bb_upstream_to_wire (upstream);
        health->healthy = bb_health_healthy (parts->health, upstream);
        health->paused_until_ms = bb_health_paused_until (parts->health,
                                                          upstream, now_ms);
        health->budget_per_minute = bb_budget_rpm (parts->budget, upstream);
        health->requests_dispatched = bb_budget_dispatched (parts->budget,
                                                            upstream);
        health->failures = bb_health_failures (parts->health, upstream);
        health->rate_limited = bb_health_rate_limited (parts->health,
                                                       upstream);
        health->endpoint = (char *) bb_health_endpoint (parts->health,
                                                        upstream);
        health->limited = bb_health_limited (parts->health, upstream);
        health->last_error = (char *) bb_health_last_error (parts->health,
                                                            upstream);
        health->last_error_ms = bb_health_last_error_ms (parts->health,
                                                         upstream);
        health->backoff_ms = bb_health_backoff_ms (parts->health, upstream);
        health->next_probe_ms = bb_health_next_probe (parts->health,
                                                      upstream, now_ms);
        health->probing = bb_health_probing (parts->health, upstream,
                                             now_ms);
        const bb_latency_t *latency = bb_health_latency (parts->health,
                                                         upstream);
        health->n_latency_buckets = BB_LATENCY_BUCKETS;
        health->latency_buckets = (uint64_t *) latency->buckets;
        health->latency_sum_us = latency->sum_us;
        arrays->upstreams_p [u] = health;
    }
    status->n_upstreams = BB_UPSTREAM_COUNT;
    status->upstreams = arrays->upstreams_p;
}

//  The rotation, mode, tick and fetcher counts of parts into status.
static void
s_summary (const bb_sched_status_parts_t *parts,
           Balboard__SchedulerStatus *status)
{
    const bb_sched_meta_t *meta = parts->meta;
    status->rotation = meta->rotation;
    status->cursor = (char *) meta->cursor;
    status->rotation_agents = meta->rotation_agents;
    status->rotation_done = meta->rotation_done;
    status->idle_mode = bb_health_idle (parts->health);
    status->paused = meta->paused;
    status->next_tick_ms = parts->next_tick_ms;
    status->tick_seq = meta->tick_seq;
    status->fetchers = (uint32_t) bb_fetchers_size (parts->fetchers);
    status->fetchers_ready = (uint32_t) bb_fetchers_ready_count (
        parts->fetchers);
    status->rotations_completed = meta->rotations_completed;
    status->last_rotation_ms = meta->last_rotation_ms;
}

//  The registry sync of parts at now_ms into status.
static void
s_registry (const bb_sched_status_parts_t *parts, uint64_t now_ms,
            Balboard__SchedulerStatus *status)
{
    status->registry_source = (char *) bb_registry_sync_source (parts->sync);
    status->registry_sync = (Balboard__RegistrySyncReport *)
        bb_registry_sync_last (parts->sync);
    status->registry_next_sync_ms = bb_registry_sync_next_ms (parts->sync,
                                                              now_ms);
    status->registry_syncing = bb_registry_sync_job (parts->sync) != NULL;
}

int
bb_sched_status_send (const bb_sched_status_parts_t *parts, uint64_t now_ms,
                      zsock_t *socket, zframe_t *peer, uint64_t request_id)
{
    assert (parts && socket);
    Balboard__SchedulerStatus status = BALBOARD__SCHEDULER_STATUS__INIT;
    arrays_t arrays = { 0 };
    s_summary (parts, &status);
    char version [BB_VERSION_TEXT_SIZE];
    status.version = bb_version_text (version);
    status.auth_refused = bb_curve_refused ();
    status.auth_denied = bb_curve_denied ();
    s_in_flight (parts, &arrays, &status);
    s_fetcher_list (parts, &arrays, &status);
    s_upstreams (parts, now_ms, &arrays, &status);
    s_registry (parts, now_ms, &status);

    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.request_id = request_id;
    envelope.body_case = BALBOARD__ENVELOPE__BODY_SCHEDULER_STATUS;
    envelope.scheduler_status = &status;
    int rc = bb_wire_send (socket, peer, &envelope);
    free (arrays.fetchers_p);
    free (arrays.fetchers);
    free (arrays.infos);
    free (arrays.in_flight_p);
    free (arrays.in_flight);
    return rc;
}
