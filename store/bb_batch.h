/*  =========================================================================
    bb_batch - a balance batch or price snapshot, checked and applied

    Implements "Batch semantics" of docs/protocol.md. A batch is validated
    whole before anything is written; a malformed one is rejected with a
    reason. Applying it is idempotent per (agent, source): a result whose
    captured_at is not newer than the newest applied for that source is
    skipped, so a replayed or older batch changes nothing and is a
    duplicate. FETCH_OK replaces the source's rows (absent tokens become a
    real zero); a failed source keeps its rows and marks them stale.
    History gets a point when a token's amount changes (or first appears).
    Agents not in the registry are skipped.
    =========================================================================
*/
#ifndef BB_BATCH_H_INCLUDED
#define BB_BATCH_H_INCLUDED

#include "balboard.pb-c.h"
#include "bb_write.h"

//  Check batch against the protocol for network. Returns 0, or -1 with
//  the reason in reason (size bytes). Pure.
int bb_batch_validate (const Balboard__BalanceBatch *batch,
                       bb_network_t network, char *reason, size_t size);

//  Apply a valid batch through write and fill ack (status COMMITTED or
//  DUPLICATE, rows_written, job_id, attempt). Returns 0, or an LMDB error:
//  the caller aborts the nested txn.
int bb_batch_apply (bb_write_t *write, const Balboard__BalanceBatch *batch,
                    Balboard__BatchAck *ack);

//  Check a price snapshot. Returns 0, or -1 with reason.
int bb_batch_validate_prices (const Balboard__PriceSnapshot *prices,
                              char *reason, size_t size);

//  Store a valid price snapshot if it is newer than the current one;
//  fills ack (COMMITTED or DUPLICATE). Returns 0 or an LMDB error.
int bb_batch_apply_prices (bb_write_t *write,
                           const Balboard__PriceSnapshot *prices,
                           Balboard__BatchAck *ack);

#endif
