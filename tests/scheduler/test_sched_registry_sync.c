/*  test_sched_registry_sync - when a registry sync is due, the RegistryJob
    it sends, its budget, retries and endings, and the operator's SYNC. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bb_test_main.h"
#include "bb_registry_sync.h"
#include "bb_wire.h"

#define T0 5000000
#define SYNC_MS 600000
#define DEADLINE_MS 30000
#define WINDOW_MS 60000
#define RPM 60
#define URL "https://ops:s3cret@registry.example/api/agents?key=k1"
#define SOURCE "https://registry.example/api/agents"

typedef struct {
    bb_budget_t *budget;
    bb_health_t *health;
    bb_registry_sync_t *sync;
} world_t;

static const bb_registry_sync_settings_t s_settings = {
    .url = URL, .sync_ms = SYNC_MS, .deadline_ms = DEADLINE_MS,
    .max_remove_pct = 20, .max_attempts = 2
};

static int
s_setup (void **state)
{
    world_t *world = calloc (1, sizeof *world);
    const uint32_t rpm [BB_UPSTREAM_COUNT] = { [BB_UPSTREAM_REGISTRY] = RPM };
    world->budget = bb_budget_new (rpm, WINDOW_MS);
    world->health = bb_health_new (10000, 160000);
    world->sync = bb_registry_sync_new (&s_settings, 7, world->budget,
                                        world->health, T0);
    *state = world;
    return 0;
}

static int
s_teardown (void **state)
{
    world_t *world = *state;
    bb_registry_sync_destroy (&world->sync);
    assert_null (world->sync);
    bb_health_destroy (&world->health);
    bb_budget_destroy (&world->budget);
    free (world);
    return 0;
}

//  Dispatch at now: the RegistryJob sent (caller destroys it).
static bb_envelope_t *
s_dispatch (world_t *world, uint64_t now)
{
    zframe_t *frame = bb_registry_sync_dispatch (world->sync, now);
    assert_non_null (frame);
    char reason [128];
    bb_envelope_t *envelope = bb_wire_decode (zframe_data (frame),
                                              zframe_size (frame), 1 << 20,
                                              reason, sizeof reason);
    zframe_destroy (&frame);
    assert_non_null (envelope);
    assert_int_equal (envelope->body_case,
                      BALBOARD__ENVELOPE__BODY_REGISTRY_JOB);
    return envelope;
}

//  The fetcher's report of job's attempt: outcome, pages read, requests.
static bool
s_report (world_t *world, const char *job, uint32_t attempt,
          Balboard__SyncOutcome outcome, uint32_t pages, uint64_t now)
{
    Balboard__RegistrySyncReport sync = BALBOARD__REGISTRY_SYNC_REPORT__INIT;
    sync.outcome = outcome;
    sync.pages = pages;
    sync.added = 3;
    Balboard__UpstreamReport registry = BALBOARD__UPSTREAM_REPORT__INIT;
    registry.upstream = BALBOARD__UPSTREAM__UPSTREAM_REGISTRY;
    registry.requests = pages;
    Balboard__UpstreamReport *upstreams [] = { &registry };
    Balboard__JobReport report = BALBOARD__JOB_REPORT__INIT;
    report.job_id = (char *) job;
    report.attempt = attempt;
    report.fetcher_id = "f1";
    report.registry = outcome ? &sync : NULL;
    report.n_upstreams = 1;
    report.upstreams = upstreams;
    return bb_registry_sync_report (world->sync, &report, now);
}

static void
test_unconfigured (void **state)
{
    world_t *world = *state;
    bb_registry_sync_settings_t none = s_settings;
    none.url = "";
    bb_registry_sync_t *sync = bb_registry_sync_new (&none, 0, world->budget,
                                                     world->health, T0);
    assert_false (bb_registry_sync_configured (sync));
    assert_string_equal (bb_registry_sync_source (sync), "");
    assert_int_equal (bb_registry_sync_next_ms (sync, T0), 0);
    assert_null (bb_registry_sync_dispatch (sync, T0));
    bb_registry_sync_rotation_started (sync, T0);
    assert_null (bb_registry_sync_dispatch (sync, T0));
    bb_registry_sync_destroy (&sync);
}

//  The first sync is due at start, takes the next generation after the
//  one restored, holds the free bucket, and never shows credentials.
static void
test_first_sync (void **state)
{
    world_t *world = *state;
    assert_true (bb_registry_sync_configured (world->sync));
    assert_string_equal (bb_registry_sync_source (world->sync), SOURCE);
    assert_int_equal (bb_registry_sync_next_ms (world->sync, T0), T0);
    bb_envelope_t *envelope = s_dispatch (world, T0);
    const Balboard__RegistryJob *job = envelope->registry_job;
    assert_string_equal (job->job_id, "sync.8");
    assert_int_equal (job->attempt, 1);
    assert_int_equal (job->generation, 8);
    assert_string_equal (job->url, URL);
    assert_string_equal (job->source, SOURCE);
    assert_int_equal (job->page_limit, BB_REGISTRY_SYNC_PAGE_LIMIT);
    assert_int_equal (job->requests_max, RPM);
    assert_int_equal (job->max_remove_pct, 20);
    assert_int_equal (job->deadline_ms, T0 + DEADLINE_MS);
    assert_false (job->confirm);
    bb_wire_envelope_destroy (&envelope);
    assert_int_equal (bb_registry_sync_generation (world->sync), 8);
    //  one out at a time
    assert_string_equal (bb_registry_sync_job (world->sync), "sync.8");
    assert_int_equal (bb_registry_sync_next_ms (world->sync, T0), 0);
    assert_null (bb_registry_sync_dispatch (world->sync, T0));
    bb_registry_sync_rotation_started (world->sync, T0);
    assert_null (bb_registry_sync_dispatch (world->sync, T0 + 1));
    //  the report ends it: the next is due sync_ms later
    assert_true (s_report (world, "sync.8", 1,
                           BALBOARD__SYNC_OUTCOME__SYNC_APPLIED, 4, T0 + 10));
    assert_null (bb_registry_sync_job (world->sync));
    const Balboard__RegistrySyncReport *last =
        bb_registry_sync_last (world->sync);
    assert_non_null (last);
    assert_int_equal (last->outcome, BALBOARD__SYNC_OUTCOME__SYNC_APPLIED);
    assert_int_equal (last->added, 3);
    assert_int_equal (bb_registry_sync_next_ms (world->sync, T0 + 10),
                      T0 + 10 + SYNC_MS);
    assert_null (bb_registry_sync_dispatch (world->sync, T0 + 20));
    //  chunk jobs' reports are not the sync's
    assert_false (s_report (world, "1.0", 1, 0, 0, T0 + 20));
}

//  A lost attempt goes again (same job, attempt + 1) once the tokens it
//  held are back; after max_attempts the sync ends as failed; a late
//  report of an old attempt ends nothing.
static void
test_retries (void **state)
{
    world_t *world = *state;
    bb_envelope_t *envelope = s_dispatch (world, T0);
    bb_wire_envelope_destroy (&envelope);
    assert_false (bb_registry_sync_lost (world->sync, "1.0", "deadline",
                                         T0 + 1));
    assert_true (bb_registry_sync_lost (world->sync, "sync.8", "fetcher_dead",
                                        T0 + 1));
    assert_null (bb_registry_sync_job (world->sync));
    //  the lost attempt may still be reading until its deadline
    uint64_t back = T0 + DEADLINE_MS + WINDOW_MS;
    assert_int_equal (bb_registry_sync_next_ms (world->sync, T0 + 2), back);
    assert_null (bb_registry_sync_dispatch (world->sync, back - 1));
    envelope = s_dispatch (world, back);
    assert_string_equal (envelope->registry_job->job_id, "sync.8");
    assert_int_equal (envelope->registry_job->attempt, 2);
    assert_int_equal (envelope->registry_job->generation, 8);
    bb_wire_envelope_destroy (&envelope);
    //  attempt 1 finishing after all is settled, not the end
    assert_true (s_report (world, "sync.8", 1,
                           BALBOARD__SYNC_OUTCOME__SYNC_APPLIED, 1,
                           back + 1));
    assert_string_equal (bb_registry_sync_job (world->sync), "sync.8");
    //  the store never answered attempt 2, the last one allowed
    assert_true (s_report (world, "sync.8", 2,
                           BALBOARD__SYNC_OUTCOME__SYNC_FAILED, 1, back + 2));
    const Balboard__RegistrySyncReport *last =
        bb_registry_sync_last (world->sync);
    assert_int_equal (last->outcome, BALBOARD__SYNC_OUTCOME__SYNC_FAILED);
    assert_int_equal (last->generation, 8);
    assert_string_equal (last->source, SOURCE);
    assert_int_equal (bb_registry_sync_next_ms (world->sync, back + 2),
                      back + 2 + SYNC_MS);
    //  the next sync is a new generation
    envelope = s_dispatch (world, back + 2 + SYNC_MS);
    assert_string_equal (envelope->registry_job->job_id, "sync.9");
    assert_int_equal (envelope->registry_job->attempt, 1);
    bb_wire_envelope_destroy (&envelope);
}

//  The operator's SYNC (with confirm) while one is out runs right after;
//  a rotation starting soon after a sync needs none of its own.
static void
test_request_and_rotation (void **state)
{
    world_t *world = *state;
    bb_envelope_t *envelope = s_dispatch (world, T0);
    bb_wire_envelope_destroy (&envelope);
    bb_registry_sync_request (world->sync, true);
    assert_int_equal (bb_registry_sync_next_ms (world->sync, T0), 0);
    assert_true (s_report (world, "sync.8", 1,
                           BALBOARD__SYNC_OUTCOME__SYNC_HELD, 2, T0 + 10));
    envelope = s_dispatch (world, T0 + 10);
    assert_string_equal (envelope->registry_job->job_id, "sync.9");
    assert_true (envelope->registry_job->confirm);
    bb_wire_envelope_destroy (&envelope);
    assert_true (s_report (world, "sync.9", 1,
                           BALBOARD__SYNC_OUTCOME__SYNC_APPLIED, 2, T0 + 20));
    //  a tick after the sync, a rotation starts: the sync is fresh
    bb_registry_sync_tick (world->sync, T0 + 30);
    bb_registry_sync_rotation_started (world->sync, T0 + 30);
    assert_int_equal (bb_registry_sync_next_ms (world->sync, T0 + 30),
                      T0 + 20 + SYNC_MS);
    //  two ticks later the next rotation syncs at its start
    bb_registry_sync_tick (world->sync, T0 + 2 * WINDOW_MS);
    bb_registry_sync_tick (world->sync, T0 + 4 * WINDOW_MS);
    bb_registry_sync_rotation_started (world->sync, T0 + 4 * WINDOW_MS);
    envelope = s_dispatch (world, T0 + 4 * WINDOW_MS);
    assert_string_equal (envelope->registry_job->job_id, "sync.10");
    assert_false (envelope->registry_job->confirm);
    bb_wire_envelope_destroy (&envelope);
}

//  A registry paused by a Retry-After waits for its pause to end.
static void
test_limited_registry (void **state)
{
    world_t *world = *state;
    Balboard__UpstreamReport registry = BALBOARD__UPSTREAM_REPORT__INIT;
    registry.upstream = BALBOARD__UPSTREAM__UPSTREAM_REGISTRY;
    registry.requests = 1;
    registry.rate_limited = 1;
    registry.retry_after_s = 30;
    registry.retry_wait_ms = 30000;
    Balboard__UpstreamReport *upstreams [] = { &registry };
    bb_health_report (world->health, upstreams, 1, T0);
    assert_int_equal (bb_registry_sync_next_ms (world->sync, T0), T0 + 30000);
    assert_null (bb_registry_sync_dispatch (world->sync, T0 + 29999));
    bb_envelope_t *envelope = s_dispatch (world, T0 + 30000);
    bb_wire_envelope_destroy (&envelope);
}

BB_TEST_MAIN (NULL, NULL,
              BB_TEST (test_unconfigured),
              BB_TEST (test_first_sync),
              BB_TEST (test_retries),
              BB_TEST (test_request_and_rotation),
              BB_TEST (test_limited_registry))
