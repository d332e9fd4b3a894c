/*  =========================================================================
    bb_sync - registry sync: a snapshot's parts kept, then applied at once

    A fetcher sends the registry as one snapshot in parts that share a
    generation (Ingest.SyncRegistry, docs/registry.md). Each part's valid
    agents are kept in the sync_stage dbi, durably, and answered
    SYNC_PART_KEPT; the last part applies the whole snapshot in the
    write's transaction: new agents in (owner registry), changed ones
    updated (a stored owner is kept), and, for a complete snapshot only,
    the registry's agents it no longer lists removed, unless that removes
    every agent it owns or more than max_remove_pct of the agents and the
    operator did not confirm (held). The report of the last applied
    snapshot is kept for StoreStats and for a fetcher that sends it again.
    =========================================================================
*/
#ifndef BB_SYNC_H_INCLUDED
#define BB_SYNC_H_INCLUDED

#include "balboard.pb-c.h"
#include "bb_write.h"

//  Rejections listed in a report; the count covers them all.
#define BB_SYNC_REJECTIONS_MAX  100

//  Take one part of a snapshot through write. Sets *report_p to the reply
//  (the caller owns it), or leaves it NULL with why in reason (size
//  bytes) when the part is refused (out of order, generation 0). Sets
//  *kept when write's txn holds something to commit. Returns 0 or an
//  LMDB error.
int bb_sync_part (bb_write_t *write, const Balboard__RegistrySnapshot *part,
                  Balboard__RegistrySyncReport **report_p, bool *kept,
                  char *reason, size_t size);

//  The last applied snapshot's report into *report_p (the caller owns
//  it), NULL when none was applied yet. Returns 0 or an LMDB error.
int bb_sync_last (bb_db_t *db, MDB_txn *txn,
                  Balboard__RegistrySyncReport **report_p);

//  Drop the parts of a snapshot left incomplete, at store start: a
//  generation a restart interrupted is never applied. Returns 0 or -1
//  (logged).
int bb_sync_drop_staged (bb_db_t *db);

#endif
