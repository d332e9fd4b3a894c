/*  =========================================================================
    bb_ingest - the ingest actor: the store's only write path

    Owns the ingest socket, the round of messages being applied and the
    retention sweep. A round is: receive (up to BB_INGEST_ROUND_MAX
    messages or BB_INGEST_ROUND_WEIGHT rows), apply each in a nested txn,
    write the counters, commit, send the change set, send the replies.
    Every commit of the process goes through s_commit, which bumps
    commit_seq and sends a change set: the query actor relies on seeing
    one change set per commit. It also hands bb_events the state the
    dashboard shows, read in the same txn.

    Applying a round again after a map resize is safe because nothing of
    a round leaves the actor before its commit: replies, counters and the
    change set are rebuilt from the messages on every attempt.
    =========================================================================
*/
#include "bb_ingest.h"
#include "bb_actor.h"
#include "bb_batch.h"
#include "bb_changes.h"
#include "bb_envelope.h"
#include "bb_events.h"
#include "bb_log.h"
#include "bb_pb.h"
#include "bb_query.h"
#include "bb_registry.h"
#include "bb_retention.h"
#include "bb_service.h"
#include "bb_sync.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

//  Most messages and most rows (balances + agents) in one round.
#define BB_INGEST_ROUND_MAX         64
#define BB_INGEST_ROUND_WEIGHT      50000
//  How long a map resize waits for the query actor to pause.
#define BB_INGEST_PAUSE_WAIT_MS     10000
//  Retention: timer tick and history points examined per step.
#define BB_RETENTION_TICK_MS        100
#define BB_RETENTION_STEP_POINTS    10000

//  One message of a round and the reply it will get.
typedef struct {
    bb_wire_msg_t msg;          // peer and request
    bb_envelope_t *reply;       // built by the round, sent after commit
} item_t;

typedef struct {
    bb_service_t service;       // ingest socket, PAIR to the query actor
    bb_curve_t *curve;          // CURVE roles on it; NULL without keys
    bb_db_t *db;                // shared environment, borrowed
    bb_network_t network;
    bb_changes_t *round;        // what the current commit changes
    bb_events_t *events;        // the events socket; NULL if unbound
    bb_retention_t *retention;
    int64_t retention_interval_ms;
    int64_t next_pass_ms;       // monotonic start of the next pass
    size_t pass_deleted;        // history points deleted this pass
    uint64_t pause_token;       // matches PAUSED to its PAUSE
    size_t refused_full;        // items of the round refused "store full"
    item_t items [BB_INGEST_ROUND_MAX];
    size_t count;               // items in the round
} self_t;

//  ===========================================================================
//  Replies

//  Replace the reply of item by a failure nothing of which was applied:
//  RESOURCE_EXHAUSTED "store full" for a map at its maximum or a volume
//  out of space, UNAVAILABLE with the LMDB error otherwise. Both tell the
//  sender to try again later (a fetcher sends the batch again), never
//  that the message was bad. Counts a refusal for a full store in the
//  round's refused_full.
static void
s_failure_reply (self_t *self, item_t *item, int rc)
{
    char reason [BB_REASON_SIZE];
    Balboard__ErrorReply__Code code =
        BALBOARD__ERROR_REPLY__CODE__UNAVAILABLE;
    const char *full = bb_db_full_reason (self->db, rc);
    if (full) {
        code = BALBOARD__ERROR_REPLY__CODE__RESOURCE_EXHAUSTED;
        snprintf (reason, sizeof reason, "%s", full);
        self->refused_full++;
    }
    else
        snprintf (reason, sizeof reason, "store error: %s",
                  mdb_strerror (rc));
    bb_wire_envelope_destroy (&item->reply);
    item->reply = bb_pb_error (item->msg.envelope->request_id, code, reason);
}

//  ===========================================================================
//  Applying one message

