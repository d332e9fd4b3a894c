/*  =========================================================================
    bb_discovery - the documents that describe the gateway's API

    Owns the three discovery documents and the paths they are served at:
    /openapi.json (OpenAPI 3.1: every route, its parameters and its
    response schemas), /llms.txt (plain text for language models: what
    the service is and how to call it, with curl examples) and
    /.well-known/agent.json (a service card naming the API, its ?docs=1
    payload and the OpenAPI URL). Each is one file in gateway/discovery/,
    embedded in the binary at build time, so what the repository shows is
    what the gateway serves; the JSON ones get this build's version
    (bb_version) written into them once, when the set is made. Their URLs
    are relative to the gateway that serves them, so every replica behind
    any address serves the same bytes. After bb_discovery_new the set is
    only read: thread-safe.
    =========================================================================
*/
#ifndef BB_DISCOVERY_H_INCLUDED
#define BB_DISCOVERY_H_INCLUDED

#include <stddef.h>

//  Cache-Control of every discovery document.
#define BB_DISCOVERY_CACHE_CONTROL "public, max-age=3600, s-maxage=86400"

//  One document as served.
typedef struct {
    const char *path;               // "/openapi.json"
    const char *content_type;       // its Content-Type
    const char *body;               // NUL-terminated text
    size_t size;                    // bytes of body
} bb_discovery_document_t;

typedef struct _bb_discovery_t bb_discovery_t;

//  The documents of this build. Asserts that the embedded JSON parses
//  (a broken file is a build defect, caught by the unit test).
bb_discovery_t *bb_discovery_new (void);

//  Free, and set *self_p to NULL. NULL-safe.
void bb_discovery_destroy (bb_discovery_t **self_p);

//  The document served at path (a request path, without the query), or
//  NULL when path is not one of them. Borrowed: lives as long as self.
const bb_discovery_document_t *bb_discovery_find (bb_discovery_t *self,
                                                  const char *path);

#endif
