/*  =========================================================================
    bb_api_docs - the documentation payload of GET /api/dashboard?docs=1

    The original endpoint describes itself: {endpoint, method, description,
    queryParameters, responseFormat, notes}. queryParameters gives each
    parameter's type, default, bounds and how a bad value is read;
    responseFormat describes the dashboard shape (client/bb_render.h) field
    by field; notes cover caching, ETags, compression and errors. The
    gateway makes the text once at start and serves it as is.
    =========================================================================
*/
#ifndef BB_API_DOCS_H_INCLUDED
#define BB_API_DOCS_H_INCLUDED

//  Cache-Control of the payload.
#define BB_API_DOCS_CACHE_CONTROL "public, max-age=3600, s-maxage=86400"

//  The payload as compact JSON. Caller owns it and must free() it.
char *bb_api_docs_text (void);

#endif
