/*  =========================================================================
    bb_registry - the agent registry: upsert and remove

    An agent is keyed by its STX address and has a BTC address, names and
    a level. Upsert checks each agent on its own (addresses for the
    store's network, level 0..2, names as bounded UTF-8): a bad one is
    rejected with its index and reason, the rest go in. A new agent gets an
    empty totals record (fetch state pending, valued 0) so it ranks at
    once. Remove deletes the registry entry, the totals, every balance row
    and every history point of the agent, and takes it out of the rank.
    An agent keeps its owner (docs/registry.md): an upsert sets the one
    the request names (unset = manual), a registry sync (bb_sync) puts
    agents through the same calls but never changes a stored owner.
    =========================================================================
*/
#ifndef BB_REGISTRY_H_INCLUDED
#define BB_REGISTRY_H_INCLUDED

#include "balboard.pb-c.h"
#include "bb_write.h"

//  Longest names, in bytes.
#define BB_REGISTRY_NAME_MAX        (BB_NAME_SIZE - 1)
#define BB_REGISTRY_LEVEL_NAME_MAX  (BB_LEVEL_NAME_SIZE - 1)
#define BB_REGISTRY_LEVEL_MAX       2

//  What putting one agent did.
typedef enum {
    BB_REGISTRY_INSERTED,
    BB_REGISTRY_UPDATED,
    BB_REGISTRY_UNCHANGED,
} bb_registry_put_t;

//  0 if agent may go in (addresses of network, level, names, owner),
//  else -1 with why in reason (size bytes).
int bb_registry_check (const Balboard__Agent *agent, bb_network_t network,
                       char *reason, size_t size);

//  The record of a checked agent, with its owner.
void bb_registry_record (const Balboard__Agent *agent,
                         bb_agent_rec_t *record);

//  Insert record, or update the stored agent to it. With keep_owner an
//  agent already stored keeps its owner. Sets *result; returns 0 or an
//  LMDB error.
int bb_registry_put (bb_write_t *write, const bb_agent_rec_t *record,
                     bool keep_owner, bb_registry_put_t *result);

//  Delete a registered agent with its totals, balances and history.
//  Returns 0 or an LMDB error.
int bb_registry_delete (bb_write_t *write, const char *stx);

//  Upsert every agent of upsert through write and count the outcome in
//  ack (inserted, updated, unchanged, rejected). Returns 0 or an LMDB
//  error (the caller aborts the nested txn).
int bb_registry_upsert (bb_write_t *write, const Balboard__AgentUpsert *upsert,
                        Balboard__AgentAck *ack);

//  Remove every listed agent; an unknown one is rejected ("not
//  registered"). Returns 0 or an LMDB error.
int bb_registry_remove (bb_write_t *write, const Balboard__AgentRemove *remove,
                        Balboard__AgentAck *ack);

#endif
