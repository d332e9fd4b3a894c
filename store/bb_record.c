/*  =========================================================================
    bb_record - the records of the store and their bytes in LMDB

    Owns the byte layouts below (also in docs/store.md). Values are packed
    field by field, never as C structs, so padding and alignment never
    reach the disk. Encoders write into stack buffers sized for the
    largest record; decoders check every length and fail with -1 on a
    short or long value rather than read past it.

    agents    stx                       -> level u8, btc, display, bns,
                                           level_name (u16 len + bytes each),
                                           owner u8 (absent = manual)
    sync_stage stx                      -> as agents
    balances  stx NUL token             -> amount u128, decimals u8,
                                           source u8, flags u8, captured u64
    totals    stx                       -> btc_l1, sbtc, ustx (u128 each),
                                           per source: attempt u64, state u8
    history   stx NUL token NUL be64 ts -> amount u128
    tokens    contract                  -> decimals u8, known u8, symbol
    meta      "prices" "counters" "rotation" "rotation_agents_done"
              "sync_stage" (+ "schema_version", bb_db; opaque records
              such as bb_sync's packed reports)
    =========================================================================
*/
#include "bb_record.h"
#include "bb_array.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BB_RECORD_MAX       512     // largest encoded value
#define BB_U128_BYTES       16
#define BB_FLAG_STALE       0x01

#define BB_META_PRICES      "prices"
#define BB_META_COUNTERS    "counters"
#define BB_META_ROTATION    "rotation"
#define BB_META_ROTATION_AGENTS "rotation_agents_done"
#define BB_META_SYNC_STAGE  "sync_stage"

//  ===========================================================================
//  Byte writer and reader

typedef struct {
    uint8_t *at;                // next byte to write
    uint8_t *end;               // one past the buffer
} writer_t;

typedef struct {
    const uint8_t *at;          // next byte to read
    const uint8_t *end;         // one past the value
    bool bad;                   // a read ran past the end
} reader_t;

//  Write value as width little-endian bytes. Buffers are sized for the
//  largest record, so running out is a programmer error.
static void
s_write_uint (writer_t *out, uint64_t value, size_t width)
{
    assert (out->at + width <= out->end);
    for (size_t i = 0; i < width; i++)
        *out->at++ = (uint8_t) (value >> (8 * i));
}

static void
s_write_u128 (writer_t *out, bb_u128_t value)
{
    s_write_uint (out, (uint64_t) value, 8);
    s_write_uint (out, (uint64_t) (value >> 64), 8);
}

static void
s_write_str (writer_t *out, const char *text)
{
    size_t length = strlen (text);
    s_write_uint (out, length, 2);
    assert (out->at + length <= out->end);
    memcpy (out->at, text, length);
    out->at += length;
}

static uint64_t
s_read_uint (reader_t *in, size_t width)
{
    if (in->bad || in->at + width > in->end) {
        in->bad = true;
        return 0;
    }
    uint64_t value = 0;
    for (size_t i = 0; i < width; i++)
        value |= (uint64_t) *in->at++ << (8 * i);
    return value;
}

static bb_u128_t
s_read_u128 (reader_t *in)
{
    bb_u128_t low = s_read_uint (in, 8);
    bb_u128_t high = s_read_uint (in, 8);
    return high << 64 | low;
}

//  Read a string into buf (size bytes); one that does not fit is bad.
static void
s_read_str (reader_t *in, char *buf, size_t size)
{
    size_t length = (size_t) s_read_uint (in, 2);
    if (in->bad || length >= size || in->at + length > in->end) {
        in->bad = true;
        buf [0] = '\0';
        return;
    }
    memcpy (buf, in->at, length);
    buf [length] = '\0';
    in->at += length;
}

static reader_t
s_reader (const MDB_val *value)
{
    const uint8_t *data = value->mv_data;
    return (reader_t) { data, data + value->mv_size, false };
}

