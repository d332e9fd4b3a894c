/*  =========================================================================
    bb_retention - the history retention sweep

    History points older than the window (--history-days, 90 by default)
    are deleted in bounded steps, so a sweep never holds the write path for
    long: each step examines at most a fixed number of points from where
    the previous step stopped, in key order, and the ingest actor runs one
    step per timer tick in its own write transaction. A series (agent,
    token) always keeps its newest point, even an old one, so a balance
    that has not changed for longer than the window still has a value in
    its history. Owned and driven by the ingest actor only.
    =========================================================================
*/
#ifndef BB_RETENTION_H_INCLUDED
#define BB_RETENTION_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "bb_db.h"

typedef struct _bb_retention_t bb_retention_t;

//  A sweep that keeps points newer than window_ms.
bb_retention_t *bb_retention_new (uint64_t window_ms);
void bb_retention_destroy (bb_retention_t **self_p);

//  Run one step through txn at now_ms, examining at most limit points.
//  Adds the points deleted to *deleted and sets *done when the step
//  reached the end of the history (the next step starts a new pass).
//  Returns 0 or an LMDB error (abort txn; the next step resumes).
int bb_retention_step (bb_retention_t *self, bb_db_t *db, MDB_txn *txn,
                       uint64_t now_ms, size_t limit, size_t *deleted,
                       bool *done);

#endif