static int
s_apply_batch (bb_write_t *write, const bb_envelope_t *request,
               bb_envelope_t **reply_p, bool *keep)
{
    const Balboard__BalanceBatch *batch = request->balance_batch;
    Balboard__BatchAck *ack = bb_pb_new (&balboard__batch_ack__descriptor);
    *reply_p = bb_envelope_new (request->request_id, ack);
    char reason [BB_REASON_SIZE];
    if (bb_batch_validate (batch, write->network, reason, sizeof reason)) {
        char job [BB_REASON_SIZE], quoted [BB_REASON_SIZE + 8];
        bb_warn ("batch_rejected", "job_id=%s attempt=%u reason=%s",
                 bb_log_quote (batch->job_id, job, sizeof job),
                 batch->attempt,
                 bb_log_quote (reason, quoted, sizeof quoted));
        ack->status = BALBOARD__ACK_STATUS__ACK_REJECTED;
        ack->reason = bb_pb_strdup (reason);
        ack->job_id = bb_pb_strdup (batch->job_id);
        ack->attempt = batch->attempt;
        *keep = false;
        return 0;
    }
    *keep = true;
    return bb_batch_apply (write, batch, ack);
}

static int
s_apply_prices (bb_write_t *write, const bb_envelope_t *request,
                bb_envelope_t **reply_p, bool *keep)
{
    Balboard__BatchAck *ack = bb_pb_new (&balboard__batch_ack__descriptor);
    *reply_p = bb_envelope_new (request->request_id, ack);
    char reason [BB_REASON_SIZE];
    if (bb_batch_validate_prices (request->price_snapshot, reason,
                                  sizeof reason)) {
        ack->status = BALBOARD__ACK_STATUS__ACK_REJECTED;
        ack->reason = bb_pb_strdup (reason);
        *keep = false;
        return 0;
    }
    *keep = true;
    return bb_batch_apply_prices (write, request->price_snapshot, ack);
}

//  TokenMetaQuery: the metadata held for the listed contracts.
static int
s_token_meta (bb_write_t *write, const bb_envelope_t *request,
              bb_envelope_t **reply_p)
{
    Balboard__TokenMetaReply *reply =
        bb_pb_new (&balboard__token_meta_reply__descriptor);
    *reply_p = bb_envelope_new (request->request_id, reply);
    const Balboard__TokenMetaQuery *query = request->token_meta_query;
    int rc = 0;
    for (size_t i = 0; i < query->n_contracts && rc == 0; i++) {
        const char *contract = query->contracts [i];
        size_t length = contract ? strlen (contract) : 0;
        if (length == 0 || length >= BB_TOKEN_ID_SIZE)
            continue;
        bb_token_rec_t token;
        rc = bb_record_token_get (write->db, write->txn, contract, &token);
        if (rc == MDB_NOTFOUND) {
            rc = 0;
            continue;
        }
        if (rc)
            break;
        Balboard__TokenMeta *meta =
            bb_pb_new (&balboard__token_meta__descriptor);
        meta->contract = bb_pb_strdup (contract);
        meta->symbol = bb_pb_strdup (token.symbol);
        meta->decimals = token.decimals;
        meta->known = token.known;
        BB_PB_PUSH (reply->known, reply->n_known, meta);
    }
    return rc;
}

//  AgentUpsert or AgentRemove: one AgentAck for all the agents.
static int
s_apply_agents (bb_write_t *write, const bb_envelope_t *request,
                bb_envelope_t **reply_p, bool *keep)
{
    Balboard__AgentAck *ack = bb_pb_new (&balboard__agent_ack__descriptor);
    *reply_p = bb_envelope_new (request->request_id, ack);
    *keep = true;
    if (request->body_case == BALBOARD__ENVELOPE__BODY_AGENT_UPSERT)
        return bb_registry_upsert (write, request->agent_upsert, ack);
    return bb_registry_remove (write, request->agent_remove, ack);
}

//  RegistrySnapshot: one part kept, or the whole snapshot applied; a
//  part out of order is refused with BAD_REQUEST.
static int
s_apply_sync (bb_write_t *write, const bb_envelope_t *request,
              bb_envelope_t **reply_p, bool *keep)
{
    Balboard__RegistrySyncReport *report;
    char reason [BB_REASON_SIZE];
    int rc = bb_sync_part (write, request->registry_snapshot, &report, keep,
                           reason, sizeof reason);
    if (report)
        *reply_p = bb_envelope_new (request->request_id, report);
    else
    if (rc == 0) {
        char quoted [BB_REASON_SIZE + 8];
        bb_warn ("sync_part_refused", "reason=%s",
                 bb_log_quote (reason, quoted, sizeof quoted));
        *reply_p = bb_pb_error (request->request_id,
                                BALBOARD__ERROR_REPLY__CODE__BAD_REQUEST,
                                reason);
    }
    return rc;
}

