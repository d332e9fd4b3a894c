/*  =========================================================================
    bb_httpd - what balboard's HTTP daemons share

    The gateway and the mock upstream both serve HTTP with libmicrohttpd.
    This module owns what they do alike: starting a daemon on a listening
    address ("host:port", "[v6]:port", an empty host for every interface)
    with the library's own error messages in the structured log, the port
    it bound, and the --health probe of a running daemon (GET a path,
    healthy on 200).
    Linked as its own library (bb_httpd, with libcurl) by those two only.
    =========================================================================
*/
#ifndef BB_HTTPD_H_INCLUDED
#define BB_HTTPD_H_INCLUDED

#include <microhttpd.h>

//  Start a daemon listening on bind_address ("host:port", "[v6]:port",
//  an empty host for every interface): flags (MHD_USE_IPv6 is added for a
//  v6 address), access answering each request with cls, libmicrohttpd's
//  own messages as warn events "mhd", then options, an array ending with
//  MHD_OPTION_END (MHD_OPTION_ARRAY: a value in .value, a pointer or a
//  callback's cls in .ptr_value). Returns the daemon, or NULL after
//  logging bind_invalid (malformed or unresolved address) or bind_failed.
struct MHD_Daemon *bb_httpd_start (const char *bind_address, unsigned flags,
                                   MHD_AccessHandlerCallback access,
                                   void *cls,
                                   const struct MHD_OptionItem *options);

//  The port daemon listens on (the one the system chose for a bind to
//  port 0), or 0 if libmicrohttpd cannot say.
unsigned bb_httpd_port (struct MHD_Daemon *daemon);

//  --health: GET path (starting with '/') of the daemon listening on
//  bind_address (a wildcard host is reached on 127.0.0.1), within 2 s.
//  Logs a "health" event. Returns 0 on a 200, else 1.
int bb_httpd_health (const char *bind_address, const char *path);

#endif
