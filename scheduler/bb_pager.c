/*  =========================================================================
    bb_pager - the scheduler's requests for agents pages to the store

    Request ids count up from 1 for the pager's life, so 0 means none is
    outstanding and a late answer to an earlier request never matches.
    =========================================================================
*/
#include "bb_pager.h"
#include "bb_log.h"
#include "bb_sched_state.h"

#include <assert.h>
#include <inttypes.h>

struct _bb_pager_t {
    zsock_t *store;                 // DEALER: the store's query socket
    uint64_t timeout_ms;            // a request gives up after
    uint64_t request_id;            // outstanding, 0 = none
    uint64_t request_seq;           // last request id used
    uint64_t sent_ms;               // when it went
    uint32_t limit;                 // agents the chunk may take
    char after [BB_SCHED_CURSOR_SIZE];  // the cursor asked after
    bb_wire_msg_t kept;             // the page kept ahead, or empty
    char kept_after [BB_SCHED_CURSOR_SIZE];
    uint32_t kept_limit;
};

bb_pager_t *
bb_pager_new (const char *endpoint, uint64_t timeout_ms)
{
    assert (endpoint);
    char connect [256];
    snprintf (connect, sizeof connect, ">%s", endpoint);
    zsock_t *store = bb_wire_socket_new (ZMQ_DEALER, connect);
    if (!store)
        return NULL;
    bb_pager_t *self = calloc (1, sizeof *self);
    assert (self);
    self->store = store;
    self->timeout_ms = timeout_ms;
    return self;
}

void
bb_pager_destroy (bb_pager_t **self_p)
{
    assert (self_p);
    bb_pager_t *self = *self_p;
    if (self) {
        bb_wire_msg_reset (&self->kept);
        zsock_destroy (&self->store);
        free (self);
        *self_p = NULL;
    }
}

zsock_t *
bb_pager_socket (bb_pager_t *self)
{
    assert (self);
    return self->store;
}

bool
bb_pager_waiting (bb_pager_t *self)
{
    assert (self);
    return self->request_id != 0;
}

void
bb_pager_request (bb_pager_t *self, const char *after, uint32_t limit,
                  uint64_t now_ms)
{
    assert (self && after);
    Balboard__AgentsPageRequest request =
        BALBOARD__AGENTS_PAGE_REQUEST__INIT;
    request.after_stx_address = (char *) after;
    request.limit = limit + 1;
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.request_id = ++self->request_seq;
    envelope.body_case = BALBOARD__ENVELOPE__BODY_AGENTS_PAGE_REQUEST;
    envelope.agents_page_request = &request;
    if (bb_wire_send (self->store, NULL, &envelope)) {
        bb_warn ("store_send_failed", NULL);
        return;
    }
    self->request_id = envelope.request_id;
    self->sent_ms = now_ms;
    self->limit = limit;
    snprintf (self->after, sizeof self->after, "%s", after);
}

//  True if every agent of page can go in a job and the cursor.
static bool
s_page_valid (const Balboard__AgentsPage *page)
{
    for (size_t i = 0; i < page->n_agents; i++) {
        const Balboard__Agent *agent = page->agents [i];
        if (!agent || !agent->stx_address || !*agent->stx_address
        ||  strlen (agent->stx_address) >= BB_SCHED_CURSOR_SIZE
        ||  !agent->btc_address)
            return false;
    }
    return true;
}

//  The page envelope answers the request with, or NULL (logged).
static const Balboard__AgentsPage *
s_page (const bb_envelope_t *envelope)
{
    if (envelope->body_case == BALBOARD__ENVELOPE__BODY_AGENTS_PAGE
    &&  s_page_valid (envelope->agents_page))
        return envelope->agents_page;
    char reason [BB_REASON_SIZE];
    bool is_error = envelope->body_case == BALBOARD__ENVELOPE__BODY_ERROR;
    bb_warn ("store_bad_reply", "body=%s reason=%s",
             bb_wire_body_name (envelope->body_case),
             bb_log_quote (is_error ? envelope->error->reason
                                    : "invalid agents page",
                           reason, sizeof reason));
    return NULL;
}

const Balboard__AgentsPage *
bb_pager_recv (bb_pager_t *self, bb_wire_msg_t *msg, uint32_t *limit)
{
    assert (self && msg && limit);
    bb_wire_result_t result = bb_wire_recv (self->store, msg);
    if (result == BB_WIRE_BAD_FRAME)
        bb_warn ("bad_frame", "socket=store reason=\"%s\"", msg->reason);
    if (result != BB_WIRE_OK)
        return NULL;
    uint64_t request_id = msg->envelope->request_id;
    if (!self->request_id || request_id != self->request_id) {
        bb_debug ("store_reply_stale", "request_id=%" PRIu64, request_id);
        return NULL;
    }
    self->request_id = 0;
    *limit = self->limit;
    return s_page (msg->envelope);
}

void
bb_pager_keep (bb_pager_t *self, bb_wire_msg_t *msg)
{
    assert (self && msg && msg->envelope);
    bb_wire_msg_reset (&self->kept);
    self->kept = *msg;
    memset (msg, 0, sizeof *msg);
    snprintf (self->kept_after, sizeof self->kept_after, "%s", self->after);
    self->kept_limit = self->limit;
}

const Balboard__AgentsPage *
bb_pager_kept (bb_pager_t *self, const char *after, uint32_t *limit)
{
    assert (self && after && limit);
    if (!self->kept.envelope)
        return NULL;
    if (!streq (after, self->kept_after)) {
        bb_pager_drop (self);
        return NULL;
    }
    if (*limit > self->kept_limit)
        *limit = self->kept_limit;
    return self->kept.envelope->agents_page;
}

void
bb_pager_drop (bb_pager_t *self)
{
    assert (self);
    bb_wire_msg_reset (&self->kept);
}

void
bb_pager_expire (bb_pager_t *self, uint64_t now_ms)
{
    assert (self);
    if (self->request_id && now_ms - self->sent_ms > self->timeout_ms) {
        bb_warn ("store_timeout", "request_id=%" PRIu64 " after_ms=%" PRIu64,
                 self->request_id, now_ms - self->sent_ms);
        self->request_id = 0;
    }
}
