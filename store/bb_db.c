/*  =========================================================================
    bb_db - the store's LMDB environment

    Owns the MDB_env, the dbi handles (opened once, at open, in the first
    write transaction, then shared read-only by both threads), the schema
    version and the migrations. A migration takes the store from version N
    to N+1 inside the open transaction, so an interrupted upgrade leaves
    the old version in place and is simply run again. It also times the
    store's commits (bb_db_commit) for StoreStats, and owns the store's
    fullness: which write errors mean "store full", how many writes were
    refused for it and since when it refuses them.
    =========================================================================
*/
#include "bb_db.h"
#include "bb_dir.h"
#include "bb_histogram.h"
#include "bb_lmdb_env.h"
#include "bb_log.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#define BB_DB_FILE_MODE 0640
#define BB_DB_DIR_MODE  0750

static const char *s_dbi_names [BB_DBI_COUNT] = {
    "meta", "agents", "balances", "totals", "history", "tokens", "sync_stage"
};

//  Key of the schema version in the meta dbi; value is a u32 LE.
#define BB_DB_SCHEMA_KEY "schema_version"

struct _bb_db_t {
    MDB_env *env;               // the one environment of the process
    MDB_dbi dbi [BB_DBI_COUNT]; // opened at open, valid until close
    size_t map_max;             // growth stops here, bytes
    bb_histogram_t commits;     // bb_db_commit's durations
    //  Written by the ingest actor, read by the readers' stats
    _Atomic uint64_t refused_full;      // writes refused "store full"
    _Atomic uint64_t full_since_ms;     // wall clock; 0 = not full
};

//  A migration from version index to index + 1, run inside the open txn.
typedef int (migration_fn) (bb_db_t *self, MDB_txn *txn);

//  0 -> 1: a new store. Opening the dbis created them; nothing to move.
static int
s_migrate_create (bb_db_t *self, MDB_txn *txn)
{
    return 0;
}

//  1 -> 2: agents carry their owner (a trailing byte) and the sync_stage
//  dbi keeps a registry snapshot's parts. Opening the dbis created the
//  new one and an agent without the byte reads as imported by hand, so
//  nothing is rewritten; the version keeps older builds, which would read
//  the byte as corruption, out.
static int
s_migrate_owner (bb_db_t *self, MDB_txn *txn)
{
    return 0;
}

static migration_fn *s_migrations [BB_DB_SCHEMA_VERSION] = {
    s_migrate_create,
    s_migrate_owner,
};

static int
s_schema_get (bb_db_t *self, MDB_txn *txn, uint32_t *version)
{
    MDB_val key = { strlen (BB_DB_SCHEMA_KEY), BB_DB_SCHEMA_KEY };
    MDB_val value;
    int rc = mdb_get (txn, self->dbi [BB_DBI_META], &key, &value);
    if (rc == MDB_NOTFOUND) {
        *version = 0;
        return 0;
    }
    if (rc)
        return rc;
    if (value.mv_size != 4)
        return MDB_CORRUPTED;
    const uint8_t *bytes = value.mv_data;
    *version = (uint32_t) bytes [0] | (uint32_t) bytes [1] << 8
             | (uint32_t) bytes [2] << 16 | (uint32_t) bytes [3] << 24;
    return 0;
}

static int
s_schema_put (bb_db_t *self, MDB_txn *txn, uint32_t version)
{
    uint8_t bytes [4] = {
        (uint8_t) version, (uint8_t) (version >> 8),
        (uint8_t) (version >> 16), (uint8_t) (version >> 24)
    };
    MDB_val key = { strlen (BB_DB_SCHEMA_KEY), BB_DB_SCHEMA_KEY };
    MDB_val value = { sizeof bytes, bytes };
    return mdb_put (txn, self->dbi [BB_DBI_META], &key, &value, 0);
}