//  Apply the body of item through write and build its reply. Sets *keep
//  when the nested txn is to be committed.
static int
s_apply_body (bb_write_t *write, item_t *item, bool *keep)
{
    const bb_envelope_t *request = item->msg.envelope;
    *keep = false;
    switch (request->body_case) {
        case BALBOARD__ENVELOPE__BODY_BALANCE_BATCH:
            return s_apply_batch (write, request, &item->reply, keep);
        case BALBOARD__ENVELOPE__BODY_PRICE_SNAPSHOT:
            return s_apply_prices (write, request, &item->reply, keep);
        case BALBOARD__ENVELOPE__BODY_TOKEN_META_QUERY:
            return s_token_meta (write, request, &item->reply);
        case BALBOARD__ENVELOPE__BODY_AGENT_UPSERT:
        case BALBOARD__ENVELOPE__BODY_AGENT_REMOVE:
            return s_apply_agents (write, request, &item->reply, keep);
        case BALBOARD__ENVELOPE__BODY_REGISTRY_SNAPSHOT:
            return s_apply_sync (write, request, &item->reply, keep);
        default:
            assert (false);     // s_accept lets no other body in
            return 0;
    }
}

//  Count a balance batch's outcome.
static void
s_count (bb_counters_rec_t *counters, const item_t *item)
{
    if (item->msg.envelope->body_case != BALBOARD__ENVELOPE__BODY_BALANCE_BATCH
    ||  item->reply->body_case != BALBOARD__ENVELOPE__BODY_BATCH_ACK)
        return;
    Balboard__AckStatus status = item->reply->batch_ack->status;
    if (status == BALBOARD__ACK_STATUS__ACK_COMMITTED)
        counters->batches_committed++;
    else
    if (status == BALBOARD__ACK_STATUS__ACK_DUPLICATE)
        counters->batches_duplicate++;
    else
        counters->batches_rejected++;
}

//  Apply item in a nested txn of txn. A failure becomes the item's reply,
//  except MDB_MAP_FULL when the map may still grow: that is returned so
//  the round starts again on a bigger map.
static int
s_apply_item (self_t *self, MDB_txn *txn, bb_counters_rec_t *counters,
              item_t *item, bool may_grow)
{
    bb_wire_envelope_destroy (&item->reply);
    const bb_counters_rec_t saved = *counters;
    size_t mark = bb_changes_mark (self->round);
    MDB_txn *child;
    int rc = bb_db_begin (self->db, txn, 0, &child);
    if (rc == 0) {
        bb_write_t write = {
            self->db, child, self->network, self->round, counters
        };
        bool keep;
        rc = s_apply_body (&write, item, &keep);
        if (rc == 0 && keep)
            rc = mdb_txn_commit (child);
        else
            mdb_txn_abort (child);
        if (rc || !keep) {
            *counters = saved;
            bb_changes_rollback (self->round, mark);
        }
    }
    if (rc == MDB_MAP_FULL && may_grow)
        return rc;
    if (rc) {
        bb_error ("apply_failed", "body=%s error=\"%s\"",
                  bb_wire_body_name (item->msg.envelope->body_case),
                  mdb_strerror (rc));
        s_failure_reply (self, item, rc);
    }
    s_count (counters, item);
    return 0;
}

//  ===========================================================================
//  Commit, map growth, rounds

