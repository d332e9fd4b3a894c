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

//  amount (decimal text), what a fetcher or the store gave for token_id,
//  must be what expected holds for it (0 if nothing); who names the
//  agent or source in the failure.
void expect_amount (bb_balances_t *expected, const char *token_id,
                    const char *amount, const char *who);

#endif
