/*  test_store_sync - registry sync on a real balboard-store: a snapshot in
    parts applied when the last arrives, owners (a sync never removes a
    manual agent), partial and held snapshots, confirm, generations
    (duplicate, idempotent retry, a newer one dropping the parts kept),
    parts out of order refused, parts dropped by a restart, the report in
    StoreStats across restarts, and invalid agents rejected with reasons. */
#include "store_fixture.h"
#include "bb_test_main.h"
#include "bb_clock.h"
#include "bb_pb.h"

#include <stdio.h>
#include <string.h>

typedef Balboard__RegistrySnapshot snapshot_t;
typedef Balboard__RegistrySyncReport report_t;

#define OUTCOME(name) BALBOARD__SYNC_OUTCOME__SYNC_ ## name

static int
s_setup (void **state)
{
    *state = fx_store_new ("sync", NULL);
    return 0;
}

//  A part of generation (attempt 1) listing agents first..first+count-1,
//  complete and unconfirmed, max_remove_pct 20.
static snapshot_t *
s_part (uint64_t generation, uint32_t part, bool last, unsigned first,
        unsigned count)
{
    snapshot_t *snapshot = bb_pb_new (&balboard__registry_snapshot__descriptor);
    snapshot->job_id = bb_pb_strdup ("sync.test");
    snapshot->attempt = 1;
    snapshot->generation = generation;
    snapshot->complete = true;
    snapshot->max_remove_pct = 20;
    snapshot->source = bb_pb_strdup ("http://registry.test/api/agents");
    snapshot->pages = 1;
    snapshot->requests = 1;
    snapshot->part = part;
    snapshot->last_part = last;
    for (unsigned i = first; i < first + count; i++) {
        char stx [FX_ADDRESS_SIZE], btc [FX_ADDRESS_SIZE], name [32];
        fx_stx (i, stx);
        fx_btc (i, btc);
        snprintf (name, sizeof name, "agent-%u", i);
        Balboard__Agent *agent = bb_pb_new (&balboard__agent__descriptor);
        agent->stx_address = bb_pb_strdup (stx);
        agent->btc_address = bb_pb_strdup (btc);
        agent->display_name = bb_pb_strdup (name);
        agent->owner = BALBOARD__AGENT_OWNER__AGENT_OWNER_REGISTRY;
        BB_PB_PUSH (snapshot->agents, snapshot->n_agents, agent);
    }
    return snapshot;
}

//  Send *part_p (destroyed), expect outcome; returns the report's
//  envelope (caller destroys).
static bb_envelope_t *
s_send (fx_store_t *store, snapshot_t **part_p, Balboard__SyncOutcome outcome)
{
    bb_envelope_t *reply;
    int rc = bb_client_registry_snapshot (store->in, *part_p, &reply);
    if (rc)
        fail_msg ("sync: %s", bb_client_reason (store->in));
    balboard__registry_snapshot__free_unpacked (*part_p, NULL);
    *part_p = NULL;
    assert_int_equal (reply->registry_sync_report->outcome, outcome);
    return reply;
}

//  Send a one-part snapshot of agents first..first+count-1 and expect
//  outcome; returns the report's envelope.
static bb_envelope_t *
s_sync (fx_store_t *store, uint64_t generation, unsigned first,
        unsigned count, Balboard__SyncOutcome outcome)
{
    snapshot_t *part = s_part (generation, 0, true, first, count);
    return s_send (store, &part, outcome);
}

//  s_sync, the report dropped.
static void
s_synced (fx_store_t *store, uint64_t generation, unsigned first,
          unsigned count, Balboard__SyncOutcome outcome)
{
    bb_envelope_t *reply = s_sync (store, generation, first, count, outcome);
    bb_wire_envelope_destroy (&reply);
}

//  A confirmed one-part snapshot of agents first..first+count-1: applied,
//  it removes removed agents.
static void
s_confirmed (fx_store_t *store, uint64_t generation, unsigned first,
             unsigned count, uint32_t removed)
{
    snapshot_t *part = s_part (generation, 0, true, first, count);
    part->confirm = true;
    bb_envelope_t *reply = s_send (store, &part, OUTCOME (APPLIED));
    assert_int_equal (reply->registry_sync_report->removed, removed);
    bb_wire_envelope_destroy (&reply);
}

