/*  =========================================================================
    bb_ingest - the ingest actor: the store's only write path

    A czmq actor that owns the ingest ROUTER (balance batches and price
    snapshots from fetchers, token metadata queries, agent upsert and
    remove from the CLI), every write transaction of the process and the
    events socket.

    Group commit: when the socket is readable it drains the messages
    already queued (up to a cap), applies each in a nested transaction of
    one write transaction (a rejected message aborts only its own), commits
    once with LMDB's default durable sync, tells the query actor what
    changed, and only then sends every ack. So an ack always follows a
    durable commit, and the commit path does LMDB work only. After each
    commit it also hands the state the dashboard shows (commit sequence,
    rotation progress, price time, agents) to the events socket
    (bb_events), which merges bursts and never blocks. If the events
    endpoint cannot be bound (logged) the store serves without events.

    A full map is grown by doubling (the query actor is paused around the
    resize, as LMDB requires) and the round is applied again from
    scratch; at the maximum the messages that do not fit are rejected
    with "store full" and nothing is corrupted. A timer runs the history
    retention sweep in bounded steps between rounds.
    =========================================================================
*/
#ifndef BB_INGEST_H_INCLUDED
#define BB_INGEST_H_INCLUDED

#include <stdint.h>
#include <czmq.h>

#include "bb_address.h"
#include "bb_curve.h"
#include "bb_db.h"

//  The actor's arguments; borrowed, they must outlive the actor.
typedef struct {
    bb_db_t *db;
    const char *endpoint;           // ingest ROUTER bind, "tcp://…"
    const char *changes_endpoint;   // the query actor's inproc PAIR
    const char *events_endpoint;    // events PUB bind, "tcp://…"
    int64_t events_interval_ms;     // merge bursts of events over this
    bb_network_t network;           // addresses must belong to it
    uint64_t history_window_ms;     // history retention
    int64_t retention_interval_ms;  // pause between retention passes
    bb_curve_t *curve;              // CURVE on the ingest socket, or NULL
} bb_ingest_args_t;

//  The actor: bb_actor_new ("ingest", bb_ingest_actor, &args), after the
//  query actor is up. Ready once bound, failed if the bind failed. Ends
//  on $TERM; messages not yet applied are dropped unacked,
//  so their senders retry.
void bb_ingest_actor (zsock_t *pipe, void *args);

#endif
