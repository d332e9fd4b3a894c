/*  =========================================================================
    fuzz_target - what the fuzz targets share (see fuzz_target.h)
    =========================================================================
*/
#include <string.h>

#include "fuzz_target.h"

char *
fuzz_target_string (const uint8_t *data, size_t size)
{
    char *text = malloc (size + 1);
    FUZZ_CHECK (text);
    memcpy (text, data, size);
    text [size] = '\0';
    return text;
}
