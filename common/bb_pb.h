/*  =========================================================================
    bb_pb - protobuf-c replies built on the heap

    Every message balboard builds to keep (the store's replies, the
    fetcher's batches and reports) is a tree of malloc'd protobuf-c
    messages, strings and arrays, so that one protobuf_c_message_free_unpacked
    call (bb_wire_envelope_destroy for an envelope) frees the whole tree,
    the same way a decoded message is freed. A string left at its _INIT value
    (the shared empty string) is never freed, as protobuf-c intends.
    =========================================================================
*/
#ifndef BB_PB_H_INCLUDED
#define BB_PB_H_INCLUDED

#include <assert.h>
#include <stdlib.h>
#include <protobuf-c/protobuf-c.h>

#include "bb_wire.h"

//  A new message of type descriptor, initialised; caller owns it.
void *bb_pb_new (const ProtobufCMessageDescriptor *descriptor);

//  A deep copy of message (any protobuf-c message, by its descriptor), as
//  if decoded: free it with protobuf_c_message_free_unpacked (or the
//  type's __free_unpacked). Caller owns it.
void *bb_pb_copy (const void *message);

//  A heap copy of text for a string field.
char *bb_pb_strdup (const char *text);

//  A new envelope (version set, no body) replying to request_id.
bb_envelope_t *bb_pb_envelope (uint64_t request_id);

//  A new envelope replying to request_id with ErrorReply{code, reason}.
bb_envelope_t *bb_pb_error (uint64_t request_id,
                            Balboard__ErrorReply__Code code,
                            const char *reason);

//  A new JobReport from fetcher_id on attempt of job_id (both copied),
//  the rest to fill; caller owns it.
Balboard__JobReport *bb_pb_job_report (const char *job_id, uint32_t attempt,
                                       const char *fetcher_id);

//  Append item to the repeated field array (count elements).
#define BB_PB_PUSH(array, count, item) do { \
    (array) = realloc ((array), ((count) + 1) * sizeof *(array)); \
    assert (array); \
    (array) [(count)++] = (item); \
} while (0)

#endif
