/*  =========================================================================
    chaos_ledger - what the chaos test has seen, and the invariants it
    checks against it (see chaos_ledger.h)
    =========================================================================
*/
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <czmq.h>

#include "chaos_ledger.h"
#include "bb_mockdata.h"
#include "bb_u128.h"

#define PAGE_LIMIT      500
#define HISTORY_LIMIT   1000

struct _chaos_ledger_t {
    unsigned agents;                // sample agents 0..agents-1
    bb_mock_agent_t *samples;       // [agents]
    zhashx_t *by_stx;               // stx -> sample (borrowed)
    bool *fetched;                  // [agents]: shown fetched once
    uint64_t rotation;              // highest seen
    uint64_t rotations_completed;   // highest seen
    //  what was checked, for the summary
    size_t registry_checks, agent_checks, rotation_checks;
    size_t rows_checked, history_checked, balances_checked;
};

chaos_ledger_t *
chaos_ledger_new (unsigned agents)
{
    chaos_ledger_t *self = calloc (1, sizeof *self);
    assert_non_null (self);
    self->agents = agents;
    self->samples = calloc (agents, sizeof *self->samples);
    self->fetched = calloc (agents, sizeof *self->fetched);
    self->by_stx = zhashx_new ();
    assert_true (self->samples && self->fetched && self->by_stx);
    for (unsigned i = 0; i < agents; i++) {
        bb_mockdata_agent (i, &self->samples [i]);
        zhashx_insert (self->by_stx, self->samples [i].stx_address,
                       &self->samples [i]);
    }
    return self;
}

void
chaos_ledger_destroy (chaos_ledger_t **self_p)
{
    assert_non_null (self_p);
    chaos_ledger_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->by_stx);
    free (self->fetched);
    free (self->samples);
    free (self);
    *self_p = NULL;
}

unsigned
chaos_ledger_fetched (chaos_ledger_t *self)
{
    unsigned fetched = 0;
    for (unsigned i = 0; i < self->agents; i++)
        fetched += self->fetched [i];
    return fetched;
}

//  ---------------------------------------------------------------------
//  Registry

static int
s_call_agents_page (bb_client_t *client, void *arg, bb_envelope_t **reply_p)
{
    return bb_client_agents_page (client, (const char *) arg, PAGE_LIMIT,
                                  reply_p);
}

void
chaos_ledger_check_registry (chaos_ledger_t *self, chaos_world_t *world)
{
    char after [BB_MOCK_STX_ADDRESS_SIZE] = "";
    unsigned listed = 0;
    while (true) {
        bb_envelope_t *reply = chaos_world_ask (
            world, chaos_world_query (world), "agents page",
            s_call_agents_page, after);
        const Balboard__AgentsPage *page = reply->agents_page;
        if (page->total != self->agents)
            fail_msg ("chaos: the registry holds %u agents, %u imported",
                      page->total, self->agents);
        for (size_t i = 0; i < page->n_agents; i++) {
            const char *stx = page->agents [i]->stx_address;
            if (!zhashx_lookup (self->by_stx, stx))
                fail_msg ("chaos: %s in the registry, never imported", stx);
            snprintf (after, sizeof after, "%s", stx);
        }
        listed += (unsigned) page->n_agents;
        size_t count = page->n_agents;
        bb_wire_envelope_destroy (&reply);
        if (count < PAGE_LIMIT)
            break;
    }
    if (listed != self->agents)
        fail_msg ("chaos: %u agents listed, %u imported", listed,
                  self->agents);
    self->registry_checks++;
}

//  ---------------------------------------------------------------------
//  Agents

static int
s_call_agent (bb_client_t *client, void *arg, bb_envelope_t **reply_p)
{
    return bb_client_agent (client, (const char *) arg, HISTORY_LIMIT,
                            reply_p);
}

//  The rows of one source carry one captured time.
static void
s_check_rows (chaos_ledger_t *self, const Balboard__DashboardRow *row)
{
    for (size_t i = 0; i < row->n_tokens; i++)
        for (size_t j = i + 1; j < row->n_tokens; j++) {
            const Balboard__TokenPosition *a = row->tokens [i];
            const Balboard__TokenPosition *b = row->tokens [j];
            if (streq (a->source, b->source)
            &&  a->captured_at_ms != b->captured_at_ms)
                fail_msg ("chaos: %s: %s rows of two fetches (%s at %"
                          PRIu64 ", %s at %" PRIu64 "): a batch half "
                          "applied", row->agent->stx_address, a->source,
                          a->token_id, a->captured_at_ms, b->token_id,
                          b->captured_at_ms);
        }
    self->rows_checked += row->n_tokens;
}

//  One point per token: the mock's amounts never change.
static void
s_check_history (chaos_ledger_t *self, const Balboard__AgentDetail *detail)
{
    for (size_t i = 0; i < detail->n_history; i++)
        for (size_t j = i + 1; j < detail->n_history; j++)
            if (streq (detail->history [i]->token_id,
                       detail->history [j]->token_id))
                fail_msg ("chaos: %s: two history points of %s (at %"
                          PRIu64 " and %" PRIu64 ") for one amount: an "
                          "effect applied twice",
                          detail->row->agent->stx_address,
                          detail->history [i]->token_id,
                          detail->history [i]->captured_at_ms,
                          detail->history [j]->captured_at_ms);
    self->history_checked += detail->n_history;
}

