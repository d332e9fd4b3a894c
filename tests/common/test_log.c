/*  test_log - the line budget of events a peer can provoke (bb_log_limit),
    on an injected clock, and bb_wire_rejection's use of it: a flood of
    bad frames writes a bounded number of lines that count the rest.
*/
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bb_test_main.h"
#include "bb_log.h"
#include "bb_wire.h"

static void
test_limit_burst_then_count (void **state)
{
    (void) state;
    bb_log_limit_t limit = { .burst = 3, .interval_ms = 1000 };
    uint64_t unlogged = 99;
    int64_t start = 5000;
    for (int line = 0; line < 3; line++) {
        assert_true (bb_log_limit_pass (&limit, start + line, &unlogged));
        assert_int_equal (unlogged, 0);
    }
    assert_false (bb_log_limit_pass (&limit, start + 10, &unlogged));
    assert_false (bb_log_limit_pass (&limit, start + 999, &unlogged));
    //  The next interval lets a line through that counts the two held.
    assert_true (bb_log_limit_pass (&limit, start + 1000, &unlogged));
    assert_int_equal (unlogged, 2);
    assert_true (bb_log_limit_pass (&limit, start + 1001, &unlogged));
    assert_int_equal (unlogged, 0);
}

static void
test_limit_quiet_interval_resets (void **state)
{
    (void) state;
    bb_log_limit_t limit = { .burst = 1, .interval_ms = 1000 };
    uint64_t unlogged;
    assert_true (bb_log_limit_pass (&limit, 1000, &unlogged));
    assert_false (bb_log_limit_pass (&limit, 1500, &unlogged));
    assert_true (bb_log_limit_pass (&limit, 60000, &unlogged));
    assert_int_equal (unlogged, 1);
    assert_false (bb_log_limit_pass (&limit, 60999, &unlogged));
}

//  Lines of path that hold needle.
static size_t
s_lines_with (const char *path, const char *needle, uint64_t *unlogged_sum)
{
    FILE *file = fopen (path, "r");
    assert_non_null (file);
    char line [BB_LOG_LINE_MAX + 2];
    size_t count = 0;
    *unlogged_sum = 0;
    while (fgets (line, sizeof line, file))
        if (strstr (line, needle)) {
            count++;
            const char *field = strstr (line, "unlogged=");
            assert_non_null (field);
            *unlogged_sum += strtoull (field + 9, NULL, 10);
        }
    fclose (file);
    return count;
}

#define FLOOD   2000

static void
test_rejection_flood_bounded (void **state)
{
    (void) state;
    char path [] = "/tmp/test_log_XXXXXX";
    int fd = mkstemp (path);
    assert_true (fd >= 0);
    int saved = dup (STDERR_FILENO);
    assert_true (dup2 (fd, STDERR_FILENO) >= 0);
    int64_t start = zclock_mono ();
    bb_wire_msg_t msg = { 0 };
    snprintf (msg.reason, sizeof msg.reason, "garbage");
    for (int frame = 0; frame < FLOOD; frame++) {
        zframe_t *reply = bb_wire_rejection ("test", &msg);
        assert_non_null (reply);
        zframe_destroy (&reply);
    }
    int64_t elapsed_s = (zclock_mono () - start) / 1000;
    dup2 (saved, STDERR_FILENO);
    close (saved);
    close (fd);
    uint64_t unlogged;
    size_t lines = s_lines_with (path, "event=bad_frame", &unlogged);
    unlink (path);
    printf ("test_log: %d bad frames in %" PRId64 " s wrote %zu lines\n",
            FLOOD, elapsed_s, lines);
    assert_true (lines >= 1);
    //  At most a burst a second, and every frame either logged or counted
    //  by a later line (the held back after the last line are pending).
    assert_true (lines <= 10 * (size_t) (elapsed_s + 1));
    assert_true (lines + unlogged <= FLOOD);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test (test_limit_burst_then_count),
        cmocka_unit_test (test_limit_quiet_interval_resets),
        cmocka_unit_test (test_rejection_flood_bounded))
