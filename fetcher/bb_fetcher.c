/*  =========================================================================
    bb_fetcher - the fetcher actor: sockets, heartbeats, one job at a time

    Layers: sockets and sending; the job's store exchanges (token query,
    batch, report); receiving; timers; the actor loop.

    ZMQ_FD is edge-triggered, so after every wake-up each socket is read
    until ZMQ_EVENTS shows nothing more; the poll timeout is short as a
    second guard, never infinite.
    =========================================================================
*/
#include "bb_fetcher.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "bb_actor.h"
#include "bb_fetch_job.h"
#include "bb_ids.h"
#include "bb_log.h"
#include "bb_registry_job.h"
#include "bb_token_cache.h"
#include "bb_wire.h"

#define LIVENESS            3       // intervals a silent scheduler gets
#define RECONNECT_MAX_MS    32000   // cap of the reconnect backoff
#define POLL_MAX_MS         100     // longest single wait
#define STORE_RESERVE_MS    1000    // of the job's time, for the store
#define STORE_RESERVE_DIV   5       // ... but at most a fifth of it
#define TOKENS_TIMEOUT_MS   1000    // wait for a TokenMetaReply
#define ACK_TIMEOUT_MS      2000    // wait for a BatchAck, per send
#define ACK_SENDS           3       // sends of one batch
#define PART_TIMEOUT_MS     5000    // wait for a snapshot part's reply
                                    // (the last one's applies it all)
#define REFUSED_RETRY_MS    1000    // resend a batch the store refused
#define JOB_AGENTS_MAX      10000   // larger jobs are refused
#define DETAIL_SIZE         256

typedef struct {
    const bb_fetcher_config_t *config;
    zsock_t *pipe;                  // to the caller
    zsock_t *jobs;                  // DEALER to the scheduler
    zsock_t *ingest;                // DEALER to the store
    bb_http_t *http;
    bb_token_cache_t *tokens;
    bb_fetch_context_t context;     // what jobs share
    bb_fetch_job_t *job;            // the chunk job being run, or NULL
    bb_registry_job_t *sync;        // the registry job being run, or NULL
    size_t sync_part;               // the snapshot part sent last
    int64_t job_end_ms;             // its deadline, monotonic
    uint64_t request_id;            // last request id on ingest
    bool tokens_asked;              // TokenMetaQuery sent for the job
    bool batch_sent;                // BalanceBatch (or snapshot part)
                                    // sent for the job
    int ack_sends;                  // sends of the batch (part) so far
    int64_t reply_until_ms;         // give up waiting for the store
    int64_t resend_at_ms;           // resend the refused batch; 0 = none
    int64_t heartbeat_at_ms;        // next heartbeat to send
    int64_t scheduler_expiry_ms;    // scheduler dead after this
    long reconnect_ms;              // wait before the next reconnect
    bool terminated;                // $TERM came
    const char *failed;             // why it cannot go on, NULL while ok
} self_t;

//  ---------------------------------------------------------------------
//  Sockets and sending

//  The fetcher cannot go on: its loop ends and the actor reports why.
static void
s_fail (self_t *self, const char *why)
{
    self->failed = why;
}

static void
s_send (self_t *self, zsock_t *socket, Balboard__Envelope__BodyCase body,
        void *message, uint64_t request_id)
{
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.request_id = request_id;
    envelope.body_case = body;
    //  Every body is a pointer in the same union.
    envelope.fetcher_ready = message;
    if (bb_wire_send (socket, NULL, &envelope))
        bb_warn ("send_failed", "body=%s", bb_wire_body_name (body));
}

//  The job being run, "" when idle.
static const char *
s_busy_job_id (self_t *self)
{
    return self->job ? bb_fetch_job_id (self->job)
         : self->sync ? bb_registry_job_id (self->sync) : "";
}

static void
s_send_ready (self_t *self)
{
    Balboard__FetcherReady ready = BALBOARD__FETCHER_READY__INIT;
    ready.fetcher_id = (char *) self->config->fetcher_id;
    ready.max_concurrency = self->config->hiro_concurrency
                          + self->config->mempool_concurrency
                          + self->config->price_concurrency;
    //  After a reconnect mid-job the scheduler must not give the job away
    ready.busy_job_id = (char *) s_busy_job_id (self);
    s_send (self, self->jobs, BALBOARD__ENVELOPE__BODY_FETCHER_READY,
            &ready, 0);
}

