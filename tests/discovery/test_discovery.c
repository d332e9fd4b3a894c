/*  test_discovery - the discovery documents: each served at its path with
    its type, the JSON ones valid and carrying this build's version, every
    $ref of the OpenAPI document resolving, its routes the gateway's, its
    Dashboard schema the same document as tests/fixtures/
    dashboard_shape.json (key by key, in order, required = not optional),
    the service card and llms.txt pointing at documented routes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "bb_discovery.h"
#include "bb_version.h"
#include "bb_test_main.h"

#define PATH_SIZE 512
#define REF_PREFIX "#/components/schemas/"

//  Every route of the gateway (docs/gateway.md, "Routes").
static const char *const s_routes [] = {
    "/api/dashboard", "/api/dashboard/events", "/api/agents/{stxAddress}",
    "/api/status", "/dashboard", "/healthz", "/readyz", "/metrics",
    "/llms.txt", "/.well-known/agent.json", "/openapi.json"
};
#define ROUTE_COUNT (sizeof s_routes / sizeof s_routes [0])

static json_t *
s_load (bb_discovery_t *discovery, const char *path)
{
    const bb_discovery_document_t *document =
        bb_discovery_find (discovery, path);
    assert_non_null (document);
    json_error_t error;
    json_t *root = json_loads (document->body, 0, &error);
    if (!root)
        fail_msg ("%s: %s at line %d", path, error.text, error.line);
    return root;
}

static void
test_documents (void **state)
{
    bb_discovery_t *discovery = bb_discovery_new ();
    const struct { const char *path, *type; } expected [] = {
        { "/openapi.json", "application/json; charset=utf-8" },
        { "/llms.txt", "text/plain; charset=utf-8" },
        { "/.well-known/agent.json", "application/json; charset=utf-8" },
    };
    for (size_t index = 0; index < 3; index++) {
        const bb_discovery_document_t *document =
            bb_discovery_find (discovery, expected [index].path);
        assert_non_null (document);
        assert_string_equal (document->content_type, expected [index].type);
        assert_int_equal (document->size, strlen (document->body));
        assert_true (document->size > 500);
    }
    const char *others [] = { "/", "/openapi", "/openapi.json/", "/llms",
                              "/.well-known/agent.json?x", "" };
    for (size_t index = 0; index < sizeof others / sizeof others [0]; index++)
        assert_null (bb_discovery_find (discovery, others [index]));
    bb_discovery_destroy (&discovery);
    bb_discovery_destroy (&discovery);
}

//  Fail unless every "$ref" under value names a schema, parameter,
//  header or response of root's components.
static void
s_check_refs (json_t *root, json_t *value)
{
    const char *key;
    json_t *child;
    size_t index;
    if (json_is_array (value))
        json_array_foreach (value, index, child)
            s_check_refs (root, child);
    if (!json_is_object (value))
        return;
    json_object_foreach (value, key, child) {
        if (strcmp (key, "$ref") == 0) {
            char kind [64], name [128];
            const char *ref = json_string_value (child);
            assert_non_null (ref);
            if (sscanf (ref, "#/components/%63[^/]/%127s", kind, name) != 2)
                fail_msg ("unexpected $ref %s", ref);
            json_t *target = json_object_get (
                json_object_get (json_object_get (root, "components"), kind),
                name);
            if (!target)
                fail_msg ("$ref %s names nothing", ref);
        }
        else
            s_check_refs (root, child);
    }
}

static void
test_openapi (void **state)
{
    bb_discovery_t *discovery = bb_discovery_new ();
    json_t *root = s_load (discovery, "/openapi.json");
    assert_string_equal (json_string_value (json_object_get (root,
                                                             "openapi")),
                         "3.1.0");
    assert_string_equal (json_string_value (json_object_get (
        json_object_get (root, "info"), "version")), bb_version ());
    json_t *paths = json_object_get (root, "paths");
    assert_int_equal (json_object_size (paths), ROUTE_COUNT);
    for (size_t index = 0; index < ROUTE_COUNT; index++) {
        json_t *get = json_object_get (json_object_get (paths,
                                                        s_routes [index]),
                                       "get");
        if (!get)
            fail_msg ("no GET %s in /openapi.json", s_routes [index]);
        assert_non_null (json_object_get (json_object_get (get, "responses"),
                                          "200"));
    }
    s_check_refs (root, root);
    json_decref (root);
    bb_discovery_destroy (&discovery);
}

//  ---------------------------------------------------------------------------
//  The Dashboard schema against the shape fixture

//  schema, or the schema its $ref names.
static json_t *
s_resolve (json_t *schemas, json_t *schema)
{
    const char *ref = json_string_value (json_object_get (schema, "$ref"));
    if (!ref)
        return schema;
    assert_memory_equal (ref, REF_PREFIX, strlen (REF_PREFIX));
    json_t *target = json_object_get (schemas, ref + strlen (REF_PREFIX));
    assert_non_null (target);
    return target;
}

static bool
s_required (json_t *schema, const char *name)
{
    json_t *entry;
    size_t index;
    json_array_foreach (json_object_get (schema, "required"), index, entry)
        if (strcmp (json_string_value (entry), name) == 0)
            return true;
    return false;
}

static void s_compare (json_t *schemas, json_t *schema, json_t *shape,
                       const char *where);

//  An object shape's keys against schema's properties: the same names in
//  the same order, required exactly when not optional, none other.
static void
s_compare_object (json_t *schemas, json_t *schema, json_t *shape,
                  const char *where)
{
    json_t *keys = json_object_get (shape, "keys");
    json_t *properties = json_object_get (schema, "properties");
    assert_true (json_is_false (json_object_get (schema,
                                                 "additionalProperties")));
    assert_int_equal (json_object_size (properties), json_array_size (keys));
    void *iterator = json_object_iter (properties);
    json_t *key;
    size_t index;
    json_array_foreach (keys, index, key) {
        const char *name = json_string_value (json_object_get (key, "name"));
        char path [PATH_SIZE];
        snprintf (path, sizeof path, "%s.%s", where, name);
        if (!iterator || strcmp (json_object_iter_key (iterator), name))
            fail_msg ("%s: not the schema's next property", path);
        bool optional = json_is_true (json_object_get (key, "optional"));
        if (s_required (schema, name) == optional)
            fail_msg ("%s: required does not match the shape", path);
        s_compare (schemas, json_object_iter_value (iterator),
                   json_object_get (key, "shape"), path);
        iterator = json_object_iter_next (properties, iterator);
    }
}

static void
s_compare (json_t *schemas, json_t *schema, json_t *shape, const char *where)
{
    schema = s_resolve (schemas, schema);
    json_t *type = json_object_get (shape, "type");
    if (json_is_string (type)
    &&  strcmp (json_string_value (type), "object") == 0) {
        s_compare_object (schemas, schema, shape, where);
        return;
    }
    if (json_is_string (type)
    &&  strcmp (json_string_value (type), "array") == 0) {
        char path [PATH_SIZE];
        snprintf (path, sizeof path, "%s[]", where);
        s_compare (schemas, json_object_get (schema, "items"),
                   json_object_get (shape, "items"), path);
    }
}

static void
test_dashboard_schema_is_the_shape (void **state)
{
    char path [PATH_SIZE];
    snprintf (path, sizeof path, "%s/dashboard_shape.json",
              getenv ("BALBOARD_FIXTURES"));
    json_error_t error;
    json_t *shape = json_load_file (path, 0, &error);
    assert_non_null (shape);
    bb_discovery_t *discovery = bb_discovery_new ();
    json_t *root = s_load (discovery, "/openapi.json");
    json_t *schemas = json_object_get (json_object_get (root, "components"),
                                       "schemas");
    s_compare (schemas, json_object_get (schemas, "Dashboard"), shape, "$");
    json_decref (root);
    json_decref (shape);
    bb_discovery_destroy (&discovery);
}

//  ---------------------------------------------------------------------------
//  The service card and llms.txt

//  True if the path of url (its query cut) is a route of /openapi.json.
static bool
s_documented (json_t *openapi, const char *url)
{
    char path [PATH_SIZE];
    snprintf (path, sizeof path, "%s", url);
    path [strcspn (path, "?")] = 0;
    return json_object_get (json_object_get (openapi, "paths"), path)
        != NULL;
}

static void
test_agent_card (void **state)
{
    bb_discovery_t *discovery = bb_discovery_new ();
    json_t *card = s_load (discovery, "/.well-known/agent.json");
    json_t *openapi = s_load (discovery, "/openapi.json");
    assert_string_equal (json_string_value (json_object_get (card,
                                                             "version")),
                         bb_version ());
    json_t *api = json_object_get (card, "api");
    assert_string_equal (json_string_value (json_object_get (api, "openapi")),
                         "/openapi.json");
    assert_string_equal (json_string_value (json_object_get (api, "docs")),
                         "/api/dashboard?docs=1");
    assert_string_equal (json_string_value (json_object_get (api, "llms")),
                         "/llms.txt");
    assert_true (s_documented (openapi, json_string_value (
        json_object_get (card, "documentationUrl"))));
    json_t *skill, *example;
    size_t index, example_index;
    json_array_foreach (json_object_get (card, "skills"), index, skill)
        json_array_foreach (json_object_get (skill, "examples"),
                            example_index, example)
            if (!s_documented (openapi, json_string_value (example))
            &&  strncmp (json_string_value (example), "/api/agents/", 12))
                fail_msg ("example %s is no route",
                          json_string_value (example));
    json_decref (openapi);
    json_decref (card);
    bb_discovery_destroy (&discovery);
}

static void
test_llms_txt (void **state)
{
    bb_discovery_t *discovery = bb_discovery_new ();
    const char *text = bb_discovery_find (discovery, "/llms.txt")->body;
    assert_memory_equal (text, "# balboard\n\n> ", 14);
    json_t *openapi = s_load (discovery, "/openapi.json");
    const char *path;
    json_t *item;
    json_object_foreach (json_object_get (openapi, "paths"), path, item) {
        char link [PATH_SIZE];
        snprintf (link, sizeof link, "](%s)", path);
        if (strncmp (path, "/api/", 5) == 0 && !strstr (text, link))
            fail_msg ("llms.txt does not link %s", path);
    }
    assert_non_null (strstr (text, "curl -s 'http://HOST/api/dashboard"));
    json_decref (openapi);
    bb_discovery_destroy (&discovery);
}

BB_TEST_MAIN (NULL, NULL,
              cmocka_unit_test (test_documents),
              cmocka_unit_test (test_openapi),
              cmocka_unit_test (test_dashboard_schema_is_the_shape),
              cmocka_unit_test (test_agent_card),
              cmocka_unit_test (test_llms_txt))
