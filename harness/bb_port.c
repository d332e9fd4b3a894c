/*  =========================================================================
    bb_port - free TCP ports on loopback, for tests and benchmarks

    Ports are drawn at random below the kernel's ephemeral range
    (net.ipv4.ip_local_port_range) and kept when a bind to them succeeds.
    Outgoing connections take their local ports from the ephemeral range,
    so a port drawn here cannot be taken by a client's connect between
    the draw and the server's bind (a port the kernel hands out for
    bind (port 0) can: under parallel tests that was a real "Address
    already in use"). A port drawn stays reserved for the life of the
    process: a socket bound to it with SO_REUSEADDR that never listens.
    The servers we start bind with SO_REUSEADDR too (libzmq and
    libmicrohttpd do), which Linux allows beside a socket that does not
    listen, while another test's draw (a bind without SO_REUSEADDR) fails
    on it and draws again; so two tests running at once never share a
    port, and a server restarted on its port finds it still free. When the
    range leaves no room below it, the kernel picks (bind to port 0).
    =========================================================================
*/
#include "bb_port.h"
#include "bb_random.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

//  Draws below the ephemeral range start here (above the well-known
//  and most registered service ports).
#define DRAW_LOW        10000
#define DRAW_ATTEMPTS   64
#define EPHEMERAL_FILE  "/proc/sys/net/ipv4/ip_local_port_range"
#define RESERVED_MAX    512         // ports a process keeps reserved

//  The reserving sockets of this process, closed with it
static int s_reserved [RESERVED_MAX];
static size_t s_reserved_count;
static pthread_mutex_t s_reserved_lock = PTHREAD_MUTEX_INITIALIZER;

//  Bind a loopback TCP socket to port (0: the kernel's choice), with
//  SO_REUSEADDR if reuse; return it, or -1. *bound is the port bound.
static int
s_bound_socket (int port, bool reuse, int *bound)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    if (reuse && setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on)) {
        close (fd);
        return -1;
    }
    struct sockaddr_in address = {
        .sin_family = AF_INET,
        .sin_port = htons ((uint16_t) port),
        .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
    };
    socklen_t length = sizeof address;
    if (bind (fd, (struct sockaddr *) &address, sizeof address) == 0
    &&  getsockname (fd, (struct sockaddr *) &address, &length) == 0) {
        *bound = ntohs (address.sin_port);
        return fd;
    }
    close (fd);
    return -1;
}

//  Bind to port (0: the kernel's choice) where no socket is bound, then
//  keep it reserved (see the top); return the port, or -1.
static int
s_reserve (int port)
{
    int bound;
    int fd = s_bound_socket (port, false, &bound);
    if (fd < 0)
        return -1;
    close (fd);
    pthread_mutex_lock (&s_reserved_lock);
    if (s_reserved_count < RESERVED_MAX) {
        int reserving = s_bound_socket (bound, true, &bound);
        if (reserving >= 0)
            s_reserved [s_reserved_count++] = reserving;
    }
    pthread_mutex_unlock (&s_reserved_lock);
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
            if (s_reserve (port) == port)
                return port;
        }
    return s_reserve (0);
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