static void
s_send_heartbeat (self_t *self)
{
    Balboard__FetcherHeartbeat heartbeat = BALBOARD__FETCHER_HEARTBEAT__INIT;
    heartbeat.fetcher_id = (char *) self->config->fetcher_id;
    heartbeat.busy_job_id = (char *) s_busy_job_id (self);
    //  What the job met so far: an upstream in trouble shows at once
    if (self->job)
        heartbeat.upstreams = (Balboard__UpstreamReport **)
            bb_fetch_job_progress (self->job, &heartbeat.n_upstreams);
    if (self->sync)
        heartbeat.upstreams = (Balboard__UpstreamReport **)
            bb_registry_job_progress (self->sync, &heartbeat.n_upstreams);
    s_send (self, self->jobs, BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT,
            &heartbeat, 0);
}

//  Replace *socket_p by a new DEALER connected to endpoint. Returns 0 or
//  -1 (*socket_p NULL).
static int
s_dealer_connect (zsock_t **socket_p, const char *endpoint,
                  bb_curve_t *curve)
{
    zsock_destroy (socket_p);
    char attach [512];
    snprintf (attach, sizeof attach, ">%s", endpoint);
    *socket_p = bb_curve_socket_new (curve, ZMQ_DEALER, attach, NULL);
    return *socket_p ? 0 : -1;
}

//  (Re)create the jobs socket and announce ourselves.
static int
s_jobs_connect (self_t *self)
{
    if (s_dealer_connect (&self->jobs, self->config->scheduler_jobs,
                          self->config->scheduler_curve))
        return -1;
    s_send_ready (self);
    return 0;
}

static int
s_ingest_connect (self_t *self)
{
    return s_dealer_connect (&self->ingest, self->config->store_ingest,
                             self->config->store_curve);
}

//  ---------------------------------------------------------------------
//  The job's exchanges with the store and the scheduler

static void
s_job_finish (self_t *self, Balboard__AckStatus status, const char *detail)
{
    const Balboard__JobReport *report =
        bb_fetch_job_report (self->job, status, detail);
    s_send (self, self->jobs, BALBOARD__ENVELOPE__BODY_JOB_REPORT,
            (void *) report, 0);
    char quoted [DETAIL_SIZE * 2];
    bb_info ("job_done", "job=%s attempt=%u agents_ok=%u agents_failed=%u "
             "store=%d detail=%s", report->job_id, report->attempt,
             report->agents_ok, report->agents_failed, (int) status,
             bb_log_quote (report->detail, quoted, sizeof quoted));
    bb_fetch_job_destroy (&self->job);
    self->tokens_asked = false;
    self->batch_sent = false;
    self->resend_at_ms = 0;
}

//  A job we will not run: answer at once so the scheduler can move on.
static void
s_job_refuse (self_t *self, const Balboard__ChunkJob *chunk,
              const char *detail)
{
    Balboard__JobReport report = BALBOARD__JOB_REPORT__INIT;
    report.job_id = chunk->job_id;
    report.attempt = chunk->attempt;
    report.fetcher_id = (char *) self->config->fetcher_id;
    report.agents_failed = (uint32_t) chunk->n_agents;
    report.detail = (char *) detail;
    s_send (self, self->jobs, BALBOARD__ENVELOPE__BODY_JOB_REPORT, &report,
            0);
    bb_warn ("job_refused", "job=%s reason=\"%s\"", chunk->job_id, detail);
}

static void
s_ask_tokens (self_t *self)
{
    size_t count;
    const char *const *contracts = bb_fetch_job_unknown (self->job, &count);
    Balboard__TokenMetaQuery query = BALBOARD__TOKEN_META_QUERY__INIT;
    query.n_contracts = count;
    query.contracts = (char **) contracts;
    s_send (self, self->ingest, BALBOARD__ENVELOPE__BODY_TOKEN_META_QUERY,
            &query, ++self->request_id);
    self->tokens_asked = true;
    self->reply_until_ms = zclock_mono () + TOKENS_TIMEOUT_MS;
    if (self->reply_until_ms > self->job_end_ms)
        self->reply_until_ms = self->job_end_ms;
}

