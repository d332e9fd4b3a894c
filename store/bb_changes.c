/*  =========================================================================
    bb_changes - what one commit changed, as the query actor needs it

    Owns a growable array of bb_change_t plus the prices flag and the
    sequence number. On the PAIR a set is three frames: the command word,
    a header {seq, prices} and the entries as one array of structs.
    =========================================================================
*/
#include "bb_changes.h"
#include "bb_array.h"
#include "bb_log.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define BB_PRICES_FLAG ((size_t) 1 << (sizeof (size_t) * 8 - 1))

typedef struct {
    uint64_t seq;
    uint64_t prices;            // 1 if the prices changed
} header_t;

struct _bb_changes_t {
    bb_change_t *entries;       // appended in apply order
    size_t size;
    size_t capacity;
    bool prices;                // prices changed: revalue everyone
    uint64_t seq;               // commit the set brings a reader to
};

bb_changes_t *
bb_changes_new (void)
{
    bb_changes_t *self = calloc (1, sizeof *self);
    assert (self);
    return self;
}

void
bb_changes_destroy (bb_changes_t **self_p)
{
    assert (self_p);
    bb_changes_t *self = *self_p;
    if (!self)
        return;
    free (self->entries);
    free (self);
    *self_p = NULL;
}

void
bb_changes_reset (bb_changes_t *self)
{
    assert (self);
    self->size = 0;
    self->prices = false;
    self->seq = 0;
}

static bb_change_t *
s_append (bb_changes_t *self, bb_change_op_t op, const char *stx)
{
    self->entries = bb_array_grow (self->entries, self->size, &self->capacity,
                                   sizeof *self->entries, 256);
    bb_change_t *change = &self->entries [self->size++];
    memset (change, 0, sizeof *change);
    change->op = op;
    snprintf (change->stx, sizeof change->stx, "%s", stx);
    return change;
}

void
bb_changes_set (bb_changes_t *self, const char *stx,
                const bb_totals_rec_t *totals)
{
    assert (self && stx && totals);
    s_append (self, BB_CHANGE_SET, stx)->totals = *totals;
}

void
bb_changes_remove (bb_changes_t *self, const char *stx)
{
    assert (self && stx);
    s_append (self, BB_CHANGE_REMOVE, stx);
}

void
bb_changes_set_prices (bb_changes_t *self)
{
    assert (self);
    self->prices = true;
}

bool
bb_changes_prices (bb_changes_t *self)
{
    assert (self);
    return self->prices;
}

//  The mark is the size with the prices flag in its top bit.
size_t
bb_changes_mark (bb_changes_t *self)
{
    assert (self);
    return self->size | (self->prices ? BB_PRICES_FLAG : 0);
}

void
bb_changes_rollback (bb_changes_t *self, size_t mark)
{
    assert (self);
    size_t size = mark & ~BB_PRICES_FLAG;
    assert (size <= self->size);
    self->size = size;
    self->prices = (mark & BB_PRICES_FLAG) != 0;
}

size_t
bb_changes_size (bb_changes_t *self)
{
    assert (self);
    return self->size;
}

const bb_change_t *
bb_changes_at (bb_changes_t *self, size_t index)
{
    assert (self && index < self->size);
    return &self->entries [index];
}

void
bb_changes_set_seq (bb_changes_t *self, uint64_t seq)
{
    assert (self);
    self->seq = seq;
}

uint64_t
bb_changes_seq (bb_changes_t *self)
{
    assert (self);
    return self->seq;
}

int
bb_changes_send (bb_changes_t *self, zsock_t *socket)
{
    assert (self && socket);
    header_t header = { self->seq, self->prices ? 1 : 0 };
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, BB_CHANGES_COMMAND);
    zmsg_addmem (msg, &header, sizeof header);
    zmsg_addmem (msg, self->entries, self->size * sizeof *self->entries);
    int rc = zmsg_send (&msg, socket);
    if (rc)
        zmsg_destroy (&msg);
    return rc;
}

bb_changes_t *
bb_changes_decode (zmsg_t *msg)
{
    zframe_t *head = zmsg_first (msg);
    zframe_t *body = zmsg_next (msg);
    if (!head || !body || zframe_size (head) != sizeof (header_t)
    ||  zframe_size (body) % sizeof (bb_change_t) != 0) {
        bb_error ("changes_bad_message", "frames=%zu", zmsg_size (msg));
        return NULL;
    }
    header_t header;
    memcpy (&header, zframe_data (head), sizeof header);
    bb_changes_t *self = bb_changes_new ();
    self->seq = header.seq;
    self->prices = header.prices != 0;
    self->size = self->capacity = zframe_size (body) / sizeof (bb_change_t);
    if (self->size) {
        self->entries = malloc (zframe_size (body));
        assert (self->entries);
        memcpy (self->entries, zframe_data (body), zframe_size (body));
    }
    return self;
}
