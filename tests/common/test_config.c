/*  test_config - flags, environment, defaults, bounds and secrets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include "bb_config.h"

static const bb_option_t s_options [] = {
    { "bind", "TEST_BB_BIND", BB_OPT_STRING, "tcp://127.0.0.1:7701", 0, 0,
      false, "where to bind" },
    { "chunk-size", "TEST_BB_CHUNK", BB_OPT_INT, "100", 1, 1000, false,
      "agents per job" },
    { "gone", NULL, BB_OPT_BOOL, "false", 0, 0, false, "a switch" },
    { "api-key", "TEST_BB_KEY", BB_OPT_STRING, "", 0, 0, true, "a secret" },
    BB_OPTION_LOG_LEVEL,
};
#define OPTION_COUNT (sizeof s_options / sizeof *s_options)

static const char *
s_made_up_version (void)
{
    return "9.8.7";
}

static const bb_library_t s_libraries [] = { { "libtest", s_made_up_version } };

static const bb_program_t s_program = {
    "t", "test", s_options, OPTION_COUNT, s_libraries, 1, NULL, NULL
};

static int
s_load (bb_config_t *config, int argc, const char **argv)
{
    return bb_config_load (config, argc, (char **) argv);
}

static int
s_setup (void **state)
{
    unsetenv ("TEST_BB_BIND");
    unsetenv ("TEST_BB_CHUNK");
    unsetenv ("TEST_BB_KEY");
    unsetenv ("BALBOARD_LOG_LEVEL");
    return 0;
}

static void
test_defaults (void **state)
{
    bb_config_t *config = bb_config_new (&s_program);
    const char *argv [] = { "t" };
    assert_int_equal (s_load (config, 1, argv), 0);
    assert_string_equal (bb_config_str (config, "bind"),
                         "tcp://127.0.0.1:7701");
    assert_int_equal (bb_config_int (config, "chunk-size"), 100);
    assert_false (bb_config_bool (config, "gone"));
    assert_false (bb_config_is_set (config, "bind"));
    assert_int_equal (bb_config_positional_count (config), 0);
    bb_config_destroy (&config);
    assert_null (config);
    bb_config_destroy (&config);        // NULL-safe
}

static void
test_flag_wins_over_env (void **state)
{
    setenv ("TEST_BB_BIND", "tcp://env:1", 1);
    setenv ("TEST_BB_CHUNK", "250", 1);
    bb_config_t *config = bb_config_new (&s_program);
    const char *argv [] = { "t", "--bind", "tcp://flag:2", "--gone",
                            "agents", "import", "--", "--not-a-flag" };
    assert_int_equal (s_load (config, 8, argv), 0);
    assert_string_equal (bb_config_str (config, "bind"), "tcp://flag:2");
    assert_int_equal (bb_config_int (config, "chunk-size"), 250);
    assert_true (bb_config_is_set (config, "chunk-size"));
    assert_true (bb_config_bool (config, "gone"));
    assert_int_equal (bb_config_positional_count (config), 3);
    assert_string_equal (bb_config_positional (config, 0), "agents");
    assert_string_equal (bb_config_positional (config, 2), "--not-a-flag");
    assert_null (bb_config_positional (config, 3));
    bb_config_destroy (&config);
}

static void
test_equals_form (void **state)
{
    bb_config_t *config = bb_config_new (&s_program);
    const char *argv [] = { "t", "--chunk-size=7", "--gone=no" };
    assert_int_equal (s_load (config, 3, argv), 0);
    assert_int_equal (bb_config_int (config, "chunk-size"), 7);
    assert_false (bb_config_bool (config, "gone"));
    bb_config_destroy (&config);
}

static void
s_expect_usage_error (int argc, const char **argv)
{
    bb_config_t *config = bb_config_new (&s_program);
    assert_int_equal (s_load (config, argc, argv), -1);
    bb_config_destroy (&config);
}

static void
test_bad_values (void **state)
{
    s_expect_usage_error (3, (const char *[]) { "t", "--chunk-size", "12x" });
    s_expect_usage_error (3, (const char *[]) { "t", "--chunk-size", "0" });
    s_expect_usage_error (3, (const char *[]) { "t", "--chunk-size", "1001" });
    s_expect_usage_error (2, (const char *[]) { "t", "--chunk-size" });
    s_expect_usage_error (2, (const char *[]) { "t", "--no-such-flag" });
    s_expect_usage_error (2, (const char *[]) { "t", "--gone=maybe" });
    s_expect_usage_error (3, (const char *[]) { "t", "--log-level", "loud" });
    setenv ("TEST_BB_CHUNK", "many", 1);
    s_expect_usage_error (1, (const char *[]) { "t" });
}

//  What print (config, stream) writes. Caller frees the text.
static char *
s_printed (bb_config_t *config,
           void (*print) (bb_config_t *config, FILE *stream))
{
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);
    assert_non_null (stream);
    print (config, stream);
    fclose (stream);
    return text;
}

//  Require text to contain each of the count parts.
static void
s_assert_contains_all (const char *text, const char *const parts [],
                       size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!strstr (text, parts [i]))
            fail_msg ("'%s' not in:\n%s", parts [i], text);
}

static void
test_help (void **state)
{
    bb_config_t *config = bb_config_new (&s_program);
    const char *argv [] = { "t", "--help" };
    assert_int_equal (s_load (config, 2, argv), 1);
    setenv ("TEST_BB_KEY", "hunter2-secret", 1);
    char *text = s_printed (config, bb_config_print_help);
    const char *const parts [] = {
        "--chunk-size N", "env: TEST_BB_CHUNK", "default: 100",
    };
    s_assert_contains_all (text, parts, 3);
    assert_null (strstr (text, "hunter2"));
    free (text);
    bb_config_destroy (&config);
}

//  --version: the program and build, the protocol, libzmq, czmq and the
//  program's own libraries, one per line.
static void
test_version (void **state)
{
    bb_config_t *config = bb_config_new (&s_program);
    char *text = s_printed (config, bb_config_print_version);
    char build [BB_VERSION_TEXT_SIZE], first [BB_VERSION_TEXT_SIZE + 8];
    snprintf (first, sizeof first, "t %s\n", bb_version_text (build));
    assert_memory_equal (text, first, strlen (first));
    assert_non_null (strstr (build, bb_version ()));
    const char *const parts [] = {
        "\nprotocol 1\n", "\nlibzmq 4.", "\nczmq 4.", "\nlibtest 9.8.7\n",
    };
    s_assert_contains_all (text, parts, 4);
    free (text);
    bb_config_destroy (&config);
}

//  bb_config_start: a config to run with, or the exit code to leave with.
static void
test_start (void **state)
{
    int exit_code = -1;
    const char *good [] = { "t", "--chunk-size", "7" };
    bb_config_t *config = bb_config_start (&s_program, 3, (char **) good,
                                           &exit_code);
    assert_non_null (config);
    assert_int_equal (bb_config_int (config, "chunk-size"), 7);
    bb_config_destroy (&config);
    const char *help [] = { "t", "--help" };
    assert_null (bb_config_start (&s_program, 2, (char **) help,
                                  &exit_code));
    assert_int_equal (exit_code, 0);
    exit_code = -1;
    const char *version [] = { "t", "--version" };
    assert_null (bb_config_start (&s_program, 2, (char **) version,
                                  &exit_code));
    assert_int_equal (exit_code, 0);
    const char *bad [] = { "t", "--chunk-size", "0" };
    assert_null (bb_config_start (&s_program, 3, (char **) bad, &exit_code));
    assert_int_equal (exit_code, BB_CONFIG_EXIT_USAGE);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test_setup (test_defaults, s_setup),
        cmocka_unit_test_setup (test_flag_wins_over_env, s_setup),
        cmocka_unit_test_setup (test_equals_form, s_setup),
        cmocka_unit_test_setup (test_bad_values, s_setup),
        cmocka_unit_test_setup (test_help, s_setup),
        cmocka_unit_test_setup (test_version, s_setup),
        cmocka_unit_test_setup (test_start, s_setup))