static void
s_send_batch (self_t *self)
{
    const Balboard__BalanceBatch *batch = bb_fetch_job_batch (self->job);
    if (!self->batch_sent)
        self->request_id++;
    s_send (self, self->ingest, BALBOARD__ENVELOPE__BODY_BALANCE_BATCH,
            (void *) batch, self->request_id);
    self->batch_sent = true;
    self->ack_sends++;
    self->resend_at_ms = 0;
    self->reply_until_ms = zclock_mono () + ACK_TIMEOUT_MS;
}

//  ---------------------------------------------------------------------
//  The registry job's exchanges: the snapshot parts go to the store in
//  order, each waiting for its reply and resent as the batch is (Lazy
//  Pirate); the last part's reply goes to the scheduler in the JobReport.

static void
s_sync_finish (self_t *self, const Balboard__RegistrySyncReport *reply,
               const char *failure)
{
    const Balboard__JobReport *report =
        bb_registry_job_report (self->sync, reply, failure);
    s_send (self, self->jobs, BALBOARD__ENVELOPE__BODY_JOB_REPORT,
            (void *) report, 0);
    char quoted [DETAIL_SIZE * 2];
    bb_info ("job_done", "job=%s attempt=%u agents_ok=%u agents_failed=%u "
             "detail=%s", report->job_id, report->attempt, report->agents_ok,
             report->agents_failed,
             bb_log_quote (report->detail, quoted, sizeof quoted));
    bb_registry_job_destroy (&self->sync);
    self->batch_sent = false;
}

//  Send snapshot part (again, with the same request id, if it is the
//  part out).
static void
s_send_part (self_t *self, size_t part)
{
    if (!self->batch_sent || part != self->sync_part) {
        self->request_id++;
        self->ack_sends = 0;
    }
    self->sync_part = part;
    s_send (self, self->ingest, BALBOARD__ENVELOPE__BODY_REGISTRY_SNAPSHOT,
            (void *) bb_registry_job_part (self->sync, part),
            self->request_id);
    self->batch_sent = true;
    self->ack_sends++;
    self->reply_until_ms = zclock_mono () + PART_TIMEOUT_MS;
}

static void
s_on_sync_reply (self_t *self, bb_envelope_t *envelope)
{
    if (envelope->body_case == BALBOARD__ENVELOPE__BODY_ERROR) {
        char detail [DETAIL_SIZE];
        snprintf (detail, sizeof detail, "store: error %d: %s",
                  (int) envelope->error->code,
                  envelope->error->reason ? envelope->error->reason : "");
        s_sync_finish (self, NULL, detail);
        return;
    }
    const Balboard__RegistrySyncReport *reply =
        envelope->registry_sync_report;
    size_t next = self->sync_part + 1;
    if (reply->outcome == BALBOARD__SYNC_OUTCOME__SYNC_PART_KEPT
    &&  next < bb_registry_job_parts (self->sync))
        s_send_part (self, next);
    else
        s_sync_finish (self, reply, NULL);
}

//  The store did not answer a part in time.
static void
s_sync_timeout (self_t *self)
{
    bb_warn ("store_silent", "job=%s waiting=registry_sync_report part=%zu "
             "sends=%d", bb_registry_job_id (self->sync), self->sync_part,
             self->ack_sends);
    if (s_ingest_connect (self)) {
        s_fail (self, "cannot recreate the ingest socket");
        return;
    }
    if (self->ack_sends < ACK_SENDS)
        s_send_part (self, self->sync_part);
    else
        s_sync_finish (self, NULL, "the store did not answer the snapshot");
}

//  Move the job along its exchanges, as far as it can go now.
static void
s_job_progress (self_t *self)
{
    if (self->sync && bb_registry_job_done (self->sync) && !self->batch_sent)
        s_send_part (self, 0);
    if (!self->job)
        return;
    bb_fetch_job_state_t state = bb_fetch_job_state (self->job);
    if (state == BB_FETCH_JOB_NEED_TOKENS && !self->tokens_asked)
        s_ask_tokens (self);
    else
    if (state == BB_FETCH_JOB_DONE && !self->batch_sent) {
        self->ack_sends = 0;
        s_send_batch (self);
    }
}

