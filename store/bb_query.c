/*  =========================================================================
    bb_query - the query actor: read-only ROUTER, rank index, snapshots

    Owns the rank index and the price snapshot it is valued at, and the
    commit sequence number both reflect (seq). Invariant between queries:
    the index holds exactly the registered agents of commit seq, each
    scored at the prices of commit seq. Messages on the PAIR are handled
    only while no read transaction is open, which is what makes PAUSE
    safe for a map resize.
    =========================================================================
*/
#include "bb_query.h"
#include "bb_actor.h"
#include "bb_changes.h"
#include "bb_log.h"
#include "bb_pb.h"
#include "bb_rank.h"
#include "bb_record.h"
#include "bb_service.h"
#include "bb_token.h"
#include "bb_view.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

//  How long a query waits for the change sets of a commit it can already
//  see, in total and per poll. Change sets follow commits by
//  microseconds; the bound only keeps a lost one from hanging queries.
#define BB_QUERY_SYNC_WAIT_MS   1000
#define BB_QUERY_SYNC_POLL_MS   10

typedef struct {
    bb_service_t service;       // query socket, PAIR from the ingest actor
    bb_db_t *db;                // shared environment, borrowed
    bb_rank_t *rank;            // every registered agent, ranked
    bb_prices_rec_t prices;     // the index is valued at these
    uint64_t seq;               // commit the index reflects
    bb_wire_msg_t msg;          // the request being served
} self_t;

//  ===========================================================================
//  Index maintenance

