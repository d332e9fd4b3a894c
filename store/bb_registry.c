/*  =========================================================================
    bb_registry - the agent registry: upsert and remove

    Owns the invariant that an agent has a registry entry if and only if
    it has a totals record: both are written by an insert and deleted by a
    remove, in the same transaction. bb_batch relies on it to tell a
    registered agent by its totals alone.
    =========================================================================
*/
#include "bb_registry.h"
#include "bb_pb.h"
#include "bb_reason.h"
#include "bb_text.h"

#include <stdio.h>
#include <string.h>

static const char *
s_str (const char *text)
{
    return text ? text : "";
}

int
bb_registry_check (const Balboard__Agent *agent, bb_network_t network,
                   char *reason, size_t size)
{
    const char *why = "too long";
    const char *stx = s_str (agent->stx_address);
    const char *btc = s_str (agent->btc_address);
    if (strlen (stx) >= BB_STX_SIZE
    ||  bb_address_check_stx (stx, network, &why))
        return bb_reason_fail (reason, size, "invalid stx address (%s)", why);
    why = "too long";
    if (strlen (btc) >= BB_BTC_SIZE
    ||  bb_address_check_btc (btc, network, &why))
        return bb_reason_fail (reason, size, "invalid btc address (%s)", why);
    if (agent->level > BB_REGISTRY_LEVEL_MAX)
        return bb_reason_fail (reason, size, "level %u is not 0..%d", agent->level,
                       BB_REGISTRY_LEVEL_MAX);
    if (bb_text_check (agent->display_name, BB_REGISTRY_NAME_MAX, &why))
        return bb_reason_fail (reason, size, "display_name: %s", why);
    if (bb_text_check (agent->bns_name, BB_REGISTRY_NAME_MAX, &why))
        return bb_reason_fail (reason, size, "bns_name: %s", why);
    if (bb_text_check (agent->level_name, BB_REGISTRY_LEVEL_NAME_MAX, &why))
        return bb_reason_fail (reason, size, "level_name: %s", why);
    if (agent->owner != BALBOARD__AGENT_OWNER__AGENT_OWNER_MANUAL
    &&  agent->owner != BALBOARD__AGENT_OWNER__AGENT_OWNER_REGISTRY)
        return bb_reason_fail (reason, size, "owner %d is unknown",
                               (int) agent->owner);
    return 0;
}

static void
s_reject (Balboard__AgentAck *ack, const char *stx, size_t index,
          const char *reason)
{
    Balboard__AgentRejection *rejection =
        bb_pb_new (&balboard__agent_rejection__descriptor);
    rejection->stx_address = bb_pb_strdup (stx);
    rejection->reason = bb_pb_strdup (reason);
    rejection->index = (uint32_t) index;
    BB_PB_PUSH (ack->rejected, ack->n_rejected, rejection);
}

void
bb_registry_record (const Balboard__Agent *agent, bb_agent_rec_t *record)
{
    memset (record, 0, sizeof *record);
    snprintf (record->stx, sizeof record->stx, "%s", agent->stx_address);
    snprintf (record->btc, sizeof record->btc, "%s", agent->btc_address);
    snprintf (record->display_name, sizeof record->display_name, "%s",
              s_str (agent->display_name));
    snprintf (record->bns_name, sizeof record->bns_name, "%s",
              s_str (agent->bns_name));
    record->level = agent->level;
    snprintf (record->level_name, sizeof record->level_name, "%s",
              s_str (agent->level_name));
    record->owner = agent->owner == BALBOARD__AGENT_OWNER__AGENT_OWNER_REGISTRY
                  ? BB_AGENT_REGISTRY : BB_AGENT_MANUAL;
}

//  Insert a new agent with an empty totals record, so it ranks at once.
static int
s_insert (bb_write_t *write, const bb_agent_rec_t *record)
{
    int rc = bb_record_agent_put (write->db, write->txn, record);
    bb_totals_rec_t totals;
    memset (&totals, 0, sizeof totals);
    if (rc == 0)
        rc = bb_record_totals_put (write->db, write->txn, record->stx,
                                   &totals);
    if (rc == 0)
        bb_changes_set (write->changes, record->stx, &totals);
    return rc;
}