//  The store did not answer in time.
static void
s_store_timeout (self_t *self)
{
    bb_fetch_job_state_t state = bb_fetch_job_state (self->job);
    if (state == BB_FETCH_JOB_NEED_TOKENS) {
        bb_warn ("store_silent", "job=%s waiting=token_meta_reply",
                 bb_fetch_job_id (self->job));
        bb_fetch_job_tokens_known (self->job, NULL);
        return;
    }
    assert (state == BB_FETCH_JOB_DONE && self->batch_sent);
    bb_warn ("store_silent", "job=%s waiting=batch_ack sends=%d",
             bb_fetch_job_id (self->job), self->ack_sends);
    //  Lazy Pirate: a fresh socket, then the same request again.
    if (s_ingest_connect (self)) {
        s_fail (self, "cannot recreate the ingest socket");
        return;
    }
    if (self->ack_sends < ACK_SENDS)
        s_send_batch (self);
    else
        s_job_finish (self, BALBOARD__ACK_STATUS__ACK_STATUS_UNSPECIFIED,
                      "did not acknowledge the batch");
}

//  ---------------------------------------------------------------------
//  Receiving

//  True if a job with job_id may start now; logs why not.
static bool
s_job_acceptable (self_t *self, const char *job_id)
{
    char quoted [2 * BB_JOB_ID_SIZE];
    if (!bb_job_id_valid (job_id)) {
        bb_warn ("job_ignored", "job=%s reason=\"not a job id\"",
                 bb_log_quote (job_id ? job_id : "", quoted, sizeof quoted));
        return false;
    }
    if (self->job || self->sync) {
        bb_warn ("job_ignored", "job=%s reason=\"busy with %s\"", job_id,
                 s_busy_job_id (self));
        return false;
    }
    return true;
}

//  The job's I/O deadline (monotonic) for left ms from now: a reserve of
//  it is kept for the store. Sets the job's end.
static int64_t
s_job_deadline (self_t *self, int64_t left)
{
    int64_t reserve = left / STORE_RESERVE_DIV < STORE_RESERVE_MS
                    ? left / STORE_RESERVE_DIV : STORE_RESERVE_MS;
    int64_t now = zclock_mono ();
    self->job_end_ms = now + left;
    return now + left - reserve;
}

//  A registry job we will not run: answer at once.
static void
s_registry_refuse (self_t *self, const Balboard__RegistryJob *job,
                   const char *detail)
{
    Balboard__JobReport *report = bb_registry_job_refusal (
        job, self->config->fetcher_id, detail);
    s_send (self, self->jobs, BALBOARD__ENVELOPE__BODY_JOB_REPORT, report, 0);
    balboard__job_report__free_unpacked (report, NULL);
    bb_warn ("job_refused", "job=%s reason=\"%s\"", job->job_id, detail);
}

static void
s_on_registry_job (self_t *self, const Balboard__RegistryJob *job)
{
    int64_t left = (int64_t) job->deadline_ms - zclock_time ();
    if (!s_job_acceptable (self, job->job_id))
        return;
    if (!job->url || !*job->url)
        s_registry_refuse (self, job, "no registry URL");
    else
    if (left <= 0)
        s_registry_refuse (self, job,
                           "deadline passed before the job started");
    else {
        self->sync = bb_registry_job_new (job, self->http,
                                          self->config->network,
                                          self->config->fetcher_id,
                                          s_job_deadline (self, left));
        char quoted [512];
        bb_info ("job_started", "job=%s attempt=%u registry=%s "
                 "page_limit=%u requests_max=%u deadline_in_ms=%lld",
                 job->job_id, job->attempt,
                 bb_log_quote (job->source ? job->source : "", quoted,
                               sizeof quoted),
                 job->page_limit, job->requests_max, (long long) left);
    }
}

static void
s_on_chunk_job (self_t *self, const Balboard__ChunkJob *chunk)
{
    int64_t left = (int64_t) chunk->deadline_ms - zclock_time ();
    if (!s_job_acceptable (self, chunk->job_id))
        return;
    if (chunk->n_agents > JOB_AGENTS_MAX)
        s_job_refuse (self, chunk, "too many agents in one job");
    else
    if (left <= 0)
        s_job_refuse (self, chunk, "deadline passed before the job started");
    else {
        self->job = bb_fetch_job_new (chunk, &self->context,
                                      s_job_deadline (self, left));
        bb_info ("job_started", "job=%s attempt=%u agents=%zu prices=%s "
                 "deadline_in_ms=%lld", chunk->job_id, chunk->attempt,
                 chunk->n_agents, chunk->fetch_prices ? "yes" : "no",
                 (long long) left);
    }
}

