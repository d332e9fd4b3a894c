/*  =========================================================================
    bb_u128 - unsigned 128-bit token amounts as decimal strings

    Owns the conversion between the decimal strings that carry Clarity uints
    (on the wire, in JSON, in the store) and bb_u128_t, plus the two lossy
    views of an amount: whole units as a double, and a USD value in
    micro-USD. Parsing is strict and checks for overflow digit by digit, so
    an out-of-range balance is rejected, never wrapped. Pure functions: no
    allocation, no state, thread-safe.
    =========================================================================
*/
#include "bb_u128.h"

#include <stdint.h>

//  The largest u128, 2^128-1.
#define BB_U128_MAX (~(bb_u128_t) 0)

//  ---------------------------------------------------------------------------
//  Parse the decimal string text into *value

int
bb_u128_parse (const char *text, bb_u128_t *value, const char **reason)
{
    const char *why = NULL;
    bb_u128_t result = 0;

    if (!text)
        why = "null";
    else
    if (*text == '\0')
        why = "empty";
    else {
        for (const char *p = text; *p && !why; p++) {
            if (*p < '0' || *p > '9')
                why = "not a digit";
            else {
                unsigned digit = (unsigned) (*p - '0');
                if (result > (BB_U128_MAX - digit) / 10)
                    why = "overflow";
                else
                    result = result * 10 + digit;
            }
        }
    }
    if (why) {
        if (reason)
            *reason = why;
        return -1;
    }
    if (value)
        *value = result;
    return 0;
}


//  ---------------------------------------------------------------------------
//  True if text parses as a u128

bool
bb_u128_valid (const char *text)
{
    return bb_u128_parse (text, NULL, NULL) == 0;
}


//  ---------------------------------------------------------------------------
//  Format value as decimal into buf; returns buf

char *
bb_u128_format (bb_u128_t value, char *buf)
{
    //  Digits come out least significant first; build them at the end of
    //  a scratch buffer, then copy forward.
    char digits [BB_U128_DEC_SIZE];
    size_t pos = sizeof (digits) - 1;
    digits [pos] = '\0';
    while (value > UINT64_MAX) {
        digits [--pos] = (char) ('0' + (unsigned) (value % 10));
        value /= 10;
    }
    //  The rest in 64 bits: a 128-bit division is a library call
    uint64_t low = (uint64_t) value;
    do {
        digits [--pos] = (char) ('0' + (unsigned) (low % 10));
        low /= 10;
    } while (low);

    size_t len = sizeof (digits) - pos;     //  Includes the NUL
    for (size_t i = 0; i < len; i++)
        buf [i] = digits [pos + i];
    return buf;
}


//  ---------------------------------------------------------------------------
//  10^exponent as a long double, by squaring. Exact up to 10^27 (5^27 fits
//  the 64-bit mantissa); becomes infinity past the long double range, which
//  makes every quotient by it 0.

static long double
s_pow10l (unsigned exponent)
{
    long double result = 1.0L;
    long double base = 10.0L;
    while (exponent) {
        if (exponent & 1)
            result *= base;
        base *= base;
        exponent >>= 1;
    }
    return result;
}


//  ---------------------------------------------------------------------------
//  value / 10^decimals as a double

double
bb_u128_to_units (bb_u128_t value, unsigned decimals)
{
    return (double) ((long double) value / s_pow10l (decimals));
}


//  ---------------------------------------------------------------------------
//  USD value in micro-USD of amount at price_micro micro-USD per whole unit.
//  Computed as amount * price_micro / 10^decimals in long double (64-bit
//  mantissa: exact while the product stays below 2^64), then rounded to the
//  nearest micro-USD, halves away from zero. Rounding, not truncation, so
//  that a product that is inexact in long double cannot turn an integral
//  result N into N-1.

long long
bb_u128_usd_micro (bb_u128_t amount, unsigned decimals, long long price_micro)
{
    if (price_micro <= 0 || amount == 0)
        return 0;

    long double usd = (long double) amount * (long double) price_micro
                    / s_pow10l (decimals);
    usd += 0.5L;
    if (usd >= (long double) INT64_MAX)
        return INT64_MAX;
    return (long long) usd;
}
