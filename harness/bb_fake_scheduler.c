/*  =========================================================================
    bb_fake_scheduler - the scheduler's end of a fetcher's sockets,
    for tests and benchmarks

    A zpoller over one or two ROUTERs; every wait loops on it with a
    timeout no longer than the next heartbeat. Received envelopes are
    kept decoded in lists that own them.
    =========================================================================
*/
#include "bb_fake_scheduler.h"
#include "bb_port.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    bool known;
    char symbol [80];
    unsigned decimals;
} token_t;

struct _bb_fake_scheduler_t {
    zsock_t *jobs;                  // ROUTER the fetcher connects to
    zsock_t *ingest;                // fake store's ROUTER, or NULL
    zpoller_t *poller;
    zframe_t *fetcher;              // latest routing id of the fetcher
    int heartbeat_ms;
    int64_t heartbeat_at_ms;
    bool ready;                     // a FetcherReady came since asked
    bool silent;                    // sends no heartbeats
    char ready_busy [64];           // busy_job_id of the latest Ready
    zlistx_t *reports;              // bb_envelope_t, owned
    zlistx_t *batches;              // bb_envelope_t, owned
    zhashx_t *tokens;               // contract -> token_t, owned
    bb_fake_store_mode_t store_mode;
    size_t batch_count;
    uint32_t sync_agents;           // the current generation's parts so far
    uint32_t sync_rejected;
    size_t token_queries;
    size_t contracts_asked;
    size_t heartbeats;
    size_t busy_heartbeats;
    size_t readies;
};

static void
s_envelope_free (void **item)
{
    bb_wire_envelope_destroy ((bb_envelope_t **) item);
}

static void
s_token_free (void **item)
{
    free (*item);
    *item = NULL;
}

bb_fake_scheduler_t *
bb_fake_scheduler_new (const char *jobs_endpoint,
                       const char *ingest_endpoint, int heartbeat_ms)
{
    assert (jobs_endpoint && heartbeat_ms > 0);
    bb_fake_scheduler_t *self = calloc (1, sizeof *self);
    assert (self);
    char endpoint [256];
    snprintf (endpoint, sizeof endpoint, "@%s", jobs_endpoint);
    self->jobs = bb_wire_socket_new (ZMQ_ROUTER, endpoint);
    if (ingest_endpoint) {
        snprintf (endpoint, sizeof endpoint, "@%s", ingest_endpoint);
        self->ingest = bb_wire_socket_new (ZMQ_ROUTER, endpoint);
    }
    self->heartbeat_ms = heartbeat_ms;
    self->reports = zlistx_new ();
    self->batches = zlistx_new ();
    self->tokens = zhashx_new ();
    zlistx_set_destructor (self->reports, s_envelope_free);
    zlistx_set_destructor (self->batches, s_envelope_free);
    zhashx_set_destructor (self->tokens, s_token_free);
    if (!self->jobs || (ingest_endpoint && !self->ingest)) {
        bb_fake_scheduler_destroy (&self);
        return NULL;
    }
    self->poller = zpoller_new (self->jobs, self->ingest, NULL);
    return self;
}

bb_fake_scheduler_t *
bb_fake_scheduler_new_on_free_ports (char *jobs_endpoint,
                                     char *ingest_endpoint, size_t size,
                                     int heartbeat_ms)
{
    assert (jobs_endpoint);
    bb_fake_scheduler_t *self = NULL;
    for (int attempt = 0; attempt < BB_FAKE_SCHEDULER_BIND_TRIES && !self;
         attempt++) {
        bb_port_free_endpoint (jobs_endpoint, size);
        if (ingest_endpoint)
            bb_port_free_endpoint (ingest_endpoint, size);
        self = bb_fake_scheduler_new (jobs_endpoint, ingest_endpoint,
                                      heartbeat_ms);
    }
    return self;
}

void
bb_fake_scheduler_destroy (bb_fake_scheduler_t **self_p)
{
    assert (self_p);
    bb_fake_scheduler_t *self = *self_p;
    if (!self)
        return;
    zpoller_destroy (&self->poller);
    zsock_destroy (&self->jobs);
    zsock_destroy (&self->ingest);
    zframe_destroy (&self->fetcher);
    zlistx_destroy (&self->reports);
    zlistx_destroy (&self->batches);
    zhashx_destroy (&self->tokens);
    free (self);
    *self_p = NULL;
}

