/*  test_sched_state - the scheduler's durable state: fresh defaults,
    committed changes survive a reopen (a restart resumes exactly), aborted
    ones leave nothing, one scheduler per directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "bb_scratch.h"
#include "bb_sources.h"
#include "bb_sched_state.h"

static char s_dir [512];

static int
s_setup (void **state)
{
    const char *scratch = getenv ("BALBOARD_TEST_SCRATCH");
    snprintf (s_dir, sizeof s_dir, "%s/state-%d",
              scratch ? scratch : "/tmp/test_sched_state", (int) getpid ());
    return bb_scratch_remove (s_dir);
}

static bb_job_t *
s_job (uint64_t rotation, uint32_t chunk, const char *stx)
{
    Balboard__Agent agent = BALBOARD__AGENT__INIT;
    agent.stx_address = (char *) stx;
    agent.btc_address = "bc1qexample";
    Balboard__Agent *agents [1] = { &agent };
    return bb_job_new (rotation, chunk, 10, agents, 1);
}

static void
test_fresh_state (void **state)
{
    bb_sched_state_t *sched_state = bb_sched_state_new (s_dir);
    assert_non_null (sched_state);
    const bb_sched_meta_t *meta = bb_sched_state_meta (sched_state);
    assert_int_equal (meta->rotation, 0);
    assert_true (meta->exhausted);
    assert_true (meta->complete);
    assert_string_equal (meta->cursor, "");
    zlistx_t *jobs = bb_sched_state_jobs (sched_state);
    assert_int_equal (zlistx_size (jobs), 0);
    zlistx_destroy (&jobs);
    bb_sched_state_destroy (&sched_state);
    assert_null (sched_state);
    bb_sched_state_destroy (&sched_state);
}

//  What test_restart_resumes committed, as a reopen after a kill -9
//  finds it.
static void
s_assert_restored (void)
{
    bb_sched_state_t *sched_state = bb_sched_state_new (s_dir);
    assert_non_null (sched_state);
    const bb_sched_meta_t *back = bb_sched_state_meta (sched_state);
    assert_int_equal (back->rotation, 3);
    assert_string_equal (back->cursor, "SP2ABC");
    assert_int_equal (back->next_chunk, 2);
    assert_int_equal (back->rotation_agents, 10);
    assert_int_equal (back->rotation_done, 2);
    assert_int_equal (back->rotation_started_ms, 1700000000000ULL);
    assert_false (back->exhausted);
    assert_false (back->complete);
    assert_int_equal (back->tick_seq, 41);
    assert_true (back->idle);
    assert_false (back->paused);
    assert_int_equal (back->paused_until [BB_UPSTREAM_MEMPOOL],
                      1700000060000ULL);
    assert_int_equal (back->paused_until [BB_UPSTREAM_HIRO], 0);
    assert_int_equal (back->budget_held [BB_UPSTREAM_HIRO], 7);
    assert_int_equal (back->budget_until [BB_UPSTREAM_HIRO],
                      1700000090000ULL);
    assert_int_equal (back->budget_held [BB_UPSTREAM_REGISTRY], 60);
    assert_int_equal (back->registry_generation, 12);
    zlistx_t *jobs = bb_sched_state_jobs (sched_state);
    assert_int_equal (zlistx_size (jobs), 1);
    bb_job_t *job = (bb_job_t *) zlistx_first (jobs);
    assert_string_equal (bb_job_id (job), "3.1");
    assert_int_equal (bb_job_attempt (job), 1);
    assert_int_equal (bb_job_deadline (job), 1700000001000ULL);
    assert_string_equal (bb_job_agent_stx (job, 0), "SP2ABC");
    zlistx_destroy (&jobs);
    bb_sched_state_destroy (&sched_state);
}

static void
test_restart_resumes (void **state)
{
    bb_sched_state_t *sched_state = bb_sched_state_new (s_dir);
    assert_non_null (sched_state);
    bb_sched_meta_t meta = *bb_sched_state_meta (sched_state);
    meta.rotation = 3;
    snprintf (meta.cursor, sizeof meta.cursor, "%s", "SP2ABC");
    meta.next_chunk = 2;
    meta.rotation_agents = 10;
    meta.rotation_done = 1;
    meta.rotation_started_ms = 1700000000000ULL;
    meta.exhausted = false;
    meta.complete = false;
    meta.tick_seq = 41;
    meta.idle = true;
    meta.paused_until [BB_UPSTREAM_MEMPOOL] = 1700000060000ULL;
    meta.budget_held [BB_UPSTREAM_HIRO] = 7;
    meta.budget_until [BB_UPSTREAM_HIRO] = 1700000090000ULL;
    meta.budget_held [BB_UPSTREAM_REGISTRY] = 60;
    meta.registry_generation = 12;
    bb_job_t *first = s_job (3, 0, "SP1");
    bb_job_t *fresh = s_job (3, 1, "SP2ABC");
    bb_job_t *second = bb_job_next_attempt (fresh, 1700000001000ULL,
                                            BB_SOURCES_CHUNK, 0);
    bb_job_destroy (&fresh);

    //  cursor advance and job recorded in one change
    assert_int_equal (bb_sched_state_begin (sched_state), 0);
    assert_int_equal (bb_sched_state_put_meta (sched_state, &meta), 0);
    assert_int_equal (bb_sched_state_put_job (sched_state, first), 0);
    assert_int_equal (bb_sched_state_put_job (sched_state, second), 0);
    //  not visible before the commit
    assert_int_equal (bb_sched_state_meta (sched_state)->rotation, 0);
    assert_int_equal (bb_sched_state_commit (sched_state), 0);
    assert_int_equal (bb_sched_state_meta (sched_state)->rotation, 3);

    //  the first job reported
    meta.rotation_done = 2;
    assert_int_equal (bb_sched_state_begin (sched_state), 0);
    assert_int_equal (bb_sched_state_put_meta (sched_state, &meta), 0);
    assert_int_equal (bb_sched_state_del_job (sched_state, "3.0"), 0);
    assert_int_equal (bb_sched_state_del_job (sched_state, "no.such"), 0);
    assert_int_equal (bb_sched_state_commit (sched_state), 0);

    //  an aborted change leaves nothing
    bb_sched_meta_t wrong = meta;
    wrong.rotation = 99;
    assert_int_equal (bb_sched_state_begin (sched_state), 0);
    assert_int_equal (bb_sched_state_put_meta (sched_state, &wrong), 0);
    assert_int_equal (bb_sched_state_del_job (sched_state, "3.1"), 0);
    bb_sched_state_abort (sched_state);
    bb_sched_state_destroy (&sched_state);
    bb_job_destroy (&first);
    bb_job_destroy (&second);

    //  reopened as after a kill -9
    s_assert_restored ();
}

static void
test_one_scheduler_per_dir (void **state)
{
    bb_sched_state_t *sched_state = bb_sched_state_new (s_dir);
    assert_non_null (sched_state);
    pid_t child = fork ();
    assert_true (child >= 0);
    if (child == 0) {
        bb_sched_state_t *other = bb_sched_state_new (s_dir);
        _exit (other ? 1 : 0);
    }
    int status = 0;
    assert_int_equal (waitpid (child, &status, 0), child);
    assert_true (WIFEXITED (status));
    assert_int_equal (WEXITSTATUS (status), 0);
    bb_sched_state_destroy (&sched_state);
}

static void
test_unwritable_dir (void **state)
{
    assert_null (bb_sched_state_new ("/proc/balboard-no/state"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup (test_fresh_state, s_setup),
        cmocka_unit_test_setup (test_restart_resumes, s_setup),
        cmocka_unit_test_setup (test_one_scheduler_per_dir, s_setup),
        cmocka_unit_test (test_unwritable_dir),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