//  0 if the whole value was read, else -1.
static int
s_read_done (const reader_t *in)
{
    return in->bad || in->at != in->end ? -1 : 0;
}

//  Copy a key string of length bytes into buf (size bytes). 0 or -1.
static int
s_copy_key_str (const uint8_t *bytes, size_t length, char *buf, size_t size)
{
    if (length >= size)
        return -1;
    memcpy (buf, bytes, length);
    buf [length] = '\0';
    return 0;
}

//  ===========================================================================
//  Generic get and put

static int
s_get (bb_db_t *db, MDB_txn *txn, bb_dbi_t dbi, const void *key,
       size_t key_len, MDB_val *value)
{
    MDB_val k = { key_len, (void *) key };
    return mdb_get (txn, bb_db_dbi (db, dbi), &k, value);
}

static int
s_put (bb_db_t *db, MDB_txn *txn, bb_dbi_t dbi, const void *key,
       size_t key_len, const writer_t *out, const uint8_t *start)
{
    MDB_val k = { key_len, (void *) key };
    MDB_val v = { (size_t) (out->at - start), (void *) start };
    return mdb_put (txn, bb_db_dbi (db, dbi), &k, &v, 0);
}

static int
s_del (bb_db_t *db, MDB_txn *txn, bb_dbi_t dbi, const void *key,
       size_t key_len)
{
    MDB_val k = { key_len, (void *) key };
    return mdb_del (txn, bb_db_dbi (db, dbi), &k, NULL);
}

//  ===========================================================================
//  Keys

size_t
bb_record_balance_key (const char *stx, const char *token_id, char *buf)
{
    size_t stx_len = strlen (stx);
    size_t token_len = strlen (token_id);
    assert (stx_len + 1 + token_len <= BB_KEY_SIZE);
    memcpy (buf, stx, stx_len + 1);
    memcpy (buf + stx_len + 1, token_id, token_len);
    return stx_len + 1 + token_len;
}

size_t
bb_record_history_key (const char *stx, const char *token_id,
                       uint64_t captured_at_ms, char *buf)
{
    size_t length = bb_record_balance_key (stx, token_id, buf);
    assert (length + 1 + 8 <= BB_KEY_SIZE);
    buf [length++] = '\0';
    for (int i = 7; i >= 0; i--)
        buf [length++] = (char) (uint8_t) (captured_at_ms >> (8 * i));
    return length;
}

size_t
bb_record_history_series_len (const MDB_val *key)
{
    const uint8_t *bytes = key->mv_data;
    if (key->mv_size < 8 + 3)
        return 0;
    size_t series_len = key->mv_size - 8;
    const uint8_t *first = memchr (bytes, '\0', series_len);
    if (!first || bytes [series_len - 1] != '\0'
    ||  first == bytes + series_len - 1)
        return 0;
    return series_len;
}

int
bb_record_history_key_parse (const MDB_val *key, char *stx, char *token_id,
                             uint64_t *captured_at_ms)
{
    size_t series_len = bb_record_history_series_len (key);
    if (series_len == 0)
        return -1;
    const uint8_t *bytes = key->mv_data;
    size_t stx_len = (size_t) ((const uint8_t *) memchr (bytes, '\0',
                                                         series_len) - bytes);
    size_t token_len = series_len - stx_len - 2;
    if (s_copy_key_str (bytes, stx_len, stx, BB_STX_SIZE)
    ||  s_copy_key_str (bytes + stx_len + 1, token_len, token_id,
                        BB_TOKEN_ID_SIZE))
        return -1;
    uint64_t at = 0;
    for (size_t i = 0; i < 8; i++)
        at = at << 8 | bytes [series_len + i];
    *captured_at_ms = at;
    return 0;
}

//  ===========================================================================
//  Agents

