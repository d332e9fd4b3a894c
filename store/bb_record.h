/*  =========================================================================
    bb_record - the records of the store and their bytes in LMDB

    Owns every key and value encoding of the store (docs/store.md lists
    them): the agent registry, latest balance rows, per-agent totals,
    history points, token metadata and the meta records (prices, counters,
    rotation progress). Integers are little-endian in values and big-endian
    where they sort inside a key; strings in keys end in a NUL byte so that
    one agent's keys are one contiguous range. Nothing else builds or
    parses these bytes.

    Get and put helpers take the caller's txn and copy values out of LMDB
    before returning, so a record never points into the map. Gets return
    0, MDB_NOTFOUND, or another LMDB error; puts return 0 or an LMDB error
    (MDB_MAP_FULL among them), which the caller turns into an abort.
    =========================================================================
*/
#ifndef BB_RECORD_H_INCLUDED
#define BB_RECORD_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "bb_db.h"
#include "bb_token_id.h"
#include "bb_upstream.h"
#include "bb_u128.h"

//  Buffer sizes, NUL included. Inputs longer than size - 1 are rejected
//  before they reach a record.
#define BB_STX_SIZE         48      // standard principal, 41 chars at most
#define BB_BTC_SIZE         96      // bech32 limit is 90
#define BB_NAME_SIZE        129     // displayName, bnsName: 128 bytes
#define BB_LEVEL_NAME_SIZE  65
#define BB_KEY_SIZE         511     // LMDB's default maximum key size

//  Latest outcome of one source for one agent.
typedef enum {
    BB_SOURCE_NEVER = 0,        // no result yet
    BB_SOURCE_OK = 1,
    BB_SOURCE_FAILED = 2,       // last good rows kept, stale
} bb_source_state_t;

//  Who added an agent (Agent.owner): a registry sync removes only the
//  agents the registry owns.
typedef enum {
    BB_AGENT_MANUAL = 0,        // imported by hand; also every agent of a
                                // store written before the tag existed
    BB_AGENT_REGISTRY = 1,      // listed by the registry
} bb_agent_owner_t;

//  agents dbi: stx -> registry entry
typedef struct {
    char stx [BB_STX_SIZE];                 // the key
    char btc [BB_BTC_SIZE];
    char display_name [BB_NAME_SIZE];
    char bns_name [BB_NAME_SIZE];
    uint32_t level;                         // 0..2
    char level_name [BB_LEVEL_NAME_SIZE];
    uint8_t owner;                          // bb_agent_owner_t
} bb_agent_rec_t;

//  balances dbi: (stx, token) -> latest row
typedef struct {
    bb_u128_t amount;                       // raw, 0 = a real zero
    uint8_t decimals;
    uint8_t source;                         // bb_upstream_t, a source
    bool stale;                             // last fetch of source failed
    uint64_t captured_at_ms;                // when this amount was fetched
} bb_balance_rec_t;

//  One row of an agent's balance list.
typedef struct {
    char token_id [BB_TOKEN_ID_SIZE];
    bb_balance_rec_t row;
} bb_balance_item_t;

//  All balance rows of one agent, in token order. Owns its array.
typedef struct {
    bb_balance_item_t *items;
    size_t size;
    size_t capacity;
} bb_balance_list_t;

//  totals dbi: stx -> the valued components and fetch state
typedef struct {
    bb_u128_t btc_l1;                       // sats on L1
    bb_u128_t sbtc;                         // sBTC sats
    bb_u128_t ustx;                         // µSTX
    uint64_t attempt_ms [BB_UPSTREAM_SOURCES];       // newest captured_at applied
    uint8_t state [BB_UPSTREAM_SOURCES];             // bb_source_state_t
} bb_totals_rec_t;

//  tokens dbi: contract -> metadata
typedef struct {
    char symbol [BB_TOKEN_SYMBOL_SIZE];
    uint8_t decimals;
    bool known;                             // false: missing upstream
} bb_token_rec_t;

