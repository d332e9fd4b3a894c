/*  =========================================================================
    bb_envelope - an envelope built around the body it carries

    An Envelope's body is a oneof: body_case says which member holds the
    message. This module owns that mapping, read from the Envelope's
    protobuf-c descriptor (each body type is one member), so a builder
    hands over the body and never names its case or its member.
    =========================================================================
*/
#ifndef BB_ENVELOPE_H_INCLUDED
#define BB_ENVELOPE_H_INCLUDED

#include <stdint.h>

#include "bb_wire.h"

//  A new envelope (bb_pb_envelope) for request_id carrying body, a heap
//  message (bb_pb) of one of the Envelope's body types, which it
//  consumes: the envelope frees it. Caller owns the envelope. Asserts
//  that body's type is a body type.
bb_envelope_t *bb_envelope_new (uint64_t request_id, void *body);

//  Make *envelope (a caller's, e.g. on the stack) an envelope for
//  request_id carrying body, which stays the caller's: for a request that
//  is sent at once. Returns envelope. Asserts as bb_envelope_new.
bb_envelope_t *bb_envelope_wrap (bb_envelope_t *envelope,
                                 uint64_t request_id, void *body);

#endif
