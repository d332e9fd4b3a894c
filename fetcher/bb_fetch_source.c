/*  =========================================================================
    bb_fetch_source - one source of one agent in a chunk job: its Hiro
    or its mempool.space balances
    =========================================================================
*/
#include "bb_fetch_source.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "bb_pb.h"
#include "bb_u128.h"

void
bb_fetch_source_init (bb_fetch_source_t *self)
{
    assert (self);
    *self = (bb_fetch_source_t) {
        .status = BALBOARD__FETCH_STATUS__FETCH_STATUS_UNSPECIFIED,
        .balances = bb_balances_new ()
    };
}

void
bb_fetch_source_free (bb_fetch_source_t *self)
{
    assert (self);
    bb_balances_destroy (&self->balances);
}

bool
bb_fetch_source_open (const bb_fetch_source_t *self)
{
    assert (self);
    return self->status == BALBOARD__FETCH_STATUS__FETCH_STATUS_UNSPECIFIED;
}

void
bb_fetch_source_ok (bb_fetch_source_t *self)
{
    if (bb_fetch_source_open (self))
        self->status = BALBOARD__FETCH_STATUS__FETCH_OK;
}

void
bb_fetch_source_fail (bb_fetch_source_t *self, Balboard__FetchStatus status,
                      const bb_http_result_t *result, const char *detail)
{
    if (!bb_fetch_source_open (self))
        return;
    self->status = status;
    if (result) {
        self->http_status = (uint32_t) result->status;
        self->retry_after_s = result->retry_after_s;
    }
    if (detail && *detail)
        snprintf (self->detail, sizeof self->detail, "%s", detail);
    else
    if (result && result->outcome == BB_HTTP_RESPONSE)
        bb_reason_fail (self->detail, sizeof self->detail, "HTTP %ld",
                        result->status);
    else
    if (result)
        snprintf (self->detail, sizeof self->detail, "%s", result->detail);
    bb_balances_clear (self->balances);
}

Balboard__SourceResult *
bb_fetch_source_result (const bb_fetch_source_t *self,
                        Balboard__Upstream upstream)
{
    assert (self);
    Balboard__SourceResult *result =
        bb_pb_new (&balboard__source_result__descriptor);
    result->upstream = upstream;
    result->status = self->status;
    result->http_status = self->http_status;
    result->retry_after_s = self->retry_after_s;
    result->detail = bb_pb_strdup (self->detail);
    size_t count = self->status == BALBOARD__FETCH_STATUS__FETCH_OK
                 ? bb_balances_size (self->balances) : 0;
    result->balances = calloc (count + 1, sizeof result->balances [0]);
    assert (result->balances);
    for (size_t index = 0; index < count; index++) {
        Balboard__TokenBalance *balance =
            bb_pb_new (&balboard__token_balance__descriptor);
        char amount [BB_U128_DEC_SIZE];
        balance->token_id = bb_pb_strdup (bb_balances_token (self->balances,
                                                             index));
        balance->amount = bb_pb_strdup (bb_u128_format (
            bb_balances_amount (self->balances, index), amount));
        result->balances [result->n_balances++] = balance;
    }
    return result;
}

Balboard__FetchStatus
bb_fetch_status_of (const bb_http_result_t *result)
{
    assert (result);
    switch (result->outcome) {
        case BB_HTTP_RESPONSE:
            return result->status == 400
                 ? BALBOARD__FETCH_STATUS__FETCH_INVALID_ADDRESS
                 : BALBOARD__FETCH_STATUS__FETCH_HTTP_ERROR;
        case BB_HTTP_RATE_LIMITED:
            return BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED;
        case BB_HTTP_TIMEOUT:
            return BALBOARD__FETCH_STATUS__FETCH_TIMEOUT;
        case BB_HTTP_TRANSPORT:
        case BB_HTTP_CANCELLED:
            return BALBOARD__FETCH_STATUS__FETCH_TRANSPORT;
    }
    return BALBOARD__FETCH_STATUS__FETCH_TRANSPORT;
}

const char *
bb_fetch_status_name (Balboard__FetchStatus status)
{
    switch (status) {
        case BALBOARD__FETCH_STATUS__FETCH_OK:              return "ok";
        case BALBOARD__FETCH_STATUS__FETCH_TIMEOUT:         return "timeout";
        case BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED:
            return "rate_limited";
        case BALBOARD__FETCH_STATUS__FETCH_HTTP_ERROR:  return "http_error";
        case BALBOARD__FETCH_STATUS__FETCH_PARSE_ERROR: return "parse_error";
        case BALBOARD__FETCH_STATUS__FETCH_INVALID_ADDRESS:
            return "invalid_address";
        case BALBOARD__FETCH_STATUS__FETCH_TRANSPORT:   return "transport";
        default:                                        return "pending";
    }
}
