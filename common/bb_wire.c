/*  =========================================================================
    bb_wire - the one codec between ZeroMQ frames and protobuf envelopes

    Owns protobuf-c pack/unpack/free_unpacked for the Envelope and the
    framing rules per socket type. Every path that can fail on peer input
    returns an error value with a reason; asserts guard only our own calls.
    =========================================================================
*/
#include "bb_wire.h"
#include "bb_log.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Linger on close: enough to flush a final reply, never a hang at exit.
#define BB_WIRE_LINGER_MS 200

zsock_t *
bb_wire_socket_new (int type, const char *endpoint)
{
    zsock_t *socket = zsock_new (type);
    if (!socket) {
        bb_error ("socket_failed", "type=%d", type);
        return NULL;
    }
    zsock_set_maxmsgsize (socket, BB_WIRE_MAX_MSG_SIZE);
    zsock_set_linger (socket, BB_WIRE_LINGER_MS);
    if (type == ZMQ_ROUTER)
        zsock_set_router_mandatory (socket, 0);
    if (endpoint && bb_wire_attach (socket, endpoint))
        zsock_destroy (&socket);
    return socket;
}

int
bb_wire_attach (zsock_t *socket, const char *endpoint)
{
    assert (socket && endpoint);
    if (zsock_attach (socket, endpoint, zsock_type (socket) == ZMQ_ROUTER)
        == 0)
        return 0;
    bb_error ("socket_attach_failed", "endpoint=%s error=\"%s\"",
              endpoint, zmq_strerror (zmq_errno ()));
    return -1;
}

char *
bb_wire_connect_endpoint (const char *bind, char *endpoint, size_t size)
{
    const char *host = strstr (bind, "://");
    host = host ? host + 3 : bind;
    int scheme = (int) (host - bind);
    if (strncmp (host, "*:", 2) == 0 || strncmp (host, "0.0.0.0:", 8) == 0)
        snprintf (endpoint, size, "%.*s127.0.0.1%s", scheme, bind,
                  strchr (host, ':'));
    else
        snprintf (endpoint, size, "%s", bind);
    return endpoint;
}

void
bb_wire_envelope_init (bb_envelope_t *envelope)
{
    assert (envelope);
    balboard__envelope__init (envelope);
    envelope->version = BB_PROTOCOL_VERSION;
}

//  True if body_case names a message we know. An envelope from a newer
//  peer with a body we do not know decodes with no body set.
static bool
s_body_known (Balboard__Envelope__BodyCase body_case)
{
    return body_case != BALBOARD__ENVELOPE__BODY__NOT_SET
        && strcmp (bb_wire_body_name (body_case), "unknown") != 0;
}

//  True if message, or a message inside it, holds an unknown field of
//  number 0. No valid protobuf has one, but protobuf-c accepts it when
//  the tag takes more bytes than it needs ("82 00"), and then packs it
//  into bytes no decoder accepts: such an envelope could not be sent on.
static bool
s_has_field_zero (const ProtobufCMessage *message)
{
    for (unsigned i = 0; i < message->n_unknown_fields; i++)
        if (message->unknown_fields [i].tag == 0)
            return true;
    const char *base = (const char *) message;
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields [i];
        if (field->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const void *value = base + field->offset;
        const void *quantifier = base + field->quantifier_offset;
        size_t count = 1;
        ProtobufCMessage *const *children = value;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            count = *(const size_t *) quantifier;
            children = *(ProtobufCMessage *const *const *) value;
        }
        else
        if ((field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        &&  *(const uint32_t *) quantifier != field->id)
            continue;           // another member of the oneof is set
        for (size_t j = 0; j < count; j++)
            if (children [j] && s_has_field_zero (children [j]))
                return true;
    }
    return false;
}