//  ---------------------------------------------------------------------
//  The scheduler's side

static void
s_send (zsock_t *socket, zframe_t *peer, uint64_t request_id,
        Balboard__Envelope__BodyCase body, void *message)
{
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.request_id = request_id;
    envelope.body_case = body;
    envelope.fetcher_ready = message;   // every body shares the union
    bb_wire_send (socket, peer, &envelope);
}

static void
s_heartbeat (bb_fake_scheduler_t *self)
{
    int64_t now = zclock_mono ();
    if (now < self->heartbeat_at_ms)
        return;
    self->heartbeat_at_ms = now + self->heartbeat_ms;
    if (!self->fetcher || self->silent)
        return;
    Balboard__FetcherHeartbeat heartbeat = BALBOARD__FETCHER_HEARTBEAT__INIT;
    heartbeat.fetcher_id = "scheduler";
    s_send (self->jobs, self->fetcher, 0,
            BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT, &heartbeat);
}

static void
s_on_jobs (bb_fake_scheduler_t *self, bb_wire_msg_t *msg)
{
    zframe_destroy (&self->fetcher);
    self->fetcher = zframe_dup (msg->peer);
    bb_envelope_t *envelope = msg->envelope;
    switch (envelope->body_case) {
        case BALBOARD__ENVELOPE__BODY_FETCHER_READY:
            self->ready = true;
            self->readies++;
            snprintf (self->ready_busy, sizeof self->ready_busy, "%s",
                      envelope->fetcher_ready->busy_job_id
                      ? envelope->fetcher_ready->busy_job_id : "");
            break;
        case BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT:
            self->heartbeats++;
            if (envelope->fetcher_heartbeat->busy_job_id
            &&  *envelope->fetcher_heartbeat->busy_job_id)
                self->busy_heartbeats++;
            break;
        case BALBOARD__ENVELOPE__BODY_JOB_REPORT:
            zlistx_add_end (self->reports, envelope);
            msg->envelope = NULL;
            break;
        default:
            break;
    }
}

//  ---------------------------------------------------------------------
//  The store's side

static void
s_remember_tokens (bb_fake_scheduler_t *self,
                   const Balboard__BalanceBatch *batch)
{
    for (size_t index = 0; index < batch->n_token_meta; index++) {
        const Balboard__TokenMeta *meta = batch->token_meta [index];
        token_t *token = calloc (1, sizeof *token);
        assert (token);
        token->known = meta->known;
        snprintf (token->symbol, sizeof token->symbol, "%s", meta->symbol);
        token->decimals = meta->decimals;
        zhashx_update (self->tokens, meta->contract, token);
    }
}

//  Answer msg with reply (a body of that case) unless the store is
//  silent, and keep its envelope with the batches.
static void
s_answer_and_keep (bb_fake_scheduler_t *self, bb_wire_msg_t *msg,
                   Balboard__Envelope__BodyCase body, void *reply)
{
    if (self->store_mode != BB_FAKE_STORE_SILENT)
        s_send (self->ingest, msg->peer, msg->envelope->request_id, body,
                reply);
    zlistx_add_end (self->batches, msg->envelope);
    msg->envelope = NULL;
}

static void
s_on_batch (bb_fake_scheduler_t *self, bb_wire_msg_t *msg)
{
    const Balboard__BalanceBatch *batch = msg->envelope->balance_batch;
    self->batch_count++;
    bool commit = self->store_mode == BB_FAKE_STORE_COMMIT;
    if (commit)
        s_remember_tokens (self, batch);
    Balboard__BatchAck ack = BALBOARD__BATCH_ACK__INIT;
    ack.job_id = batch->job_id;
    ack.attempt = batch->attempt;
    ack.status = commit ? BALBOARD__ACK_STATUS__ACK_COMMITTED
                        : BALBOARD__ACK_STATUS__ACK_REJECTED;
    ack.reason = commit ? "" : "test";
    s_answer_and_keep (self, msg, BALBOARD__ENVELOPE__BODY_BATCH_ACK, &ack);
}

