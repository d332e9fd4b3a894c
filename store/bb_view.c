/*  =========================================================================
    bb_view - the read side: replies built from one read snapshot

    Owns the mapping from records to reply messages. Replies are heap
    trees (bb_pb) freed with the envelope. A row's total is the score in
    the rank index, which bb_token computes with the same rounding as the
    token values, so it equals the sum of the row's token values.
    =========================================================================
*/
#include "bb_view.h"
#include "bb_envelope.h"
#include "bb_pb.h"
#include "bb_pbuf.h"
#include "bb_sync.h"
#include "bb_token.h"
#include "bb_curve.h"
#include "bb_version.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static bb_envelope_t *
s_internal (uint64_t request_id, int rc)
{
    char reason [BB_REASON_SIZE];
    snprintf (reason, sizeof reason, "store read failed: %s",
              mdb_strerror (rc));
    return bb_pb_error (request_id, BALBOARD__ERROR_REPLY__CODE__INTERNAL,
                        reason);
}

static Balboard__PriceSnapshot *
s_prices (const bb_prices_rec_t *prices)
{
    Balboard__PriceSnapshot *snapshot =
        bb_pb_new (&balboard__price_snapshot__descriptor);
    snapshot->btc_usd_micro = prices->btc_usd_micro;
    snapshot->stx_usd_micro = prices->stx_usd_micro;
    snapshot->priced_at_ms = prices->priced_at_ms;
    return snapshot;
}

static Balboard__AgentOwner
s_owner (const bb_agent_rec_t *record)
{
    return record->owner == BB_AGENT_REGISTRY
         ? BALBOARD__AGENT_OWNER__AGENT_OWNER_REGISTRY
         : BALBOARD__AGENT_OWNER__AGENT_OWNER_MANUAL;
}

static Balboard__Agent *
s_agent (const bb_agent_rec_t *record)
{
    Balboard__Agent *agent = bb_pb_new (&balboard__agent__descriptor);
    agent->stx_address = bb_pb_strdup (record->stx);
    agent->btc_address = bb_pb_strdup (record->btc);
    agent->display_name = bb_pb_strdup (record->display_name);
    agent->bns_name = bb_pb_strdup (record->bns_name);
    agent->level = record->level;
    agent->level_name = bb_pb_strdup (record->level_name);
    agent->owner = s_owner (record);
    return agent;
}

//  ===========================================================================
//  Rows

//  Field numbers (proto/balboard.proto) of the messages a dashboard page
//  and an agent detail are written as, straight into bytes (bb_pbuf).
enum {
    AGENT_STX = 1, AGENT_BTC = 2, AGENT_DISPLAY_NAME = 3, AGENT_BNS_NAME = 4,
    AGENT_LEVEL = 5, AGENT_LEVEL_NAME = 6, AGENT_OWNER = 7,
    POSITION_TOKEN_ID = 1, POSITION_SYMBOL = 2, POSITION_CONTRACT = 3,
    POSITION_BALANCE = 4, POSITION_DECIMALS = 5, POSITION_PRICE = 6,
    POSITION_VALUE = 7, POSITION_SOURCE = 8, POSITION_CAPTURED_AT = 9,
    POSITION_STALE = 10,
    ROW_AGENT = 1, ROW_RANK = 2, ROW_TOKENS = 3, ROW_TOTAL = 4,
    ROW_FETCH_STATE = 5,
    PRICES_BTC = 1, PRICES_STX = 2, PRICES_PRICED_AT = 3,
    STATS_TOTAL = 1, STATS_TOTAL_USD = 2, STATS_PRICED_AT = 3,
    PAGE_ROWS = 1, PAGE_PRICES = 2, PAGE_STATS = 3, PAGE_CACHED_AT = 4,
    PAGE_OFFSET = 5, PAGE_LIMIT = 6, PAGE_TOTAL = 7, PAGE_HAS_MORE = 8,
    PAGE_COMMIT_SEQ = 9,
    POINT_TOKEN_ID = 1, POINT_CAPTURED_AT = 2, POINT_BALANCE = 3,
    DETAIL_ROW = 1, DETAIL_HISTORY = 2, DETAIL_PRICES = 3
};

//  Token metadata already read for this reply: a page's rows hold the
//  same few tokens, so each is read from LMDB once per page.
#define TOKENS_SEEN_MAX     8

typedef struct {
    char contract [BB_TOKEN_ID_SIZE];
    int rc;                             // of the read: 0 or MDB_NOTFOUND
    bb_token_rec_t meta;
} token_seen_t;