bb_envelope_t *
bb_wire_decode (const void *data, size_t size, size_t max_size,
                char *reason, size_t reason_size)
{
    if (size > max_size) {
        bb_reason_fail (reason, reason_size, "frame of %zu bytes exceeds the "
                  "%zu-byte maximum", size, max_size);
        return NULL;
    }
    if (size == 0) {
        bb_reason_fail (reason, reason_size, "empty frame");
        return NULL;
    }
    bb_envelope_t *envelope = balboard__envelope__unpack (NULL, size, data);
    if (!envelope) {
        bb_reason_fail (reason, reason_size, "not a valid protobuf envelope "
                  "(%zu bytes)", size);
        return NULL;
    }
    if (s_has_field_zero (&envelope->base)) {
        bb_reason_fail (reason, reason_size, "not a valid protobuf envelope "
                  "(field number 0)");
        bb_wire_envelope_destroy (&envelope);
        return NULL;
    }
    if (envelope->version != BB_PROTOCOL_VERSION) {
        bb_reason_fail (reason, reason_size, "protocol version %u, expected %u",
                  envelope->version, BB_PROTOCOL_VERSION);
        bb_wire_envelope_destroy (&envelope);
        return NULL;
    }
    if (!s_body_known (envelope->body_case)) {
        bb_reason_fail (reason, reason_size, "envelope has no known body");
        bb_wire_envelope_destroy (&envelope);
        return NULL;
    }
    return envelope;
}

void
bb_wire_envelope_destroy (bb_envelope_t **envelope_p)
{
    assert (envelope_p);
    if (*envelope_p) {
        balboard__envelope__free_unpacked (*envelope_p, NULL);
        *envelope_p = NULL;
    }
}

zframe_t *
bb_wire_encode (const bb_envelope_t *envelope)
{
    assert (envelope);
    assert (envelope->body_case != BALBOARD__ENVELOPE__BODY__NOT_SET);
    bb_envelope_t versioned = *envelope;
    versioned.version = BB_PROTOCOL_VERSION;
    size_t size = balboard__envelope__get_packed_size (&versioned);
    zframe_t *frame = zframe_new (NULL, size);
    if (!frame
    ||  balboard__envelope__pack (&versioned, zframe_data (frame)) != size)
        abort ();       // out of memory or a protobuf-c defect
    return frame;
}

uint8_t *
bb_wire_encode_body (const bb_envelope_t *envelope, size_t *size)
{
    assert (envelope && size);
    assert (envelope->body_case != BALBOARD__ENVELOPE__BODY__NOT_SET);
    bb_envelope_t body = *envelope;
    body.version = 0;           // the header fields are left out
    body.request_id = 0;
    *size = balboard__envelope__get_packed_size (&body);
    uint8_t *bytes = malloc (*size ? *size : 1);
    if (!bytes || balboard__envelope__pack (&body, bytes) != *size)
        abort ();       // out of memory or a protobuf-c defect
    return bytes;
}

zframe_t *
bb_wire_encode_spliced (uint64_t request_id, const uint8_t *body, size_t size)
{
    assert (body || !size);
    bb_envelope_t header;
    bb_wire_envelope_init (&header);
    header.request_id = request_id;
    size_t head = balboard__envelope__get_packed_size (&header);
    zframe_t *frame = zframe_new (NULL, head + size);
    if (!frame)
        abort ();       // out of memory
    balboard__envelope__pack (&header, zframe_data (frame));
    if (size)
        memcpy (zframe_data (frame) + head, body, size);
    return frame;
}

int
bb_wire_send_frame (zsock_t *socket, zframe_t *peer, zframe_t **frame_p)
{
    assert (socket && frame_p && *frame_p);
    //  The routing id goes out as a copy of peer's message (no frame or
    //  message object is made for it); once it is out the body must
    //  follow, so an interrupted send is tried again, as zmsg_send does.
    int rc = peer ? zframe_send (&peer, socket, ZFRAME_MORE | ZFRAME_REUSE)
                  : 0;
    if (rc == 0)
        while ((rc = zframe_send (frame_p, socket, 0)) != 0
           &&  errno == EINTR && peer)
            ;
    zframe_destroy (frame_p);
    return rc;
}

int
bb_wire_send (zsock_t *socket, zframe_t *peer, const bb_envelope_t *envelope)
{
    assert (socket);
    zframe_t *frame = bb_wire_encode (envelope);
    return bb_wire_send_frame (socket, peer, &frame);
}

void
bb_wire_msg_reset (bb_wire_msg_t *msg)
{
    if (!msg)
        return;
    zframe_destroy (&msg->peer);
    bb_wire_envelope_destroy (&msg->envelope);
    msg->reason [0] = '\0';
    msg->user_id [0] = '\0';
}

