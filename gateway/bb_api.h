/*  =========================================================================
    bb_api - what each route of the gateway answers

    One function per route. Each asks the store (or the scheduler) through
    the calling thread's clients (bb_client_pool), turns the reply into
    JSON with the renderer the CLI's --json uses (bb_render), and answers
    through bb_http_reply. A store that does not answer within the client
    timeout, or answers UNAVAILABLE, is a 503 with Retry-After; the route
    never waits longer than the timeout per request it makes.
    - dashboard: ?limit=&offset= (bb_http_query); a page rendered at the
      store's newest state is answered from the page cache
      (bb_page_cache) with no store request, else asked for, rendered and
      kept there; the ETag (bb_etag) answers If-None-Match with a 304
      (with the cache off, checked before anything is rendered); ?docs=1
      is the documentation payload (bb_api_docs);
    - agent: 400 for an invalid STX address, 404 for an unknown agent;
      a detail is kept in the page cache too, at the newest state known
      before the store was asked (it names none of its own);
    - status: the store's stats and the scheduler's status; a part that
      does not answer is null and named in "errors";
    - healthz: the process is up; readyz: the store answers its stats;
    - metrics: the Prometheus exposition (bb_metrics) of the gateway's
      counters, the store's stats and the scheduler's status; a part that
      does not answer is reported down, and the answer is still 200;
    - document: a discovery document (bb_discovery) as it is.
    No state here but the page cache (itself thread-safe): every worker
    thread calls these at once.
    =========================================================================
*/
#ifndef BB_API_H_INCLUDED
#define BB_API_H_INCLUDED

#include "bb_address.h"
#include "bb_client_pool.h"
#include "bb_discovery.h"
#include "bb_http_reply.h"
#include "bb_metrics.h"
#include "bb_page.h"
#include "bb_page_cache.h"
#include "bb_sse.h"

//  What the routes share; borrowed, outlives the server.
typedef struct {
    bb_client_pool_t *clients;
    bb_network_t network;       // of the addresses /api/agents accepts
    const char *docs;           // the ?docs=1 payload
    bb_sse_t *streams;          // the SSE streams of /api/dashboard/events
    bb_page_t *page;            // the /dashboard page
    bb_discovery_t *discovery;  // /openapi.json, /llms.txt, agent.json
    bb_metrics_t *metrics;      // the gateway's counters, for /metrics
    bb_page_cache_t *pages;     // rendered dashboard pages
} bb_api_t;

enum MHD_Result bb_api_dashboard (const bb_api_t *api,
                                  bb_http_reply_t *reply);

//  address: the path's last segment.
enum MHD_Result bb_api_agent (const bb_api_t *api, bb_http_reply_t *reply,
                              const char *address);

enum MHD_Result bb_api_status (const bb_api_t *api, bb_http_reply_t *reply);

enum MHD_Result bb_api_healthz (const bb_api_t *api,
                                bb_http_reply_t *reply);

enum MHD_Result bb_api_readyz (const bb_api_t *api, bb_http_reply_t *reply);

enum MHD_Result bb_api_metrics (const bb_api_t *api, bb_http_reply_t *reply);

//  document: what bb_discovery_find gave for the path.
enum MHD_Result bb_api_document (const bb_api_t *api, bb_http_reply_t *reply,
                                 const bb_discovery_document_t *document);

#endif
