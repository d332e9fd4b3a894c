/*  =========================================================================
    bb_test_main - the main of a cmocka test program

    BB_TEST_MAIN (group_setup, group_teardown, tests...) defines main: it
    runs the tests given (cmocka_unit_test (name), ...) as one group with
    that setup and teardown (NULL for none) and returns the number that
    failed, which ctest reads as the exit status. BB_TEST_MAIN_CURL is
    the same with libcurl's global state set up around the group, for
    tests that speak HTTP from several threads. BB_TEST (name) is the test
    name run between the including file's s_setup and s_teardown, for
    files whose tests each get a fresh fixture. Include it after cmocka.h
    (and curl/curl.h for BB_TEST_MAIN_CURL).
    =========================================================================
*/
#ifndef BB_TEST_MAIN_H_INCLUDED
#define BB_TEST_MAIN_H_INCLUDED

#define BB_TEST(name)                                                      \
    cmocka_unit_test_setup_teardown (name, s_setup, s_teardown)

#define BB_TEST_MAIN(group_setup, group_teardown, ...)                     \
int                                                                         \
main (void)                                                                 \
{                                                                           \
    const struct CMUnitTest tests [] = { __VA_ARGS__ };                     \
    return cmocka_run_group_tests (tests, group_setup, group_teardown);     \
}

#define BB_TEST_MAIN_CURL(group_setup, group_teardown, ...)                \
int                                                                         \
main (void)                                                                 \
{                                                                           \
    curl_global_init (CURL_GLOBAL_DEFAULT);                                 \
    const struct CMUnitTest tests [] = { __VA_ARGS__ };                     \
    int failed = cmocka_run_group_tests (tests, group_setup,                \
                                         group_teardown);                   \
    curl_global_cleanup ();                                                 \
    return failed;                                                          \
}

#endif
