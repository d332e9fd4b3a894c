/*  =========================================================================
    bb_text - checks on free text the store keeps

    Names and symbols end up in JSON (bb_render) and in logs, so the store
    accepts only well-formed UTF-8 without control characters, within a
    byte limit. Pure, thread-safe.
    =========================================================================
*/
#ifndef BB_TEXT_H_INCLUDED
#define BB_TEXT_H_INCLUDED

#include <stddef.h>

//  Check that text (NULL reads as "") is at most max_bytes bytes of valid
//  UTF-8 with no C0 control characters or DEL. Returns 0, or -1 with
//  *reason (static).
int bb_text_check (const char *text, size_t max_bytes, const char **reason);

#endif
