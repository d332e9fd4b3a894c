/*  =========================================================================
    bb_client - synchronous requests to a balboard socket, with a timeout

    One client talks to one endpoint (the store's ingest or query socket,
    or the scheduler's control socket) over a DEALER. Every call sends one
    request with a fresh request_id and waits up to the timeout for the
    reply that echoes it; replies to earlier requests are discarded. On a
    timeout the socket is dropped and made again (the Lazy Pirate way), so
    a late reply can never be taken for the next request's.

    Calls return 0 with the reply in *reply_p (the caller owns it and
    frees it with bb_wire_envelope_destroy), or a negative bb_client code
    with *reply_p NULL; bb_client_reason then says what happened, with the
    server's reason for an ErrorReply. Typed calls also check that the
    reply has the expected body. Not thread-safe: one thread per client.
    =========================================================================
*/
#ifndef BB_CLIENT_H_INCLUDED
#define BB_CLIENT_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "bb_curve.h"
#include "bb_wire.h"

typedef enum {
    BB_CLIENT_OK = 0,
    BB_CLIENT_TIMEOUT = -1,     // no reply in time: peer down, slow or gone
    BB_CLIENT_ERROR_REPLY = -2, // the peer answered ErrorReply
    BB_CLIENT_BAD_REPLY = -3,   // a reply that is not a valid answer
} bb_client_result_t;

typedef struct _bb_client_t bb_client_t;

//  Connect to endpoint ("tcp://127.0.0.1:7702") with a per-call timeout.
//  Returns NULL if the endpoint is malformed (logged).
bb_client_t *bb_client_new (const char *endpoint, int timeout_ms);

//  The same, with CURVE as curve says (a client bb_curve_t; NULL = none).
//  curve is borrowed: it must outlive the client.
bb_client_t *bb_client_new_curve (const char *endpoint, int timeout_ms,
                                  bb_curve_t *curve);

//  Close the socket, free, and set *self_p to NULL. NULL-safe.
void bb_client_destroy (bb_client_t **self_p);

//  The reason of the last failed call ("" after a success); borrowed,
//  valid until the next call.
const char *bb_client_reason (bb_client_t *self);

//  The ErrorReply code of the last BB_CLIENT_ERROR_REPLY, else
//  BALBOARD__ERROR_REPLY__CODE__CODE_UNSPECIFIED.
Balboard__ErrorReply__Code bb_client_error_code (bb_client_t *self);

//  A static name for code.
const char *bb_client_strerror (int code);

//  ---------------------------------------------------------------------------
//  Store queries (query socket). Each reply has the named body.

//  dashboard_page
int bb_client_dashboard (bb_client_t *self, int64_t offset, int64_t limit,
                         bb_envelope_t **reply_p);
//  agent_detail; NOT_FOUND as an error reply
int bb_client_agent (bb_client_t *self, const char *stx,
                     uint32_t history_limit, bb_envelope_t **reply_p);
//  rank_reply; NOT_FOUND as an error reply
int bb_client_rank (bb_client_t *self, const char *stx,
                    bb_envelope_t **reply_p);
//  store_stats
int bb_client_stats (bb_client_t *self, bb_envelope_t **reply_p);
//  agents_page: the agents after key after ("" = from the first)
int bb_client_agents_page (bb_client_t *self, const char *after,
                           uint32_t limit, bb_envelope_t **reply_p);

//  ---------------------------------------------------------------------------
//  Store ingest and admin (ingest socket)

//  batch_ack (committed, duplicate or rejected: read its status)
int bb_client_balance_batch (bb_client_t *self,
                             const Balboard__BalanceBatch *batch,
                             bb_envelope_t **reply_p);
//  batch_ack
int bb_client_price_snapshot (bb_client_t *self,
                              const Balboard__PriceSnapshot *prices,
                              bb_envelope_t **reply_p);
//  token_meta_reply
int bb_client_token_meta (bb_client_t *self, const char *const *contracts,
                          size_t count, bb_envelope_t **reply_p);
//  agent_ack (per-agent rejections inside)
int bb_client_agent_upsert (bb_client_t *self, Balboard__Agent *const *agents,
                            size_t count, bb_envelope_t **reply_p);
//  agent_ack
int bb_client_agent_remove (bb_client_t *self, const char *const *stx,
                            size_t count, bb_envelope_t **reply_p);
//  registry_sync_report (SYNC_PART_KEPT until the last part); a part out
//  of order is a BAD_REQUEST error reply
int bb_client_registry_snapshot (bb_client_t *self,
                                 const Balboard__RegistrySnapshot *part,
                                 bb_envelope_t **reply_p);

//  ---------------------------------------------------------------------------
//  Scheduler control (control socket)

//  scheduler_status
int bb_client_scheduler_control (bb_client_t *self,
                                 Balboard__SchedulerControl__Command command,
                                 bb_envelope_t **reply_p);
//  scheduler_status after SYNC, confirmed (a held removal applies) or not
int bb_client_scheduler_sync (bb_client_t *self, bool confirm,
                              bb_envelope_t **reply_p);

#endif
