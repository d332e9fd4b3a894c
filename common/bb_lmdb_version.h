/*  =========================================================================
    bb_lmdb_version - LMDB's runtime version, for --version

    Header only: the two binaries that link LMDB (store, scheduler) list
    it among their libraries; common/ itself does not link LMDB.
    =========================================================================
*/
#ifndef BB_LMDB_VERSION_H_INCLUDED
#define BB_LMDB_VERSION_H_INCLUDED

#include <string.h>
#include <lmdb.h>

//  "0.9.24: (July 24, 2019)", as LMDB says it less its "LMDB " prefix.
static inline const char *
bb_lmdb_version (void)
{
    return mdb_version (NULL, NULL, NULL) + strlen ("LMDB ");
}

#endif
