/*  =========================================================================
    bb_gzip - content negotiation and compression of response bodies

    Reads Accept-Encoding (RFC 9110 12.5.3): gzip is used when the client
    lists "gzip" or "x-gzip" with a non-zero weight, or "*" with a non-zero
    weight and no gzip entry of weight 0. Compresses a whole body at once
    with zlib into the gzip format. Pure, thread-safe.
    =========================================================================
*/
#ifndef BB_GZIP_H_INCLUDED
#define BB_GZIP_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  True if accept_encoding (the header's value, NULL when absent) lets
//  the response be gzip-encoded.
bool bb_gzip_accepted (const char *accept_encoding);

//  Compress data (size bytes) into *out_p (*out_size bytes; the caller
//  owns it and must free() it). Returns 0, or -1 (out of memory).
int bb_gzip_compress (const void *data, size_t size, void **out_p,
                      size_t *out_size);

#endif
