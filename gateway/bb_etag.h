/*  =========================================================================
    bb_etag - the dashboard's entity tags and If-None-Match

    A dashboard page depends on the store's write commits (commit_seq), the
    price snapshot (priced_at_ms), its offset and its limit and on nothing
    else, so its strong ETag is made of them alone, in the gateway, before
    any rendering: "c<seq>-p<priced>-o<offset>-l<limit>". The gzip
    representation is a different byte sequence, so its tag ends in
    "-gzip". Every replica of the gateway computes the same tag for the
    same page. If-None-Match is compared the weak way (RFC 9110 13.1.2): a
    "W/" prefix is ignored, "*" matches, and the header may list several
    tags. Pure, thread-safe.
    =========================================================================
*/
#ifndef BB_ETAG_H_INCLUDED
#define BB_ETAG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "balboard.pb-c.h"

//  Longest tag written, quotes and NUL included.
#define BB_ETAG_SIZE 112

//  Write the quoted tag of page (as served gzipped when gzip) into etag
//  (BB_ETAG_SIZE bytes). Returns etag.
char *bb_etag_dashboard (const Balboard__DashboardPage *page, bool gzip,
                         char *etag);

//  True if if_none_match (the header's value, NULL when absent) names
//  etag (a quoted tag) or is "*".
bool bb_etag_matches (const char *if_none_match, const char *etag);

#endif