//  What the dashboard shows after the commit txn is about to make, read
//  from txn into event. Returns 0 or an LMDB error.
static int
s_event_state (self_t *self, MDB_txn *txn, const bb_counters_rec_t *counters,
               Balboard__DashboardEvent *event)
{
    bb_rotation_rec_t rotation;
    bb_rotation_agents_rec_t done;
    bb_prices_rec_t prices;
    int rc = bb_record_rotation_get (self->db, txn, &rotation);
    if (rc == 0)
        rc = bb_record_rotation_agents_get (self->db, txn, &done);
    if (rc == 0)
        rc = bb_record_prices_get (self->db, txn, &prices);
    if (rc)
        return rc;
    balboard__dashboard_event__init (event);
    event->commit_seq = counters->commit_seq;
    event->rotation = rotation.rotation;
    event->rotation_agents = rotation.rotation_agents;
    event->rotation_agents_done =
        done.rotation == rotation.rotation ? done.agents_done : 0;
    event->rotation_chunks_done = rotation.chunks_done;
    event->priced_at_ms = prices.priced_at_ms;
    event->agents = bb_db_entries (self->db, txn, BB_DBI_AGENTS);
    return 0;
}

//  Commit txn with the counters of the commit, then tell the query actor
//  what changed and the events socket what the dashboard shows. Returns
//  0 or the LMDB error (txn is gone either way).
static int
s_commit (self_t *self, MDB_txn *txn, bb_counters_rec_t *counters)
{
    counters->commit_seq++;
    counters->last_commit_ms = (uint64_t) zclock_time ();
    Balboard__DashboardEvent event;
    int rc = bb_record_counters_put (self->db, txn, counters);
    if (rc == 0)
        rc = s_event_state (self, txn, counters, &event);
    if (rc) {
        mdb_txn_abort (txn);
        return rc;
    }
    rc = bb_db_commit (self->db, txn);
    if (rc)
        return rc;
    bb_changes_set_seq (self->round, counters->commit_seq);
    if (bb_changes_send (self->round, self->service.changes))
        bb_error ("changes_send_failed", "seq=%llu",
                  (unsigned long long) counters->commit_seq);
    if (self->events)
        bb_events_commit (self->events, &event);
    return 0;
}

static int
s_apply_round (self_t *self, bool may_grow)
{
    bb_changes_reset (self->round);
    MDB_txn *txn;
    int rc = bb_db_begin (self->db, NULL, 0, &txn);
    if (rc)
        return rc;
    bb_counters_rec_t counters;
    rc = bb_record_counters_get (self->db, txn, &counters);
    for (size_t i = 0; i < self->count && rc == 0; i++)
        rc = s_apply_item (self, txn, &counters, &self->items [i], may_grow);
    if (rc == 0)
        return s_commit (self, txn, &counters);
    mdb_txn_abort (txn);
    return rc;
}

//  Wait for the query actor to confirm PAUSE token. Returns true if it
//  did within the bound.
static bool
s_wait_paused (self_t *self, const char *token)
{
    int64_t deadline = zclock_mono () + BB_INGEST_PAUSE_WAIT_MS;
    while (zclock_mono () < deadline) {
        zmq_pollitem_t item = { zsock_resolve (self->service.changes), 0,
                                ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, deadline - zclock_mono ()) <= 0)
            continue;
        char *command = NULL, *echo = NULL;
        if (zsock_recv (self->service.changes, "ss", &command, &echo))
            continue;
        bool paused = command && echo && streq (command, BB_QUERY_PAUSED)
                   && streq (echo, token);
        zstr_free (&command);
        zstr_free (&echo);
        if (paused)
            return true;
    }
    return false;
}

//  Grow the map with the query actor paused. Returns 0, or -1 if the map
//  is at its maximum or cannot grow (logged).
static int
s_grow (self_t *self)
{
    if (bb_db_map_size (self->db) >= bb_db_map_max (self->db))
        return -1;              // the round's refusals say it, once
    char token [24];
    snprintf (token, sizeof token, "%llu",
              (unsigned long long) ++self->pause_token);
    zsock_send (self->service.changes, "ss", BB_QUERY_PAUSE, token);
    bool paused = s_wait_paused (self, token);
    int rc = paused ? bb_db_grow (self->db) : -1;
    zsock_send (self->service.changes, "s", BB_QUERY_RESUME);
    if (!paused)
        bb_error ("map_grow_failed", "reason=\"query actor did not pause\"");
    return rc;
}