typedef struct {
    token_seen_t seen [TOKENS_SEEN_MAX];
    size_t count;
} tokens_seen_t;

//  A position of a row, as the reply shows it
typedef struct {
    const char *token_id;
    const char *symbol;
    char contract [BB_TOKEN_ID_SIZE];
    char balance [BB_U128_DEC_SIZE];
    unsigned decimals;
    int64_t price_usd_micro;
    int64_t usd_value_micro;
    const char *source;
    uint64_t captured_at_ms;
    bool stale;
    bb_token_rec_t meta;                // symbol points here when known
} position_t;

//  The metadata of contract, read once per reply (seen).
static int
s_token_meta (bb_view_t *view, tokens_seen_t *seen, const char *contract,
              bb_token_rec_t *meta)
{
    for (size_t i = 0; i < seen->count; i++)
        if (streq (seen->seen [i].contract, contract)) {
            *meta = seen->seen [i].meta;
            return seen->seen [i].rc;
        }
    int rc = bb_record_token_get (view->db, view->txn, contract, meta);
    if (rc == MDB_NOTFOUND)
        *meta = (bb_token_rec_t) { .known = false };
    if ((rc == 0 || rc == MDB_NOTFOUND) && seen->count < TOKENS_SEEN_MAX) {
        token_seen_t *slot = &seen->seen [seen->count++];
        snprintf (slot->contract, sizeof slot->contract, "%s", contract);
        slot->rc = rc;
        slot->meta = *meta;
    }
    return rc;
}

//  A position of a row: symbol and decimals from the fixed table or the
//  token metadata, else the asset name with the row's decimals (0).
static int
s_position (bb_view_t *view, tokens_seen_t *seen,
            const bb_balance_item_t *item, position_t *position)
{
    position->token_id = item->token_id;
    bb_token_id_contract (item->token_id, position->contract,
                          sizeof position->contract);
    if (bb_token_id_fixed (item->token_id, &position->symbol,
                           &position->decimals)) {
        int rc = s_token_meta (view, seen, position->contract,
                               &position->meta);
        if (rc && rc != MDB_NOTFOUND)
            return rc;
        bool known = rc == 0 && position->meta.known;
        position->symbol = known ? position->meta.symbol
                                 : bb_token_id_asset_name (item->token_id);
        position->decimals = known ? position->meta.decimals
                                   : item->row.decimals;
    }
    bb_u128_format (item->row.amount, position->balance);
    position->price_usd_micro = bb_token_price (item->token_id,
                                                view->prices);
    position->usd_value_micro = bb_token_value (item->token_id,
                                                item->row.amount,
                                                position->decimals,
                                                view->prices);
    position->source = bb_upstream_label ((bb_upstream_t) item->row.source);
    position->captured_at_ms = item->row.captured_at_ms;
    position->stale = item->row.stale;
    return 0;
}

static void
s_position_write (const position_t *position, bb_pbuf_t *out)
{
    size_t mark = bb_pbuf_open (out, ROW_TOKENS);
    bb_pbuf_string (out, POSITION_TOKEN_ID, position->token_id);
    bb_pbuf_string (out, POSITION_SYMBOL, position->symbol);
    bb_pbuf_string (out, POSITION_CONTRACT, position->contract);
    bb_pbuf_string (out, POSITION_BALANCE, position->balance);
    bb_pbuf_uint (out, POSITION_DECIMALS, position->decimals);
    bb_pbuf_int (out, POSITION_PRICE, position->price_usd_micro);
    bb_pbuf_int (out, POSITION_VALUE, position->usd_value_micro);
    bb_pbuf_string (out, POSITION_SOURCE, position->source);
    bb_pbuf_uint (out, POSITION_CAPTURED_AT, position->captured_at_ms);
    bb_pbuf_uint (out, POSITION_STALE, position->stale);
    bb_pbuf_close (out, mark);
}

static void
s_agent_write (const bb_agent_rec_t *record, bb_pbuf_t *out)
{
    size_t mark = bb_pbuf_open (out, ROW_AGENT);
    bb_pbuf_string (out, AGENT_STX, record->stx);
    bb_pbuf_string (out, AGENT_BTC, record->btc);
    bb_pbuf_string (out, AGENT_DISPLAY_NAME, record->display_name);
    bb_pbuf_string (out, AGENT_BNS_NAME, record->bns_name);
    bb_pbuf_uint (out, AGENT_LEVEL, record->level);
    bb_pbuf_string (out, AGENT_LEVEL_NAME, record->level_name);
    bb_pbuf_uint (out, AGENT_OWNER, (uint64_t) s_owner (record));
    bb_pbuf_close (out, mark);
}

