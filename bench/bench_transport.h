/*  =========================================================================
    bench_transport - the fetcher's HTTP engine alone, for bench_fetcher

    Keeps a number of GETs of one URL in flight for a number of seconds,
    discarding every body (no JSON parsing, no batch, no store exchange),
    through one of two clients: bb_http, the fetcher's own libcurl multi
    engine with its options, lanes and handle pool; or bare libcurl, one
    multi handle over as many reused easy handles with no option beyond
    the URL. Their requests/s are the most a fetcher built on this
    engine, or on libcurl at all, could do on the machine: the floor of
    the fetcher's cost per request, measured beside wrk and the fetcher.
    =========================================================================
*/
#ifndef BENCH_TRANSPORT_H_INCLUDED
#define BENCH_TRANSPORT_H_INCLUDED

typedef enum {
    BENCH_TRANSPORT_ENGINE,         // bb_http
    BENCH_TRANSPORT_LIBCURL         // bare libcurl
} bench_transport_client_t;

//  Run concurrency GETs of url at a time for seconds through client,
//  then print "Requests/sec: N" on stdout, as wrk reports. Returns the
//  process exit code: 0, or 1 if a request or the client failed (logged
//  to stderr).
int bench_transport_run (bench_transport_client_t client, const char *url,
                         int concurrency, int seconds);

#endif
