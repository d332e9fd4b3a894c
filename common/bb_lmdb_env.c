/*  =========================================================================
    bb_lmdb_env - an LMDB environment opened the way balboard opens one

    Each step runs only if the one before it succeeded; the first error
    is the answer.
    =========================================================================
*/
#include "bb_lmdb_env.h"

#include <assert.h>

int
bb_lmdb_env_open (MDB_env **env_p, const char *dir, MDB_dbi max_dbs,
                  size_t map_size, mdb_mode_t file_mode)
{
    assert (env_p && dir);
    *env_p = NULL;
    int rc = mdb_env_create (env_p);
    if (rc == 0)
        rc = mdb_env_set_maxdbs (*env_p, max_dbs);
    if (rc == 0)
        rc = mdb_env_set_mapsize (*env_p, map_size);
    if (rc == 0)
        rc = mdb_env_open (*env_p, dir, MDB_NOTLS, file_mode);
    return rc;
}
