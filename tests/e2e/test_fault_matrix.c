/*  test_fault_matrix - real processes: every fault kind of the mock at
    every upstream, one at a time, then several at once.

    One world (mock, store, scheduler, two fetchers, gateway) with short
    timeouts and backoff caps runs rotations back to back. For each fault
    kind (5xx, hang, reset, truncated, wrong types, oversized, invalid
    address, 429 with and without Retry-After) at each upstream (token
    metadata, Hiro v1, mempool.space, price, then Hiro v3 once v1 is
    gone), a full rotation runs under the fault and the test checks: the
    system keeps rotating; no balance held before is zeroed, and rows of
    the failing source that were not refreshed are marked stale; the
    scheduler's status and the gateway's /metrics show trouble at that
    upstream with a new last error; the interval stays ACTIVE (one source
    down is paced alone). Healed, the next rotations clear the stale marks
    and the upstream is healthy again. Then a mixed run (Hiro 5xx,
    mempool.space 429, price hang, metadata truncated) turns the interval
    IDLE, and healing turns it ACTIVE. It prints a table: fault x
    upstream -> outcome. Token metadata faults reach the wire through the
    contract the mock keeps answering 422 (pending), asked again every
    100 ms. Waits catch hangs only: no timing is asserted. */
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

#define AGENTS          16
#define CHUNK           4
#define TICK_MS         "150"           // rotations run back to back
#define WAIT_MS         60000           // catches a hang, not a slow box
#define POLL_MS         20
#define HANG_MS         "1500"          // longer than a request may take
#define OUTCOME_SIZE    96
#define ROWS_MAX        (AGENTS * 16)

//  A column of the table: where the fault applies.
typedef struct {
    const char *name;
    const char *selector;               // the mock's fault endpoint
    const char *counter;                // its request counter
    bb_upstream_t upstream;             // whose health shows it
} column_t;

static const column_t s_columns [] = {
    { "metadata", "metadata", "metadata", BB_UPSTREAM_HIRO },
    { "hiro v1", "hiro", "hiro_v1", BB_UPSTREAM_HIRO },
    { "mempool", "mempool", "mempool", BB_UPSTREAM_MEMPOOL },
    { "price", "price", "price", BB_UPSTREAM_PRICE },
    { "hiro v3", "hiro_v3", "hiro_v3_stx", BB_UPSTREAM_HIRO },
};
#define COLUMNS (sizeof s_columns / sizeof s_columns [0])
#define HIRO_V3 4                       // after "gone_v1": true

//  A row: the fault kind and the rest of its control body.
typedef struct {
    const char *name;
    const char *kind;
    const char *settings;               // retry_after_header etc.
} fault_t;

static const fault_t s_faults [] = {
    { "5xx", "5xx", "" },
    { "hang", "hang", "" },
    { "reset", "reset", "" },
    { "truncated", "truncated", "" },
    { "wrong types", "wrong_types", "" },
    { "oversized", "oversized", "" },
    { "invalid addr", "invalid_address", "" },
    { "429", "429", "\"retry_after_header\": -1, " },
    { "429 + R-A 1s", "429",
      "\"retry_after_header\": 1, \"rate_limit_retry_after_s\": 1, " },
};
#define FAULTS (sizeof s_faults / sizeof s_faults [0])

#define HEAL "{\"retry_after_header\": 0, \"rate_limit_retry_after_s\": 0, " \
             "\"faults\": []}"

static char s_table [FAULTS][COLUMNS][OUTCOME_SIZE];

//  ---------------------------------------------------------------------
//  What the store holds

//  One non-zero balance row of an agent.
typedef struct {
    unsigned agent;
    char token [128];
    char amount [48];
} row_t;

typedef struct {
    row_t rows [ROWS_MAX];
    size_t count;
} rows_t;

