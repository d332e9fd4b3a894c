/*  =========================================================================
    bb_index - the rank index the store's readers share, at one commit

    Owns the in-memory rank index (bb_rank), the price snapshot it is
    valued at and the commit sequence number both reflect (seq), and the
    lock that lets a pool of reader threads use them at once while one
    applier (the query actor) moves them from commit to commit.

    Readers: bb_index_begin takes the read side of a read-write lock,
    begins a read transaction and checks that the snapshot's commit_seq
    is the index's. If the snapshot is newer (the commit landed, its
    change set is microseconds behind), it ends both, waits until the
    applier has caught up, and tries again. So between begin and end a
    reader sees the index, the prices and the LMDB rows of one commit,
    and no reader holds a transaction without holding the read side.

    The applier: bb_index_apply takes the write side for the few
    microseconds that moving the changed agents takes; a revaluation at
    new prices builds a whole new index outside the lock and swaps it in.
    bb_index_pause takes the write side and keeps it: then no reader has
    a transaction open, which is what LMDB needs around a map resize.
    The write side is preferred, so a stream of readers cannot starve it.
    The commit path (the ingest actor) never touches the lock.
    =========================================================================
*/
#ifndef BB_INDEX_H_INCLUDED
#define BB_INDEX_H_INCLUDED

#include <stdint.h>

#include "bb_changes.h"
#include "bb_db.h"
#include "bb_view.h"

typedef struct _bb_index_t bb_index_t;

//  Build the index from the totals dbi at the newest snapshot. Returns
//  NULL if it could not be read (logged). db is borrowed.
bb_index_t *bb_index_new (bb_db_t *db);

//  Destroy the index and set *self_p to NULL. No reader may be inside.
//  NULL-safe.
void bb_index_destroy (bb_index_t **self_p);

//  ---------------------------------------------------------------------
//  Readers (any thread)

//  Begin a read: fill view (db, a new read txn, its commit, the rank
//  index and its prices) at one commit, holding the read side. Returns
//  0, or an LMDB error with nothing held. Waits for the applier at most
//  BB_INDEX_SYNC_WAIT_MS, then serves the newer snapshot with the older
//  index (logged; view->synced false).
int bb_index_begin (bb_index_t *self, bb_view_t *view);

//  End the read bb_index_begin started: abort its txn, release.
void bb_index_end (bb_index_t *self, bb_view_t *view);

//  ---------------------------------------------------------------------
//  The applier (one thread)

//  Bring the index to the change set's commit (nothing if it already
//  reflects it; a rebuild when the prices changed).
void bb_index_apply (bb_index_t *self, bb_changes_t *changes);

//  Rebuild from the totals dbi at the newest snapshot and swap it in.
//  Returns 0 or -1 (logged; the index is unchanged).
int bb_index_rebuild (bb_index_t *self);

//  Hold every reader out (no reader txn open) until bb_index_resume.
void bb_index_pause (bb_index_t *self);
void bb_index_resume (bb_index_t *self);

//  The commit the index reflects, and the number of agents in it.
uint64_t bb_index_seq (bb_index_t *self);
uint64_t bb_index_size (bb_index_t *self);

//  How long a reader waits for the change sets of a commit it can
//  already see, in total. The bound only keeps a lost one from hanging
//  reads.
#define BB_INDEX_SYNC_WAIT_MS   1000

#endif
