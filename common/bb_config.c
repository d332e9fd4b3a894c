/*  =========================================================================
    bb_config - settings from flags and the environment

    Owns the parsed values of one binary's option table. Resolution order
    per option: flag, then environment variable, then default. Values are
    copied; the table is borrowed.
    =========================================================================
*/
#include "bb_config.h"
#include "bb_log.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum {
    SOURCE_DEFAULT,
    SOURCE_ENV,
    SOURCE_FLAG,
} value_source_t;

struct _bb_config_t {
    const bb_program_t *descriptor; // what the binary is, borrowed
    const char *program;            // its name, borrowed from descriptor
    const bb_option_t *options;     // the table, borrowed
    size_t count;                   // options in the table
    char **values;                  // resolved text per option, owned
    value_source_t *sources;        // where each value came from
    char **positionals;             // non-option arguments, owned
    size_t positional_count;
};

bb_config_t *
bb_config_new (const bb_program_t *program)
{
    assert (program);
    bb_config_t *self = calloc (1, sizeof *self);
    assert (self);
    self->descriptor = program;
    self->program = program->name;
    self->options = program->options;
    self->count = program->option_count;
    self->values = calloc (self->count, sizeof *self->values);
    self->sources = calloc (self->count, sizeof *self->sources);
    assert (self->values && self->sources);
    return self;
}

void
bb_config_destroy (bb_config_t **self_p)
{
    assert (self_p);
    bb_config_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        free (self->values [i]);
    for (size_t i = 0; i < self->positional_count; i++)
        free (self->positionals [i]);
    free (self->values);
    free (self->sources);
    free (self->positionals);
    free (self);
    *self_p = NULL;
}

static const bb_option_t *
s_find (bb_config_t *self, const char *name, size_t name_len, size_t *index)
{
    for (size_t i = 0; i < self->count; i++)
        if (strlen (self->options [i].name) == name_len
        &&  strncmp (self->options [i].name, name, name_len) == 0) {
            *index = i;
            return &self->options [i];
        }
    return NULL;
}

static void
s_set (bb_config_t *self, size_t index, const char *text,
       value_source_t source)
{
    free (self->values [index]);
    self->values [index] = text ? strdup (text) : NULL;
    self->sources [index] = source;
}

static int
s_parse_bool (const char *text, bool *value)
{
    static const char *truths [] = { "1", "true", "yes", "on" };
    static const char *falsehoods [] = { "0", "false", "no", "off" };
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp (text, truths [i]) == 0) {
            *value = true;
            return 0;
        }
        if (strcasecmp (text, falsehoods [i]) == 0) {
            *value = false;
            return 0;
        }
    }
    return -1;
}

static int
s_parse_int (const char *text, long long *value)
{
    if (!text || !*text)
        return -1;
    char *end;
    errno = 0;
    long long parsed = strtoll (text, &end, 10);
    if (errno || *end != '\0')
        return -1;
    *value = parsed;
    return 0;
}

//  Check one option's resolved value. Returns 0 or -1 (printed).
static int
s_check (bb_config_t *self, size_t index)
{
    const bb_option_t *option = &self->options [index];
    const char *text = self->values [index];
    if (!text)
        return 0;
    const char *origin = self->sources [index] == SOURCE_ENV
                       ? option->env : option->name;
    if (option->type == BB_OPT_INT) {
        long long value;
        if (s_parse_int (text, &value)) {
            fprintf (stderr, "%s: %s: not an integer: '%s'\n",
                     self->program, origin, text);
            return -1;
        }
        if ((option->min || option->max)
        &&  (value < option->min || value > option->max)) {
            fprintf (stderr, "%s: %s: %lld is out of range %lld..%lld\n",
                     self->program, origin, value, option->min, option->max);
            return -1;
        }
    }
    if (option->type == BB_OPT_BOOL) {
        bool value;
        if (s_parse_bool (text, &value)) {
            fprintf (stderr, "%s: %s: not a boolean: '%s'\n",
                     self->program, origin, text);
            return -1;
        }
    }
    return 0;
}

//  The shared --log-level option must name a level.
static int
s_check_log_level (bb_config_t *self)
{
    size_t index = 0;
    bb_log_level_t level;
    if (!s_find (self, "log-level", strlen ("log-level"), &index)
    ||  bb_log_level_parse (self->values [index], &level) == 0)
        return 0;
    fprintf (stderr, "%s: log-level: '%s' is not debug, info, warn or error\n",
             self->program, self->values [index]);
    return -1;
}

static void
s_add_positional (bb_config_t *self, const char *arg)
{
    char **grown = realloc (self->positionals,
                            (self->positional_count + 1) * sizeof *grown);
    assert (grown);
    self->positionals = grown;
    self->positionals [self->positional_count++] = strdup (arg);
}

//  Parse one "--name[=value]" at argv[*at]. Returns 0, 1 (help) or -1.
static int
s_parse_flag (bb_config_t *self, int argc, char **argv, int *at)
{
    const char *arg = argv [*at] + 2;
    if (strcmp (arg, "help") == 0) {
        bb_config_print_help (self, stdout);
        return 1;
    }
    if (strcmp (arg, "version") == 0) {
        bb_config_print_version (self, stdout);
        return 1;
    }
    const char *equals = strchr (arg, '=');
    size_t name_len = equals ? (size_t) (equals - arg) : strlen (arg);
    size_t index = 0;
    const bb_option_t *option = s_find (self, arg, name_len, &index);
    if (!option) {
        fprintf (stderr, "%s: unknown option '%s' (see --help)\n",
                 self->program, argv [*at]);
        return -1;
    }
    const char *value = equals ? equals + 1 : NULL;
    if (!value && option->type == BB_OPT_BOOL)
        value = "true";
    if (!value) {
        if (*at + 1 >= argc) {
            fprintf (stderr, "%s: option --%s needs a value (see --help)\n",
                     self->program, option->name);
            return -1;
        }
        value = argv [++*at];
    }
    s_set (self, index, value, SOURCE_FLAG);
    return 0;
}

