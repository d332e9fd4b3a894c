/*  =========================================================================
    bb_client - synchronous requests to a balboard socket, with a timeout

    Owns one DEALER and the request counter. Typed calls build their
    request body on the stack (borrowing the caller's strings and
    messages) and go through s_call, which wraps it in an envelope
    (bb_envelope_wrap), sends it and checks the reply's body.
    =========================================================================
*/
#include "bb_client.h"
#include "bb_envelope.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Longest endpoint, NUL included.
#define BB_CLIENT_ENDPOINT_SIZE 256

struct _bb_client_t {
    char *endpoint;             // where the DEALER connects
    zsock_t *dealer;            // remade after every timeout
    bb_curve_t *curve;          // CURVE on it, borrowed; NULL none
    int timeout_ms;             // per call
    uint64_t next_id;           // request_id of the next call
    char reason [BB_REASON_SIZE];  // of the last failure
    Balboard__ErrorReply__Code error_code;
};

static zsock_t *
s_connect (const char *endpoint, bb_curve_t *curve)
{
    char attach [BB_CLIENT_ENDPOINT_SIZE + 1];
    snprintf (attach, sizeof attach, ">%s", endpoint);
    return bb_curve_socket_new (curve, ZMQ_DEALER, attach, "client");
}

bb_client_t *
bb_client_new (const char *endpoint, int timeout_ms)
{
    return bb_client_new_curve (endpoint, timeout_ms, NULL);
}

bb_client_t *
bb_client_new_curve (const char *endpoint, int timeout_ms, bb_curve_t *curve)
{
    assert (endpoint);
    if (strlen (endpoint) >= BB_CLIENT_ENDPOINT_SIZE)
        return NULL;
    zsock_t *dealer = s_connect (endpoint, curve);
    if (!dealer)
        return NULL;
    bb_client_t *self = calloc (1, sizeof *self);
    assert (self);
    self->endpoint = strdup (endpoint);
    assert (self->endpoint);
    self->dealer = dealer;
    self->curve = curve;
    self->timeout_ms = timeout_ms;
    self->next_id = 1;
    return self;
}

void
bb_client_destroy (bb_client_t **self_p)
{
    assert (self_p);
    bb_client_t *self = *self_p;
    if (!self)
        return;
    zsock_destroy (&self->dealer);
    free (self->endpoint);
    free (self);
    *self_p = NULL;
}

const char *
bb_client_reason (bb_client_t *self)
{
    assert (self);
    return self->reason;
}

Balboard__ErrorReply__Code
bb_client_error_code (bb_client_t *self)
{
    assert (self);
    return self->error_code;
}

const char *
bb_client_strerror (int code)
{
    switch (code) {
        case BB_CLIENT_OK:          return "ok";
        case BB_CLIENT_TIMEOUT:     return "no reply in time (unreachable?)";
        case BB_CLIENT_ERROR_REPLY: return "error reply";
        case BB_CLIENT_BAD_REPLY:   return "bad reply";
        default:                    return "unknown";
    }
}

static int
s_fail (bb_client_t *self, int code, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (self->reason, sizeof self->reason, format, args);
    va_end (args);
    return code;
}

//  Drop the socket and any request still queued on it.
static void
s_reconnect (bb_client_t *self)
{
    zsock_destroy (&self->dealer);
    self->dealer = s_connect (self->endpoint, self->curve);
}

//  Wait for the reply to request_id until deadline (monotonic ms).
static int
s_wait (bb_client_t *self, uint64_t request_id, int64_t deadline,
        bb_envelope_t **reply_p)
{
    bb_wire_msg_t msg = { 0 };
    int rc = BB_CLIENT_TIMEOUT;
    int64_t left;
    while ((left = deadline - zclock_mono ()) > 0) {
        zmq_pollitem_t item = { zsock_resolve (self->dealer), 0, ZMQ_POLLIN,
                                0 };
        if (zmq_poll (&item, 1, (long) left) <= 0)
            continue;
        bb_wire_result_t result = bb_wire_recv (self->dealer, &msg);
        if (result == BB_WIRE_BAD_FRAME) {
            rc = s_fail (self, BB_CLIENT_BAD_REPLY, "%s", msg.reason);
            break;
        }
        if (result == BB_WIRE_OK && msg.envelope->request_id == request_id) {
            *reply_p = msg.envelope;
            msg.envelope = NULL;
            rc = BB_CLIENT_OK;
            break;
        }
    }
    bb_wire_msg_reset (&msg);
    if (rc == BB_CLIENT_TIMEOUT)
        s_fail (self, rc, "no reply from %s within %d ms", self->endpoint,
                self->timeout_ms);
    return rc;
}