//  Score every agent of the totals dbi at prices: entries [i] gets the
//  address (copied into addresses, BB_STX_SIZE each) and the score. At
//  most count entries; *n says how many. Returns 0 or an LMDB error.
static int
s_read_scores (self_t *self, MDB_txn *txn, const bb_prices_rec_t *prices,
               bb_rank_entry_t *entries, char *addresses, size_t count,
               size_t *n)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (txn, bb_db_dbi (self->db, BB_DBI_TOTALS),
                              &cursor);
    if (rc)
        return rc;
    MDB_val key, value;
    *n = 0;
    rc = mdb_cursor_get (cursor, &key, &value, MDB_FIRST);
    while (rc == 0 && *n < count) {
        bb_totals_rec_t totals;
        char *address = addresses + *n * BB_STX_SIZE;
        if (key.mv_size >= BB_STX_SIZE
        ||  bb_record_totals_decode (&value, &totals)) {
            rc = MDB_CORRUPTED;
            break;
        }
        memcpy (address, key.mv_data, key.mv_size);
        address [key.mv_size] = '\0';
        entries [*n].address = address;
        entries [*n].score = bb_token_total (&totals, prices);
        (*n)++;
        rc = mdb_cursor_get (cursor, &key, &value, MDB_NEXT);
    }
    mdb_cursor_close (cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

//  Rebuild the index from the totals dbi at the current snapshot, and
//  take that snapshot's prices and commit. Returns 0 or -1 (logged).
static int
s_rebuild (self_t *self)
{
    int64_t started = zclock_mono ();
    MDB_txn *txn;
    if (bb_db_begin (self->db, NULL, MDB_RDONLY, &txn))
        return -1;
    bb_counters_rec_t counters;
    bb_prices_rec_t prices;
    int rc = bb_record_counters_get (self->db, txn, &counters);
    if (rc == 0)
        rc = bb_record_prices_get (self->db, txn, &prices);
    size_t count = bb_db_entries (self->db, txn, BB_DBI_TOTALS);
    bb_rank_entry_t *entries = calloc (count + 1, sizeof *entries);
    char *addresses = calloc (count + 1, BB_STX_SIZE);
    assert (entries && addresses);
    size_t n = 0;
    if (rc == 0)
        rc = s_read_scores (self, txn, &prices, entries, addresses, count,
                            &n);
    mdb_txn_abort (txn);
    if (rc)
        bb_error ("rank_rebuild_failed", "error=\"%s\"", mdb_strerror (rc));
    else
    if (bb_rank_rebuild (self->rank, entries, n)) {
        bb_error ("rank_rebuild_failed", "error=\"invalid address\"");
        rc = -1;
    }
    free (entries);
    free (addresses);
    if (rc)
        return -1;
    self->prices = prices;
    self->seq = counters.commit_seq;
    bb_info ("rank_rebuilt", "agents=%zu seq=%llu ms=%lld", n,
             (unsigned long long) self->seq,
             (long long) (zclock_mono () - started));
    return 0;
}

static void
s_apply_changes (self_t *self, bb_changes_t *changes)
{
    if (bb_changes_seq (changes) <= self->seq)
        return;                 // a rebuild already reflects it
    if (bb_changes_prices (changes)) {
        s_rebuild (self);
        return;
    }
    for (size_t i = 0; i < bb_changes_size (changes); i++) {
        const bb_change_t *change = bb_changes_at (changes, i);
        if (change->op == BB_CHANGE_REMOVE)
            bb_rank_remove (self->rank, change->stx);
        else
            bb_rank_set (self->rank, change->stx,
                         bb_token_total (&change->totals, &self->prices));
    }
    self->seq = bb_changes_seq (changes);
}

//  PAUSE: confirm with the same token, then hold still until RESUME.
static void
s_pause (self_t *self, zmsg_t *msg)
{
    char *token = zmsg_popstr (msg);
    zsock_send (self->service.changes, "ss", BB_QUERY_PAUSED,
                token ? token : "");
    free (token);
    while (true) {
        zmsg_t *next = zmsg_recv (self->service.changes);
        if (!next) {
            if (errno == EINTR)
                continue;
            break;
        }
        char *command = zmsg_popstr (next);
        bool resumed = command && streq (command, BB_QUERY_RESUME);
        free (command);
        zmsg_destroy (&next);
        if (resumed)
            break;
    }
}

//  Handle one message from the ingest actor. Only call with no read txn
//  open.
static void
s_on_pair_message (self_t *self)
{
    zmsg_t *msg = zmsg_recv (self->service.changes);
    if (!msg)
        return;
    char *command = zmsg_popstr (msg);
    if (command && streq (command, BB_CHANGES_COMMAND)) {
        bb_changes_t *changes = bb_changes_decode (msg);
        if (changes)
            s_apply_changes (self, changes);
        bb_changes_destroy (&changes);
    }
    else
    if (command && streq (command, BB_QUERY_PAUSE))
        s_pause (self, msg);
    else
        bb_error ("pair_unknown_command", "command=%s",
                  command ? command : "none");
    free (command);
    zmsg_destroy (&msg);
}

static void
s_drain (self_t *self)
{
    while (zsock_events (self->service.changes) & ZMQ_POLLIN)
        s_on_pair_message (self);
}

static int
s_on_changes (zloop_t *loop, zsock_t *reader, void *arg)
{
    s_drain ((self_t *) arg);
    return 0;
}

//  Begin a read txn at the commit the index reflects: drain, begin, and
//  if the snapshot is newer, end it, wait for its change sets, retry.
static int
s_begin (self_t *self, MDB_txn **txn)
{
    for (int waited = 0; ; waited += BB_QUERY_SYNC_POLL_MS) {
        s_drain (self);
        int rc = bb_db_begin (self->db, NULL, MDB_RDONLY, txn);
        bb_counters_rec_t counters;
        if (rc == 0)
            rc = bb_record_counters_get (self->db, *txn, &counters);
        if (rc || counters.commit_seq <= self->seq)
            return rc;
        if (waited >= BB_QUERY_SYNC_WAIT_MS) {
            bb_warn ("query_snapshot_ahead", "index_seq=%llu seq=%llu",
                     (unsigned long long) self->seq,
                     (unsigned long long) counters.commit_seq);
            return 0;
        }
        mdb_txn_abort (*txn);
        zmq_pollitem_t item = {
            zsock_resolve (self->service.changes), 0, ZMQ_POLLIN, 0
        };
        zmq_poll (&item, 1, BB_QUERY_SYNC_POLL_MS);
    }
}

//  ===========================================================================
//  Requests

static bb_envelope_t *
s_dispatch (bb_view_t *view, const bb_envelope_t *request)
{
    uint64_t id = request->request_id;
    switch (request->body_case) {
        case BALBOARD__ENVELOPE__BODY_DASHBOARD_REQUEST:
            return bb_view_dashboard (view, request->dashboard_request, id);
        case BALBOARD__ENVELOPE__BODY_AGENT_DETAIL_REQUEST:
            return bb_view_agent (view, request->agent_detail_request, id);
        case BALBOARD__ENVELOPE__BODY_RANK_REQUEST:
            return bb_view_rank (view, request->rank_request, id);
        case BALBOARD__ENVELOPE__BODY_STATS_REQUEST:
            return bb_view_stats (view, id);
        case BALBOARD__ENVELOPE__BODY_AGENTS_PAGE_REQUEST:
            return bb_view_agents_page (view, request->agents_page_request,
                                        id);
        default:
            return NULL;
    }
}

static bool
s_is_query (Balboard__Envelope__BodyCase body_case)
{
    return body_case == BALBOARD__ENVELOPE__BODY_DASHBOARD_REQUEST
        || body_case == BALBOARD__ENVELOPE__BODY_AGENT_DETAIL_REQUEST
        || body_case == BALBOARD__ENVELOPE__BODY_RANK_REQUEST
        || body_case == BALBOARD__ENVELOPE__BODY_STATS_REQUEST
        || body_case == BALBOARD__ENVELOPE__BODY_AGENTS_PAGE_REQUEST;
}

static void
s_serve (self_t *self, const bb_envelope_t *request)
{
    MDB_txn *txn;
    bb_envelope_t *reply = NULL;
    int rc = s_begin (self, &txn);
    if (rc == 0) {
        bb_view_t view = { self->db, txn, self->rank, &self->prices };
        reply = s_dispatch (&view, request);
        mdb_txn_abort (txn);
    }
    else
        reply = bb_pb_error (request->request_id,
                             BALBOARD__ERROR_REPLY__CODE__UNAVAILABLE,
                             mdb_strerror (rc));
    bb_wire_send (self->service.router, self->msg.peer, reply);
    bb_wire_envelope_destroy (&reply);
}

static int
s_on_request (zloop_t *loop, zsock_t *reader, void *arg)
{
    self_t *self = (self_t *) arg;
    bb_wire_result_t result = bb_wire_recv (self->service.router, &self->msg);
    if (result == BB_WIRE_INTERRUPTED)
        return 0;
    if (result == BB_WIRE_BAD_FRAME
    ||  !s_is_query (self->msg.envelope->body_case))
        bb_wire_reject (self->service.router, "query", &self->msg);
    else
        s_serve (self, self->msg.envelope);
    bb_wire_msg_reset (&self->msg);
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
    bb_service_close (&self->service);
    bb_rank_destroy (&self->rank);
    bb_wire_msg_reset (&self->msg);
    free (self);
    *self_p = NULL;
}

//  The actor's state, or NULL with why it could not start in reason
//  (BB_REASON_SIZE bytes).
static self_t *
s_self_new (zsock_t *pipe, const bb_query_args_t *args, char *reason)
{
    self_t *self = calloc (1, sizeof *self);
    assert (self);
    self->db = args->db;
    self->rank = bb_rank_new ();
    if (bb_service_open (&self->service, pipe, args->endpoint,
                         args->changes_endpoint, true, reason)) {
        s_self_destroy (&self);
        return NULL;
    }
    if (s_rebuild (self)) {
        snprintf (reason, BB_REASON_SIZE,
                  "cannot build the rank index");
        s_self_destroy (&self);
        return NULL;
    }
    zloop_reader (self->service.loop, self->service.router, s_on_request,
                  self);
    zloop_reader (self->service.loop, self->service.changes, s_on_changes,
                  self);
    return self;
}

void
bb_query_actor (zsock_t *pipe, void *args)
{
    char reason [BB_REASON_SIZE] = "";
    self_t *self = s_self_new (pipe, (const bb_query_args_t *) args, reason);
    if (!self) {
        bb_actor_failed (pipe, reason);
        return;
    }
    bb_actor_ready (pipe);
    bb_info ("query_listening", "endpoint=%s agents=%llu",
             ((const bb_query_args_t *) args)->endpoint,
             (unsigned long long) bb_rank_size (self->rank));
    zloop_start (self->service.loop);
    bool terminated = self->service.terminated;
    s_self_destroy (&self);
    bb_actor_end (pipe, terminated, "query loop ended");
}
