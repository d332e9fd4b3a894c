/*  =========================================================================
    bb_fetch_source - one source of one agent in a chunk job: its Hiro
    or its mempool.space balances

    A source is open until it ends, once: in success, or in its first
    failure, which is the one it reports (the status, the HTTP status and
    Retry-After that came with it, a detail). The balances it read are
    kept only on success. bb_fetch_source_result turns it into the
    SourceResult of the agent's row in the BalanceBatch. Also here: the
    FetchStatus a request that gave no usable answer stands for, and the
    status names a job's failure summary logs. Plain data inside the
    job's agent array, one thread.
    =========================================================================
*/
#ifndef BB_FETCH_SOURCE_H_INCLUDED
#define BB_FETCH_SOURCE_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "balboard.pb-c.h"
#include "bb_balances.h"
#include "bb_http.h"
#include "bb_reason.h"

typedef struct {
    Balboard__FetchStatus status;       // UNSPECIFIED while open
    uint32_t http_status;               // of the answer it ended with
    uint32_t retry_after_s;             // ... and its Retry-After
    char detail [BB_REASON_SIZE];       // why it failed
    bb_balances_t *balances;            // owned; empty unless FETCH_OK
} bb_fetch_source_t;

//  Open self, with no balances yet.
void bb_fetch_source_init (bb_fetch_source_t *self);

//  Free what self owns. Idempotent.
void bb_fetch_source_free (bb_fetch_source_t *self);

//  True until self ended, in success or failure.
bool bb_fetch_source_open (const bb_fetch_source_t *self);

//  End self in success, if it is still open.
void bb_fetch_source_ok (bb_fetch_source_t *self);

//  End self in failure with status, if it is still open (a later failure
//  changes nothing): the HTTP status and Retry-After from result (may be
//  NULL), the detail given, or else "HTTP <status>" or the engine's
//  detail from result. Drops the balances read.
void bb_fetch_source_fail (bb_fetch_source_t *self,
                           Balboard__FetchStatus status,
                           const bb_http_result_t *result,
                           const char *detail);

//  The SourceResult of self as upstream, its balances when FETCH_OK.
//  Caller frees it (balboard__source_result__free_unpacked).
Balboard__SourceResult *bb_fetch_source_result (const bb_fetch_source_t *self,
                                                Balboard__Upstream upstream);

//  The status of a request that gave no usable 2xx answer. 400 is how
//  every upstream refuses an address.
Balboard__FetchStatus bb_fetch_status_of (const bb_http_result_t *result);

//  status as the logs name it ("timeout", "invalid_address", ...).
const char *bb_fetch_status_name (Balboard__FetchStatus status);

#endif
