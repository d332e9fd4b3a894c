/*  test_fetcher_store - the real fetcher, the real mock upstream and the
    real balboard-store together: what the fetcher fetched is what the
    store serves. The scheduler's end is bb_test_scheduler_side (jobs
    only); agents are registered and read back with bb_client.

    Checks: after one job every agent's detail lists exactly bb_mockdata's
    non-zero positions, with symbol and decimals from token metadata
    (known tokens), the asset name and decimals 0 (404 and 422 tokens),
    and the fixed ones of BTC, STX and sBTC; the store's price snapshot
    is the mock's. A restarted fetcher takes the token metadata from the
    store and asks Hiro only about the contract still pending (422).
    Registry jobs through the store: 10,000 registry agents in pages of
    100 all go in (the time and requests it took are printed), a registry
    shrunk by 10% removes exactly the agents gone, an empty one is held
    until a confirmed sync applies it, and agents imported by hand before
    stay through all of it, while those `balboard agents import
    --registry-owned` brought go with the first sync that does not list
    them.
    Skipped when balboard-store is not built. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <czmq.h>
#include <jansson.h>

#include "bb_balances.h"
#include "fetcher_expect.h"
#include "bb_client.h"
#include "bb_mockdata.h"
#include "bb_child.h"
#include "bb_mock_process.h"
#include "bb_sample_agents.h"
#include "bb_port.h"
#include "bb_fake_scheduler.h"
#include "bb_upstream_parse.h"
#include "bb_test_command.h"

#define START_MS        10000
#define STOP_MS         10000
#define HTTP_MS         10000
#define CLIENT_MS       5000
#define REPORT_MS       30000
#define HEARTBEAT_MS    200
#define AGENTS          24
#define FIRST_SAMPLE    40
#define BTC_MICRO       67187335894LL
#define STX_MICRO       2500000LL
#define REGISTRY_AGENTS 10000       // the closing figure's registry
#define REGISTRY_PAGE   100
#define OWNED_FIRST     20000       // imported --registry-owned: unlisted
#define OWNED           2

typedef struct {
    bb_mock_process_t *mock;
    bb_child_t *store;
    bb_child_t *fetcher;
    bb_fake_scheduler_t *side;
    char ingest [64];
    char query [64];
    char jobs [64];
    bb_mock_agent_t agents [AGENTS];
} world_t;

//  ---------------------------------------------------------------------
//  Processes

//  Start binary with args ("$PORT0", "$PORT1" stand for free ports) until
//  it listens on the first. Returns the process, the ports in ports [].
static bb_child_t *
s_start (const char *binary, const char *const args [], int ports [])
{
    bb_child_t *process = bb_child_start_on_free_ports (binary, args, NULL,
                                                        START_MS, ports);
    if (!process)
        fail_msg ("%s did not start", binary);
    return process;
}

static void
s_fetcher_start (world_t *world)
{
    char *binary = bb_child_bin_path ("balboard-fetcher");
    bb_mock_urls_t urls;
    bb_mock_process_urls (world->mock, &urls);
    const char *argv [] = {
        binary, "--scheduler-jobs", world->jobs,
        "--store-ingest", world->ingest, "--hiro-base", urls.hiro,
        "--mempool-base", urls.mempool, "--price-url", urls.price,
        "--heartbeat-ms", "200", "--fetcher-id", "store-test", NULL
    };
    world->fetcher = bb_child_new (argv, NULL);
    assert_non_null (world->fetcher);
    free (binary);
    assert_int_equal (bb_fake_scheduler_wait_ready (world->side,
                                                    START_MS), 0);
}

static void
s_fetcher_stop (world_t *world)
{
    assert_int_equal (bb_child_stop (world->fetcher, SIGTERM,
                                     STOP_MS), 0);
    bb_child_destroy (&world->fetcher);
}

static long
s_metadata_requests (world_t *world)
{
    long count = bb_mock_process_count (world->mock, HTTP_MS, "requests",
                                        "by_endpoint", "metadata", NULL);
    assert_true (count >= 0);
    return count;
}

//  ---------------------------------------------------------------------
//  Agents and jobs

static void
s_register (world_t *world)
{
    for (unsigned index = 0; index < AGENTS; index++)
        bb_mockdata_agent (FIRST_SAMPLE + index, &world->agents [index]);
    bb_client_t *client = bb_client_new (world->ingest, CLIENT_MS);
    size_t inserted;
    assert_int_equal (bb_sample_agents_upsert (client, FIRST_SAMPLE, AGENTS,
                                               &inserted), 0);
    assert_int_equal (inserted, AGENTS);
    bb_client_destroy (&client);
}

static void
s_run_job (world_t *world, const char *job_id)
{
    Balboard__Agent agents [AGENTS];
    Balboard__Agent *pointers [AGENTS];
    for (unsigned index = 0; index < AGENTS; index++) {
        balboard__agent__init (&agents [index]);
        agents [index].stx_address = world->agents [index].stx_address;
        agents [index].btc_address = world->agents [index].btc_address;
        pointers [index] = &agents [index];
    }
    Balboard__ChunkJob job = BALBOARD__CHUNK_JOB__INIT;
    job.job_id = (char *) job_id;
    job.attempt = 1;
    job.rotation = 1;
    job.deadline_ms = (uint64_t) zclock_time () + 20000;
    job.agents = pointers;
    job.n_agents = AGENTS;
    job.fetch_prices = true;
    job.rotation_agents = AGENTS;
    assert_int_equal (bb_fake_scheduler_send_job (world->side, &job),
                      0);
    bb_envelope_t *report = bb_fake_scheduler_wait_report (world->side,
                                                           REPORT_MS);
    assert_non_null (report);
    if (report->job_report->store_status
        != BALBOARD__ACK_STATUS__ACK_COMMITTED)
        fail_msg ("store answered %d: %s",
                  (int) report->job_report->store_status,
                  report->job_report->detail);
    assert_int_equal (report->job_report->agents_ok, AGENTS);
    bb_wire_envelope_destroy (&report);
}

//  ---------------------------------------------------------------------
//  Expectations

//  Symbol and decimals the store must show for token_id.
static void
s_expect_meta (const char *token_id, const char **symbol,
               unsigned *decimals)
{
    if (strcmp (token_id, "btc-l1") == 0) {
        *symbol = "BTC";
        *decimals = 8;
        return;
    }
    if (strcmp (token_id, "stx") == 0) {
        *symbol = "STX";
        *decimals = 6;
        return;
    }
    const bb_mock_token_t *token = bb_mockdata_token_by_asset (token_id);
    assert_non_null (token);
    if (token->http_status == 200) {
        *symbol = token->symbol;
        *decimals = token->decimals;
    }
    else {
        *symbol = strstr (token_id, "::") + 2;
        *decimals = 0;
    }
}

static void
s_check_agent (bb_client_t *client, const bb_mock_agent_t *agent)
{
    bb_envelope_t *reply = NULL;
    if (bb_client_agent (client, agent->stx_address, 1, &reply))
        fail_msg ("agent %s: %s", agent->stx_address,
                  bb_client_reason (client));
    const Balboard__AgentDetail *detail = reply->agent_detail;
    assert_int_equal (detail->row->fetch_state,
                      BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK);
    assert_true (detail->prices->btc_usd_micro == BTC_MICRO);
    assert_true (detail->prices->stx_usd_micro == STX_MICRO);

    bb_balances_t *expected = bb_balances_new ();
    expect_hiro (agent->stx_address, expected);
    expect_btc (agent->btc_address, expected);

    const Balboard__DashboardRow *row = detail->row;
    if (row->n_tokens != bb_balances_size (expected))
        fail_msg ("%s: %zu tokens, expected %zu", agent->stx_address,
                  row->n_tokens, bb_balances_size (expected));
    for (size_t index = 0; index < row->n_tokens; index++) {
        const Balboard__TokenPosition *position = row->tokens [index];
        expect_amount (expected, position->token_id, position->balance,
                       agent->stx_address);
        const char *symbol;
        unsigned decimals;
        s_expect_meta (position->token_id, &symbol, &decimals);
        if (strcmp (position->symbol, symbol) != 0
        ||  position->decimals != decimals)
            fail_msg ("%s: %s/%u, expected %s/%u", position->token_id,
                      position->symbol, position->decimals, symbol,
                      decimals);
        assert_false (position->stale);
    }
    bb_balances_destroy (&expected);
    bb_wire_envelope_destroy (&reply);
}

//  Run registry job generation against the mock's registry of count
//  agents; returns the store's report (in the envelope the caller
//  destroys) and the time it took in *elapsed_ms.
static bb_envelope_t *
s_run_sync (world_t *world, uint64_t generation, const char *count,
            bool confirm, int64_t *elapsed_ms)
{
    char control [64];
    snprintf (control, sizeof control, "{\"agents\":%s}", count);
    assert_int_equal (bb_mock_process_control (world->mock, control,
                                               HTTP_MS), 0);
    bb_mock_urls_t urls;
    bb_mock_process_urls (world->mock, &urls);
    char job_id [32];
    snprintf (job_id, sizeof job_id, "sync.%llu",
              (unsigned long long) generation);
    Balboard__RegistryJob job = BALBOARD__REGISTRY_JOB__INIT;
    job.job_id = job_id;
    job.attempt = 1;
    job.generation = generation;
    job.deadline_ms = (uint64_t) zclock_time () + REPORT_MS;
    job.url = job.source = urls.registry;
    job.page_limit = REGISTRY_PAGE;
    job.confirm = confirm;
    job.max_remove_pct = 20;
    int64_t start = zclock_mono ();
    assert_int_equal (bb_fake_scheduler_send_registry_job (world->side,
                                                           &job), 0);
    bb_envelope_t *report = bb_fake_scheduler_wait_report (world->side,
                                                           REPORT_MS);
    assert_non_null (report);
    *elapsed_ms = zclock_mono () - start;
    assert_non_null (report->job_report->registry);
    return report;
}

//  Import OWNED sample agents from OWNED_FIRST with the CLI, as the
//  registry's.
static void
s_import_registry_owned (world_t *world)
{
    char path [256];
    snprintf (path, sizeof path, "%s/owned-%d.ndjson",
              getenv ("BALBOARD_TEST_SCRATCH"), (int) getpid ());
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    for (unsigned index = OWNED_FIRST; index < OWNED_FIRST + OWNED; index++) {
        bb_mock_agent_t agent;
        bb_mockdata_agent (index, &agent);
        fprintf (file, "{\"stxAddress\":\"%s\",\"btcAddress\":\"%s\"}\n",
                 agent.stx_address, agent.btc_address);
    }
    fclose (file);
    char *cli = bb_child_bin_path ("balboard");
    const char *argv [] = {
        cli, "--store-ingest", world->ingest, "agents", "import", path,
        "--registry-owned", NULL
    };
    bb_test_command_t result;
    assert_int_equal (bb_test_command_run (argv, NULL, NULL, CLIENT_MS,
                                           &result), 0);
    if (result.status != 0)
        fail_msg ("agents import --registry-owned: %d: %s", result.status,
                  result.err);
    bb_test_command_reset (&result);
    free (cli);
    unlink (path);
}

static uint64_t
s_store_agents (world_t *world)
{
    bb_client_t *client = bb_client_new (world->query, CLIENT_MS);
    bb_envelope_t *reply = NULL;
    assert_int_equal (bb_client_stats (client, &reply), 0);
    uint64_t agents = reply->store_stats->agents;
    bb_wire_envelope_destroy (&reply);
    bb_client_destroy (&client);
    return agents;
}

//  ---------------------------------------------------------------------

static void
test_registry_sync_through_store (void **state)
{
    world_t *world = *state;
    s_register (world);                 // by hand: never removed
    s_import_registry_owned (world);    // the registry's: removed
    s_fetcher_start (world);
    int64_t elapsed;
    bb_envelope_t *report = s_run_sync (world, 1, "10000", false, &elapsed);
    const Balboard__RegistrySyncReport *sync = report->job_report->registry;
    assert_int_equal (sync->outcome, BALBOARD__SYNC_OUTCOME__SYNC_APPLIED);
    assert_int_equal (sync->added, REGISTRY_AGENTS - AGENTS);
    assert_int_equal (sync->removed, OWNED);
    assert_int_equal (sync->requests, REGISTRY_AGENTS / REGISTRY_PAGE);
    assert_int_equal (s_store_agents (world), REGISTRY_AGENTS);
    print_message ("registry sync of %d agents in pages of %d through the "
                   "store: %lld ms, %u requests, %u pages\n",
                   REGISTRY_AGENTS, REGISTRY_PAGE, (long long) elapsed,
                   sync->requests, sync->pages);
    bb_wire_envelope_destroy (&report);

    //  10% gone: removed, exactly those
    report = s_run_sync (world, 2, "9000", false, &elapsed);
    sync = report->job_report->registry;
    assert_int_equal (sync->outcome, BALBOARD__SYNC_OUTCOME__SYNC_APPLIED);
    assert_int_equal (sync->removed, 1000);
    assert_int_equal (s_store_agents (world), 9000);
    bb_wire_envelope_destroy (&report);

    //  Empty: held, nothing removed, until confirmed
    report = s_run_sync (world, 3, "0", false, &elapsed);
    sync = report->job_report->registry;
    assert_int_equal (sync->outcome, BALBOARD__SYNC_OUTCOME__SYNC_HELD);
    assert_int_equal (sync->held_removals, 9000 - AGENTS);
    assert_int_equal (s_store_agents (world), 9000);
    bb_wire_envelope_destroy (&report);
    report = s_run_sync (world, 4, "0", true, &elapsed);
    sync = report->job_report->registry;
    assert_int_equal (sync->outcome, BALBOARD__SYNC_OUTCOME__SYNC_APPLIED);
    assert_int_equal (sync->removed, 9000 - AGENTS);
    assert_int_equal (s_store_agents (world), AGENTS);
    bb_wire_envelope_destroy (&report);
    s_fetcher_stop (world);
}

static void
test_store_serves_what_was_fetched (void **state)
{
    world_t *world = *state;
    s_register (world);
    s_fetcher_start (world);
    s_run_job (world, "1.0");
    long metadata = s_metadata_requests (world);
    assert_true (metadata > 0);

    bb_client_t *client = bb_client_new (world->query, CLIENT_MS);
    for (unsigned index = 0; index < AGENTS; index++)
        s_check_agent (client, &world->agents [index]);

    //  A new fetcher: the store knows every contract but the pending
    //  one, which alone goes to Hiro again.
    s_fetcher_stop (world);
    s_fetcher_start (world);
    s_run_job (world, "2.0");
    assert_int_equal (s_metadata_requests (world), metadata + 1);
    for (unsigned index = 0; index < AGENTS; index++)
        s_check_agent (client, &world->agents [index]);
    bb_client_destroy (&client);
    s_fetcher_stop (world);
}

static int
s_setup (void **state)
{
    char *store = bb_child_bin_path ("balboard-store");
    bool built = store && access (store, X_OK) == 0;
    free (store);
    if (!built) {
        print_message ("balboard-store is not built: skipped\n");
        skip ();
    }
    world_t *world = calloc (1, sizeof *world);
    assert_non_null (world);
    int ports [BB_CHILD_PORTS_MAX];
    const char *mock_args [] = { "--log-level", "warn", NULL };
    world->mock = bb_mock_process_new (mock_args, START_MS);
    assert_non_null (world->mock);

    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    char data_dir [256];
    static int worlds = 0;
    snprintf (data_dir, sizeof data_dir, "%s/store-%d-%d", scratch,
              (int) getpid (), worlds++);
    zsys_dir_create ("%s", data_dir);
    const char *store_args [] = {
        "--data-dir", data_dir, "--ingest-bind", "tcp://127.0.0.1:$PORT0",
        "--query-bind", "tcp://127.0.0.1:$PORT1", "--log-level", "warn", NULL
    };
    world->store = s_start ("balboard-store", store_args, ports);
    snprintf (world->ingest, sizeof world->ingest, "tcp://127.0.0.1:%d",
              ports [0]);
    snprintf (world->query, sizeof world->query, "tcp://127.0.0.1:%d",
              ports [1]);
    world->side = bb_fake_scheduler_new_on_free_ports (
        world->jobs, NULL, sizeof world->jobs, HEARTBEAT_MS);
    assert_non_null (world->side);
    *state = world;
    return 0;
}

static int
s_teardown (void **state)
{
    world_t *world = *state;
    if (!world)
        return 0;
    int rc = 0;
    if (world->fetcher)
        rc |= bb_child_stop (world->fetcher, SIGTERM, STOP_MS);
    rc |= bb_child_stop (world->store, SIGTERM, STOP_MS);
    rc |= bb_mock_process_end (&world->mock, STOP_MS);
    bb_child_destroy (&world->fetcher);
    bb_child_destroy (&world->store);
    bb_fake_scheduler_destroy (&world->side);
    free (world);
    return rc ? -1 : 0;
}

BB_TEST_MAIN (NULL, NULL,
        BB_TEST (test_store_serves_what_was_fetched),
        BB_TEST (test_registry_sync_through_store))
