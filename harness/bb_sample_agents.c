/*  =========================================================================
    bb_sample_agents - the mock's sample agents registered with a store,
    for tests and benchmarks

    Each request's agents and the samples they point into live on the
    heap only for that request.
    =========================================================================
*/
#include "bb_sample_agents.h"
#include "bb_mockdata.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

//  The AgentUpsert form of sample (borrowing its strings).
static void
s_agent_init (Balboard__Agent *agent, const bb_mock_agent_t *sample)
{
    balboard__agent__init (agent);
    agent->stx_address = (char *) sample->stx_address;
    agent->btc_address = (char *) sample->btc_address;
    agent->display_name = (char *) sample->display_name;
    agent->bns_name = (char *) sample->bns_name;
    agent->level = (uint32_t) sample->level;
    agent->level_name = (char *) sample->level_name;
}

//  Upsert samples first..first+count-1 in one request; add the inserted
//  ones to *inserted. Returns 0 or -1.
static int
s_upsert_batch (bb_client_t *client, unsigned first, unsigned count,
                size_t *inserted)
{
    bb_mock_agent_t *samples = calloc (count, sizeof *samples);
    Balboard__Agent *agents = calloc (count, sizeof *agents);
    Balboard__Agent **pointers = calloc (count, sizeof *pointers);
    assert (samples && agents && pointers);
    for (unsigned index = 0; index < count; index++) {
        bb_mockdata_agent (first + index, &samples [index]);
        s_agent_init (&agents [index], &samples [index]);
        pointers [index] = &agents [index];
    }
    bb_envelope_t *reply = NULL;
    int rc = bb_client_agent_upsert (client, pointers, count, &reply);
    if (rc)
        fprintf (stderr, "bb_sample_agents: upsert: %s\n",
                 bb_client_reason (client));
    else
    if (reply->agent_ack->n_rejected) {
        fprintf (stderr, "bb_sample_agents: %zu agents rejected\n",
                 reply->agent_ack->n_rejected);
        rc = -1;
    }
    else
        *inserted += reply->agent_ack->inserted;
    bb_wire_envelope_destroy (&reply);
    free (pointers);
    free (agents);
    free (samples);
    return rc ? -1 : 0;
}

int
bb_sample_agents_upsert (bb_client_t *client, unsigned first,
                         unsigned count, size_t *inserted)
{
    assert (client);
    size_t total = 0;
    for (unsigned done = 0; done < count; done += BB_SAMPLE_AGENTS_BATCH) {
        unsigned batch = count - done < BB_SAMPLE_AGENTS_BATCH
                       ? count - done : BB_SAMPLE_AGENTS_BATCH;
        if (s_upsert_batch (client, first + done, batch, &total))
            return -1;
    }
    if (inserted)
        *inserted = total;
    return 0;
}
