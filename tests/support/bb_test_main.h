/*  =========================================================================
    bb_test_main - the main of a cmocka test program

    BB_TEST_MAIN (group_setup, group_teardown, tests...) defines main: it
    runs the tests given (cmocka_unit_test (name), ...) as one group with
    that setup and teardown (NULL for none) and returns the number that
    failed, which ctest reads as the exit status. Include it after
    cmocka.h.
    =========================================================================
*/
#ifndef BB_TEST_MAIN_H_INCLUDED
#define BB_TEST_MAIN_H_INCLUDED

#define BB_TEST_MAIN(group_setup, group_teardown, ...)                     \
int                                                                         \
main (void)                                                                 \
{                                                                           \
    const struct CMUnitTest tests [] = { __VA_ARGS__ };                     \
    return cmocka_run_group_tests (tests, group_setup, group_teardown);     \
}

#endif
