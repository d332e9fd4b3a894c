/*  =========================================================================
    chaos_ledger - what the chaos test has seen, and the invariants it
    checks against it

    Owns the imported agents (the mock's sample agents 0..n-1, by STX
    address) and what earlier looks showed: which agents were shown
    fetched, the highest rotation and rotations completed. Each check
    reads the system through the world's clients and fails the test with
    the agent and what broke:
    - registry: every imported agent is listed, and no other;
    - agents: an agent once shown fetched is never pending again; the
      rows of one source carry one captured time (a batch is applied to
      an agent whole or not at all); history holds one point per token,
      since the mock's amounts never change (an effect applied twice, a
      replayed or older batch, would add a point);
    - rotations: the rotation and rotations completed never go back, and
      at most one rotation is open;
    - balances (at the end): every agent fetched from both sources with
      exactly the mock's amounts, nothing stale.
    Counts what it checked, for the test's summary. One thread.
    =========================================================================
*/
#ifndef CHAOS_LEDGER_H_INCLUDED
#define CHAOS_LEDGER_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "chaos_world.h"

typedef struct _chaos_ledger_t chaos_ledger_t;

//  A ledger of sample agents 0..agents-1.
chaos_ledger_t *chaos_ledger_new (unsigned agents);

//  Free and set *self_p to NULL. NULL-safe.
void chaos_ledger_destroy (chaos_ledger_t **self_p);

void chaos_ledger_check_registry (chaos_ledger_t *self,
                                  chaos_world_t *world);
void chaos_ledger_check_agents (chaos_ledger_t *self, chaos_world_t *world);

//  Checks status (a scheduler status envelope) against earlier ones.
void chaos_ledger_check_rotations (chaos_ledger_t *self,
                                   const bb_envelope_t *status);

void chaos_ledger_check_balances (chaos_ledger_t *self,
                                  chaos_world_t *world);

//  Agents shown fetched so far.
unsigned chaos_ledger_fetched (chaos_ledger_t *self);

//  Print what was checked, how often, to stdout.
void chaos_ledger_print (chaos_ledger_t *self);

#endif