//  Every agent's non-zero rows into rows; the rows of source that are
//  stale counted in *stale (source may be BB_UPSTREAM_COUNT: none).
static void
s_rows (e2e_world_t *world, bb_upstream_t source, rows_t *rows,
        unsigned *stale)
{
    rows->count = 0;
    *stale = 0;
    for (unsigned agent = 0; agent < AGENTS; agent++) {
        bb_envelope_t *reply = e2e_world_agent (world, agent);
        const Balboard__DashboardRow *row = reply->agent_detail->row;
        for (size_t i = 0; i < row->n_tokens; i++) {
            const Balboard__TokenPosition *token = row->tokens [i];
            if (source < BB_UPSTREAM_COUNT && token->stale
            &&  strcmp (token->source, bb_upstream_label (source)) == 0)
                (*stale)++;
            if (strcmp (token->balance, "0") == 0)
                continue;
            assert_true (rows->count < ROWS_MAX);
            row_t *kept = &rows->rows [rows->count++];
            kept->agent = agent;
            snprintf (kept->token, sizeof kept->token, "%s",
                      token->token_id);
            snprintf (kept->amount, sizeof kept->amount, "%s",
                      token->balance);
        }
        bb_wire_envelope_destroy (&reply);
    }
}

//  Every row of before is in after with the same amount: nothing held
//  was zeroed or lost (the mock's amounts never change).
static void
s_assert_kept (const rows_t *before, const rows_t *after)
{
    for (size_t i = 0; i < before->count; i++) {
        const row_t *row = &before->rows [i];
        bool found = false;
        for (size_t j = 0; j < after->count && !found; j++)
            found = after->rows [j].agent == row->agent
                 && strcmp (after->rows [j].token, row->token) == 0
                 && strcmp (after->rows [j].amount, row->amount) == 0;
        if (!found)
            fail_msg ("agent %u lost %s %s", row->agent, row->token,
                      row->amount);
    }
}

//  The store's price snapshot time.
static uint64_t
s_priced_at (e2e_world_t *world)
{
    bb_envelope_t *reply = e2e_world_stats (world);
    const Balboard__PriceSnapshot *prices = reply->store_stats->prices;
    assert_non_null (prices);
    assert_true (prices->btc_usd_micro > 0 && prices->stx_usd_micro > 0);
    uint64_t priced_at = prices->priced_at_ms;
    bb_wire_envelope_destroy (&reply);
    return priced_at;
}

//  ---------------------------------------------------------------------
//  What the scheduler and the gateway say

static bool
s_completed_past (const Balboard__SchedulerStatus *status, void *count)
{
    return status->rotations_completed > *(uint64_t *) count;
}

//  Wait until a rotation that started after now has completed; returns
//  the status then (caller destroys).
static bb_envelope_t *
s_full_rotation (e2e_world_t *world)
{
    bb_envelope_t *reply = e2e_world_status (world);
    uint64_t done = reply->scheduler_status->rotations_completed + 1;
    bb_wire_envelope_destroy (&reply);
    return e2e_world_wait_status (world, "a full rotation",
                                  s_completed_past, &done, WAIT_MS);
}

//  The value of the /metrics sample name{upstream="label"}, -1 if absent.
static double
s_metric (const char *text, const char *name, bb_upstream_t upstream)
{
    char sample [160];
    snprintf (sample, sizeof sample, "\n%s{upstream=\"%s\"} ", name,
              bb_upstream_label (upstream));
    const char *found = strstr (text, sample);
    return found ? atof (found + strlen (sample)) : -1;
}

//  The gateway's count of failures and 429s at upstream.
static double
s_metric_trouble (e2e_world_t *world, bb_upstream_t upstream,
                  double *last_error_s)
{
    char *text = e2e_world_metrics (world);
    double trouble = s_metric (text, "balboard_upstream_failures_total",
                               upstream)
                   + s_metric (text, "balboard_upstream_rate_limited_total",
                               upstream);
    *last_error_s = s_metric (text,
                              "balboard_upstream_last_error_timestamp_seconds",
                              upstream);
    free (text);
    return trouble;
}