static int
s_request (bb_client_t *self, bb_envelope_t *request,
           bb_envelope_t **reply_p)
{
    assert (self && request && reply_p);
    *reply_p = NULL;
    self->reason [0] = '\0';
    self->error_code = BALBOARD__ERROR_REPLY__CODE__CODE_UNSPECIFIED;
    if (!self->dealer)
        s_reconnect (self);
    if (!self->dealer)
        return s_fail (self, BB_CLIENT_TIMEOUT, "cannot connect to %s",
                       self->endpoint);
    int64_t deadline = zclock_mono () + self->timeout_ms;
    if (bb_wire_send (self->dealer, NULL, request)) {
        s_reconnect (self);
        return s_fail (self, BB_CLIENT_TIMEOUT, "cannot send to %s",
                       self->endpoint);
    }
    int rc = s_wait (self, request->request_id, deadline, reply_p);
    if (rc == BB_CLIENT_TIMEOUT)
        s_reconnect (self);
    if (rc || (*reply_p)->body_case != BALBOARD__ENVELOPE__BODY_ERROR)
        return rc;
    const Balboard__ErrorReply *error = (*reply_p)->error;
    self->error_code = error->code;
    s_fail (self, BB_CLIENT_ERROR_REPLY, "%s", error->reason);
    bb_wire_envelope_destroy (reply_p);
    return BB_CLIENT_ERROR_REPLY;
}

//  ---------------------------------------------------------------------------
//  Typed calls

//  Send body (any request body, borrowed) in an envelope and require a
//  reply with body expected.
static int
s_call (bb_client_t *self, void *body, Balboard__Envelope__BodyCase expected,
        bb_envelope_t **reply_p)
{
    bb_envelope_t request;
    bb_envelope_wrap (&request, self->next_id++, body);
    int rc = s_request (self, &request, reply_p);
    if (rc == 0 && (*reply_p)->body_case != expected) {
        s_fail (self, BB_CLIENT_BAD_REPLY, "expected %s, got %s",
                bb_wire_body_name (expected),
                bb_wire_body_name ((*reply_p)->body_case));
        bb_wire_envelope_destroy (reply_p);
        rc = BB_CLIENT_BAD_REPLY;
    }
    return rc;
}

int
bb_client_dashboard (bb_client_t *self, int64_t offset, int64_t limit,
                     bb_envelope_t **reply_p)
{
    Balboard__DashboardRequest body = BALBOARD__DASHBOARD_REQUEST__INIT;
    body.offset = offset;
    body.limit = limit;
    return s_call (self, &body, BALBOARD__ENVELOPE__BODY_DASHBOARD_PAGE,
                   reply_p);
}

int
bb_client_agent (bb_client_t *self, const char *stx, uint32_t history_limit,
                 bb_envelope_t **reply_p)
{
    Balboard__AgentDetailRequest body = BALBOARD__AGENT_DETAIL_REQUEST__INIT;
    body.stx_address = (char *) stx;
    body.history_limit = history_limit;
    return s_call (self, &body, BALBOARD__ENVELOPE__BODY_AGENT_DETAIL,
                   reply_p);
}

int
bb_client_rank (bb_client_t *self, const char *stx, bb_envelope_t **reply_p)
{
    Balboard__RankRequest body = BALBOARD__RANK_REQUEST__INIT;
    body.stx_address = (char *) stx;
    return s_call (self, &body, BALBOARD__ENVELOPE__BODY_RANK_REPLY,
                   reply_p);
}