//  The store's agents, their owners counted.
static uint32_t
s_agents (fx_store_t *store, uint32_t *registry_owned)
{
    uint32_t total = 0;
    char after [FX_ADDRESS_SIZE] = "";
    *registry_owned = 0;
    while (true) {
        bb_envelope_t *reply;
        assert_int_equal (bb_client_agents_page (store->out, after, 500,
                                                 &reply), 0);
        const Balboard__AgentsPage *page = reply->agents_page;
        for (size_t i = 0; i < page->n_agents; i++)
            if (page->agents [i]->owner
                == BALBOARD__AGENT_OWNER__AGENT_OWNER_REGISTRY)
                (*registry_owned)++;
        total += (uint32_t) page->n_agents;
        if (page->n_agents)
            snprintf (after, sizeof after, "%s",
                      page->agents [page->n_agents - 1]->stx_address);
        size_t n_agents = page->n_agents;
        bb_wire_envelope_destroy (&reply);
        if (n_agents == 0)
            return total;
    }
}

//  ---------------------------------------------------------------------------
//  Parts are kept until the last; then added, updated, removed at once.

static void
test_parts_applied_at_last (void **state)
{
    fx_store_t *store = *state;
    snapshot_t *part = s_part (1, 0, false, 0, 60);
    bb_envelope_t *reply = s_send (store, &part, OUTCOME (PART_KEPT));
    bb_wire_envelope_destroy (&reply);
    uint32_t owned;
    assert_int_equal (s_agents (store, &owned), 0);

    part = s_part (1, 1, true, 60, 40);
    reply = s_send (store, &part, OUTCOME (APPLIED));
    const report_t *report = reply->registry_sync_report;
    assert_int_equal (report->generation, 1);
    assert_int_equal (report->registry_agents, 100);
    assert_int_equal (report->added, 100);
    assert_int_equal (report->removed, 0);
    assert_string_equal (report->source, "http://registry.test/api/agents");
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (s_agents (store, &owned), 100);
    assert_int_equal (owned, 100);

    //  A rename and 5 gone of 100: 5% is under the 20% hold
    part = s_part (2, 0, true, 5, 95);
    free (part->agents [0]->display_name);
    part->agents [0]->display_name = bb_pb_strdup ("renamed");
    reply = s_send (store, &part, OUTCOME (APPLIED));
    report = reply->registry_sync_report;
    assert_int_equal (report->updated, 1);
    assert_int_equal (report->unchanged, 94);
    assert_int_equal (report->removed, 5);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (s_agents (store, &owned), 95);

    reply = fx_stats (store);
    report = reply->store_stats->registry_sync;
    assert_non_null (report);
    assert_int_equal (report->generation, 2);
    assert_int_equal (report->removed, 5);
    assert_int_equal (reply->store_stats->agents, 95);
    bb_wire_envelope_destroy (&reply);
}

//  ---------------------------------------------------------------------------
//  A manual agent is updated by a sync that lists it, never removed.

static void
test_manual_agents_kept (void **state)
{
    fx_store_t *store = fx_store_agents (state, 10);    // manual
    //  The registry lists 5..9 with other levels: updated, still manual
    bb_envelope_t *reply = s_sync (store, 1, 5, 10, OUTCOME (APPLIED));
    assert_int_equal (reply->registry_sync_report->added, 5);
    assert_int_equal (reply->registry_sync_report->updated, 5);
    bb_wire_envelope_destroy (&reply);
    uint32_t owned;
    assert_int_equal (s_agents (store, &owned), 15);
    assert_int_equal (owned, 5);

    //  The registry drops 0..14 but 14: only the registry's 10..13 go
    s_synced (store, 2, 14, 1, OUTCOME (HELD));
    s_confirmed (store, 3, 14, 1, 4);
    assert_int_equal (s_agents (store, &owned), 11);
    assert_int_equal (owned, 1);
}

//  ---------------------------------------------------------------------------
//  Partial: added and updated, nothing removed. Held: an empty registry
//  or too many gone keeps the removals until confirmed.