bb_wire_result_t
bb_wire_recv (zsock_t *socket, bb_wire_msg_t *msg)
{
    assert (socket && msg);
    bb_wire_msg_reset (msg);
    zmsg_t *zmsg = zmsg_recv (socket);
    if (!zmsg)
        return BB_WIRE_INTERRUPTED;
    if (zsock_type (socket) == ZMQ_ROUTER)
        msg->peer = zmsg_pop (zmsg);
    bb_wire_result_t result = BB_WIRE_BAD_FRAME;
    if (zmsg_size (zmsg) != 1)
        bb_reason_fail (msg->reason, sizeof msg->reason, "expected one envelope "
                  "frame, got %zu", zmsg_size (zmsg));
    else {
        zframe_t *frame = zmsg_first (zmsg);
        const char *user_id = zframe_meta (frame, "User-Id");
        snprintf (msg->user_id, sizeof msg->user_id, "%s",
                  user_id ? user_id : "");
        msg->envelope = bb_wire_decode (zframe_data (frame),
                                        zframe_size (frame),
                                        BB_WIRE_MAX_MSG_SIZE, msg->reason,
                                        sizeof msg->reason);
        if (msg->envelope)
            result = BB_WIRE_OK;
    }
    zmsg_destroy (&zmsg);
    return result;
}

const char *
bb_wire_body_name (Balboard__Envelope__BodyCase body_case)
{
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field (
            &balboard__envelope__descriptor, (unsigned) body_case);
    if (body_case == BALBOARD__ENVELOPE__BODY__NOT_SET)
        return "none";
    if (!field || !(field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
        return "unknown";
    return field->name;
}

//  The encoded envelope replying to request_id with ErrorReply{code,
//  reason}.
static zframe_t *
s_error_frame (uint64_t request_id, Balboard__ErrorReply__Code code,
               const char *reason)
{
    Balboard__ErrorReply error = BALBOARD__ERROR_REPLY__INIT;
    error.code = code;
    error.reason = (char *) (reason ? reason : "");
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.request_id = request_id;
    envelope.body_case = BALBOARD__ENVELOPE__BODY_ERROR;
    envelope.error = &error;
    return bb_wire_encode (&envelope);
}

int
bb_wire_send_error (zsock_t *socket, zframe_t *peer, uint64_t request_id,
                    Balboard__ErrorReply__Code code, const char *reason)
{
    assert (socket);
    zframe_t *frame = s_error_frame (request_id, code, reason);
    return bb_wire_send_frame (socket, peer, &frame);
}

//  Each thread that answers frames logs at most REJECTION_LOG_BURST
//  rejections a second (a flood must not grow the log without bound);
//  each line counts those held back before it (unlogged=).
#define REJECTION_LOG_BURST         10
#define REJECTION_LOG_INTERVAL_MS   1000

static void
s_log_rejection (const char *event, const char *name, const char *reason)
{
    static _Thread_local bb_log_limit_t limit = {
        .burst = REJECTION_LOG_BURST,
        .interval_ms = REJECTION_LOG_INTERVAL_MS
    };
    uint64_t unlogged;
    if (!bb_log_limit_pass (&limit, zclock_mono (), &unlogged))
        return;
    char quoted [2 * BB_REASON_SIZE];
    bb_warn (event, "socket=%s reason=%s unlogged=%" PRIu64, name,
             bb_log_quote (reason, quoted, sizeof quoted), unlogged);
}

zframe_t *
bb_wire_rejection (const char *name, const bb_wire_msg_t *msg)
{
    assert (name && msg);
    char reason [BB_REASON_SIZE];
    Balboard__ErrorReply__Code code = BALBOARD__ERROR_REPLY__CODE__BAD_FRAME;
    uint64_t request_id = 0;
    if (msg->envelope) {
        code = BALBOARD__ERROR_REPLY__CODE__UNSUPPORTED;
        request_id = msg->envelope->request_id;
        snprintf (reason, sizeof reason, "%s is not served on the %s socket",
                  bb_wire_body_name (msg->envelope->body_case), name);
    }
    else
        snprintf (reason, sizeof reason, "%s", msg->reason);
    s_log_rejection (msg->envelope ? "unsupported" : "bad_frame", name,
                     reason);
    return s_error_frame (request_id, code, reason);
}

void
bb_wire_reject (zsock_t *socket, const char *name, const bb_wire_msg_t *msg)
{
    assert (socket && name && msg);
    zframe_t *frame = bb_wire_rejection (name, msg);
    if (msg->peer && zsock_type (socket) == ZMQ_ROUTER)
        bb_wire_send_frame (socket, msg->peer, &frame);
    zframe_destroy (&frame);
}