//  A snapshot part: kept, answered as the store does, counted per
//  generation from its part 0.
static void
s_on_snapshot (bb_fake_scheduler_t *self, bb_wire_msg_t *msg)
{
    const Balboard__RegistrySnapshot *part = msg->envelope->registry_snapshot;
    self->batch_count++;
    if (part->part == 0)
        self->sync_agents = self->sync_rejected = 0;
    self->sync_agents += (uint32_t) part->n_agents;
    self->sync_rejected += (uint32_t) part->n_rejected;
    Balboard__RegistrySyncReport reply = BALBOARD__REGISTRY_SYNC_REPORT__INIT;
    reply.generation = part->generation;
    reply.outcome = !part->last_part ? BALBOARD__SYNC_OUTCOME__SYNC_PART_KEPT
                  : part->complete ? BALBOARD__SYNC_OUTCOME__SYNC_APPLIED
                  : BALBOARD__SYNC_OUTCOME__SYNC_PARTIAL;
    reply.reason = part->incomplete_reason;
    reply.source = part->source;
    reply.registry_agents = self->sync_agents;
    reply.added = self->sync_agents;
    reply.rejected = self->sync_rejected;
    reply.pages = part->pages;
    reply.requests = part->requests;
    reply.started_ms = part->started_ms;
    s_answer_and_keep (self, msg,
                       BALBOARD__ENVELOPE__BODY_REGISTRY_SYNC_REPORT, &reply);
}

static void
s_on_token_query (bb_fake_scheduler_t *self, bb_wire_msg_t *msg)
{
    const Balboard__TokenMetaQuery *query = msg->envelope->token_meta_query;
    self->token_queries++;
    self->contracts_asked += query->n_contracts;
    Balboard__TokenMeta *known = calloc (query->n_contracts + 1,
                                         sizeof *known);
    Balboard__TokenMeta **pointers = calloc (query->n_contracts + 1,
                                             sizeof *pointers);
    assert (known && pointers);
    Balboard__TokenMetaReply reply = BALBOARD__TOKEN_META_REPLY__INIT;
    reply.known = pointers;
    for (size_t index = 0; index < query->n_contracts; index++) {
        token_t *token = zhashx_lookup (self->tokens,
                                        query->contracts [index]);
        if (!token)
            continue;
        Balboard__TokenMeta *meta = &known [reply.n_known];
        balboard__token_meta__init (meta);
        meta->contract = query->contracts [index];
        meta->symbol = token->symbol;
        meta->decimals = token->decimals;
        meta->known = token->known;
        pointers [reply.n_known++] = meta;
    }
    s_send (self->ingest, msg->peer, msg->envelope->request_id,
            BALBOARD__ENVELOPE__BODY_TOKEN_META_REPLY, &reply);
    free (known);
    free (pointers);
}

static void
s_on_ingest (bb_fake_scheduler_t *self, bb_wire_msg_t *msg)
{
    switch (msg->envelope->body_case) {
        case BALBOARD__ENVELOPE__BODY_BALANCE_BATCH:
            s_on_batch (self, msg);
            break;
        case BALBOARD__ENVELOPE__BODY_TOKEN_META_QUERY:
            s_on_token_query (self, msg);
            break;
        case BALBOARD__ENVELOPE__BODY_REGISTRY_SNAPSHOT:
            s_on_snapshot (self, msg);
            break;
        default:
            bb_wire_send_error (self->ingest, msg->peer,
                                msg->envelope->request_id,
                                BALBOARD__ERROR_REPLY__CODE__UNSUPPORTED,
                                "not on the fake store");
            break;
    }
}

//  ---------------------------------------------------------------------
//  Serving

//  Serve for at most timeout_ms, returning after the first message.
//  Returns -1 once the process is interrupted (SIGINT, SIGTERM).
static int
s_serve_once (bb_fake_scheduler_t *self, int timeout_ms)
{
    s_heartbeat (self);
    int64_t wait = self->heartbeat_at_ms - zclock_mono ();
    if (wait < timeout_ms)
        timeout_ms = wait > 0 ? (int) wait : 0;
    zsock_t *which = zpoller_wait (self->poller, timeout_ms);
    if (zpoller_terminated (self->poller))
        return -1;
    if (!which)
        return 0;
    bb_wire_msg_t msg = { 0 };
    if (bb_wire_recv (which, &msg) == BB_WIRE_OK) {
        if (which == self->jobs)
            s_on_jobs (self, &msg);
        else
            s_on_ingest (self, &msg);
    }
    bb_wire_msg_reset (&msg);
    return 0;
}

