/*  =========================================================================
    bb_gateway - balboard's HTTP server: the daemon and its routes

    Owns the libmicrohttpd daemon, run in its own threads: a pool of worker
    threads, each with its own epoll loop, accepting from one listening
    socket. A worker answers its requests one at a time and asks the store
    and the scheduler through its own clients (bb_client_pool), so a slow
    store holds up only the worker waiting on it, for at most the client
    timeout. The connection count is bounded and idle connections time
    out, so slow clients cannot exhaust the server; a request whose line
    or headers outgrow the connection's memory is answered 414 or 431 by
    the library itself, and a request target or headers over the gateway's
    own limits get the same statuses in JSON.
    Routes (GET and HEAD; any other method is 405):
      /api/dashboard, /api/agents/{stxAddress}, /api/status, /healthz,
      /readyz, /metrics, /openapi.json, /llms.txt, /.well-known/agent.json
      (bb_api; the documents are bb_discovery's), /api/dashboard/events
      (bb_sse: a stream whose connection is suspended while it has
      nothing to send), /dashboard (bb_page: the HTML page); anything
      else is 404. Stopping ends every stream before the daemon stops.
    One debug log line per request (method, path, status, ms), and each
    request counted by route, status and duration (bb_metrics).
    =========================================================================
*/
#ifndef BB_GATEWAY_H_INCLUDED
#define BB_GATEWAY_H_INCLUDED

#include <stddef.h>

#include "bb_api.h"

typedef struct {
    const char *bind;               // "host:port" or "[host]:port"
    unsigned threads;               // worker threads
    unsigned connection_limit;      // open connections at most
    unsigned connection_timeout_s;  // an idle connection is closed after
    size_t connection_memory;       // bytes per connection (request
                                    // line, headers, buffers)
    bb_api_t api;                   // what the routes use; borrowed
} bb_gateway_settings_t;

typedef struct _bb_gateway_t bb_gateway_t;

//  Start serving. Returns NULL (logged) if bind is malformed or taken.
bb_gateway_t *bb_gateway_new (const bb_gateway_settings_t *settings);

//  Stop the daemon (its threads are joined; requests in progress finish
//  first), free, and set *self_p to NULL. NULL-safe.
void bb_gateway_destroy (bb_gateway_t **self_p);

//  The TCP port listened on (the bound one when bind asked for port 0).
unsigned bb_gateway_port (bb_gateway_t *self);

#endif
