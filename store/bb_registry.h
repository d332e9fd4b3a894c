/*  =========================================================================
    bb_registry - the agent registry: upsert and remove

    An agent is keyed by its STX address and has a BTC address, names and
    a level. Upsert checks each agent on its own (addresses for the
    store's network, level 0..2, names as bounded UTF-8): a bad one is
    rejected with its index and reason, the rest go in. A new agent gets an
    empty totals record (fetch state pending, valued 0) so it ranks at
    once. Remove deletes the registry entry, the totals, every balance row
    and every history point of the agent, and takes it out of the rank.
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
