/*  =========================================================================
    bb_curl_version - libcurl's runtime version, for --version

    Header only: the binaries that link libcurl (gateway, fetcher, the
    CLI) list it among their libraries; common/ itself does not link
    libcurl.
    =========================================================================
*/
#ifndef BB_CURL_VERSION_H_INCLUDED
#define BB_CURL_VERSION_H_INCLUDED

#include <curl/curl.h>

//  "8.5.0", as libcurl reports the version it runs with.
static inline const char *
bb_curl_version (void)
{
    return curl_version_info (CURLVERSION_NOW)->version;
}

#endif