//  ---------------------------------------------------------------------
//  One cell

//  Apply fault at column, with every setting the kinds need.
static void
s_apply (e2e_world_t *world, const fault_t *fault, const column_t *column)
{
    char body [512];
    snprintf (body, sizeof body, "{%s\"faults\": [{\"endpoint\": \"%s\", "
              "\"kind\": \"%s\", \"count\": 0, \"hang_ms\": " HANG_MS ", "
              "\"oversize_bytes\": 1048576}]}", fault->settings,
              column->selector, fault->kind);
    e2e_world_mock_control (world, body);
}

//  Healed: wait until no row of source is stale and upstream is healthy
//  and not limited; returns the rotations that took.
static uint64_t
s_heal (e2e_world_t *world, bb_upstream_t upstream, bb_upstream_t source)
{
    e2e_world_mock_control (world, HEAL);
    bb_envelope_t *reply = e2e_world_status (world);
    uint64_t start = reply->scheduler_status->rotations_completed;
    bb_wire_envelope_destroy (&reply);
    int64_t since = bb_clock_mono_ms ();
    while (true) {
        reply = s_full_rotation (world);
        const Balboard__UpstreamHealth *health =
            reply->scheduler_status->upstreams [upstream];
        bool healthy = health->healthy && !health->limited;
        uint64_t done = reply->scheduler_status->rotations_completed;
        assert_false (reply->scheduler_status->idle_mode);
        bb_wire_envelope_destroy (&reply);
        rows_t rows;
        unsigned stale;
        s_rows (world, source, &rows, &stale);
        if (healthy && stale == 0)
            return done - start;
        assert_true (bb_clock_mono_ms () - since < WAIT_MS);
    }
}

//  The failures and 429s the scheduler counts at upstream.
static uint64_t
s_status_trouble (e2e_world_t *world, bb_upstream_t upstream)
{
    bb_envelope_t *reply = e2e_world_status (world);
    const Balboard__UpstreamHealth *health =
        reply->scheduler_status->upstreams [upstream];
    uint64_t trouble = health->failures + health->rate_limited;
    bb_wire_envelope_destroy (&reply);
    return trouble;
}

//  After a rotation under the fault that began at start_ms: if the
//  scheduler counted trouble at upstream (more than trouble_before), it
//  has a new last error and the gateway's /metrics show both; writes the
//  last error, or "" when nothing failed, into error.
static bool
s_check_trouble (e2e_world_t *world, const column_t *column,
                 uint64_t trouble_before, double metric_before,
                 double last_error_before, uint64_t start_ms,
                 char *error, size_t size, bool *limited)
{
    bb_envelope_t *reply = e2e_world_status (world);
    const Balboard__UpstreamHealth *health =
        reply->scheduler_status->upstreams [column->upstream];
    assert_false (reply->scheduler_status->idle_mode);
    bool troubled = health->failures + health->rate_limited > trouble_before;
    *limited = health->limited;
    snprintf (error, size, "%s", troubled ? health->last_error : "");
    if (troubled && (health->last_error_ms < start_ms
                     || !*health->last_error))
        fail_msg ("%s: trouble counted but no new last error (\"%s\")",
                  column->name, health->last_error);
    bb_wire_envelope_destroy (&reply);
    double last_error_s;
    double metric = s_metric_trouble (world, column->upstream,
                                      &last_error_s);
    if (troubled) {
        assert_true (metric > metric_before);
        assert_true (last_error_s > last_error_before);
    }
    else
        assert_true (metric == metric_before);
    return troubled;
}