int
bb_registry_put (bb_write_t *write, const bb_agent_rec_t *record,
                 bool keep_owner, bb_registry_put_t *result)
{
    bb_agent_rec_t stored;
    int rc = bb_record_agent_get (write->db, write->txn, record->stx,
                                  &stored);
    if (rc == MDB_NOTFOUND) {
        *result = BB_REGISTRY_INSERTED;
        return s_insert (write, record);
    }
    if (rc)
        return rc;
    bb_agent_rec_t wanted = *record;
    if (keep_owner)
        wanted.owner = stored.owner;
    if (bb_record_agent_equal (&wanted, &stored)
    &&  wanted.owner == stored.owner) {
        *result = BB_REGISTRY_UNCHANGED;
        return 0;
    }
    *result = BB_REGISTRY_UPDATED;
    return bb_record_agent_put (write->db, write->txn, &wanted);
}

int
bb_registry_upsert (bb_write_t *write, const Balboard__AgentUpsert *upsert,
                    Balboard__AgentAck *ack)
{
    int rc = 0;
    for (size_t i = 0; i < upsert->n_agents && rc == 0; i++) {
        const Balboard__Agent *agent = upsert->agents [i];
        char reason [BB_REASON_SIZE];
        if (bb_registry_check (agent, write->network, reason,
                               sizeof reason)) {
            s_reject (ack, s_str (agent->stx_address), i, reason);
            continue;
        }
        bb_agent_rec_t record;
        bb_registry_record (agent, &record);
        bb_registry_put_t result = BB_REGISTRY_UNCHANGED;
        rc = bb_registry_put (write, &record, false, &result);
        if (result == BB_REGISTRY_INSERTED)
            ack->inserted++;
        else
        if (result == BB_REGISTRY_UPDATED)
            ack->updated++;
        else
            ack->unchanged++;
    }
    return rc;
}

int
bb_registry_delete (bb_write_t *write, const char *stx)
{
    bb_totals_rec_t totals;
    int rc = bb_record_totals_get (write->db, write->txn, stx, &totals);
    if (rc == 0 && bb_record_totals_fetched (&totals))
        write->counters->agents_fetched--;
    if (rc == 0)
        rc = bb_record_totals_del (write->db, write->txn, stx);
    if (rc == 0)
        rc = bb_record_agent_del (write->db, write->txn, stx);
    char prefix [BB_KEY_SIZE];
    size_t prefix_len = bb_record_balance_key (stx, "", prefix);
    if (rc == 0)
        rc = bb_record_del_prefix (write->db, write->txn, BB_DBI_BALANCES,
                                   prefix, prefix_len, NULL);
    if (rc == 0)
        rc = bb_record_del_prefix (write->db, write->txn, BB_DBI_HISTORY,
                                   prefix, prefix_len, NULL);
    if (rc == 0)
        bb_changes_remove (write->changes, stx);
    return rc;
}

int
bb_registry_remove (bb_write_t *write, const Balboard__AgentRemove *remove,
                    Balboard__AgentAck *ack)
{
    int rc = 0;
    for (size_t i = 0; i < remove->n_stx_addresses && rc == 0; i++) {
        const char *stx = s_str (remove->stx_addresses [i]);
        bb_agent_rec_t stored;
        size_t length = strlen (stx);
        rc = length > 0 && length < BB_STX_SIZE
           ? bb_record_agent_get (write->db, write->txn, stx, &stored)
           : MDB_NOTFOUND;
        if (rc == MDB_NOTFOUND) {
            s_reject (ack, stx, i, "not registered");
            rc = 0;
        }
        else
        if (rc == 0) {
            rc = bb_registry_delete (write, stx);
            ack->removed++;
        }
    }
    return rc;
}
