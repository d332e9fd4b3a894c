/*  =========================================================================
    bb_dir - the directory a process keeps its data in

    Owns making it on first start: the path with every missing parent
    (mkdir -p), each level created with the mode the caller chose (the
    umask applies) and left as it is when it exists already.
    =========================================================================
*/
#ifndef BB_DIR_H_INCLUDED
#define BB_DIR_H_INCLUDED

#include <sys/types.h>

//  Make directory path and its missing parents with mode. Returns 0 (made
//  or there already), or -1 with errno set (ENAMETOOLONG past PATH_MAX).
int bb_dir_make (const char *path, mode_t mode);

#endif
