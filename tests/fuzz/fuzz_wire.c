/*  =========================================================================
    fuzz_wire - the envelope codec, every message type

    Any bytes a peer sends reach bb_wire_decode first: it must refuse
    them with a reason or give an envelope with a known body (the oneof
    covers every message type). What decodes must encode again, and the
    encoding must be a fixed point (decode, encode again: the same
    bytes), so a relayed or stored envelope never changes meaning. The
    reply bodies a client renders (bb_render, the CLI's --json and the
    gateway) are rendered too: a hostile or broken peer must not crash
    a client either.
    =========================================================================
*/
#include <string.h>
#include <czmq.h>
#include <jansson.h>

#include "fuzz_target.h"
#include "bb_render.h"
#include "bb_wire.h"

#define REASON_SIZE 256

//  Render json to text and free both; a renderer must always give JSON.
static void
s_render (json_t *json)
{
    FUZZ_CHECK (json);
    char *text = bb_render_to_string (json, false);
    FUZZ_CHECK (text);
    free (text);
    json_decref (json);
}

//  The replies the CLI and the gateway turn into JSON.
static void
s_render_reply (const bb_envelope_t *envelope)
{
    switch (envelope->body_case) {
        case BALBOARD__ENVELOPE__BODY_DASHBOARD_PAGE:
            s_render (bb_render_dashboard (envelope->dashboard_page));
            break;
        case BALBOARD__ENVELOPE__BODY_AGENT_DETAIL:
            s_render (bb_render_agent_detail (envelope->agent_detail));
            break;
        case BALBOARD__ENVELOPE__BODY_RANK_REPLY:
            s_render (bb_render_rank (envelope->rank_reply));
            break;
        case BALBOARD__ENVELOPE__BODY_STORE_STATS:
            s_render (bb_render_store_stats (envelope->store_stats));
            break;
        case BALBOARD__ENVELOPE__BODY_SCHEDULER_STATUS:
            s_render (bb_render_scheduler_status (
                envelope->scheduler_status));
            break;
        case BALBOARD__ENVELOPE__BODY_AGENT_ACK:
            s_render (bb_render_agent_ack (envelope->agent_ack));
            break;
        default:
            break;
    }
}

//  Decode frame's bytes; it came from bb_wire_encode, so it must decode.
static bb_envelope_t *
s_decode_frame (zframe_t *frame)
{
    char reason [REASON_SIZE];
    bb_envelope_t *envelope = bb_wire_decode (
        zframe_data (frame), zframe_size (frame), BB_WIRE_MAX_MSG_SIZE,
        reason, sizeof reason);
    if (!envelope)
        fprintf (stderr, "fuzz_wire: own encoding refused: %s\n", reason);
    FUZZ_CHECK (envelope);
    return envelope;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char reason [REASON_SIZE] = "";
    bb_envelope_t *envelope = bb_wire_decode (data, size,
                                              BB_WIRE_MAX_MSG_SIZE, reason,
                                              sizeof reason);
    if (!envelope) {
        FUZZ_CHECK (reason [0]);            // a refusal always says why
        return 0;
    }
    FUZZ_CHECK (envelope->version == BB_PROTOCOL_VERSION);
    FUZZ_CHECK (strcmp (bb_wire_body_name (envelope->body_case),
                        "unknown") != 0);
    s_render_reply (envelope);

    zframe_t *first = bb_wire_encode (envelope);
    bb_envelope_t *again = s_decode_frame (first);
    FUZZ_CHECK (again->body_case == envelope->body_case);
    FUZZ_CHECK (again->request_id == envelope->request_id);
    zframe_t *second = bb_wire_encode (again);
    FUZZ_CHECK (zframe_eq (first, second));

    zframe_destroy (&second);
    zframe_destroy (&first);
    bb_wire_envelope_destroy (&again);
    bb_wire_envelope_destroy (&envelope);
    return 0;
}