static void
s_agent_encode (const bb_agent_rec_t *agent, writer_t *out)
{
    s_write_uint (out, agent->level, 1);
    s_write_str (out, agent->btc);
    s_write_str (out, agent->display_name);
    s_write_str (out, agent->bns_name);
    s_write_str (out, agent->level_name);
    s_write_uint (out, agent->owner, 1);
}

int
bb_record_agent_decode (const MDB_val *key, const MDB_val *value,
                        bb_agent_rec_t *agent)
{
    memset (agent, 0, sizeof *agent);
    if (s_copy_key_str (key->mv_data, key->mv_size, agent->stx,
                        sizeof agent->stx))
        return -1;
    reader_t in = s_reader (value);
    agent->level = (uint32_t) s_read_uint (&in, 1);
    s_read_str (&in, agent->btc, sizeof agent->btc);
    s_read_str (&in, agent->display_name, sizeof agent->display_name);
    s_read_str (&in, agent->bns_name, sizeof agent->bns_name);
    s_read_str (&in, agent->level_name, sizeof agent->level_name);
    //  Schema 1 wrote no owner: such an agent was imported by hand.
    if (!in.bad && in.at < in.end)
        agent->owner = (uint8_t) s_read_uint (&in, 1);
    return s_read_done (&in) || agent->owner > BB_AGENT_REGISTRY ? -1 : 0;
}

int
bb_record_agent_get (bb_db_t *db, MDB_txn *txn, const char *stx,
                     bb_agent_rec_t *agent)
{
    MDB_val key = { strlen (stx), (void *) stx };
    MDB_val value;
    int rc = mdb_get (txn, bb_db_dbi (db, BB_DBI_AGENTS), &key, &value);
    if (rc == 0 && bb_record_agent_decode (&key, &value, agent))
        rc = MDB_CORRUPTED;
    return rc;
}

//  Put agent under its address in dbi (agents, or the sync stage).
static int
s_agent_put (bb_db_t *db, MDB_txn *txn, bb_dbi_t dbi,
             const bb_agent_rec_t *agent)
{
    uint8_t buf [BB_RECORD_MAX];
    writer_t out = { buf, buf + sizeof buf };
    s_agent_encode (agent, &out);
    return s_put (db, txn, dbi, agent->stx, strlen (agent->stx), &out, buf);
}

int
bb_record_agent_put (bb_db_t *db, MDB_txn *txn, const bb_agent_rec_t *agent)
{
    return s_agent_put (db, txn, BB_DBI_AGENTS, agent);
}

int
bb_record_staged_put (bb_db_t *db, MDB_txn *txn, const bb_agent_rec_t *agent)
{
    return s_agent_put (db, txn, BB_DBI_SYNC_STAGE, agent);
}

int
bb_record_agent_del (bb_db_t *db, MDB_txn *txn, const char *stx)
{
    return s_del (db, txn, BB_DBI_AGENTS, stx, strlen (stx));
}

bool
bb_record_agent_equal (const bb_agent_rec_t *a, const bb_agent_rec_t *b)
{
    return strcmp (a->stx, b->stx) == 0
        && strcmp (a->btc, b->btc) == 0
        && strcmp (a->display_name, b->display_name) == 0
        && strcmp (a->bns_name, b->bns_name) == 0
        && a->level == b->level
        && strcmp (a->level_name, b->level_name) == 0;
}

//  ===========================================================================
//  Balances

static int
s_balance_decode (const MDB_val *value, bb_balance_rec_t *row)
{
    reader_t in = s_reader (value);
    row->amount = s_read_u128 (&in);
    row->decimals = (uint8_t) s_read_uint (&in, 1);
    row->source = (uint8_t) s_read_uint (&in, 1);
    row->stale = (s_read_uint (&in, 1) & BB_FLAG_STALE) != 0;
    row->captured_at_ms = s_read_uint (&in, 8);
    return s_read_done (&in) || row->source >= BB_UPSTREAM_SOURCES ? -1 : 0;
}