static void
test_partial_and_held (void **state)
{
    fx_store_t *store = *state;
    s_synced (store, 1, 0, 100, OUTCOME (APPLIED));

    snapshot_t *part = s_part (2, 0, true, 50, 60);
    part->complete = false;
    part->incomplete_reason = bb_pb_strdup ("page 2: http 500");
    bb_envelope_t *reply = s_send (store, &part, OUTCOME (PARTIAL));
    const report_t *report = reply->registry_sync_report;
    assert_int_equal (report->added, 10);
    assert_int_equal (report->removed, 0);
    assert_string_equal (report->reason, "page 2: http 500");
    bb_wire_envelope_destroy (&reply);
    uint32_t owned;
    assert_int_equal (s_agents (store, &owned), 110);

    reply = s_sync (store, 3, 0, 0, OUTCOME (HELD));
    report = reply->registry_sync_report;
    assert_int_equal (report->held_removals, 110);
    assert_int_equal (report->removed, 0);
    assert_non_null (strstr (report->reason, "no agents"));
    bb_wire_envelope_destroy (&reply);

    //  80 of 110 listed: 30 gone is 27%, over 20%: held, additions in
    reply = s_sync (store, 4, 30, 80, OUTCOME (HELD));
    assert_int_equal (reply->registry_sync_report->held_removals, 30);
    bb_wire_envelope_destroy (&reply);
    reply = fx_stats (store);
    assert_int_equal (reply->store_stats->registry_sync->outcome,
                      OUTCOME (HELD));
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (s_agents (store, &owned), 110);

    s_confirmed (store, 5, 30, 80, 30);
    assert_int_equal (s_agents (store, &owned), 80);

    //  Confirmed, an empty registry removes every agent it owns
    s_confirmed (store, 6, 0, 0, 80);
    assert_int_equal (s_agents (store, &owned), 0);
}

//  ---------------------------------------------------------------------------
//  Generations: older ones change nothing, a retry gets the same answer,
//  a newer part 0 drops the parts kept, parts out of order are refused.

static void
test_generations (void **state)
{
    fx_store_t *store = *state;
    s_synced (store, 5, 0, 20, OUTCOME (APPLIED));
    s_synced (store, 4, 0, 30, OUTCOME (DUPLICATE));
    //  The same generation again: the stored report, nothing changes
    bb_envelope_t *reply = s_sync (store, 5, 0, 30, OUTCOME (APPLIED));
    assert_int_equal (reply->registry_sync_report->added, 20);
    bb_wire_envelope_destroy (&reply);
    uint32_t owned;
    assert_int_equal (s_agents (store, &owned), 20);

    //  A part re-sent is kept once; one skipped is refused
    for (int round = 0; round < 2; round++) {
        snapshot_t *part = s_part (6, 0, false, 100, 5);
        reply = s_send (store, &part, OUTCOME (PART_KEPT));
        bb_wire_envelope_destroy (&reply);
    }
    snapshot_t *part = s_part (6, 2, true, 110, 5);
    int rc = bb_client_registry_snapshot (store->in, part, &reply);
    fx_assert_error (store->in, rc, BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST);
    balboard__registry_snapshot__free_unpacked (part, NULL);

    //  Generation 7 starts: 6's parts are dropped, 6 is then older
    part = s_part (7, 0, false, 200, 5);
    reply = s_send (store, &part, OUTCOME (PART_KEPT));
    bb_wire_envelope_destroy (&reply);
    part = s_part (6, 1, true, 105, 5);
    reply = s_send (store, &part, OUTCOME (DUPLICATE));
    bb_wire_envelope_destroy (&reply);
    part = s_part (7, 1, true, 0, 20);
    reply = s_send (store, &part, OUTCOME (APPLIED));
    assert_int_equal (reply->registry_sync_report->registry_agents, 25);
    assert_int_equal (reply->registry_sync_report->added, 5);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (s_agents (store, &owned), 25);

    part = s_part (0, 0, true, 0, 1);
    rc = bb_client_registry_snapshot (store->in, part, &reply);
    fx_assert_error (store->in, rc, BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST);
    balboard__registry_snapshot__free_unpacked (part, NULL);
}

//  ---------------------------------------------------------------------------
//  A restart drops the parts kept; the last report stays.

static void
test_restart (void **state)
{
    fx_store_t *store = *state;
    s_synced (store, 1, 0, 10, OUTCOME (APPLIED));
    snapshot_t *part = s_part (2, 0, false, 10, 10);
    bb_envelope_t *reply = s_send (store, &part, OUTCOME (PART_KEPT));
    bb_wire_envelope_destroy (&reply);

    assert_int_equal (fx_store_stop (store, SIGKILL), 128 + SIGKILL);
    fx_store_start (store);
    part = s_part (2, 1, true, 20, 10);
    int rc = bb_client_registry_snapshot (store->in, part, &reply);
    fx_assert_error (store->in, rc, BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST);
    balboard__registry_snapshot__free_unpacked (part, NULL);
    uint32_t owned;
    assert_int_equal (s_agents (store, &owned), 10);

    reply = fx_stats (store);
    assert_int_equal (reply->store_stats->registry_sync->generation, 1);
    assert_int_equal (reply->store_stats->registry_sync->added, 10);
    bb_wire_envelope_destroy (&reply);
}

