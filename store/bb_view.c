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
    agent->owner = record->owner == BB_AGENT_REGISTRY
                 ? BALBOARD__AGENT_OWNER__AGENT_OWNER_REGISTRY
                 : BALBOARD__AGENT_OWNER__AGENT_OWNER_MANUAL;
    return agent;
}

//  ===========================================================================
//  Rows

//  A position of a row: symbol and decimals from the fixed table or the
//  token metadata, else the asset name with the row's decimals (0).
static int
s_position (bb_view_t *view, const bb_balance_item_t *item,
            Balboard__TokenPosition **position_p)
{
    const char *symbol;
    unsigned decimals;
    bb_token_rec_t meta;
    char contract [BB_TOKEN_ID_SIZE];
    bb_token_id_contract (item->token_id, contract, sizeof contract);
    if (bb_token_id_fixed (item->token_id, &symbol, &decimals)) {
        int rc = bb_record_token_get (view->db, view->txn, contract, &meta);
        if (rc && rc != MDB_NOTFOUND)
            return rc;
        bool known = rc == 0 && meta.known;
        symbol = known ? meta.symbol : bb_token_id_asset_name (item->token_id);
        decimals = known ? meta.decimals : item->row.decimals;
    }
    Balboard__TokenPosition *position =
        bb_pb_new (&balboard__token_position__descriptor);
    char amount [BB_U128_DEC_SIZE];
    position->token_id = bb_pb_strdup (item->token_id);
    position->symbol = bb_pb_strdup (symbol);
    position->contract = bb_pb_strdup (contract);
    position->balance = bb_pb_strdup (bb_u128_format (item->row.amount,
                                                      amount));
    position->decimals = decimals;
    position->price_usd_micro = bb_token_price (item->token_id,
                                                view->prices);
    position->usd_value_micro = bb_token_value (item->token_id,
                                                item->row.amount, decimals,
                                                view->prices);
    position->source = bb_pb_strdup (bb_upstream_label (
        (bb_upstream_t) item->row.source));
    position->captured_at_ms = item->row.captured_at_ms;
    position->stale = item->row.stale;
    *position_p = position;
    return 0;
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

//  Build the row of stx at rank with score. With all_tokens, zero rows
//  are listed too (agent detail); else only non-zero positions.
static int
s_row (bb_view_t *view, const char *stx, uint64_t rank, int64_t score,
       bool all_tokens, bb_balance_list_t *list, Balboard__DashboardRow **row_p)
{
    bb_agent_rec_t agent;
    bb_totals_rec_t totals;
    int rc = bb_record_agent_get (view->db, view->txn, stx, &agent);
    if (rc == 0)
        rc = bb_record_totals_get (view->db, view->txn, stx, &totals);
    if (rc == 0)
        rc = bb_record_balances_load (view->db, view->txn, stx, list);
    if (rc)
        return rc;
    Balboard__DashboardRow *row =
        bb_pb_new (&balboard__dashboard_row__descriptor);
    row->agent = s_agent (&agent);
    row->rank = rank;
    row->total_usd_micro = score;
    row->fetch_state = s_fetch_state (&totals);
    for (size_t i = 0; i < list->size && rc == 0; i++) {
        if (!all_tokens && list->items [i].row.amount == 0)
            continue;
        Balboard__TokenPosition *position;
        rc = s_position (view, &list->items [i], &position);
        if (rc == 0)
            BB_PB_PUSH (row->tokens, row->n_tokens, position);
    }
    if (rc)
        balboard__dashboard_row__free_unpacked (row, NULL);
    else
        *row_p = row;
    return rc;
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

static int
s_page_rows (bb_view_t *view, Balboard__DashboardPage *page)
{
    bb_balance_list_t list = { NULL, 0, 0 };
    int64_t score;
    bb_rank_cursor_t cursor;
    const char *stx = bb_rank_cursor_seek (view->rank, &cursor,
                                           (uint64_t) page->offset, &score);
    //  Copy each address: the cursor's string is borrowed
    int rc = 0;
    for (int64_t i = 0; stx && i < page->limit && rc == 0; i++) {
        char address [BB_STX_SIZE];
        snprintf (address, sizeof address, "%s", stx);
        Balboard__DashboardRow *row;
        rc = s_row (view, address, (uint64_t) (page->offset + i + 1), score,
                    false, &list, &row);
        if (rc == 0)
            BB_PB_PUSH (page->rows, page->n_rows, row);
        stx = bb_rank_cursor_next (view->rank, &cursor, &score);
    }
    bb_balance_list_reset (&list);
    return rc;
}

bb_envelope_t *
bb_view_dashboard (bb_view_t *view, const Balboard__DashboardRequest *request,
                   uint64_t request_id)
{
    if (request->offset < 0)
        return bb_pb_error (request_id,
                            BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST,
                            "offset must be >= 0");
    bb_counters_rec_t counters;
    int rc = bb_record_counters_get (view->db, view->txn, &counters);
    if (rc)
        return s_internal (request_id, rc);
    Balboard__DashboardPage *page =
        bb_pb_new (&balboard__dashboard_page__descriptor);
    uint64_t total = bb_rank_size (view->rank);
    page->offset = request->offset;
    page->limit = bb_view_page_limit (request->limit);
    page->total = total;
    page->prices = s_prices (view->prices);
    page->stats = bb_pb_new (&balboard__dashboard_stats__descriptor);
    page->stats->total = total;
    page->stats->total_usd_micro = bb_rank_sum (view->rank);
    page->stats->priced_at_ms = view->prices->priced_at_ms;
    page->cached_at_ms = counters.last_commit_ms;
    page->commit_seq = counters.commit_seq;
    rc = s_page_rows (view, page);
    page->has_more = (uint64_t) page->offset + page->n_rows < total;
    if (rc) {
        balboard__dashboard_page__free_unpacked (page, NULL);
        return s_internal (request_id, rc);
    }
    return bb_envelope_new (request_id, page);
}

//  ===========================================================================
//  Agent detail

//  Append the newest limit points of one (stx, token) series, oldest
//  first: seek past the series, then walk back.
static int
s_history_series (bb_view_t *view, MDB_cursor *cursor, const char *stx,
                  const char *token_id, uint32_t limit,
                  Balboard__AgentDetail *detail)
{
    char end [BB_KEY_SIZE];
    size_t end_len = bb_record_history_key (stx, token_id, UINT64_MAX, end);
    size_t series_len = end_len - 8;
    MDB_val key = { end_len, end }, value;
    int rc = mdb_cursor_get (cursor, &key, &value, MDB_SET_RANGE);
    rc = mdb_cursor_get (cursor, &key, &value,
                         rc == 0 ? MDB_PREV : MDB_LAST);
    size_t first = detail->n_history;
    for (uint32_t n = 0; rc == 0 && n < limit; n++) {
        if (key.mv_size != end_len
        ||  memcmp (key.mv_data, end, series_len) != 0)
            break;
        char stx_out [BB_STX_SIZE], token_out [BB_TOKEN_ID_SIZE];
        uint64_t captured_at;
        bb_u128_t amount;
        if (bb_record_history_key_parse (&key, stx_out, token_out,
                                         &captured_at)
        ||  bb_record_history_decode (&value, &amount))
            return MDB_CORRUPTED;
        Balboard__HistoryPoint *point =
            bb_pb_new (&balboard__history_point__descriptor);
        char digits [BB_U128_DEC_SIZE];
        point->token_id = bb_pb_strdup (token_id);
        point->captured_at_ms = captured_at;
        point->balance = bb_pb_strdup (bb_u128_format (amount, digits));
        BB_PB_PUSH (detail->history, detail->n_history, point);
        rc = mdb_cursor_get (cursor, &key, &value, MDB_PREV);
    }
    //  Walked newest first; put the series in time order
    for (size_t i = first, j = detail->n_history; i + 1 < j; i++, j--) {
        Balboard__HistoryPoint *swap = detail->history [i];
        detail->history [i] = detail->history [j - 1];
        detail->history [j - 1] = swap;
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
s_history (bb_view_t *view, const char *stx, uint32_t limit,
           const bb_balance_list_t *list, Balboard__AgentDetail *detail)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (view->txn, bb_db_dbi (view->db, BB_DBI_HISTORY),
                              &cursor);
    if (rc)
        return rc;
    for (size_t i = 0; i < list->size && rc == 0; i++)
        rc = s_history_series (view, cursor, stx, list->items [i].token_id,
                               limit, detail);
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
               uint64_t request_id)
{
    uint32_t limit = request->history_limit == 0 ? BB_VIEW_HISTORY_DEFAULT
                   : request->history_limit > BB_VIEW_HISTORY_MAX
                   ? BB_VIEW_HISTORY_MAX : request->history_limit;
    ranked_t agent;
    bb_envelope_t *missing = s_find (view, request->stx_address, request_id,
                                     &agent);
    if (missing)
        return missing;
    Balboard__AgentDetail *detail =
        bb_pb_new (&balboard__agent_detail__descriptor);
    detail->prices = s_prices (view->prices);
    bb_balance_list_t list = { NULL, 0, 0 };
    int rc = s_row (view, agent.stx, agent.rank, agent.score, true, &list,
                    &detail->row);
    if (rc == 0)
        rc = s_history (view, agent.stx, limit, &list, detail);
    bb_balance_list_reset (&list);
    if (rc) {
        balboard__agent_detail__free_unpacked (detail, NULL);
        return s_internal (request_id, rc);
    }
    return bb_envelope_new (request_id, detail);
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