//  Append a copy of (token_id, row) to list.
static void
s_balance_list_push (bb_balance_list_t *list, const char *token_id,
                     const bb_balance_rec_t *row)
{
    list->items = bb_array_grow (list->items, list->size, &list->capacity,
                                 sizeof *list->items, 8);
    bb_balance_item_t *item = &list->items [list->size++];
    size_t length = strnlen (token_id, sizeof item->token_id - 1);
    memcpy (item->token_id, token_id, length);
    item->token_id [length] = '\0';
    item->row = *row;
}

int
bb_record_balance_put (bb_db_t *db, MDB_txn *txn, const char *stx,
                       const char *token_id, const bb_balance_rec_t *row)
{
    char key [BB_KEY_SIZE];
    size_t key_len = bb_record_balance_key (stx, token_id, key);
    uint8_t buf [BB_RECORD_MAX];
    writer_t out = { buf, buf + sizeof buf };
    s_write_u128 (&out, row->amount);
    s_write_uint (&out, row->decimals, 1);
    s_write_uint (&out, row->source, 1);
    s_write_uint (&out, row->stale ? BB_FLAG_STALE : 0, 1);
    s_write_uint (&out, row->captured_at_ms, 8);
    return s_put (db, txn, BB_DBI_BALANCES, key, key_len, &out, buf);
}

