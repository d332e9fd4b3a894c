/*  =========================================================================
    bb_changes - what one commit changed, as the query actor needs it

    The ingest actor collects a change set while it applies a round of
    messages and sends it over the inproc PAIR right after the commit; the
    query actor applies it to its rank index before it serves the next
    query. A change set carries the commit sequence number it brings the
    reader to, the agents whose valued components changed (with the new
    components) or that were removed, and whether the prices changed
    (then every agent is revalued). Entries are only ever appended; a mark
    and a rollback drop those of a nested transaction that was aborted.
    The bytes stay inside the process, so entries travel as plain structs.
    =========================================================================
*/
#ifndef BB_CHANGES_H_INCLUDED
#define BB_CHANGES_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <czmq.h>

#include "bb_record.h"

typedef enum {
    BB_CHANGE_SET,          // agent valued anew (inserted or updated)
    BB_CHANGE_REMOVE,       // agent left the registry
} bb_change_op_t;

typedef struct {
    bb_change_op_t op;
    char stx [BB_STX_SIZE];
    bb_totals_rec_t totals;     // with BB_CHANGE_SET
} bb_change_t;

typedef struct _bb_changes_t bb_changes_t;

bb_changes_t *bb_changes_new (void);
void bb_changes_destroy (bb_changes_t **self_p);

//  Empty the set (keeps its memory).
void bb_changes_reset (bb_changes_t *self);

//  Record that stx now has totals / left the registry.
void bb_changes_set (bb_changes_t *self, const char *stx,
                     const bb_totals_rec_t *totals);
void bb_changes_remove (bb_changes_t *self, const char *stx);

//  Record that the price snapshot changed.
void bb_changes_set_prices (bb_changes_t *self);
bool bb_changes_prices (bb_changes_t *self);

//  A position to roll back to, and the rollback. The prices flag is part
//  of the mark.
size_t bb_changes_mark (bb_changes_t *self);
void bb_changes_rollback (bb_changes_t *self, size_t mark);

size_t bb_changes_size (bb_changes_t *self);
const bb_change_t *bb_changes_at (bb_changes_t *self, size_t index);

//  The commit sequence number the set brings a reader to.
void bb_changes_set_seq (bb_changes_t *self, uint64_t seq);
uint64_t bb_changes_seq (bb_changes_t *self);

//  The command word of a change set message on the PAIR.
#define BB_CHANGES_COMMAND "CHANGES"

//  Send the set as [CHANGES][header][entries] on socket. Returns 0 or -1.
int bb_changes_send (bb_changes_t *self, zsock_t *socket);

//  Decode the rest of a CHANGES message (command frame already popped)
//  into a new set. Returns NULL if the frames are not a change set
//  (a programmer error between our own actors; logged).
bb_changes_t *bb_changes_decode (zmsg_t *msg);

#endif
