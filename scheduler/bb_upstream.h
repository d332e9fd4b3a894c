/*  =========================================================================
    bb_upstream - the upstream hosts the scheduler budgets and watches

    Owns the scheduler's index of upstreams (a dense 0..COUNT-1 range that
    arrays are sized by), their names for logs and the mapping to and from
    the wire enum Balboard__Upstream. Pure tables, thread-safe.
    =========================================================================
*/
#ifndef BB_UPSTREAM_H_INCLUDED
#define BB_UPSTREAM_H_INCLUDED

#include <stdbool.h>

#include "balboard.pb-c.h"

typedef enum {
    BB_UPSTREAM_HIRO,           // Hiro Stacks API (and token metadata)
    BB_UPSTREAM_MEMPOOL,        // mempool.space
    BB_UPSTREAM_PRICE,          // CoinGecko simple price
    BB_UPSTREAM_COUNT
} bb_upstream_t;

//  Log name of upstream: "hiro", "mempool", "price".
const char *bb_upstream_name (bb_upstream_t upstream);

//  The wire enum of upstream.
Balboard__Upstream bb_upstream_to_wire (bb_upstream_t upstream);

//  The index of wire value upstream into *index. Returns 0, or -1 for
//  UPSTREAM_UNSPECIFIED and values this build does not know.
int bb_upstream_from_wire (Balboard__Upstream upstream, bb_upstream_t *index);

#endif
