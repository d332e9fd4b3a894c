/*  test_e2e_isolation - real processes: trouble at one upstream stays at
    that upstream.

    For a sustained 429 storm (with and without Retry-After) and a
    sustained 5xx outage of mempool.space and of Hiro: every rotation
    still completes; the other source's rows keep refreshing (their
    captured time advances each rotation); the failing source's rows keep
    their last good values, marked stale; status shows the upstream
    limited within a heartbeat of the fault; requests to it decay as the
    backoff grows (their rate per window is printed); once it heals, the
    stale marks clear (the time is printed, with the backoff step and the
    rotation time it is bounded by). Waits catch hangs only: no timing
    is asserted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "e2e_world.h"
#include "bb_clock.h"
#include "bb_upstream.h"

#define AGENTS          40
#define CHUNK           "10"
#define TICK_MS         "300"           // a rotation starts every tick
#define BACKOFF_MS      "200"
#define BACKOFF_MAX_MS  "1600"
#define BACKOFF_START   200
#define HEARTBEAT_MS    250             // e2e_world's
#define STORM_ROTATIONS 4
#define WINDOWS         4               // of the storm, for the rates
#define WINDOW_MS       1500
#define WAIT_MS         60000           // catches a hang, not a slow box
#define POLL_MS         20

typedef struct {
    const char *name;                   // for the printout
    bb_upstream_t failing;
    const char *endpoint;               // the mock's fault endpoint
    const char *counter;                // the mock's request counter
    const char *fault;                  // the control body
    bool backoff_grows;                 // no Retry-After paces it
} scenario_t;

//  ---------------------------------------------------------------------
//  What the store holds

//  The newest captured_at of sample agent index's rows from source, and
//  whether any of them is stale; 0 when it has none.
static uint64_t
s_captured (e2e_world_t *world, unsigned index, bb_upstream_t source,
            bool *stale)
{
    bb_envelope_t *reply = e2e_world_agent (world, index);
    const Balboard__DashboardRow *row = reply->agent_detail->row;
    uint64_t newest = 0;
    *stale = false;
    for (size_t i = 0; i < row->n_tokens; i++) {
        const Balboard__TokenPosition *token = row->tokens [i];
        if (strcmp (token->source, bb_upstream_label (source)) != 0)
            continue;
        *stale |= token->stale;
        if (token->captured_at_ms > newest)
            newest = token->captured_at_ms;
    }
    bb_wire_envelope_destroy (&reply);
    return newest;
}

//  The first sample agent with rows from both balance sources.
static unsigned
s_agent_with_both (e2e_world_t *world)
{
    bool stale;
    for (unsigned index = 0; index < AGENTS; index++)
        if (s_captured (world, index, BB_UPSTREAM_HIRO, &stale)
        &&  s_captured (world, index, BB_UPSTREAM_MEMPOOL, &stale))
            return index;
    fail_msg ("no agent holds both BTC and Stacks tokens");
    return 0;
}

//  The agent's rows of source as text: "token=amount,...", into buffer.
static void
s_amounts (e2e_world_t *world, unsigned index, bb_upstream_t source,
           char *buffer, size_t size)
{
    bb_envelope_t *reply = e2e_world_agent (world, index);
    const Balboard__DashboardRow *row = reply->agent_detail->row;
    size_t used = 0;
    buffer [0] = 0;
    for (size_t i = 0; i < row->n_tokens && used < size; i++) {
        const Balboard__TokenPosition *token = row->tokens [i];
        if (strcmp (token->source, bb_upstream_label (source)) == 0)
            used += (size_t) snprintf (buffer + used, size - used, "%s=%s,",
                                       token->token_id, token->balance);
    }
    bb_wire_envelope_destroy (&reply);
}

//  ---------------------------------------------------------------------
//  What the scheduler says

static bool
s_limited (const Balboard__SchedulerStatus *status, void *upstream)
{
    return status->upstreams [*(bb_upstream_t *) upstream]->limited;
}

static bool
s_completed_past (const Balboard__SchedulerStatus *status, void *count)
{
    return status->rotations_completed > *(uint64_t *) count;
}

//  Wait for the next rotation to complete; returns its duration.
static uint64_t
s_next_rotation (e2e_world_t *world)
{
    bb_envelope_t *reply = e2e_world_status (world);
    uint64_t done = reply->scheduler_status->rotations_completed;
    bb_wire_envelope_destroy (&reply);
    reply = e2e_world_wait_status (world, "a rotation complete",
                                   s_completed_past, &done, WAIT_MS);
    uint64_t took = reply->scheduler_status->last_rotation_ms;
    bb_wire_envelope_destroy (&reply);
    return took;
}

//  ---------------------------------------------------------------------
//  The scenario

//  The storm: rotations complete, the other source refreshes, the
//  failing one stays at its last good values, stale.
static void
s_storm_rotations (e2e_world_t *world, const scenario_t *scenario,
                   unsigned agent, const char *good)
{
    bb_upstream_t other = scenario->failing == BB_UPSTREAM_HIRO
                        ? BB_UPSTREAM_MEMPOOL : BB_UPSTREAM_HIRO;
    bool stale;
    uint64_t before = s_captured (world, agent, other, &stale);
    for (int rotation = 0; rotation < STORM_ROTATIONS; rotation++) {
        uint64_t took = s_next_rotation (world);
        //  The status and the rows are read apart: the next rotation may
        //  have refreshed the agent already, or be about to
        int64_t since = bb_clock_mono_ms ();
        uint64_t captured;
        while ((captured = s_captured (world, agent, other, &stale))
               <= before) {
            assert_true (bb_clock_mono_ms () - since < WAIT_MS);
            bb_clock_sleep_ms (POLL_MS);
        }
        print_message ("%s: storm rotation %d took %llu ms, %s captured "
                       "+%llu ms\n", scenario->name, rotation + 1,
                       (unsigned long long) took, bb_upstream_name (other),
                       (unsigned long long) (captured - before));
        assert_false (stale);
        before = captured;
    }
    char now [1024];
    s_amounts (world, agent, scenario->failing, now, sizeof now);
    assert_string_equal (now, good);
    s_captured (world, agent, scenario->failing, &stale);
    assert_true (stale);
}

//  Requests to the failing upstream per window of the storm, printed;
//  the last window asks no more than the first, as the backoff grows.
static void
s_storm_rates (e2e_world_t *world, const scenario_t *scenario,
               json_int_t start)
{
    json_int_t windows [WINDOWS];
    json_int_t last = start;
    for (int window = 0; window < WINDOWS; window++) {
        bb_clock_sleep_ms (WINDOW_MS);
        json_int_t now = e2e_world_mock_count (world, "requests",
                                               "by_endpoint",
                                               scenario->counter, NULL);
        windows [window] = now - last;
        last = now;
        print_message ("%s: window %d: %lld requests to %s (%.1f/s)\n",
                       scenario->name, window + 1, (long long) windows [window],
                       scenario->counter,
                       windows [window] * 1000.0 / WINDOW_MS);
    }
    assert_true (windows [WINDOWS - 1] <= windows [0]);
}

static void
s_isolation (const scenario_t *scenario)
{
    e2e_options_t options = {
        .agents = AGENTS, .fetchers = 2,
        .chunk_size = (unsigned) atoi (CHUNK),
        .scheduler_args = (const char *const []) {
            "--alarm-active-ms", TICK_MS, "--alarm-idle-ms", TICK_MS,
            "--rate-limit-backoff-ms", BACKOFF_MS,
            "--rate-limit-backoff-max-ms", BACKOFF_MAX_MS, NULL }
    };
    e2e_world_t *world = e2e_world_new (&options);
    e2e_world_go (world);
    e2e_world_wait_rotations (world, 1, WAIT_MS);
    e2e_world_check_dashboard (world, AGENTS, NULL, 0);
    unsigned agent = s_agent_with_both (world);
    char good [1024];
    s_amounts (world, agent, scenario->failing, good, sizeof good);

    //  The storm: limited within a heartbeat or so of the first trouble
    int64_t fault_at = bb_clock_mono_ms ();
    json_int_t start = e2e_world_mock_count (world, "requests", "by_endpoint",
                                             scenario->counter, NULL);
    e2e_world_mock_control (world, scenario->fault);
    bb_upstream_t failing = scenario->failing;
    bb_envelope_t *reply = e2e_world_wait_status (
        world, "upstream limited", s_limited, &failing, WAIT_MS);
    const Balboard__UpstreamHealth *health =
        reply->scheduler_status->upstreams [failing];
    print_message ("%s: limited %lld ms after the fault (heartbeat %d ms), "
                   "last error \"%s\"\n", scenario->name,
                   (long long) (bb_clock_mono_ms () - fault_at), HEARTBEAT_MS,
                   health->last_error);
    assert_true (*health->last_error);
    assert_true (health->next_probe_ms > 0);
    bb_wire_envelope_destroy (&reply);
    s_storm_rotations (world, scenario, agent, good);
    s_storm_rates (world, scenario, start);
    reply = e2e_world_status (world);
    uint64_t backoff = reply->scheduler_status->upstreams [failing]->backoff_ms;
    bb_wire_envelope_destroy (&reply);
    print_message ("%s: backoff step ceiling %llu ms\n", scenario->name,
                   (unsigned long long) backoff);
    if (scenario->backoff_grows)
        assert_true (backoff > BACKOFF_START);

    //  Healed: the stale marks clear within a backoff step and a rotation
    int64_t healed_at = bb_clock_mono_ms ();
    e2e_world_mock_control (world, "{\"retry_after_header\": 0, "
                            "\"rate_limit_retry_after_s\": 0, \"faults\": []}");
    bool stale = true;
    while (stale) {
        assert_true (bb_clock_mono_ms () - healed_at < WAIT_MS);
        bb_clock_sleep_ms (POLL_MS);
        s_captured (world, agent, failing, &stale);
    }
    reply = e2e_world_status (world);
    print_message ("%s: stale marks cleared %lld ms after healing (backoff "
                   "step %llu ms + rotation %llu ms)\n", scenario->name,
                   (long long) (bb_clock_mono_ms () - healed_at),
                   (unsigned long long) backoff, (unsigned long long)
                   reply->scheduler_status->last_rotation_ms);
    bb_wire_envelope_destroy (&reply);
    s_next_rotation (world);
    s_next_rotation (world);
    e2e_world_check_dashboard (world, AGENTS, NULL, 0);
    e2e_world_destroy (&world);
}

//  ---------------------------------------------------------------------
//  Tests

#define STORM(endpoint, header, retry_after) \
    "{\"retry_after_header\": " header ", \"rate_limit_retry_after_s\": " \
    retry_after ", \"faults\": [{\"endpoint\": \"" endpoint "\", " \
    "\"kind\": \"429\", \"count\": 0}]}"
#define OUTAGE(endpoint) \
    "{\"faults\": [{\"endpoint\": \"" endpoint "\", \"kind\": \"5xx\", " \
    "\"count\": 0, \"status\": 503}]}"

//  The scenarios, one test each (named after its scenario).
static scenario_t s_scenarios [] = {
    { "mempool 429", BB_UPSTREAM_MEMPOOL, "mempool", "mempool",
      STORM ("mempool", "-1", "0"), true },
    { "mempool 429 Retry-After 1 s", BB_UPSTREAM_MEMPOOL, "mempool",
      "mempool", STORM ("mempool", "1", "1"), false },
    { "mempool 503", BB_UPSTREAM_MEMPOOL, "mempool", "mempool",
      OUTAGE ("mempool"), true },
    { "hiro 429", BB_UPSTREAM_HIRO, "hiro", "hiro_v1",
      STORM ("hiro", "-1", "0"), true },
    { "hiro 429 Retry-After 1 s", BB_UPSTREAM_HIRO, "hiro", "hiro_v1",
      STORM ("hiro", "1", "1"), false },
    { "hiro 503", BB_UPSTREAM_HIRO, "hiro", "hiro_v1", OUTAGE ("hiro"),
      true },
};
#define SCENARIOS (sizeof s_scenarios / sizeof s_scenarios [0])

//  The scenario in *state.
static void
test_isolation (void **state)
{
    s_isolation (*state);
}

int
main (void)
{
    struct CMUnitTest tests [SCENARIOS];
    for (size_t i = 0; i < SCENARIOS; i++)
        tests [i] = (struct CMUnitTest) { s_scenarios [i].name,
                                          test_isolation, NULL, NULL,
                                          &s_scenarios [i] };
    return cmocka_run_group_tests (tests, e2e_world_setup_suite,
                                   e2e_world_teardown_suite);
}
