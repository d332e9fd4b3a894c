/*  =========================================================================
    bench_constant - a constant upstream for bench_fetcher: the cheapest
    real HTTP server the fetcher and wrk can both be measured against

    libmicrohttpd on one epoll thread (MHD_USE_TURBO), answering every
    Hiro v1 balances path, every mempool.space address path and every
    CoinGecko simple price path with one fixed body each, a response made
    once at start: no per-request work beyond HTTP itself. The mock
    upstream, by contrast, runs a thread per connection and builds each
    body from the agent's address; on a 2-core machine it is the limit of
    both the fetcher and wrk. The Hiro body holds STX and sBTC only (no
    token metadata to fetch), the mempool.space one a funded address.
    =========================================================================
*/
#ifndef BENCH_CONSTANT_H_INCLUDED
#define BENCH_CONSTANT_H_INCLUDED

//  Serve on 127.0.0.1:port until SIGTERM or SIGINT. Returns the process
//  exit code: 0, or 1 if the port could not be bound (logged).
int bench_constant_serve (int port);

#endif
