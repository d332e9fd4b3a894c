/*  =========================================================================
    bb_ids - the identifiers of jobs and fetchers
    =========================================================================
*/
#include "bb_ids.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define JOB_ID_CHARS    "0123456789abcdefghijklmnopqrstuvwxyz" \
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-_:"

char *
bb_job_id_format (uint64_t rotation, uint32_t chunk_index, char *id)
{
    snprintf (id, BB_JOB_ID_SIZE, "%" PRIu64 ".%" PRIu32, rotation,
              chunk_index);
    return id;
}

bool
bb_job_id_valid (const char *job_id)
{
    size_t length = job_id ? strlen (job_id) : 0;
    return length > 0 && length < BB_JOB_ID_SIZE
        && strspn (job_id, JOB_ID_CHARS) == length;
}

bool
bb_fetcher_id_valid (const char *id)
{
    if (!id || !*id || strlen (id) >= BB_FETCHER_ID_SIZE)
        return false;
    for (const char *c = id; *c; c++)
        if (!isprint ((unsigned char) *c))
            return false;
    return true;
}
