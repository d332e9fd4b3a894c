/*  =========================================================================
    bb_balances - the non-zero token positions one source reported

    A growable array of owned token ids and amounts. Removing keeps the
    order of the others, so a batch lists positions as the upstream did.
    =========================================================================
*/
#include "bb_balances.h"
#include "bb_array.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_CAPACITY 8

typedef struct {
    char *token_id;             // owned
    bb_u128_t amount;           // never 0
} position_t;

struct _bb_balances_t {
    position_t *items;          // owned, capacity entries
    size_t size;                // entries used
    size_t capacity;
};

bb_balances_t *
bb_balances_new (void)
{
    bb_balances_t *self = calloc (1, sizeof *self);
    assert (self);
    return self;
}

void
bb_balances_destroy (bb_balances_t **self_p)
{
    assert (self_p);
    bb_balances_t *self = *self_p;
    if (!self)
        return;
    bb_balances_clear (self);
    free (self->items);
    free (self);
    *self_p = NULL;
}

//  Index of token_id, or size when absent.
static size_t
s_index (bb_balances_t *self, const char *token_id)
{
    size_t index = 0;
    while (index < self->size
        && strcmp (self->items [index].token_id, token_id) != 0)
        index++;
    return index;
}

static void
s_remove (bb_balances_t *self, size_t index)
{
    free (self->items [index].token_id);
    memmove (&self->items [index], &self->items [index + 1],
             (self->size - index - 1) * sizeof self->items [0]);
    self->size--;
}

static void
s_append (bb_balances_t *self, const char *token_id, bb_u128_t amount)
{
    self->items = bb_array_grow (self->items, self->size, &self->capacity,
                                 sizeof self->items [0], INITIAL_CAPACITY);
    self->items [self->size].token_id = strdup (token_id);
    assert (self->items [self->size].token_id);
    self->items [self->size].amount = amount;
    self->size++;
}

void
bb_balances_set (bb_balances_t *self, const char *token_id,
                 bb_u128_t amount)
{
    assert (self);
    assert (token_id);
    size_t index = s_index (self, token_id);
    if (index < self->size && amount)
        self->items [index].amount = amount;
    else
    if (index < self->size)
        s_remove (self, index);
    else
    if (amount)
        s_append (self, token_id, amount);
}

void
bb_balances_clear (bb_balances_t *self)
{
    assert (self);
    for (size_t index = 0; index < self->size; index++)
        free (self->items [index].token_id);
    self->size = 0;
}

size_t
bb_balances_size (bb_balances_t *self)
{
    assert (self);
    return self->size;
}

const char *
bb_balances_token (bb_balances_t *self, size_t index)
{
    assert (self);
    assert (index < self->size);
    return self->items [index].token_id;
}

bb_u128_t
bb_balances_amount (bb_balances_t *self, size_t index)
{
    assert (self);
    assert (index < self->size);
    return self->items [index].amount;
}

bb_u128_t
bb_balances_find (bb_balances_t *self, const char *token_id)
{
    assert (self);
    size_t index = s_index (self, token_id);
    return index < self->size ? self->items [index].amount : 0;
}