void
bb_fake_scheduler_serve (bb_fake_scheduler_t *self, int ms)
{
    assert (self);
    int64_t end = zclock_mono () + ms;
    for (int64_t now = zclock_mono (); now < end; now = zclock_mono ())
        if (s_serve_once (self, (int) (end - now)))
            break;
}

int
bb_fake_scheduler_wait_ready (bb_fake_scheduler_t *self,
                              int timeout_ms)
{
    assert (self);
    self->ready = false;
    int64_t end = zclock_mono () + timeout_ms;
    for (int64_t now = zclock_mono (); !self->ready && now < end;
         now = zclock_mono ())
        if (s_serve_once (self, (int) (end - now)))
            break;
    return self->ready ? 0 : -1;
}

//  Send a job of body to the fetcher's latest socket. 0 or -1.
static int
s_send_job (bb_fake_scheduler_t *self, Balboard__Envelope__BodyCase body,
            void *job)
{
    //  Catch up first, so the job goes to the fetcher's latest socket.
    while (zsock_events (self->jobs) & ZMQ_POLLIN)
        if (s_serve_once (self, 0))
            break;
    if (!self->fetcher)
        return -1;
    s_send (self->jobs, self->fetcher, 0, body, job);
    return 0;
}

int
bb_fake_scheduler_send_job (bb_fake_scheduler_t *self,
                            const Balboard__ChunkJob *job)
{
    assert (self && job);
    return s_send_job (self, BALBOARD__ENVELOPE__BODY_CHUNK_JOB, (void *) job);
}

int
bb_fake_scheduler_send_registry_job (bb_fake_scheduler_t *self,
                                     const Balboard__RegistryJob *job)
{
    assert (self && job);
    return s_send_job (self, BALBOARD__ENVELOPE__BODY_REGISTRY_JOB,
                       (void *) job);
}

bb_envelope_t *
bb_fake_scheduler_wait_report (bb_fake_scheduler_t *self,
                               int timeout_ms)
{
    assert (self);
    int64_t end = zclock_mono () + timeout_ms;
    for (int64_t now = zclock_mono ();
         zlistx_size (self->reports) == 0 && now < end;
         now = zclock_mono ())
        if (s_serve_once (self, (int) (end - now)))
            break;
    return zlistx_detach (self->reports, NULL);
}

void
bb_fake_scheduler_set_store_mode (bb_fake_scheduler_t *self,
                                       bb_fake_store_mode_t mode)
{
    assert (self);
    self->store_mode = mode;
}

bb_envelope_t *
bb_fake_scheduler_take_batch (bb_fake_scheduler_t *self)
{
    assert (self);
    return zlistx_detach (self->batches, NULL);
}

size_t
bb_fake_scheduler_batches (bb_fake_scheduler_t *self)
{
    return self->batch_count;
}

size_t
bb_fake_scheduler_token_queries (bb_fake_scheduler_t *self)
{
    return self->token_queries;
}

size_t
bb_fake_scheduler_contracts_asked (bb_fake_scheduler_t *self)
{
    return self->contracts_asked;
}

size_t
bb_fake_scheduler_heartbeats (bb_fake_scheduler_t *self)
{
    return self->heartbeats;
}

size_t
bb_fake_scheduler_busy_heartbeats (bb_fake_scheduler_t *self)
{
    return self->busy_heartbeats;
}

size_t
bb_fake_scheduler_readies (bb_fake_scheduler_t *self)
{
    return self->readies;
}

void
bb_fake_scheduler_forget_tokens (bb_fake_scheduler_t *self)
{
    zhashx_purge (self->tokens);
}

size_t
bb_fake_scheduler_tokens (bb_fake_scheduler_t *self)
{
    return zhashx_size (self->tokens);
}

void
bb_fake_scheduler_set_silent (bb_fake_scheduler_t *self,
                              bool silent)
{
    assert (self);
    self->silent = silent;
}

const char *
bb_fake_scheduler_ready_busy (bb_fake_scheduler_t *self)
{
    assert (self);
    return self->ready_busy;
}
