/*  =========================================================================
    test_doors - bad input at every bound ZeroMQ socket

    A real store and scheduler on free ports, logging errors only (each
    bad frame is a warning: the floods alone would be 80,000 lines).
    Each socket that takes requests (store ingest and query, scheduler
    jobs and control) gets, from a raw DEALER: garbage bytes, an envelope
    of another protocol version, an envelope with no body, an empty
    frame, two frames in one message, a frame over the 8 MiB maximum and
    a flood of 20,000 bad frames. Each bad frame must be answered
    ErrorReply BAD_FRAME or dropped (the oversized one is dropped by
    ZeroMQ, which closes the connection); the processes stay up, and a
    real request right after is answered. The store's events socket is a
    PUB: it reads nothing from its peers (a DEALER is refused at the
    ZeroMQ handshake), so it gets a flood only to show the store shrugs
    it off.
    =========================================================================
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <czmq.h>

#include "bb_child.h"
#include "bb_client.h"
#include "bb_clock.h"
#include "bb_random.h"
#include "bb_wire.h"

#define START_MS        20000
#define STOP_MS         20000
#define REPLY_MS        10000       // a reply comes by then (catches a hang)
#define PROBE_MS        1000        // a probe unanswered this long goes again
#define PROBE_TRIES     60
#define CLIENT_MS       10000
#define FLOOD_FRAMES    20000
#define GARBAGE_SIZE    64
#define ENDPOINT_SIZE   64
#define NO_BODY_REASON  "envelope has no known body"

//  Envelopes made by hand, byte by byte: field 1 (version) is "08 nn";
//  field 48 (stats_request), length-delimited and empty, is "82 03 00".
static const byte s_wrong_version [] = { 0x08, 0x02, 0x82, 0x03, 0x00 };
static const byte s_no_body [] = { 0x08, 0x01 };

typedef struct {
    bb_child_t *store;
    bb_child_t *scheduler;
    char ingest [ENDPOINT_SIZE], query [ENDPOINT_SIZE];
    char events [ENDPOINT_SIZE], jobs [ENDPOINT_SIZE];
    char control [ENDPOINT_SIZE];
} doors_t;

//  ---------------------------------------------------------------------
//  Processes

//  "tcp://127.0.0.1:<port>" for each of ports, into endpoints.
static void
s_endpoints (const int ports [], char *const endpoints [], size_t count)
{
    for (size_t i = 0; i < count; i++)
        snprintf (endpoints [i], ENDPOINT_SIZE, "tcp://127.0.0.1:%d",
                  ports [i]);
}

static int
s_setup (void **state)
{
    doors_t *doors = calloc (1, sizeof *doors);
    assert_non_null (doors);
    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    char store_dir [512], scheduler_dir [512];
    snprintf (store_dir, sizeof store_dir, "%s/store-%d",
              scratch ? scratch : "/tmp/balboard-doors", (int) getpid ());
    snprintf (scheduler_dir, sizeof scheduler_dir, "%s/scheduler-%d",
              scratch ? scratch : "/tmp/balboard-doors", (int) getpid ());
    int ports [BB_CHILD_PORTS_MAX];
    const char *store_args [] = {
        "--data-dir", store_dir, "--query-bind", "tcp://127.0.0.1:$PORT0",
        "--ingest-bind", "tcp://127.0.0.1:$PORT1",
        "--events-bind", "tcp://127.0.0.1:$PORT2", "--map-size-mb", "16",
        "--log-level", "error", NULL
    };
    doors->store = bb_child_start_on_free_ports ("balboard-store",
                                                 store_args, NULL, START_MS,
                                                 ports);
    assert_non_null (doors->store);
    s_endpoints (ports, (char *const []) { doors->query, doors->ingest,
                                             doors->events }, 3);
    const char *scheduler_args [] = {
        "--data-dir", scheduler_dir,
        "--control-bind", "tcp://127.0.0.1:$PORT0",
        "--jobs-bind", "tcp://127.0.0.1:$PORT1",
        "--store-query", doors->query, "--store-events", doors->events,
        "--heartbeat-ms", "250", "--paused",
        "--log-level", "error", NULL
    };
    doors->scheduler = bb_child_start_on_free_ports (
        "balboard-scheduler", scheduler_args, NULL, START_MS, ports);
    assert_non_null (doors->scheduler);
    s_endpoints (ports, (char *const []) { doors->control, doors->jobs },
                 2);
    *state = doors;
    return 0;
}

static int
s_teardown (void **state)
{
    doors_t *doors = *state;
    assert_int_equal (bb_child_stop (doors->scheduler, SIGTERM, STOP_MS), 0);
    assert_int_equal (bb_child_stop (doors->store, SIGTERM, STOP_MS), 0);
    bb_child_destroy (&doors->scheduler);
    bb_child_destroy (&doors->store);
    free (doors);
    return 0;
}

//  ---------------------------------------------------------------------
//  A raw DEALER and what comes back to it

//  A DEALER connected to endpoint with no high-water marks (the flood is
//  not held back on this side, and no reply is dropped here).
static zsock_t *
s_dealer (const char *endpoint)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert_non_null (dealer);
    zsock_set_sndhwm (dealer, 0);
    zsock_set_rcvhwm (dealer, 0);
    zsock_set_linger (dealer, 0);
    assert_int_equal (zsock_connect (dealer, "%s", endpoint), 0);
    return dealer;
}

static void
s_send (zsock_t *dealer, const void *data, size_t size)
{
    zframe_t *frame = zframe_new (data, size);
    assert_int_equal (zframe_send (&frame, dealer, 0), 0);
}

//  The next reply within timeout_ms, decoded, or NULL if none came. A
//  reply must be one valid envelope.
static bb_envelope_t *
s_recv (zsock_t *dealer, int timeout_ms)
{
    zsock_set_rcvtimeo (dealer, timeout_ms);
    zmsg_t *msg = zmsg_recv (dealer);
    if (!msg)
        return NULL;
    assert_int_equal (zmsg_size (msg), 1);
    zframe_t *frame = zmsg_first (msg);
    char reason [BB_REASON_SIZE];
    bb_envelope_t *reply = bb_wire_decode (zframe_data (frame),
                                           zframe_size (frame),
                                           BB_WIRE_MAX_MSG_SIZE, reason,
                                           sizeof reason);
    if (!reply)
        fail_msg ("doors: a reply that does not decode: %s", reason);
    zmsg_destroy (&msg);
    return reply;
}

//  reply is ErrorReply BAD_FRAME; returns whether its reason is
//  NO_BODY_REASON (the answer to the probe).
static bool
s_bad_frame (const bb_envelope_t *reply)
{
    if (reply->body_case != BALBOARD__ENVELOPE__BODY_ERROR
    ||  reply->error->code != BALBOARD__ERROR_REPLY__CODE__BAD_FRAME)
        fail_msg ("doors: answered %s, not BAD_FRAME",
                  bb_wire_body_name (reply->body_case));
    return streq (reply->error->reason, NO_BODY_REASON);
}

//  Send one bad frame; it must be answered BAD_FRAME.
static void
s_expect_bad_frame (zsock_t *dealer, const void *data, size_t size,
                    const char *what)
{
    s_send (dealer, data, size);
    bb_envelope_t *reply = s_recv (dealer, REPLY_MS);
    if (!reply)
        fail_msg ("doors: no answer to %s within %d ms", what, REPLY_MS);
    s_bad_frame (reply);
    printf ("doors:   %s: BAD_FRAME \"%s\"\n", what, reply->error->reason);
    bb_wire_envelope_destroy (&reply);
}

//  Send the envelope with no body until its BAD_FRAME comes back (a
//  probe sent while the peer closed the connection is lost: it goes
//  again). Returns the other BAD_FRAME replies read meanwhile.
static size_t
s_probe (zsock_t *dealer)
{
    size_t others = 0;
    for (int tries = 0; tries < PROBE_TRIES; tries++) {
        s_send (dealer, s_no_body, sizeof s_no_body);
        int64_t until = bb_clock_mono_ms () + PROBE_MS;
        while (bb_clock_mono_ms () < until) {
            bb_envelope_t *reply = s_recv (dealer, PROBE_MS);
            if (!reply)
                break;
            bool probe = s_bad_frame (reply);
            bb_wire_envelope_destroy (&reply);
            if (probe)
                return others;
            others++;
        }
    }
    fail_msg ("doors: the probe went unanswered %d times", PROBE_TRIES);
    return others;
}

//  Read every reply waiting now; each must be BAD_FRAME.
static size_t
s_drain (zsock_t *dealer)
{
    size_t replies = 0;
    bb_envelope_t *reply;
    while ((reply = s_recv (dealer, 0))) {
        s_bad_frame (reply);
        bb_wire_envelope_destroy (&reply);
        replies++;
    }
    return replies;
}

//  ---------------------------------------------------------------------
//  The attacks

//  A frame that is no protobuf: it starts with field 31 of wire type 7,
//  which does not exist; the rest is random.
static void
s_garbage (byte *frame, uint64_t *random)
{
    frame [0] = 0xFF;
    for (size_t i = 1; i < GARBAGE_SIZE; i++)
        frame [i] = (byte) bb_random_next (random);
}

static void
s_small_frames (zsock_t *dealer)
{
    uint64_t random = 12;
    byte garbage [GARBAGE_SIZE];
    s_garbage (garbage, &random);
    s_expect_bad_frame (dealer, garbage, sizeof garbage, "garbage");
    s_expect_bad_frame (dealer, s_wrong_version, sizeof s_wrong_version,
                        "protocol version 2");
    s_expect_bad_frame (dealer, s_no_body, sizeof s_no_body,
                        "envelope with no body");
    s_expect_bad_frame (dealer, "", 0, "empty frame");
    zmsg_t *two = zmsg_new ();
    zmsg_addmem (two, s_no_body, sizeof s_no_body);
    zmsg_addmem (two, s_no_body, sizeof s_no_body);
    assert_int_equal (zmsg_send (&two, dealer), 0);
    bb_envelope_t *reply = s_recv (dealer, REPLY_MS);
    assert_non_null (reply);
    s_bad_frame (reply);
    printf ("doors:   two frames: BAD_FRAME \"%s\"\n", reply->error->reason);
    bb_wire_envelope_destroy (&reply);
}

//  Over the maximum: ZeroMQ drops it and closes the connection; the
//  DEALER connects again and the probe is answered.
static void
s_oversized (const char *endpoint)
{
    zsock_t *dealer = s_dealer (endpoint);
    size_t size = BB_WIRE_MAX_MSG_SIZE + 1;
    byte *frame = calloc (1, size);
    assert_non_null (frame);
    s_send (dealer, frame, size);
    free (frame);
    size_t answered = s_probe (dealer);
    printf ("doors:   frame of %zu bytes: %s\n", size,
            answered ? "answered BAD_FRAME" : "dropped");
    zsock_destroy (&dealer);
}

static void
s_flood (const char *endpoint)
{
    zsock_t *dealer = s_dealer (endpoint);
    uint64_t random = 34;
    byte garbage [GARBAGE_SIZE];
    size_t replies = 0;
    int64_t started = bb_clock_mono_ms ();
    for (int i = 0; i < FLOOD_FRAMES; i++) {
        s_garbage (garbage, &random);
        s_send (dealer, garbage, sizeof garbage);
        replies += s_drain (dealer);
    }
    replies += s_probe (dealer);
    assert_true (replies <= FLOOD_FRAMES);
    printf ("doors:   flood of %d frames: %zu answered BAD_FRAME, %zu "
            "dropped (%lld ms)\n", FLOOD_FRAMES, replies,
            FLOOD_FRAMES - replies,
            (long long) (bb_clock_mono_ms () - started));
    zsock_destroy (&dealer);
}

//  Every attack on a socket that answers.
static void
s_attack (const char *name, const char *endpoint)
{
    printf ("doors: %s (%s)\n", name, endpoint);
    zsock_t *dealer = s_dealer (endpoint);
    s_small_frames (dealer);
    zsock_destroy (&dealer);
    s_oversized (endpoint);
    s_flood (endpoint);
}

static void
s_check_up (doors_t *doors)
{
    assert_true (bb_child_running (doors->store));
    assert_true (bb_child_running (doors->scheduler));
}

//  ---------------------------------------------------------------------
//  A real request right after

static void
s_answered (const char *endpoint, Balboard__Envelope__BodyCase request)
{
    bb_client_t *client = bb_client_new (endpoint, CLIENT_MS);
    assert_non_null (client);
    bb_envelope_t *reply = NULL;
    const char *contract = "SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.nope";
    int rc;
    if (request == BALBOARD__ENVELOPE__BODY_TOKEN_META_QUERY)
        rc = bb_client_token_meta (client, &contract, 1, &reply);
    else
    if (request == BALBOARD__ENVELOPE__BODY_STATS_REQUEST)
        rc = bb_client_stats (client, &reply);
    else
        rc = bb_client_scheduler_control (
            client, BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS, &reply);
    if (rc)
        fail_msg ("doors: %s after the attacks: %s",
                  bb_wire_body_name (request), bb_client_reason (client));
    printf ("doors:   then %s: answered %s\n", bb_wire_body_name (request),
            bb_wire_body_name (reply->body_case));
    bb_wire_envelope_destroy (&reply);
    bb_client_destroy (&client);
}

//  The sockets that answer requests (all but the jobs socket): after the
//  attacks each still answers a request of its own kind.
static void
test_request_sockets (void **state)
{
    doors_t *doors = *state;
    const struct {
        const char *name;
        const char *endpoint;
        Balboard__Envelope__BodyCase request;
    } sockets [] = {
        { "store ingest", doors->ingest,
          BALBOARD__ENVELOPE__BODY_TOKEN_META_QUERY },
        { "store query", doors->query,
          BALBOARD__ENVELOPE__BODY_STATS_REQUEST },
        { "scheduler control", doors->control,
          BALBOARD__ENVELOPE__BODY_SCHEDULER_CONTROL },
    };
    for (size_t index = 0; index < sizeof sockets / sizeof sockets [0];
         index++) {
        s_attack (sockets [index].name, sockets [index].endpoint);
        s_check_up (doors);
        s_answered (sockets [index].endpoint, sockets [index].request);
    }
}

//  On the jobs socket a real fetcher's FetcherReady is answered by the
//  scheduler's heartbeats.
static void
test_scheduler_jobs (void **state)
{
    doors_t *doors = *state;
    s_attack ("scheduler jobs", doors->jobs);
    s_check_up (doors);
    zsock_t *fetcher = s_dealer (doors->jobs);
    Balboard__FetcherReady ready = BALBOARD__FETCHER_READY__INIT;
    ready.fetcher_id = "doors";
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.body_case = BALBOARD__ENVELOPE__BODY_FETCHER_READY;
    envelope.fetcher_ready = &ready;
    assert_int_equal (bb_wire_send (fetcher, NULL, &envelope), 0);
    bb_envelope_t *reply = s_recv (fetcher, REPLY_MS);
    assert_non_null (reply);
    assert_int_equal (reply->body_case,
                      BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT);
    printf ("doors:   then fetcher_ready: answered fetcher_heartbeat\n");
    bb_wire_envelope_destroy (&reply);
    zsock_destroy (&fetcher);
}

//  The events socket is a PUB: nothing a DEALER sends reaches the store
//  (the ZeroMQ handshake refuses the pair), and nothing comes back.
static void
test_store_events (void **state)
{
    doors_t *doors = *state;
    printf ("doors: store events (%s, PUB: reads nothing)\n", doors->events);
    zsock_t *dealer = s_dealer (doors->events);
    uint64_t random = 56;
    byte garbage [GARBAGE_SIZE];
    for (int i = 0; i < FLOOD_FRAMES; i++) {
        s_garbage (garbage, &random);
        zframe_t *frame = zframe_new (garbage, sizeof garbage);
        zframe_send (&frame, dealer, ZFRAME_DONTWAIT);
        zframe_destroy (&frame);
    }
    zsock_destroy (&dealer);
    s_check_up (doors);
    s_answered (doors->query, BALBOARD__ENVELOPE__BODY_STATS_REQUEST);
}

int
main (void)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_request_sockets),
        cmocka_unit_test (test_scheduler_jobs),
        cmocka_unit_test (test_store_events),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
