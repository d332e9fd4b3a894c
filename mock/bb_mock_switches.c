/*  =========================================================================
    bb_mock_switches - the runtime switches of the mock upstream

    Owns the current and initial settings, the fault queue and the jitter
    generator, all under one mutex. One field table (s_fields) drives the
    control parser, the bounds check and the describe output, so a new
    setting is one line there.
    =========================================================================
*/
#include "bb_mock_switches.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define JITTER_SEED     0x62616c626f617264ULL   // "balboard"

typedef enum { FIELD_LONG, FIELD_BOOL, FIELD_DOUBLE } field_type_t;

static const struct {
    const char *name;
    field_type_t type;
    size_t offset;                  // in bb_mock_settings_t
    long min, max;                  // FIELD_LONG bounds
} s_fields [] = {
#define FIELD(name, type, min, max) \
    { #name, type, offsetof (bb_mock_settings_t, name), min, max }
    FIELD (latency_ms,               FIELD_LONG, 0, BB_MOCK_MS_MAX),
    FIELD (latency_spread_ms,        FIELD_LONG, 0, BB_MOCK_MS_MAX),
    FIELD (rate_limit_per_minute,    FIELD_LONG, 0, BB_MOCK_RATE_MAX),
    FIELD (rate_limit_window_ms,     FIELD_LONG, 1, BB_MOCK_WINDOW_MS_MAX),
    FIELD (rate_limit_retry_after_s, FIELD_LONG, 0, BB_MOCK_RETRY_S_MAX),
    FIELD (retry_after_header,       FIELD_LONG, -1, 1),
    FIELD (gone_v1,                  FIELD_BOOL, 0, 0),
    FIELD (btc_usd,                  FIELD_DOUBLE, 0, 0),
    FIELD (stx_usd,                  FIELD_DOUBLE, 0, 0),
    FIELD (v3_page_size,             FIELD_LONG, 1, BB_MOCK_PAGE_SIZE_MAX),
    FIELD (oversize_bytes,           FIELD_LONG, 1, BB_MOCK_OVERSIZE_MAX),
    FIELD (agents,                   FIELD_LONG, 0, BB_MOCK_AGENTS_MAX),
    FIELD (agents_invalid_every,     FIELD_LONG, 0, BB_MOCK_AGENTS_MAX),
    FIELD (agents_step,              FIELD_LONG, -BB_MOCK_AGENTS_MAX,
                                                 BB_MOCK_AGENTS_MAX),
    FIELD (agents_stuck,             FIELD_BOOL, 0, 0),
#undef FIELD
};

#define FIELD_COUNT (sizeof s_fields / sizeof s_fields [0])

static const char *s_kind_names [BB_MOCK_FAULT_KIND_COUNT] = {
    [BB_MOCK_FAULT_5XX] = "5xx",
    [BB_MOCK_FAULT_HANG] = "hang",
    [BB_MOCK_FAULT_RESET] = "reset",
    [BB_MOCK_FAULT_TRUNCATED] = "truncated",
    [BB_MOCK_FAULT_WRONG_TYPES] = "wrong_types",
    [BB_MOCK_FAULT_OVERSIZED] = "oversized",
    [BB_MOCK_FAULT_INVALID_ADDRESS] = "invalid_address",
    [BB_MOCK_FAULT_429] = "429",
};

struct _bb_mock_switches_t {
    pthread_mutex_t mutex;          // guards everything below
    bb_mock_settings_t initial;     // the flags; what reset restores
    bb_mock_settings_t current;
    bb_mock_fault_t faults [BB_MOCK_FAULTS_MAX];    // first match wins
    size_t fault_count;
    uint64_t jitter;                // splitmix64 state for latency jitter
};

//  ---------------------------------------------------------------------
//  Field access

static long *
s_long (bb_mock_settings_t *settings, size_t field)
{
    return (long *) ((char *) settings + s_fields [field].offset);
}

static bool *
s_bool (bb_mock_settings_t *settings, size_t field)
{
    return (bool *) ((char *) settings + s_fields [field].offset);
}

static double *
s_double (bb_mock_settings_t *settings, size_t field)
{
    return (double *) ((char *) settings + s_fields [field].offset);
}

//  Set field from value after checking its type and bounds. 0 or -1.
static int
s_field_set (bb_mock_settings_t *settings, size_t field, json_t *value,
             char *error, size_t size)
{
    const char *name = s_fields [field].name;
    switch (s_fields [field].type) {
        case FIELD_LONG: {
            json_int_t number = json_integer_value (value);
            if (!json_is_integer (value) || number < s_fields [field].min
            ||  number > s_fields [field].max) {
                snprintf (error, size, "%s must be an integer in %ld..%ld",
                          name, s_fields [field].min, s_fields [field].max);
                return -1;
            }
            *s_long (settings, field) = (long) number;
            return 0;
        }
        case FIELD_BOOL:
            if (!json_is_boolean (value)) {
                snprintf (error, size, "%s must be true or false", name);
                return -1;
            }
            *s_bool (settings, field) = json_is_true (value);
            return 0;
        case FIELD_DOUBLE: {
            double number = json_number_value (value);
            if (!json_is_number (value) || !isfinite (number) || number < 0) {
                snprintf (error, size, "%s must be a number >= 0", name);
                return -1;
            }
            *s_double (settings, field) = number;
            return 0;
        }
    }
    return -1;
}

static json_t *
s_field_json (bb_mock_settings_t *settings, size_t field)
{
    switch (s_fields [field].type) {
        case FIELD_LONG:
            return json_integer (*s_long (settings, field));
        case FIELD_BOOL:
            return json_boolean (*s_bool (settings, field));
        case FIELD_DOUBLE:
            return json_real (*s_double (settings, field));
    }
    return json_null ();
}

static int
s_field_find (const char *name)
{
    for (size_t field = 0; field < FIELD_COUNT; field++)
        if (strcmp (name, s_fields [field].name) == 0)
            return (int) field;
    return -1;
}

//  ---------------------------------------------------------------------
//  Faults

static int
s_kind_parse (const char *text, bb_mock_fault_kind_t *kind)
{
    for (unsigned index = 0; text && index < BB_MOCK_FAULT_KIND_COUNT;
         index++)
        if (strcmp (text, s_kind_names [index]) == 0) {
            *kind = (bb_mock_fault_kind_t) index;
            return 0;
        }
    return -1;
}

//  Read the optional integer key of object into *target, within bounds.
static int
s_fault_long (json_t *object, const char *key, long min, long max,
              long *target, char *error, size_t size)
{
    json_t *value = json_object_get (object, key);
    if (!value)
        return 0;
    json_int_t number = json_integer_value (value);
    if (!json_is_integer (value) || number < min || number > max) {
        snprintf (error, size, "fault %s must be an integer in %ld..%ld",
                  key, min, max);
        return -1;
    }
    *target = (long) number;
    return 0;
}

static int
s_fault_parse (json_t *object, bb_mock_fault_t *fault,
               char *error, size_t size)
{
    static const char *keys [] = {
        "endpoint", "kind", "count", "hang_ms", "status", "oversize_bytes",
        "skip"
    };
    if (!json_is_object (object)) {
        snprintf (error, size, "each fault must be an object");
        return -1;
    }
    const char *key;
    json_t *value;
    json_object_foreach (object, key, value) {
        size_t index = 0;
        while (index < sizeof keys / sizeof keys [0]
            && strcmp (key, keys [index]) != 0)
            index++;
        if (index == sizeof keys / sizeof keys [0]) {
            snprintf (error, size, "unknown fault key \"%s\"", key);
            return -1;
        }
    }
    *fault = (bb_mock_fault_t) {
        .hang_ms = BB_MOCK_HANG_MS_DEFAULT,
        .status = BB_MOCK_5XX_STATUS_DEFAULT,
    };
    json_t *endpoint = json_object_get (object, "endpoint");
    const char *selector = endpoint ? json_string_value (endpoint) : "any";
    if (bb_mock_endpoint_select (selector, &fault->endpoints)) {
        snprintf (error, size, "fault endpoint must be hiro, hiro_v3, "
                  "metadata, mempool, price, agents, any or an endpoint");
        return -1;
    }
    if (s_kind_parse (json_string_value (json_object_get (object, "kind")),
                      &fault->kind)) {
        snprintf (error, size, "fault kind must be 5xx, hang, reset, "
                  "truncated, wrong_types, oversized, invalid_address "
                  "or 429");
        return -1;
    }
    if (s_fault_long (object, "count", 0, LONG_MAX, &fault->remaining,
                      error, size)
    ||  s_fault_long (object, "hang_ms", 0, BB_MOCK_MS_MAX, &fault->hang_ms,
                      error, size)
    ||  s_fault_long (object, "status", 100, 599, &fault->status,
                      error, size)
    ||  s_fault_long (object, "oversize_bytes", 1, BB_MOCK_OVERSIZE_MAX,
                      &fault->oversize_bytes, error, size)
    ||  s_fault_long (object, "skip", 0, LONG_MAX, &fault->skip,
                      error, size))
        return -1;
    return 0;
}

//  Parse the "faults" array into faults/count. 0 or -1.
static int
s_faults_parse (json_t *array, bb_mock_fault_t *faults, size_t *count,
                char *error, size_t size)
{
    if (!json_is_array (array)) {
        snprintf (error, size, "faults must be an array");
        return -1;
    }
    if (json_array_size (array) > BB_MOCK_FAULTS_MAX) {
        snprintf (error, size, "at most %d faults", BB_MOCK_FAULTS_MAX);
        return -1;
    }
    size_t index;
    json_t *value;
    json_array_foreach (array, index, value)
        if (s_fault_parse (value, &faults [index], error, size))
            return -1;
    *count = json_array_size (array);
    return 0;
}

static json_t *
s_fault_json (const bb_mock_fault_t *fault)
{
    return json_pack ("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}",
                      "endpoint", bb_mock_endpoint_set_name (fault->endpoints),
                      "kind", s_kind_names [fault->kind],
                      "count", (json_int_t) fault->remaining,
                      "hang_ms", (json_int_t) fault->hang_ms,
                      "status", (json_int_t) fault->status,
                      "oversize_bytes", (json_int_t) fault->oversize_bytes,
                      "skip", (json_int_t) fault->skip);
}

//  ---------------------------------------------------------------------
//  The switches

bb_mock_switches_t *
bb_mock_switches_new (const bb_mock_settings_t *initial)
{
    assert (initial);
    bb_mock_switches_t *self = calloc (1, sizeof *self);
    assert (self);
    pthread_mutex_init (&self->mutex, NULL);
    self->initial = *initial;
    self->current = *initial;
    self->jitter = JITTER_SEED;
    return self;
}

void
bb_mock_switches_destroy (bb_mock_switches_t **self_p)
{
    assert (self_p);
    bb_mock_switches_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_destroy (&self->mutex);
    free (self);
    *self_p = NULL;
}

void
bb_mock_switches_get (bb_mock_switches_t *self, bb_mock_settings_t *settings)
{
    assert (self);
    assert (settings);
    pthread_mutex_lock (&self->mutex);
    *settings = self->current;
    pthread_mutex_unlock (&self->mutex);
}

//  Apply the parsed control object to settings and faults (copies).
static int
s_control_apply (json_t *root, bb_mock_settings_t *settings,
                 bb_mock_fault_t *faults, size_t *fault_count,
                 char *error, size_t size)
{
    if (!json_is_object (root)) {
        snprintf (error, size, "the control body must be a JSON object");
        return -1;
    }
    const char *key;
    json_t *value;
    json_object_foreach (root, key, value) {
        if (strcmp (key, "faults") == 0) {
            if (s_faults_parse (value, faults, fault_count, error, size))
                return -1;
            continue;
        }
        int field = s_field_find (key);
        if (field < 0) {
            snprintf (error, size, "unknown control key \"%s\"", key);
            return -1;
        }
        if (s_field_set (settings, (size_t) field, value, error, size))
            return -1;
    }
    return 0;
}

int
bb_mock_switches_control (bb_mock_switches_t *self, const char *body,
                          char *error, size_t size)
{
    assert (self);
    assert (body);
    json_error_t parse_error;
    json_t *root = json_loads (body, 0, &parse_error);
    if (!root) {
        snprintf (error, size, "invalid JSON: %s", parse_error.text);
        return -1;
    }
    pthread_mutex_lock (&self->mutex);
    bb_mock_settings_t settings = self->current;
    bb_mock_fault_t faults [BB_MOCK_FAULTS_MAX];
    size_t fault_count = self->fault_count;
    memcpy (faults, self->faults, sizeof faults);
    int rc = s_control_apply (root, &settings, faults, &fault_count,
                              error, size);
    if (rc == 0) {
        self->current = settings;
        memcpy (self->faults, faults, sizeof faults);
        self->fault_count = fault_count;
    }
    pthread_mutex_unlock (&self->mutex);
    json_decref (root);
    return rc;
}

void
bb_mock_switches_reset (bb_mock_switches_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->mutex);
    self->current = self->initial;
    self->fault_count = 0;
    pthread_mutex_unlock (&self->mutex);
}

