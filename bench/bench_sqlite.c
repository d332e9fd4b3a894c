/*  =========================================================================
    bench_sqlite - the original D1 schema and query in SQLite, beside the
    store
    =========================================================================
*/
#include "bench_sqlite.h"

#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>

#include "bb_bench.h"
#include "bb_clock.h"
#include "bb_scratch.h"
#include "bench_agents.h"

#define PATH_SIZE 512
//  Agents a transaction of a prefill: few commits, none of them timed
#define PREFILL_AGENTS 10000

//  Every connection may keep 256 MiB of pages and its sorts in memory:
//  SQLite's defaults (2 MiB, sorts on disk) are no fair match for a store
//  that maps its whole file.
#define PRAGMAS "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;"

static const char *s_schema =
    PRAGMAS
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;"
    "CREATE TABLE balances ("
    "  agent_address TEXT NOT NULL,"
    "  token_id TEXT NOT NULL,"
    "  captured_at INTEGER NOT NULL,"
    "  raw_amount TEXT NOT NULL,"
    "  decimals INTEGER NOT NULL,"
    "  usd_value REAL,"
    "  source TEXT NOT NULL,"
    "  PRIMARY KEY (agent_address, token_id, captured_at));"
    "CREATE INDEX idx_balances_latest"
    "  ON balances (agent_address, token_id, captured_at DESC);";

static const char *s_insert =
    "INSERT INTO balances (agent_address, token_id, captured_at, "
    "raw_amount, decimals, usd_value, source) VALUES (?, ?, ?, ?, ?, ?, ?)";

//  The latest row per (agent, token) (SQLite's bare columns take the row
//  of the MAX), summed per agent, ranked by the total: one page of agents.
static const char *s_ranked =
    "WITH latest AS ("
    "  SELECT agent_address, token_id, MAX (captured_at), usd_value"
    "  FROM balances GROUP BY agent_address, token_id)"
    "SELECT agent_address, SUM (usd_value) AS total_usd"
    "  FROM latest GROUP BY agent_address"
    "  ORDER BY total_usd DESC LIMIT ?1 OFFSET ?2";

//  The latest row of each token of one agent of the page.
static const char *s_tokens =
    "SELECT token_id, MAX (captured_at), raw_amount, decimals, usd_value,"
    "       source"
    "  FROM balances WHERE agent_address = ?1 GROUP BY token_id";

struct _bench_sqlite_t {
    char dir [PATH_SIZE];
    char path [PATH_SIZE + 16];
    sqlite3 *db;                // the writer
};

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *ranked;
    sqlite3_stmt *tokens;
} connection_t;

static int
s_fail (sqlite3 *db, const char *what)
{
    fprintf (stderr, "bench_sqlite: %s: %s\n", what, sqlite3_errmsg (db));
    return -1;
}

bench_sqlite_t *
bench_sqlite_new (const char *dir)
{
    bench_sqlite_t *self = calloc (1, sizeof *self);
    snprintf (self->dir, sizeof self->dir, "%s", dir);
    snprintf (self->path, sizeof self->path, "%s/d1.sqlite", dir);
    if (bb_scratch_reset (dir)
    ||  sqlite3_open (self->path, &self->db) != SQLITE_OK
    ||  sqlite3_exec (self->db, s_schema, NULL, NULL, NULL) != SQLITE_OK) {
        s_fail (self->db, "creating the database");
        bench_sqlite_destroy (&self);
    }
    return self;
}

void
bench_sqlite_destroy (bench_sqlite_t **self_p)
{
    bench_sqlite_t *self = *self_p;
    if (!self)
        return;
    sqlite3_close (self->db);
    free (self);
    *self_p = NULL;
}

