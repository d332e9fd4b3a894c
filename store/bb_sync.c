/*  =========================================================================
    bb_sync - registry sync: a snapshot's parts kept, then applied at once

    Owns the generation bookkeeping and the two opaque meta records it
    keeps as packed RegistrySyncReport messages: "registry_sync", the
    last applied snapshot's report (its generation is the last applied
    one), and "sync_stage_report", the report being built while parts
    arrive (rejections so far). The meta "sync_stage" record (bb_record)
    says which generation and attempt the sync_stage dbi holds and how
    many parts of it were kept.

    A part is taken when it is the next of the generation and attempt
    being kept, or part 0 of a newer one (which drops what was kept).
    A part of a generation already applied is answered again without
    change (a fetcher's retry is idempotent): an older one is
    SYNC_DUPLICATE, the same one gets PART_KEPT or the stored report.
    Everything is written in the caller's nested txn, so a failed or
    repeated round leaves nothing half taken.
    =========================================================================
*/
#include "bb_sync.h"
#include "bb_log.h"
#include "bb_pb.h"
#include "bb_reason.h"
#include "bb_registry.h"

#include <stdio.h>
#include <string.h>

#define BB_SYNC_LAST        "registry_sync"
#define BB_SYNC_BUILDING    "sync_stage_report"

typedef Balboard__RegistrySyncReport report_t;
typedef Balboard__RegistrySnapshot snapshot_t;

//  ===========================================================================
//  Reports in the meta dbi

static int
s_report_get (bb_db_t *db, MDB_txn *txn, const char *name,
              report_t **report_p)
{
    *report_p = NULL;
    MDB_val value;
    int rc = bb_record_meta_bytes_get (db, txn, name, &value);
    if (rc)
        return rc;
    *report_p = balboard__registry_sync_report__unpack (NULL, value.mv_size,
                                                        value.mv_data);
    return *report_p ? 0 : MDB_CORRUPTED;
}

static int
s_report_put (bb_db_t *db, MDB_txn *txn, const char *name,
              const report_t *report)
{
    size_t size = balboard__registry_sync_report__get_packed_size (report);
    uint8_t *bytes = malloc (size + 1);
    assert (bytes);
    balboard__registry_sync_report__pack (report, bytes);
    int rc = bb_record_meta_bytes_put (db, txn, name, bytes, size);
    free (bytes);
    return rc;
}

//  A new report for part with outcome and an optional reason.
static report_t *
s_report_new (const snapshot_t *part, Balboard__SyncOutcome outcome,
              const char *reason)
{
    report_t *report = bb_pb_new (&balboard__registry_sync_report__descriptor);
    report->generation = part->generation;
    report->outcome = outcome;
    report->source = bb_pb_strdup (part->source ? part->source : "");
    if (reason)
        report->reason = bb_pb_strdup (reason);
    return report;
}

//  Count a rejection in report, listing the first ones.
static void
s_reject (report_t *report, const char *stx, const char *reason,
          uint32_t index)
{
    report->rejected++;
    if (report->n_rejections >= BB_SYNC_REJECTIONS_MAX)
        return;
    Balboard__AgentRejection *rejection =
        bb_pb_new (&balboard__agent_rejection__descriptor);
    rejection->stx_address = bb_pb_strdup (stx ? stx : "");
    rejection->reason = bb_pb_strdup (reason ? reason : "");
    rejection->index = index;
    BB_PB_PUSH (report->rejections, report->n_rejections, rejection);
}

//  ===========================================================================
//  Keeping parts

//  Forget what the sync_stage dbi and records hold.
static int
s_clear (bb_db_t *db, MDB_txn *txn)
{
    int rc = mdb_drop (txn, bb_db_dbi (db, BB_DBI_SYNC_STAGE), 0);
    if (rc == 0)
        rc = bb_record_meta_del (db, txn, BB_SYNC_BUILDING);
    if (rc == 0)
        rc = bb_record_sync_stage_put (db, txn,
                                       &(bb_sync_stage_rec_t) { 0, 0, 0 });
    return rc;
}

