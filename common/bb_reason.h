/*  =========================================================================
    bb_reason - the one way a failing path says why

    Every module that fails on outside input (a frame, an upstream body,
    an import, a batch, an address) fills a caller's reason buffer of
    BB_REASON_SIZE bytes and returns -1. bb_reason_fail does both, so a
    failing path reads `return bb_reason_fail (reason, size, "...", ...)`.
    Reasons are short, lower case, and safe to log once quoted
    (bb_log_quote) and to send in an ErrorReply. Pure, thread-safe.
    =========================================================================
*/
#ifndef BB_REASON_H_INCLUDED
#define BB_REASON_H_INCLUDED

#include <stddef.h>

//  Longest reason, NUL included: reason buffers, ErrorReply reasons,
//  actor failures and parser errors all hold one.
#define BB_REASON_SIZE 160

//  Format a reason into reason (size bytes, cut to fit; nothing is
//  written when reason is NULL or size 0). Returns -1.
int bb_reason_fail (char *reason, size_t size, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

#endif
