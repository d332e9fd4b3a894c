/*  =========================================================================
    fuzz_upstream - every upstream JSON parser, on every body

    An upstream (or whatever answers at its address) controls the bodies
    the fetcher parses. Each input goes through each parser of
    bb_upstream_parse: Hiro v1 balances, v3 stx and ft pages, mempool.space
    address stats, CoinGecko prices and token metadata (as a 200, a 404
    and a 422). A parser must return 0 or -1 with a reason; what it
    accepts must hold only non-zero, well-formed positions, and a price
    must be non-negative. One target for all parsers: every seed body
    (tests/fixtures/upstream) exercises each of them.
    =========================================================================
*/
#include <string.h>

#include "fuzz_target.h"
#include "bb_upstream_parse.h"

#define REASON_SIZE 256

//  What every parser promises on a refusal, and on a success for the
//  positions it left in balances.
static void
s_check_outcome (int rc, const char *reason, bb_balances_t *balances)
{
    FUZZ_CHECK (rc == 0 || rc == -1);
    if (rc) {
        FUZZ_CHECK (reason [0]);
        return;
    }
    if (!balances)
        return;
    for (size_t i = 0; i < bb_balances_size (balances); i++) {
        FUZZ_CHECK (bb_balances_amount (balances, i) != 0);
        FUZZ_CHECK (bb_balances_token (balances, i) [0]);
    }
}

static void
s_parse_balances (const char *body, size_t size, bb_network_t network)
{
    bb_balances_t *balances = bb_balances_new ();
    char reason [REASON_SIZE] = "";
    int rc = bb_upstream_parse_hiro_v1 (body, size, network, balances,
                                        reason, sizeof reason);
    s_check_outcome (rc, reason, balances);

    bb_balances_clear (balances);
    reason [0] = '\0';
    rc = bb_upstream_parse_hiro_v3_stx (body, size, balances, reason,
                                        sizeof reason);
    s_check_outcome (rc, reason, balances);

    bb_balances_clear (balances);
    reason [0] = '\0';
    char *cursor = NULL;
    rc = bb_upstream_parse_hiro_v3_ft (body, size, network, balances,
                                       &cursor, reason, sizeof reason);
    s_check_outcome (rc, reason, balances);
    free (cursor);

    bb_balances_clear (balances);
    reason [0] = '\0';
    rc = bb_upstream_parse_mempool (body, size, balances, reason,
                                    sizeof reason);
    s_check_outcome (rc, reason, balances);
    bb_balances_destroy (&balances);
}

static void
s_parse_price (const char *body, size_t size)
{
    char reason [REASON_SIZE] = "";
    int64_t btc = -1, stx = -1;
    int rc = bb_upstream_parse_price (body, size, &btc, &stx, reason,
                                      sizeof reason);
    s_check_outcome (rc, reason, NULL);
    if (rc == 0)
        FUZZ_CHECK (btc >= 0 && stx >= 0);
}

static void
s_parse_token_meta (const char *body, size_t size)
{
    const long statuses [] = { 200, 404, 422 };
    for (size_t i = 0; i < sizeof statuses / sizeof statuses [0]; i++) {
        char reason [REASON_SIZE] = "";
        bb_token_meta_t meta;
        int rc = bb_upstream_parse_token_meta (statuses [i], body, size,
                                               &meta, reason, sizeof reason);
        s_check_outcome (rc, reason, NULL);
        if (rc == 0)
            FUZZ_CHECK (memchr (meta.symbol, '\0', sizeof meta.symbol));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const char *body = (const char *) data;
    s_parse_balances (body, size, BB_NETWORK_MAINNET);
    s_parse_balances (body, size, BB_NETWORK_TESTNET);
    s_parse_price (body, size);
    s_parse_token_meta (body, size);
    return 0;
}
