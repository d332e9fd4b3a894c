/*  =========================================================================
    bb_upstream - the upstreams every process names the same way

    One owner for the upstream vocabulary: a dense index 0..COUNT-1 that
    arrays are sized by (the scheduler's budgets and health, the fetcher's
    lanes and tallies, the store's per-source slots), the mapping to and
    from the wire enum Balboard__Upstream, the short name logs use and the
    label JSON and tables show. The balance sources (an agent's rows come
    from one of them) come first: HIRO and MEMPOOL, then PRICE. The index
    is stored on disk by the store (a row's source), so the order never
    changes; a new upstream goes at the end. Pure tables, thread-safe.
    =========================================================================
*/
#ifndef BB_UPSTREAM_H_INCLUDED
#define BB_UPSTREAM_H_INCLUDED

#include <stdbool.h>

#include "balboard.pb-c.h"

typedef enum {
    BB_UPSTREAM_HIRO = 0,       // Hiro Stacks API (and token metadata)
    BB_UPSTREAM_MEMPOOL = 1,    // mempool.space
    BB_UPSTREAM_PRICE = 2,      // CoinGecko simple price
    BB_UPSTREAM_REGISTRY = 3,   // the agent registry (registry sync)
    BB_UPSTREAM_COUNT
} bb_upstream_t;

//  The balance sources are the upstreams below this index.
#define BB_UPSTREAM_SOURCES 2

//  Log name of upstream: "hiro", "mempool", "price", "registry".
const char *bb_upstream_name (bb_upstream_t upstream);

//  Public label of upstream, as JSON and tables show it and as a balance
//  row's source reads: "hiro", "mempool.space", "price", "registry".
const char *bb_upstream_label (bb_upstream_t upstream);

//  The label of wire value upstream, "unknown" for UPSTREAM_UNSPECIFIED
//  and values this build does not know.
const char *bb_upstream_wire_label (Balboard__Upstream upstream);

//  True if upstream is a balance source (HIRO, MEMPOOL).
bool bb_upstream_is_source (bb_upstream_t upstream);

//  The wire enum of upstream.
Balboard__Upstream bb_upstream_to_wire (bb_upstream_t upstream);

//  The index of wire value upstream into *index. Returns 0, or -1 for
//  UPSTREAM_UNSPECIFIED and values this build does not know.
int bb_upstream_from_wire (Balboard__Upstream upstream, bb_upstream_t *index);

#endif
