/*  =========================================================================
    bb_etag - the dashboard's entity tags and If-None-Match
    =========================================================================
*/
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bb_etag.h"

char *
bb_etag_dashboard (const Balboard__DashboardPage *page, bool gzip,
                   char *etag)
{
    uint64_t priced_at_ms = page->prices ? page->prices->priced_at_ms : 0;
    snprintf (etag, BB_ETAG_SIZE,
              "\"c%" PRIu64 "-p%" PRIu64 "-o%" PRId64 "-l%" PRId64 "%s\"",
              page->commit_seq, priced_at_ms, page->offset, page->limit,
              gzip ? "-gzip" : "");
    return etag;
}

static const char *
s_skip_separators (const char *cursor)
{
    while (*cursor == ' ' || *cursor == '\t' || *cursor == ',')
        cursor++;
    return cursor;
}

//  The end of the list element at cursor (its comma or the NUL).
static const char *
s_element_end (const char *cursor)
{
    if (*cursor == '"') {
        const char *close = strchr (cursor + 1, '"');
        cursor = close ? close + 1 : cursor + strlen (cursor);
    }
    return cursor + strcspn (cursor, ",");
}

bool
bb_etag_matches (const char *if_none_match, const char *etag)
{
    if (!if_none_match)
        return false;
    size_t etag_size = strlen (etag);
    const char *cursor = s_skip_separators (if_none_match);
    while (*cursor) {
        if (*cursor == '*')
            return true;
        if (strncmp (cursor, "W/", 2) == 0)
            cursor += 2;
        const char *end = s_element_end (cursor);
        size_t size = (size_t) (end - cursor);
        while (size && (cursor [size - 1] == ' ' || cursor [size - 1] == '\t'))
            size--;
        if (size == etag_size && memcmp (cursor, etag, size) == 0)
            return true;
        cursor = s_skip_separators (end);
    }
    return false;
}