//  Apply the round until it commits, growing the map as needed; if it
//  cannot commit at all, every item gets the failure as its reply.
static void
s_round (self_t *self)
{
    int64_t started = zclock_usecs ();
    bool may_grow = true;
    int rc;
    while (true) {
        self->refused_full = 0;
        rc = s_apply_round (self, may_grow);
        if (rc != MDB_MAP_FULL || !may_grow)
            break;
        if (s_grow (self))
            may_grow = false;
    }
    if (rc) {
        bb_error ("round_failed", "items=%zu error=\"%s\"", self->count,
                  mdb_strerror (rc));
        self->refused_full = 0;
        for (size_t i = 0; i < self->count; i++)
            s_failure_reply (self, &self->items [i], rc);
    }
    if (self->refused_full && bb_db_full_since (self->db) == 0)
        bb_error ("store_full", "refused=%zu map_size=%zu map_used=%zu "
                  "map_max=%zu hint=\"free space on the volume, or raise "
                  "--map-size-max-mb and restart; writes are refused until "
                  "then\"", self->refused_full, bb_db_map_size (self->db),
                  bb_db_map_used (self->db), bb_db_map_max (self->db));
    bb_db_full_note (self->db, self->refused_full, (uint64_t) zclock_time ());
    bb_debug ("round_committed", "items=%zu changes=%zu us=%lld",
              self->count, bb_changes_size (self->round),
              (long long) (zclock_usecs () - started));
}

//  ===========================================================================
//  Receiving

//  Rows a message will write, to bound a round.
static size_t
s_weight (const bb_envelope_t *request)
{
    size_t weight = 1;
    if (request->body_case == BALBOARD__ENVELOPE__BODY_BALANCE_BATCH) {
        const Balboard__BalanceBatch *batch = request->balance_batch;
        for (size_t i = 0; i < batch->n_agents; i++)
            for (size_t j = 0; j < batch->agents [i]->n_sources; j++)
                weight += batch->agents [i]->sources [j]->n_balances + 1;
    }
    else
    if (request->body_case == BALBOARD__ENVELOPE__BODY_AGENT_UPSERT)
        weight += request->agent_upsert->n_agents;
    else
    if (request->body_case == BALBOARD__ENVELOPE__BODY_AGENT_REMOVE)
        weight += request->agent_remove->n_stx_addresses;
    else
    if (request->body_case == BALBOARD__ENVELOPE__BODY_REGISTRY_SNAPSHOT)
        weight += request->registry_snapshot->n_agents;
    return weight;
}

static bool
s_is_ingest (Balboard__Envelope__BodyCase body_case)
{
    return body_case == BALBOARD__ENVELOPE__BODY_BALANCE_BATCH
        || body_case == BALBOARD__ENVELOPE__BODY_PRICE_SNAPSHOT
        || body_case == BALBOARD__ENVELOPE__BODY_TOKEN_META_QUERY
        || body_case == BALBOARD__ENVELOPE__BODY_AGENT_UPSERT
        || body_case == BALBOARD__ENVELOPE__BODY_AGENT_REMOVE
        || body_case == BALBOARD__ENVELOPE__BODY_REGISTRY_SNAPSHOT;
}

//  Take the received message into the round, or answer a bad frame or a
//  message of another socket or outside the sender's role at once.
//  Returns true if taken.
static bool
s_accept (self_t *self, bb_wire_result_t result, item_t *item)
{
    bb_wire_msg_t *msg = &item->msg;
    if (result == BB_WIRE_BAD_FRAME
    ||  !s_is_ingest (msg->envelope->body_case)) {
        bb_wire_reject (self->service.router, "ingest", msg);
        return false;
    }
    return bb_curve_permit (self->curve, self->service.router, "ingest",
                            msg);
}

static void
s_reply_all (self_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        item_t *item = &self->items [i];
        if (item->reply
        &&  bb_wire_send (self->service.router, item->msg.peer, item->reply))
            bb_warn ("reply_failed", "body=%s",
                     bb_wire_body_name (item->reply->body_case));
        bb_wire_envelope_destroy (&item->reply);
        bb_wire_msg_reset (&item->msg);
    }
    self->count = 0;
}

