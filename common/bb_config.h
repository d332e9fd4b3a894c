/*  =========================================================================
    bb_config - settings from flags and the environment

    Each binary declares a table of options. Every option is a flag
    (--name value or --name=value) and may have an environment variable of
    the same meaning; the flag wins, then the environment, then the default.
    --help prints the table (flag, variable, default, meaning) and is the
    binary's manual; --version prints the build and the libraries it runs
    with (bb_version). Integers are checked whole and against their bounds.
    Options marked secret are never printed with their value.
    Arguments that are not options are kept, in order, as positionals.
    =========================================================================
*/
#ifndef BB_CONFIG_H_INCLUDED
#define BB_CONFIG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "bb_version.h"

typedef enum {
    BB_OPT_STRING,
    BB_OPT_INT,
    BB_OPT_BOOL,      // a bare flag; env "1"/"true"/"yes" or "0"/"false"/"no"
} bb_option_type_t;

typedef struct {
    const char *name;           // flag without dashes: "ingest-bind"
    const char *env;            // "BALBOARD_INGEST_BIND", or NULL
    bb_option_type_t type;
    const char *default_value;  // as text; NULL = unset
    long long min, max;         // bounds for BB_OPT_INT (both 0 = none)
    bool secret;                // never print the value
    const char *help;
} bb_option_t;

//  An integer option within [min, max] (both 0: unbounded).
#define BB_OPTION_INT(name, env, fallback, min, max, help) \
    { name, env, BB_OPT_INT, fallback, min, max, false, help }

//  A string option; a NULL fallback leaves it unset.
#define BB_OPTION_STRING(name, env, fallback, help) \
    { name, env, BB_OPT_STRING, fallback, 0, 0, false, help }

//  A static array and its length, for bb_program_t's tables.
#define BB_TABLE(array) array, sizeof array / sizeof array [0]

//  Every daemon takes --health: what it asks is in help.
#define BB_OPTION_HEALTH(help) \
    { "health", NULL, BB_OPT_BOOL, "false", 0, 0, false, help }

//  Every binary takes --log-level / BALBOARD_LOG_LEVEL.
#define BB_OPTION_LOG_LEVEL \
    { "log-level", "BALBOARD_LOG_LEVEL", BB_OPT_STRING, "info", 0, 0, false, \
      "lowest log level written: debug, info, warn, error" }

typedef struct _bb_config_t bb_config_t;

//  What a binary is, for its --help and --version, and what its main runs
//  once the config is loaded (bb_main). A static constant.
typedef struct {
    const char *name;               // "balboard-store"
    const char *summary;            // what it does, for --help
    const bb_option_t *options;     // its option table, a static array
    size_t option_count;
    const bb_library_t *libraries;  // linked beyond libzmq and czmq
    size_t library_count;
    int (*health) (bb_config_t *config);    // --health: 0 healthy, 1 not
    int (*run) (bb_config_t *config);       // the process; its exit code
} bb_program_t;

#define BB_CONFIG_EXIT_USAGE 64     // EX_USAGE: a bad flag or value

//  Create a configuration for program (borrowed; it must outlive the
//  config: a static constant).
bb_config_t *bb_config_new (const bb_program_t *program);

//  Destroy the configuration and set *self_p to NULL. NULL-safe.
void bb_config_destroy (bb_config_t **self_p);

//  Read argv, then the environment. Returns 0 when loaded, 1 when --help
//  or --version was printed to stdout (exit 0), -1 on a bad flag or value (the error and
//  a hint were printed to stderr; exit 64, EX_USAGE).
int bb_config_load (bb_config_t *self, int argc, char **argv);

//  What a binary's main does first: bb_config_new, then bb_config_load.
//  Returns the loaded config, or NULL when the process is to exit at once
//  with *exit_code: 0 after --help or --version, BB_CONFIG_EXIT_USAGE
//  after a bad flag.
bb_config_t *bb_config_start (const bb_program_t *program, int argc,
                              char **argv, int *exit_code);

//  Value of option name; the string is owned by the config. Asserts that
//  name is in the table with that type (a programmer error otherwise).
const char *bb_config_str (bb_config_t *self, const char *name);
long long bb_config_int (bb_config_t *self, const char *name);
bool bb_config_bool (bb_config_t *self, const char *name);

//  True if the option was given by flag or environment (not defaulted).
bool bb_config_is_set (bb_config_t *self, const char *name);

//  Positional arguments, in order; strings owned by the config.
size_t bb_config_positional_count (bb_config_t *self);
const char *bb_config_positional (bb_config_t *self, size_t index);

//  Print the manual (used by --help) to stream.
void bb_config_print_help (bb_config_t *self, FILE *stream);

//  Print the --version text (bb_version_print) to stream.
void bb_config_print_version (bb_config_t *self, FILE *stream);

//  Log one "config" event listing every option; secrets show as "set" or
//  "unset", never their value. Also applies --log-level to bb_log.
void bb_config_log (bb_config_t *self);

#endif
