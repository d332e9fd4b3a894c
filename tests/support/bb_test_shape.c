/*  =========================================================================
    bb_test_shape - check a JSON document against a shape description

    Walks the value and the shape together, depth first, keeping the
    JSON path of the current value for the error message. The first
    mismatch ends the walk. Key order is checked on jansson's iteration
    order, which is the document's (jansson keeps insertion order, and
    the parser inserts in document order).
    =========================================================================
*/
#include "bb_test_shape.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Longest JSON path kept for messages, NUL included.
#define PATH_SIZE           512
//  Digits of 2^128-1.
#define U128_MAX_DIGITS     39
//  Length of "2026-11-24T06:30:00.123Z".
#define ISO8601_MS_LENGTH   24

//  Write "path: message" into error; returns -1.
static int
s_fail (char *error, size_t size, const char *path, const char *format, ...)
{
    char message [256];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof message, format, args);
    va_end (args);
    snprintf (error, size, "%s: %s", path, message);
    return -1;
}

static const char *
s_type_name (json_t *value)
{
    switch (json_typeof (value)) {
        case JSON_OBJECT: return "object";
        case JSON_ARRAY: return "array";
        case JSON_STRING: return "string";
        case JSON_INTEGER: return "integer";
        case JSON_REAL: return "real";
        case JSON_TRUE:
        case JSON_FALSE: return "boolean";
        default: return "null";
    }
}

static bool
s_type_matches (json_t *value, const char *type)
{
    if (strcmp (type, "number") == 0)
        return json_is_number (value);
    return strcmp (type, s_type_name (value)) == 0;
}

//  True if text is "d{4}-dd-ddTdd:dd:dd.dddZ".
static bool
s_is_iso8601_ms (const char *text)
{
    const char *pattern = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (strlen (text) != ISO8601_MS_LENGTH)
        return false;
    for (size_t index = 0; index < ISO8601_MS_LENGTH; index++) {
        bool digit = text [index] >= '0' && text [index] <= '9';
        if (pattern [index] == 'd'? !digit: text [index] != pattern [index])
            return false;
    }
    return true;
}

//  True if text is a canonical decimal u128 (by digit count only).
static bool
s_is_u128 (const char *text)
{
    size_t length = strlen (text);
    if (length == 0 || length > U128_MAX_DIGITS
    ||  (length > 1 && text [0] == '0'))
        return false;
    return strspn (text, "0123456789") == length;
}

static int s_check (json_t *value, json_t *shape, char *path, char *error,
                    size_t size);

//  Check value against shape at path extended by step (".key" or
//  "[index]"); path is as it was when this returns.
static int
s_check_at (json_t *value, json_t *shape, char *path, const char *step,
            char *error, size_t size)
{
    size_t length = strlen (path);
    snprintf (path + length, PATH_SIZE - length, "%s", step);
    int rc = s_check (value, shape, path, error, size);
    path [length] = '\0';
    return rc;
}

//  The key spec named name in keys, and its index; NULL if none.
static json_t *
s_key_spec (json_t *keys, const char *name, size_t *index_p)
{
    size_t index;
    json_t *spec;
    json_array_foreach (keys, index, spec) {
        const char *spec_name = json_string_value (
            json_object_get (spec, "name"));
        if (spec_name && strcmp (spec_name, name) == 0) {
            *index_p = index;
            return spec;
        }
    }
    return NULL;
}

static int
s_check_object (json_t *value, json_t *shape, char *path, char *error,
                size_t size)
{
    json_t *keys = json_object_get (shape, "keys");
    if (!keys)
        return 0;
    if (!json_is_array (keys))
        return s_fail (error, size, path, "bad shape: keys not an array");
    bool additional = json_is_true (json_object_get (shape, "additional"));
    const char *previous = NULL;
    size_t previous_index = 0;
    const char *key;
    json_t *member;
    json_object_foreach (value, key, member) {
        size_t index;
        json_t *spec = s_key_spec (keys, key, &index);
        if (!spec) {
            if (additional)
                continue;
            return s_fail (error, size, path, "unexpected key \"%s\"", key);
        }
        if (previous && index < previous_index)
            return s_fail (error, size, path,
                           "key \"%s\" comes after \"%s\", expected before",
                           key, previous);
        previous = key;
        previous_index = index;
        char step [PATH_SIZE];
        snprintf (step, sizeof step, ".%s", key);
        if (s_check_at (member, json_object_get (spec, "shape"), path, step,
                        error, size))
            return -1;
    }
    size_t index;
    json_t *spec;
    json_array_foreach (keys, index, spec) {
        const char *name = json_string_value (json_object_get (spec, "name"));
        if (!name)
            return s_fail (error, size, path, "bad shape: key without name");
        if (!json_is_true (json_object_get (spec, "optional"))
        &&  !json_object_get (value, name))
            return s_fail (error, size, path, "missing key \"%s\"", name);
    }
    return 0;
}

