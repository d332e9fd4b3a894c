/*  =========================================================================
    bb_port - free TCP ports on loopback, for tests and benchmarks

    A port is free when asked (a bind to it succeeded, then closed): another
    process may still take it before the caller binds it, so whoever
    starts a server on it retries on a new port when the bind fails
    (bb_child_start_on_free_ports does). Ports are drawn below the
    kernel's ephemeral range, so no client connection takes one meanwhile.
    =========================================================================
*/
#ifndef BB_PORT_H_INCLUDED
#define BB_PORT_H_INCLUDED

#include <stddef.h>

//  A TCP port on 127.0.0.1 that was free a moment ago, or -1.
int bb_port_free (void);

//  Write "tcp://127.0.0.1:<a free port>" into endpoint (size bytes).
//  Returns the port, or -1 (endpoint then empty).
int bb_port_free_endpoint (char *endpoint, size_t size);

#endif