//  Keep part's agents (the valid ones, owned by the registry) and count
//  its rejections and the store's own in the report being built.
static int
s_keep (bb_write_t *write, const snapshot_t *part, bb_sync_stage_rec_t *stage)
{
    report_t *building;
    int rc = s_report_get (write->db, write->txn, BB_SYNC_BUILDING,
                           &building);
    if (rc == MDB_NOTFOUND) {
        building = s_report_new (part, BALBOARD__SYNC_OUTCOME__SYNC_PART_KEPT,
                                 NULL);
        rc = 0;
    }
    for (size_t i = 0; i < part->n_rejected && rc == 0; i++)
        s_reject (building, part->rejected [i]->stx_address,
                  part->rejected [i]->reason, part->rejected [i]->index);
    for (size_t i = 0; i < part->n_agents && rc == 0; i++) {
        const Balboard__Agent *agent = part->agents [i];
        char reason [BB_REASON_SIZE];
        if (bb_registry_check (agent, write->network, reason, sizeof reason)) {
            s_reject (building, agent->stx_address, reason, (uint32_t) i);
            continue;
        }
        bb_agent_rec_t record;
        bb_registry_record (agent, &record);
        record.owner = BB_AGENT_REGISTRY;
        rc = bb_record_staged_put (write->db, write->txn, &record);
    }
    stage->next_part++;
    if (rc == 0)
        rc = s_report_put (write->db, write->txn, BB_SYNC_BUILDING, building);
    if (rc == 0)
        rc = bb_record_sync_stage_put (write->db, write->txn, stage);
    if (building)
        balboard__registry_sync_report__free_unpacked (building, NULL);
    return rc;
}

//  ===========================================================================
//  Applying a whole snapshot

