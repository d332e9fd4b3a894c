/*  =========================================================================
    bb_dir - the directory a process keeps its data in

    Each '/' but a leading one ends a parent: the path is cut there,
    that level made, and the '/' put back.
    =========================================================================
*/
#include "bb_dir.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

int
bb_dir_make (const char *path, mode_t mode)
{
    assert (path);
    char buf [PATH_MAX];
    if (strlen (path) >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy (buf, path);
    for (char *slash = strchr (buf, '/'); slash;
         slash = strchr (slash + 1, '/')) {
        if (slash == buf)
            continue;                   // the root: there already
        *slash = '\0';
        if (mkdir (buf, mode) && errno != EEXIST)
            return -1;
        *slash = '/';
    }
    if (mkdir (buf, mode) && errno != EEXIST)
        return -1;
    return 0;
}
