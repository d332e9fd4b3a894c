/*  =========================================================================
    bb_scratch - a directory of throwaway data, removed whole or made
    again empty

    nftw walks the tree depth first, so a directory is removed after what
    it holds; symbolic links are removed, never followed. The directory
    is made again by bb_dir_make (common/bb_dir), as the services make
    their data directories.
    =========================================================================
*/
#define _XOPEN_SOURCE 700
#include "bb_scratch.h"
#include "bb_dir.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#define OPEN_DIRS_MAX   16          // directories nftw holds open at once

static int
s_remove_entry (const char *path, const struct stat *info, int type,
                struct FTW *walk)
{
    return remove (path);
}

int
bb_scratch_remove (const char *path)
{
    if (nftw (path, s_remove_entry, OPEN_DIRS_MAX, FTW_DEPTH | FTW_PHYS) == 0)
        return 0;
    return errno == ENOENT ? 0 : -1;
}

int
bb_scratch_reset (const char *path)
{
    if (bb_scratch_remove (path))
        return -1;
    return bb_dir_make (path, S_IRWXU | S_IRWXG | S_IRWXO);
}
