/*  test_sched_fetchers - fetcher registry: registration, LRU hand-out,
    liveness expiry, which job each fetcher holds and when it is lost
    (dead, restarted, busy elsewhere, never arrived, deadline), reports;
    chunk jobs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bb_test_main.h"
#include "bb_sources.h"
#include "bb_fetchers.h"
#include "bb_job.h"
#include "bb_wire.h"

#define HEARTBEAT_MS 1000
#define LIVENESS 3              // a silent fetcher dies after 3000 ms
#define T0 7000000
#define DEADLINE_MS 5000

typedef struct {
    bb_fetchers_t *fetchers;
    zframe_t *routing_ids [4];
} fixture_t;

static int
s_setup (void **state)
{
    fixture_t *fixture = calloc (1, sizeof *fixture);
    assert_non_null (fixture);
    fixture->fetchers = bb_fetchers_new (HEARTBEAT_MS, LIVENESS);
    const char *names [4] = { "ra", "rb", "rc", "ra2" };
    for (int i = 0; i < 4; i++)
        fixture->routing_ids [i] = zframe_new (names [i], strlen (names [i]));
    *state = fixture;
    return 0;
}

static int
s_teardown (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    for (int i = 0; i < 4; i++)
        zframe_destroy (&fixture->routing_ids [i]);
    bb_fetchers_destroy (&fixture->fetchers);
    assert_null (fixture->fetchers);
    bb_fetchers_destroy (&fixture->fetchers);
    free (fixture);
    return 0;
}

//  Fetcher id says it runs busy in a heartbeat at now; returns the job
//  it lost ("" if none), why into *why if not NULL.
static const char *
s_says (bb_fetchers_t *fetchers, const char *id, const char *busy,
        uint64_t now, const char **why)
{
    static bb_fetcher_loss_t loss;
    bb_fetchers_says (fetchers, id, busy, false, now, &loss);
    if (why)
        *why = loss.why;
    return loss.job;
}

//  Register fetcher id over routing_id at now, idle and ready.
static void
s_ready (bb_fetchers_t *fetchers, const char *id, zframe_t *routing_id,
         uint64_t now)
{
    bb_fetchers_seen (fetchers, id, routing_id, now);
    s_says (fetchers, id, "", now, NULL);
}

static void
test_lru_and_expiry (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_fetchers_t *fetchers = fixture->fetchers;
    zframe_t **routing_ids = fixture->routing_ids;
    assert_null (bb_fetchers_next_ready (fetchers));
    assert_true (bb_fetchers_seen (fetchers, "a", routing_ids [0], T0));
    assert_false (bb_fetchers_seen (fetchers, "a", routing_ids [0], T0));
    assert_true (bb_fetchers_seen (fetchers, "b", routing_ids [1], T0 + 10));
    //  registered busy until told
    assert_int_equal (bb_fetchers_ready_count (fetchers), 0);
    s_says (fetchers, "a", "", T0 + 10, NULL);
    s_says (fetchers, "b", "", T0 + 10, NULL);
    assert_int_equal (bb_fetchers_size (fetchers), 2);
    assert_int_equal (bb_fetchers_ready_count (fetchers), 2);
    //  a was ready first
    assert_string_equal (bb_fetchers_next_ready (fetchers), "a");
    bb_fetchers_assign (fetchers, "a", "1.0", 1, T0 + DEADLINE_MS, T0 + 20);
    assert_string_equal (bb_fetchers_holder (fetchers, "1.0"), "a");
    assert_string_equal (bb_fetchers_next_ready (fetchers), "b");
    bb_fetchers_reported (fetchers, "a", "1.0", 1);
    assert_null (bb_fetchers_holder (fetchers, "1.0"));
    //  b never had a job: it comes before a
    assert_string_equal (bb_fetchers_next_ready (fetchers), "b");
    bb_fetchers_assign (fetchers, "b", "1.1", 1, T0 + DEADLINE_MS, T0 + 30);
    assert_string_equal (bb_fetchers_next_ready (fetchers), "a");
    bb_fetchers_reported (fetchers, "b", "1.1", 1);
    //  both had one: the least recent first
    assert_string_equal (bb_fetchers_next_ready (fetchers), "a");
    //  a newcomer goes first
    s_ready (fetchers, "c", routing_ids [2], T0 + 40);
    assert_string_equal (bb_fetchers_next_ready (fetchers), "c");
    bb_fetchers_assign (fetchers, "c", "1.2", 1, T0 + DEADLINE_MS, T0 + 50);

    bb_fetchers_seen (fetchers, "a", routing_ids [3], T0 + 2000);

    //  b and c are silent: they die, c with its job
    bb_fetcher_loss_t loss;
    assert_false (bb_fetchers_next_loss (fetchers, T0 + 2999, &loss));
    int dead = 0;
    while (bb_fetchers_next_loss (fetchers, T0 + 3040, &loss)) {
        dead++;
        assert_true (loss.dead);
        assert_string_equal (loss.why, "fetcher_dead");
        assert_string_equal (loss.job, streq (loss.fetcher, "c") ? "1.2"
                                                                : "");
    }
    assert_int_equal (dead, 2);
    assert_int_equal (bb_fetchers_size (fetchers), 1);
    assert_null (bb_fetchers_holder (fetchers, "1.2"));

    bb_fetcher_info_t infos [4];
    assert_int_equal (bb_fetchers_list (fetchers, infos, 4), 1);
    assert_string_equal (infos [0].id, "a");
    assert_int_equal (infos [0].jobs, 1);
    assert_true (infos [0].ready);
}

//  The routing id of a dealer, as a router sees it.
static zframe_t *
s_routing_id_of (zsock_t *router, zsock_t *dealer)
{
    zstr_send (dealer, "hello");
    zmsg_t *msg = zmsg_recv (router);
    assert_non_null (msg);
    zframe_t *routing_id = zmsg_pop (msg);
    zmsg_destroy (&msg);
    return routing_id;
}

//  Jobs and heartbeats go by the routing id of the fetcher's latest
//  message: after a reconnect, to its new socket.
static void
test_send_and_heartbeat (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_fetchers_t *fetchers = fixture->fetchers;
    zsock_t *router = zsock_new_router ("inproc://test_sched_fetchers");
    zsock_t *before = zsock_new_dealer (">inproc://test_sched_fetchers");
    zsock_t *after = zsock_new_dealer (">inproc://test_sched_fetchers");
    assert_true (router && before && after);
    zframe_t *before_id = s_routing_id_of (router, before);
    zframe_t *after_id = s_routing_id_of (router, after);
    bb_fetchers_seen (fetchers, "a", before_id, T0);
    bb_fetchers_seen (fetchers, "a", after_id, T0 + 10);

    zframe_t *frame = zframe_new ("job", 3);
    assert_int_equal (bb_fetchers_send (fetchers, "a", router, &frame), 0);
    assert_null (frame);
    char *text = zstr_recv (after);
    assert_string_equal (text, "job");
    zstr_free (&text);
    bb_fetchers_heartbeat (fetchers, router, "scheduler");
    bb_wire_msg_t msg = { 0 };
    assert_int_equal (bb_wire_recv (after, &msg), BB_WIRE_OK);
    assert_int_equal (msg.envelope->body_case,
                      BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT);
    assert_string_equal (msg.envelope->fetcher_heartbeat->fetcher_id,
                         "scheduler");
    bb_wire_msg_reset (&msg);
    //  nothing went to the socket it left
    zsock_set_rcvtimeo (before, 0);
    assert_null (zstr_recv (before));

    zframe_destroy (&before_id);
    zframe_destroy (&after_id);
    zsock_destroy (&after);
    zsock_destroy (&before);
    zsock_destroy (&router);
}

//  What a fetcher says of the job it holds: its own job keeps it; another
//  job or READY idle loses it at once; idle heartbeats lose it from the
//  second one more than an interval after it went.
static void
test_says (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_fetchers_t *fetchers = fixture->fetchers;
    const char *why;
    s_ready (fetchers, "a", fixture->routing_ids [0], T0);
    bb_fetchers_assign (fetchers, "a", "1.0", 1, T0 + DEADLINE_MS, T0);
    assert_string_equal (s_says (fetchers, "a", "1.0", T0 + 500, NULL), "");
    assert_string_equal (s_says (fetchers, "a", "9.9", T0 + 500, &why),
                         "1.0");
    assert_string_equal (why, "fetcher_busy_elsewhere");
    //  still busy (with its other job) until it says it is idle
    assert_int_equal (bb_fetchers_ready_count (fetchers), 0);
    assert_string_equal (s_says (fetchers, "a", "", T0 + 600, NULL), "");
    assert_int_equal (bb_fetchers_ready_count (fetchers), 1);

    bb_fetchers_assign (fetchers, "a", "1.1", 1, T0 + DEADLINE_MS, T0 + 700);
    bb_fetcher_loss_t loss;
    assert_true (bb_fetchers_says (fetchers, "a", "", true, T0 + 800,
                                   &loss));
    assert_string_equal (loss.job, "1.1");
    assert_string_equal (loss.why, "fetcher_restarted");
    assert_false (loss.dead);
    assert_int_equal (bb_fetchers_ready_count (fetchers), 1);

    bb_fetchers_assign (fetchers, "a", "1.2", 1, T0 + DEADLINE_MS, T0 + 1000);
    //  within an interval of the job: the heartbeat may have crossed it
    assert_string_equal (s_says (fetchers, "a", "", T0 + 2000, NULL), "");
    assert_string_equal (s_says (fetchers, "a", "", T0 + 2001, NULL), "");
    assert_string_equal (bb_fetchers_holder (fetchers, "1.2"), "a");
    assert_string_equal (s_says (fetchers, "a", "", T0 + 2100, &why), "1.2");
    assert_string_equal (why, "fetcher_idle");
    assert_null (bb_fetchers_holder (fetchers, "1.2"));
    assert_int_equal (bb_fetchers_ready_count (fetchers), 1);
}

//  A job past its deadline and the grace (heartbeat x liveness) is lost;
//  its fetcher stays busy until it reports. A stalled loop judges no
//  fetcher for an interval.
static void
test_deadline_and_stall (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_fetchers_t *fetchers = fixture->fetchers;
    s_ready (fetchers, "a", fixture->routing_ids [0], T0);
    bb_fetchers_assign (fetchers, "a", "1.0", 2, T0 + 1000, T0);
    bb_fetcher_loss_t loss;
    uint64_t late = T0 + 1000 + HEARTBEAT_MS * LIVENESS + 1;
    bb_fetchers_seen (fetchers, "a", fixture->routing_ids [0], late);
    bb_fetchers_stalled (fetchers, late);
    assert_false (bb_fetchers_next_loss (fetchers, late, &loss));
    late += HEARTBEAT_MS;
    assert_true (bb_fetchers_next_loss (fetchers, late, &loss));
    assert_string_equal (loss.job, "1.0");
    assert_string_equal (loss.why, "deadline");
    assert_false (loss.dead);
    assert_false (bb_fetchers_next_loss (fetchers, late, &loss));
    assert_int_equal (bb_fetchers_ready_count (fetchers), 0);
    bb_fetchers_reported (fetchers, "a", "1.0", 2);
    assert_int_equal (bb_fetchers_ready_count (fetchers), 1);
}

//  A report frees its fetcher unless it holds another job, or a later
//  attempt of the reported one.
static void
test_reported (void **state)
{
    fixture_t *fixture = (fixture_t *) *state;
    bb_fetchers_t *fetchers = fixture->fetchers;
    s_ready (fetchers, "a", fixture->routing_ids [0], T0);
    bb_fetchers_assign (fetchers, "a", "1.0", 2, T0 + DEADLINE_MS, T0);
    bb_fetchers_reported (fetchers, "a", "1.1", 1);
    bb_fetchers_reported (fetchers, "a", "1.0", 1);
    assert_string_equal (bb_fetchers_holder (fetchers, "1.0"), "a");
    bb_fetchers_reported (fetchers, "a", "1.0", 2);
    assert_null (bb_fetchers_holder (fetchers, "1.0"));
    assert_string_equal (bb_fetchers_next_ready (fetchers), "a");
    //  nobody we know: nothing
    bb_fetchers_reported (fetchers, "nobody", "1.0", 1);
}

static void
test_job (void **state)
{
    Balboard__Agent agents [2];
    Balboard__Agent *pointers [2] = { &agents [0], &agents [1] };
    for (int i = 0; i < 2; i++)
        balboard__agent__init (&agents [i]);
    agents [0].stx_address = "SP1";
    agents [0].btc_address = "bc1q1";
    agents [0].display_name = "not carried";
    agents [1].stx_address = "SP2";
    agents [1].btc_address = "bc1q2";
    bb_job_t *job = bb_job_new (7, 3, 1000, pointers, 2);
    assert_string_equal (bb_job_id (job), "7.3");
    assert_int_equal (bb_job_rotation (job), 7);
    assert_int_equal (bb_job_chunk_index (job), 3);
    assert_int_equal (bb_job_agents (job), 2);
    assert_string_equal (bb_job_agent_stx (job, 1), "SP2");
    assert_int_equal (bb_job_attempt (job), 0);
    //  a job not dispatched yet asks every balance source
    assert_int_equal (bb_job_sources (job), BB_SOURCES_CHUNK);
    unsigned hiro_only = BB_SOURCE (BB_UPSTREAM_HIRO);
    bb_job_t *next = bb_job_next_attempt (job, 123456, hiro_only, 9);
    //  the job itself does not change
    assert_int_equal (bb_job_attempt (job), 0);
    assert_int_equal (bb_job_sources (job), BB_SOURCES_CHUNK);
    assert_int_equal (bb_job_attempt (next), 1);
    assert_int_equal (bb_job_sources (next), hiro_only);
    assert_false (bb_job_fetch_prices (next));
    bb_job_t *third = bb_job_next_attempt (next, 123456, BB_SOURCES_ALL, 9);
    assert_int_equal (bb_job_sources (third), BB_SOURCES_ALL);
    assert_true (bb_job_fetch_prices (third));
    bb_job_destroy (&next);
    char ticket [BB_BUDGET_TICKET_SIZE];
    assert_string_equal (bb_job_ticket (third, ticket), "7.3#2");

    //  the bytes are a ChunkJob envelope and come back whole
    zframe_t *frame = bb_job_encode (third);
    bb_job_t *copy = bb_job_decode (zframe_data (frame), zframe_size (frame));
    assert_non_null (copy);
    assert_string_equal (bb_job_id (copy), "7.3");
    assert_int_equal (bb_job_attempt (copy), 2);
    assert_int_equal (bb_job_deadline (copy), 123456);
    assert_true (bb_job_fetch_prices (copy));
    bb_envelope_t *envelope = bb_wire_decode (zframe_data (frame),
                                              zframe_size (frame),
                                              BB_WIRE_MAX_MSG_SIZE, NULL, 0);
    assert_non_null (envelope);
    assert_int_equal (envelope->chunk_job->rotation_agents, 1000);
    assert_int_equal (envelope->chunk_job->hiro_requests_max, 9);
    assert_string_equal (envelope->chunk_job->agents [0]->btc_address,
                         "bc1q1");
    assert_string_equal (envelope->chunk_job->agents [0]->display_name, "");
    bb_wire_envelope_destroy (&envelope);
    zframe_destroy (&frame);
    assert_null (bb_job_decode ("junk", 4));
    bb_job_destroy (&copy);
    bb_job_destroy (&third);
    bb_job_destroy (&job);
    assert_null (job);
}

BB_TEST_MAIN (NULL, NULL,
              BB_TEST (test_lru_and_expiry),
              BB_TEST (test_send_and_heartbeat),
              BB_TEST (test_says),
              BB_TEST (test_deadline_and_stall),
              BB_TEST (test_reported),
              cmocka_unit_test (test_job))
