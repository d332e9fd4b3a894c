/*  =========================================================================
    bb_sched_state - the scheduler's durable state, in its own LMDB env

    Layout (mdb_dump -p shows it as text):
      "meta"  one key per field of bb_sched_meta_t ("rotation", "cursor",
              "paused_until.hiro", ...), each value decimal text (bools
              "0"/"1", the cursor as is). Missing keys read as the fresh
              default, so a field added later needs no migration.
      "jobs"  job id -> the ChunkJob envelope bytes of its latest attempt.
    The meta is small, so every change rewrites all of it.
    =========================================================================
*/
#include "bb_sched_state.h"
#include "bb_dir.h"
#include "bb_lmdb_env.h"
#include "bb_log.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

//  The state is a few kilobytes per job in flight.
#define MAP_SIZE        (64UL << 20)
#define MAX_DBS         2
#define DIR_MODE        0755
#define FILE_MODE       0644
#define NUMBER_SIZE     24              // a u64 in decimal, NUL included

typedef enum { FIELD_U64, FIELD_U32, FIELD_BOOL, FIELD_TEXT } field_type_t;

typedef struct {
    const char *name;               // the key in "meta"
    field_type_t type;
    size_t offset;                  // into bb_sched_meta_t
} field_t;

#define FIELD(name, type, member) \
    { name, type, offsetof (bb_sched_meta_t, member) }

static const field_t s_fields [] = {
    FIELD ("rotation", FIELD_U64, rotation),
    FIELD ("cursor", FIELD_TEXT, cursor),
    FIELD ("next_chunk", FIELD_U32, next_chunk),
    FIELD ("rotation_agents", FIELD_U32, rotation_agents),
    FIELD ("rotation_done", FIELD_U32, rotation_done),
    FIELD ("rotation_started_ms", FIELD_U64, rotation_started_ms),
    FIELD ("exhausted", FIELD_BOOL, exhausted),
    FIELD ("complete", FIELD_BOOL, complete),
    FIELD ("rotations_completed", FIELD_U64, rotations_completed),
    FIELD ("last_rotation_ms", FIELD_U64, last_rotation_ms),
    FIELD ("tick_seq", FIELD_U64, tick_seq),
    FIELD ("idle", FIELD_BOOL, idle),
    FIELD ("paused", FIELD_BOOL, paused),
    FIELD ("paused_until.hiro", FIELD_U64, paused_until [BB_UPSTREAM_HIRO]),
    FIELD ("paused_until.mempool", FIELD_U64,
           paused_until [BB_UPSTREAM_MEMPOOL]),
    FIELD ("paused_until.price", FIELD_U64, paused_until [BB_UPSTREAM_PRICE]),
    FIELD ("budget_held.hiro", FIELD_U32, budget_held [BB_UPSTREAM_HIRO]),
    FIELD ("budget_held.mempool", FIELD_U32,
           budget_held [BB_UPSTREAM_MEMPOOL]),
    FIELD ("budget_held.price", FIELD_U32, budget_held [BB_UPSTREAM_PRICE]),
    FIELD ("budget_until.hiro", FIELD_U64, budget_until [BB_UPSTREAM_HIRO]),
    FIELD ("budget_until.mempool", FIELD_U64,
           budget_until [BB_UPSTREAM_MEMPOOL]),
    FIELD ("budget_until.price", FIELD_U64,
           budget_until [BB_UPSTREAM_PRICE]),
    FIELD ("paused_until.registry", FIELD_U64,
           paused_until [BB_UPSTREAM_REGISTRY]),
    FIELD ("budget_held.registry", FIELD_U32,
           budget_held [BB_UPSTREAM_REGISTRY]),
    FIELD ("budget_until.registry", FIELD_U64,
           budget_until [BB_UPSTREAM_REGISTRY]),
    FIELD ("registry_generation", FIELD_U64, registry_generation),
};

#define FIELD_COUNT (sizeof s_fields / sizeof s_fields [0])

struct _bb_sched_state_t {
    MDB_env *env;
    MDB_dbi meta_dbi;               // field name -> text
    MDB_dbi jobs_dbi;               // job id -> ChunkJob envelope
    MDB_txn *txn;                   // the change under way, or NULL
    bool failed;                    // a step of the change failed
    bb_sched_meta_t meta;           // as last committed
    bb_sched_meta_t pending;        // as the change will commit it
};

//  ---------------------------------------------------------------------
//  Opening

static void
s_fail (const char *what, int rc)
{
    bb_error ("state_lmdb_failed", "step=%s error=\"%s\"", what,
              mdb_strerror (rc));
}