int
bb_config_load (bb_config_t *self, int argc, char **argv)
{
    assert (self);
    for (size_t i = 0; i < self->count; i++) {
        const char *env = self->options [i].env
                        ? getenv (self->options [i].env) : NULL;
        if (env)
            s_set (self, i, env, SOURCE_ENV);
        else
            s_set (self, i, self->options [i].default_value, SOURCE_DEFAULT);
    }
    bool options_done = false;
    for (int at = 1; at < argc; at++) {
        if (!options_done && strcmp (argv [at], "--") == 0)
            options_done = true;
        else
        if (!options_done && strncmp (argv [at], "--", 2) == 0) {
            int rc = s_parse_flag (self, argc, argv, &at);
            if (rc)
                return rc;
        }
        else
        if (!options_done && strcmp (argv [at], "-h") == 0) {
            bb_config_print_help (self, stdout);
            return 1;
        }
        else
            s_add_positional (self, argv [at]);
    }
    for (size_t i = 0; i < self->count; i++)
        if (s_check (self, i))
            return -1;
    return s_check_log_level (self);
}

bb_config_t *
bb_config_start (const bb_program_t *program, int argc, char **argv,
                 int *exit_code)
{
    assert (exit_code);
    bb_config_t *self = bb_config_new (program);
    int rc = bb_config_load (self, argc, argv);
    if (rc) {
        bb_config_destroy (&self);
        *exit_code = rc > 0 ? 0 : BB_CONFIG_EXIT_USAGE;
    }
    return self;
}

//  Index of option name, which must be in the table with type: asking for
//  an option the binary did not declare is a programmer error.
static size_t
s_require (bb_config_t *self, const char *name, bb_option_type_t type)
{
    size_t index = 0;
    const bb_option_t *option = s_find (self, name, strlen (name), &index);
    if (!option || option->type != type) {
        fprintf (stderr, "%s: option '%s' is not declared with that type\n",
                 self->program, name);
        abort ();
    }
    return index;
}

const char *
bb_config_str (bb_config_t *self, const char *name)
{
    return self->values [s_require (self, name, BB_OPT_STRING)];
}

long long
bb_config_int (bb_config_t *self, const char *name)
{
    long long value = 0;
    const char *text = self->values [s_require (self, name, BB_OPT_INT)];
    if (text)
        s_parse_int (text, &value);
    return value;
}

bool
bb_config_bool (bb_config_t *self, const char *name)
{
    bool value = false;
    const char *text = self->values [s_require (self, name, BB_OPT_BOOL)];
    if (text)
        s_parse_bool (text, &value);
    return value;
}

bool
bb_config_is_set (bb_config_t *self, const char *name)
{
    size_t index = 0;
    if (!s_find (self, name, strlen (name), &index)) {
        fprintf (stderr, "%s: option '%s' is not declared\n",
                 self->program, name);
        abort ();
    }
    return self->sources [index] != SOURCE_DEFAULT;
}

size_t
bb_config_positional_count (bb_config_t *self)
{
    return self->positional_count;
}

const char *
bb_config_positional (bb_config_t *self, size_t index)
{
    return index < self->positional_count ? self->positionals [index] : NULL;
}

void
bb_config_print_help (bb_config_t *self, FILE *stream)
{
    fprintf (stream, "usage: %s [options]\n\n%s\n\noptions "
             "(a flag wins over its environment variable):\n",
             self->program, self->descriptor->summary);
    for (size_t i = 0; i < self->count; i++) {
        const bb_option_t *option = &self->options [i];
        const char *kind = option->type == BB_OPT_INT ? " N"
                         : option->type == BB_OPT_STRING ? " VALUE" : "";
        fprintf (stream, "  --%s%s\n", option->name, kind);
        fprintf (stream, "      %s\n", option->help);
        if (option->env)
            fprintf (stream, "      env: %s\n", option->env);
        if (option->default_value && !option->secret)
            fprintf (stream, "      default: %s\n",
                     *option->default_value ? option->default_value : "\"\"");
    }
    fprintf (stream, "  --help\n      print this help and exit\n"
             "  --version\n      print the version, the protocol and the "
             "libraries, and exit\n");
}

void
bb_config_print_version (bb_config_t *self, FILE *stream)
{
    bb_version_print (stream, self->program, self->descriptor->libraries,
                      self->descriptor->library_count);
}

void
bb_config_log (bb_config_t *self)
{
    bb_log_level_t level;
    size_t index = 0;
    if (s_find (self, "log-level", strlen ("log-level"), &index)
    &&  bb_log_level_parse (self->values [index], &level) == 0)
        bb_log_init (NULL, level);
    for (size_t i = 0; i < self->count; i++) {
        const bb_option_t *option = &self->options [i];
        const char *value = self->values [i];
        char quoted [256];
        if (option->secret)
            value = value && *value ? "set" : "unset";
        bb_info ("config", "option=%s value=%s", option->name,
                 bb_log_quote (value ? value : "", quoted, sizeof quoted));
    }
}