//  Bind and step the insert of agent's token t.
static int
s_insert_row (sqlite3_stmt *insert, const bench_agent_t *agent, int t,
              uint64_t captured_at_ms)
{
    char amount [32];
    snprintf (amount, sizeof amount, "%llu", agent->amount [t]);
    sqlite3_reset (insert);
    sqlite3_bind_text (insert, 1, agent->stx, -1, SQLITE_STATIC);
    sqlite3_bind_text (insert, 2, agent->token_id [t], -1, SQLITE_STATIC);
    sqlite3_bind_int64 (insert, 3, (sqlite3_int64) captured_at_ms);
    sqlite3_bind_text (insert, 4, amount, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int (insert, 5, agent->decimals [t]);
    sqlite3_bind_double (insert, 6, (double) agent->usd_micro [t] / 1e6);
    sqlite3_bind_text (insert, 7, agent->source [t], -1, SQLITE_STATIC);
    return sqlite3_step (insert) == SQLITE_DONE ? 0 : -1;
}

//  One transaction: the rows of agents first..last-1.
static int
s_insert_batch (bench_sqlite_t *self, sqlite3_stmt *insert, long first,
                long last, unsigned pass, uint64_t captured_at_ms)
{
    int rc = sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
           ? 0 : -1;
    for (long i = first; i < last && rc == 0; i++) {
        bench_agent_t agent;
        bench_agents_get ((unsigned) i, pass, &agent);
        for (int t = 0; t < BENCH_AGENTS_TOKENS && rc == 0; t++)
            rc = s_insert_row (insert, &agent, t, captured_at_ms);
    }
    if (rc == 0
    &&  sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = -1;
    return rc ? s_fail (self->db, "a batch") : 0;
}

long
bench_sqlite_ingest (bench_sqlite_t *self, long first, long n,
                     unsigned pass, uint64_t captured_at_ms,
                     int batch_agents, double *seconds)
{
    sqlite3_stmt *insert;
    if (sqlite3_prepare_v2 (self->db, s_insert, -1, &insert, NULL)
        != SQLITE_OK)
        return s_fail (self->db, "preparing the insert");
    int64_t started = bb_clock_mono_ms ();
    int rc = 0;
    for (long at = first; at < n && rc == 0; at += batch_agents) {
        long last = at + batch_agents < n ? at + batch_agents : n;
        rc = s_insert_batch (self, insert, at, last, pass, captured_at_ms);
    }
    *seconds = (double) (bb_clock_mono_ms () - started) / 1000;
    sqlite3_finalize (insert);
    return rc ? -1 : (n - first) * BENCH_AGENTS_TOKENS;
}

int
bench_sqlite_prefill (bench_sqlite_t *self, long n, unsigned pass,
                      uint64_t captured_at_ms)
{
    double seconds;
    if (sqlite3_exec (self->db, "PRAGMA synchronous = OFF", NULL, NULL,
                      NULL) != SQLITE_OK
    ||  bench_sqlite_ingest (self, 0, n, pass, captured_at_ms,
                             PREFILL_AGENTS, &seconds) < 0
    ||  sqlite3_exec (self->db, "PRAGMA synchronous = FULL;"
                      "PRAGMA wal_checkpoint (TRUNCATE)", NULL, NULL, NULL)
        != SQLITE_OK)
        return s_fail (self->db, "prefilling");
    return 0;
}

long long
bench_sqlite_disk_bytes (bench_sqlite_t *self)
{
    return bb_bench_disk_bytes (self->dir);
}

long
bench_sqlite_memory_kb (void)
{
    return (long) (sqlite3_memory_highwater (0) / 1024);
}

//  ===========================================================================
//  The page source

static void
s_close (void **connection_p)
{
    connection_t *connection = *connection_p;
    sqlite3_finalize (connection->ranked);
    sqlite3_finalize (connection->tokens);
    sqlite3_close (connection->db);
    free (connection);
    *connection_p = NULL;
}

static void *
s_open (void *system)
{
    bench_sqlite_t *self = system;
    connection_t *connection = calloc (1, sizeof *connection);
    if (sqlite3_open_v2 (self->path, &connection->db, SQLITE_OPEN_READONLY,
                         NULL) != SQLITE_OK
    ||  sqlite3_prepare_v2 (connection->db, s_ranked, -1,
                            &connection->ranked, NULL) != SQLITE_OK
    ||  sqlite3_prepare_v2 (connection->db, s_tokens, -1,
                            &connection->tokens, NULL) != SQLITE_OK
    ||  sqlite3_exec (connection->db, PRAGMAS, NULL, NULL, NULL)
        != SQLITE_OK) {
        s_fail (connection->db, "opening a reader");
        void *opened = connection;
        s_close (&opened);
        return NULL;
    }
    return connection;
}

//  The tokens of the agent of the ranked query's current row; 0 if it
//  has some.
static int
s_tokens_of (connection_t *connection)
{
    sqlite3_stmt *tokens = connection->tokens;
    sqlite3_reset (tokens);
    sqlite3_bind_value (tokens, 1,
                        sqlite3_column_value (connection->ranked, 0));
    int count = 0, rc;
    while ((rc = sqlite3_step (tokens)) == SQLITE_ROW)
        count += sqlite3_column_bytes (tokens, 2) > 0;
    return rc == SQLITE_DONE && count > 0 ? 0 : -1;
}

static int
s_page (void *arg, int64_t offset)
{
    connection_t *connection = arg;
    sqlite3_stmt *ranked = connection->ranked;
    sqlite3_reset (ranked);
    sqlite3_bind_int (ranked, 1, BENCH_PAGES_LIMIT);
    sqlite3_bind_int64 (ranked, 2, (sqlite3_int64) offset);
    int rows = 0, rc;
    while ((rc = sqlite3_step (ranked)) == SQLITE_ROW)
        if (s_tokens_of (connection) == 0)
            rows++;
    if (rc != SQLITE_DONE)
        return s_fail (connection->db, "the ranked query");
    if (rows != BENCH_PAGES_LIMIT) {
        fprintf (stderr, "bench_sqlite: a short page at %lld\n",
                 (long long) offset);
        return -1;
    }
    return 0;
}

bench_pages_source_t
bench_sqlite_source (bench_sqlite_t *self)
{
    return (bench_pages_source_t) { s_open, s_page, s_close, self };
}