static Balboard__AgentFetchState
s_fetch_state (const bb_totals_rec_t *totals)
{
    if (!bb_record_totals_fetched (totals))
        return BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING;
    for (int i = 0; i < BB_UPSTREAM_SOURCES; i++)
        if (totals->state [i] == BB_SOURCE_FAILED)
            return BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PARTIAL;
    return BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_OK;
}

//  What a row of stx shows: its registry entry, totals and balances.
static int
s_row_read (bb_view_t *view, const char *stx, bb_agent_rec_t *agent,
            bb_totals_rec_t *totals, bb_balance_list_t *list)
{
    int rc = bb_record_agent_get (view->db, view->txn, stx, agent);
    if (rc == 0)
        rc = bb_record_totals_get (view->db, view->txn, stx, totals);
    if (rc == 0)
        rc = bb_record_balances_load (view->db, view->txn, stx, list);
    return rc;
}

//  Write the row of stx at rank with score as field of out: its
//  non-zero positions (a dashboard row), or with all_tokens every one,
//  zeros and stale ones included (agent detail). list gets its balances.
static int
s_row_write (bb_view_t *view, tokens_seen_t *seen, const char *stx,
             uint64_t rank, int64_t score, bool all_tokens,
             bb_balance_list_t *list, uint32_t field, bb_pbuf_t *out)
{
    bb_agent_rec_t agent;
    bb_totals_rec_t totals;
    int rc = s_row_read (view, stx, &agent, &totals, list);
    if (rc)
        return rc;
    size_t mark = bb_pbuf_open (out, field);
    s_agent_write (&agent, out);
    bb_pbuf_uint (out, ROW_RANK, rank);
    for (size_t i = 0; i < list->size && rc == 0; i++) {
        position_t position;
        if (!all_tokens && list->items [i].row.amount == 0)
            continue;
        rc = s_position (view, seen, &list->items [i], &position);
        if (rc == 0)
            s_position_write (&position, out);
    }
    bb_pbuf_int (out, ROW_TOTAL, score);
    bb_pbuf_uint (out, ROW_FETCH_STATE, (uint64_t) s_fetch_state (&totals));
    bb_pbuf_close (out, mark);
    return rc;
}

static void
s_prices_write (const bb_prices_rec_t *prices, uint32_t field,
                bb_pbuf_t *out)
{
    size_t mark = bb_pbuf_open (out, field);
    bb_pbuf_int (out, PRICES_BTC, prices->btc_usd_micro);
    bb_pbuf_int (out, PRICES_STX, prices->stx_usd_micro);
    bb_pbuf_uint (out, PRICES_PRICED_AT, prices->priced_at_ms);
    bb_pbuf_close (out, mark);
}

//  Close the envelope body opened at mark in out and hand its bytes over
//  (rc 0), or drop them and return the INTERNAL error reply of rc.
static bb_envelope_t *
s_body_take (bb_pbuf_t **out_p, size_t mark, int rc, uint64_t request_id,
             uint8_t **body, size_t *size)
{
    bb_pbuf_close (*out_p, mark);
    if (rc == 0)
        *body = bb_pbuf_take (*out_p, size);
    bb_pbuf_destroy (out_p);
    return rc ? s_internal (request_id, rc) : NULL;
}

//  ===========================================================================
//  Dashboard

static int64_t
s_clamp (int64_t value, int64_t fallback, int64_t max)
{
    if (value == 0)
        return fallback;
    return value < 1 ? 1 : value > max ? max : value;
}

int64_t
bb_view_page_limit (int64_t requested)
{
    return s_clamp (requested, BB_VIEW_PAGE_DEFAULT, BB_VIEW_PAGE_MAX);
}

//  Write the rows of limit agents from offset; *rows says how many.
static int
s_page_rows (bb_view_t *view, int64_t offset, int64_t limit, bb_pbuf_t *out,
             int64_t *rows)
{
    bb_balance_list_t list = { NULL, 0, 0 };
    tokens_seen_t seen = { .count = 0 };
    int64_t score;
    bb_rank_cursor_t cursor;
    const char *stx = bb_rank_cursor_seek (view->rank, &cursor,
                                           (uint64_t) offset, &score);
    //  The cursor's addresses stay valid: the index does not change
    //  while a view holds it
    int rc = 0;
    for (*rows = 0; stx && *rows < limit && rc == 0; (*rows)++) {
        rc = s_row_write (view, &seen, stx, (uint64_t) (offset + *rows + 1),
                          score, false, &list, PAGE_ROWS, out);
        stx = bb_rank_cursor_next (view->rank, &cursor, &score);
    }
    bb_balance_list_reset (&list);
    return rc;
}

