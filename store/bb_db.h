/*  =========================================================================
    bb_db - the store's LMDB environment

    Owns the one MDB_env of the process: it creates the data directory,
    opens the environment, opens every dbi once, checks the schema version
    and runs migrations, and grows the map. Both store actors share the
    environment as LMDB allows; each begins its own transactions, and a
    transaction and its cursors never leave the thread that began it.

    Map growth (bb_db_grow) changes the mapping, so LMDB requires that no
    transaction is active anywhere in the process while it runs; the
    ingest actor pauses the query actor around it (bb_ingest).
    Every call that fails logs the mdb_strerror of the cause.
    =========================================================================
*/
#ifndef BB_DB_H_INCLUDED
#define BB_DB_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "bb_latency.h"

//  The schema this code writes. A store at a lower version is migrated at
//  open; a store at a higher one is refused.
#define BB_DB_SCHEMA_VERSION 2

//  The named databases (docs/store.md has their keys and values).
typedef enum {
    BB_DBI_META,        // "schema_version", "prices", "counters", ...
    BB_DBI_AGENTS,      // stx -> agent
    BB_DBI_BALANCES,    // stx NUL token -> latest row
    BB_DBI_TOTALS,      // stx -> valued components + fetch state
    BB_DBI_HISTORY,     // stx NUL token NUL be64 captured_at -> amount
    BB_DBI_TOKENS,      // contract -> symbol, decimals, known
    BB_DBI_SYNC_STAGE,  // stx -> agent, the registry snapshot being kept
    BB_DBI_COUNT
} bb_dbi_t;

typedef struct _bb_db_t bb_db_t;

//  Open (creating when absent) the store in data_dir with a map of
//  map_size bytes that may grow up to map_max bytes. Returns NULL after
//  logging why (unwritable directory, newer schema, LMDB error).
bb_db_t *bb_db_new (const char *data_dir, size_t map_size, size_t map_max);

//  Close the environment and set *self_p to NULL. No transaction may be
//  active. NULL-safe.
void bb_db_destroy (bb_db_t **self_p);

MDB_dbi bb_db_dbi (bb_db_t *self, bb_dbi_t which);

//  Begin a transaction (parent for a nested write txn, flags as LMDB's,
//  MDB_RDONLY for a reader). Returns 0 or an LMDB error (logged).
int bb_db_begin (bb_db_t *self, MDB_txn *parent, unsigned flags,
                 MDB_txn **txn);

//  Commit a write transaction (txn is gone either way), timing it into
//  the commit durations if it succeeds. Returns 0 or the LMDB error.
//  The thread that began txn.
int bb_db_commit (bb_db_t *self, MDB_txn *txn);

//  The durations of every bb_db_commit so far. Any thread.
void bb_db_commit_latency (bb_db_t *self, bb_latency_t *latency);

//  Double the map size, capped at the maximum. Only call with no
//  transaction active in the process. Returns 0, or -1 if the map is
//  already at its maximum or LMDB refused (logged).
int bb_db_grow (bb_db_t *self);

//  Current map size, the most it may grow to, and bytes in use (last
//  page + 1), in bytes.
size_t bb_db_map_size (bb_db_t *self);
size_t bb_db_map_max (bb_db_t *self);
size_t bb_db_map_used (bb_db_t *self);

//  Entries in dbi as seen by txn (O(1)).
size_t bb_db_entries (bb_db_t *self, MDB_txn *txn, bb_dbi_t which);

//  ---------------------------------------------------------------------------
//  Store full: the map at its maximum, or the data directory's volume out
//  of space. A write refused for it is answered RESOURCE_EXHAUSTED with
//  the reason, and goes in once there is room again.

#define BB_DB_FULL_MAP      "store full"
#define BB_DB_FULL_VOLUME   "store full: no space left on the volume"
//  Less free than this on the volume counts as none (LMDB's page).
#define BB_DB_PAGE_SIZE     4096

//  The reason if rc, the error of a write, means the store is full
//  (MDB_MAP_FULL; ENOSPC or EDQUOT; EIO on a volume with less than a page
//  free), else NULL.
const char *bb_db_full_reason (bb_db_t *self, int rc);

//  After a round: refused writes were refused "store full" at now_ms.
//  Counts them and starts the full period; 0 refused ends it.
void bb_db_full_note (bb_db_t *self, size_t refused, uint64_t now_ms);

//  Writes refused "store full" since the start, and since when the store
//  refuses them (wall ms; 0 = not full). Any thread.
uint64_t bb_db_full_refused (bb_db_t *self);
uint64_t bb_db_full_since (bb_db_t *self);

#endif
