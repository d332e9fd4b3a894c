/*  =========================================================================
    bb_ids - the identifiers of jobs and fetchers

    One owner for what a job id and a fetcher id may be, on both sides of
    the jobs socket. A job id is "<rotation>.<chunk>", the same across the
    attempts of one chunk; a fetcher id is what a fetcher announces (its
    --fetcher-id, or host and pid). Both are short and plain, so they go
    into logs, reports and status as they are. Pure, thread-safe.
    =========================================================================
*/
#ifndef BB_IDS_H_INCLUDED
#define BB_IDS_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

//  Longest job id, NUL included.
#define BB_JOB_ID_SIZE 48

//  Longest fetcher id, NUL included.
#define BB_FETCHER_ID_SIZE 64

//  The job id of chunk chunk_index of rotation, into id (BB_JOB_ID_SIZE
//  bytes). Returns id.
char *bb_job_id_format (uint64_t rotation, uint32_t chunk_index, char *id);

//  True if job_id is 1..BB_JOB_ID_SIZE-1 characters of letters, digits
//  and ".-_:".
bool bb_job_id_valid (const char *job_id);

//  True if id is 1..BB_FETCHER_ID_SIZE-1 printable ASCII characters.
bool bb_fetcher_id_valid (const char *id);

#endif