int
bb_client_stats (bb_client_t *self, bb_envelope_t **reply_p)
{
    Balboard__StatsRequest body = BALBOARD__STATS_REQUEST__INIT;
    return s_call (self, &body, BALBOARD__ENVELOPE__BODY_STORE_STATS,
                   reply_p);
}

int
bb_client_agents_page (bb_client_t *self, const char *after, uint32_t limit,
                       bb_envelope_t **reply_p)
{
    Balboard__AgentsPageRequest body = BALBOARD__AGENTS_PAGE_REQUEST__INIT;
    body.after_stx_address = (char *) (after ? after : "");
    body.limit = limit;
    return s_call (self, &body, BALBOARD__ENVELOPE__BODY_AGENTS_PAGE,
                   reply_p);
}

int
bb_client_balance_batch (bb_client_t *self,
                         const Balboard__BalanceBatch *batch,
                         bb_envelope_t **reply_p)
{
    assert (batch);
    return s_call (self, (void *) batch, BALBOARD__ENVELOPE__BODY_BATCH_ACK,
                   reply_p);
}

int
bb_client_price_snapshot (bb_client_t *self,
                          const Balboard__PriceSnapshot *prices,
                          bb_envelope_t **reply_p)
{
    assert (prices);
    return s_call (self, (void *) prices, BALBOARD__ENVELOPE__BODY_BATCH_ACK,
                   reply_p);
}

int
bb_client_token_meta (bb_client_t *self, const char *const *contracts,
                      size_t count, bb_envelope_t **reply_p)
{
    Balboard__TokenMetaQuery body = BALBOARD__TOKEN_META_QUERY__INIT;
    body.n_contracts = count;
    body.contracts = (char **) contracts;
    return s_call (self, &body, BALBOARD__ENVELOPE__BODY_TOKEN_META_REPLY,
                   reply_p);
}

int
bb_client_agent_upsert (bb_client_t *self, Balboard__Agent *const *agents,
                        size_t count, bb_envelope_t **reply_p)
{
    Balboard__AgentUpsert body = BALBOARD__AGENT_UPSERT__INIT;
    body.n_agents = count;
    body.agents = (Balboard__Agent **) agents;
    return s_call (self, &body, BALBOARD__ENVELOPE__BODY_AGENT_ACK,
                   reply_p);
}

int
bb_client_agent_remove (bb_client_t *self, const char *const *stx,
                        size_t count, bb_envelope_t **reply_p)
{
    Balboard__AgentRemove body = BALBOARD__AGENT_REMOVE__INIT;
    body.n_stx_addresses = count;
    body.stx_addresses = (char **) stx;
    return s_call (self, &body, BALBOARD__ENVELOPE__BODY_AGENT_ACK,
                   reply_p);
}

int
bb_client_registry_snapshot (bb_client_t *self,
                             const Balboard__RegistrySnapshot *part,
                             bb_envelope_t **reply_p)
{
    return s_call (self, (void *) part,
                   BALBOARD__ENVELOPE__BODY_REGISTRY_SYNC_REPORT, reply_p);
}

//  SchedulerControl{command, confirm} -> scheduler_status
static int
s_control (bb_client_t *self, Balboard__SchedulerControl__Command command,
           bool confirm, bb_envelope_t **reply_p)
{
    Balboard__SchedulerControl body = BALBOARD__SCHEDULER_CONTROL__INIT;
    body.command = command;
    body.confirm = confirm;
    return s_call (self, &body, BALBOARD__ENVELOPE__BODY_SCHEDULER_STATUS,
                   reply_p);
}

int
bb_client_scheduler_control (bb_client_t *self,
                             Balboard__SchedulerControl__Command command,
                             bb_envelope_t **reply_p)
{
    return s_control (self, command, false, reply_p);
}

int
bb_client_scheduler_sync (bb_client_t *self, bool confirm,
                          bb_envelope_t **reply_p)
{
    return s_control (self, BALBOARD__SCHEDULER_CONTROL__COMMAND__SYNC,
                      confirm, reply_p);
}
