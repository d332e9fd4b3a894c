/*  =========================================================================
    bb_discovery - the documents that describe the gateway's API

    The files are embedded by gateway/embed.cmake as NUL-terminated
    arrays. The JSON documents are parsed once, get the
    build's version, and are kept as compact text; llms.txt is served
    as it is.
    =========================================================================
*/
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "bb_discovery.h"
#include "bb_version.h"

//  Embedded by gateway/embed.cmake (gateway/CMakeLists.txt).
extern const char bb_discovery_openapi_text [];
extern const char bb_discovery_llms_text [];
extern const char bb_discovery_agent_card_text [];

#define JSON_TYPE           "application/json; charset=utf-8"
#define TEXT_TYPE           "text/plain; charset=utf-8"

enum { OPENAPI, LLMS, AGENT_CARD, DOCUMENT_COUNT };

struct _bb_discovery_t {
    bb_discovery_document_t documents [DOCUMENT_COUNT];
    char *openapi;                  // compact, with the version
    char *agent_card;               // compact, with the version
};

//  text (JSON) with the string at the path of object keys (key, then
//  subkey, or NULL) set to the build's version, as compact text. Caller
//  owns it and must free() it.
static char *
s_with_version (const char *text, const char *key, const char *subkey)
{
    json_error_t error;
    json_t *root = json_loads (text, 0, &error);
    assert (root);                  // the embedded file is valid JSON
    json_t *parent = subkey ? json_object_get (root, key) : root;
    assert (json_is_object (parent));
    json_object_set_new (parent, subkey ? subkey : key,
                         json_string (bb_version ()));
    char *compact = json_dumps (root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert (compact);
    json_decref (root);
    return compact;
}

static void
s_set (bb_discovery_document_t *document, const char *path,
       const char *content_type, const char *body)
{
    document->path = path;
    document->content_type = content_type;
    document->body = body;
    document->size = strlen (body);
}

bb_discovery_t *
bb_discovery_new (void)
{
    bb_discovery_t *self = calloc (1, sizeof *self);
    assert (self);
    self->openapi = s_with_version (bb_discovery_openapi_text, "info",
                                    "version");
    self->agent_card = s_with_version (bb_discovery_agent_card_text,
                                       "version", NULL);
    s_set (&self->documents [OPENAPI], "/openapi.json", JSON_TYPE,
           self->openapi);
    s_set (&self->documents [LLMS], "/llms.txt", TEXT_TYPE,
           bb_discovery_llms_text);
    s_set (&self->documents [AGENT_CARD], "/.well-known/agent.json",
           JSON_TYPE, self->agent_card);
    return self;
}

void
bb_discovery_destroy (bb_discovery_t **self_p)
{
    assert (self_p);
    bb_discovery_t *self = *self_p;
    if (!self)
        return;
    free (self->openapi);
    free (self->agent_card);
    free (self);
    *self_p = NULL;
}

const bb_discovery_document_t *
bb_discovery_find (bb_discovery_t *self, const char *path)
{
    assert (self && path);
    for (size_t index = 0; index < DOCUMENT_COUNT; index++)
        if (strcmp (self->documents [index].path, path) == 0)
            return &self->documents [index];
    return NULL;
}
