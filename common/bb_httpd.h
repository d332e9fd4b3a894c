/*  =========================================================================
    bb_httpd - what balboard's HTTP daemons share

    The gateway and the mock upstream both serve HTTP with libmicrohttpd.
    This module owns what they do alike: reading a listening address
    ("host:port", "[v6]:port", an empty host for every interface) and the
    port bound, writing
    the library's own error messages into the structured log, and the
    --health probe of a running daemon (GET a path, healthy on 200).
    Linked as its own library (bb_httpd, with libcurl) by those two only.
    =========================================================================
*/
#ifndef BB_HTTPD_H_INCLUDED
#define BB_HTTPD_H_INCLUDED

#include <stdarg.h>
#include <netdb.h>

//  Resolve bind_address for a listening socket. Returns a list the caller
//  frees with freeaddrinfo, or NULL if the address is malformed or does
//  not resolve.
struct addrinfo *bb_httpd_resolve (const char *bind_address);

struct MHD_Daemon;

//  The port daemon listens on (the one the system chose for a bind to
//  port 0), or 0 if libmicrohttpd cannot say.
unsigned bb_httpd_port (struct MHD_Daemon *daemon);

//  libmicrohttpd's MHD_OPTION_EXTERNAL_LOGGER: one warn event "mhd" with
//  the message quoted. cls is unused.
void bb_httpd_log (void *cls, const char *format, va_list args);

//  --health: GET path (starting with '/') of the daemon listening on
//  bind_address (a wildcard host is reached on 127.0.0.1), within 2 s.
//  Logs a "health" event. Returns 0 on a 200, else 1.
int bb_httpd_health (const char *bind_address, const char *path);

#endif