//  Put every kept agent in the registry, counting in report.
static int
s_put_kept (bb_write_t *write, report_t *report)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (write->txn,
                              bb_db_dbi (write->db, BB_DBI_SYNC_STAGE),
                              &cursor);
    if (rc)
        return rc;
    MDB_val key, value;
    rc = mdb_cursor_get (cursor, &key, &value, MDB_FIRST);
    while (rc == 0) {
        bb_agent_rec_t record;
        bb_registry_put_t result = BB_REGISTRY_UNCHANGED;
        rc = bb_record_agent_decode (&key, &value, &record)
           ? MDB_CORRUPTED
           : bb_registry_put (write, &record, true, &result);
        if (result == BB_REGISTRY_INSERTED)
            report->added++;
        else
        if (result == BB_REGISTRY_UPDATED)
            report->updated++;
        else
            report->unchanged++;
        if (rc == 0)
            rc = mdb_cursor_get (cursor, &key, &value, MDB_NEXT);
    }
    mdb_cursor_close (cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

//  Append to gone every agent the registry owns that the snapshot does
//  not list.
static int
s_find_gone (bb_write_t *write, zlist_t *gone)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (write->txn, bb_db_dbi (write->db, BB_DBI_AGENTS),
                              &cursor);
    if (rc)
        return rc;
    MDB_dbi stage = bb_db_dbi (write->db, BB_DBI_SYNC_STAGE);
    MDB_val key, value, listed;
    rc = mdb_cursor_get (cursor, &key, &value, MDB_FIRST);
    while (rc == 0) {
        bb_agent_rec_t record;
        if (bb_record_agent_decode (&key, &value, &record)) {
            rc = MDB_CORRUPTED;
            break;
        }
        if (record.owner == BB_AGENT_REGISTRY) {
            rc = mdb_get (write->txn, stage, &key, &listed);
            if (rc == MDB_NOTFOUND)
                zlist_append (gone, record.stx);
            if (rc && rc != MDB_NOTFOUND)
                break;
        }
        rc = mdb_cursor_get (cursor, &key, &value, MDB_NEXT);
    }
    mdb_cursor_close (cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

//  The outcome of a snapshot (last, its last part) that would remove gone
//  of current agents: partial, held or applied, with why.
static void
s_decide (const snapshot_t *last, size_t current, size_t gone,
          report_t *report)
{
    char reason [BB_REASON_SIZE] = "";
    report->outcome = BALBOARD__SYNC_OUTCOME__SYNC_APPLIED;
    if (!last->complete) {
        report->outcome = BALBOARD__SYNC_OUTCOME__SYNC_PARTIAL;
        snprintf (reason, sizeof reason, "%s",
                  last->incomplete_reason && *last->incomplete_reason
                  ? last->incomplete_reason : "incomplete read");
    }
    else
    if (gone > 0 && !last->confirm && report->registry_agents == 0) {
        report->outcome = BALBOARD__SYNC_OUTCOME__SYNC_HELD;
        snprintf (reason, sizeof reason, "the registry listed no agents;"
                  " %zu would be removed", gone);
    }
    else
    if (gone > 0 && !last->confirm
    &&  gone * 100 > (size_t) last->max_remove_pct * current) {
        report->outcome = BALBOARD__SYNC_OUTCOME__SYNC_HELD;
        snprintf (reason, sizeof reason, "%zu of %zu agents would be removed,"
                  " over %u%%", gone, current, last->max_remove_pct);
    }
    if (report->outcome == BALBOARD__SYNC_OUTCOME__SYNC_HELD)
        report->held_removals = (uint32_t) gone;
    if (*reason)
        report->reason = bb_pb_strdup (reason);
}

//  Remove the agents gone, or hold them, as report's outcome says.
static int
s_remove_gone (bb_write_t *write, const snapshot_t *last, size_t current,
               report_t *report)
{
    zlist_t *gone = zlist_new ();
    zlist_autofree (gone);
    int rc = last->complete ? s_find_gone (write, gone) : 0;
    if (rc == 0)
        s_decide (last, current, zlist_size (gone), report);
    if (report->outcome == BALBOARD__SYNC_OUTCOME__SYNC_APPLIED)
        for (const char *stx = zlist_first (gone); stx && rc == 0;
             stx = zlist_next (gone)) {
            rc = bb_registry_delete (write, stx);
            report->removed++;
        }
    zlist_destroy (&gone);
    return rc;
}

static void
s_log_applied (const report_t *report)
{
    const ProtobufCEnumValue *outcome = protobuf_c_enum_descriptor_get_value (
        &balboard__sync_outcome__descriptor, report->outcome);
    char source [BB_REASON_SIZE], reason [BB_REASON_SIZE];
    bb_info ("registry_synced", "generation=%llu outcome=%s source=%s "
             "registry_agents=%u added=%u updated=%u removed=%u unchanged=%u "
             "rejected=%u held_removals=%u reason=%s",
             (unsigned long long) report->generation,
             outcome ? outcome->name : "unknown",
             bb_log_quote (report->source, source, sizeof source),
             report->registry_agents, report->added, report->updated,
             report->removed, report->unchanged, report->rejected,
             report->held_removals,
             bb_log_quote (report->reason, reason, sizeof reason));
}

//  Apply every kept part, last the last of them, and keep the report.
static int
s_apply (bb_write_t *write, const snapshot_t *last, report_t **report_p)
{
    report_t *report;
    int rc = s_report_get (write->db, write->txn, BB_SYNC_BUILDING, &report);
    if (rc)
        return rc;
    *report_p = report;
    size_t current = bb_db_entries (write->db, write->txn, BB_DBI_AGENTS);
    report->registry_agents = (uint32_t) bb_db_entries (write->db, write->txn,
                                                        BB_DBI_SYNC_STAGE);
    report->pages = last->pages;
    report->requests = last->requests;
    report->started_ms = last->started_ms;
    report->finished_ms = (uint64_t) zclock_time ();
    rc = s_put_kept (write, report);
    if (rc == 0)
        rc = s_remove_gone (write, last, current, report);
    if (rc == 0)
        rc = s_report_put (write->db, write->txn, BB_SYNC_LAST, report);
    if (rc == 0)
        rc = s_clear (write->db, write->txn);
    if (rc == 0)
        s_log_applied (report);
    return rc;
}

//  ===========================================================================
//  Taking a part

//  A part of a generation at or before the last applied one (applied):
//  answered as before, nothing changes.
static report_t *
s_replay (const snapshot_t *part, report_t **applied_p)
{
    char reason [BB_REASON_SIZE];
    report_t *applied = *applied_p;
    if (part->generation < applied->generation) {
        snprintf (reason, sizeof reason, "generation %llu is older than the"
                  " last applied %llu", (unsigned long long) part->generation,
                  (unsigned long long) applied->generation);
        return s_report_new (part, BALBOARD__SYNC_OUTCOME__SYNC_DUPLICATE,
                             reason);
    }
    if (!part->last_part)
        return s_report_new (part, BALBOARD__SYNC_OUTCOME__SYNC_PART_KEPT,
                             NULL);
    *applied_p = NULL;
    return applied;
}

//  A part of a newer generation than the last applied: kept, applied
//  with the others when it is the last, or refused.
static int
s_take (bb_write_t *write, const snapshot_t *part, report_t **report_p,
        bool *kept, char *reason, size_t size)
{
    bb_sync_stage_rec_t stage;
    int rc = bb_record_sync_stage_get (write->db, write->txn, &stage);
    if (rc)
        return rc;
    bool same = stage.generation == part->generation
             && stage.attempt == part->attempt;
    uint32_t expected = same ? stage.next_part : 0;
    if (stage.generation > part->generation) {
        snprintf (reason, size, "generation %llu is older than the one being"
                  " kept", (unsigned long long) part->generation);
        *report_p = s_report_new (part, BALBOARD__SYNC_OUTCOME__SYNC_DUPLICATE,
                                  reason);
        return 0;
    }
    if (same && part->part < expected && !part->last_part) {
        *report_p = s_report_new (part, BALBOARD__SYNC_OUTCOME__SYNC_PART_KEPT,
                                  NULL);
        return 0;
    }
    if (part->part != expected) {
        bb_reason_fail (reason, size, "part %u of generation %llu attempt %u"
                        " is not the next one (%u)", part->part,
                        (unsigned long long) part->generation, part->attempt,
                        expected);
        return 0;
    }
    if (!same && stage.generation)
        bb_info ("sync_stage_dropped", "generation=%llu attempt=%u parts=%u "
                 "reason=\"a newer snapshot started\"",
                 (unsigned long long) stage.generation, stage.attempt,
                 stage.next_part);
    if (!same)
        rc = s_clear (write->db, write->txn);
    stage = (bb_sync_stage_rec_t) { part->generation, part->attempt, expected };
    *kept = true;
    if (rc == 0)
        rc = s_keep (write, part, &stage);
    if (rc == 0 && part->last_part)
        return s_apply (write, part, report_p);
    if (rc == 0)
        *report_p = s_report_new (part,
                                  BALBOARD__SYNC_OUTCOME__SYNC_PART_KEPT, NULL);
    return rc;
}

int
bb_sync_part (bb_write_t *write, const snapshot_t *part, report_t **report_p,
              bool *kept, char *reason, size_t size)
{
    *report_p = NULL;
    *kept = false;
    if (part->generation == 0) {
        bb_reason_fail (reason, size, "generation 0 is not a sync");
        return 0;
    }
    report_t *applied;
    int rc = bb_sync_last (write->db, write->txn, &applied);
    if (rc == 0 && applied && part->generation <= applied->generation)
        *report_p = s_replay (part, &applied);
    else
    if (rc == 0)
        rc = s_take (write, part, report_p, kept, reason, size);
    if (applied)
        balboard__registry_sync_report__free_unpacked (applied, NULL);
    return rc;
}

int
bb_sync_last (bb_db_t *db, MDB_txn *txn, report_t **report_p)
{
    int rc = s_report_get (db, txn, BB_SYNC_LAST, report_p);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int
bb_sync_drop_staged (bb_db_t *db)
{
    MDB_txn *txn;
    int rc = bb_db_begin (db, NULL, 0, &txn);
    if (rc)
        return -1;
    bb_sync_stage_rec_t stage;
    rc = bb_record_sync_stage_get (db, txn, &stage);
    if (rc == 0 && stage.generation == 0) {
        mdb_txn_abort (txn);
        return 0;
    }
    if (rc == 0)
        rc = s_clear (db, txn);
    if (rc == 0)
        rc = mdb_txn_commit (txn);
    else
        mdb_txn_abort (txn);
    if (rc) {
        bb_error ("sync_stage_drop_failed", "error=\"%s\"", mdb_strerror (rc));
        return -1;
    }
    bb_info ("sync_stage_dropped", "generation=%llu attempt=%u parts=%u "
             "reason=\"the store restarted\"",
             (unsigned long long) stage.generation, stage.attempt,
             stage.next_part);
    return 0;
}
