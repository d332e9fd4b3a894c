/*  =========================================================================
    bb_sources - a set of upstreams a job asks, as a bit mask

    What the scheduler decides per dispatch (which balance sources a chunk
    job fetches, and whether it fetches the prices) and the budget and the
    job read back. A set is an unsigned with bit BB_SOURCE (upstream) per
    upstream; header only, pure.
    =========================================================================
*/
#ifndef BB_SOURCES_H_INCLUDED
#define BB_SOURCES_H_INCLUDED

#include <stdbool.h>

#include "bb_upstream.h"

//  The set holding upstream alone.
#define BB_SOURCE(upstream) (1u << (unsigned) (upstream))

//  The balance sources every chunk job fetches when none is paused.
#define BB_SOURCES_CHUNK (BB_SOURCE (BB_UPSTREAM_HIRO) \
                        | BB_SOURCE (BB_UPSTREAM_MEMPOOL))

//  Every upstream a chunk job asks: the balance sources and the prices.
#define BB_SOURCES_ALL (BB_SOURCES_CHUNK | BB_SOURCE (BB_UPSTREAM_PRICE))

//  True if sources holds upstream.
static inline bool
bb_sources_has (unsigned sources, bb_upstream_t upstream)
{
    return (sources & BB_SOURCE (upstream)) != 0;
}

#endif