int
bb_record_balances_load (bb_db_t *db, MDB_txn *txn, const char *stx,
                         bb_balance_list_t *list)
{
    list->size = 0;
    char prefix [BB_KEY_SIZE];
    size_t prefix_len = bb_record_balance_key (stx, "", prefix);
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (txn, bb_db_dbi (db, BB_DBI_BALANCES), &cursor);
    if (rc)
        return rc;
    MDB_val key = { prefix_len, prefix };
    MDB_val value;
    rc = mdb_cursor_get (cursor, &key, &value, MDB_SET_RANGE);
    while (rc == 0 && key.mv_size > prefix_len
           && memcmp (key.mv_data, prefix, prefix_len) == 0) {
        bb_balance_item_t item;
        if (s_copy_key_str ((const uint8_t *) key.mv_data + prefix_len,
                            key.mv_size - prefix_len, item.token_id,
                            sizeof item.token_id)
        ||  s_balance_decode (&value, &item.row)) {
            rc = MDB_CORRUPTED;
            break;
        }
        s_balance_list_push (list, item.token_id, &item.row);
        rc = mdb_cursor_get (cursor, &key, &value, MDB_NEXT);
    }
    mdb_cursor_close (cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

void
bb_balance_list_reset (bb_balance_list_t *list)
{
    if (!list)
        return;
    free (list->items);
    *list = (bb_balance_list_t) { NULL, 0, 0 };
}

bb_balance_item_t *
bb_balance_list_find (bb_balance_list_t *list, const char *token_id)
{
    for (size_t i = 0; i < list->size; i++)
        if (strcmp (list->items [i].token_id, token_id) == 0)
            return &list->items [i];
    return NULL;
}

//  ===========================================================================
//  Totals

int
bb_record_totals_decode (const MDB_val *value, bb_totals_rec_t *totals)
{
    reader_t in = s_reader (value);
    totals->btc_l1 = s_read_u128 (&in);
    totals->sbtc = s_read_u128 (&in);
    totals->ustx = s_read_u128 (&in);
    for (int i = 0; i < BB_UPSTREAM_SOURCES; i++) {
        totals->attempt_ms [i] = s_read_uint (&in, 8);
        totals->state [i] = (uint8_t) s_read_uint (&in, 1);
    }
    return s_read_done (&in);
}

int
bb_record_totals_get (bb_db_t *db, MDB_txn *txn, const char *stx,
                      bb_totals_rec_t *totals)
{
    MDB_val value;
    int rc = s_get (db, txn, BB_DBI_TOTALS, stx, strlen (stx), &value);
    if (rc == 0 && bb_record_totals_decode (&value, totals))
        rc = MDB_CORRUPTED;
    return rc;
}

int
bb_record_totals_put (bb_db_t *db, MDB_txn *txn, const char *stx,
                      const bb_totals_rec_t *totals)
{
    uint8_t buf [BB_RECORD_MAX];
    writer_t out = { buf, buf + sizeof buf };
    s_write_u128 (&out, totals->btc_l1);
    s_write_u128 (&out, totals->sbtc);
    s_write_u128 (&out, totals->ustx);
    for (int i = 0; i < BB_UPSTREAM_SOURCES; i++) {
        s_write_uint (&out, totals->attempt_ms [i], 8);
        s_write_uint (&out, totals->state [i], 1);
    }
    return s_put (db, txn, BB_DBI_TOTALS, stx, strlen (stx), &out, buf);
}

int
bb_record_totals_del (bb_db_t *db, MDB_txn *txn, const char *stx)
{
    return s_del (db, txn, BB_DBI_TOTALS, stx, strlen (stx));
}

bool
bb_record_totals_fetched (const bb_totals_rec_t *totals)
{
    for (int i = 0; i < BB_UPSTREAM_SOURCES; i++)
        if (totals->state [i] != BB_SOURCE_NEVER)
            return true;
    return false;
}

//  ===========================================================================
//  History

int
bb_record_history_put (bb_db_t *db, MDB_txn *txn, const char *stx,
                       const char *token_id, uint64_t captured_at_ms,
                       bb_u128_t amount)
{
    char key [BB_KEY_SIZE];
    size_t key_len = bb_record_history_key (stx, token_id, captured_at_ms,
                                            key);
    uint8_t buf [BB_U128_BYTES];
    writer_t out = { buf, buf + sizeof buf };
    s_write_u128 (&out, amount);
    return s_put (db, txn, BB_DBI_HISTORY, key, key_len, &out, buf);
}

int
bb_record_history_decode (const MDB_val *value, bb_u128_t *amount)
{
    reader_t in = s_reader (value);
    *amount = s_read_u128 (&in);
    return s_read_done (&in);
}

//  ===========================================================================
//  Tokens

int
bb_record_token_get (bb_db_t *db, MDB_txn *txn, const char *contract,
                     bb_token_rec_t *token)
{
    MDB_val value;
    int rc = s_get (db, txn, BB_DBI_TOKENS, contract, strlen (contract),
                    &value);
    if (rc)
        return rc;
    reader_t in = s_reader (&value);
    token->decimals = (uint8_t) s_read_uint (&in, 1);
    token->known = s_read_uint (&in, 1) != 0;
    s_read_str (&in, token->symbol, sizeof token->symbol);
    return s_read_done (&in) ? MDB_CORRUPTED : 0;
}

int
bb_record_token_put (bb_db_t *db, MDB_txn *txn, const char *contract,
                     const bb_token_rec_t *token)
{
    uint8_t buf [BB_RECORD_MAX];
    writer_t out = { buf, buf + sizeof buf };
    s_write_uint (&out, token->decimals, 1);
    s_write_uint (&out, token->known ? 1 : 0, 1);
    s_write_str (&out, token->symbol);
    return s_put (db, txn, BB_DBI_TOKENS, contract, strlen (contract), &out,
                  buf);
}

//  ===========================================================================
//  Meta records. Each is a fixed row of integers, 8 bytes each on disk,
//  read into and written from the fields of its struct that a layout
//  lists in order.

#define META_FIELDS_MAX     6

//  One field of a meta record's struct: an integer of 4 or 8 bytes.
typedef struct {
    size_t offset;
    size_t width;
} meta_field_t;

typedef struct {
    const char *name;               // its key in the meta dbi
    meta_field_t fields [META_FIELDS_MAX];  // in order; unused: width 0
} meta_layout_t;

#define META_FIELD(type, member) \
    { offsetof (type, member), sizeof ((type *) 0)->member }

static const meta_layout_t s_prices = { BB_META_PRICES, {
    META_FIELD (bb_prices_rec_t, btc_usd_micro),
    META_FIELD (bb_prices_rec_t, stx_usd_micro),
    META_FIELD (bb_prices_rec_t, priced_at_ms) } };
static const meta_layout_t s_counters = { BB_META_COUNTERS, {
    META_FIELD (bb_counters_rec_t, commit_seq),
    META_FIELD (bb_counters_rec_t, last_commit_ms),
    META_FIELD (bb_counters_rec_t, batches_committed),
    META_FIELD (bb_counters_rec_t, batches_duplicate),
    META_FIELD (bb_counters_rec_t, batches_rejected),
    META_FIELD (bb_counters_rec_t, agents_fetched) } };
static const meta_layout_t s_rotation = { BB_META_ROTATION, {
    META_FIELD (bb_rotation_rec_t, rotation),
    META_FIELD (bb_rotation_rec_t, chunks_done),
    META_FIELD (bb_rotation_rec_t, rotation_agents) } };
static const meta_layout_t s_rotation_agents = { BB_META_ROTATION_AGENTS, {
    META_FIELD (bb_rotation_agents_rec_t, rotation),
    META_FIELD (bb_rotation_agents_rec_t, agents_done) } };
static const meta_layout_t s_sync_stage = { BB_META_SYNC_STAGE, {
    META_FIELD (bb_sync_stage_rec_t, generation),
    META_FIELD (bb_sync_stage_rec_t, attempt),
    META_FIELD (bb_sync_stage_rec_t, next_part) } };

//  The integer of width (4 or 8) bytes at field.
static uint64_t
s_field_get (const uint8_t *field, size_t width)
{
    assert (width == sizeof (uint32_t) || width == sizeof (uint64_t));
    if (width == sizeof (uint32_t)) {
        uint32_t value;
        memcpy (&value, field, sizeof value);
        return value;
    }
    uint64_t value;
    memcpy (&value, field, sizeof value);
    return value;
}

static void
s_field_set (uint8_t *field, size_t width, uint64_t value)
{
    assert (width == sizeof (uint32_t) || width == sizeof (uint64_t));
    if (width == sizeof (uint32_t)) {
        uint32_t narrow = (uint32_t) value;
        memcpy (field, &narrow, sizeof narrow);
    }
    else
        memcpy (field, &value, sizeof value);
}

//  Read the meta record of layout into record (its struct, all zeros
//  when the record is missing). Returns 0, MDB_CORRUPTED or an LMDB code.
static int
s_meta_get (bb_db_t *db, MDB_txn *txn, const meta_layout_t *layout,
            size_t record_size, void *record)
{
    memset (record, 0, record_size);
    MDB_val value;
    int rc = s_get (db, txn, BB_DBI_META, layout->name,
                    strlen (layout->name), &value);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    reader_t in = s_reader (&value);
    for (const meta_field_t *field = layout->fields;
         field < layout->fields + META_FIELDS_MAX && field->width; field++)
        s_field_set ((uint8_t *) record + field->offset, field->width,
                     s_read_uint (&in, 8));
    return s_read_done (&in) ? MDB_CORRUPTED : 0;
}

static int
s_meta_put (bb_db_t *db, MDB_txn *txn, const meta_layout_t *layout,
            const void *record)
{
    uint8_t buf [BB_RECORD_MAX];
    writer_t out = { buf, buf + sizeof buf };
    for (const meta_field_t *field = layout->fields;
         field < layout->fields + META_FIELDS_MAX && field->width; field++)
        s_write_uint (&out, s_field_get ((const uint8_t *) record
                                         + field->offset, field->width), 8);
    return s_put (db, txn, BB_DBI_META, layout->name, strlen (layout->name),
                  &out, buf);
}

int
bb_record_prices_get (bb_db_t *db, MDB_txn *txn, bb_prices_rec_t *prices)
{
    return s_meta_get (db, txn, &s_prices, sizeof *prices, prices);
}

int
bb_record_prices_put (bb_db_t *db, MDB_txn *txn,
                      const bb_prices_rec_t *prices)
{
    return s_meta_put (db, txn, &s_prices, prices);
}

int
bb_record_counters_get (bb_db_t *db, MDB_txn *txn,
                        bb_counters_rec_t *counters)
{
    return s_meta_get (db, txn, &s_counters, sizeof *counters, counters);
}

int
bb_record_counters_put (bb_db_t *db, MDB_txn *txn,
                        const bb_counters_rec_t *counters)
{
    return s_meta_put (db, txn, &s_counters, counters);
}

int
bb_record_rotation_get (bb_db_t *db, MDB_txn *txn,
                        bb_rotation_rec_t *rotation)
{
    return s_meta_get (db, txn, &s_rotation, sizeof *rotation, rotation);
}

int
bb_record_rotation_put (bb_db_t *db, MDB_txn *txn,
                        const bb_rotation_rec_t *rotation)
{
    return s_meta_put (db, txn, &s_rotation, rotation);
}

int
bb_record_rotation_agents_get (bb_db_t *db, MDB_txn *txn,
                               bb_rotation_agents_rec_t *agents)
{
    return s_meta_get (db, txn, &s_rotation_agents, sizeof *agents, agents);
}

int
bb_record_rotation_agents_put (bb_db_t *db, MDB_txn *txn,
                               const bb_rotation_agents_rec_t *agents)
{
    return s_meta_put (db, txn, &s_rotation_agents, agents);
}

int
bb_record_sync_stage_get (bb_db_t *db, MDB_txn *txn,
                          bb_sync_stage_rec_t *stage)
{
    return s_meta_get (db, txn, &s_sync_stage, sizeof *stage, stage);
}

int
bb_record_sync_stage_put (bb_db_t *db, MDB_txn *txn,
                          const bb_sync_stage_rec_t *stage)
{
    return s_meta_put (db, txn, &s_sync_stage, stage);
}

int
bb_record_meta_bytes_get (bb_db_t *db, MDB_txn *txn, const char *name,
                          MDB_val *value)
{
    return s_get (db, txn, BB_DBI_META, name, strlen (name), value);
}

int
bb_record_meta_bytes_put (bb_db_t *db, MDB_txn *txn, const char *name,
                          const void *bytes, size_t size)
{
    MDB_val key = { strlen (name), (void *) name };
    MDB_val value = { size, (void *) bytes };
    return mdb_put (txn, bb_db_dbi (db, BB_DBI_META), &key, &value, 0);
}

int
bb_record_meta_del (bb_db_t *db, MDB_txn *txn, const char *name)
{
    int rc = s_del (db, txn, BB_DBI_META, name, strlen (name));
    return rc == MDB_NOTFOUND ? 0 : rc;
}

//  ===========================================================================
//  Delete a key range by prefix. Repositions after every delete rather
//  than trusting a cursor across mdb_cursor_del; removals are rare.

int
bb_record_del_prefix (bb_db_t *db, MDB_txn *txn, bb_dbi_t dbi,
                      const void *prefix, size_t prefix_len, size_t *deleted)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (txn, bb_db_dbi (db, dbi), &cursor);
    if (rc)
        return rc;
    while (rc == 0) {
        MDB_val key = { prefix_len, (void *) prefix };
        MDB_val value;
        rc = mdb_cursor_get (cursor, &key, &value, MDB_SET_RANGE);
        if (rc == 0 && (key.mv_size < prefix_len
                        || memcmp (key.mv_data, prefix, prefix_len) != 0))
            rc = MDB_NOTFOUND;
        if (rc == 0)
            rc = mdb_cursor_del (cursor, 0);
        if (rc == 0 && deleted)
            (*deleted)++;
    }
    mdb_cursor_close (cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}
