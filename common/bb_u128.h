/*  =========================================================================
    bb_u128 - unsigned 128-bit token amounts as decimal strings

    Token balances on Stacks are Clarity uints (u128). They travel as decimal
    strings on the wire and in JSON; this module is the one place that turns
    them into numbers and back. Parsing is strict: ASCII digits only, no sign,
    no spaces, no leading junk, at most 2^128-1. Leading zeros are accepted
    ("007" is 7) and formatting never emits them.
    =========================================================================
*/
#ifndef BB_U128_H_INCLUDED
#define BB_U128_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef unsigned __int128 bb_u128_t;

//  Longest decimal form of a u128 (39 digits) plus the terminating NUL.
#define BB_U128_DEC_SIZE 40

//  Parse the decimal string text into *value. Returns 0 on success, -1 if
//  text is NULL, empty, holds anything but digits, or exceeds 2^128-1; then
//  *reason (static, never NULL) says which and *value is untouched.
int bb_u128_parse (const char *text, bb_u128_t *value, const char **reason);

//  True if text parses as a u128.
bool bb_u128_valid (const char *text);

//  Format value as decimal into buf (at least BB_U128_DEC_SIZE bytes).
//  Returns buf.
char *bb_u128_format (bb_u128_t value, char *buf);

//  value / 10^decimals as a double (for display and USD valuation; loses
//  precision beyond 53 bits by design).
double bb_u128_to_units (bb_u128_t value, unsigned decimals);

//  USD value in micro-USD of amount (raw, with decimals) at price_micro
//  micro-USD per whole unit. Saturates at INT64_MAX; negative prices give 0.
long long bb_u128_usd_micro (bb_u128_t amount, unsigned decimals,
                             long long price_micro);

#endif