char *
bb_mock_switches_describe (bb_mock_switches_t *self)
{
    assert (self);
    json_t *root = json_object ();
    json_t *faults = json_array ();
    pthread_mutex_lock (&self->mutex);
    for (size_t field = 0; field < FIELD_COUNT; field++)
        json_object_set_new (root, s_fields [field].name,
                             s_field_json (&self->current, field));
    for (size_t index = 0; index < self->fault_count; index++)
        json_array_append_new (faults, s_fault_json (&self->faults [index]));
    pthread_mutex_unlock (&self->mutex);
    json_object_set_new (root, "faults", faults);
    char *text = json_dumps (root, JSON_COMPACT | JSON_REAL_PRECISION (15));
    json_decref (root);
    return text;
}

bool
bb_mock_switches_take_fault (bb_mock_switches_t *self,
                             bb_mock_endpoint_t endpoint,
                             bb_mock_fault_t *fault)
{
    assert (self);
    assert (fault);
    bool found = false;
    pthread_mutex_lock (&self->mutex);
    for (size_t index = 0; index < self->fault_count && !found; index++) {
        bb_mock_fault_t *queued = &self->faults [index];
        if (!(queued->endpoints & BB_MOCK_ENDPOINT_BIT (endpoint)))
            continue;
        if (queued->skip > 0) {
            queued->skip--;
            continue;
        }
        found = true;
        *fault = *queued;
        if (!fault->oversize_bytes)
            fault->oversize_bytes = self->current.oversize_bytes;
        if (queued->remaining && --queued->remaining == 0) {
            memmove (queued, queued + 1,
                     (self->fault_count - index - 1) * sizeof *queued);
            self->fault_count--;
        }
    }
    pthread_mutex_unlock (&self->mutex);
    return found;
}

void
bb_mock_switches_agents_served (bb_mock_switches_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->mutex);
    long agents = self->current.agents + self->current.agents_step;
    self->current.agents = agents < 0 ? 0
                         : agents > BB_MOCK_AGENTS_MAX ? BB_MOCK_AGENTS_MAX
                         : agents;
    pthread_mutex_unlock (&self->mutex);
}

//  splitmix64, as in bb_mockdata.
static uint64_t
s_jitter_next (uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

long
bb_mock_switches_latency_ms (bb_mock_switches_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->mutex);
    long latency = self->current.latency_ms;
    long spread = self->current.latency_spread_ms;
    uint64_t draw = s_jitter_next (&self->jitter);
    pthread_mutex_unlock (&self->mutex);
    if (spread > 0)
        latency += (long) (draw % (uint64_t) (2 * spread + 1)) - spread;
    return latency > 0 ? latency : 0;
}

const char *
bb_mock_fault_kind_name (bb_mock_fault_kind_t kind)
{
    assert (kind < BB_MOCK_FAULT_KIND_COUNT);
    return s_kind_names [kind];
}