//  Write the page of limit rows from offset: the DashboardPage fields in
//  their order, rows first.
static int
s_page_write (bb_view_t *view, int64_t offset, int64_t limit,
              bb_pbuf_t *out)
{
    bb_counters_rec_t counters;
    int rc = bb_record_counters_get (view->db, view->txn, &counters);
    int64_t rows = 0;
    if (rc == 0)
        rc = s_page_rows (view, offset, limit, out, &rows);
    if (rc)
        return rc;
    uint64_t total = bb_rank_size (view->rank);
    s_prices_write (view->prices, PAGE_PRICES, out);
    size_t mark = bb_pbuf_open (out, PAGE_STATS);
    bb_pbuf_uint (out, STATS_TOTAL, total);
    bb_pbuf_int (out, STATS_TOTAL_USD, bb_rank_sum (view->rank));
    bb_pbuf_uint (out, STATS_PRICED_AT, view->prices->priced_at_ms);
    bb_pbuf_close (out, mark);
    bb_pbuf_uint (out, PAGE_CACHED_AT, counters.last_commit_ms);
    bb_pbuf_int (out, PAGE_OFFSET, offset);
    bb_pbuf_int (out, PAGE_LIMIT, limit);
    bb_pbuf_uint (out, PAGE_TOTAL, total);
    bb_pbuf_uint (out, PAGE_HAS_MORE, (uint64_t) offset + (uint64_t) rows
                                      < total);
    bb_pbuf_uint (out, PAGE_COMMIT_SEQ, counters.commit_seq);
    return 0;
}

bb_envelope_t *
bb_view_dashboard (bb_view_t *view, const Balboard__DashboardRequest *request,
                   uint64_t request_id, uint8_t **body, size_t *size)
{
    if (request->offset < 0)
        return bb_pb_error (request_id,
                            BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST,
                            "offset must be >= 0");
    int64_t limit = bb_view_page_limit (request->limit);
    bb_pbuf_t *out = bb_pbuf_new (BB_VIEW_ROW_BYTES * (size_t) limit);
    size_t mark = bb_pbuf_open (out,
                                BALBOARD__ENVELOPE__BODY_DASHBOARD_PAGE);
    int rc = s_page_write (view, request->offset, limit, out);
    return s_body_take (&out, mark, rc, request_id, body, size);
}

//  ===========================================================================
//  Agent detail

//  One history point, as read
typedef struct {
    uint64_t captured_at_ms;
    bb_u128_t amount;
} point_t;