//  ---------------------------------------------------------------------------
//  Invalid agents are counted and listed with reasons; the rest go in.

static void
test_rejections (void **state)
{
    fx_store_t *store = *state;
    snapshot_t *part = s_part (1, 0, true, 0, 3);
    free (part->agents [1]->btc_address);
    part->agents [1]->btc_address = bb_pb_strdup ("bc1qnotanaddress");
    Balboard__AgentRejection *listed =
        bb_pb_new (&balboard__agent_rejection__descriptor);
    listed->stx_address = bb_pb_strdup ("SP000BAD");
    listed->reason = bb_pb_strdup ("invalid stx address");
    listed->index = 7;
    BB_PB_PUSH (part->rejected, part->n_rejected, listed);
    bb_envelope_t *reply = s_send (store, &part, OUTCOME (APPLIED));
    const report_t *report = reply->registry_sync_report;
    assert_int_equal (report->added, 2);
    assert_int_equal (report->rejected, 2);
    assert_int_equal (report->n_rejections, 2);
    assert_string_equal (report->rejections [0]->stx_address, "SP000BAD");
    assert_non_null (strstr (report->rejections [1]->reason, "btc address"));
    bb_wire_envelope_destroy (&reply);
}

//  ---------------------------------------------------------------------------
//  10,000 agents in parts of 2,000 (as a fetcher sends them), then a
//  registry 10% smaller: prints how long the store took.

#define BIG_AGENTS  10000
#define BIG_PART    2000

//  Send the registry first..first+count-1 as generation in parts; returns
//  the last reply.
static bb_envelope_t *
s_sync_parts (fx_store_t *store, uint64_t generation, unsigned first,
              unsigned count)
{
    bb_envelope_t *reply = NULL;
    unsigned parts = (count + BIG_PART - 1) / BIG_PART;
    for (unsigned index = 0; index < parts; index++) {
        unsigned size = index + 1 < parts ? BIG_PART
                                          : count - index * BIG_PART;
        snapshot_t *part = s_part (generation, index, index + 1 == parts,
                                   first + index * BIG_PART, size);
        bb_wire_envelope_destroy (&reply);
        reply = s_send (store, &part, index + 1 == parts
                        ? OUTCOME (APPLIED) : OUTCOME (PART_KEPT));
    }
    return reply;
}

static void
test_big_registry (void **state)
{
    fx_store_t *store = *state;
    int64_t started = bb_clock_mono_ms ();
    bb_envelope_t *reply = s_sync_parts (store, 1, 0, BIG_AGENTS);
    int64_t added_ms = bb_clock_mono_ms () - started;
    assert_int_equal (reply->registry_sync_report->added, BIG_AGENTS);
    bb_wire_envelope_destroy (&reply);

    started = bb_clock_mono_ms ();
    reply = s_sync_parts (store, 2, BIG_AGENTS / 10, BIG_AGENTS * 9 / 10);
    int64_t removed_ms = bb_clock_mono_ms () - started;
    assert_int_equal (reply->registry_sync_report->removed, BIG_AGENTS / 10);
    assert_int_equal (reply->registry_sync_report->unchanged,
                      BIG_AGENTS * 9 / 10);
    bb_wire_envelope_destroy (&reply);
    print_message ("store sync of %d agents in parts of %d: %lld ms "
                   "(all added); %d listed, %d removed: %lld ms\n",
                   BIG_AGENTS, BIG_PART, (long long) added_ms,
                   BIG_AGENTS * 9 / 10, BIG_AGENTS / 10,
                   (long long) removed_ms);
}

BB_TEST_MAIN (NULL, NULL,
    cmocka_unit_test_setup_teardown (test_parts_applied_at_last, s_setup,
                                     fx_store_teardown),
    cmocka_unit_test_setup_teardown (test_manual_agents_kept, s_setup,
                                     fx_store_teardown),
    cmocka_unit_test_setup_teardown (test_partial_and_held, s_setup,
                                     fx_store_teardown),
    cmocka_unit_test_setup_teardown (test_generations, s_setup,
                                     fx_store_teardown),
    cmocka_unit_test_setup_teardown (test_restart, s_setup,
                                     fx_store_teardown),
    cmocka_unit_test_setup_teardown (test_rejections, s_setup,
                                     fx_store_teardown),
    cmocka_unit_test_setup_teardown (test_big_registry, s_setup,
                                     fx_store_teardown))
