/*  =========================================================================
    bb_http_query - the dashboard's query parameters, read as the original

    The original endpoint read limit and offset with JavaScript's parseInt
    (base 10): leading whitespace, an optional sign, then the leading
    digits; "7.9" is 7, "12abc" is 12, "abc" or "" is no value. limit: no
    value or 0 gives 100, then it is clamped to 1..500; offset: no value
    gives 0, then it is at least 0. A bad value is never an error. Digits
    past what an int64 holds saturate (an offset that large is past the
    end of any page). Pure, thread-safe.
    =========================================================================
*/
#ifndef BB_HTTP_QUERY_H_INCLUDED
#define BB_HTTP_QUERY_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#define BB_HTTP_QUERY_LIMIT_DEFAULT 100
#define BB_HTTP_QUERY_LIMIT_MAX     500
#define BB_HTTP_QUERY_OFFSET_MAX    (INT64_MAX / 2)   // offset + limit fits

//  Read text (NULL = absent) as parseInt does into *value. Returns true,
//  or false when text holds no number.
bool bb_http_query_parse_int (const char *text, int64_t *value);

//  The page size for the limit parameter's text (NULL = absent).
int64_t bb_http_query_limit (const char *text);

//  The first row for the offset parameter's text (NULL = absent).
int64_t bb_http_query_offset (const char *text);

#endif
