/*  =========================================================================
    bb_agent_list - agents read from agent-list documents, checked

    The one parser of the agent lists balboard reads: the CLI's
    `agents import` (a file, stdin or the registry URL) and the fetcher's
    registry sync (the registry URL, page by page). A document is the
    agent registry's JSON page ({"agents":[...], "pagination":{...}}), a
    bare JSON array of agents, or NDJSON (one agent object per line).
    Every agent is checked here (STX and BTC addresses for the network,
    level 0..2, name fields' types and lengths): the valid ones are kept in
    input order as protobuf Agent messages, each invalid one becomes a
    rejection with its position in the input and the reason. Documents
    parsed one after the other (the pages of a registry) add up.

    No I/O: callers bring the bytes. One thread at a time.
    =========================================================================
*/
#ifndef BB_AGENT_LIST_H_INCLUDED
#define BB_AGENT_LIST_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "balboard.pb-c.h"
#include "bb_address.h"

//  Longest display name, BNS name or level name kept (bytes).
#define BB_AGENT_LIST_NAME_MAX 256

typedef struct {
    size_t index;               // 0-based position in the input
    char *stx_address;          // as given ("" when missing)
    char *reason;
} bb_agent_rejection_t;

//  What one document held.
typedef struct {
    size_t entries;             // agent entries, valid or not
    bool registry_page;         // an object with "agents"
    bool has_more;              // its pagination.hasMore is true
    int64_t total;              // its pagination.total, -1 when absent
} bb_agent_page_t;

typedef struct _bb_agent_list_t bb_agent_list_t;

//  Create an empty list checking addresses for network; its agents get
//  owner (AGENT_OWNER_MANUAL or AGENT_OWNER_REGISTRY).
bb_agent_list_t *bb_agent_list_new (bb_network_t network,
                                    Balboard__AgentOwner owner);

//  Destroy the list and everything it holds; sets *self_p to NULL.
void bb_agent_list_destroy (bb_agent_list_t **self_p);

//  Parse one document of size bytes (need not be NUL-terminated) and add
//  its agents and rejections; page (may be NULL) says what it held.
//  Returns 0, or -1 when the document is not an agent list (the agents
//  before the error stay; bb_agent_list_error says why).
int bb_agent_list_parse (bb_agent_list_t *self, const char *text,
                         size_t size, bb_agent_page_t *page);

//  Forget the agents and rejections after the first agents and rejected
//  ones (what a document added, when its caller will not use it).
void bb_agent_list_truncate (bb_agent_list_t *self, size_t agents,
                             size_t rejected);

//  Valid agents, in input order; owned by the list.
size_t bb_agent_list_count (bb_agent_list_t *self);
Balboard__Agent **bb_agent_list_agents (bb_agent_list_t *self);

//  Rejected agents, in input order; owned by the list.
size_t bb_agent_list_rejected_count (bb_agent_list_t *self);
const bb_agent_rejection_t *bb_agent_list_rejection (bb_agent_list_t *self,
                                                     size_t index);

//  Agent entries read so far, valid or not.
size_t bb_agent_list_seen (bb_agent_list_t *self);

//  Why the last parse failed; owned by the list.
const char *bb_agent_list_error (bb_agent_list_t *self);

#endif