//  Every item of value against the shape's "items", if it has any.
static int
s_check_array (json_t *value, json_t *shape, char *path, char *error,
               size_t size)
{
    json_t *items = json_object_get (shape, "items");
    size_t index;
    json_t *item;
    json_array_foreach (value, index, item) {
        char step [32];
        snprintf (step, sizeof step, "[%zu]", index);
        if (items && s_check_at (item, items, path, step, error, size))
            return -1;
    }
    return 0;
}

static int
s_check_string (json_t *value, json_t *shape, char *path, char *error,
                size_t size)
{
    const char *text = json_string_value (value);
    json_t *allowed = json_object_get (shape, "enum");
    if (allowed) {
        bool found = false;
        size_t index;
        json_t *choice;
        json_array_foreach (allowed, index, choice)
            found |= json_equal (choice, value) != 0;
        if (!found)
            return s_fail (error, size, path, "\"%s\" not in the enum",
                           text);
    }
    const char *format = json_string_value (json_object_get (shape,
                                                              "format"));
    if (!format)
        return 0;
    bool ok;
    if (strcmp (format, "iso8601-ms") == 0)
        ok = s_is_iso8601_ms (text);
    else
    if (strcmp (format, "u128") == 0)
        ok = s_is_u128 (text);
    else
    if (strcmp (format, "nonempty") == 0)
        ok = *text != '\0';
    else
        return s_fail (error, size, path, "bad shape: format \"%s\"",
                       format);
    return ok? 0: s_fail (error, size, path, "\"%s\" is not %s", text,
                          format);
}

//  Check value against shape; path holds value's path (PATH_SIZE bytes)
//  and is restored before returning 0.
static int
s_check (json_t *value, json_t *shape, char *path, char *error, size_t size)
{
    if (!json_is_object (shape))
        return s_fail (error, size, path, "bad shape: not an object");
    json_t *type = json_object_get (shape, "type");
    bool matches = false;
    if (json_is_string (type))
        matches = s_type_matches (value, json_string_value (type));
    else
    if (json_is_array (type)) {
        size_t index;
        json_t *choice;
        json_array_foreach (type, index, choice)
            matches |= json_is_string (choice)
                    && s_type_matches (value, json_string_value (choice));
    }
    else
        return s_fail (error, size, path, "bad shape: no type");
    if (!matches) {
        char *expected = json_dumps (type, JSON_COMPACT | JSON_ENCODE_ANY);
        s_fail (error, size, path, "expected %s, got %s", expected,
                s_type_name (value));
        free (expected);
        return -1;
    }
    switch (json_typeof (value)) {
        case JSON_OBJECT:
            return s_check_object (value, shape, path, error, size);
        case JSON_ARRAY:
            return s_check_array (value, shape, path, error, size);
        case JSON_STRING:
            return s_check_string (value, shape, path, error, size);
        case JSON_INTEGER: {
            json_t *minimum = json_object_get (shape, "minimum");
            if (minimum && json_integer_value (value)
                           < json_integer_value (minimum))
                return s_fail (error, size, path, "%lld below %lld",
                               (long long) json_integer_value (value),
                               (long long) json_integer_value (minimum));
            return 0;
        }
        default:
            return 0;
    }
}

//  ---------------------------------------------------------------------------
//  Check value against shape

int
bb_test_shape_check (json_t *value, json_t *shape, char *error, size_t size)
{
    char path [PATH_SIZE] = "$";
    if (!value)
        return s_fail (error, size, path, "no value");
    return s_check (value, shape, path, error, size);
}
