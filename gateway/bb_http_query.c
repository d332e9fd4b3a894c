/*  =========================================================================
    bb_http_query - the dashboard's query parameters, read as the original
    =========================================================================
*/
#include <ctype.h>
#include <stddef.h>

#include "bb_http_query.h"

//  JavaScript's StrWhiteSpaceChar, as far as ASCII goes.
static bool
s_is_space (char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f'
        || c == '\r';
}

bool
bb_http_query_parse_int (const char *text, int64_t *value)
{
    if (!text)
        return false;
    while (s_is_space (*text))
        text++;
    bool negative = *text == '-';
    if (*text == '-' || *text == '+')
        text++;
    if (!isdigit ((unsigned char) *text))
        return false;
    int64_t magnitude = 0;
    for (; isdigit ((unsigned char) *text); text++) {
        int digit = *text - '0';
        magnitude = magnitude > (INT64_MAX - digit) / 10
                  ? INT64_MAX : magnitude * 10 + digit;
    }
    *value = negative ? -magnitude : magnitude;
    return true;
}

int64_t
bb_http_query_limit (const char *text)
{
    int64_t limit = 0;
    if (!bb_http_query_parse_int (text, &limit) || limit == 0)
        return BB_HTTP_QUERY_LIMIT_DEFAULT;
    if (limit < 1)
        return 1;
    return limit > BB_HTTP_QUERY_LIMIT_MAX ? BB_HTTP_QUERY_LIMIT_MAX : limit;
}

int64_t
bb_http_query_offset (const char *text)
{
    int64_t offset = 0;
    if (!bb_http_query_parse_int (text, &offset) || offset < 0)
        return 0;
    return offset > BB_HTTP_QUERY_OFFSET_MAX ? BB_HTTP_QUERY_OFFSET_MAX
                                             : offset;
}
