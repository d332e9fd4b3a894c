/*  =========================================================================
    bb_import - agents to import, read from a file, stdin or a registry URL

    Accepts what bb_agent_list parses: the agent registry's JSON
    ({"agents":[...], "pagination":{...}}), a bare JSON array of agents,
    and NDJSON (one agent object per line). From a URL it pages through
    the registry API with ?limit=&offset= until pagination.hasMore is
    false. Every agent is checked (bb_agent_list) before anything is sent:
    the valid ones are kept in input order, each invalid one becomes a
    rejection with its position in the input and the reason. The store
    checks again.
    =========================================================================
*/
#ifndef BB_IMPORT_H_INCLUDED
#define BB_IMPORT_H_INCLUDED

#include <stddef.h>
#include <stdio.h>

#include "bb_address.h"
#include "bb_agent_list.h"
#include "balboard.pb-c.h"

//  Agents asked for per registry page when importing from a URL.
#define BB_IMPORT_PAGE_LIMIT 500

typedef bb_agent_rejection_t bb_import_rejection_t;

typedef struct _bb_import_t bb_import_t;

//  Create an empty import checking addresses for network; its agents get
//  owner (AGENT_OWNER_REGISTRY for `agents import --registry-owned`).
bb_import_t *bb_import_new (bb_network_t network,
                            Balboard__AgentOwner owner);

//  Destroy the import and everything it holds; sets *self_p to NULL.
void bb_import_destroy (bb_import_t **self_p);

//  Read agents from source: "-" is stdin, http:// or https:// a URL,
//  anything else a file path. Returns 0 or -1.
int bb_import_read (bb_import_t *self, const char *source, long timeout_ms);

//  Valid agents, in input order; owned by the import.
size_t bb_import_count (bb_import_t *self);
Balboard__Agent **bb_import_agents (bb_import_t *self);

//  Rejected agents, in input order; owned by the import.
size_t bb_import_rejected_count (bb_import_t *self);
const bb_import_rejection_t *bb_import_rejection (bb_import_t *self,
                                                  size_t index);

//  Why the last read failed; owned by the import.
const char *bb_import_error (bb_import_t *self);

#endif