static void
s_check_agent (chaos_ledger_t *self, chaos_world_t *world, unsigned index)
{
    const char *stx = self->samples [index].stx_address;
    bb_envelope_t *reply = chaos_world_ask (
        world, chaos_world_query (world), "agent detail", s_call_agent,
        (void *) stx);
    const Balboard__AgentDetail *detail = reply->agent_detail;
    Balboard__AgentFetchState state = detail->row->fetch_state;
    if (state == BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING) {
        if (self->fetched [index])
            fail_msg ("chaos: %s was shown fetched, now pending: acked "
                      "data lost", stx);
    }
    else
        self->fetched [index] = true;
    s_check_rows (self, detail->row);
    s_check_history (self, detail);
    bb_wire_envelope_destroy (&reply);
}

void
chaos_ledger_check_agents (chaos_ledger_t *self, chaos_world_t *world)
{
    for (unsigned i = 0; i < self->agents; i++)
        s_check_agent (self, world, i);
    self->agent_checks++;
}

//  ---------------------------------------------------------------------
//  Rotations

void
chaos_ledger_check_rotations (chaos_ledger_t *self,
                              const bb_envelope_t *status)
{
    const Balboard__SchedulerStatus *now = status->scheduler_status;
    if (now->rotation < self->rotation
    ||  now->rotations_completed < self->rotations_completed)
        fail_msg ("chaos: rotation %" PRIu64 " (%" PRIu64 " completed) "
                  "after rotation %" PRIu64 " (%" PRIu64 " completed)",
                  now->rotation, now->rotations_completed, self->rotation,
                  self->rotations_completed);
    if (now->rotations_completed + 1 < now->rotation)
        fail_msg ("chaos: rotation %" PRIu64 " open with only %" PRIu64
                  " completed", now->rotation, now->rotations_completed);
    self->rotation = now->rotation;
    self->rotations_completed = now->rotations_completed;
    self->rotation_checks++;
}

//  ---------------------------------------------------------------------
//  Balances, against the mock's

//  The amount the mock holds of token_id for sample (0 if none).
static bb_u128_t
s_mock_amount (const bb_mock_agent_t *sample, const char *token_id)
{
    bb_u128_t amount = 0;
    const char *reason;
    if (streq (token_id, "btc-l1")) {
        bb_mock_btc_t btc;
        bb_mockdata_btc (sample->btc_address, &btc);
        return bb_mockdata_btc_balance (&btc);
    }
    bb_mock_hiro_t hiro;
    bb_mockdata_hiro (sample->stx_address, &hiro);
    if (streq (token_id, "stx"))
        assert_int_equal (bb_u128_parse (hiro.stx_balance, &amount,
                                         &reason), 0);
    const bb_mock_ft_t *ft = bb_mockdata_hiro_ft (&hiro, token_id);
    if (ft)
        assert_int_equal (bb_u128_parse (ft->balance, &amount, &reason), 0);
    return amount;
}

//  The mock's non-zero positions of sample: BTC, STX and its tokens.
static size_t
s_mock_positions (const bb_mock_agent_t *sample)
{
    bb_mock_hiro_t hiro;
    bb_mockdata_hiro (sample->stx_address, &hiro);
    size_t positions = (s_mock_amount (sample, "btc-l1") != 0)
                     + (s_mock_amount (sample, "stx") != 0);
    for (size_t i = 0; i < hiro.ft_count; i++)
        positions += s_mock_amount (sample, hiro.ft [i].asset_id) != 0;
    return positions;
}

static void
s_check_balance (chaos_ledger_t *self, const bb_mock_agent_t *sample,
                 const Balboard__DashboardRow *row)
{
    if (row->fetch_state != BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK)
        fail_msg ("chaos: %s not fetched cleanly (state %d)",
                  sample->stx_address, row->fetch_state);
    size_t held = 0;
    for (size_t i = 0; i < row->n_tokens; i++) {
        const Balboard__TokenPosition *token = row->tokens [i];
        bb_u128_t amount;
        const char *reason;
        assert_int_equal (bb_u128_parse (token->balance, &amount, &reason),
                          0);
        if (token->stale
        ||  amount != s_mock_amount (sample, token->token_id))
            fail_msg ("chaos: %s holds %s %s%s, the mock says otherwise",
                      sample->stx_address, token->balance, token->token_id,
                      token->stale ? " (stale)" : "");
        held += amount != 0;
    }
    if (held != s_mock_positions (sample))
        fail_msg ("chaos: %s shows %zu positions, the mock holds %zu",
                  sample->stx_address, held, s_mock_positions (sample));
    self->balances_checked += row->n_tokens;
}

void
chaos_ledger_check_balances (chaos_ledger_t *self, chaos_world_t *world)
{
    for (unsigned i = 0; i < self->agents; i++) {
        const bb_mock_agent_t *sample = &self->samples [i];
        bb_envelope_t *reply = chaos_world_ask (
            world, chaos_world_query (world), "agent detail", s_call_agent,
            (void *) sample->stx_address);
        s_check_balance (self, sample, reply->agent_detail->row);
        bb_wire_envelope_destroy (&reply);
    }
}

void
chaos_ledger_print (chaos_ledger_t *self)
{
    printf ("chaos: checked the registry (%u agents, each address) %zu "
            "times; every agent's fetch state, %zu rows and %zu history "
            "points in %zu passes (%u of %u agents shown fetched); the "
            "rotation counters %zu times; %zu final balances against the "
            "mock's\n", self->agents, self->registry_checks,
            self->rows_checked, self->history_checked, self->agent_checks,
            chaos_ledger_fetched (self), self->agents, self->rotation_checks,
            self->balances_checked);
}
