/*  test_store_volume - a real balboard-store whose volume fills up.

    The store's data directory is on a tmpfs of a few MiB with a map far
    larger, and a ballast file takes part of the volume. Agents go in
    until the store answers RESOURCE_EXHAUSTED "store full: no space left
    on the volume"; the stats count the refusal and say since when, and
    what was committed before reads back intact. Deleting the ballast
    frees space: the next write commits without a restart and the store
    is no longer full.

    Needs to mount a tmpfs (root, or CAP_SYS_ADMIN): the test makes a
    mount namespace of its own, so the mount goes away with the test and
    its children whatever happens; where it cannot, it is skipped. Heavy:
    registered only with BALBOARD_HEAVY_TESTS. */
#define _GNU_SOURCE
#include "store_fixture.h"
#include "bb_test_main.h"
#include "bb_clock.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define VOLUME_OPTIONS  "size=3m"
#define BALLAST_BYTES   (1024 * 1024)
#define VOLUME_FULL     "store full: no space left on the volume"

//  Mount a tmpfs at dir in a mount namespace of this process (and of the
//  children it starts). Returns 0, or -1 with the reason printed.
static int
s_mount_volume (const char *dir)
{
    if (unshare (CLONE_NEWNS)
    ||  mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)
    ||  mount ("tmpfs", dir, "tmpfs", 0, VOLUME_OPTIONS)) {
        printf ("cannot mount a tmpfs at %s: %s\n", dir, strerror (errno));
        return -1;
    }
    return 0;
}

static void
s_write_ballast (const char *path)
{
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    static char block [64 * 1024];
    for (size_t written = 0; written < BALLAST_BYTES;
         written += sizeof block)
        assert_int_equal (fwrite (block, 1, sizeof block, file),
                          sizeof block);
    assert_int_equal (fclose (file), 0);
}

static void
test_volume_full_then_freed (void **state)
{
    char volume [512], command [600], ballast [600];
    snprintf (volume, sizeof volume, "%s/volume",
              getenv ("BALBOARD_TEST_SCRATCH"));
    snprintf (command, sizeof command, "mkdir -p '%s'", volume);
    assert_int_equal (system (command), 0);
    if (s_mount_volume (volume))
        skip ();
    snprintf (ballast, sizeof ballast, "%s/ballast", volume);
    s_write_ballast (ballast);
    //  The store's directory, volume/store, is on the tmpfs
    const char *args [] = { "--map-size-mb", "64", NULL };
    fx_store_t *store = fx_store_new ("volume/store", args);
    fx_commit_kept (store);
    uint64_t filling = bb_clock_wall_ms ();
    unsigned registered = fx_fill_until_full (store, 1, VOLUME_FULL);
    bb_envelope_t *stats = fx_stats (store);
    printf ("volume full after %u agents, map %llu of %llu bytes\n",
            registered, (unsigned long long) stats->store_stats->map_used,
            (unsigned long long) stats->store_stats->map_size);
    assert_int_equal (stats->store_stats->agents, registered);
    assert_true (stats->store_stats->writes_refused_full >= 1);
    assert_true (stats->store_stats->store_full_since_ms >= filling);
    bb_wire_envelope_destroy (&stats);
    fx_assert_kept (store);

    //  Space freed: the next write commits, no restart
    assert_int_equal (unlink (ballast), 0);
    fx_upsert_range (store, registered, FX_FULL_CHUNK);
    stats = fx_stats (store);
    assert_int_equal (stats->store_stats->agents, registered + FX_FULL_CHUNK);
    assert_int_equal (stats->store_stats->store_full_since_ms, 0);
    bb_wire_envelope_destroy (&stats);
    fx_assert_kept (store);
    fx_store_destroy (&store);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test (test_volume_full_then_freed))