//  Run a rotation under fault at column, check it, heal, and write the
//  outcome into the table.
static void
s_cell (e2e_world_t *world, size_t f, size_t c)
{
    const fault_t *fault = &s_faults [f];
    const column_t *column = &s_columns [c];
    bb_upstream_t upstream = column->upstream;
    bb_upstream_t source = bb_upstream_is_source (upstream)
                         ? upstream : BB_UPSTREAM_COUNT;
    rows_t *before = calloc (2, sizeof *before), *after = before + 1;
    unsigned stale;
    s_rows (world, source, before, &stale);
    uint64_t priced_at = s_priced_at (world);
    double last_error_s, metric = s_metric_trouble (world, upstream,
                                                    &last_error_s);
    uint64_t trouble = s_status_trouble (world, upstream);
    json_int_t requests = e2e_world_mock_count (world, "requests",
        "by_endpoint", column->counter, NULL);
    uint64_t start_ms = bb_clock_wall_ms ();
    s_apply (world, fault, column);
    //  Full rotations until one reached the fault (a pending token is
    //  asked by the first job to hold it after its retry time)
    json_int_t asked = 0;
    int64_t since = bb_clock_mono_ms ();
    while (asked == 0) {
        assert_true (bb_clock_mono_ms () - since < WAIT_MS);
        bb_envelope_t *reply = s_full_rotation (world);
        bb_wire_envelope_destroy (&reply);
        asked = e2e_world_mock_count (world, "requests", "by_endpoint",
                                      column->counter, NULL) - requests;
    }
    char error [40];
    bool limited;
    bool troubled = s_check_trouble (world, column, trouble, metric,
                                     last_error_s, start_ms, error,
                                     sizeof error, &limited);
    //  Only a metadata answer may go unharmed: a 422 needs no body
    if (!troubled && c != 0)
        fail_msg ("%s at %s: %lld requests, no trouble seen", fault->name,
                  column->name, (long long) asked);
    //  Nothing held is lost; the failing source's rows wait, stale
    s_rows (world, source, after, &stale);
    s_assert_kept (before, after);
    if (upstream == BB_UPSTREAM_PRICE)
        assert_true (s_priced_at (world) >= priced_at);
    uint64_t healed = s_heal (world, upstream, source);
    if (upstream == BB_UPSTREAM_PRICE)
        assert_true (s_priced_at (world) > priced_at);
    snprintf (s_table [f][c], OUTCOME_SIZE, "%s%.19s %ust +%llur",
              limited ? "L " : "", troubled ? error : "no effect", stale,
              (unsigned long long) healed);
    print_message ("fault matrix: %-12s at %-8s: %lld requests, %s \"%s\", "
                   "%u rows stale, healed in %llu rotations\n", fault->name,
                   column->name, (long long) asked,
                   limited ? "limited" : "not limited", error, stale,
                   (unsigned long long) healed);
    free (before);
}

//  ---------------------------------------------------------------------
//  The table and the mixed run

static void
s_print_table (void)
{
    printf ("\nfault matrix: fault x upstream -> outcome (L: limited "
            "after the rotation; the last error status and /metrics show; "
            "Nst: stale rows of the source it paces, every row kept; +Nr: "
            "healed, stale marks cleared, in N rotations)\n%-13s", "");
    for (size_t c = 0; c < COLUMNS; c++)
        printf ("| %-32s", s_columns [c].name);
    printf ("\n");
    for (size_t f = 0; f < FAULTS; f++) {
        printf ("%-13s", s_faults [f].name);
        for (size_t c = 0; c < COLUMNS; c++)
            printf ("| %-32.32s", s_table [f][c]);
        printf ("\n");
    }
    fflush (stdout);
}

static bool
s_idle (const Balboard__SchedulerStatus *status, void *idle)
{
    return status->idle_mode == *(bool *) idle;
}

