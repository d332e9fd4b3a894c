/*  =========================================================================
    bb_gzip - content negotiation and compression of response bodies
    =========================================================================
*/
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "bb_gzip.h"

#define GZIP_WINDOW_BITS    (15 + 16)   // zlib's way of asking for gzip
#define MEMORY_LEVEL        8           // zlib's default

//  Weight of a coding's parameters ("; q=0.5"), 1 when none is given.
static double
s_weight (const char *params, size_t size)
{
    const char *q = params;
    while ((q = memchr (q, 'q', size - (size_t) (q - params)))) {
        const char *value = q + 1;
        while (*value == ' ')
            value++;
        if (*value == '=')
            return strtod (value + 1, NULL);
        q++;
    }
    return 1.0;
}

bool
bb_gzip_accepted (const char *accept_encoding)
{
    double gzip = -1, any = -1;         // -1: not listed
    const char *cursor = accept_encoding ? accept_encoding : "";
    while (*cursor) {
        cursor += strspn (cursor, " \t,");
        size_t size = strcspn (cursor, ",");
        size_t name_size = strcspn (cursor, " \t;,");
        double weight = s_weight (cursor + name_size, size - name_size);
        if ((name_size == 4 && strncasecmp (cursor, "gzip", 4) == 0)
        ||  (name_size == 6 && strncasecmp (cursor, "x-gzip", 6) == 0))
            gzip = weight;
        else
        if (name_size == 1 && *cursor == '*')
            any = weight;
        cursor += size;
    }
    return gzip > 0 || (gzip < 0 && any > 0);
}

int
bb_gzip_compress (const void *data, size_t size, void **out_p,
                  size_t *out_size)
{
    z_stream stream = { 0 };
    if (deflateInit2 (&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                      GZIP_WINDOW_BITS, MEMORY_LEVEL, Z_DEFAULT_STRATEGY)
        != Z_OK)
        return -1;
    size_t bound = deflateBound (&stream, (uLong) size);
    unsigned char *out = malloc (bound);
    int rc = out ? Z_OK : Z_MEM_ERROR;
    if (out) {
        stream.next_in = (Bytef *) data;
        stream.avail_in = (uInt) size;
        stream.next_out = out;
        stream.avail_out = (uInt) bound;
        rc = deflate (&stream, Z_FINISH);
    }
    deflateEnd (&stream);
    if (rc != Z_STREAM_END) {
        free (out);
        return -1;
    }
    *out_p = out;
    *out_size = stream.total_out;
    return 0;
}
