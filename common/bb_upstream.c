/*  =========================================================================
    bb_upstream - the upstreams every process names the same way
    =========================================================================
*/
#include "bb_upstream.h"

#include <assert.h>

static const char *s_names [BB_UPSTREAM_COUNT] = {
    "hiro", "mempool", "price", "registry"
};

static const char *s_labels [BB_UPSTREAM_COUNT] = {
    "hiro", "mempool.space", "price", "registry"
};

static const Balboard__Upstream s_wire [BB_UPSTREAM_COUNT] = {
    BALBOARD__UPSTREAM__UPSTREAM_HIRO,
    BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL,
    BALBOARD__UPSTREAM__UPSTREAM_PRICE,
    BALBOARD__UPSTREAM__UPSTREAM_REGISTRY
};

const char *
bb_upstream_name (bb_upstream_t upstream)
{
    assert (upstream < BB_UPSTREAM_COUNT);
    return s_names [upstream];
}

const char *
bb_upstream_label (bb_upstream_t upstream)
{
    assert (upstream < BB_UPSTREAM_COUNT);
    return s_labels [upstream];
}

const char *
bb_upstream_wire_label (Balboard__Upstream upstream)
{
    bb_upstream_t index;
    return bb_upstream_from_wire (upstream, &index) ? "unknown"
                                                    : s_labels [index];
}

bool
bb_upstream_is_source (bb_upstream_t upstream)
{
    return upstream < BB_UPSTREAM_SOURCES;
}

Balboard__Upstream
bb_upstream_to_wire (bb_upstream_t upstream)
{
    assert (upstream < BB_UPSTREAM_COUNT);
    return s_wire [upstream];
}

int
bb_upstream_from_wire (Balboard__Upstream upstream, bb_upstream_t *index)
{
    for (int i = 0; i < BB_UPSTREAM_COUNT; i++)
        if (s_wire [i] == upstream) {
            *index = (bb_upstream_t) i;
            return 0;
        }
    return -1;
}
