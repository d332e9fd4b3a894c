/*  =========================================================================
    bb_wire - the one codec between ZeroMQ frames and protobuf envelopes

    Nothing else in balboard touches raw message bytes. Receiving checks, in
    order: the frame count for the socket type, the size against the
    maximum, the protobuf decode, the protocol version and that the oneof
    holds a body. Any failure is an error value with a reason for the log
    and for an ErrorReply; a bad frame never crashes a process.

    Sockets: a ROUTER sees [routing id][envelope]; DEALER and PAIR see
    [envelope]. bb_wire_socket_new sets ZMQ_MAXMSGSIZE and a linger on
    every socket it makes.
    =========================================================================
*/
#ifndef BB_WIRE_H_INCLUDED
#define BB_WIRE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <czmq.h>

#include "balboard.pb-c.h"

#include "bb_reason.h"

#define BB_PROTOCOL_VERSION 1

//  Largest envelope any socket accepts (a 500-row page or a 100-agent batch
//  is well under 1 MiB; an agent import of 10k agents is ~2 MiB).
#define BB_WIRE_MAX_MSG_SIZE (8 * 1024 * 1024)


typedef Balboard__Envelope bb_envelope_t;

//  Outcome of a receive.
typedef enum {
    BB_WIRE_OK = 0,
    BB_WIRE_INTERRUPTED = -1,   // no message: interrupted or timed out
    BB_WIRE_BAD_FRAME = -2,     // a message came but is not a valid envelope
} bb_wire_result_t;

//  A CURVE public key in Z85, with its terminator.
#define BB_WIRE_USER_ID_SIZE 41

//  A received message. Owned by the caller; free with bb_wire_msg_reset.
typedef struct {
    zframe_t *peer;             // routing id (ROUTER sockets), else NULL
    bb_envelope_t *envelope;    // decoded, or NULL on BB_WIRE_BAD_FRAME
    char reason[BB_REASON_SIZE];   // why a frame was bad
    char user_id[BB_WIRE_USER_ID_SIZE];  // sender's CURVE key, "" without
} bb_wire_msg_t;

//  Create a socket of type (ZMQ_ROUTER, ZMQ_DEALER, ...) with the maximum
//  message size set, and bind (endpoint starts with '@') or connect ('>')
//  as zsock_new_xxx do. Returns NULL and logs on failure.
zsock_t *bb_wire_socket_new (int type, const char *endpoint);

//  Bind (endpoint starts with '@') or connect ('>') socket, ROUTERs
//  binding by default. Returns 0, or -1 (logged).
int bb_wire_attach (zsock_t *socket, const char *endpoint);

//  The endpoint a client on this host connects to for bind endpoint
//  ("tcp://*:7702" and "tcp://0.0.0.0:7702" are reached on 127.0.0.1;
//  any other is itself), into endpoint (size bytes). Returns endpoint.
char *bb_wire_connect_endpoint (const char *bind, char *endpoint,
                                size_t size);

//  Start an envelope: version set, body empty. Set body_case and the body.
void bb_wire_envelope_init (bb_envelope_t *envelope);

//  Decode bytes into a new envelope. Returns it, or NULL with reason
//  filled (reason_size bytes) when the bytes are over max_size, not a
//  valid protobuf, of another protocol version or with no body.
bb_envelope_t *bb_wire_decode (const void *data, size_t size, size_t max_size,
                               char *reason, size_t reason_size);

//  Free a decoded envelope and set *envelope_p to NULL. NULL-safe.
void bb_wire_envelope_destroy (bb_envelope_t **envelope_p);

//  Encode envelope (version forced to BB_PROTOCOL_VERSION) into a new frame.
zframe_t *bb_wire_encode (const bb_envelope_t *envelope);

//  An envelope's bytes are its header fields (version, request_id) then
//  its body field, and protobuf reads two concatenated messages as one:
//  a reply kept encoded (the store's page cache) is the body packed
//  alone, spliced behind a header packed per request.
//  The body field of envelope packed alone, into a new buffer of *size
//  bytes (the caller frees it).
uint8_t *bb_wire_encode_body (const bb_envelope_t *envelope, size_t *size);

//  A new frame replying to request_id with body (size bytes, from
//  bb_wire_encode_body): byte for byte what bb_wire_encode makes of the
//  whole envelope.
zframe_t *bb_wire_encode_spliced (uint64_t request_id, const uint8_t *body,
                                  size_t size);

//  Send envelope on socket, prefixed by peer's routing id when peer is not
//  NULL (peer is not consumed). Returns 0 or -1.
int bb_wire_send (zsock_t *socket, zframe_t *peer,
                  const bb_envelope_t *envelope);

//  Send the encoded *frame_p (consumed, set to NULL, sent or not) on
//  socket, prefixed by a copy of peer's routing id when peer is not NULL
//  (peer is not consumed). Returns 0 or -1.
int bb_wire_send_frame (zsock_t *socket, zframe_t *peer, zframe_t **frame_p);

//  Receive one message into *msg (reset first). For a ROUTER socket the
//  first frame is taken as the peer. Returns BB_WIRE_OK,
//  BB_WIRE_INTERRUPTED or BB_WIRE_BAD_FRAME (msg->reason says why; msg->peer
//  is set when known so the sender can be told).
bb_wire_result_t bb_wire_recv (zsock_t *socket, bb_wire_msg_t *msg);

//  Release what msg holds; msg can be reused. NULL-safe.
void bb_wire_msg_reset (bb_wire_msg_t *msg);

//  Name of a body case for logs ("balance_batch"), "none" or "unknown".
const char *bb_wire_body_name (Balboard__Envelope__BodyCase body_case);

//  Reply on socket to peer with an ErrorReply (code, reason), echoing
//  request_id. Returns 0 or -1.
int bb_wire_send_error (zsock_t *socket, zframe_t *peer, uint64_t request_id,
                        Balboard__ErrorReply__Code code, const char *reason);

//  A message socket (log name: "ingest", "jobs"...) does not serve: a
//  bad frame (no envelope) is logged as bad_frame and answered BAD_FRAME;
//  an envelope whose body the socket does not take is logged as
//  unsupported and answered UNSUPPORTED ("<body> is not served on the
//  <name> socket"). Answered only on a ROUTER, to the sending peer: a
//  client's DEALER logs, so two peers never trade errors.
void bb_wire_reject (zsock_t *socket, const char *name,
                     const bb_wire_msg_t *msg);

//  What bb_wire_reject logs and answers, for a socket that sends its
//  replies itself: the encoded ErrorReply envelope; caller destroys.
zframe_t *bb_wire_rejection (const char *name, const bb_wire_msg_t *msg);

#endif