static int
s_on_ingest (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    size_t weight = 0;
    do {
        item_t *item = &self->items [self->count];
        bb_wire_result_t result = bb_wire_recv (self->service.router,
                                                &item->msg);
        if (result == BB_WIRE_INTERRUPTED)
            break;
        if (s_accept (self, result, item)) {
            weight += s_weight (item->msg.envelope);
            self->count++;
        }
        else
            bb_wire_msg_reset (&item->msg);
    } while (self->count < BB_INGEST_ROUND_MAX
             && weight < BB_INGEST_ROUND_WEIGHT
             && (zsock_events (self->service.router) & ZMQ_POLLIN));
    if (self->count)
        s_round (self);
    s_reply_all (self);
    return 0;
}

//  ===========================================================================
//  Retention

static int
s_on_retention (zloop_t *loop, int timer_id, void *arg)
{
    self_t *self = (self_t *) arg;
    if (zclock_mono () < self->next_pass_ms)
        return 0;
    MDB_txn *txn;
    if (bb_db_begin (self->db, NULL, 0, &txn))
        return 0;
    bb_counters_rec_t counters;
    size_t deleted = 0;
    bool done = false;
    int rc = bb_record_counters_get (self->db, txn, &counters);
    if (rc == 0)
        rc = bb_retention_step (self->retention, self->db, txn,
                                (uint64_t) zclock_time (),
                                BB_RETENTION_STEP_POINTS, &deleted, &done);
    if (rc == 0 && deleted) {
        bb_changes_reset (self->round);
        rc = s_commit (self, txn, &counters);
    }
    else
        mdb_txn_abort (txn);
    if (rc)
        bb_warn ("retention_step_failed", "error=\"%s\"", mdb_strerror (rc));
    else
        self->pass_deleted += deleted;
    if (done) {
        bb_log (self->pass_deleted ? BB_LOG_INFO : BB_LOG_DEBUG,
                "history_swept", "deleted=%zu", self->pass_deleted);
        self->pass_deleted = 0;
        self->next_pass_ms = zclock_mono () + self->retention_interval_ms;
    }
    return 0;
}

//  ===========================================================================
//  The actor

static void
s_self_destroy (self_t **self_p)
{
    self_t *self = *self_p;
    if (!self)
        return;
    bb_events_destroy (&self->events);
    bb_service_close (&self->service);
    bb_changes_destroy (&self->round);
    bb_retention_destroy (&self->retention);
    free (self);
    *self_p = NULL;
}

//  The actor's state, or NULL with why it could not start in reason
//  (BB_REASON_SIZE bytes).
static self_t *
s_self_new (zsock_t *pipe, const bb_ingest_args_t *args, char *reason)
{
    self_t *self = calloc (1, sizeof *self);
    assert (self);
    self->db = args->db;
    self->network = args->network;
    self->curve = args->curve;
    self->round = bb_changes_new ();
    self->retention = bb_retention_new (args->history_window_ms);
    self->retention_interval_ms = args->retention_interval_ms;
    self->next_pass_ms = zclock_mono ();
    if (bb_service_open (&self->service, pipe, "ingest", args->endpoint,
                         args->curve, args->changes_endpoint, false,
                         reason)) {
        s_self_destroy (&self);
        return NULL;
    }
    //  Events are a hint to readers, never a condition of the data path:
    //  a store whose events endpoint is taken serves without them.
    self->events = bb_events_new (args->events_endpoint, self->service.loop,
                                  args->events_interval_ms);
    zloop_reader (self->service.loop, self->service.router, s_on_ingest,
                  self);
    zloop_timer (self->service.loop, BB_RETENTION_TICK_MS, 0, s_on_retention,
                 self);
    return self;
}

void
bb_ingest_actor (zsock_t *pipe, void *args)
{
    char reason [BB_REASON_SIZE] = "";
    self_t *self = s_self_new (pipe, (const bb_ingest_args_t *) args,
                               reason);
    if (!self) {
        bb_actor_failed (pipe, reason);
        return;
    }
    bb_actor_ready (pipe);
    bb_info ("ingest_listening", "endpoint=%s",
             ((const bb_ingest_args_t *) args)->endpoint);
    zloop_start (self->service.loop);
    bool terminated = self->service.terminated;
    s_self_destroy (&self);
    bb_actor_end (pipe, terminated, "ingest loop ended");
}