//  Write the newest limit points of one (stx, token) series, oldest
//  first: seek past the series, walk back into points (limit of them),
//  then write them in time order.
static int
s_history_series (MDB_cursor *cursor, const char *stx, const char *token_id,
                  uint32_t limit, point_t *points, bb_pbuf_t *out)
{
    char end [BB_KEY_SIZE];
    size_t end_len = bb_record_history_key (stx, token_id, UINT64_MAX, end);
    size_t series_len = end_len - 8;
    MDB_val key = { end_len, end }, value;
    int rc = mdb_cursor_get (cursor, &key, &value, MDB_SET_RANGE);
    rc = mdb_cursor_get (cursor, &key, &value,
                         rc == 0 ? MDB_PREV : MDB_LAST);
    uint32_t n = 0;
    for (; rc == 0 && n < limit; n++) {
        if (key.mv_size != end_len
        ||  memcmp (key.mv_data, end, series_len) != 0)
            break;
        char stx_out [BB_STX_SIZE], token_out [BB_TOKEN_ID_SIZE];
        if (bb_record_history_key_parse (&key, stx_out, token_out,
                                         &points [n].captured_at_ms)
        ||  bb_record_history_decode (&value, &points [n].amount))
            return MDB_CORRUPTED;
        rc = mdb_cursor_get (cursor, &key, &value, MDB_PREV);
    }
    while (n > 0) {
        char digits [BB_U128_DEC_SIZE];
        const point_t *point = &points [--n];
        size_t mark = bb_pbuf_open (out, DETAIL_HISTORY);
        bb_pbuf_string (out, POINT_TOKEN_ID, token_id);
        bb_pbuf_uint (out, POINT_CAPTURED_AT, point->captured_at_ms);
        bb_pbuf_string (out, POINT_BALANCE,
                        bb_u128_format (point->amount, digits));
        bb_pbuf_close (out, mark);
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
s_history (bb_view_t *view, const char *stx, uint32_t limit,
           const bb_balance_list_t *list, bb_pbuf_t *out)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (view->txn, bb_db_dbi (view->db, BB_DBI_HISTORY),
                              &cursor);
    if (rc)
        return rc;
    point_t *points = malloc (limit * sizeof *points);
    assert (points);
    for (size_t i = 0; i < list->size && rc == 0; i++)
        rc = s_history_series (cursor, stx, list->items [i].token_id, limit,
                               points, out);
    free (points);
    mdb_cursor_close (cursor);
    return rc;
}

//  An agent a request names, as the rank index has it
typedef struct {
    const char *stx;            // the request's address (NULL reads as "")
    uint64_t rank;
    int64_t score;
} ranked_t;

//  Find the agent stx_address in the rank index. Returns NULL, or the
//  NOT_FOUND reply if it is not registered (a key too long never is).
static bb_envelope_t *
s_find (bb_view_t *view, const char *stx_address, uint64_t request_id,
        ranked_t *agent)
{
    agent->stx = stx_address ? stx_address : "";
    agent->rank = strlen (agent->stx) < BB_STX_SIZE
                ? bb_rank_rank (view->rank, agent->stx, &agent->score) : 0;
    if (agent->rank)
        return NULL;
    return bb_pb_error (request_id, BALBOARD__ERROR_REPLY__CODE__NOT_FOUND,
                        "agent not registered");
}

bb_envelope_t *
bb_view_agent (bb_view_t *view, const Balboard__AgentDetailRequest *request,
               uint64_t request_id, uint8_t **body, size_t *size)
{
    uint32_t limit = request->history_limit == 0 ? BB_VIEW_HISTORY_DEFAULT
                   : request->history_limit > BB_VIEW_HISTORY_MAX
                   ? BB_VIEW_HISTORY_MAX : request->history_limit;
    ranked_t agent;
    bb_envelope_t *missing = s_find (view, request->stx_address, request_id,
                                     &agent);
    if (missing)
        return missing;
    bb_pbuf_t *out = bb_pbuf_new (BB_VIEW_ROW_BYTES);
    size_t mark = bb_pbuf_open (out,
                                BALBOARD__ENVELOPE__BODY_AGENT_DETAIL);
    bb_balance_list_t list = { NULL, 0, 0 };
    tokens_seen_t seen = { .count = 0 };
    int rc = s_row_write (view, &seen, agent.stx, agent.rank, agent.score,
                          true, &list, DETAIL_ROW, out);
    if (rc == 0)
        rc = s_history (view, agent.stx, limit, &list, out);
    if (rc == 0)
        s_prices_write (view->prices, DETAIL_PRICES, out);
    bb_balance_list_reset (&list);
    return s_body_take (&out, mark, rc, request_id, body, size);
}

//  ===========================================================================
//  Rank, stats, agents page

bb_envelope_t *
bb_view_rank (bb_view_t *view, const Balboard__RankRequest *request,
              uint64_t request_id)
{
    ranked_t agent;
    bb_envelope_t *missing = s_find (view, request->stx_address, request_id,
                                     &agent);
    if (missing)
        return missing;
    Balboard__RankReply *reply = bb_pb_new (&balboard__rank_reply__descriptor);
    reply->stx_address = bb_pb_strdup (agent.stx);
    reply->rank = agent.rank;
    reply->total = bb_rank_size (view->rank);
    reply->total_usd_micro = agent.score;
    return bb_envelope_new (request_id, reply);
}

//  The store's commit durations, into arrays stats owns.
static void
s_commit_latency (bb_db_t *db, Balboard__StoreStats *stats)
{
    bb_latency_t latency;
    bb_db_commit_latency (db, &latency);
    stats->commit_latency_buckets = malloc (sizeof latency.buckets);
    assert (stats->commit_latency_buckets);
    memcpy (stats->commit_latency_buckets, latency.buckets,
            sizeof latency.buckets);
    stats->n_commit_latency_buckets = BB_LATENCY_BUCKETS;
    stats->commit_latency_sum_us = latency.sum_us;
}

bb_envelope_t *
bb_view_stats (bb_view_t *view, uint64_t request_id)
{
    bb_counters_rec_t counters;
    bb_rotation_rec_t rotation;
    Balboard__RegistrySyncReport *sync = NULL;
    int rc = bb_record_counters_get (view->db, view->txn, &counters);
    if (rc == 0)
        rc = bb_record_rotation_get (view->db, view->txn, &rotation);
    if (rc == 0)
        rc = bb_sync_last (view->db, view->txn, &sync);
    if (rc)
        return s_internal (request_id, rc);
    Balboard__StoreStats *stats =
        bb_pb_new (&balboard__store_stats__descriptor);
    stats->registry_sync = sync;
    stats->agents = bb_db_entries (view->db, view->txn, BB_DBI_AGENTS);
    stats->balance_rows = bb_db_entries (view->db, view->txn,
                                         BB_DBI_BALANCES);
    stats->history_rows = bb_db_entries (view->db, view->txn,
                                         BB_DBI_HISTORY);
    stats->last_commit_ms = counters.last_commit_ms;
    stats->batches_committed = counters.batches_committed;
    stats->batches_duplicate = counters.batches_duplicate;
    stats->batches_rejected = counters.batches_rejected;
    stats->rotation = rotation.rotation;
    stats->rotation_chunks_done = rotation.chunks_done;
    stats->rotation_agents = rotation.rotation_agents;
    stats->agents_fetched = counters.agents_fetched;
    stats->prices = s_prices (view->prices);
    stats->map_size = bb_db_map_size (view->db);
    stats->map_used = bb_db_map_used (view->db);
    stats->writes_refused_full = bb_db_full_refused (view->db);
    stats->store_full_since_ms = bb_db_full_since (view->db);
    char version [BB_VERSION_TEXT_SIZE];
    stats->version = bb_pb_strdup (bb_version_text (version));
    s_commit_latency (view->db, stats);
    stats->auth_refused = bb_curve_refused ();
    stats->auth_denied = bb_curve_denied ();
    return bb_envelope_new (request_id, stats);
}

//  Position cursor on the first agent after key after (all when "").
static int
s_seek_after (MDB_cursor *cursor, const char *after, MDB_val *key,
              MDB_val *value)
{
    if (*after == '\0')
        return mdb_cursor_get (cursor, key, value, MDB_FIRST);
    *key = (MDB_val) { strlen (after), (void *) after };
    int rc = mdb_cursor_get (cursor, key, value, MDB_SET_RANGE);
    if (rc == 0 && key->mv_size == strlen (after)
    &&  memcmp (key->mv_data, after, key->mv_size) == 0)
        rc = mdb_cursor_get (cursor, key, value, MDB_NEXT);
    return rc;
}

bb_envelope_t *
bb_view_agents_page (bb_view_t *view,
                     const Balboard__AgentsPageRequest *request,
                     uint64_t request_id)
{
    const char *after = request->after_stx_address
                      ? request->after_stx_address : "";
    if (strlen (after) >= BB_KEY_SIZE)
        return bb_pb_error (request_id,
                            BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST,
                            "after_stx_address too long");
    uint32_t limit = (uint32_t) s_clamp (request->limit,
                                         BB_VIEW_AGENTS_DEFAULT,
                                         BB_VIEW_AGENTS_MAX);
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (view->txn, bb_db_dbi (view->db, BB_DBI_AGENTS),
                              &cursor);
    if (rc)
        return s_internal (request_id, rc);
    Balboard__AgentsPage *page =
        bb_pb_new (&balboard__agents_page__descriptor);
    page->total = (uint32_t) bb_db_entries (view->db, view->txn,
                                            BB_DBI_AGENTS);
    MDB_val key, value;
    rc = s_seek_after (cursor, after, &key, &value);
    while (rc == 0 && page->n_agents < limit) {
        bb_agent_rec_t record;
        if (bb_record_agent_decode (&key, &value, &record)) {
            rc = MDB_CORRUPTED;
            break;
        }
        BB_PB_PUSH (page->agents, page->n_agents, s_agent (&record));
        rc = mdb_cursor_get (cursor, &key, &value, MDB_NEXT);
    }
    mdb_cursor_close (cursor);
    if (rc && rc != MDB_NOTFOUND) {
        balboard__agents_page__free_unpacked (page, NULL);
        return s_internal (request_id, rc);
    }
    return bb_envelope_new (request_id, page);
}
