/*  =========================================================================
    bb_httpd - what balboard's HTTP daemons share
    =========================================================================
*/
#include "bb_httpd.h"
#include "bb_log.h"
#include "bb_wire.h"

#include <assert.h>
#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST_SIZE 256
#define URL_SIZE 512
#define HEALTH_TIMEOUT_MS 2000

//  Split "host:port" or "[host]:port" into host (HOST_SIZE bytes) and a
//  pointer to the port. Returns the port, or NULL if malformed.
static const char *
s_split (const char *bind_address, char *host)
{
    if (bind_address [0] == '[') {
        const char *bracket = strchr (bind_address, ']');
        if (!bracket || bracket [1] != ':')
            return NULL;
        snprintf (host, HOST_SIZE, "%.*s",
                  (int) (bracket - bind_address - 1), bind_address + 1);
        return bracket + 2;
    }
    const char *colon = strrchr (bind_address, ':');
    if (!colon)
        return NULL;
    snprintf (host, HOST_SIZE, "%.*s", (int) (colon - bind_address),
              bind_address);
    return colon + 1;
}

//  Resolve bind_address for a listening socket. Returns a list the caller
//  frees with freeaddrinfo, or NULL if the address is malformed or does
//  not resolve.
static struct addrinfo *
s_resolve (const char *bind_address)
{
    char host [HOST_SIZE];
    const char *port = s_split (bind_address, host);
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
    };
    struct addrinfo *result = NULL;
    if (!port || !*port
    ||  getaddrinfo (*host ? host : NULL, port, &hints, &result))
        return NULL;
    return result;
}

//  libmicrohttpd's MHD_OPTION_EXTERNAL_LOGGER: one warn event "mhd" with
//  the message quoted. cls is unused.
static void
s_log (void *cls, const char *format, va_list args)
{
    char message [BB_LOG_LINE_MAX / 2];
    vsnprintf (message, sizeof message, format, args);
    message [strcspn (message, "\n")] = 0;
    char quoted [BB_LOG_LINE_MAX / 2 + 16];
    bb_warn ("mhd", "message=%s",
             bb_log_quote (message, quoted, sizeof quoted));
}

struct MHD_Daemon *
bb_httpd_start (const char *bind_address, unsigned flags,
                MHD_AccessHandlerCallback access, void *cls,
                const struct MHD_OptionItem *options)
{
    assert (bind_address && access && options);
    struct addrinfo *address = s_resolve (bind_address);
    if (!address) {
        bb_error ("bind_invalid", "bind=%s hint=\"use host:port\"",
                  bind_address);
        return NULL;
    }
    if (address->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *daemon = MHD_start_daemon (
        flags, 0, NULL, NULL, access, cls,
        MHD_OPTION_EXTERNAL_LOGGER, s_log, NULL,    // must be first
        MHD_OPTION_SOCK_ADDR, address->ai_addr,
        MHD_OPTION_ARRAY, options,
        MHD_OPTION_END);
    freeaddrinfo (address);
    if (!daemon)
        bb_error ("bind_failed", "bind=%s", bind_address);
    return daemon;
}

unsigned
bb_httpd_port (struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = daemon
        ? MHD_get_daemon_info (daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    return info ? info->port : 0;
}

//  A curl write callback that keeps nothing.
static size_t
s_discard (char *data, size_t size, size_t count, void *arg)
{
    return size * count;
}

//  The status of GET url, or 0 when there was no answer.
static long
s_get_status (const char *url)
{
    long status = 0;
    if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 0;
    CURL *curl = curl_easy_init ();
    if (curl) {
        curl_easy_setopt (curl, CURLOPT_URL, url);
        curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_discard);
        curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, (long) HEALTH_TIMEOUT_MS);
        if (curl_easy_perform (curl) == CURLE_OK)
            curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup (curl);
    }
    curl_global_cleanup ();
    return status;
}

int
bb_httpd_health (const char *bind_address, const char *path)
{
    char host [URL_SIZE], url [URL_SIZE * 2];
    bb_wire_connect_endpoint (bind_address, host, sizeof host);
    snprintf (url, sizeof url, "http://%s%s", host, path);
    long status = s_get_status (url);
    bb_info ("health", "url=%s status=%ld healthy=%d", url, status,
             status == 200);
    return status == 200 ? EXIT_SUCCESS : EXIT_FAILURE;
}