static void
s_scheduler_heard (self_t *self)
{
    self->scheduler_expiry_ms = zclock_mono ()
                              + LIVENESS * self->config->heartbeat_ms;
    self->reconnect_ms = self->config->heartbeat_ms;
}

static void
s_on_jobs_message (self_t *self, bb_wire_msg_t *msg, bb_wire_result_t rc)
{
    if (rc == BB_WIRE_BAD_FRAME) {
        bb_wire_reject (self->jobs, "jobs", msg);
        return;
    }
    s_scheduler_heard (self);
    bb_envelope_t *envelope = msg->envelope;
    if (envelope->body_case == BALBOARD__ENVELOPE__BODY_CHUNK_JOB)
        s_on_chunk_job (self, envelope->chunk_job);
    else
    if (envelope->body_case == BALBOARD__ENVELOPE__BODY_REGISTRY_JOB)
        s_on_registry_job (self, envelope->registry_job);
    else
    if (envelope->body_case != BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT)
        bb_wire_reject (self->jobs, "jobs", msg);
}

static void
s_on_batch_ack (self_t *self, const Balboard__BatchAck *ack)
{
    char detail [DETAIL_SIZE] = "";
    if (ack->status == BALBOARD__ACK_STATUS__ACK_REJECTED)
        snprintf (detail, sizeof detail, "rejected: %s",
                  ack->reason ? ack->reason : "");
    s_job_finish (self, ack->status, detail [0] ? detail : NULL);
}

//  The store refused the batch. Full or unavailable: nothing was applied,
//  so the fetcher keeps the batch and sends it again every
//  REFUSED_RETRY_MS while the job's time lasts, then reports the job not
//  acked, so it goes again; anything else says the batch is bad:
//  rejected, as an ack would say.
static void
s_on_batch_error (self_t *self, const Balboard__ErrorReply *error)
{
    char detail [DETAIL_SIZE], quoted [DETAIL_SIZE * 2];
    snprintf (detail, sizeof detail, "error %d: %s", (int) error->code,
              error->reason ? error->reason : "");
    bool retry =
        error->code == BALBOARD__ERROR_REPLY__CODE__RESOURCE_EXHAUSTED
     || error->code == BALBOARD__ERROR_REPLY__CODE__UNAVAILABLE;
    int64_t resend_at = zclock_mono () + REFUSED_RETRY_MS;
    if (retry && resend_at < self->job_end_ms) {
        bb_warn ("batch_refused", "job=%s detail=%s resend_in_ms=%d",
                 bb_fetch_job_id (self->job),
                 bb_log_quote (detail, quoted, sizeof quoted),
                 REFUSED_RETRY_MS);
        self->resend_at_ms = resend_at;
        return;
    }
    s_job_finish (self, retry ? BALBOARD__ACK_STATUS__ACK_STATUS_UNSPECIFIED
                              : BALBOARD__ACK_STATUS__ACK_REJECTED, detail);
}

static void
s_on_ingest_message (self_t *self, bb_envelope_t *envelope)
{
    Balboard__Envelope__BodyCase body = envelope->body_case;
    if (self->sync && self->batch_sent
    &&  envelope->request_id == self->request_id
    &&  (body == BALBOARD__ENVELOPE__BODY_REGISTRY_SYNC_REPORT
      || body == BALBOARD__ENVELOPE__BODY_ERROR)) {
        s_on_sync_reply (self, envelope);
        return;
    }
    bool ours = self->job && envelope->request_id == self->request_id;
    bb_fetch_job_state_t state = ours ? bb_fetch_job_state (self->job)
                                      : BB_FETCH_JOB_FETCHING;
    if (state == BB_FETCH_JOB_NEED_TOKENS && self->tokens_asked
    &&  (body == BALBOARD__ENVELOPE__BODY_TOKEN_META_REPLY
      || body == BALBOARD__ENVELOPE__BODY_ERROR))
        bb_fetch_job_tokens_known (
            self->job, body == BALBOARD__ENVELOPE__BODY_TOKEN_META_REPLY
                       ? envelope->token_meta_reply : NULL);
    else
    if (state == BB_FETCH_JOB_DONE && self->batch_sent
    &&  body == BALBOARD__ENVELOPE__BODY_BATCH_ACK)
        s_on_batch_ack (self, envelope->batch_ack);
    else
    if (state == BB_FETCH_JOB_DONE && self->batch_sent
    &&  body == BALBOARD__ENVELOPE__BODY_ERROR)
        s_on_batch_error (self, envelope->error);
    else
        bb_debug ("reply_dropped", "socket=ingest body=%s request_id=%llu",
                  bb_wire_body_name (body),
                  (unsigned long long) envelope->request_id);
}