//  meta "prices": the current snapshot (micro-USD per whole coin)
typedef struct {
    int64_t btc_usd_micro;
    int64_t stx_usd_micro;
    uint64_t priced_at_ms;                  // 0 = never priced
} bb_prices_rec_t;

//  meta "counters"
typedef struct {
    uint64_t commit_seq;                    // +1 per write commit
    uint64_t last_commit_ms;
    uint64_t batches_committed;
    uint64_t batches_duplicate;
    uint64_t batches_rejected;
    uint64_t agents_fetched;                // totals with a fetch
} bb_counters_rec_t;

//  meta "rotation": progress as reported by the newest batches
typedef struct {
    uint64_t rotation;
    uint32_t chunks_done;
    uint32_t rotation_agents;
} bb_rotation_rec_t;

//  meta "rotation_agents_done": agents of the batches committed in the
//  newest rotation (a record of its own, so older data reads as before)
typedef struct {
    uint64_t rotation;
    uint32_t agents_done;
} bb_rotation_agents_rec_t;

//  ---------------------------------------------------------------------------
//  Keys

//  Build the (stx, token) key of a balance row into buf (BB_KEY_SIZE).
//  Returns its length.
size_t bb_record_balance_key (const char *stx, const char *token_id,
                              char *buf);

//  Build the (stx, token, captured_at) key of a history point.
size_t bb_record_history_key (const char *stx, const char *token_id,
                              uint64_t captured_at_ms, char *buf);

//  Split a history key into its parts (token_id: BB_TOKEN_ID_SIZE).
//  Returns 0, or -1 if the bytes are not a history key.
int bb_record_history_key_parse (const MDB_val *key, char *stx,
                                 char *token_id, uint64_t *captured_at_ms);

//  Length of the (stx, token) series prefix of a history key (everything
//  but the timestamp), or 0 if the key is malformed.
size_t bb_record_history_series_len (const MDB_val *key);

//  ---------------------------------------------------------------------------
//  Agents

int bb_record_agent_get (bb_db_t *db, MDB_txn *txn, const char *stx,
                         bb_agent_rec_t *agent);
int bb_record_agent_put (bb_db_t *db, MDB_txn *txn,
                         const bb_agent_rec_t *agent);
int bb_record_agent_del (bb_db_t *db, MDB_txn *txn, const char *stx);

//  Stage a registry sync's agent in the sync_stage dbi (same encoding).
int bb_record_staged_put (bb_db_t *db, MDB_txn *txn,
                          const bb_agent_rec_t *agent);

//  Decode an agents or sync_stage dbi entry (for cursor walks). Returns
//  0 or -1.
int bb_record_agent_decode (const MDB_val *key, const MDB_val *value,
                            bb_agent_rec_t *agent);

//  True if a and b hold the same fields, the owner aside.
bool bb_record_agent_equal (const bb_agent_rec_t *a, const bb_agent_rec_t *b);

//  ---------------------------------------------------------------------------
//  Balances

int bb_record_balance_put (bb_db_t *db, MDB_txn *txn, const char *stx,
                           const char *token_id, const bb_balance_rec_t *row);

//  Load every balance row of stx into list (emptied first). Returns 0 or
//  an LMDB error.
int bb_record_balances_load (bb_db_t *db, MDB_txn *txn, const char *stx,
                             bb_balance_list_t *list);

//  Release what list holds; it can be reused. NULL-safe.
void bb_balance_list_reset (bb_balance_list_t *list);

//  The item for token_id, or NULL.
bb_balance_item_t *bb_balance_list_find (bb_balance_list_t *list,
                                         const char *token_id);

//  ---------------------------------------------------------------------------
//  Totals

int bb_record_totals_get (bb_db_t *db, MDB_txn *txn, const char *stx,
                          bb_totals_rec_t *totals);
