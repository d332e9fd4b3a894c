/*  =========================================================================
    bb_port - free TCP ports on loopback, for tests and benchmarks

    Ports are drawn at random below the kernel's ephemeral range
    (net.ipv4.ip_local_port_range) and kept when a bind to them succeeds.
    Outgoing connections take their local ports from the ephemeral range,
    so a port drawn here cannot be taken by a client's connect between
    the draw and the server's bind (a port the kernel hands out for
    bind (port 0) can: under parallel tests that was a real "Address
    already in use"). When the range leaves no room below it, the kernel
    picks (bind to port 0). Stateless but for the random state.
    =========================================================================
*/
#include "bb_port.h"
#include "bb_random.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

//  Draws below the ephemeral range start here (above the well-known
//  and most registered service ports).
#define DRAW_LOW        10000
#define DRAW_ATTEMPTS   64
#define EPHEMERAL_FILE  "/proc/sys/net/ipv4/ip_local_port_range"

//  Bind a loopback TCP socket to port (0: the kernel's choice) and
//  return the port bound, or -1.
static int
s_try_bind (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in address = {
        .sin_family = AF_INET,
        .sin_port = htons ((uint16_t) port),
        .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
    };
    socklen_t length = sizeof address;
    int bound = -1;
    if (bind (fd, (struct sockaddr *) &address, sizeof address) == 0
    &&  getsockname (fd, (struct sockaddr *) &address, &length) == 0)
        bound = ntohs (address.sin_port);
    close (fd);
    return bound;
}

//  First port of the kernel's ephemeral range (32768 when unreadable).
static int
s_ephemeral_low (void)
{
    int low = 32768, high;
    FILE *file = fopen (EPHEMERAL_FILE, "r");
    if (file) {
        if (fscanf (file, "%d %d", &low, &high) != 2)
            low = 32768;
        fclose (file);
    }
    return low;
}

//  A seed that differs between processes and calls.
static uint64_t
s_seed (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    uint64_t seed = (uint64_t) now.tv_nsec * 0x9E3779B97F4A7C15ull
                  ^ (uint64_t) getpid () << 32 ^ (uint64_t) now.tv_sec;
    return seed ? seed : 1;
}

int
bb_port_free (void)
{
    static __thread uint64_t state;
    if (state == 0)
        state = s_seed ();
    int low = s_ephemeral_low ();
    if (low > DRAW_LOW)
        for (int attempt = 0; attempt < DRAW_ATTEMPTS; attempt++) {
            int port = DRAW_LOW
                     + (int) (bb_random_next (&state)
                              % (uint64_t) (low - DRAW_LOW));
            if (s_try_bind (port) == port)
                return port;
        }
    return s_try_bind (0);
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
