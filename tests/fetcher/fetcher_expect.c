/*  =========================================================================
    fetcher_expect - the balances the fetcher tests expect

    Reads bb_mockdata, the mock upstream's deterministic data model, so
    the expectations are the mock's own values, not copies of them.
    =========================================================================
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fetcher_expect.h"
#include "bb_mockdata.h"
#include "bb_token_id.h"

#include <string.h>

bb_u128_t
expect_u128 (const char *text)
{
    bb_u128_t value;
    const char *reason;
    if (bb_u128_parse (text, &value, &reason))
        fail_msg ("'%s' is not a u128: %s", text, reason);
    return value;
}

void
expect_hiro (const char *stx, bb_balances_t *expected)
{
    bb_mock_hiro_t hiro;
    bb_mockdata_hiro (stx, &hiro);
    bb_balances_set (expected, BB_TOKEN_ID_STX,
                     expect_u128 (hiro.stx_balance));
    for (size_t index = 0; index < hiro.ft_count; index++)
        bb_balances_set (expected, hiro.ft [index].asset_id,
                         expect_u128 (hiro.ft [index].balance));
}

void
expect_btc (const char *btc, bb_balances_t *expected)
{
    bb_mock_btc_t stats;
    bb_mockdata_btc (btc, &stats);
    bb_balances_set (expected, BB_TOKEN_ID_BTC,
                     bb_mockdata_btc_balance (&stats));
}

void
expect_amount (bb_balances_t *expected, const char *token_id,
               const char *amount, const char *who)
{
    char wanted [BB_U128_DEC_SIZE];
    bb_u128_format (bb_balances_find (expected, token_id), wanted);
    if (strcmp (wanted, amount) != 0)
        fail_msg ("%s: %s is %s, expected %s", who, token_id, amount,
                  wanted);
}
