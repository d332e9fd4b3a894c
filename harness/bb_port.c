/*  =========================================================================
    bb_port - free TCP ports on loopback, for tests and benchmarks

    The kernel picks the port: bind to port 0, read it back, close.
    =========================================================================
*/
#include "bb_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int
bb_port_free (void)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in address = {
        .sin_family = AF_INET,
        .sin_port = 0,
        .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
    };
    socklen_t length = sizeof address;
    int port = -1;
    if (bind (fd, (struct sockaddr *) &address, sizeof address) == 0
    &&  getsockname (fd, (struct sockaddr *) &address, &length) == 0)
        port = ntohs (address.sin_port);
    close (fd);
    return port;
}

int
bb_port_free_endpoint (char *endpoint, size_t size)
{
    int port = bb_port_free ();
    if (port < 0)
        snprintf (endpoint, size, "%s", "");
    else
        snprintf (endpoint, size, "tcp://127.0.0.1:%d", port);
    return port;
}
