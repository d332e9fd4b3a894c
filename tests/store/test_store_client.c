/*  test_store_client - bb_client against a scripted ROUTER in the test:
    timeouts, stale replies discarded, error replies, replies of the
    wrong type, and a fresh socket after a timeout. */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bb_client.h"
#include "bb_test_main.h"

#define TIMEOUT_MS 300

typedef struct {
    zsock_t *router;            // the scripted server
    char endpoint [64];
    bb_client_t *client;
} fixture_t;

static int
s_setup (void **state)
{
    fixture_t *self = calloc (1, sizeof *self);
    self->router = bb_wire_socket_new (ZMQ_ROUTER, NULL);
    int port = zsock_bind (self->router, "tcp://127.0.0.1:*");
    assert_true (port > 0);
    snprintf (self->endpoint, sizeof self->endpoint, "tcp://127.0.0.1:%d",
              port);
    self->client = bb_client_new (self->endpoint, TIMEOUT_MS);
    assert_non_null (self->client);
    zsock_set_rcvtimeo (self->router, 2000);
    *state = self;
    return 0;
}

static int
s_teardown (void **state)
{
    fixture_t *self = *state;
    bb_client_destroy (&self->client);
    assert_null (self->client);
    zsock_destroy (&self->router);
    free (self);
    return 0;
}

//  A thread that answers one request as a script says.
typedef struct {
    zsock_t *router;
    int script;                 // 0 ok, 1 stale then ok, 2 error,
                                // 3 wrong body, 4 not an envelope
} server_t;

static void
s_reply_stats (zsock_t *router, zframe_t *peer, uint64_t request_id,
               uint64_t agents)
{
    Balboard__StoreStats stats = BALBOARD__STORE_STATS__INIT;
    stats.agents = agents;
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.request_id = request_id;
    envelope.body_case = BALBOARD__ENVELOPE__BODY_STORE_STATS;
    envelope.store_stats = &stats;
    assert_int_equal (bb_wire_send (router, peer, &envelope), 0);
}

//  Receive one request and answer per script.
static void
s_serve_one (zsock_t *router, int script)
{
    bb_wire_msg_t msg = { 0 };
    assert_int_equal (bb_wire_recv (router, &msg), BB_WIRE_OK);
    uint64_t id = msg.envelope->request_id;
    if (script == 0)
        s_reply_stats (router, msg.peer, id, 7);
    else
    if (script == 1) {
        s_reply_stats (router, msg.peer, id + 1000, 1);     // stale
        s_reply_stats (router, msg.peer, id, 8);
    }
    else
    if (script == 2)
        bb_wire_send_error (router, msg.peer, id,
                            BALBOARD__ERROR_REPLY__CODE__NOT_FOUND,
                            "agent not registered");
    else
    if (script == 3) {
        Balboard__RankReply rank = BALBOARD__RANK_REPLY__INIT;
        bb_envelope_t envelope;
        bb_wire_envelope_init (&envelope);
        envelope.request_id = id;
        envelope.body_case = BALBOARD__ENVELOPE__BODY_RANK_REPLY;
        envelope.rank_reply = &rank;
        bb_wire_send (router, msg.peer, &envelope);
    }
    else {
        zmsg_t *raw = zmsg_new ();
        zmsg_add (raw, zframe_dup (msg.peer));
        zmsg_addstr (raw, "garbage");
        zmsg_send (&raw, router);
    }
    bb_wire_msg_reset (&msg);
}

static void *
s_server (void *arg)
{
    server_t *server = arg;
    s_serve_one (server->router, server->script);
    return NULL;
}

//  Run one stats call against script; returns the call's code.
static int
s_call (fixture_t *self, int script, bb_envelope_t **reply)
{
    server_t server = { self->router, script };
    pthread_t thread;
    pthread_create (&thread, NULL, s_server, &server);
    int rc = bb_client_stats (self->client, reply);
    pthread_join (thread, NULL);
    return rc;
}

static void
test_reply_and_stale_reply (void **state)
{
    fixture_t *self = *state;
    bb_envelope_t *reply;
    assert_int_equal (s_call (self, 0, &reply), BB_CLIENT_OK);
    assert_int_equal (reply->store_stats->agents, 7);
    bb_wire_envelope_destroy (&reply);
    assert_int_equal (s_call (self, 1, &reply), BB_CLIENT_OK);
    assert_int_equal (reply->store_stats->agents, 8);
    assert_string_equal (bb_client_reason (self->client), "");
    bb_wire_envelope_destroy (&reply);
}

static void
test_error_and_bad_replies (void **state)
{
    fixture_t *self = *state;
    bb_envelope_t dummy;
    bb_envelope_t *reply = &dummy;         // the client must clear it
    assert_int_equal (s_call (self, 2, &reply), BB_CLIENT_ERROR_REPLY);
    assert_null (reply);
    assert_int_equal (bb_client_error_code (self->client),
                      BALBOARD__ERROR_REPLY__CODE__NOT_FOUND);
    assert_string_equal (bb_client_reason (self->client),
                         "agent not registered");
    assert_int_equal (s_call (self, 3, &reply), BB_CLIENT_BAD_REPLY);
    assert_null (reply);
    assert_non_null (strstr (bb_client_reason (self->client), "rank_reply"));
    assert_int_equal (s_call (self, 4, &reply), BB_CLIENT_BAD_REPLY);
    assert_null (reply);
    assert_string_equal (bb_client_strerror (BB_CLIENT_BAD_REPLY),
                         "bad reply");
}

//  No answer: a timeout, not before the deadline (the request is still
//  unanswered at the ROUTER), then the late answer to the timed-out
//  request can never be taken for the next one.
static void
test_timeout_then_fresh_socket (void **state)
{
    fixture_t *self = *state;
    bb_envelope_t *reply;
    int64_t started = zclock_mono ();
    assert_int_equal (bb_client_stats (self->client, &reply),
                      BB_CLIENT_TIMEOUT);
    int64_t elapsed = zclock_mono () - started;
    assert_true (elapsed >= TIMEOUT_MS - 5);
    print_message ("timeout %d ms: returned after %lld ms\n", TIMEOUT_MS,
                   (long long) elapsed);
    assert_null (reply);
    assert_non_null (strstr (bb_client_reason (self->client), "no reply"));
    //  Answer the timed-out request late: it went to the old socket
    bb_wire_msg_t late = { 0 };
    assert_int_equal (bb_wire_recv (self->router, &late), BB_WIRE_OK);
    s_reply_stats (self->router, late.peer, late.envelope->request_id, 99);
    bb_wire_msg_reset (&late);
    assert_int_equal (s_call (self, 0, &reply), BB_CLIENT_OK);
    assert_int_equal (reply->store_stats->agents, 7);
    bb_wire_envelope_destroy (&reply);
}

static void
test_unreachable (void **state)
{
    bb_client_t *client = bb_client_new ("tcp://127.0.0.1:1", 100);
    assert_non_null (client);
    bb_envelope_t *reply;
    assert_int_equal (bb_client_rank (client, "SP1", &reply),
                      BB_CLIENT_TIMEOUT);
    bb_client_destroy (&client);
    assert_null (bb_client_new ("nonsense://", 100));
}

BB_TEST_MAIN (NULL, NULL,
        BB_TEST (test_reply_and_stale_reply),
        BB_TEST (test_error_and_bad_replies),
        BB_TEST (test_timeout_then_fresh_socket),
        cmocka_unit_test (test_unreachable))
