/*  =========================================================================
    bb_pbuf - protobuf wire bytes written straight from values

    See bb_pbuf.h. Wire format: a field is its key (field number << 3 |
    wire type) as a varint, then a varint (type 0) or a varint length and
    that many bytes (type 2). The bytes are a bb_buffer written in place:
    it doubles when a write would not fit, so a page costs a few
    reallocations at most.
    =========================================================================
*/
#include "bb_pbuf.h"
#include "bb_buffer.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define VARINT_MAX          10      // bytes of a 64-bit varint
#define WIRE_VARINT         0
#define WIRE_LENGTH         2

struct _bb_pbuf_t {
    bb_buffer_t bytes;          // the message so far
};

bb_pbuf_t *
bb_pbuf_new (size_t capacity)
{
    bb_pbuf_t *self = calloc (1, sizeof *self);
    assert (self);
    if (bb_buffer_reserve (&self->bytes, capacity ? capacity : 1))
        abort ();               // out of memory
    return self;
}

void
bb_pbuf_destroy (bb_pbuf_t **self_p)
{
    assert (self_p);
    bb_pbuf_t *self = *self_p;
    if (!self)
        return;
    bb_buffer_free (&self->bytes);
    free (self);
    *self_p = NULL;
}

//  Make room for more bytes after the ones written; returns where they
//  go.
static uint8_t *
s_reserve (bb_pbuf_t *self, size_t more)
{
    if (bb_buffer_make_room (&self->bytes, more))
        abort ();               // out of memory
    return (uint8_t *) self->bytes.data + self->bytes.size;
}

//  The varint of value into out; returns its length.
static size_t
s_varint (uint8_t *out, uint64_t value)
{
    size_t length = 0;
    while (value >= 0x80) {
        out [length++] = (uint8_t) (value | 0x80);
        value >>= 7;
    }
    out [length++] = (uint8_t) value;
    return length;
}

static void
s_put_varint (bb_pbuf_t *self, uint64_t value)
{
    self->bytes.size += s_varint (s_reserve (self, VARINT_MAX), value);
}

void
bb_pbuf_uint (bb_pbuf_t *self, uint32_t field, uint64_t value)
{
    assert (self);
    if (value == 0)
        return;
    s_put_varint (self, (uint64_t) field << 3 | WIRE_VARINT);
    s_put_varint (self, value);
}

void
bb_pbuf_int (bb_pbuf_t *self, uint32_t field, int64_t value)
{
    bb_pbuf_uint (self, field, (uint64_t) value);
}

void
bb_pbuf_string (bb_pbuf_t *self, uint32_t field, const char *text)
{
    assert (self);
    size_t length = text ? strlen (text) : 0;
    if (length == 0)
        return;
    s_put_varint (self, (uint64_t) field << 3 | WIRE_LENGTH);
    s_put_varint (self, length);
    memcpy (s_reserve (self, length), text, length);
    self->bytes.size += length;
}

size_t
bb_pbuf_open (bb_pbuf_t *self, uint32_t field)
{
    assert (self);
    s_put_varint (self, (uint64_t) field << 3 | WIRE_LENGTH);
    return self->bytes.size;
}

void
bb_pbuf_close (bb_pbuf_t *self, size_t mark)
{
    assert (self && mark <= self->bytes.size);
    size_t length = self->bytes.size - mark;
    uint8_t prefix [VARINT_MAX];
    size_t prefix_length = s_varint (prefix, length);
    s_reserve (self, prefix_length);
    char *at = self->bytes.data + mark;
    memmove (at + prefix_length, at, length);
    memcpy (at, prefix, prefix_length);
    self->bytes.size += prefix_length;
}

size_t
bb_pbuf_size (bb_pbuf_t *self)
{
    assert (self);
    return self->bytes.size;
}

uint8_t *
bb_pbuf_take (bb_pbuf_t *self, size_t *size)
{
    assert (self && size);
    uint8_t *bytes = (uint8_t *) self->bytes.data;
    *size = self->bytes.size;
    self->bytes = (bb_buffer_t) { NULL, 0, 0 };
    if (!bytes && !(bytes = malloc (1)))
        abort ();               // out of memory
    return bytes;
}
