/*  =========================================================================
    bb_test_process - the old names of harness/bb_child and bb_port

    Kept only for tests/scheduler/test_sched_actor.c, which is being
    restructured with the scheduler: once it includes bb_child.h and
    bb_port.h, delete this header. Nothing else may include it.
    =========================================================================
*/
#ifndef BB_TEST_PROCESS_H_INCLUDED
#define BB_TEST_PROCESS_H_INCLUDED

#include "bb_child.h"
#include "bb_port.h"

typedef bb_child_t bb_test_process_t;

#define bb_test_process_new         bb_child_new
#define bb_test_process_destroy     bb_child_destroy
#define bb_test_process_pid         bb_child_pid
#define bb_test_process_running     bb_child_running
#define bb_test_process_wait_port   bb_child_wait_port
#define bb_test_process_signal      bb_child_signal
#define bb_test_process_wait        bb_child_wait
#define bb_test_process_stop        bb_child_stop
#define bb_test_free_port           bb_port_free
#define bb_test_bin_path            bb_child_bin_path

#endif
