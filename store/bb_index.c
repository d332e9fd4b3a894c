/*  =========================================================================
    bb_index - the rank index the store's readers share, at one commit

    See bb_index.h. Invariant whenever the write side is free: rank holds
    exactly the registered agents of commit seq, each scored at prices,
    the price snapshot of commit seq. seq only grows, and only under the
    write side; it is atomic so that a waiting reader may read it under
    the small mutex of the "moved" condition instead of the lock. A
    rebuild reads LMDB and sorts outside the lock (up to a second at a
    million agents), so readers keep serving the old commit meanwhile.
    =========================================================================
*/
#define _GNU_SOURCE                 // pthread_rwlockattr_setkind_np
#include "bb_index.h"
#include "bb_log.h"
#include "bb_rank.h"
#include "bb_record.h"
#include "bb_token.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <czmq.h>

#define NS_PER_MS   1000000LL

struct _bb_index_t {
    bb_db_t *db;                    // shared environment, borrowed
    pthread_rwlock_t lock;          // readers share it, the applier writes
    pthread_mutex_t moved_lock;     // guards waiting on moved
    pthread_cond_t moved;           // broadcast when seq grows
    bb_rank_t *rank;                // every registered agent, ranked
    bb_prices_rec_t prices;         // rank is valued at these
    _Atomic uint64_t seq;           // commit rank and prices reflect
};

//  ===========================================================================
//  Building