//  Bring the schema to BB_DB_SCHEMA_VERSION inside txn. Returns 0, an LMDB
//  error, or -1 for a store newer than this binary (logged).
static int
s_migrate (bb_db_t *self, MDB_txn *txn, const char *data_dir)
{
    uint32_t version;
    int rc = s_schema_get (self, txn, &version);
    if (rc)
        return rc;
    if (version > BB_DB_SCHEMA_VERSION) {
        bb_error ("schema_too_new", "data_dir=%s schema=%u supported=%u "
                  "hint=\"this store was written by a newer balboard-store; "
                  "run that version or restore a backup\"",
                  data_dir, version, BB_DB_SCHEMA_VERSION);
        return -1;
    }
    while (version < BB_DB_SCHEMA_VERSION) {
        rc = s_migrations [version] (self, txn);
        if (rc == 0)
            rc = s_schema_put (self, txn, version + 1);
        if (rc)
            return rc;
        bb_info ("schema_migrated", "from=%u to=%u", version, version + 1);
        version++;
    }
    return 0;
}

//  Open every dbi and migrate in one durable write txn.
static int
s_prepare (bb_db_t *self, const char *data_dir)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin (self->env, NULL, 0, &txn);
    for (int i = 0; rc == 0 && i < BB_DBI_COUNT; i++)
        rc = mdb_dbi_open (txn, s_dbi_names [i], MDB_CREATE, &self->dbi [i]);
    if (rc == 0)
        rc = s_migrate (self, txn, data_dir);
    if (rc == 0)
        rc = mdb_txn_commit (txn);
    else
        mdb_txn_abort (txn);
    if (rc && rc != -1)         // -1: already logged
        bb_error ("store_open_failed", "data_dir=%s error=\"%s\"",
                  data_dir, mdb_strerror (rc));
    return rc ? -1 : 0;
}

//  Clear the reader slots of processes that died with a read txn open
//  (a kill -9): LMDB cannot reuse them, and the pages they pin are never
//  freed while they stay.
static void
s_reader_check (bb_db_t *self, const char *data_dir)
{
    int dead = 0;
    int rc = mdb_reader_check (self->env, &dead);
    if (rc)
        bb_warn ("reader_check_failed", "data_dir=%s error=\"%s\"",
                 data_dir, mdb_strerror (rc));
    else
    if (dead)
        bb_warn ("stale_readers_cleared", "data_dir=%s count=%d", data_dir,
                 dead);
}

//  ---------------------------------------------------------------------------
//  Open the store in data_dir

bb_db_t *
bb_db_new (const char *data_dir, size_t map_size, size_t map_max)
{
    assert (data_dir);
    if (bb_dir_make (data_dir, BB_DB_DIR_MODE)) {
        bb_error ("data_dir_failed", "data_dir=%s error=\"%s\"",
                  data_dir, strerror (errno));
        return NULL;
    }
    bb_db_t *self = calloc (1, sizeof *self);
    assert (self);
    self->map_max = map_max > map_size ? map_max : map_size;
    int rc = bb_lmdb_env_open (&self->env, data_dir, BB_DBI_COUNT, map_size,
                               BB_DB_FILE_MODE);
    if (rc) {
        bb_error ("store_open_failed", "data_dir=%s error=\"%s\"", data_dir,
                  mdb_strerror (rc));
        bb_db_destroy (&self);
        return NULL;
    }
    s_reader_check (self, data_dir);
    if (s_prepare (self, data_dir)) {
        bb_db_destroy (&self);
        return NULL;
    }
    bb_info ("store_opened", "data_dir=%s schema=%d map_size=%zu "
             "map_used=%zu map_max=%zu", data_dir, BB_DB_SCHEMA_VERSION,
             bb_db_map_size (self), bb_db_map_used (self), self->map_max);
    return self;
}

//  ---------------------------------------------------------------------------
//  Close the environment

void
bb_db_destroy (bb_db_t **self_p)
{
    assert (self_p);
    bb_db_t *self = *self_p;
    if (!self)
        return;
    if (self->env)
        mdb_env_close (self->env);
    free (self);
    *self_p = NULL;
}

MDB_dbi
bb_db_dbi (bb_db_t *self, bb_dbi_t which)
{
    assert (self && which < BB_DBI_COUNT);
    return self->dbi [which];
}

//  ---------------------------------------------------------------------------
//  Begin a transaction