//  Read every message socket holds now.
static void
s_drain (self_t *self, zsock_t **socket_p, bool jobs)
{
    bb_wire_msg_t msg = { 0 };
    while (*socket_p && (zsock_events (*socket_p) & ZMQ_POLLIN)) {
        bb_wire_result_t rc = bb_wire_recv (*socket_p, &msg);
        if (rc == BB_WIRE_INTERRUPTED)
            break;
        if (jobs)
            s_on_jobs_message (self, &msg, rc);
        else
        if (rc == BB_WIRE_OK)
            s_on_ingest_message (self, msg.envelope);
        else
            bb_wire_reject (*socket_p, "ingest", &msg);
    }
    bb_wire_msg_reset (&msg);
}

//  ---------------------------------------------------------------------
//  Timers

//  True while the job waits for a reply of the store.
static bool
s_waiting_store (self_t *self)
{
    if (self->sync)
        return self->batch_sent;
    if (!self->job || self->resend_at_ms)
        return false;
    bb_fetch_job_state_t state = bb_fetch_job_state (self->job);
    return (state == BB_FETCH_JOB_DONE && self->batch_sent)
        || (state == BB_FETCH_JOB_NEED_TOKENS && self->tokens_asked);
}

static void
s_timers (self_t *self)
{
    int64_t now = zclock_mono ();
    if (now >= self->heartbeat_at_ms) {
        s_send_heartbeat (self);
        self->heartbeat_at_ms = now + self->config->heartbeat_ms;
    }
    if (now >= self->scheduler_expiry_ms) {
        bb_warn ("scheduler_silent", "endpoint=%s reconnect_in_ms=%ld",
                 self->config->scheduler_jobs, self->reconnect_ms);
        if (s_jobs_connect (self)) {
            s_fail (self, "cannot recreate the jobs socket");
            return;
        }
        long wait = self->reconnect_ms;
        if (wait < LIVENESS * self->config->heartbeat_ms)
            wait = LIVENESS * self->config->heartbeat_ms;
        self->scheduler_expiry_ms = now + wait;
        self->reconnect_ms = self->reconnect_ms * 2 < RECONNECT_MAX_MS
                           ? self->reconnect_ms * 2 : RECONNECT_MAX_MS;
    }
    if (s_waiting_store (self) && now >= self->reply_until_ms) {
        if (self->sync)
            s_sync_timeout (self);
        else
            s_store_timeout (self);
    }
    if (self->resend_at_ms && now >= self->resend_at_ms) {
        self->ack_sends = 0;
        s_send_batch (self);
    }
}

static int
s_poll_timeout (self_t *self)
{
    //  A send may have taken the edge of ZMQ_FD for a message that came
    //  meanwhile: do not sleep on one that is already waiting.
    if ((zsock_events (self->jobs) & ZMQ_POLLIN)
    ||  (zsock_events (self->ingest) & ZMQ_POLLIN))
        return 0;
    int64_t now = zclock_mono ();
    int64_t next = self->heartbeat_at_ms;
    if (self->scheduler_expiry_ms < next)
        next = self->scheduler_expiry_ms;
    if (s_waiting_store (self) && self->reply_until_ms < next)
        next = self->reply_until_ms;
    if (self->resend_at_ms && self->resend_at_ms < next)
        next = self->resend_at_ms;
    int64_t wait = next - now;
    return wait < 0 ? 0 : wait > POLL_MAX_MS ? POLL_MAX_MS : (int) wait;
}

