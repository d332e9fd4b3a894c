/*  =========================================================================
    fetcher_expect - the balances the fetcher tests expect

    The one place the fetcher tests turn text into a u128 and bb_mockdata's
    model of an agent into the balances a fetcher must report for it: the
    Hiro source (STX and every listed token, zeros included) and the
    mempool.space source (BTC). Failures are cmocka assertions.
    =========================================================================
*/
#ifndef FETCHER_EXPECT_H_INCLUDED
#define FETCHER_EXPECT_H_INCLUDED

#include "bb_balances.h"
#include "bb_u128.h"

//  The value of text, which must be a u128 in decimal.
bb_u128_t expect_u128 (const char *text);

//  Add to expected what the mock's Hiro holds for Stacks address stx.
void expect_hiro (const char *stx, bb_balances_t *expected);

//  Add to expected what the mock's mempool.space holds for Bitcoin
//  address btc.
void expect_btc (const char *btc, bb_balances_t *expected);

#endif