int
bb_db_begin (bb_db_t *self, MDB_txn *parent, unsigned flags, MDB_txn **txn)
{
    assert (self && txn);
    int rc = mdb_txn_begin (self->env, parent, flags, txn);
    if (rc)
        bb_error ("txn_begin_failed", "read_only=%d nested=%d error=\"%s\"",
                  (flags & MDB_RDONLY) != 0, parent != NULL,
                  mdb_strerror (rc));
    return rc;
}

int
bb_db_commit (bb_db_t *self, MDB_txn *txn)
{
    assert (self && txn);
    int64_t started = zclock_usecs ();
    int rc = mdb_txn_commit (txn);
    if (rc == 0)
        bb_histogram_add (&self->commits,
                          (uint64_t) (zclock_usecs () - started));
    return rc;
}

void
bb_db_commit_latency (bb_db_t *self, bb_latency_t *latency)
{
    assert (self);
    bb_histogram_read (&self->commits, latency);
}

//  ---------------------------------------------------------------------------
//  Double the map size, up to the maximum

int
bb_db_grow (bb_db_t *self)
{
    assert (self);
    size_t size = bb_db_map_size (self);
    if (size >= self->map_max)
        return -1;
    size_t grown = size > self->map_max / 2 ? self->map_max : size * 2;
    int rc = mdb_env_set_mapsize (self->env, grown);
    if (rc) {
        bb_error ("map_grow_failed", "from=%zu to=%zu error=\"%s\"", size,
                  grown, mdb_strerror (rc));
        return -1;
    }
    bb_info ("map_grown", "from=%zu to=%zu max=%zu", size, grown,
             self->map_max);
    return 0;
}

size_t
bb_db_map_size (bb_db_t *self)
{
    assert (self);
    MDB_envinfo info;
    mdb_env_info (self->env, &info);
    return info.me_mapsize;
}

size_t
bb_db_map_max (bb_db_t *self)
{
    assert (self);
    return self->map_max;
}

size_t
bb_db_map_used (bb_db_t *self)
{
    assert (self);
    MDB_envinfo info;
    MDB_stat stat;
    mdb_env_info (self->env, &info);
    mdb_env_stat (self->env, &stat);
    return (info.me_last_pgno + 1) * (size_t) stat.ms_psize;
}

size_t
bb_db_entries (bb_db_t *self, MDB_txn *txn, bb_dbi_t which)
{
    assert (self && txn && which < BB_DBI_COUNT);
    MDB_stat stat;
    if (mdb_stat (txn, self->dbi [which], &stat))
        return 0;
    return stat.ms_entries;
}

//  ---------------------------------------------------------------------------
//  Store full

//  True if the volume of the data directory has less than a page free.
static bool
s_volume_full (bb_db_t *self)
{
    const char *path;
    struct statvfs volume;
    if (mdb_env_get_path (self->env, &path) || statvfs (path, &volume))
        return false;
    return (uint64_t) volume.f_bavail * volume.f_frsize < BB_DB_PAGE_SIZE;
}

const char *
bb_db_full_reason (bb_db_t *self, int rc)
{
    assert (self);
    if (rc == MDB_MAP_FULL)
        return BB_DB_FULL_MAP;
    //  LMDB reports a short write, what a volume that fills mid-write
    //  gives, as EIO
    if (rc == ENOSPC || rc == EDQUOT || (rc == EIO && s_volume_full (self)))
        return BB_DB_FULL_VOLUME;
    return NULL;
}

void
bb_db_full_note (bb_db_t *self, size_t refused, uint64_t now_ms)
{
    assert (self);
    if (refused == 0) {
        atomic_store (&self->full_since_ms, 0);
        return;
    }
    atomic_fetch_add (&self->refused_full, refused);
    uint64_t never = 0;
    atomic_compare_exchange_strong (&self->full_since_ms, &never, now_ms);
}

uint64_t
bb_db_full_refused (bb_db_t *self)
{
    assert (self);
    return atomic_load (&self->refused_full);
}

uint64_t
bb_db_full_since (bb_db_t *self)
{
    assert (self);
    return atomic_load (&self->full_since_ms);
}
