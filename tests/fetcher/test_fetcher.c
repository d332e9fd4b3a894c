/*  test_fetcher - the real balboard-fetcher against the real mock
    upstream, with the scheduler's and the store's ends of its sockets
    played by bb_test_scheduler_side.

    Checks, from the batch the fetcher hands the store, the report it
    sends the scheduler and the mock's own counters: balances equal
    bb_mockdata's for every token kind; exactly 2 requests per agent plus
    1 for prices; token metadata fetched once per contract, then taken
    from the store (also after a restart); every fault kind gives the
    right status, retries where it should, honours Retry-After, stays in
    the job deadline and the concurrency bounds; 410 switches to v3 with
    the same balances; invalid addresses never reach the mock; the API
    key is sent and never logged; heartbeats flow during a job; an
    unanswered batch is resent; SIGTERM exits cleanly. Every fetcher must
    still run at the end of its test and exit 0 on SIGTERM. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <czmq.h>
#include <jansson.h>

#include "bb_answers.h"
#include "bb_balances.h"
#include "fetcher_expect.h"
#include "bb_mockdata.h"
#include "bb_http_exchange.h"
#include "bb_child.h"
#include "bb_mock_process.h"
#include "bb_port.h"
#include "bb_fake_scheduler.h"
#include "bb_upstream_parse.h"
#include "bb_wire.h"

#define FETCHER_BINARY  "balboard-fetcher"
#define START_TRIES     3
#define START_MS        10000
#define STOP_MS         10000
#define HTTP_MS         10000
#define HEARTBEAT_MS    200
#define HEARTBEAT_TEXT  "200"
#define REPORT_MS       30000       // a report must come within this
#define JOB_MS          20000       // default job deadline, from now
#define HANG_TEXT       "60000"     // a hang longer than any wait here
#define AGENTS_MAX      100
#define KINDS_SCAN      3000        // sample agents searched for kinds
#define API_KEY         "test-key-5ecret-0123456789"
#define KEYLESS         10          // keyless quota in test_api_key
#define KEYLESS_TEXT    "10"
#define BTC_MICRO       67187335894LL   // BB_MOCK_BTC_USD_DEFAULT
#define STX_MICRO       2500000LL       // BB_MOCK_STX_USD_DEFAULT
#define LONGCOIN_ASSET  "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3.longcoin" \
                        "::longcoin"
#define VOTE_ASSET      "SP102V8P0F7JX67ARQ77WEA3D3CFB5XW39REDT0AM." \
                        "token-special-vote::special-vote"
#define PENDING_ASSET   "SPWECF3XYVRBRCN23CJJCX9XKSF8RFWQPAQMWXT." \
                        "blockstack::BLOCKSTACK"
#define PENDING_CONTRACT "SPWECF3XYVRBRCN23CJJCX9XKSF8RFWQPAQMWXT.blockstack"

//  A ChunkJob and the storage it points into.
typedef struct {
    Balboard__ChunkJob job;
    Balboard__Agent agents [AGENTS_MAX];
    Balboard__Agent *pointers [AGENTS_MAX];
    char stx [AGENTS_MAX][BB_MOCK_STX_ADDRESS_SIZE + 16];
    char btc [AGENTS_MAX][BB_MOCK_BTC_ADDRESS_SIZE + 16];
    char job_id [32];
} job_t;

//  What came back: the job sent, its report and its batch (the test's
//  to check; s_run_drop frees them), and the time to the report.
typedef struct {
    job_t job;
    bb_envelope_t *report;
    bb_envelope_t *batch;
    int64_t elapsed_ms;
} run_t;

//  How a test's fetcher starts (the test's initial state): extra flags
//  and environment (NULL-terminated, may be NULL), stderr to a file.
typedef struct {
    const char *const *flags;
    const char *const *env;
    bool capture_stderr;
} start_t;

//  One test's world: the mock (the group's, shared), a harness, a
//  fetcher, and the last run (the test's to check; dropped at the end).
typedef struct {
    bb_mock_process_t *mock;
    bb_fake_scheduler_t *side;
    bb_child_t *fetcher;
    char jobs [64];                 // endpoints the harness bound
    char ingest [64];
    char stderr_path [256];         // where a wrapped fetcher logs
    run_t run;
} world_t;

static bb_mock_process_t *s_mock;   // the group's mock upstream
static const start_t s_plain;       // the test flags alone

//  ---------------------------------------------------------------------
//  The mock

static void
s_control (world_t *world, const char *body)
{
    assert_int_equal (bb_mock_process_control (world->mock, body,
                                               HTTP_MS), 0);
}

static void
s_mock_reset (world_t *world)
{
    assert_int_equal (bb_mock_process_reset (world->mock, HTTP_MS),
                      0);
}

//  GET /__mock/stats as JSON; caller decrefs.
static json_t *
s_stats (world_t *world)
{
    json_t *stats = bb_mock_process_stats (world->mock, HTTP_MS);
    assert_non_null (stats);
    return stats;
}

static long
s_stat (json_t *stats, const char *group, const char *key)
{
    json_t *value = json_object_get (json_object_get (stats, group), key);
    return value ? (long) json_integer_value (value) : 0;
}

static long
s_requests (world_t *world, const char *endpoint)
{
    long count = bb_mock_process_count (world->mock, HTTP_MS,
                                        "requests", "by_endpoint", endpoint,
                                        NULL);
    assert_true (count >= 0);
    return count;
}

//  ---------------------------------------------------------------------
//  The fetcher

//  Start a fetcher with the test's flags plus extra (NULL-terminated),
//  environment env, logging to stderr_path if set, and wait for Ready.
static void
s_fetcher_start (world_t *world, const char *const extra [],
                 const char *const env [], bool capture_stderr)
{
    char *binary = bb_child_bin_path (FETCHER_BINARY);
    assert_non_null (binary);
    bb_mock_urls_t urls;
    bb_mock_process_urls (world->mock, &urls);
    //  Through a shell, so that stderr can go to a file, and so that
    //  BALBOARD_TEST_WRAPPER (e.g. "valgrind -q --error-exitcode=99
    //  --leak-check=full") can run the fetcher under a tool.
    const char *argv [64] = {
        "/bin/sh", "-c", "exec $BALBOARD_TEST_WRAPPER \"$0\" \"$@\"",
        binary,
        "--scheduler-jobs", world->jobs, "--store-ingest", world->ingest,
        "--hiro-base", urls.hiro, "--mempool-base", urls.mempool,
        "--price-url", urls.price,
        "--heartbeat-ms", HEARTBEAT_TEXT, "--retry-backoff-ms", "50",
        "--retry-backoff-max-ms", "400", "--rate-limit-backoff-ms", "300",
        "--request-timeout-ms", "2000", "--connect-timeout-ms", "1000",
        "--fetcher-id", "test-fetcher",
    };
    size_t argc = 0;
    while (argv [argc])
        argc++;
    for (size_t index = 0; extra && extra [index]; index++)
        argv [argc++] = extra [index];
    char script [320];
    if (capture_stderr) {
        snprintf (world->stderr_path, sizeof world->stderr_path,
                  "%s/fetcher-%d.log", getenv ("BALBOARD_TEST_SCRATCH"),
                  (int) getpid ());
        snprintf (script, sizeof script, "exec $BALBOARD_TEST_WRAPPER "
                  "\"$0\" \"$@\" 2>'%s'", world->stderr_path);
        argv [2] = script;
    }
    world->fetcher = bb_child_new (argv, env);
    assert_non_null (world->fetcher);
    free (binary);
    if (bb_fake_scheduler_wait_ready (world->side, START_MS))
        fail_msg ("the fetcher did not say Ready");
}

//  The fetcher's log (stderr captured) has lines, none holding secret.
static void
s_assert_not_logged (world_t *world, const char *secret)
{
    FILE *file = fopen (world->stderr_path, "r");
    assert_non_null (file);
    char line [4096];
    size_t lines = 0;
    while (fgets (line, sizeof line, file)) {
        lines++;
        if (strstr (line, secret))
            fail_msg ("a secret was logged: %s", line);
    }
    fclose (file);
    assert_true (lines > 10);
}

//  SIGTERM the fetcher: it must still run and exit 0.
static void
s_fetcher_stop (world_t *world)
{
    assert_true (bb_child_running (world->fetcher));
    assert_int_equal (bb_child_stop (world->fetcher, SIGTERM,
                                     STOP_MS), 0);
    bb_child_destroy (&world->fetcher);
}

//  Destroy run's report and batch.
static void
s_run_drop (run_t *run)
{
    bb_wire_envelope_destroy (&run->report);
    bb_wire_envelope_destroy (&run->batch);
}

//  A world with a fetcher started as the test's start_t says.
static int
s_setup (void **state)
{
    const start_t *start = *state;
    world_t *world = calloc (1, sizeof *world);
    assert_non_null (world);
    world->mock = s_mock;
    s_mock_reset (world);
    world->side = bb_fake_scheduler_new_on_free_ports (
        world->jobs, world->ingest, sizeof world->jobs, HEARTBEAT_MS);
    assert_non_null (world->side);
    *state = world;
    s_fetcher_start (world, start->flags, start->env, start->capture_stderr);
    return 0;
}

//  Every fetcher must still run at the end of its test and exit 0 on
//  SIGTERM (a test that stops it itself checks that with s_fetcher_stop).
static int
s_teardown (void **state)
{
    world_t *world = *state;
    bool clean = true;
    if (world->fetcher) {
        clean = bb_child_running (world->fetcher)
             && bb_child_stop (world->fetcher, SIGTERM, STOP_MS) == 0;
        if (!clean)
            print_error ("the fetcher had exited or did not exit 0 on "
                         "SIGTERM\n");
        bb_child_destroy (&world->fetcher);
    }
    s_run_drop (&world->run);
    bb_fake_scheduler_destroy (&world->side);
    if (world->stderr_path [0])
        unlink (world->stderr_path);
    free (world);
    return clean ? 0 : -1;
}

//  ---------------------------------------------------------------------
//  Jobs

static void
s_job_init (job_t *job, const char *job_id, bool prices, int deadline_ms)
{
    memset (job, 0, sizeof *job);
    balboard__chunk_job__init (&job->job);
    snprintf (job->job_id, sizeof job->job_id, "%s", job_id);
    job->job.job_id = job->job_id;
    job->job.attempt = 1;
    job->job.rotation = 7;
    job->job.chunk_index = 3;
    job->job.rotation_agents = 1000;
    job->job.fetch_prices = prices;
    job->job.deadline_ms = (uint64_t) (zclock_time () + deadline_ms);
    job->job.agents = job->pointers;
}

static void
s_job_add (job_t *job, const char *stx, const char *btc)
{
    size_t index = job->job.n_agents++;
    assert_true (index < AGENTS_MAX);
    snprintf (job->stx [index], sizeof job->stx [index], "%s", stx);
    snprintf (job->btc [index], sizeof job->btc [index], "%s", btc);
    balboard__agent__init (&job->agents [index]);
    job->agents [index].stx_address = job->stx [index];
    job->agents [index].btc_address = job->btc [index];
    job->pointers [index] = &job->agents [index];
}

static void
s_job_add_sample (job_t *job, unsigned sample)
{
    bb_mock_agent_t agent;
    bb_mockdata_agent (sample, &agent);
    s_job_add (job, agent.stx_address, agent.btc_address);
}

//  A job of count consecutive sample agents from first.
static void
s_job_samples (job_t *job, const char *job_id, unsigned first,
               unsigned count, bool prices, int deadline_ms)
{
    s_job_init (job, job_id, prices, deadline_ms);
    for (unsigned sample = first; sample < first + count; sample++)
        s_job_add_sample (job, sample);
}

//  Wait for the fetcher's report of job job_id (caller destroys).
static bb_envelope_t *
s_report_of (world_t *world, const char *job_id)
{
    bb_envelope_t *report = bb_fake_scheduler_wait_report (world->side,
                                                           REPORT_MS);
    if (!report)
        fail_msg ("no JobReport for %s", job_id);
    assert_int_equal (report->body_case,
                      BALBOARD__ENVELOPE__BODY_JOB_REPORT);
    assert_string_equal (report->job_report->job_id, job_id);
    assert_string_equal (report->job_report->fetcher_id, "test-fetcher");
    return report;
}

//  Send job, wait for its report (caller destroys); *elapsed_ms is the
//  time from sending to the report.
static bb_envelope_t *
s_run (world_t *world, job_t *job, int64_t *elapsed_ms)
{
    int64_t start = zclock_mono ();
    assert_int_equal (bb_fake_scheduler_send_job (world->side,
                                                  &job->job), 0);
    bb_envelope_t *report = s_report_of (world, job->job_id);
    if (elapsed_ms)
        *elapsed_ms = zclock_mono () - start;
    return report;
}

//  Run job again under job_id, with a fresh deadline; returns the report.
static bb_envelope_t *
s_run_again (world_t *world, job_t *job, const char *job_id)
{
    snprintf (job->job_id, sizeof job->job_id, "%s", job_id);
    job->job.deadline_ms = (uint64_t) (zclock_time () + JOB_MS);
    return s_run (world, job, NULL);
}

static bb_envelope_t *
s_take_batch (world_t *world)
{
    bb_envelope_t *batch = bb_fake_scheduler_take_batch (world->side);
    assert_non_null (batch);
    assert_int_equal (batch->body_case,
                      BALBOARD__ENVELOPE__BODY_BALANCE_BATCH);
    return batch;
}

static const Balboard__AgentResult *
s_agent (bb_envelope_t *batch, const char *stx)
{
    const Balboard__BalanceBatch *body = batch->balance_batch;
    for (size_t index = 0; index < body->n_agents; index++)
        if (strcmp (body->agents [index]->stx_address, stx) == 0)
            return body->agents [index];
    fail_msg ("agent %s not in the batch", stx);
    return NULL;
}

static const Balboard__SourceResult *
s_source (const Balboard__AgentResult *agent, Balboard__Upstream upstream)
{
    assert_int_equal (agent->n_sources, 2);
    for (size_t index = 0; index < agent->n_sources; index++)
        if (agent->sources [index]->upstream == upstream)
            return agent->sources [index];
    fail_msg ("no source %d for %s", (int) upstream, agent->stx_address);
    return NULL;
}

#define HIRO    BALBOARD__UPSTREAM__UPSTREAM_HIRO
#define MEMPOOL BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL
#define PRICE   BALBOARD__UPSTREAM__UPSTREAM_PRICE

static const Balboard__UpstreamReport *
s_upstream (bb_envelope_t *report, Balboard__Upstream upstream)
{
    const Balboard__JobReport *body = report->job_report;
    for (size_t index = 0; index < body->n_upstreams; index++)
        if (body->upstreams [index]->upstream == upstream)
            return body->upstreams [index];
    fail_msg ("no upstream report %d", (int) upstream);
    return NULL;
}

//  Requests of upstream its report says were answered (AnswerSteps, for
//  the budget): at most BB_ANSWERS_STEPS steps, oldest first.
static uint32_t
s_answered (bb_envelope_t *report, Balboard__Upstream upstream)
{
    const Balboard__UpstreamReport *of = s_upstream (report, upstream);
    assert_true (of->n_answered <= BB_ANSWERS_STEPS);
    uint32_t answered = 0;
    for (size_t index = 0; index < of->n_answered; index++) {
        if (index > 0)
            assert_true (of->answered [index]->ago_ms
                         < of->answered [index - 1]->ago_ms);
        answered += of->answered [index]->requests;
    }
    return answered;
}

//  ---------------------------------------------------------------------
//  Expectations from bb_mockdata

//  source is FETCH_OK and lists exactly expected.
static void
s_assert_source (const Balboard__SourceResult *source,
                 bb_balances_t *expected, const char *who)
{
    if (source->status != BALBOARD__FETCH_STATUS__FETCH_OK)
        fail_msg ("%s: status %d (%s)", who, (int) source->status,
                  source->detail);
    if (source->n_balances != bb_balances_size (expected))
        fail_msg ("%s: %zu balances, expected %zu", who, source->n_balances,
                  bb_balances_size (expected));
    for (size_t index = 0; index < source->n_balances; index++)
        expect_amount (expected, source->balances [index]->token_id,
                       source->balances [index]->amount, who);
}

//  Every agent of job has exactly bb_mockdata's balances in batch.
static void
s_assert_batch_exact (bb_envelope_t *batch, job_t *job)
{
    assert_int_equal (batch->balance_batch->n_agents, job->job.n_agents);
    for (size_t index = 0; index < job->job.n_agents; index++) {
        const Balboard__AgentResult *agent = s_agent (batch,
                                                      job->stx [index]);
        assert_true (agent->captured_at_ms > 0);
        bb_balances_t *expected = bb_balances_new ();
        expect_hiro (job->stx [index], expected);
        s_assert_source (s_source (agent, HIRO), expected, job->stx [index]);
        bb_balances_clear (expected);
        expect_btc (job->btc [index], expected);
        s_assert_source (s_source (agent, MEMPOOL), expected,
                         job->btc [index]);
        bb_balances_destroy (&expected);
    }
}

//  Run job again as job_id and check its batch against the mock's data;
//  returns the report (the caller destroys it).
static bb_envelope_t *
s_run_exact (world_t *world, job_t *job, const char *job_id)
{
    bb_envelope_t *report = s_run_again (world, job, job_id);
    bb_envelope_t *batch = s_take_batch (world);
    s_assert_batch_exact (batch, job);
    bb_wire_envelope_destroy (&batch);
    return report;
}

//  Every agent of batch has status on upstream.
static void
s_assert_all_status (bb_envelope_t *batch, Balboard__Upstream upstream,
                     Balboard__FetchStatus status)
{
    const Balboard__BalanceBatch *body = batch->balance_batch;
    assert_true (body->n_agents > 0);
    for (size_t index = 0; index < body->n_agents; index++) {
        const Balboard__SourceResult *source =
            s_source (body->agents [index], upstream);
        if (source->status != status)
            fail_msg ("%s upstream %d: status %d, expected %d (%s)",
                      body->agents [index]->stx_address, (int) upstream,
                      (int) source->status, (int) status, source->detail);
        if (status != BALBOARD__FETCH_STATUS__FETCH_OK)
            assert_int_equal (source->n_balances, 0);
    }
}

//  ---------------------------------------------------------------------
//  Scenarios: the mock set up, one job run, its report and batch taken

//  What a test sets up: the mock's fault, the job.
typedef struct {
    const char *fault;              // a /__mock/control body, or NULL
    const char *job_id;
    unsigned first;                 // sample agents first..first+count-1
    unsigned count;
    bool prices;                    // the job fetches prices too
    int deadline_ms;                // from now; 0 for JOB_MS
} scenario_t;

//  Set the mock up as scenario says, run its job, and take its report
//  and its batch into the world's run (dropping the run before), which
//  it returns.
static run_t *
s_scenario_run (world_t *world, const scenario_t *scenario)
{
    run_t *run = &world->run;
    s_run_drop (run);
    if (scenario->fault)
        s_control (world, scenario->fault);
    s_job_samples (&run->job, scenario->job_id, scenario->first,
                   scenario->count, scenario->prices,
                   scenario->deadline_ms? scenario->deadline_ms: JOB_MS);
    run->report = s_run (world, &run->job, &run->elapsed_ms);
    run->batch = s_take_batch (world);
    return run;
}

//  Every agent of batch has status on the faulty upstream (Hiro or
//  mempool.space) and is OK on the other.
static void
s_assert_fault (bb_envelope_t *batch, Balboard__Upstream faulty,
                Balboard__FetchStatus status)
{
    s_assert_all_status (batch, faulty, status);
    s_assert_all_status (batch, faulty == HIRO? MEMPOOL: HIRO,
                         BALBOARD__FETCH_STATUS__FETCH_OK);
}

//  The first agent's source on upstream in run's batch.
static const Balboard__SourceResult *
s_first_source (run_t *run, Balboard__Upstream upstream)
{
    return s_source (run->batch->balance_batch->agents [0], upstream);
}

//  ---------------------------------------------------------------------
//  Choosing agents that cover every token kind

typedef struct {
    const char *what;
    bool (*holds) (unsigned sample);
} kind_t;

//  What the mock holds for sample agent sample: on Hiro into *hiro, on
//  mempool.space into *sats (either may be NULL).
static void
s_sample (unsigned sample, bb_mock_hiro_t *hiro, uint64_t *sats)
{
    bb_mock_agent_t agent;
    bb_mockdata_agent (sample, &agent);
    if (hiro)
        bb_mockdata_hiro (agent.stx_address, hiro);
    if (sats) {
        bb_mock_btc_t btc;
        bb_mockdata_btc (agent.btc_address, &btc);
        *sats = bb_mockdata_btc_balance (&btc);
    }
}

static bool
s_holds (unsigned sample, const char *asset)
{
    bb_mock_hiro_t hiro;
    s_sample (sample, &hiro, NULL);
    const bb_mock_ft_t *ft = bb_mockdata_hiro_ft (&hiro, asset);
    return ft && strcmp (ft->balance, "0") != 0;
}

static bool s_whale (unsigned s) { return s_holds (s, BB_MOCK_WHALE_ASSET); }
static bool s_sbtc (unsigned s) { return s_holds (s, BB_TOKEN_ID_SBTC); }
static bool s_longcoin (unsigned s) { return s_holds (s, LONGCOIN_ASSET); }
static bool s_vote (unsigned s) { return s_holds (s, VOTE_ASSET); }
static bool s_pending (unsigned s) { return s_holds (s, PENDING_ASSET); }

static bool
s_zero_stx (unsigned sample)
{
    bb_mock_hiro_t hiro;
    s_sample (sample, &hiro, NULL);
    return strcmp (hiro.stx_balance, "0") == 0;
}

static bool
s_zero_listed (unsigned sample)
{
    bb_mock_hiro_t hiro;
    s_sample (sample, &hiro, NULL);
    for (size_t index = 0; index < hiro.ft_count; index++)
        if (strcmp (hiro.ft [index].balance, "0") == 0)
            return true;
    return false;
}

static bool
s_zero_btc (unsigned sample)
{
    uint64_t sats;
    s_sample (sample, NULL, &sats);
    return sats == 0;
}

static bool
s_big_btc (unsigned sample)
{
    uint64_t sats;
    s_sample (sample, NULL, &sats);
    return sats > INT32_MAX;
}

//  count agents: one for each kind, then consecutive samples.
static void
s_job_kinds (job_t *job, const char *job_id, size_t count, bool prices)
{
    static const kind_t kinds [] = {
        { "u128 whale", s_whale }, { "sBTC", s_sbtc },
        { "token with metadata", s_longcoin },
        { "token without metadata (404)", s_vote },
        { "token with metadata pending (422)", s_pending },
        { "zero STX", s_zero_stx }, { "listed zero token", s_zero_listed },
        { "zero BTC", s_zero_btc }, { "BTC above 2^31", s_big_btc },
    };
    bool taken [KINDS_SCAN] = { false };
    s_job_init (job, job_id, prices, JOB_MS);
    for (size_t kind = 0; kind < sizeof kinds / sizeof kinds [0]; kind++) {
        unsigned sample = 0;
        while (sample < KINDS_SCAN && !kinds [kind].holds (sample))
            sample++;
        if (sample == KINDS_SCAN)
            fail_msg ("no sample agent holds a %s", kinds [kind].what);
        if (!taken [sample])
            s_job_add_sample (job, sample);
        taken [sample] = true;
    }
    for (unsigned sample = 0; job->job.n_agents < count; sample++)
        if (!taken [sample])
            s_job_add_sample (job, sample);
}

//  Contracts (not sBTC) of the tokens the job's agents hold, and how
//  many of them the metadata API answers 200/404 (the rest 422).
static size_t
s_contracts (job_t *job, zhashx_t *contracts)
{
    for (size_t index = 0; index < job->job.n_agents; index++) {
        bb_mock_hiro_t hiro;
        bb_mockdata_hiro (job->stx [index], &hiro);
        for (size_t k = 0; k < hiro.ft_count; k++) {
            const bb_mock_token_t *token =
                bb_mockdata_token_by_asset (hiro.ft [k].asset_id);
            if (strcmp (hiro.ft [k].balance, "0") != 0 && token
            &&  strcmp (token->asset_id, BB_TOKEN_ID_SBTC) != 0)
                zhashx_update (contracts, token->contract, (void *) token);
        }
    }
    return zhashx_size (contracts);
}

//  ---------------------------------------------------------------------
//  Tests: balances

static void
test_balances_exact (void **state)
{
    world_t *world = *state;
    job_t *job = calloc (1, sizeof *job);
    s_job_kinds (job, "7.3", 40, true);
    int64_t elapsed;
    bb_envelope_t *report = s_run (world, job, &elapsed);
    const Balboard__JobReport *body = report->job_report;
    assert_int_equal (body->agents_ok, 40);
    assert_int_equal (body->agents_failed, 0);
    assert_int_equal (body->attempt, 1);
    assert_int_equal (body->store_status,
                      BALBOARD__ACK_STATUS__ACK_COMMITTED);

    bb_envelope_t *batch = s_take_batch (world);
    const Balboard__BalanceBatch *content = batch->balance_batch;
    assert_string_equal (content->job_id, "7.3");
    assert_int_equal (content->rotation, 7);
    assert_int_equal (content->chunk_index, 3);
    assert_int_equal (content->rotation_agents, 1000);
    s_assert_batch_exact (batch, job);
    assert_non_null (content->prices);
    assert_true (content->prices->btc_usd_micro == BTC_MICRO);
    assert_true (content->prices->stx_usd_micro == STX_MICRO);
    assert_true (content->prices->priced_at_ms > 0);

    //  Token metadata: every contract once; 404 kept as unknown, 422 not.
    zhashx_t *contracts = zhashx_new ();
    size_t contract_count = s_contracts (job, contracts);
    size_t pending = zhashx_lookup (contracts, PENDING_CONTRACT) ? 1 : 0;
    assert_int_equal (pending, 1);
    assert_int_equal (content->n_token_meta, contract_count - pending);
    for (size_t index = 0; index < content->n_token_meta; index++) {
        const Balboard__TokenMeta *meta = content->token_meta [index];
        const bb_mock_token_t *token = zhashx_lookup (contracts,
                                                      meta->contract);
        assert_non_null (token);
        assert_int_equal (meta->known, token->http_status == 200);
        if (meta->known) {
            assert_string_equal (meta->symbol, token->symbol);
            assert_int_equal (meta->decimals, token->decimals);
        }
    }

    //  Exactly 2 requests per agent plus 1 for prices; metadata once per
    //  contract; the report counts the same.
    assert_int_equal (s_requests (world, "hiro_v1"), 40);
    assert_int_equal (s_requests (world, "mempool"), 40);
    assert_int_equal (s_requests (world, "price"), 1);
    assert_int_equal (s_requests (world, "metadata"), contract_count);
    assert_int_equal (s_requests (world, "hiro_v3_stx"), 0);
    assert_int_equal (s_upstream (report, HIRO)->requests,
                      40 + contract_count);
    assert_string_equal (s_upstream (report, HIRO)->endpoint, "v1");
    assert_int_equal (s_upstream (report, HIRO)->failures, 0);
    assert_int_equal (s_upstream (report, MEMPOOL)->requests, 40);
    assert_int_equal (s_upstream (report, PRICE)->requests, 1);
    //  Every request was answered, and the report says when
    assert_int_equal (s_answered (report, HIRO), 40 + contract_count);
    assert_int_equal (s_answered (report, MEMPOOL), 40);
    assert_int_equal (s_answered (report, PRICE), 1);
    assert_int_equal (bb_fake_scheduler_token_queries (world->side), 1);
    assert_int_equal (bb_fake_scheduler_contracts_asked (world->side),
                      contract_count);
    bb_wire_envelope_destroy (&report);
    bb_wire_envelope_destroy (&batch);

    //  The same agents again: nothing is asked, neither of the store nor
    //  of Hiro (the pending (422) contract is held off for
    //  --token-pending-retry-ms); no price job, no price request.
    job->job.fetch_prices = false;
    report = s_run_again (world, job, "7.4");
    assert_int_equal (report->job_report->agents_ok, 40);
    assert_int_equal (report->job_report->n_upstreams, 2);
    batch = s_take_batch (world);
    assert_null (batch->balance_batch->prices);
    assert_int_equal (batch->balance_batch->n_token_meta, 0);
    assert_int_equal (s_requests (world, "metadata"), contract_count);
    assert_int_equal (s_requests (world, "price"), 1);
    assert_int_equal (bb_fake_scheduler_token_queries (world->side), 1);
    assert_int_equal (bb_fake_scheduler_contracts_asked (world->side),
                      contract_count);
    bb_wire_envelope_destroy (&report);
    bb_wire_envelope_destroy (&batch);

    //  A restarted fetcher learns the rest from the store, not from Hiro;
    //  only the pending contract goes to Hiro again.
    s_fetcher_stop (world);
    s_fetcher_start (world, NULL, NULL, false);
    report = s_run_exact (world, job, "7.5");
    assert_int_equal (report->job_report->agents_ok, 40);
    assert_int_equal (s_requests (world, "metadata"), contract_count + 1);
    bb_wire_envelope_destroy (&report);
    zhashx_destroy (&contracts);
    free (job);
}

//  Run job as job_id, check its batch, drop its report (the mock's
//  counters tell what counts).
static void
s_run_dropped (world_t *world, job_t *job, const char *job_id)
{
    bb_envelope_t *report = s_run_exact (world, job, job_id);
    bb_wire_envelope_destroy (&report);
}

static const start_t s_pending_start = {
    .flags = (const char *const []) {
        "--token-pending-retry-ms", "500", NULL }
};

//  A contract whose metadata Hiro still prepares (422) is held off for
//  --token-pending-retry-ms, then asked again.
static void
test_pending_retry (void **state)
{
    world_t *world = *state;
    job_t *job = calloc (1, sizeof *job);
    s_job_kinds (job, "7.8", 40, false);
    s_run_dropped (world, job, "7.8");
    long first = s_requests (world, "metadata");
    //  at once: held off
    s_run_dropped (world, job, "7.9");
    assert_int_equal (s_requests (world, "metadata"), first);
    //  after the hold: asked again, of Hiro, once
    bb_fake_scheduler_serve (world->side, 600);
    s_run_dropped (world, job, "7.10");
    assert_int_equal (s_requests (world, "metadata"), first + 1);
    free (job);
}

//  A job whose Hiro budget leaves room for 2 metadata requests fetches
//  2; the rest of the contracts wait for a later job, which learns them.
static void
test_metadata_budget (void **state)
{
    world_t *world = *state;
    job_t *job = calloc (1, sizeof *job);
    s_job_kinds (job, "7.6", 40, false);
    zhashx_t *contracts = zhashx_new ();
    size_t contract_count = s_contracts (job, contracts);
    assert_true (contract_count > 2);
    job->job.hiro_requests_max = 40 + 2;
    bb_envelope_t *report = s_run (world, job, NULL);
    assert_int_equal (report->job_report->agents_ok, 40);
    assert_int_equal (s_upstream (report, HIRO)->requests, 42);
    assert_int_equal (s_requests (world, "metadata"), 2);
    bb_wire_envelope_destroy (&report);
    bb_envelope_t *batch = s_take_batch (world);
    size_t learned = batch->balance_batch->n_token_meta;
    assert_true (learned <= 2);
    bb_wire_envelope_destroy (&batch);

    //  No budget: every contract not learned yet is fetched now
    job->job.hiro_requests_max = 0;
    report = s_run_exact (world, job, "7.7");
    assert_int_equal (s_requests (world, "metadata"),
                      2 + contract_count - learned);
    bb_wire_envelope_destroy (&report);
    zhashx_destroy (&contracts);
    free (job);
}

//  A price-only job: one request, a batch with prices and no agents.
static void
test_price_only (void **state)
{
    world_t *world = *state;
    run_t *run = s_scenario_run (world, &(scenario_t) {
        .fault = "{\"btc_usd\": 100000.5, \"stx_usd\": 0.75}",
        .job_id = "9.0", .prices = true });
    assert_int_equal (run->report->job_report->agents_ok, 0);
    assert_int_equal (run->report->job_report->agents_failed, 0);
    const Balboard__BalanceBatch *batch = run->batch->balance_batch;
    assert_int_equal (batch->n_agents, 0);
    assert_true (batch->prices->btc_usd_micro == 100000500000LL);
    assert_true (batch->prices->stx_usd_micro == 750000);
    assert_int_equal (s_requests (world, "price"), 1);
    assert_int_equal (s_requests (world, "hiro_v1"), 0);
}

//  ---------------------------------------------------------------------
//  Tests: bounds

static const start_t s_bound_start = {
    .flags = (const char *const []) {
        "--hiro-concurrency", "5", "--mempool-concurrency", "3", NULL }
};

static void
test_concurrency_bound (void **state)
{
    world_t *world = *state;
    run_t *run = s_scenario_run (world, &(scenario_t) {
        .fault = "{\"latency_ms\": 60, \"latency_spread_ms\": 20}",
        .job_id = "1.0", .first = 0, .count = 60, .prices = true });
    assert_int_equal (run->report->job_report->agents_ok, 60);
    json_t *stats = s_stats (world);
    long hiro = s_stat (stats, "max_concurrent", "hiro");
    long mempool = s_stat (stats, "max_concurrent", "mempool");
    long price = s_stat (stats, "max_concurrent", "price");
    json_decref (stats);
    //  Bounded, and the bound is used.
    if (hiro > 5 || mempool > 3 || price > 1)
        fail_msg ("max concurrent hiro %ld mempool %ld price %ld", hiro,
                  mempool, price);
    assert_int_equal (hiro, 5);
    assert_int_equal (mempool, 3);
}

static const start_t s_hang_start = {
    .flags = (const char *const []) { "--request-timeout-ms", "800", NULL }
};

//  A hanging Hiro: every request times out, retried while the deadline
//  allows, and the job ends within it while heartbeats keep flowing.
static void
test_hang_deadline (void **state)
{
    world_t *world = *state;
    //  No job ran yet: no heartbeat named one.
    size_t heartbeats = bb_fake_scheduler_busy_heartbeats (world->side);
    //  The hang outlasts REPORT_MS: a report at all means the deadline
    //  ended the job
    run_t *run = s_scenario_run (world, &(scenario_t) {
        .fault = "{\"faults\": [{\"endpoint\": \"hiro\", \"kind\": "
                 "\"hang\", \"count\": 0, \"hang_ms\": " HANG_TEXT "}]}",
        .job_id = "2.0", .first = 100, .count = 3, .deadline_ms = 3000 });
    print_message ("deadline 3000 ms: reported after %lld ms\n",
                   (long long) run->elapsed_ms);
    s_assert_fault (run->batch, HIRO,
                    BALBOARD__FETCH_STATUS__FETCH_TIMEOUT);
    assert_int_equal (run->report->job_report->agents_failed, 3);
    //  800 ms attempts in a 2.4 s I/O window: retried, at most 3 each.
    long attempts = s_requests (world, "hiro_v1");
    assert_true (attempts > 3 && attempts <= 9);
    assert_int_equal (s_upstream (run->report, HIRO)->requests, attempts);
    assert_int_equal (s_upstream (run->report, HIRO)->failures, 3);
    assert_true (bb_fake_scheduler_busy_heartbeats (world->side)
                 >= heartbeats + 5);
}

//  ---------------------------------------------------------------------
//  Tests: faults

//  The fault tests' job: 4 sample agents from 200, under fault (a
//  control body).
static run_t *
s_fault_run (world_t *world, const char *fault)
{
    return s_scenario_run (world, &(scenario_t) {
        .fault = fault, .job_id = "3.0", .first = 200, .count = 4 });
}

static void
test_fault_5xx (void **state)
{
    world_t *world = *state;
    run_t *run = s_fault_run (world, "{\"faults\": [{\"endpoint\": "
        "\"mempool\", \"kind\": \"5xx\", \"count\": 0, \"status\": 503}]}");
    s_assert_fault (run->batch, MEMPOOL,
                    BALBOARD__FETCH_STATUS__FETCH_HTTP_ERROR);
    const Balboard__SourceResult *source = s_first_source (run, MEMPOOL);
    assert_int_equal (source->http_status, 503);
    //  1 + 3 retries per agent, until the third agent in a row failed:
    //  then mempool.space is given up, the fourth agent's request too
    uint32_t requests = s_upstream (run->report, MEMPOOL)->requests;
    assert_in_range (requests, 12, 16);
    assert_int_equal (s_requests (world, "mempool"), requests);
    assert_in_range (s_upstream (run->report, MEMPOOL)->failures, 3, 4);
    assert_true (s_upstream (run->report, MEMPOOL)->gave_up);
    assert_string_equal (s_upstream (run->report, MEMPOOL)->last_error,
                         "HTTP 503");

    //  Two 5xx, then the third attempt succeeds.
    s_mock_reset (world);
    run = s_scenario_run (world, &(scenario_t) {
        .fault = "{\"faults\": [{\"endpoint\": \"hiro\", \"kind\": "
                 "\"5xx\", \"count\": 2, \"status\": 500}]}",
        .job_id = "3.1", .first = 300, .count = 1 });
    s_assert_batch_exact (run->batch, &run->job);
    assert_int_equal (s_requests (world, "hiro_v1"), 3);
    assert_int_equal (s_upstream (run->report, HIRO)->requests, 3);
    assert_int_equal (s_upstream (run->report, HIRO)->failures, 0);
}

static void
test_fault_reset (void **state)
{
    world_t *world = *state;
    run_t *run = s_fault_run (world, "{\"faults\": [{\"endpoint\": "
        "\"hiro\", \"kind\": \"reset\", \"count\": 0}]}");
    s_assert_fault (run->batch, HIRO,
                    BALBOARD__FETCH_STATUS__FETCH_TRANSPORT);
    //  1 + 3 retries per agent, until three agents in a row failed and
    //  Hiro is given up. libcurl itself sends a request once more when a
    //  reused keep-alive connection dies before any answer (the server
    //  may have closed it while idle), so the mock may count up to one
    //  more per attempt.
    uint32_t requests = s_upstream (run->report, HIRO)->requests;
    assert_in_range (requests, 12, 16);
    //  None was answered: the budget counts them from the report
    assert_int_equal (s_answered (run->report, HIRO), 0);
    long seen = s_requests (world, "hiro_v1");
    assert_true (seen >= (long) requests && seen <= 2 * (long) requests);
    assert_in_range (s_upstream (run->report, HIRO)->failures, 3, 4);
    assert_true (s_upstream (run->report, HIRO)->gave_up);
}

static void
test_fault_parse (void **state)
{
    world_t *world = *state;
    run_t *run = s_fault_run (world, "{\"faults\": ["
        "{\"endpoint\": \"hiro\", \"kind\": \"truncated\", \"count\": 0},"
        "{\"endpoint\": \"mempool\", \"kind\": \"wrong_types\", "
        "\"count\": 0}]}");
    s_assert_all_status (run->batch, HIRO,
                         BALBOARD__FETCH_STATUS__FETCH_PARSE_ERROR);
    s_assert_all_status (run->batch, MEMPOOL,
                         BALBOARD__FETCH_STATUS__FETCH_PARSE_ERROR);
    const Balboard__AgentResult *agent =
        run->batch->balance_batch->agents [0];
    assert_non_null (strstr (s_source (agent, MEMPOOL)->detail,
                             "not an integer"));
    assert_true (strlen (s_source (agent, HIRO)->detail) > 0);
    //  A bad body is not retried.
    assert_int_equal (s_requests (world, "hiro_v1"), 4);
    assert_int_equal (s_requests (world, "mempool"), 4);

    //  Wrong types on Hiro too.
    s_mock_reset (world);
    run = s_fault_run (world, "{\"faults\": [{\"endpoint\": \"hiro\", "
                       "\"kind\": \"wrong_types\", \"count\": 0}]}");
    s_assert_all_status (run->batch, HIRO,
                         BALBOARD__FETCH_STATUS__FETCH_PARSE_ERROR);
}

static const start_t s_oversized_start = {
    .flags = (const char *const []) { "--max-body-bytes", "65536", NULL }
};

static void
test_fault_oversized (void **state)
{
    world_t *world = *state;
    run_t *run = s_fault_run (world, "{\"faults\": [{\"endpoint\": "
        "\"hiro\", \"kind\": \"oversized\", \"count\": 0, "
        "\"oversize_bytes\": 3000000}]}");
    s_assert_all_status (run->batch, HIRO,
                         BALBOARD__FETCH_STATUS__FETCH_TRANSPORT);
    const Balboard__SourceResult *source = s_first_source (run, HIRO);
    assert_non_null (strstr (source->detail, "body over the 65536-byte cap"));
    //  Cut off, not retried.
    assert_int_equal (s_requests (world, "hiro_v1"), 4);
}

static void
test_fault_invalid_address (void **state)
{
    world_t *world = *state;
    run_t *run = s_fault_run (world, "{\"faults\": [{\"endpoint\": "
        "\"mempool\", \"kind\": \"invalid_address\", \"count\": 0}]}");
    s_assert_fault (run->batch, MEMPOOL,
                    BALBOARD__FETCH_STATUS__FETCH_INVALID_ADDRESS);
    const Balboard__SourceResult *source = s_first_source (run, MEMPOOL);
    assert_int_equal (source->http_status, 400);
    assert_int_equal (s_requests (world, "mempool"), 4);
}

//  A 429 whose Retry-After fits in the deadline is waited out.
static void
test_429_waited (void **state)
{
    world_t *world = *state;
    run_t *run = s_scenario_run (world, &(scenario_t) {
        .fault = "{\"rate_limit_retry_after_s\": 1, \"faults\": "
                 "[{\"endpoint\": \"hiro\", \"kind\": \"429\", \"count\": 1}]}",
        .job_id = "4.0", .first = 400, .count = 1 });
    assert_true (run->elapsed_ms >= 1000);
    s_assert_batch_exact (run->batch, &run->job);
    const Balboard__UpstreamReport *hiro = s_upstream (run->report, HIRO);
    assert_int_equal (hiro->rate_limited, 1);
    assert_int_equal (hiro->retry_after_s, 1);
    assert_int_equal (hiro->retry_wait_ms, 0);      // waited out
    assert_int_equal (hiro->failures, 0);
    assert_int_equal (s_requests (world, "hiro_v1"), 2);
}

static const start_t s_429_start = {
    .flags = (const char *const []) { "--hiro-concurrency", "2", NULL }
};

//  A 429 asking for longer than the deadline: reported, not waited,
//  and the rest of the lane does not hammer the upstream meanwhile.
static void
test_429_reported (void **state)
{
    world_t *world = *state;
    run_t *run = s_scenario_run (world, &(scenario_t) {
        .fault = "{\"rate_limit_retry_after_s\": 120, \"faults\": "
                 "[{\"endpoint\": \"hiro\", \"kind\": \"429\", \"count\": 0}]}",
        .job_id = "4.1", .first = 500, .count = 10 });
    int64_t elapsed = run->elapsed_ms;
    //  Reported before the job's deadline (far under the 120 s asked)
    assert_true ((uint64_t) zclock_time () < run->job.job.deadline_ms);
    print_message ("429 for 120 s: reported after %lld ms\n",
                   (long long) elapsed);
    s_assert_fault (run->batch, HIRO,
                    BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED);
    for (size_t index = 0; index < 10; index++) {
        const Balboard__SourceResult *source = s_source (
            run->batch->balance_batch->agents [index], HIRO);
        assert_true (source->retry_after_s <= 120);
        assert_true (source->retry_after_s + elapsed / 1000 >= 119);
    }
    const Balboard__UpstreamReport *hiro = s_upstream (run->report, HIRO);
    assert_int_equal (hiro->retry_after_s, 120);
    //  Left of the wait when the report went: 120 s less at most the
    //  job's time (and a second, as Retry-After counts whole seconds)
    if (hiro->retry_wait_ms + elapsed < 119000
    ||  hiro->retry_wait_ms > 120000)
        fail_msg ("retry_wait_ms %u after %lld ms, expected 120000 less "
                  "the job's time", hiro->retry_wait_ms, (long long) elapsed);
    assert_true (hiro->rate_limited >= 1 && hiro->rate_limited <= 2);
    //  The requests that met the 429 failed; the others were not asked
    assert_in_range (hiro->failures, 1, 2);
    assert_true (hiro->gave_up);
    //  Only the requests already on the wire met the 429.
    assert_true (s_requests (world, "hiro_v1") <= 2);
}

//  mempool.space's 429 is an HTML page without Retry-After: the job
//  gives mempool.space up at once, and Hiro's results go without waiting.
static void
test_429_mempool_html (void **state)
{
    world_t *world = *state;
    run_t *run = s_scenario_run (world, &(scenario_t) {
        .fault = "{\"faults\": [{\"endpoint\": \"mempool\", \"kind\": "
                 "\"429\", \"count\": 0}]}",
        .job_id = "4.2", .first = 600, .count = 40 });
    print_message ("429 without Retry-After: reported after %lld ms\n",
                   (long long) run->elapsed_ms);
    s_assert_all_status (run->batch, MEMPOOL,
                         BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED);
    const Balboard__UpstreamReport *mempool = s_upstream (run->report,
                                                          MEMPOOL);
    assert_true (mempool->gave_up);
    assert_string_equal (mempool->last_error, "HTTP 429 without Retry-After");
    assert_int_equal (mempool->retry_after_s, 0);
    //  Only the requests already on the wire met the 429 (the lane's 4)
    assert_in_range (mempool->rate_limited, 1, 4);
    assert_in_range (s_requests (world, "mempool"), 1, 4);
    const Balboard__SourceResult *source = s_source (
        run->batch->balance_batch->agents [39], MEMPOOL);
    assert_string_equal (source->detail,
                         "gave up on mempool: HTTP 429 without Retry-After");
}

//  A job that names its sources: the one left out (paused by the
//  scheduler) is not asked, and every agent reports it skipped, so the
//  store keeps its rows stale.
static void
test_sources_skipped (void **state)
{
    world_t *world = *state;
    run_t *run = &world->run;
    s_job_samples (&run->job, "4.4", 700, 8, false, JOB_MS);
    Balboard__Upstream hiro_only [1] = { BALBOARD__UPSTREAM__UPSTREAM_HIRO };
    run->job.job.n_sources = 1;
    run->job.job.sources = hiro_only;
    run->report = s_run (world, &run->job, &run->elapsed_ms);
    run->batch = s_take_batch (world);
    s_assert_all_status (run->batch, MEMPOOL,
                         BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED);
    const Balboard__SourceResult *source = s_source (
        run->batch->balance_batch->agents [7], MEMPOOL);
    assert_string_equal (source->detail,
                         "skipped: mempool paused by the scheduler");
    assert_int_equal (s_requests (world, "mempool"), 0);
    assert_int_equal (s_requests (world, "hiro_v1"), 8);
    const Balboard__JobReport *report = run->report->job_report;
    for (size_t index = 0; index < report->n_upstreams; index++)
        assert_int_not_equal (report->upstreams [index]->upstream, MEMPOOL);
    assert_int_equal (s_upstream (run->report, HIRO)->failures, 0);
}

//  A failed price fetch: no snapshot in the batch, a failure reported.
static void
test_price_failure (void **state)
{
    world_t *world = *state;
    run_t *run = s_scenario_run (world, &(scenario_t) {
        .fault = "{\"faults\": [{\"endpoint\": \"price\", \"kind\": "
                 "\"wrong_types\", \"count\": 0}]}",
        .job_id = "5.0", .first = 700, .count = 2, .prices = true });
    assert_null (run->batch->balance_batch->prices);
    s_assert_batch_exact (run->batch, &run->job);
    assert_int_equal (s_upstream (run->report, PRICE)->failures, 1);
    assert_int_equal (s_upstream (run->report, PRICE)->requests, 1);
}

//  ---------------------------------------------------------------------
//  Tests: Hiro v1 -> v3

static const start_t s_v3_start = {
    .flags = (const char *const []) { "--hiro-concurrency", "4", NULL }
};

static void
test_v1_gone_v3 (void **state)
{
    world_t *world = *state;
    //  Pages of 2 tokens force the ft cursor to be followed.
    s_control (world, "{\"gone_v1\": true, \"v3_page_size\": 2}");
    job_t *job = calloc (1, sizeof *job);
    s_job_kinds (job, "6.0", 30, false);
    bb_envelope_t *report = s_run (world, job, NULL);
    assert_int_equal (report->job_report->agents_ok, 30);
    assert_string_equal (s_upstream (report, HIRO)->endpoint, "v3");
    assert_int_equal (s_upstream (report, HIRO)->failures, 0);
    bb_envelope_t *batch = s_take_batch (world);
    s_assert_batch_exact (batch, job);

    //  At most one window of v1 calls is lost; then straight to v3.
    long v1 = s_requests (world, "hiro_v1");
    assert_true (v1 >= 1 && v1 <= 4);
    assert_int_equal (s_requests (world, "hiro_v3_stx"), 30);
    long pages = 0;
    for (size_t index = 0; index < job->job.n_agents; index++) {
        bb_mock_hiro_t hiro;
        bb_mockdata_hiro (job->stx [index], &hiro);
        long held = 0;
        for (size_t k = 0; k < hiro.ft_count; k++)
            held += strcmp (hiro.ft [k].balance, "0") != 0;
        pages += held > 2 ? (held + 1) / 2 : 1;
    }
    assert_int_equal (s_requests (world, "hiro_v3_ft"), pages);
    assert_true (pages > 30);
    bb_wire_envelope_destroy (&report);
    bb_wire_envelope_destroy (&batch);

    //  The switch lasts: a second job makes no v1 call.
    report = s_run_again (world, job, "6.1");
    assert_int_equal (s_requests (world, "hiro_v1"), v1);
    assert_string_equal (s_upstream (report, HIRO)->endpoint, "v3");
    batch = s_take_batch (world);
    s_assert_batch_exact (batch, job);
    bb_wire_envelope_destroy (&report);
    bb_wire_envelope_destroy (&batch);
    free (job);
}

//  ---------------------------------------------------------------------
//  Tests: addresses and secrets

static void
test_invalid_addresses (void **state)
{
    world_t *world = *state;
    bb_mock_agent_t good, other;
    bb_mockdata_agent (800, &good);
    bb_mockdata_agent (801, &other);
    //  A checksum broken by one character, a testnet address, junk that
    //  would change the URL, and empty ones.
    char bad_stx [BB_MOCK_STX_ADDRESS_SIZE];
    snprintf (bad_stx, sizeof bad_stx, "%s", other.stx_address);
    bad_stx [10] = bad_stx [10] == 'A' ? 'B' : 'A';
    char bad_btc [BB_MOCK_BTC_ADDRESS_SIZE];
    snprintf (bad_btc, sizeof bad_btc, "%s", other.btc_address);
    bad_btc [12] = bad_btc [12] == 'q' ? 'p' : 'q';
    const char *invalid_stx [] = {
        bad_stx, "ST000000000000000000002AMW42H", "../../__mock/reset",
        "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7?x=1", "",
    };
    const char *invalid_btc [] = {
        bad_btc, "tb1qp0we5epypgj4acd2c4au58045ruud2pd6heuee",
        "bc1q/../../x", "",
    };
    job_t job;
    s_job_init (&job, "8.0", false, JOB_MS);
    s_job_add (&job, good.stx_address, good.btc_address);
    for (size_t index = 0; index < 5; index++)
        s_job_add (&job, invalid_stx [index], good.btc_address);
    //  Valid Stacks addresses (fetched) with invalid Bitcoin ones.
    for (size_t index = 0; index < 4; index++) {
        bb_mock_agent_t agent;
        bb_mockdata_agent (810 + (unsigned) index, &agent);
        s_job_add (&job, agent.stx_address, invalid_btc [index]);
    }
    //  The same agent twice would make the store reject the batch.
    s_job_add (&job, good.stx_address, good.btc_address);
    bb_envelope_t *report = s_run (world, &job, NULL);
    assert_int_equal (report->job_report->agents_ok, 1);
    assert_int_equal (report->job_report->agents_failed, 10);
    assert_non_null (strstr (report->job_report->detail, "invalid_stx=5"));
    assert_non_null (strstr (report->job_report->detail, "repeated_stx=1"));
    bb_envelope_t *batch = s_take_batch (world);
    //  Invalid Stacks addresses stay out of the batch (the store would
    //  reject it whole); invalid Bitcoin ones are a source status.
    assert_int_equal (batch->balance_batch->n_agents, 5);
    for (size_t index = 6; index < 10; index++) {
        const Balboard__AgentResult *agent = s_agent (batch,
                                                      job.stx [index]);
        assert_int_equal (s_source (agent, MEMPOOL)->status,
                          BALBOARD__FETCH_STATUS__FETCH_INVALID_ADDRESS);
        assert_int_equal (s_source (agent, HIRO)->status,
                          BALBOARD__FETCH_STATUS__FETCH_OK);
    }
    //  Nothing invalid reached the mock: it saw the good agent's two
    //  addresses, the four valid Stacks ones, and token contracts.
    json_t *stats = s_stats (world);
    json_t *by_address = json_object_get (json_object_get (stats,
                                                           "requests"),
                                          "by_address");
    const char *address;
    json_t *count;
    size_t addresses = 0;
    json_object_foreach (by_address, address, count) {
        bool valid = strchr (address, '.')
                  || strcmp (address, good.stx_address) == 0
                  || strcmp (address, good.btc_address) == 0;
        for (size_t index = 6; index < 10; index++)
            valid = valid || strcmp (address, job.stx [index]) == 0;
        if (!valid)
            fail_msg ("%s reached the mock", address);
        addresses += strchr (address, '.') == NULL;
    }
    assert_int_equal (addresses, 1 + 1 + 4);
    assert_int_equal (s_stat (json_object_get (stats, "requests"),
                              "by_endpoint", "mempool"), 1);
    json_decref (stats);
    bb_wire_envelope_destroy (&report);
    bb_wire_envelope_destroy (&batch);
}

static const start_t s_debug_key_start = {
    .flags = (const char *const []) { "--log-level", "debug", NULL },
    .env = (const char *const []) { "HIRO_API_KEY=" API_KEY, NULL },
    .capture_stderr = true
};

//  The key goes to Hiro (and only there) and never into the logs, not
//  even at debug level.
static void
test_api_key (void **state)
{
    world_t *world = *state;
    //  The mock limits each key (and the keyless) on its own: use up
    //  the keyless quota, so only keyed requests get through.
    s_control (world, "{\"rate_limit_per_minute\": " KEYLESS_TEXT ", "
               "\"rate_limit_retry_after_s\": 60}");
    bb_mock_agent_t agent;
    bb_mockdata_agent (999, &agent);
    char url [256];
    snprintf (url, sizeof url, "%s/extended/v1/address/%s/balances",
              bb_mock_process_base (world->mock), agent.stx_address);
    for (int index = 0; index <= KEYLESS; index++) {
        bb_http_exchange_t *http = bb_http_exchange_get (url, NULL, HTTP_MS);
        assert_int_equal (bb_http_exchange_status (http),
                          index < KEYLESS ? 200 : 429);
        bb_http_exchange_destroy (&http);
    }
    run_t *run = s_scenario_run (world, &(scenario_t) {
        .job_id = "10.0", .first = 900, .count = 5 });
    s_assert_batch_exact (run->batch, &run->job);
    //  Every Hiro request of the fetcher, and nothing else, had the key.
    json_t *stats = s_stats (world);
    json_t *requests = json_object_get (stats, "requests");
    long hiro = s_stat (requests, "by_endpoint", "hiro_v1")
              + s_stat (requests, "by_endpoint", "metadata");
    assert_int_equal (json_integer_value (json_object_get (requests,
                                                           "with_api_key")),
                      hiro - (KEYLESS + 1));
    assert_int_equal (s_upstream (run->report, HIRO)->rate_limited, 0);
    json_decref (stats);
    s_fetcher_stop (world);
    s_assert_not_logged (world, "5ecret");
}

//  ---------------------------------------------------------------------
//  Tests: the sockets

//  A store that never answers: the batch is resent on the same request
//  id a bounded number of times, then the job is reported unacked.
static void
test_store_silent (void **state)
{
    world_t *world = *state;
    bb_fake_scheduler_set_store_mode (world->side,
                                           BB_FAKE_STORE_SILENT);
    job_t job;
    s_job_samples (&job, "11.0", 1000, 2, false, JOB_MS);
    bb_envelope_t *report = s_run (world, &job, NULL);
    assert_int_equal (report->job_report->store_status,
                      BALBOARD__ACK_STATUS__ACK_STATUS_UNSPECIFIED);
    assert_non_null (strstr (report->job_report->detail, "did not ack"));
    assert_int_equal (bb_fake_scheduler_batches (world->side), 3);
    bb_envelope_t *first = s_take_batch (world);
    bb_envelope_t *second = s_take_batch (world);
    assert_true (first->request_id == second->request_id);
    assert_string_equal (first->balance_batch->job_id,
                         second->balance_batch->job_id);
    bb_wire_envelope_destroy (&first);
    bb_wire_envelope_destroy (&second);
    bb_wire_envelope_destroy (&report);

    //  A rejection is reported with the store's reason.
    bb_fake_scheduler_set_store_mode (world->side,
                                           BB_FAKE_STORE_REJECT);
    report = s_run_again (world, &job, "11.1");
    assert_int_equal (report->job_report->store_status,
                      BALBOARD__ACK_STATUS__ACK_REJECTED);
    assert_non_null (strstr (report->job_report->detail, "test"));
    bb_wire_envelope_destroy (&report);
}

//  A scheduler that goes silent: the fetcher reconnects and says Ready
//  again, to whoever binds the endpoint next.
static void
test_scheduler_restart (void **state)
{
    world_t *world = *state;
    bb_fake_scheduler_serve (world->side, 3 * HEARTBEAT_MS);
    assert_true (bb_fake_scheduler_heartbeats (world->side) >= 2);
    bb_fake_scheduler_destroy (&world->side);
    //  Longer than the fetcher's liveness (3 heartbeats): it gives up on
    //  the old connection and says Ready on a new one.
    zclock_sleep (8 * HEARTBEAT_MS);
    for (int attempt = 0; attempt < START_TRIES && !world->side; attempt++) {
        zclock_sleep (100);
        world->side = bb_fake_scheduler_new (world->jobs, world->ingest,
                                             HEARTBEAT_MS);
    }
    assert_non_null (world->side);
    assert_int_equal (bb_fake_scheduler_wait_ready (world->side,
                                                    START_MS), 0);
    //  Let a reconnect under way settle: the job goes to the socket the
    //  fetcher keeps (one it replaced would swallow it)
    bb_fake_scheduler_serve (world->side, 3 * HEARTBEAT_MS);
    job_t job;
    s_job_samples (&job, "12.0", 1100, 2, false, JOB_MS);
    bb_envelope_t *report = s_run (world, &job, NULL);
    assert_int_equal (report->job_report->agents_ok, 2);
    bb_wire_envelope_destroy (&report);
}

//  A scheduler silent while a job runs: the fetcher reconnects, its Ready
//  names the job it still runs, and the report comes on the new socket.
static void
test_reconnect_mid_job (void **state)
{
    world_t *world = *state;
    s_control (world, "{\"latency_ms\": 1200}");
    job_t job;
    s_job_samples (&job, "13.0", 1200, 2, false, JOB_MS);
    size_t readies = bb_fake_scheduler_readies (world->side);
    assert_int_equal (bb_fake_scheduler_send_job (world->side,
                                                  &job.job), 0);
    bb_fake_scheduler_set_silent (world->side, true);
    assert_int_equal (bb_fake_scheduler_wait_ready (world->side,
                                                    START_MS), 0);
    assert_true (bb_fake_scheduler_readies (world->side) > readies);
    assert_string_equal (bb_fake_scheduler_ready_busy (world->side),
                         "13.0");
    bb_fake_scheduler_set_silent (world->side, false);
    bb_envelope_t *report = s_report_of (world, "13.0");
    assert_int_equal (report->job_report->agents_ok, 2);
    bb_wire_envelope_destroy (&report);
}

//  A job whose deadline already passed is refused at once.
static void
test_late_job (void **state)
{
    world_t *world = *state;
    job_t job;
    s_job_samples (&job, "13.0", 1200, 2, false, -1000);
    bb_envelope_t *report = s_run (world, &job, NULL);
    assert_int_equal (report->job_report->agents_failed, 2);
    assert_non_null (strstr (report->job_report->detail, "deadline"));
    assert_int_equal (bb_fake_scheduler_batches (world->side), 0);
    assert_int_equal (s_requests (world, "hiro_v1"), 0);
    bb_wire_envelope_destroy (&report);
}

//  SIGTERM in the middle of a job: transfers aborted, clean exit 0.
static void
test_sigterm_mid_job (void **state)
{
    world_t *world = *state;
    //  The hang and the job's deadline both outlast STOP_MS: the fetcher
    //  exits in time only if it aborts the transfers.
    s_control (world, "{\"faults\": [{\"endpoint\": \"hiro\", \"kind\": "
               "\"hang\", \"count\": 0, \"hang_ms\": " HANG_TEXT "}]}");
    job_t job;
    s_job_samples (&job, "14.0", 1300, 5, false, JOB_MS);
    assert_int_equal (bb_fake_scheduler_send_job (world->side,
                                                  &job.job), 0);
    bb_fake_scheduler_serve (world->side, 300);
    int64_t start = zclock_mono ();
    assert_int_equal (bb_child_stop (world->fetcher, SIGTERM, STOP_MS), 0);
    print_message ("SIGTERM mid-job: exited after %lld ms\n",
                   (long long) (zclock_mono () - start));
    bb_child_destroy (&world->fetcher);
    assert_int_equal (bb_fake_scheduler_batches (world->side), 0);
}

//  ---------------------------------------------------------------------
//  Registry jobs

#define REGISTRY_PAGE   100         // agents per page the jobs ask
#define REGISTRY_BIG    10000       // the closing figure's registry
#define REGISTRY_BIG_TEXT "10000"

//  A RegistryJob for the mock's registry, generation 1, pages of
//  REGISTRY_PAGE, no budget; url (size bytes) holds its URL.
static void
s_registry_job (world_t *world, Balboard__RegistryJob *job, char *url,
                size_t size)
{
    bb_mock_urls_t urls;
    bb_mock_process_urls (world->mock, &urls);
    snprintf (url, size, "%s", urls.registry);
    balboard__registry_job__init (job);
    job->job_id = "sync.1";
    job->attempt = 1;
    job->generation = 1;
    job->deadline_ms = (uint64_t) (zclock_time () + JOB_MS);
    job->url = url;
    job->source = url;
    job->page_limit = REGISTRY_PAGE;
    job->max_remove_pct = 20;
}

//  Send job, wait for its report (caller destroys).
static bb_envelope_t *
s_registry_run (world_t *world, const Balboard__RegistryJob *job)
{
    assert_int_equal (bb_fake_scheduler_send_registry_job (world->side, job),
                      0);
    bb_envelope_t *report = bb_fake_scheduler_wait_report (world->side,
                                                           REPORT_MS);
    if (!report)
        fail_msg ("no JobReport for %s", job->job_id);
    assert_string_equal (report->job_report->job_id, job->job_id);
    assert_non_null (report->job_report->registry);
    assert_int_equal (report->job_report->n_upstreams, 1);
    assert_int_equal (report->job_report->upstreams [0]->upstream,
                      BALBOARD__UPSTREAM__UPSTREAM_REGISTRY);
    return report;
}

//  The snapshot parts the fake store got, in order: every one must be
//  of generation 1 with the same header as the first. Returns the number
//  of parts and puts the agents and rejections they held in *agents and
//  *rejected; first (may be NULL) gets the first part (caller destroys).
static size_t
s_snapshot_parts (world_t *world, size_t *agents, size_t *rejected,
                  bb_envelope_t **first)
{
    size_t parts = 0;
    *agents = *rejected = 0;
    bb_envelope_t *head = NULL;
    bb_envelope_t *envelope;
    while ((envelope = bb_fake_scheduler_take_batch (world->side))) {
        assert_int_equal (envelope->body_case,
                          BALBOARD__ENVELOPE__BODY_REGISTRY_SNAPSHOT);
        const Balboard__RegistrySnapshot *part =
            envelope->registry_snapshot;
        assert_int_equal (part->part, parts);
        assert_int_equal (part->generation, 1);
        *agents += part->n_agents;
        *rejected += part->n_rejected;
        if (head) {
            const Balboard__RegistrySnapshot *zero = head->registry_snapshot;
            assert_false (zero->last_part);
            assert_int_equal (part->complete, zero->complete);
            assert_string_equal (part->incomplete_reason,
                                 zero->incomplete_reason);
            assert_int_equal (part->requests, zero->requests);
            bb_wire_envelope_destroy (&envelope);
        }
        else
            head = envelope;
        parts++;
    }
    assert_non_null (head);
    if (first)
        *first = head;
    else
        bb_wire_envelope_destroy (&head);
    return parts;
}

static const start_t s_debug_start = {
    .flags = (const char *const []) { "--log-level", "debug", NULL },
    .capture_stderr = true
};

//  A complete read: every page, every valid agent with owner REGISTRY,
//  the invalid ones rejected with reasons, one request per page; the
//  credentials in the registry's URL are never logged.
static void
test_registry_sync (void **state)
{
    world_t *world = *state;
    s_control (world, "{\"agents\":250,\"agents_invalid_every\":50}");
    Balboard__RegistryJob job;
    char source [256], url [320];
    s_registry_job (world, &job, source, sizeof source);
    snprintf (url, sizeof url, "http://registry:5ecret@%s?token=5ecret",
              source + strlen ("http://"));
    job.url = url;
    bb_envelope_t *report = s_registry_run (world, &job);
    const Balboard__JobReport *job_report = report->job_report;
    assert_int_equal (job_report->registry->outcome,
                      BALBOARD__SYNC_OUTCOME__SYNC_APPLIED);
    assert_int_equal (job_report->agents_ok, 245);
    assert_int_equal (job_report->agents_failed, 5);
    assert_int_equal (job_report->upstreams [0]->requests, 3);
    assert_int_equal (s_requests (world, "agents"), 3);
    bb_envelope_t *first;
    size_t agents, rejected;
    assert_int_equal (s_snapshot_parts (world, &agents, &rejected, &first),
                      1);
    const Balboard__RegistrySnapshot *part = first->registry_snapshot;
    assert_true (part->complete);
    assert_true (part->last_part);
    assert_string_equal (part->incomplete_reason, "");
    assert_int_equal (part->pages, 3);
    assert_int_equal (part->n_agents, 245);
    for (size_t index = 0; index < part->n_agents; index++)
        assert_int_equal (part->agents [index]->owner,
                          BALBOARD__AGENT_OWNER__AGENT_OWNER_REGISTRY);
    bb_mock_agent_t agent;
    bb_mockdata_agent (0, &agent);
    assert_string_equal (part->agents [0]->stx_address, agent.stx_address);
    assert_int_equal (part->n_rejected, 5);
    assert_string_equal (part->rejected [0]->stx_address, "SPINVALID49");
    assert_int_equal (part->rejected [0]->index, 49);
    assert_non_null (strstr (part->rejected [0]->reason, "stxAddress"));
    assert_non_null (strstr (part->rejected [1]->reason, "btcAddress"));
    bb_wire_envelope_destroy (&first);
    bb_wire_envelope_destroy (&report);
    s_fetcher_stop (world);
    s_assert_not_logged (world, "5ecret");
}

//  Every way a read ends early is a partial snapshot with its reason,
//  holding what was read before it.
static void
test_registry_partial (void **state)
{
    world_t *world = *state;
    const struct {
        const char *control;
        uint32_t requests_max;
        const char *reason;
        size_t agents;
    } cases [] = {
        { "{\"agents\":300,\"faults\":[{\"endpoint\":\"agents\","
          "\"kind\":\"5xx\",\"status\":500,\"skip\":1}]}", 0,
          "page at offset 100: HTTP 500", 100 },
        { "{\"agents\":300,\"agents_step\":7}", 0,
          "registry total changed from 300 to 307", 200 },
        { "{\"agents\":300,\"agents_stuck\":true}", 0,
          "page at offset 100 repeats agents of an earlier page", 100 },
        { "{\"agents\":500}", 2,
          "registry budget of 2 requests used up after 2 pages", 200 },
        { "{\"agents\":300,\"faults\":[{\"endpoint\":\"agents\","
          "\"kind\":\"truncated\",\"skip\":2}]}", 0,
          "page at offset 200: ", 200 },
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases [0];
         index++) {
        s_mock_reset (world);
        s_control (world, cases [index].control);
        Balboard__RegistryJob job;
        char url [256];
        s_registry_job (world, &job, url, sizeof url);
        job.requests_max = cases [index].requests_max;
        bb_envelope_t *report = s_registry_run (world, &job);
        const Balboard__RegistrySyncReport *sync =
            report->job_report->registry;
        if (!strstr (sync->reason, cases [index].reason))
            fail_msg ("case %zu: reason \"%s\", want \"%s\"", index,
                      sync->reason, cases [index].reason);
        assert_int_equal (sync->outcome,
                          BALBOARD__SYNC_OUTCOME__SYNC_PARTIAL);
        bb_envelope_t *first;
        size_t agents, rejected;
        s_snapshot_parts (world, &agents, &rejected, &first);
        assert_false (first->registry_snapshot->complete);
        assert_int_equal (agents, cases [index].agents);
        bb_wire_envelope_destroy (&first);
        bb_wire_envelope_destroy (&report);
    }
}

//  An empty registry is a complete snapshot of no agents (the store
//  holds it); a snapshot over a part's size goes in ordered parts; the
//  closing figure: 10,000 agents in pages of 100.
static void
test_registry_parts (void **state)
{
    world_t *world = *state;
    s_control (world, "{\"agents\":0}");
    Balboard__RegistryJob job;
    char url [256];
    s_registry_job (world, &job, url, sizeof url);
    bb_envelope_t *report = s_registry_run (world, &job);
    size_t agents, rejected;
    bb_envelope_t *first;
    assert_int_equal (s_snapshot_parts (world, &agents, &rejected, &first),
                      1);
    assert_true (first->registry_snapshot->complete);
    assert_true (first->registry_snapshot->last_part);
    assert_int_equal (agents, 0);
    bb_wire_envelope_destroy (&first);
    bb_wire_envelope_destroy (&report);

    s_control (world, "{\"agents\":" REGISTRY_BIG_TEXT "}");
    job.deadline_ms = (uint64_t) (zclock_time () + JOB_MS);
    int64_t start = zclock_mono ();
    report = s_registry_run (world, &job);
    int64_t elapsed = zclock_mono () - start;
    assert_int_equal (report->job_report->registry->outcome,
                      BALBOARD__SYNC_OUTCOME__SYNC_APPLIED);
    uint32_t requests = report->job_report->upstreams [0]->requests;
    assert_int_equal (requests, REGISTRY_BIG / REGISTRY_PAGE);
    assert_int_equal (s_snapshot_parts (world, &agents, &rejected, NULL),
                      REGISTRY_BIG / 2000);
    assert_int_equal (agents, REGISTRY_BIG);
    print_message ("registry sync of %d agents in pages of %d: %lld ms, "
                   "%u requests, %zu snapshot parts to the store\n",
                   REGISTRY_BIG, REGISTRY_PAGE, (long long) elapsed,
                   requests, (size_t) (REGISTRY_BIG / 2000));
    bb_wire_envelope_destroy (&report);
}

//  A store that never answers: each part is resent with the same request
//  id, then the sync is reported failed; a late job is refused at once.
static void
test_registry_failures (void **state)
{
    world_t *world = *state;
    s_control (world, "{\"agents\":10}");
    bb_fake_scheduler_set_store_mode (world->side, BB_FAKE_STORE_SILENT);
    Balboard__RegistryJob job;
    char url [256];
    s_registry_job (world, &job, url, sizeof url);
    bb_envelope_t *report = s_registry_run (world, &job);
    assert_int_equal (report->job_report->registry->outcome,
                      BALBOARD__SYNC_OUTCOME__SYNC_FAILED);
    assert_non_null (strstr (report->job_report->registry->reason,
                             "did not answer"));
    assert_int_equal (bb_fake_scheduler_batches (world->side), 3);
    bb_wire_envelope_destroy (&report);

    job.job_id = "sync.2";
    job.generation = 2;
    job.deadline_ms = (uint64_t) (zclock_time () - 1000);
    long before = s_requests (world, "agents");
    assert_int_equal (bb_fake_scheduler_send_registry_job (world->side,
                                                           &job), 0);
    report = bb_fake_scheduler_wait_report (world->side, REPORT_MS);
    assert_non_null (report);
    assert_int_equal (report->job_report->registry->outcome,
                      BALBOARD__SYNC_OUTCOME__SYNC_FAILED);
    assert_non_null (strstr (report->job_report->detail, "deadline"));
    assert_int_equal (s_requests (world, "agents"), before);
    bb_wire_envelope_destroy (&report);
}

//  --health, --help and bad settings, without sockets to talk to.
static void
test_options (void **state)
{
    char *binary = bb_child_bin_path (FETCHER_BINARY);
    assert_non_null (binary);
    const char *cases [][4] = {
        { "--health", NULL },
        { "--help", NULL },
        { "--health", "--network", "regtest", NULL },
        { "--health", "--hiro-concurrency", "0", NULL },
        { "--health", "--hiro-base", "ftp://example.org", NULL },
        { "--no-such-flag", NULL },
    };
    const int codes [] = { 0, 0, 64, 64, 64, 64 };
    for (size_t index = 0; index < sizeof codes / sizeof codes [0];
         index++) {
        const char *argv [8] = { binary, "--log-level", "error" };
        for (size_t k = 0; k < 4 && cases [index][k]; k++)
            argv [3 + k] = cases [index][k];
        bb_child_t *process = bb_child_new (argv, NULL);
        assert_non_null (process);
        int code = bb_child_wait (process, STOP_MS);
        if (code != codes [index])
            fail_msg ("case %zu (%s %s): exit %d, expected %d", index,
                      cases [index][0],
                      cases [index][1] ? cases [index][1] : "", code,
                      codes [index]);
        bb_child_destroy (&process);
    }
    free (binary);
}

//  ---------------------------------------------------------------------

static int
s_group_setup (void **state)
{
    const char *args [] = { "--log-level", "warn", NULL };
    s_mock = bb_mock_process_new (args, START_MS);
    assert_non_null (s_mock);
    zsys_dir_create ("%s", getenv ("BALBOARD_TEST_SCRATCH"));
    return 0;
}

static int
s_group_teardown (void **state)
{
    return bb_mock_process_end (&s_mock, STOP_MS) == 0 ? 0 : -1;
}

//  A test whose fetcher starts as start says, or with the test flags
//  alone.
#define TEST_FROM(name, start)                                              \
    cmocka_unit_test_prestate_setup_teardown (name, s_setup, s_teardown,   \
                                              (void *) &start)
#define TEST(name) TEST_FROM (name, s_plain)

int
main (void)
{
    const struct CMUnitTest tests [] = {
        TEST (test_balances_exact),
        TEST (test_price_only),
        TEST_FROM (test_concurrency_bound, s_bound_start),
        TEST (test_fault_5xx),
        TEST (test_fault_reset),
        TEST (test_fault_parse),
        TEST_FROM (test_fault_oversized, s_oversized_start),
        TEST (test_fault_invalid_address),
        TEST (test_429_waited),
        TEST_FROM (test_429_reported, s_429_start),
        TEST (test_429_mempool_html),
        TEST (test_sources_skipped),
        TEST (test_price_failure),
        TEST_FROM (test_v1_gone_v3, s_v3_start),
        TEST (test_invalid_addresses),
        TEST_FROM (test_api_key, s_debug_key_start),
        TEST (test_store_silent),
        TEST (test_scheduler_restart),
        TEST (test_reconnect_mid_job),
        TEST (test_metadata_budget),
        TEST_FROM (test_pending_retry, s_pending_start),
        TEST (test_late_job),
        TEST_FROM (test_hang_deadline, s_hang_start),
        TEST (test_sigterm_mid_job),
        TEST_FROM (test_registry_sync, s_debug_start),
        TEST (test_registry_partial),
        TEST (test_registry_parts),
        TEST (test_registry_failures),
        cmocka_unit_test (test_options),
    };
    //  BALBOARD_TEST_FILTER=test_api_key runs one test (by pattern).
    if (getenv ("BALBOARD_TEST_FILTER"))
        cmocka_set_test_filter (getenv ("BALBOARD_TEST_FILTER"));
    return cmocka_run_group_tests (tests, s_group_setup, s_group_teardown);
}
