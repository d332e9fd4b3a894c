/*  =========================================================================
    bb_view - the read side: replies built from one read snapshot

    Builds every query reply from a read transaction, the rank index and
    the price snapshot the index is valued at, which the query actor keeps
    at the same commit as the transaction. So a dashboard page ranks,
    values and totals its rows at one snapshot, the one it reports.
    A page costs one O(log n) seek plus, per row, a few point reads and
    one short range read of the agent's balances: O(log n + limit).

    Every function returns a new envelope replying to request_id (the
    caller destroys it): the reply body, or an ErrorReply (BAD_REQUEST,
    NOT_FOUND, INTERNAL on an LMDB error). A dashboard page (the hot
    reply: a hundred rows) and an agent detail come as packed bytes
    instead, written without a message tree (bb_pbuf). Any reader thread, between
    bb_index_begin and bb_index_end (the index does not change meanwhile).
    =========================================================================
*/
#ifndef BB_VIEW_H_INCLUDED
#define BB_VIEW_H_INCLUDED

#include "bb_db.h"
#include "bb_rank.h"
#include "bb_record.h"
#include "bb_wire.h"

//  Dashboard limits (docs/protocol.md).
#define BB_VIEW_PAGE_DEFAULT        100
#define BB_VIEW_PAGE_MAX            500
//  Bytes a dashboard row takes, about: the room a page starts with.
#define BB_VIEW_ROW_BYTES           512
//  Agents page limits (the scheduler's chunks).
#define BB_VIEW_AGENTS_DEFAULT      100
#define BB_VIEW_AGENTS_MAX          10000
//  History points per token in an agent detail.
#define BB_VIEW_HISTORY_DEFAULT     100
#define BB_VIEW_HISTORY_MAX         1000

typedef struct {
    bb_db_t *db;
    MDB_txn *txn;                       // read txn at the index's commit
    bb_rank_t *rank;
    const bb_prices_rec_t *prices;      // the index is valued at these
    uint64_t seq;                       // the commit of txn
    bool synced;                        // rank and prices are at seq too
} bb_view_t;

//  The limit a dashboard page of requested limit has (0 is the default,
//  the rest clamped to 1..BB_VIEW_PAGE_MAX).
int64_t bb_view_page_limit (int64_t requested);

//  The dashboard page of request, written straight into the bytes
//  bb_wire_encode_body gives for its reply envelope (no message tree is
//  built: bb_pbuf). Returns NULL with the bytes in *body (the caller
//  frees them) and their count in *size, or an ErrorReply envelope.
bb_envelope_t *bb_view_dashboard (bb_view_t *view,
                                  const Balboard__DashboardRequest *request,
                                  uint64_t request_id, uint8_t **body,
                                  size_t *size);

//  Every row of the agent, zeros and stale ones included, and per token
//  (in token order) its newest history_limit points, oldest first:
//  written and returned as bb_view_dashboard does (NOT_FOUND: an error).
bb_envelope_t *bb_view_agent (bb_view_t *view,
                              const Balboard__AgentDetailRequest *request,
                              uint64_t request_id, uint8_t **body,
                              size_t *size);

bb_envelope_t *bb_view_rank (bb_view_t *view,
                             const Balboard__RankRequest *request,
                             uint64_t request_id);

bb_envelope_t *bb_view_stats (bb_view_t *view, uint64_t request_id);

bb_envelope_t *bb_view_agents_page (bb_view_t *view,
                                    const Balboard__AgentsPageRequest *request,
                                    uint64_t request_id);

#endif