//  ---------------------------------------------------------------------
//  The actor

static int
s_init (self_t *self)
{
    const bb_fetcher_config_t *config = self->config;
    self->http = bb_http_new (&config->http);
    if (!self->http)
        return -1;
    bb_http_set_lane_limit (self->http, BB_UPSTREAM_HIRO,
                            config->hiro_concurrency);
    bb_http_set_lane_limit (self->http, BB_UPSTREAM_MEMPOOL,
                            config->mempool_concurrency);
    bb_http_set_lane_limit (self->http, BB_UPSTREAM_PRICE,
                            config->price_concurrency);
    bb_http_add_lane_header (self->http, BB_UPSTREAM_REGISTRY,
                             "Accept: application/json");
    bb_http_hide_lane_urls (self->http, BB_UPSTREAM_REGISTRY);
    bb_http_add_lane_header (self->http, BB_UPSTREAM_HIRO,
                             "Accept: application/json");
    if (config->hiro_api_key && *config->hiro_api_key) {
        char *header = zsys_sprintf ("x-api-key: %s", config->hiro_api_key);
        bb_http_add_lane_header (self->http, BB_UPSTREAM_HIRO, header);
        zstr_free (&header);
    }
    self->tokens = bb_token_cache_new ();
    self->context = (bb_fetch_context_t) {
        .http = self->http,
        .tokens = self->tokens,
        .fetcher_id = config->fetcher_id,
        .hiro_base = config->hiro_base,
        .mempool_base = config->mempool_base,
        .price_url = config->price_url,
        .network = config->network,
        .hiro_window = config->hiro_concurrency,
        .pending_retry_ms = config->token_pending_retry_ms,
    };
    if (s_ingest_connect (self) || s_jobs_connect (self))
        return -1;
    s_scheduler_heard (self);
    self->heartbeat_at_ms = zclock_mono () + config->heartbeat_ms;
    return 0;
}

static void
s_run (self_t *self)
{
    while (!self->terminated && !self->failed) {
        int fds [3] = {
            zsock_fd (self->pipe), zsock_fd (self->jobs),
            zsock_fd (self->ingest)
        };
        if (bb_http_poll (self->http, fds, 3, s_poll_timeout (self))) {
            s_fail (self, "libcurl multi interface failed");
            return;
        }
        if (bb_actor_pipe_term (self->pipe)) {
            self->terminated = true;
            break;
        }
        s_drain (self, &self->jobs, true);
        s_drain (self, &self->ingest, false);
        s_job_progress (self);
        s_timers (self);
        if (!self->failed)
            s_job_progress (self);
    }
}

static void
s_self_destroy (self_t *self)
{
    if (self->job)
        bb_info ("job_abandoned", "job=%s reason=stopping",
                 bb_fetch_job_id (self->job));
    if (self->sync)
        bb_info ("job_abandoned", "job=%s reason=stopping",
                 bb_registry_job_id (self->sync));
    bb_fetch_job_destroy (&self->job);
    bb_registry_job_destroy (&self->sync);
    bb_http_destroy (&self->http);
    bb_token_cache_destroy (&self->tokens);
    zsock_destroy (&self->jobs);
    zsock_destroy (&self->ingest);
}

void
bb_fetcher_actor (zsock_t *pipe, void *args)
{
    self_t self = {
        .config = args,
        .pipe = pipe,
    };
    if (s_init (&self)) {
        s_self_destroy (&self);
        bb_actor_failed (pipe, "cannot create sockets or the HTTP engine");
        return;
    }
    bb_actor_ready (pipe);
    bb_info ("fetcher_started", "id=%s scheduler=%s store=%s "
             "hiro_concurrency=%u mempool_concurrency=%u api_key=%s",
             self.config->fetcher_id, self.config->scheduler_jobs,
             self.config->store_ingest, self.config->hiro_concurrency,
             self.config->mempool_concurrency,
             self.config->hiro_api_key && *self.config->hiro_api_key
                 ? "set" : "unset");
    s_run (&self);
    s_self_destroy (&self);
    bb_info ("fetcher_stopped", "id=%s", self.config->fetcher_id);
    bb_actor_end (pipe, self.terminated, self.failed);
}
