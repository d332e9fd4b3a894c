/*  test_u128 - token amounts: strict decimal parsing at the 64- and 128-bit
    edges, formatting and round trips, and the two lossy views (whole units
    as a double, USD in micro-USD with rounding and saturation). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include "bb_u128.h"

#define U128_MAX      (~(bb_u128_t) 0)
#define U128_2_POW_64 ((bb_u128_t) 1 << 64)
#define U128_MAX_DEC  "340282366920938463463374607431768211455"

//  Parse text, require success, return the value.
static bb_u128_t
s_parse_ok (const char *text)
{
    bb_u128_t value = 0;
    const char *reason = NULL;
    assert_int_equal (bb_u128_parse (text, &value, &reason), 0);
    assert_null (reason);
    assert_true (bb_u128_valid (text));
    return value;
}

//  Parse text, require failure with reason, and *value left untouched.
static void
s_parse_fails (const char *text, const char *expected_reason)
{
    bb_u128_t value = 42;
    const char *reason = NULL;
    assert_int_equal (bb_u128_parse (text, &value, &reason), -1);
    assert_non_null (reason);
    assert_string_equal (reason, expected_reason);
    assert_true (value == 42);
    assert_false (bb_u128_valid (text));
}

//  Relative difference of two doubles, without libm.
static bool
s_close (double actual, double expected, double tolerance)
{
    double diff = actual - expected;
    if (diff < 0)
        diff = -diff;
    double scale = expected < 0? -expected: expected;
    return diff <= tolerance * (scale > 1? scale: 1);
}

static void
test_parse_small (void **state)
{
    assert_true (s_parse_ok ("0") == 0);
    assert_true (s_parse_ok ("1") == 1);
    assert_true (s_parse_ok ("9") == 9);
    assert_true (s_parse_ok ("150000000") == 150000000);
}

static void
test_parse_64_bit_edge (void **state)
{
    assert_true (s_parse_ok ("18446744073709551615") == U128_2_POW_64 - 1);
    assert_true (s_parse_ok ("18446744073709551616") == U128_2_POW_64);
    assert_true (s_parse_ok ("18446744073709551617") == U128_2_POW_64 + 1);
}

static void
test_parse_128_bit_edge (void **state)
{
    assert_true (s_parse_ok (U128_MAX_DEC) == U128_MAX);
    assert_true (s_parse_ok ("340282366920938463463374607431768211454")
                 == U128_MAX - 1);
    //  2^128 and everything past it
    s_parse_fails ("340282366920938463463374607431768211456", "overflow");
    s_parse_fails ("340282366920938463463374607431768211465", "overflow");
    s_parse_fails ("340282366920938463463374607431768212455", "overflow");
    s_parse_fails ("999999999999999999999999999999999999999", "overflow");
    //  40 digits
    s_parse_fails ("1000000000000000000000000000000000000000", "overflow");
    s_parse_fails ("3402823669209384634633746074317682114550", "overflow");
}

static void
test_parse_leading_zeros (void **state)
{
    assert_true (s_parse_ok ("00") == 0);
    assert_true (s_parse_ok ("007") == 7);
    assert_true (s_parse_ok ("0018446744073709551616") == U128_2_POW_64);
    //  Leading zeros do not count towards the 39 digits
    assert_true (s_parse_ok ("00000000000000000000" U128_MAX_DEC) == U128_MAX);
    s_parse_fails ("00000000000000000000"
                   "340282366920938463463374607431768211456", "overflow");
}

static void
test_parse_rejects_junk (void **state)
{
    s_parse_fails ("", "empty");
    s_parse_fails (" 1", "not a digit");
    s_parse_fails ("1 ", "not a digit");
    s_parse_fails ("+1", "not a digit");
    s_parse_fails ("-1", "not a digit");
    s_parse_fails ("1a", "not a digit");
    s_parse_fails ("0x10", "not a digit");
    s_parse_fails ("1.5", "not a digit");
    s_parse_fails ("1e6", "not a digit");
    s_parse_fails ("\xd9\xa1", "not a digit");     //  Arabic-Indic one

    bb_u128_t value = 42;
    const char *reason = NULL;
    assert_int_equal (bb_u128_parse (NULL, &value, &reason), -1);
    assert_string_equal (reason, "null");
    assert_true (value == 42);
    assert_false (bb_u128_valid (NULL));
}

static void
test_format (void **state)
{
    char buf [BB_U128_DEC_SIZE];
    assert_ptr_equal (bb_u128_format (0, buf), buf);
    assert_string_equal (buf, "0");
    assert_string_equal (bb_u128_format (1, buf), "1");
    assert_string_equal (bb_u128_format (10, buf), "10");
    assert_string_equal (bb_u128_format (U128_2_POW_64 - 1, buf),
                         "18446744073709551615");
    assert_string_equal (bb_u128_format (U128_2_POW_64, buf),
                         "18446744073709551616");
    assert_string_equal (bb_u128_format (U128_MAX, buf), U128_MAX_DEC);
    assert_int_equal (strlen (buf), BB_U128_DEC_SIZE - 1);
    //  Formatting never emits the leading zeros parsing accepts
    assert_string_equal (bb_u128_format (s_parse_ok ("000120"), buf), "120");
}

//  Every power of two and of ten, and their neighbours, survive
//  format -> parse -> format.
static void
test_round_trip (void **state)
{
    char buf [BB_U128_DEC_SIZE];
    char again [BB_U128_DEC_SIZE];
    size_t checked = 0;
    for (int shift = 0; shift < 128; shift++) {
        bb_u128_t base = (bb_u128_t) 1 << shift;
        bb_u128_t values [] = { base - 1, base, base + 1 };
        for (size_t i = 0; i < sizeof (values) / sizeof (values [0]); i++) {
            bb_u128_format (values [i], buf);
            assert_true (s_parse_ok (buf) == values [i]);
            assert_string_equal (bb_u128_format (s_parse_ok (buf), again),
                                 buf);
            checked++;
        }
    }
    bb_u128_t power = 1;
    for (int digits = 1; digits <= 39; digits++) {
        bb_u128_format (power, buf);
        assert_int_equal (strlen (buf), digits);
        assert_true (s_parse_ok (buf) == power);
        bb_u128_format (power - 1, buf);
        assert_true (s_parse_ok (buf) == power - 1);
        checked += 2;
        if (digits < 39)
            power *= 10;
    }
    assert_int_equal (checked, 128 * 3 + 39 * 2);
}

static void
test_to_units (void **state)
{
    assert_true (bb_u128_to_units (0, 8) == 0.0);
    assert_true (bb_u128_to_units (150000000, 8) == 1.5);
    assert_true (bb_u128_to_units (100000000, 8) == 1.0);
    assert_true (bb_u128_to_units (2500000, 6) == 2.5);
    assert_true (bb_u128_to_units (12345, 0) == 12345.0);
    assert_true (s_close (bb_u128_to_units (1, 6), 1e-6, 1e-15));
    assert_true (s_close (bb_u128_to_units (1, 8), 1e-8, 1e-15));
    assert_true (s_close (bb_u128_to_units (U128_2_POW_64, 0),
                          18446744073709551616.0, 1e-15));
    assert_true (s_close (bb_u128_to_units (U128_MAX, 0),
                          3.402823669209385e38, 1e-15));
    assert_true (s_close (bb_u128_to_units (U128_MAX, 38),
                          3.402823669209385, 1e-15));
    //  An absurd decimals count gives 0, not a NaN or a hang
    assert_true (bb_u128_to_units (U128_MAX, 100000) == 0.0);
    assert_true (bb_u128_to_units (U128_MAX, UINT32_MAX) == 0.0);
}

static void
test_usd_micro (void **state)
{
    //  1 BTC at $67,187.335893 is exactly the price
    assert_int_equal (bb_u128_usd_micro (100000000, 8, 67187335893LL),
                      67187335893LL);
    //  1.5 BTC: 100781003839.5 micro-USD, rounded half away from zero
    assert_int_equal (bb_u128_usd_micro (150000000, 8, 67187335893LL),
                      100781003840LL);
    //  1 sat at the same price: 671.87335893 micro-USD
    assert_int_equal (bb_u128_usd_micro (1, 8, 67187335893LL), 672);
    //  2.5 STX at $0.62
    assert_int_equal (bb_u128_usd_micro (2500000, 6, 620000), 1550000);
    //  1e12 units of an 18-decimal token at $1: the product (1e36) is not
    //  exact in long double, the rounded result still is
    bb_u128_t wei = s_parse_ok ("1000000000000000000000000000000");
    assert_int_equal (bb_u128_usd_micro (wei, 18, 1000000),
                      1000000000000000000LL);
    //  Less than half a micro-USD rounds to 0
    assert_int_equal (bb_u128_usd_micro (1, 8, 1000000), 0);
}

static void
test_usd_micro_edges (void **state)
{
    assert_int_equal (bb_u128_usd_micro (0, 8, 67187335893LL), 0);
    assert_int_equal (bb_u128_usd_micro (150000000, 8, 0), 0);
    assert_int_equal (bb_u128_usd_micro (150000000, 8, -1), 0);
    assert_int_equal (bb_u128_usd_micro (150000000, 8, INT64_MIN), 0);
    //  Saturation
    assert_int_equal (bb_u128_usd_micro (U128_MAX, 8, 67187335893LL),
                      INT64_MAX);
    assert_int_equal (bb_u128_usd_micro (U128_MAX, 0, INT64_MAX), INT64_MAX);
    assert_int_equal (bb_u128_usd_micro (U128_2_POW_64, 0, 1), INT64_MAX);
    assert_int_equal (bb_u128_usd_micro ((bb_u128_t) INT64_MAX, 0, 1),
                      INT64_MAX);
    //  Just below saturation stays exact
    assert_int_equal (bb_u128_usd_micro ((bb_u128_t) 1 << 62, 0, 1),
                      (long long) 1 << 62);
    //  Huge decimals divide down to 0
    assert_int_equal (bb_u128_usd_micro (U128_MAX, 100000, INT64_MAX), 0);
    assert_int_equal (bb_u128_usd_micro (U128_MAX, UINT32_MAX, INT64_MAX), 0);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test (test_parse_small),
        cmocka_unit_test (test_parse_64_bit_edge),
        cmocka_unit_test (test_parse_128_bit_edge),
        cmocka_unit_test (test_parse_leading_zeros),
        cmocka_unit_test (test_parse_rejects_junk),
        cmocka_unit_test (test_format),
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_to_units),
        cmocka_unit_test (test_usd_micro),
        cmocka_unit_test (test_usd_micro_edges))
