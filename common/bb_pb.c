/*  =========================================================================
    bb_pb - protobuf-c replies built on the heap

    Owns nothing: allocation helpers that keep every reply freeable
    by protobuf-c's own free routine.
    =========================================================================
*/
#include "bb_pb.h"

#include <string.h>

void *
bb_pb_new (const ProtobufCMessageDescriptor *descriptor)
{
    ProtobufCMessage *message = malloc (descriptor->sizeof_message);
    assert (message);
    protobuf_c_message_init (descriptor, message);
    return message;
}

void *
bb_pb_copy (const void *message)
{
    assert (message);
    const ProtobufCMessage *original = (const ProtobufCMessage *) message;
    size_t size = protobuf_c_message_get_packed_size (original);
    uint8_t *bytes = malloc (size ? size : 1);
    assert (bytes);
    protobuf_c_message_pack (original, bytes);
    ProtobufCMessage *copy = protobuf_c_message_unpack (
        original->descriptor, NULL, size, bytes);
    assert (copy);
    free (bytes);
    return copy;
}

char *
bb_pb_strdup (const char *text)
{
    char *copy = strdup (text ? text : "");
    assert (copy);
    return copy;
}

bb_envelope_t *
bb_pb_envelope (uint64_t request_id)
{
    bb_envelope_t *envelope = bb_pb_new (&balboard__envelope__descriptor);
    bb_wire_envelope_init (envelope);
    envelope->request_id = request_id;
    return envelope;
}

bb_envelope_t *
bb_pb_error (uint64_t request_id, Balboard__ErrorReply__Code code,
             const char *reason)
{
    bb_envelope_t *envelope = bb_pb_envelope (request_id);
    envelope->body_case = BALBOARD__ENVELOPE__BODY_ERROR;
    envelope->error = bb_pb_new (&balboard__error_reply__descriptor);
    envelope->error->code = code;
    envelope->error->reason = bb_pb_strdup (reason);
    return envelope;
}

Balboard__JobReport *
bb_pb_job_report (const char *job_id, uint32_t attempt,
                  const char *fetcher_id)
{
    Balboard__JobReport *report = bb_pb_new (&balboard__job_report__descriptor);
    report->job_id = bb_pb_strdup (job_id);
    report->attempt = attempt;
    report->fetcher_id = bb_pb_strdup (fetcher_id);
    return report;
}
