/*  test_sched_fetchers - fetcher registry: registration, LRU hand-out,
    liveness expiry, job bookkeeping, chunk jobs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bb_fetchers.h"
#include "bb_job.h"
#include "bb_wire.h"

#define EXPIRY_MS 3000
#define T0 7000000

static zframe_t *
s_routing_id (const char *text)
{
    return zframe_new (text, strlen (text));
}

static void
test_lru_and_expiry (void **state)
{
    bb_fetchers_t *fetchers = bb_fetchers_new (EXPIRY_MS);
    zframe_t *ra = s_routing_id ("ra"), *rb = s_routing_id ("rb");
    assert_null (bb_fetchers_next_ready (fetchers));
    assert_true (bb_fetchers_seen (fetchers, "a", ra, T0));
    assert_false (bb_fetchers_seen (fetchers, "a", ra, T0));
    assert_true (bb_fetchers_seen (fetchers, "b", rb, T0 + 10));
    //  registered busy until told
    assert_false (bb_fetchers_is_ready (fetchers, "a"));
    assert_int_equal (bb_fetchers_ready_count (fetchers), 0);
    bb_fetchers_set_ready (fetchers, "a");
    bb_fetchers_set_ready (fetchers, "b");
    assert_int_equal (bb_fetchers_size (fetchers), 2);
    assert_int_equal (bb_fetchers_ready_count (fetchers), 2);
    //  a was ready first
    assert_string_equal (bb_fetchers_next_ready (fetchers), "a");
    bb_fetchers_assign (fetchers, "a", "1.0", T0 + 20);
    assert_string_equal (bb_fetchers_job (fetchers, "a"), "1.0");
    assert_string_equal (bb_fetchers_next_ready (fetchers), "b");
    bb_fetchers_set_ready (fetchers, "a");
    //  b never had a job: it comes before a
    assert_string_equal (bb_fetchers_next_ready (fetchers), "b");
    bb_fetchers_assign (fetchers, "b", "1.1", T0 + 30);
    assert_string_equal (bb_fetchers_next_ready (fetchers), "a");
    bb_fetchers_set_ready (fetchers, "b");
    //  both had one: the least recent first
    assert_string_equal (bb_fetchers_next_ready (fetchers), "a");
    //  a newcomer goes first
    zframe_t *rc = s_routing_id ("rc");
    bb_fetchers_seen (fetchers, "c", rc, T0 + 40);
    bb_fetchers_set_ready (fetchers, "c");
    assert_string_equal (bb_fetchers_next_ready (fetchers), "c");
    assert_true (zframe_eq (bb_fetchers_routing_id (fetchers, "c"), rc));
    bb_fetchers_assign (fetchers, "c", "1.2", T0 + 50);

    //  a reconnect brings a new routing id
    zframe_t *ra2 = s_routing_id ("ra2");
    bb_fetchers_seen (fetchers, "a", ra2, T0 + 2000);
    assert_true (zframe_eq (bb_fetchers_routing_id (fetchers, "a"), ra2));

    //  b and c are silent: they expire, c with its job
    char id [BB_FETCHER_ID_SIZE], job [BB_FETCHER_JOB_SIZE];
    assert_false (bb_fetchers_expire (fetchers, T0 + 2999, id, job));
    int expired = 0;
    while (bb_fetchers_expire (fetchers, T0 + 3040, id, job)) {
        expired++;
        if (streq (id, "c"))
            assert_string_equal (job, "1.2");
        else
            assert_string_equal (job, "");
    }
    assert_int_equal (expired, 2);
    assert_int_equal (bb_fetchers_size (fetchers), 1);
    assert_null (bb_fetchers_job (fetchers, "b"));

    bb_fetcher_info_t infos [4];
    assert_int_equal (bb_fetchers_list (fetchers, infos, 4), 1);
    assert_string_equal (infos [0].id, "a");
    assert_int_equal (infos [0].jobs, 1);
    assert_true (infos [0].ready);

    //  forget_job keeps the fetcher busy
    bb_fetchers_assign (fetchers, "a", "1.3", T0 + 3100);
    bb_fetchers_forget_job (fetchers, "a");
    assert_string_equal (bb_fetchers_job (fetchers, "a"), "");
    assert_false (bb_fetchers_is_ready (fetchers, "a"));
    assert_true (zframe_eq (bb_fetchers_first_peer (fetchers), ra2));
    assert_null (bb_fetchers_next_peer (fetchers));

    zframe_destroy (&ra);
    zframe_destroy (&ra2);
    zframe_destroy (&rb);
    zframe_destroy (&rc);
    bb_fetchers_destroy (&fetchers);
    assert_null (fetchers);
    bb_fetchers_destroy (&fetchers);
}

static void
test_id_valid (void **state)
{
    assert_true (bb_fetchers_id_valid ("fetcher-1@host"));
    assert_false (bb_fetchers_id_valid (""));
    assert_false (bb_fetchers_id_valid (NULL));
    assert_false (bb_fetchers_id_valid ("tab\there"));
    char long_id [BB_FETCHER_ID_SIZE + 1];
    memset (long_id, 'x', sizeof long_id - 1);
    long_id [sizeof long_id - 1] = '\0';
    assert_false (bb_fetchers_id_valid (long_id));
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
    bb_job_set_attempt (job, 2);
    bb_job_set_deadline (job, 123456);
    bb_job_set_fetch_prices (job, true);
    bb_job_set_fetcher (job, "f1");
    char ticket [BB_BUDGET_TICKET_SIZE];
    assert_string_equal (bb_job_ticket (job, ticket), "7.3#2");

    //  the bytes are a ChunkJob envelope and come back whole
    zframe_t *frame = bb_job_encode (job);
    bb_job_t *copy = bb_job_decode (zframe_data (frame), zframe_size (frame));
    assert_non_null (copy);
    assert_string_equal (bb_job_id (copy), "7.3");
    assert_int_equal (bb_job_attempt (copy), 2);
    assert_int_equal (bb_job_deadline (copy), 123456);
    assert_true (bb_job_fetch_prices (copy));
    assert_string_equal (bb_job_fetcher (copy), "");
    bb_envelope_t *envelope = bb_wire_decode (zframe_data (frame),
                                              zframe_size (frame),
                                              BB_WIRE_MAX_MSG_SIZE, NULL, 0);
    assert_non_null (envelope);
    assert_int_equal (envelope->chunk_job->rotation_agents, 1000);
    assert_string_equal (envelope->chunk_job->agents [0]->btc_address,
                         "bc1q1");
    assert_string_equal (envelope->chunk_job->agents [0]->display_name, "");
    bb_wire_envelope_destroy (&envelope);
    zframe_destroy (&frame);
    assert_null (bb_job_decode ("junk", 4));
    bb_job_destroy (&copy);
    bb_job_destroy (&job);
    assert_null (job);
}

//  Idle heartbeats count only once a job was given longer than the grace
//  ago, and start again with the next job.
static void
test_idle_beats (void **state)
{
    bb_fetchers_t *fetchers = bb_fetchers_new (EXPIRY_MS);
    zframe_t *ra = s_routing_id ("ra");
    bb_fetchers_seen (fetchers, "a", ra, T0);
    assert_int_equal (bb_fetchers_idle_beat (fetchers, "a", 100, T0), 0);
    bb_fetchers_set_ready (fetchers, "a");
    bb_fetchers_assign (fetchers, "a", "1.0", T0);
    assert_int_equal (bb_fetchers_idle_beat (fetchers, "a", 100, T0 + 100),
                      0);
    assert_int_equal (bb_fetchers_idle_beat (fetchers, "a", 100, T0 + 101),
                      1);
    assert_int_equal (bb_fetchers_idle_beat (fetchers, "a", 100, T0 + 200),
                      2);
    bb_fetchers_set_ready (fetchers, "a");
    assert_int_equal (bb_fetchers_idle_beat (fetchers, "a", 100, T0 + 300),
                      0);
    bb_fetchers_assign (fetchers, "a", "1.1", T0 + 300);
    assert_int_equal (bb_fetchers_idle_beat (fetchers, "a", 100, T0 + 500),
                      1);
    assert_int_equal (bb_fetchers_idle_beat (fetchers, "nobody", 100,
                                             T0 + 500), 0);
    zframe_destroy (&ra);
    bb_fetchers_destroy (&fetchers);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_lru_and_expiry),
        cmocka_unit_test (test_id_valid),
        cmocka_unit_test (test_job),
        cmocka_unit_test (test_idle_beats),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
