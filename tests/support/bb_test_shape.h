/*  =========================================================================
    bb_test_shape - check a JSON document against a shape description

    A shape is a small JSON schema, enough to pin down balboard's JSON
    output exactly (tests/fixtures/dashboard_shape.json is one):

    {"type": T}         T is one of "object", "array", "string",
                        "integer", "real", "number" (integer or real),
                        "boolean", "null", or an array of them (any one)
    "keys": [{"name": K, "optional": B, "shape": S}, ...]
                        object: the keys in exactly this order, none
                        other (unless "additional": true), each optional
                        one absent or present, each matching its shape
    "items": S          array: every element matches S
    "enum": [...]       string: one of these values
    "format": F         string: "iso8601-ms" (2026-11-24T06:30:00.123Z),
                        "u128" (decimal digits, no leading zero, at most
                        39), or "nonempty"
    "minimum": N        integer: at least N
    "description": ...  ignored: prose for the reader

    Pure: no allocation kept, no state. Used by the tests only.
    =========================================================================
*/
#ifndef BB_TEST_SHAPE_H_INCLUDED
#define BB_TEST_SHAPE_H_INCLUDED

#include <stddef.h>
#include <jansson.h>

//  Check value against shape. Returns 0 if it matches, else -1 with the
//  first mismatch in error (size bytes) as "$.path: what", e.g.
//  "$.agents[0].tokens[1]: missing key \"balance\"". A malformed shape
//  is a mismatch too ("bad shape: ...").
int bb_test_shape_check (json_t *value, json_t *shape, char *error,
                         size_t size);

#endif
