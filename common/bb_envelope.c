/*  =========================================================================
    bb_envelope - an envelope built around the body it carries

    See bb_envelope.h. The body's member is the Envelope's field whose
    message descriptor is the body's; its number is the body_case value
    (protobuf-c numbers a oneof's cases by field number).
    =========================================================================
*/
#include "bb_envelope.h"
#include "bb_pb.h"

#include <assert.h>

//  The Envelope's field of a body of type descriptor, or NULL.
static const ProtobufCFieldDescriptor *
s_body_field (const ProtobufCMessageDescriptor *descriptor)
{
    const ProtobufCMessageDescriptor *envelope =
        &balboard__envelope__descriptor;
    for (unsigned index = 0; index < envelope->n_fields; index++) {
        const ProtobufCFieldDescriptor *field = &envelope->fields [index];
        if ((field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        &&  field->type == PROTOBUF_C_TYPE_MESSAGE
        &&  field->descriptor == descriptor)
            return field;
    }
    return NULL;
}

//  Set body as envelope's body: its case and its member.
static void
s_set_body (bb_envelope_t *envelope, void *body)
{
    assert (body);
    const ProtobufCFieldDescriptor *field =
        s_body_field (((ProtobufCMessage *) body)->descriptor);
    assert (field);
    envelope->body_case = (Balboard__Envelope__BodyCase) field->id;
    *(void **) ((char *) envelope + field->offset) = body;
}

bb_envelope_t *
bb_envelope_new (uint64_t request_id, void *body)
{
    bb_envelope_t *envelope = bb_pb_envelope (request_id);
    s_set_body (envelope, body);
    return envelope;
}

bb_envelope_t *
bb_envelope_wrap (bb_envelope_t *envelope, uint64_t request_id, void *body)
{
    assert (envelope);
    bb_wire_envelope_init (envelope);
    envelope->request_id = request_id;
    s_set_body (envelope, body);
    return envelope;
}
