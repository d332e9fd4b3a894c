/*  =========================================================================
    bb_buffer - bytes that grow as they come, kept NUL-terminated

    Owns the memory of bytes that come in pieces (an HTTP response or
    upload, an event stream, encoded protobuf): each append copies the
    piece after the bytes so far and puts a NUL after it, so the whole
    reads as a string; a writer may also make room and write in place
    (then the NUL is its own business). A plain struct the holder
    embeds, zeroed to start; whoever holds it calls bb_buffer_free. What
    may come at most is the holder's to check before appending.
    =========================================================================
*/
#ifndef BB_BUFFER_H_INCLUDED
#define BB_BUFFER_H_INCLUDED

#include <stddef.h>

typedef struct {
    char *data;             // owned; NUL-terminated after an append, else
                            // NULL (or what a holder put back, size 0)
    size_t size;            // bytes appended, the NUL not counted
    size_t capacity;        // bytes allocated, the NUL's included
} bb_buffer_t;

//  Make the capacity at least capacity bytes. Returns 0, or -1 when
//  memory runs out (self unchanged).
int bb_buffer_reserve (bb_buffer_t *self, size_t capacity);

//  Make room for more bytes after the size appended and a NUL after them.
//  When they do not fit, the capacity doubles (from what the first bytes
//  need) until they do: bytes that keep coming are copied a few times,
//  not once a chunk. Returns 0, or -1 when memory runs out (self
//  unchanged).
int bb_buffer_make_room (bb_buffer_t *self, size_t more);

//  Append size bytes of data and a NUL after them, making room as
//  bb_buffer_make_room does. Returns 0, or -1 when memory runs out (self
//  unchanged).
int bb_buffer_append (bb_buffer_t *self, const void *data, size_t size);

//  Drop the first count bytes (at most size): the rest moves to the
//  front, its NUL with it.
void bb_buffer_consume (bb_buffer_t *self, size_t count);

//  Free the bytes and zero self.
void bb_buffer_free (bb_buffer_t *self);

#endif