int bb_record_totals_put (bb_db_t *db, MDB_txn *txn, const char *stx,
                          const bb_totals_rec_t *totals);
int bb_record_totals_del (bb_db_t *db, MDB_txn *txn, const char *stx);

//  Decode a totals dbi value (for cursor walks). Returns 0 or -1.
int bb_record_totals_decode (const MDB_val *value, bb_totals_rec_t *totals);

//  True once any source has reported for the agent.
bool bb_record_totals_fetched (const bb_totals_rec_t *totals);

//  ---------------------------------------------------------------------------
//  History

//  Add the point (stx, token, captured_at) = amount.
int bb_record_history_put (bb_db_t *db, MDB_txn *txn, const char *stx,
                           const char *token_id, uint64_t captured_at_ms,
                           bb_u128_t amount);

//  Decode a history value. Returns 0 or -1.
int bb_record_history_decode (const MDB_val *value, bb_u128_t *amount);

//  ---------------------------------------------------------------------------
//  Tokens

int bb_record_token_get (bb_db_t *db, MDB_txn *txn, const char *contract,
                         bb_token_rec_t *token);
int bb_record_token_put (bb_db_t *db, MDB_txn *txn, const char *contract,
                         const bb_token_rec_t *token);

//  ---------------------------------------------------------------------------
//  Meta. A missing record reads as all zeros (returns 0).

int bb_record_prices_get (bb_db_t *db, MDB_txn *txn, bb_prices_rec_t *prices);
int bb_record_prices_put (bb_db_t *db, MDB_txn *txn,
                          const bb_prices_rec_t *prices);
int bb_record_counters_get (bb_db_t *db, MDB_txn *txn,
                            bb_counters_rec_t *counters);
int bb_record_counters_put (bb_db_t *db, MDB_txn *txn,
                            const bb_counters_rec_t *counters);
int bb_record_rotation_get (bb_db_t *db, MDB_txn *txn,
                            bb_rotation_rec_t *rotation);
int bb_record_rotation_put (bb_db_t *db, MDB_txn *txn,
                            const bb_rotation_rec_t *rotation);
int bb_record_rotation_agents_get (bb_db_t *db, MDB_txn *txn,
                                   bb_rotation_agents_rec_t *agents);
int bb_record_rotation_agents_put (bb_db_t *db, MDB_txn *txn,
                                   const bb_rotation_agents_rec_t *agents);

//  meta "sync_stage": the registry snapshot whose parts are being kept
//  (bb_sync); generation 0 = none.
typedef struct {
    uint64_t generation;
    uint32_t attempt;
    uint32_t next_part;                     // parts kept so far
} bb_sync_stage_rec_t;

int bb_record_sync_stage_get (bb_db_t *db, MDB_txn *txn,
                              bb_sync_stage_rec_t *stage);
int bb_record_sync_stage_put (bb_db_t *db, MDB_txn *txn,
                              const bb_sync_stage_rec_t *stage);

//  Opaque meta records (bytes another encoding owns, e.g. a packed
//  protobuf message). Get points value into the map, valid until txn
//  ends; returns 0, MDB_NOTFOUND or an LMDB error. Del of a missing
//  record returns 0.
int bb_record_meta_bytes_get (bb_db_t *db, MDB_txn *txn, const char *name,
                              MDB_val *value);
int bb_record_meta_bytes_put (bb_db_t *db, MDB_txn *txn, const char *name,
                              const void *bytes, size_t size);
int bb_record_meta_del (bb_db_t *db, MDB_txn *txn, const char *name);

//  ---------------------------------------------------------------------------
//  Delete every key of dbi that starts with the bytes of prefix
//  (prefix_len of them). Adds the number deleted to *deleted when not
//  NULL. Returns 0 or an LMDB error.
int bb_record_del_prefix (bb_db_t *db, MDB_txn *txn, bb_dbi_t dbi,
                          const void *prefix, size_t prefix_len,
                          size_t *deleted);

#endif
