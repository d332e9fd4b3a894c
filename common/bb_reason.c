/*  =========================================================================
    bb_reason - the one way a failing path says why
    =========================================================================
*/
#include "bb_reason.h"

#include <stdarg.h>
#include <stdio.h>

int
bb_reason_fail (char *reason, size_t size, const char *format, ...)
{
    if (reason && size) {
        va_list args;
        va_start (args, format);
        vsnprintf (reason, size, format, args);
        va_end (args);
    }
    return -1;
}