//  Hiro 5xx, mempool.space 429, price hang, metadata truncated at once:
//  both balance sources limited turn the interval IDLE; healed, ACTIVE.
static void
s_mixed (e2e_world_t *world)
{
    rows_t *before = calloc (2, sizeof *before), *after = before + 1;
    unsigned stale;
    s_rows (world, BB_UPSTREAM_COUNT, before, &stale);
    e2e_world_mock_control (world, "{\"retry_after_header\": -1, "
        "\"faults\": [{\"endpoint\": \"hiro_v3\", \"kind\": \"5xx\", "
        "\"count\": 0}, {\"endpoint\": \"mempool\", \"kind\": \"429\", "
        "\"count\": 0}, {\"endpoint\": \"price\", \"kind\": \"hang\", "
        "\"count\": 0, \"hang_ms\": " HANG_MS "}, {\"endpoint\": "
        "\"metadata\", \"kind\": \"truncated\", \"count\": 0}]}");
    bool idle = true;
    bb_envelope_t *reply = e2e_world_wait_status (world, "IDLE", s_idle,
                                                  &idle, WAIT_MS);
    const Balboard__SchedulerStatus *status = reply->scheduler_status;
    for (bb_upstream_t u = BB_UPSTREAM_HIRO; u < BB_UPSTREAM_SOURCES; u++)
        assert_true (status->upstreams [u]->limited);
    bb_wire_envelope_destroy (&reply);
    reply = s_full_rotation (world);
    bb_wire_envelope_destroy (&reply);
    s_rows (world, BB_UPSTREAM_COUNT, after, &stale);
    s_assert_kept (before, after);
    idle = false;
    e2e_world_mock_control (world, HEAL);
    reply = e2e_world_wait_status (world, "ACTIVE", s_idle, &idle, WAIT_MS);
    bb_wire_envelope_destroy (&reply);
    uint64_t hiro = s_heal (world, BB_UPSTREAM_HIRO, BB_UPSTREAM_HIRO);
    uint64_t mempool = s_heal (world, BB_UPSTREAM_MEMPOOL,
                               BB_UPSTREAM_MEMPOOL);
    printf ("fault matrix: mixed (hiro 5xx, mempool 429, price hang, "
            "metadata truncated): IDLE, every row kept, ACTIVE again once "
            "healed, stale marks cleared (hiro +%llur, mempool +%llur)\n",
            (unsigned long long) hiro, (unsigned long long) mempool);
    free (before);
}

//  ---------------------------------------------------------------------
//  The test

static void
test_fault_matrix (void **state)
{
    e2e_options_t options = {
        .agents = AGENTS, .chunk_size = CHUNK, .fetchers = 2,
        .gateway = true,
        .scheduler_args = (const char *const []) {
            "--alarm-active-ms", TICK_MS, "--alarm-idle-ms", TICK_MS,
            "--rate-limit-backoff-ms", "100",
            "--rate-limit-backoff-max-ms", "400",
            "--job-deadline-ms", "8000", "--log-level", "warn", NULL },
        .fetcher_args = (const char *const []) {
            "--request-timeout-ms", "400", "--connect-timeout-ms", "400",
            "--max-retries", "1", "--retry-backoff-ms", "20",
            "--retry-backoff-max-ms", "40", "--rate-limit-backoff-ms", "50",
            "--max-body-bytes", "262144", "--token-pending-retry-ms", "100",
            "--log-level", "error", NULL }
    };
    int64_t started = bb_clock_mono_ms ();
    e2e_world_t *world = e2e_world_new (&options);
    e2e_world_go (world);
    e2e_world_wait_rotations (world, 1, WAIT_MS);
    e2e_world_check_dashboard (world, AGENTS, NULL, 0);
    for (size_t c = 0; c < COLUMNS; c++) {
        if (c == HIRO_V3)
            e2e_world_mock_control (world, "{\"gone_v1\": true}");
        for (size_t f = 0; f < FAULTS; f++)
            s_cell (world, f, c);
    }
    s_print_table ();
    s_mixed (world);
    e2e_world_check_dashboard (world, AGENTS, NULL, 0);
    e2e_world_destroy (&world);
    printf ("fault matrix: %zu cells and the mixed run in %.1f s\n",
            FAULTS * COLUMNS, (bb_clock_mono_ms () - started) / 1000.0);
}

E2E_WORLD_MAIN (cmocka_unit_test (test_fault_matrix))
