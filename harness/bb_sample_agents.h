/*  =========================================================================
    bb_sample_agents - the mock's sample agents registered with a store,
    for tests and benchmarks

    The one place that turns bb_mockdata's sample agents (the agents the
    mock upstream serves, by index) into AgentUpsert requests, every
    field copied, and sends them through a bb_client on a store's ingest
    socket, in requests of BB_SAMPLE_AGENTS_BATCH agents. Stateless; the
    caller's thread.
    =========================================================================
*/
#ifndef BB_SAMPLE_AGENTS_H_INCLUDED
#define BB_SAMPLE_AGENTS_H_INCLUDED

#include <stddef.h>

#include "bb_client.h"

#define BB_SAMPLE_AGENTS_BATCH 500      // agents per upsert request

//  Upsert sample agents first..first+count-1 through client. Returns 0
//  if the store answered every request and rejected no agent, with the
//  number it inserted (new agents) in *inserted if that is not NULL;
//  else -1, the reason printed to stderr.
int bb_sample_agents_upsert (bb_client_t *client, unsigned first,
                             unsigned count, size_t *inserted);

#endif
