/*  =========================================================================
    bb_buffer - bytes that grow as they come, kept NUL-terminated

    The room for the NUL is part of every capacity check, so an append
    never writes past what it allocated.
    =========================================================================
*/
#include "bb_buffer.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

int
bb_buffer_reserve (bb_buffer_t *self, size_t capacity)
{
    assert (self);
    if (capacity <= self->capacity)
        return 0;
    char *grown = realloc (self->data, capacity);
    if (!grown)
        return -1;
    self->data = grown;
    self->capacity = capacity;
    return 0;
}

int
bb_buffer_make_room (bb_buffer_t *self, size_t more)
{
    assert (self);
    size_t need = self->size + more + 1;
    if (need <= self->capacity)
        return 0;
    size_t capacity = self->capacity ? self->capacity : need;
    while (capacity < need)
        capacity *= 2;
    return bb_buffer_reserve (self, capacity);
}

int
bb_buffer_append (bb_buffer_t *self, const void *data, size_t size)
{
    assert (self);
    if (bb_buffer_make_room (self, size))
        return -1;
    memcpy (self->data + self->size, data, size);
    self->size += size;
    self->data [self->size] = 0;
    return 0;
}

void
bb_buffer_consume (bb_buffer_t *self, size_t count)
{
    assert (self && count <= self->size);
    if (count == 0)
        return;
    self->size -= count;
    memmove (self->data, self->data + count, self->size + 1);
}

void
bb_buffer_free (bb_buffer_t *self)
{
    assert (self);
    free (self->data);
    *self = (bb_buffer_t) { NULL, 0, 0 };
}
