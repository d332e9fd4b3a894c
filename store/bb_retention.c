/*  =========================================================================
    bb_retention - the history retention sweep

    Owns the resume key of the sweep. A point can only be judged once the
    next key is known (is it the newest of its series?), so a step walks
    pairs of neighbours, copies the keys to delete into a buffer, and
    deletes them after the walk: no cursor is trusted across a delete.
    =========================================================================
*/
#include "bb_retention.h"
#include "bb_record.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct _bb_retention_t {
    uint64_t window_ms;             // points newer than this are kept
    char resume [BB_KEY_SIZE];      // first key of the next step
    size_t resume_len;              // 0 = from the first key
    uint8_t *doomed;                // keys to delete: u16 len + bytes
    size_t doomed_size;
    size_t doomed_capacity;
};

bb_retention_t *
bb_retention_new (uint64_t window_ms)
{
    bb_retention_t *self = calloc (1, sizeof *self);
    assert (self);
    self->window_ms = window_ms;
    return self;
}

void
bb_retention_destroy (bb_retention_t **self_p)
{
    assert (self_p);
    bb_retention_t *self = *self_p;
    if (!self)
        return;
    free (self->doomed);
    free (self);
    *self_p = NULL;
}

static void
s_doom (bb_retention_t *self, const MDB_val *key)
{
    size_t need = self->doomed_size + 2 + key->mv_size;
    if (need > self->doomed_capacity) {
        self->doomed_capacity = need * 2;
        self->doomed = realloc (self->doomed, self->doomed_capacity);
        assert (self->doomed);
    }
    self->doomed [self->doomed_size++] = (uint8_t) key->mv_size;
    self->doomed [self->doomed_size++] = (uint8_t) (key->mv_size >> 8);
    memcpy (self->doomed + self->doomed_size, key->mv_data, key->mv_size);
    self->doomed_size += key->mv_size;
}

static int
s_delete_doomed (bb_retention_t *self, bb_db_t *db, MDB_txn *txn,
                 size_t *deleted)
{
    int rc = 0;
    for (size_t at = 0; at < self->doomed_size && rc == 0; ) {
        size_t length = self->doomed [at] | (size_t) self->doomed [at + 1]
                                            << 8;
        MDB_val key = { length, self->doomed + at + 2 };
        rc = mdb_del (txn, bb_db_dbi (db, BB_DBI_HISTORY), &key, NULL);
        if (rc == MDB_NOTFOUND)
            rc = 0;
        else
        if (rc == 0)
            (*deleted)++;
        at += 2 + length;
    }
    self->doomed_size = 0;
    return rc;
}

//  True if key is older than cutoff and next (a later key) is a point of
//  the same series.
static bool
s_expired (const MDB_val *key, const MDB_val *next, uint64_t cutoff)
{
    size_t series = bb_record_history_series_len (key);
    if (series == 0 || next->mv_size != key->mv_size
    ||  memcmp (key->mv_data, next->mv_data, series) != 0)
        return false;
    const uint8_t *stamp = (const uint8_t *) key->mv_data + series;
    uint64_t captured_at = 0;
    for (int i = 0; i < 8; i++)
        captured_at = captured_at << 8 | stamp [i];
    return captured_at < cutoff;
}

int
bb_retention_step (bb_retention_t *self, bb_db_t *db, MDB_txn *txn,
                   uint64_t now_ms, size_t limit, size_t *deleted,
                   bool *done)
{
    assert (self && db && txn && deleted && done);
    uint64_t cutoff = now_ms > self->window_ms ? now_ms - self->window_ms
                                               : 0;
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (txn, bb_db_dbi (db, BB_DBI_HISTORY), &cursor);
    if (rc)
        return rc;
    MDB_val key = { self->resume_len, self->resume };
    MDB_val value, next;
    rc = mdb_cursor_get (cursor, &key, &value,
                         self->resume_len ? MDB_SET_RANGE : MDB_FIRST);
    for (size_t examined = 0; rc == 0 && examined < limit; examined++) {
        //  key stays valid across MDB_NEXT: nothing is written meanwhile
        rc = mdb_cursor_get (cursor, &next, &value, MDB_NEXT);
        if (rc == 0 && s_expired (&key, &next, cutoff))
            s_doom (self, &key);
        if (rc == 0)
            key = next;
    }
    *done = rc == MDB_NOTFOUND;
    self->resume_len = 0;
    if (rc == 0 && key.mv_size <= sizeof self->resume) {
        memcpy (self->resume, key.mv_data, key.mv_size);
        self->resume_len = key.mv_size;
    }
    mdb_cursor_close (cursor);
    if (rc && rc != MDB_NOTFOUND) {
        self->doomed_size = 0;
        return rc;
    }
    return s_delete_doomed (self, db, txn, deleted);
}