static void
s_meta_fresh (bb_sched_meta_t *meta)
{
    memset (meta, 0, sizeof *meta);
    meta->exhausted = true;
    meta->complete = true;
}

//  Parse one stored value into its field. Returns 0 or -1.
static int
s_field_read (const field_t *field, const MDB_val *value,
              bb_sched_meta_t *meta)
{
    char *target = (char *) meta + field->offset;
    char text [BB_SCHED_CURSOR_SIZE];
    if (value->mv_size >= sizeof text)
        return -1;
    memcpy (text, value->mv_data, value->mv_size);
    text [value->mv_size] = '\0';
    if (field->type == FIELD_TEXT) {
        memcpy (target, text, value->mv_size + 1);
        return 0;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long number = strtoull (text, &end, 10);
    if (errno || end == text || *end)
        return -1;
    if (field->type == FIELD_U64)
        *(uint64_t *) target = number;
    else
    if (field->type == FIELD_U32 && number <= UINT32_MAX)
        *(uint32_t *) target = (uint32_t) number;
    else
    if (field->type == FIELD_BOOL && number <= 1)
        *(bool *) target = number == 1;
    else
        return -1;
    return 0;
}

static int
s_meta_load (bb_sched_state_t *self)
{
    s_meta_fresh (&self->meta);
    MDB_txn *txn;
    int rc = mdb_txn_begin (self->env, NULL, MDB_RDONLY, &txn);
    if (rc) {
        s_fail ("begin_read", rc);
        return -1;
    }
    for (size_t i = 0; i < FIELD_COUNT && rc == 0; i++) {
        MDB_val key = { strlen (s_fields [i].name),
                        (void *) s_fields [i].name };
        MDB_val value;
        int found = mdb_get (txn, self->meta_dbi, &key, &value);
        if (found == MDB_NOTFOUND)
            continue;
        if (found || s_field_read (&s_fields [i], &value, &self->meta)) {
            bb_error ("state_corrupt", "field=%s", s_fields [i].name);
            rc = -1;
        }
    }
    mdb_txn_abort (txn);
    return rc ? -1 : 0;
}

static int
s_open (bb_sched_state_t *self, const char *dir)
{
    int rc = bb_lmdb_env_open (&self->env, dir, MAX_DBS, MAP_SIZE, FILE_MODE);
    if (rc) {
        s_fail ("env_open", rc);
        return -1;
    }
    int fd;
    if (mdb_env_get_fd (self->env, &fd) == 0
    &&  flock (fd, LOCK_EX | LOCK_NB)) {
        bb_error ("state_locked", "dir=%s hint=\"another scheduler uses "
                  "this data directory\"", dir);
        return -1;
    }
    MDB_txn *txn;
    rc = mdb_txn_begin (self->env, NULL, 0, &txn);
    if (rc == 0)
        rc = mdb_dbi_open (txn, "meta", MDB_CREATE, &self->meta_dbi);
    if (rc == 0)
        rc = mdb_dbi_open (txn, "jobs", MDB_CREATE, &self->jobs_dbi);
    if (rc == 0)
        rc = mdb_txn_commit (txn);
    else
        mdb_txn_abort (txn);
    if (rc) {
        s_fail ("dbi_open", rc);
        return -1;
    }
    return s_meta_load (self);
}

bb_sched_state_t *
bb_sched_state_new (const char *dir)
{
    assert (dir);
    if (bb_dir_make (dir, DIR_MODE)) {
        bb_error ("state_dir_failed", "dir=%s error=\"%s\"", dir,
                  strerror (errno));
        return NULL;
    }
    bb_sched_state_t *self = calloc (1, sizeof *self);
    assert (self);
    if (s_open (self, dir))
        bb_sched_state_destroy (&self);
    return self;
}

void
bb_sched_state_destroy (bb_sched_state_t **self_p)
{
    assert (self_p);
    bb_sched_state_t *self = *self_p;
    if (self) {
        bb_sched_state_abort (self);
        if (self->env)
            mdb_env_close (self->env);
        free (self);
        *self_p = NULL;
    }
}

const bb_sched_meta_t *
bb_sched_state_meta (bb_sched_state_t *self)
{
    assert (self);
    return &self->meta;
}

//  ---------------------------------------------------------------------
//  Jobs

zlistx_t *
bb_sched_state_jobs (bb_sched_state_t *self)
{
    assert (self);
    MDB_txn *txn;
    MDB_cursor *cursor;
    int rc = mdb_txn_begin (self->env, NULL, MDB_RDONLY, &txn);
    if (rc) {
        s_fail ("begin_read", rc);
        return NULL;
    }
    rc = mdb_cursor_open (txn, self->jobs_dbi, &cursor);
    if (rc) {
        s_fail ("cursor_open", rc);
        mdb_txn_abort (txn);
        return NULL;
    }
    zlistx_t *jobs = zlistx_new ();
    assert (jobs);
    zlistx_set_destructor (jobs, bb_job_destructor);
    MDB_val key, value;
    while (mdb_cursor_get (cursor, &key, &value, MDB_NEXT) == 0) {
        bb_job_t *job = bb_job_decode (value.mv_data, value.mv_size);
        if (job)
            zlistx_add_end (jobs, job);
        else
            bb_error ("state_job_corrupt", "key_bytes=%zu", key.mv_size);
    }
    mdb_cursor_close (cursor);
    mdb_txn_abort (txn);
    return jobs;
}

//  ---------------------------------------------------------------------
//  Changes

int
bb_sched_state_begin (bb_sched_state_t *self)
{
    assert (self && !self->txn);
    int rc = mdb_txn_begin (self->env, NULL, 0, &self->txn);
    if (rc) {
        s_fail ("begin", rc);
        self->txn = NULL;
        return -1;
    }
    self->failed = false;
    self->pending = self->meta;
    return 0;
}

//  Record the outcome of a step of the change.
static int
s_step (bb_sched_state_t *self, const char *what, int rc)
{
    if (rc) {
        s_fail (what, rc);
        self->failed = true;
        return -1;
    }
    return 0;
}

static int
s_field_write (bb_sched_state_t *self, const field_t *field,
               const bb_sched_meta_t *meta)
{
    const char *source = (const char *) meta + field->offset;
    char number [NUMBER_SIZE];
    const char *text = number;
    if (field->type == FIELD_TEXT)
        text = source;
    else
    if (field->type == FIELD_U64)
        snprintf (number, sizeof number, "%" PRIu64,
                  *(const uint64_t *) source);
    else
    if (field->type == FIELD_U32)
        snprintf (number, sizeof number, "%" PRIu32,
                  *(const uint32_t *) source);
    else
        snprintf (number, sizeof number, "%d", *(const bool *) source);
    MDB_val key = { strlen (field->name), (void *) field->name };
    MDB_val value = { strlen (text), (void *) text };
    return mdb_put (self->txn, self->meta_dbi, &key, &value, 0);
}

int
bb_sched_state_put_meta (bb_sched_state_t *self, const bb_sched_meta_t *meta)
{
    assert (self && self->txn && meta);
    if (self->failed)
        return -1;
    assert (memchr (meta->cursor, '\0', sizeof meta->cursor));
    for (size_t i = 0; i < FIELD_COUNT; i++)
        if (s_step (self, "put_meta", s_field_write (self, &s_fields [i],
                                                      meta)))
            return -1;
    self->pending = *meta;
    return 0;
}

int
bb_sched_state_put_job (bb_sched_state_t *self, bb_job_t *job)
{
    assert (self && self->txn && job);
    if (self->failed)
        return -1;
    const char *id = bb_job_id (job);
    zframe_t *frame = bb_job_encode (job);
    MDB_val key = { strlen (id), (void *) id };
    MDB_val value = { zframe_size (frame), zframe_data (frame) };
    int rc = mdb_put (self->txn, self->jobs_dbi, &key, &value, 0);
    zframe_destroy (&frame);
    return s_step (self, "put_job", rc);
}

int
bb_sched_state_del_job (bb_sched_state_t *self, const char *job_id)
{
    assert (self && self->txn && job_id);
    if (self->failed)
        return -1;
    MDB_val key = { strlen (job_id), (void *) job_id };
    int rc = mdb_del (self->txn, self->jobs_dbi, &key, NULL);
    return s_step (self, "del_job", rc == MDB_NOTFOUND ? 0 : rc);
}

int
bb_sched_state_commit (bb_sched_state_t *self)
{
    assert (self && self->txn);
    if (self->failed) {
        bb_sched_state_abort (self);
        return -1;
    }
    int rc = mdb_txn_commit (self->txn);
    self->txn = NULL;
    if (rc) {
        s_fail ("commit", rc);
        return -1;
    }
    self->meta = self->pending;
    return 0;
}

void
bb_sched_state_abort (bb_sched_state_t *self)
{
    assert (self);
    if (self->txn) {
        mdb_txn_abort (self->txn);
        self->txn = NULL;
    }
    self->failed = false;
}
