/*  test_sched_pager - agents page requests to the store: one outstanding
    at a time, asking one agent more than the chunk; only the valid answer
    to it counts; stale, bad and error replies are dropped; a request
    gives up after its timeout; a page kept ahead serves the same cursor,
    for no more agents than it was asked for, and only it. The test plays
    the store on a ROUTER. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bb_test_main.h"
#include "bb_pager.h"

#define TIMEOUT_MS 100
#define T0 1000000
#define RECV_TIMEOUT_MS 2000

typedef struct {
    zsock_t *store;                 // ROUTER: the store the test plays
    bb_pager_t *pager;
    zframe_t *peer;                 // the pager, as the store sees it
    uint64_t request_id;            // the request it got last
} fixture_t;

static int
s_setup (void **state)
{
    fixture_t *fixture = calloc (1, sizeof *fixture);
    assert_non_null (fixture);
    //  One endpoint per test: an inproc one is released asynchronously
    static int run;
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://test_sched_pager-%d",
              run++);
    fixture->store = zsock_new (ZMQ_ROUTER);
    assert_non_null (fixture->store);
    assert_int_equal (zsock_bind (fixture->store, "%s", endpoint), 0);
    zsock_set_rcvtimeo (fixture->store, RECV_TIMEOUT_MS);
    fixture->pager = bb_pager_new (endpoint, TIMEOUT_MS);
    assert_non_null (fixture->pager);
    zsock_set_rcvtimeo (bb_pager_socket (fixture->pager), RECV_TIMEOUT_MS);
    *state = fixture;
    return 0;
}

static int
s_teardown (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    zframe_destroy (&fixture->peer);
    bb_pager_destroy (&fixture->pager);
    assert_null (fixture->pager);
    bb_pager_destroy (&fixture->pager);
    zsock_destroy (&fixture->store);
    free (fixture);
    return 0;
}

//  The store takes the request: after after, limit agents.
static void
s_store_takes (fixture_t *fixture, const char *after, uint32_t limit)
{
    bb_wire_msg_t msg = { 0 };
    assert_int_equal (bb_wire_recv (fixture->store, &msg), BB_WIRE_OK);
    assert_int_equal (msg.envelope->body_case,
                      BALBOARD__ENVELOPE__BODY_AGENTS_PAGE_REQUEST);
    Balboard__AgentsPageRequest *request =
        msg.envelope->agents_page_request;
    assert_string_equal (request->after_stx_address, after);
    assert_int_equal (request->limit, limit);
    fixture->request_id = msg.envelope->request_id;
    zframe_destroy (&fixture->peer);
    fixture->peer = msg.peer;
    msg.peer = NULL;
    bb_wire_msg_reset (&msg);
}

//  The store answers request_id with a page of two agents, the second
//  without a stx address unless valid.
static void
s_store_answers (fixture_t *fixture, uint64_t request_id, bool valid)
{
    Balboard__Agent agents [2];
    Balboard__Agent *pointers [2] = { &agents [0], &agents [1] };
    for (int i = 0; i < 2; i++) {
        balboard__agent__init (&agents [i]);
        agents [i].stx_address = i ? "SP2" : "SP1";
        agents [i].btc_address = "bc1q";
    }
    if (!valid)
        agents [1].stx_address = "";
    Balboard__AgentsPage page = BALBOARD__AGENTS_PAGE__INIT;
    page.n_agents = 2;
    page.agents = pointers;
    page.total = 2;
    bb_envelope_t reply;
    bb_wire_envelope_init (&reply);
    reply.request_id = request_id;
    reply.body_case = BALBOARD__ENVELOPE__BODY_AGENTS_PAGE;
    reply.agents_page = &page;
    assert_int_equal (bb_wire_send (fixture->store, fixture->peer, &reply),
                      0);
}

//  The page the pager reads now, or NULL; *limit the chunk asked for.
static const Balboard__AgentsPage *
s_pager_reads (fixture_t *fixture, bb_wire_msg_t *msg, uint32_t *limit)
{
    bb_wire_msg_reset (msg);
    return bb_pager_recv (fixture->pager, msg, limit);
}

static void
test_request_and_answer (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    assert_false (bb_pager_waiting (fixture->pager));
    bb_pager_request (fixture->pager, "", 10, T0);
    assert_true (bb_pager_waiting (fixture->pager));
    s_store_takes (fixture, "", 11);
    bb_wire_msg_t msg = { 0 };
    uint32_t limit = 0;
    //  an answer to an earlier request is stale
    s_store_answers (fixture, fixture->request_id - 1, true);
    assert_null (s_pager_reads (fixture, &msg, &limit));
    assert_true (bb_pager_waiting (fixture->pager));
    s_store_answers (fixture, fixture->request_id, true);
    const Balboard__AgentsPage *page = s_pager_reads (fixture, &msg, &limit);
    assert_non_null (page);
    assert_int_equal (page->n_agents, 2);
    assert_int_equal (limit, 10);
    assert_false (bb_pager_waiting (fixture->pager));
    //  once answered, a second answer is stale
    s_store_answers (fixture, fixture->request_id, true);
    assert_null (s_pager_reads (fixture, &msg, &limit));

    //  an agent that cannot go in a job makes the page bad: dropped
    bb_pager_request (fixture->pager, "SP2", 5, T0);
    s_store_takes (fixture, "SP2", 6);
    s_store_answers (fixture, fixture->request_id, false);
    assert_null (s_pager_reads (fixture, &msg, &limit));
    assert_false (bb_pager_waiting (fixture->pager));
    //  so is an error
    bb_pager_request (fixture->pager, "SP2", 5, T0);
    s_store_takes (fixture, "SP2", 6);
    assert_int_equal (bb_wire_send_error (
        fixture->store, fixture->peer, fixture->request_id,
        BALBOARD__ERROR_REPLY__CODE__UNAVAILABLE, "busy"), 0);
    assert_null (s_pager_reads (fixture, &msg, &limit));
    assert_false (bb_pager_waiting (fixture->pager));
    //  and a frame that is no envelope
    zmsg_t *junk = zmsg_new ();
    zframe_t *peer = zframe_dup (fixture->peer);
    zmsg_append (junk, &peer);
    zmsg_addstr (junk, "junk");
    assert_int_equal (zmsg_send (&junk, fixture->store), 0);
    assert_null (s_pager_reads (fixture, &msg, &limit));
    bb_wire_msg_reset (&msg);
}

static void
test_timeout (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_pager_request (fixture->pager, "", 10, T0);
    bb_pager_expire (fixture->pager, T0 + TIMEOUT_MS);
    assert_true (bb_pager_waiting (fixture->pager));
    bb_pager_expire (fixture->pager, T0 + TIMEOUT_MS + 1);
    assert_false (bb_pager_waiting (fixture->pager));
    //  a late answer is stale
    s_store_takes (fixture, "", 11);
    s_store_answers (fixture, fixture->request_id, true);
    bb_wire_msg_t msg = { 0 };
    uint32_t limit;
    assert_null (s_pager_reads (fixture, &msg, &limit));
    bb_wire_msg_reset (&msg);
}

//  Ask for limit agents after after and keep the valid answer.
static void
s_keep_page (fixture_t *fixture, const char *after, uint32_t limit)
{
    bb_pager_request (fixture->pager, after, limit, T0);
    s_store_takes (fixture, after, limit + 1);
    s_store_answers (fixture, fixture->request_id, true);
    bb_wire_msg_t msg = { 0 };
    uint32_t asked;
    assert_non_null (s_pager_reads (fixture, &msg, &asked));
    bb_pager_keep (fixture->pager, &msg);
    assert_null (msg.envelope);
    bb_wire_msg_reset (&msg);
}

//  The page kept for after, and the agents a chunk of up to limit may
//  take from it, or NULL.
static const Balboard__AgentsPage *
s_kept (fixture_t *fixture, const char *after, uint32_t *limit)
{
    return bb_pager_kept (fixture->pager, after, limit);
}

static void
test_kept_ahead (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    uint32_t limit = 10;
    assert_null (s_kept (fixture, "", &limit));
    s_keep_page (fixture, "SP0", 10);
    assert_false (bb_pager_waiting (fixture->pager));
    //  the same cursor: the page, kept, for as many agents or fewer
    const Balboard__AgentsPage *page = s_kept (fixture, "SP0", &limit);
    assert_non_null (page);
    assert_int_equal (page->n_agents, 2);
    assert_int_equal (limit, 10);
    limit = 1;
    assert_non_null (s_kept (fixture, "SP0", &limit));
    assert_int_equal (limit, 1);
    limit = 11;
    assert_non_null (s_kept (fixture, "SP0", &limit));
    assert_int_equal (limit, 10);
    //  another cursor: dropped
    assert_null (s_kept (fixture, "SP1", &limit));
    assert_null (s_kept (fixture, "SP0", &limit));
    //  dropped at the caller's word; a keep replaces the page kept
    s_keep_page (fixture, "", 10);
    bb_pager_drop (fixture->pager);
    assert_null (s_kept (fixture, "", &limit));
    s_keep_page (fixture, "", 10);
    s_keep_page (fixture, "SP2", 5);
    limit = 10;
    assert_non_null (s_kept (fixture, "SP2", &limit));
    assert_int_equal (limit, 5);
    assert_null (s_kept (fixture, "", &limit));
}

BB_TEST_MAIN (NULL, NULL,
              BB_TEST (test_request_and_answer),
              BB_TEST (test_timeout),
              BB_TEST (test_kept_ahead))
