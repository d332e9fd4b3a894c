/*  =========================================================================
    bb_text - checks on free text the store keeps

    Owns one UTF-8 validator (RFC 3629: no overlongs, no surrogates,
    nothing above U+10FFFF).
    =========================================================================
*/
#include "bb_text.h"

#include <stdint.h>
#include <string.h>

//  Length of the UTF-8 sequence at bytes (available bytes left), or 0 if
//  it is not a valid one.
static size_t
s_sequence (const uint8_t *bytes, size_t available)
{
    uint8_t lead = bytes [0];
    if (lead < 0x80)
        return 1;
    size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2
                  : 0;
    if (length == 0 || length > available || lead > 0xF4)
        return 0;
    uint32_t point = lead & (0x7F >> length);
    for (size_t i = 1; i < length; i++) {
        if ((bytes [i] & 0xC0) != 0x80)
            return 0;
        point = point << 6 | (bytes [i] & 0x3F);
    }
    static const uint32_t minimum [5] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (point < minimum [length] || point > 0x10FFFF
    ||  (point >= 0xD800 && point <= 0xDFFF))
        return 0;
    return length;
}

int
bb_text_check (const char *text, size_t max_bytes, const char **reason)
{
    const uint8_t *bytes = (const uint8_t *) (text ? text : "");
    size_t size = strlen ((const char *) bytes);
    if (size > max_bytes) {
        *reason = "too long";
        return -1;
    }
    for (size_t at = 0; at < size; ) {
        if (bytes [at] < 0x20 || bytes [at] == 0x7F) {
            *reason = "control character";
            return -1;
        }
        size_t length = s_sequence (bytes + at, size - at);
        if (length == 0) {
            *reason = "not valid UTF-8";
            return -1;
        }
        at += length;
    }
    return 0;
}
