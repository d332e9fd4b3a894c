/*  =========================================================================
    bb_write - what a write to the store goes through

    The ingest actor applies each message of a round inside its own nested
    transaction and hands the appliers (bb_batch, bb_registry) this
    context: the store, the nested txn, the network addresses must belong
    to, the round's change set and the round's counters. If the applier
    fails or rejects, the ingest actor aborts the nested txn and rolls the
    change set and the counters back, so an applier may write freely.
    =========================================================================
*/
#ifndef BB_WRITE_H_INCLUDED
#define BB_WRITE_H_INCLUDED

#include <lmdb.h>

#include "bb_address.h"
#include "bb_changes.h"
#include "bb_db.h"
#include "bb_record.h"

typedef struct {
    bb_db_t *db;
    MDB_txn *txn;                   // nested txn of this message
    bb_network_t network;           // addresses must belong to it
    bb_changes_t *changes;          // what the query actor must learn
    bb_counters_rec_t *counters;    // the round's, written at its end
} bb_write_t;

#endif
