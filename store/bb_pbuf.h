/*  =========================================================================
    bb_pbuf - protobuf wire bytes written straight from values

    The store's hot replies (a dashboard page: a hundred rows of an agent
    and its tokens) are written field by field into one growing buffer
    instead of being built as a heap tree of protobuf-c messages and then
    packed: no allocation per string or message, no strlen pass to size
    the tree, one buffer. The bytes are those protobuf-c packs for the same
    message (proto3: fields in number order, a zero number, a false bool
    and an empty string left out, a present submessage written even when
    empty), which tests/store/test_store_modules checks by packing the
    decoded bytes again.

    A submessage is a bracket: bb_pbuf_open writes its tag and returns a
    mark, the fields follow, bb_pbuf_close moves them up by the size of
    their length's varint and writes the length in front. Memory is the
    only failure, and it aborts, as bb_wire does.
    =========================================================================
*/
#ifndef BB_PBUF_H_INCLUDED
#define BB_PBUF_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

typedef struct _bb_pbuf_t bb_pbuf_t;

//  An empty buffer with room for capacity bytes before it grows.
bb_pbuf_t *bb_pbuf_new (size_t capacity);

//  Free the buffer and its bytes, set *self_p to NULL. NULL-safe.
void bb_pbuf_destroy (bb_pbuf_t **self_p);

//  A varint field (uint32, uint64, enum, bool): left out when 0.
void bb_pbuf_uint (bb_pbuf_t *self, uint32_t field, uint64_t value);

//  An int64 field (two's complement varint): left out when 0.
void bb_pbuf_int (bb_pbuf_t *self, uint32_t field, int64_t value);

//  A string field: left out when NULL or empty.
void bb_pbuf_string (bb_pbuf_t *self, uint32_t field, const char *text);

//  Open the submessage field; returns the mark bb_pbuf_close takes.
size_t bb_pbuf_open (bb_pbuf_t *self, uint32_t field);

//  Close the submessage opened at mark (the innermost open one).
void bb_pbuf_close (bb_pbuf_t *self, size_t mark);

//  Bytes written so far.
size_t bb_pbuf_size (bb_pbuf_t *self);

//  Hand the bytes to the caller (who frees them; never NULL) and their
//  count in *size; the buffer is empty after.
uint8_t *bb_pbuf_take (bb_pbuf_t *self, size_t *size);

#endif
