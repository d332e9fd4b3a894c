/*  test_wire - the envelope codec: round trips for every message and every
    way a frame can be bad, in memory and over real ZeroMQ sockets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include "bb_envelope.h"
#include "bb_wire.h"
#include "bb_agent_batch.h"

//  Pack envelope, decode it back, and require the same bytes again.
static bb_envelope_t *
s_round_trip (const bb_envelope_t *envelope)
{
    zframe_t *frame = bb_wire_encode (envelope);
    char reason [BB_REASON_SIZE] = "";
    bb_envelope_t *decoded = bb_wire_decode (zframe_data (frame),
                                             zframe_size (frame),
                                             BB_WIRE_MAX_MSG_SIZE,
                                             reason, sizeof reason);
    assert_non_null (decoded);
    assert_string_equal (reason, "");
    zframe_t *again = bb_wire_encode (decoded);
    assert_int_equal (zframe_size (again), zframe_size (frame));
    assert_memory_equal (zframe_data (again), zframe_data (frame),
                         zframe_size (frame));
    zframe_destroy (&frame);
    zframe_destroy (&again);
    return decoded;
}

//  Every body of the oneof, with a default message, survives a round trip
//  and keeps its case and request id.
static void
test_every_body_round_trips (void **state)
{
    const ProtobufCMessageDescriptor *descriptor =
        &balboard__envelope__descriptor;
    size_t bodies = 0;
    for (unsigned i = 0; i < descriptor->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields [i];
        if (!(field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        const ProtobufCMessageDescriptor *body_descriptor =
            field->descriptor;
        ProtobufCMessage *body = calloc (1, body_descriptor->sizeof_message);
        protobuf_c_message_init (body_descriptor, body);
        bb_envelope_t envelope;
        bb_wire_envelope_init (&envelope);
        envelope.request_id = 1000 + i;
        envelope.body_case = (Balboard__Envelope__BodyCase) field->id;
        envelope.error = (Balboard__ErrorReply *) body;   // any union member
        bb_envelope_t *decoded = s_round_trip (&envelope);
        assert_int_equal (decoded->body_case, field->id);
        assert_int_equal (decoded->request_id, 1000 + i);
        assert_string_equal (bb_wire_body_name (decoded->body_case),
                             field->name);
        bb_wire_envelope_destroy (&decoded);
        assert_null (decoded);
        free (body);
        bodies++;
    }
    assert_int_equal (bodies, 29);
}

//  A balance batch with u128 amounts, statuses and prices keeps every value.
static void
test_balance_batch_values (void **state)
{
    bb_agent_batch_t batch;
    bb_agent_batch_init (&batch, "7.3", 2,
                        "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3",
                        1764000000123ULL);
    bb_agent_batch_balance (&batch, BB_AGENT_BATCH_HIRO, "stx",
                           "340282366920938463463374607431768211455");
    Balboard__SourceResult *mempool = &batch.sources [BB_AGENT_BATCH_MEMPOOL];
    mempool->status = BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED;
    mempool->retry_after_s = 119;
    bb_agent_batch_prices (&batch, 67187335893LL, 2500000, 0);
    bb_envelope_t envelope;
    bb_envelope_t *decoded = s_round_trip (bb_envelope_wrap (&envelope, 0,
                                                             &batch.batch));
    Balboard__BalanceBatch *got = decoded->balance_batch;
    assert_string_equal (got->job_id, "7.3");
    assert_int_equal (got->attempt, 2);
    assert_int_equal (got->n_agents, 1);
    assert_int_equal (got->agents [0]->captured_at_ms, 1764000000123ULL);
    assert_int_equal (got->agents [0]->n_sources, 2);
    assert_string_equal (got->agents [0]->sources [0]->balances [0]->amount,
                         "340282366920938463463374607431768211455");
    assert_int_equal (got->agents [0]->sources [1]->status,
                      BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED);
    assert_int_equal (got->agents [0]->sources [1]->retry_after_s, 119);
    assert_int_equal (got->prices->btc_usd_micro, 67187335893LL);
    bb_wire_envelope_destroy (&decoded);
}

//  Encode a small valid envelope for the rejection tests.
static zframe_t *
s_valid_frame (void)
{
    Balboard__StatsRequest stats = BALBOARD__STATS_REQUEST__INIT;
    bb_envelope_t envelope;
    return bb_wire_encode (bb_envelope_wrap (&envelope, 42, &stats));
}

static void
s_assert_rejected (const void *data, size_t size, size_t max,
                   const char *reason_part)
{
    char reason [BB_REASON_SIZE] = "";
    bb_envelope_t *decoded = bb_wire_decode (data, size, max,
                                             reason, sizeof reason);
    assert_null (decoded);
    if (!strstr (reason, reason_part))
        fail_msg ("reason '%s' lacks '%s'", reason, reason_part);
}

static void
test_truncated_frames_rejected (void **state)
{
    Balboard__AgentRemove remove = BALBOARD__AGENT_REMOVE__INIT;
    char *addresses [] = { "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3" };
    remove.n_stx_addresses = 1;
    remove.stx_addresses = addresses;
    bb_envelope_t envelope;
    zframe_t *frame = bb_wire_encode (bb_envelope_wrap (&envelope, 0,
                                                        &remove));
    //  Every proper prefix that cuts into the body is invalid protobuf or
    //  lacks its body; none may crash or decode as the full message.
    for (size_t size = 1; size < zframe_size (frame); size++) {
        char reason [BB_REASON_SIZE] = "";
        bb_envelope_t *decoded = bb_wire_decode (zframe_data (frame), size,
                                                 BB_WIRE_MAX_MSG_SIZE,
                                                 reason, sizeof reason);
        if (decoded) {
            //  A cut exactly between fields can still be a valid envelope
            //  (protobuf has no length header), but never the full body.
            assert_true (decoded->body_case
                         != BALBOARD__ENVELOPE__BODY_AGENT_REMOVE
                         || decoded->agent_remove->n_stx_addresses == 0);
            bb_wire_envelope_destroy (&decoded);
        }
        else
            assert_true (strlen (reason) > 0);
    }
    s_assert_rejected (zframe_data (frame), 0, BB_WIRE_MAX_MSG_SIZE,
                       "empty frame");
    zframe_destroy (&frame);
}

static void
test_random_frames_rejected_or_sane (void **state)
{
    unsigned seed = 20261124;
    size_t rejected = 0;
    for (int round = 0; round < 5000; round++) {
        unsigned char data [256];
        size_t size = 1 + (size_t) (rand_r (&seed) % sizeof data);
        for (size_t i = 0; i < size; i++)
            data [i] = (unsigned char) rand_r (&seed);
        char reason [BB_REASON_SIZE] = "";
        bb_envelope_t *decoded = bb_wire_decode (data, size,
                                                 BB_WIRE_MAX_MSG_SIZE,
                                                 reason, sizeof reason);
        if (decoded) {
            //  Only possible when the noise happens to be a version-1
            //  envelope with a known body.
            assert_int_equal (decoded->version, BB_PROTOCOL_VERSION);
            assert_int_not_equal (decoded->body_case,
                                  BALBOARD__ENVELOPE__BODY__NOT_SET);
            bb_wire_envelope_destroy (&decoded);
        }
        else {
            assert_true (strlen (reason) > 0);
            rejected++;
        }
    }
    assert_true (rejected > 4900);
}

static void
test_oversized_frame_rejected (void **state)
{
    zframe_t *frame = s_valid_frame ();
    s_assert_rejected (zframe_data (frame), zframe_size (frame),
                       zframe_size (frame) - 1, "exceeds");
    zframe_destroy (&frame);
}

static void
test_wrong_version_rejected (void **state)
{
    Balboard__StatsRequest stats = BALBOARD__STATS_REQUEST__INIT;
    bb_envelope_t envelope;
    balboard__envelope__init (&envelope);
    envelope.version = BB_PROTOCOL_VERSION + 1;
    envelope.body_case = BALBOARD__ENVELOPE__BODY_STATS_REQUEST;
    envelope.stats_request = &stats;
    uint8_t data [64];
    size_t size = balboard__envelope__pack (&envelope, data);
    s_assert_rejected (data, size, BB_WIRE_MAX_MSG_SIZE, "protocol version 2");
    envelope.version = 0;
    size = balboard__envelope__pack (&envelope, data);
    s_assert_rejected (data, size, BB_WIRE_MAX_MSG_SIZE, "protocol version 0");
}

static void
test_missing_or_unknown_body_rejected (void **state)
{
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    uint8_t data [64];
    size_t size = balboard__envelope__pack (&envelope, data);
    s_assert_rejected (data, size, BB_WIRE_MAX_MSG_SIZE, "no known body");
    //  Field 200 (length-delimited, empty): a body from a future version.
    uint8_t future [] = { 0x08, 0x01, 0xc2, 0x0c, 0x00 };
    s_assert_rejected (future, sizeof future, BB_WIRE_MAX_MSG_SIZE,
                       "no known body");
}

//  Over real sockets: a ROUTER gets garbage, a multi-frame message and a
//  valid envelope from a DEALER; the bad ones come back as reasons with
//  the peer known, and an oversized message never arrives at all.
static void
test_socket_receive_paths (void **state)
{
    zsock_t *router = bb_wire_socket_new (ZMQ_ROUTER, "@inproc://wire-test");
    zsock_t *dealer = bb_wire_socket_new (ZMQ_DEALER, ">inproc://wire-test");
    assert_non_null (router);
    assert_non_null (dealer);
    zsock_set_rcvtimeo (router, 2000);
    zsock_set_rcvtimeo (dealer, 2000);
    bb_wire_msg_t msg = { 0 };

    zstr_send (dealer, "garbage, not protobuf \xff\xff");
    assert_int_equal (bb_wire_recv (router, &msg), BB_WIRE_BAD_FRAME);
    assert_non_null (msg.peer);
    assert_non_null (strstr (msg.reason, "not a valid protobuf"));
    //  The sender can be told why.
    assert_int_equal (bb_wire_send_error (router, msg.peer, 0,
                      BALBOARD__ERROR_REPLY__CODE__BAD_FRAME, msg.reason), 0);
    bb_wire_msg_t reply = { 0 };
    assert_int_equal (bb_wire_recv (dealer, &reply), BB_WIRE_OK);
    assert_int_equal (reply.envelope->body_case, BALBOARD__ENVELOPE__BODY_ERROR);
    assert_non_null (strstr (reply.envelope->error->reason, "protobuf"));

    zstr_sendm (dealer, "one");
    zstr_send (dealer, "two");
    assert_int_equal (bb_wire_recv (router, &msg), BB_WIRE_BAD_FRAME);
    assert_non_null (strstr (msg.reason, "expected one envelope frame"));

    zframe_t *valid = s_valid_frame ();
    zframe_send (&valid, dealer, 0);
    assert_int_equal (bb_wire_recv (router, &msg), BB_WIRE_OK);
    assert_int_equal (msg.envelope->request_id, 42);
    assert_int_equal (msg.envelope->body_case,
                      BALBOARD__ENVELOPE__BODY_STATS_REQUEST);

    bb_wire_msg_reset (&msg);
    bb_wire_msg_reset (&reply);
    zsock_destroy (&dealer);
    zsock_destroy (&router);
}

//  ZMQ_MAXMSGSIZE drops an oversized message at the transport over TCP:
//  the receiver sees nothing (the connection is dropped), then recovers.
static void
test_socket_max_size_enforced (void **state)
{
    zsock_t *router = bb_wire_socket_new (ZMQ_ROUTER, "@tcp://127.0.0.1:*");
    assert_non_null (router);
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, ">%s", zsock_endpoint (router));
    zsock_t *dealer = bb_wire_socket_new (ZMQ_DEALER, endpoint);
    assert_non_null (dealer);
    zsock_set_rcvtimeo (router, 500);
    zframe_t *huge = zframe_new (NULL, BB_WIRE_MAX_MSG_SIZE + 1);
    memset (zframe_data (huge), 0x08, zframe_size (huge));
    zframe_send (&huge, dealer, 0);
    bb_wire_msg_t msg = { 0 };
    assert_int_equal (bb_wire_recv (router, &msg), BB_WIRE_INTERRUPTED);
    bb_wire_msg_reset (&msg);
    zsock_destroy (&dealer);
    zsock_destroy (&router);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test (test_every_body_round_trips),
        cmocka_unit_test (test_balance_batch_values),
        cmocka_unit_test (test_truncated_frames_rejected),
        cmocka_unit_test (test_random_frames_rejected_or_sane),
        cmocka_unit_test (test_oversized_frame_rejected),
        cmocka_unit_test (test_wrong_version_rejected),
        cmocka_unit_test (test_missing_or_unknown_body_rejected),
        cmocka_unit_test (test_socket_receive_paths),
        cmocka_unit_test (test_socket_max_size_enforced))
