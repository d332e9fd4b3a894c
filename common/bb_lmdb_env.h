/*  =========================================================================
    bb_lmdb_env - an LMDB environment opened the way balboard opens one

    Owns the steps the store and the scheduler share to open their
    environment: create it, size it (named databases, map), and open it
    with MDB_NOTLS, so reader slots belong to transactions, not threads.
    With thread-local slots an actor thread that ends while the env
    closes runs LMDB's slot destructor on the unmapped lock file (SIGSEGV).
    Its own library (bb_lmdb_env), linked by the two that link LMDB.
    =========================================================================
*/
#ifndef BB_LMDB_ENV_H_INCLUDED
#define BB_LMDB_ENV_H_INCLUDED

#include <stddef.h>
#include <lmdb.h>

//  Create an environment into *env_p and open it in dir (which exists)
//  for max_dbs named databases with a map of map_size bytes, its files
//  of file_mode. Returns 0 or an LMDB error; either way the caller
//  closes *env_p (mdb_env_close), NULL when even creating it failed.
int bb_lmdb_env_open (MDB_env **env_p, const char *dir, MDB_dbi max_dbs,
                      size_t map_size, mdb_mode_t file_mode);

#endif