//  Score every agent of the totals dbi at prices: entries [i] gets the
//  address (copied into addresses, BB_STX_SIZE each) and the score. At
//  most count entries; *n says how many. Returns 0 or an LMDB error.
static int
s_read_scores (bb_db_t *db, MDB_txn *txn, const bb_prices_rec_t *prices,
               bb_rank_entry_t *entries, char *addresses, size_t count,
               size_t *n)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (txn, bb_db_dbi (db, BB_DBI_TOTALS), &cursor);
    if (rc)
        return rc;
    MDB_val key, value;
    *n = 0;
    rc = mdb_cursor_get (cursor, &key, &value, MDB_FIRST);
    while (rc == 0 && *n < count) {
        bb_totals_rec_t totals;
        char *address = addresses + *n * BB_STX_SIZE;
        if (key.mv_size >= BB_STX_SIZE
        ||  bb_record_totals_decode (&value, &totals)) {
            rc = MDB_CORRUPTED;
            break;
        }
        memcpy (address, key.mv_data, key.mv_size);
        address [key.mv_size] = '\0';
        entries [*n].address = address;
        entries [*n].score = bb_token_total (&totals, prices);
        (*n)++;
        rc = mdb_cursor_get (cursor, &key, &value, MDB_NEXT);
    }
    mdb_cursor_close (cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

//  Fill rank from the newest snapshot, with that snapshot's prices and
//  commit. Returns 0 or -1 (logged).
static int
s_build (bb_db_t *db, bb_rank_t *rank, bb_prices_rec_t *prices,
         uint64_t *seq)
{
    MDB_txn *txn;
    if (bb_db_begin (db, NULL, MDB_RDONLY, &txn))
        return -1;
    bb_counters_rec_t counters;
    int rc = bb_record_counters_get (db, txn, &counters);
    if (rc == 0)
        rc = bb_record_prices_get (db, txn, prices);
    size_t count = bb_db_entries (db, txn, BB_DBI_TOTALS);
    bb_rank_entry_t *entries = calloc (count + 1, sizeof *entries);
    char *addresses = calloc (count + 1, BB_STX_SIZE);
    assert (entries && addresses);
    size_t n = 0;
    if (rc == 0)
        rc = s_read_scores (db, txn, prices, entries, addresses, count, &n);
    mdb_txn_abort (txn);
    if (rc)
        bb_error ("rank_rebuild_failed", "error=\"%s\"", mdb_strerror (rc));
    else
    if (bb_rank_rebuild (rank, entries, n)) {
        bb_error ("rank_rebuild_failed", "error=\"invalid address\"");
        rc = -1;
    }
    free (entries);
    free (addresses);
    if (rc)
        return -1;
    *seq = counters.commit_seq;
    return 0;
}

//  Wake the readers waiting for seq to grow.
static void
s_moved (bb_index_t *self)
{
    pthread_mutex_lock (&self->moved_lock);
    pthread_cond_broadcast (&self->moved);
    pthread_mutex_unlock (&self->moved_lock);
}

//  ===========================================================================
//  Lifecycle

bb_index_t *
bb_index_new (bb_db_t *db)
{
    assert (db);
    bb_index_t *self = calloc (1, sizeof *self);
    assert (self);
    self->db = db;
    self->rank = bb_rank_new ();
    pthread_rwlockattr_t attributes;
    pthread_rwlockattr_init (&attributes);
    pthread_rwlockattr_setkind_np (&attributes,
        PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init (&self->lock, &attributes);
    pthread_rwlockattr_destroy (&attributes);
    pthread_condattr_t cond_attributes;
    pthread_condattr_init (&cond_attributes);
    pthread_condattr_setclock (&cond_attributes, CLOCK_MONOTONIC);
    pthread_cond_init (&self->moved, &cond_attributes);
    pthread_condattr_destroy (&cond_attributes);
    pthread_mutex_init (&self->moved_lock, NULL);
    if (bb_index_rebuild (self))
        bb_index_destroy (&self);
    return self;
}

void
bb_index_destroy (bb_index_t **self_p)
{
    assert (self_p);
    bb_index_t *self = *self_p;
    if (!self)
        return;
    bb_rank_destroy (&self->rank);
    pthread_rwlock_destroy (&self->lock);
    pthread_cond_destroy (&self->moved);
    pthread_mutex_destroy (&self->moved_lock);
    free (self);
    *self_p = NULL;
}

//  ===========================================================================
//  Readers

//  Wait until seq reaches target or the monotonic deadline (ms) passes.
static void
s_wait_for (bb_index_t *self, uint64_t target, int64_t deadline_ms)
{
    struct timespec until = {
        (time_t) (deadline_ms / 1000),
        (long) (deadline_ms % 1000) * NS_PER_MS
    };
    pthread_mutex_lock (&self->moved_lock);
    int rc = 0;
    while (atomic_load (&self->seq) < target && rc == 0)
        rc = pthread_cond_timedwait (&self->moved, &self->moved_lock,
                                     &until);
    pthread_mutex_unlock (&self->moved_lock);
}

static int64_t
s_mono_ms (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (int64_t) now.tv_sec * 1000 + now.tv_nsec / NS_PER_MS;
}

int
bb_index_begin (bb_index_t *self, bb_view_t *view)
{
    assert (self && view);
    int64_t deadline = s_mono_ms () + BB_INDEX_SYNC_WAIT_MS;
    while (true) {
        pthread_rwlock_rdlock (&self->lock);
        bb_counters_rec_t counters;
        int rc = bb_db_begin (self->db, NULL, MDB_RDONLY, &view->txn);
        if (rc == 0
        && (rc = bb_record_counters_get (self->db, view->txn, &counters)))
            mdb_txn_abort (view->txn);
        if (rc) {
            pthread_rwlock_unlock (&self->lock);
            return rc;
        }
        uint64_t seq = atomic_load (&self->seq);
        bool behind = counters.commit_seq > seq;
        if (!behind || s_mono_ms () >= deadline) {
            if (behind)
                bb_warn ("query_snapshot_ahead", "index_seq=%llu seq=%llu",
                         (unsigned long long) seq,
                         (unsigned long long) counters.commit_seq);
            view->db = self->db;
            view->rank = self->rank;
            view->prices = &self->prices;
            view->seq = counters.commit_seq;
            view->synced = !behind;
            return 0;
        }
        mdb_txn_abort (view->txn);
        pthread_rwlock_unlock (&self->lock);
        s_wait_for (self, counters.commit_seq, deadline);
    }
}

void
bb_index_end (bb_index_t *self, bb_view_t *view)
{
    assert (self && view && view->txn);
    mdb_txn_abort (view->txn);
    view->txn = NULL;
    pthread_rwlock_unlock (&self->lock);
}

//  ===========================================================================
//  The applier

int
bb_index_rebuild (bb_index_t *self)
{
    assert (self);
    int64_t started = zclock_mono ();
    bb_rank_t *rank = bb_rank_new ();
    bb_prices_rec_t prices;
    uint64_t seq;
    if (s_build (self->db, rank, &prices, &seq)) {
        bb_rank_destroy (&rank);
        return -1;
    }
    pthread_rwlock_wrlock (&self->lock);
    bb_rank_t *old = self->rank;
    self->rank = rank;
    self->prices = prices;
    atomic_store (&self->seq, seq);
    pthread_rwlock_unlock (&self->lock);
    s_moved (self);
    bb_info ("rank_rebuilt", "agents=%llu seq=%llu ms=%lld",
             (unsigned long long) bb_rank_size (rank),
             (unsigned long long) seq,
             (long long) (zclock_mono () - started));
    bb_rank_destroy (&old);
    return 0;
}

void
bb_index_apply (bb_index_t *self, bb_changes_t *changes)
{
    assert (self && changes);
    if (bb_changes_seq (changes) <= atomic_load (&self->seq))
        return;                 // a rebuild already reflects it
    if (bb_changes_prices (changes)) {
        bb_index_rebuild (self);
        return;
    }
    pthread_rwlock_wrlock (&self->lock);
    for (size_t i = 0; i < bb_changes_size (changes); i++) {
        const bb_change_t *change = bb_changes_at (changes, i);
        if (change->op == BB_CHANGE_REMOVE)
            bb_rank_remove (self->rank, change->stx);
        else
            bb_rank_set (self->rank, change->stx,
                         bb_token_total (&change->totals, &self->prices));
    }
    atomic_store (&self->seq, bb_changes_seq (changes));
    pthread_rwlock_unlock (&self->lock);
    s_moved (self);
}

void
bb_index_pause (bb_index_t *self)
{
    assert (self);
    pthread_rwlock_wrlock (&self->lock);
}

void
bb_index_resume (bb_index_t *self)
{
    assert (self);
    pthread_rwlock_unlock (&self->lock);
}

uint64_t
bb_index_seq (bb_index_t *self)
{
    assert (self);
    return atomic_load (&self->seq);
}

//  Only the applier changes the size, so it may read it unlocked.
uint64_t
bb_index_size (bb_index_t *self)
{
    assert (self);
    return bb_rank_size (self->rank);
}
