/*  =========================================================================
    bb_fetch_job - one chunk job, from ChunkJob to BalanceBatch and
    JobReport

    Every request carries a slot (job, index, kind) as its callback
    argument; slots live inside the agent and contract arrays, which are
    allocated once, so their addresses stay valid until the job dies.
    outstanding counts requests not yet called back; a phase ends when it
    reaches zero with nothing left to feed.

    Each agent has two sources (bb_fetch_source: Hiro and mempool.space),
    each ending once, in success or in its first failure.

    Layers: helpers (URLs, lanes); how a request's outcome reaches its
    source and its upstream's tally; requests and their callbacks per
    endpoint; token metadata; the batch and report; the public methods.
    =========================================================================
*/
#include "bb_fetch_job.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>

#include "bb_answers.h"
#include "bb_balances.h"
#include "bb_fetch_source.h"
#include "bb_log.h"
#include "bb_pb.h"
#include "bb_tally.h"
#include "bb_upstream_parse.h"

#define V3_FT_LIMIT         200     // Hiro's largest ft page
#define V3_PAGES_MAX        64      // 12800 tokens: past that, a loop
#define DETAIL_SIZE         BB_REASON_SIZE
#define REPORT_DETAIL_SIZE  512
#define UPSTREAMS           3       // hiro, mempool, price
//  Requests of one upstream that failed in a row (5xx, timeout,
//  transport, each after its own retries) before the job gives up on it.
#define GIVE_UP_FAILURES    3

typedef enum {
    KIND_HIRO_V1,
    KIND_HIRO_V3_STX,
    KIND_HIRO_V3_FT,
    KIND_MEMPOOL,
    KIND_PRICE,
    KIND_METADATA,
} kind_t;

typedef struct {
    bb_fetch_job_t *job;
    size_t index;                       // agent or contract
    kind_t kind;
} slot_t;

typedef struct {
    char *stx;                          // owned
    char *btc;                          // owned
    bool in_batch;                      // valid stx, first in the job
    bb_fetch_source_t hiro;
    bb_fetch_source_t mempool;
    slot_t hiro_slot;                   // v1, or v3 stx
    slot_t ft_slot;                     // v3 ft pages
    slot_t mempool_slot;
    unsigned hiro_requests;             // Hiro requests on the way
    unsigned ft_pages;                  // v3 ft pages asked for
    char *ft_cursor;                    // last cursor asked for, owned
    uint64_t captured_at_ms;            // wall clock, last source done
} agent_t;

typedef struct {
    char *contract;                     // "SP….name", owned
    char *asset_name;                   // first asset seen, owned
    slot_t slot;
    bool fetched;                       // meta came from Hiro this job
    bool resolved;                      // known or missing, by any route
    bb_token_meta_t meta;
} contract_t;

//  Per-upstream counts for the JobReport, and whether the job still
//  asks the upstream: a source the scheduler left out of the job, or one
//  the job gave up on, is closed, and every agent not fetched from it yet
//  gets closed_status without a request.
typedef struct {
    bb_tally_t counts;          // requests, failures, 429s, last error
    bb_answers_t answers;       // when the requests were answered
    int64_t retry_until_ms;     // end of the latest asked-for wait (mono)
    unsigned failed_in_row;     // requests failed in a row, server side
    bool closed;                // no more requests to this upstream
    bool gave_up;               // ... because it failed in this job
    Balboard__FetchStatus closed_status;
    uint32_t closed_http_status;        // of the request it gave up at
    char closed_detail [DETAIL_SIZE];
} tally_t;

struct _bb_fetch_job_t {
    bb_fetch_context_t *context;        // borrowed
    char *job_id;                       // owned
    uint32_t attempt;
    uint64_t rotation;
    uint32_t chunk_index;
    uint32_t rotation_agents;
    bool fetch_prices;
    uint32_t hiro_requests_max;         // the budget's; 0 = no limit
    int64_t deadline_ms;                // monotonic
    bb_fetch_job_state_t state;
    agent_t *agents;                    // owned, agent_count entries
    size_t agent_count;
    size_t hiro_next;                   // next agent to feed to Hiro
    unsigned hiro_outstanding;          // Hiro balance requests queued
    size_t outstanding;                 // requests not called back yet
    slot_t price_slot;
    bool price_ok;
    Balboard__PriceSnapshot prices;
    contract_t *contracts;              // owned, contract_count entries
    size_t contract_count;
    const char **unknown;               // owned array, borrowed strings
    size_t unknown_count;
    tally_t tally [UPSTREAMS];
    uint32_t invalid_stx;               // agents left out: bad address
    uint32_t repeated_stx;              // ... or already in the job
    Balboard__BalanceBatch *batch;      // owned, built once DONE
    Balboard__JobReport *report;        // owned, last built
    Balboard__UpstreamReport *progress [UPSTREAMS];  // owned, last built
    size_t progress_count;
    unsigned lane_429s [UPSTREAMS];     // the engine's count at the start
};

//  ---------------------------------------------------------------------
//  Helpers

//  Percent-encode text (a v3 cursor holds ':' and asset names).
static char *
s_escape (const char *text)
{
    static const char hex [] = "0123456789ABCDEF";
    char *escaped = malloc (strlen (text) * 3 + 1);
    assert (escaped);
    char *out = escaped;
    for (const unsigned char *at = (const unsigned char *) text; *at; at++)
        if ((*at >= 'A' && *at <= 'Z') || (*at >= 'a' && *at <= 'z')
        ||  (*at >= '0' && *at <= '9') || strchr ("-._~", *at))
            *out++ = (char) *at;
        else {
            *out++ = '%';
            *out++ = hex [*at >> 4];
            *out++ = hex [*at & 15];
        }
    *out = 0;
    return escaped;
}

static bb_upstream_t
s_lane_of (kind_t kind)
{
    return kind == KIND_MEMPOOL ? BB_UPSTREAM_MEMPOOL
         : kind == KIND_PRICE   ? BB_UPSTREAM_PRICE : BB_UPSTREAM_HIRO;
}

static bool
s_success (const bb_http_result_t *result)
{
    return result->outcome == BB_HTTP_RESPONSE
        && result->status >= 200 && result->status < 300;
}

//  ---------------------------------------------------------------------
//  Sources

//  True if result is a request the job cancelled when it gave up on the
//  upstream: not a failure of its own.
static bool
s_cancelled (bb_fetch_job_t *self, bb_upstream_t lane,
             const bb_http_result_t *result)
{
    return result->outcome == BB_HTTP_CANCELLED && self->tally [lane].closed;
}

//  Fail source as its closed upstream says, without a request.
static void
s_source_closed (bb_fetch_job_t *self, bb_upstream_t lane,
                 bb_fetch_source_t *source)
{
    tally_t *tally = &self->tally [lane];
    bb_fetch_source_fail (source, tally->closed_status, NULL,
                          tally->closed_detail);
    source->http_status = tally->closed_http_status;
    source->retry_after_s = tally->counts.retry_after_s;
}

//  An answer of lane's upstream that did not serve (a status it should
//  not give, a body that did not parse): its reason becomes the
//  upstream's last error, as a server failure's status does.
static void
s_bad_answer (bb_fetch_job_t *self, bb_upstream_t lane, const char *reason)
{
    snprintf (self->tally [lane].counts.last_error,
              sizeof self->tally [lane].counts.last_error, "%s", reason);
}

//  A response with a status the request should not get, and no server
//  failure (which s_judge names): "HTTP <status>" is the last error.
static void
s_unexpected_status (bb_fetch_job_t *self, bb_upstream_t lane,
                     const bb_http_result_t *result)
{
    if (result->outcome != BB_HTTP_RESPONSE || result->status >= 500)
        return;
    char reason [BB_REASON_SIZE];
    snprintf (reason, sizeof reason, "HTTP %ld", result->status);
    s_bad_answer (self, lane, reason);
}

//  Fail source with the status result stands for; counts the failure.
static void
s_request_failed (bb_fetch_job_t *self, bb_upstream_t lane,
                  bb_fetch_source_t *source,
                  const bb_http_result_t *result)
{
    if (s_cancelled (self, lane, result)) {
        s_source_closed (self, lane, source);
        return;
    }
    self->tally [lane].counts.failures++;
    s_unexpected_status (self, lane, result);
    bb_fetch_source_fail (source, bb_fetch_status_of (result), result, NULL);
}

static void
s_parse_failed (bb_fetch_job_t *self, bb_upstream_t lane,
                bb_fetch_source_t *source,
                const bb_http_result_t *result, const char *reason)
{
    bb_tally_fail (&self->tally [lane].counts, reason);
    bb_fetch_source_fail (source, BALBOARD__FETCH_STATUS__FETCH_PARSE_ERROR,
                          result, reason);
}

//  ---------------------------------------------------------------------
//  Requests

static void s_done (const bb_http_result_t *result, void *arg);

//  Queue url (owned, freed here) for slot.
static void
s_get (bb_fetch_job_t *self, slot_t *slot, char *url)
{
    bb_debug ("request", "job=%s kind=%d url=%s", self->job_id,
              (int) slot->kind, url);
    bb_http_get (self->context->http, s_lane_of (slot->kind), url,
                 self->deadline_ms, s_done, slot);
    self->outstanding++;
    free (url);
}

static void
s_hiro_v3_ft_page (bb_fetch_job_t *self, agent_t *agent)
{
    char *cursor = agent->ft_cursor ? s_escape (agent->ft_cursor) : NULL;
    char *url = zsys_sprintf (
        "%s/extended/v3/principals/%s/balances/ft?limit=%d%s%s",
        self->context->hiro_base, agent->stx, V3_FT_LIMIT,
        cursor ? "&cursor=" : "", cursor ? cursor : "");
    free (cursor);
    agent->ft_pages++;
    agent->hiro_requests++;
    self->hiro_outstanding++;
    s_get (self, &agent->ft_slot, url);
}

//  Queue agent's Hiro balances on the current endpoint.
static void
s_hiro_start (bb_fetch_job_t *self, agent_t *agent)
{
    const char *base = self->context->hiro_base;
    if (!self->context->hiro_v3) {
        agent->hiro_slot.kind = KIND_HIRO_V1;
        agent->hiro_requests++;
        self->hiro_outstanding++;
        s_get (self, &agent->hiro_slot, zsys_sprintf (
            "%s/extended/v1/address/%s/balances", base, agent->stx));
        return;
    }
    agent->hiro_slot.kind = KIND_HIRO_V3_STX;
    agent->hiro_requests++;
    self->hiro_outstanding++;
    s_get (self, &agent->hiro_slot, zsys_sprintf (
        "%s/extended/v3/principals/%s/balances/stx", base, agent->stx));
    s_hiro_v3_ft_page (self, agent);
}

static void
s_captured (agent_t *agent)
{
    agent->captured_at_ms = (uint64_t) zclock_time ();
}

//  Keep a lane's worth of Hiro balance requests queued; once Hiro is
//  closed, the agents left get its closed status instead.
static void
s_feed_hiro (bb_fetch_job_t *self)
{
    while (self->hiro_outstanding < self->context->hiro_window
        && self->hiro_next < self->agent_count) {
        agent_t *agent = &self->agents [self->hiro_next++];
        if (!agent->in_batch)
            continue;
        if (self->tally [BB_UPSTREAM_HIRO].closed) {
            s_source_closed (self, BB_UPSTREAM_HIRO, &agent->hiro);
            s_captured (agent);
        }
        else
            s_hiro_start (self, agent);
    }
}

//  One of agent's Hiro requests ended: once none is left the source is
//  settled.
static void
s_hiro_request_done (bb_fetch_job_t *self, agent_t *agent)
{
    assert (agent->hiro_requests > 0 && self->hiro_outstanding > 0);
    agent->hiro_requests--;
    self->hiro_outstanding--;
    if (agent->hiro_requests == 0) {
        bb_fetch_source_ok (&agent->hiro);
        s_captured (agent);
    }
}

static void
s_hiro_switch_to_v3 (bb_fetch_job_t *self)
{
    if (self->context->hiro_v3)
        return;
    self->context->hiro_v3 = true;
    bb_warn ("hiro_endpoint_switch", "from=v1 to=v3 reason=\"v1 balances "
             "answered 410 Gone\"");
}

static void
s_on_hiro_v1 (bb_fetch_job_t *self, agent_t *agent,
              const bb_http_result_t *result)
{
    char reason [BB_REASON_SIZE];
    if (result->outcome == BB_HTTP_RESPONSE && result->status == 410) {
        //  Deprecated endpoints are off: this agent and the rest of the
        //  fetcher's life go to v3.
        s_hiro_switch_to_v3 (self);
        s_hiro_start (self, agent);
    }
    else
    if (!s_success (result))
        s_request_failed (self, BB_UPSTREAM_HIRO, &agent->hiro, result);
    else
    if (bb_upstream_parse_hiro_v1 (result->body, result->body_size,
                                   self->context->network,
                                   agent->hiro.balances, reason,
                                   sizeof reason))
        s_parse_failed (self, BB_UPSTREAM_HIRO, &agent->hiro, result, reason);
    s_hiro_request_done (self, agent);
}

static void
s_on_hiro_v3_stx (bb_fetch_job_t *self, agent_t *agent,
                  const bb_http_result_t *result)
{
    char reason [BB_REASON_SIZE];
    if (!s_success (result))
        s_request_failed (self, BB_UPSTREAM_HIRO, &agent->hiro, result);
    else
    if (bb_fetch_source_open (&agent->hiro)
    &&  bb_upstream_parse_hiro_v3_stx (result->body, result->body_size,
                                       agent->hiro.balances, reason,
                                       sizeof reason))
        s_parse_failed (self, BB_UPSTREAM_HIRO, &agent->hiro, result, reason);
    s_hiro_request_done (self, agent);
}

//  A page parsed: ask for the next one unless this was the last, the
//  source already failed, or the cursor goes round in circles.
static void
s_hiro_v3_next (bb_fetch_job_t *self, agent_t *agent, char *next,
                const bb_http_result_t *result)
{
    if (!next || !bb_fetch_source_open (&agent->hiro)) {
        free (next);
        return;
    }
    bool repeated = agent->ft_cursor && strcmp (agent->ft_cursor, next) == 0;
    if (repeated || agent->ft_pages >= V3_PAGES_MAX) {
        s_parse_failed (self, BB_UPSTREAM_HIRO, &agent->hiro, result, repeated
                        ? "cursor.next repeats the current cursor"
                        : "too many ft pages");
        free (next);
        return;
    }
    free (agent->ft_cursor);
    agent->ft_cursor = next;
    s_hiro_v3_ft_page (self, agent);
}

static void
s_on_hiro_v3_ft (bb_fetch_job_t *self, agent_t *agent,
                 const bb_http_result_t *result)
{
    char reason [BB_REASON_SIZE];
    char *next = NULL;
    if (!s_success (result))
        s_request_failed (self, BB_UPSTREAM_HIRO, &agent->hiro, result);
    else
    if (bb_fetch_source_open (&agent->hiro)) {
        if (bb_upstream_parse_hiro_v3_ft (result->body, result->body_size,
                                          self->context->network,
                                          agent->hiro.balances, &next,
                                          reason, sizeof reason))
            s_parse_failed (self, BB_UPSTREAM_HIRO, &agent->hiro, result,
                            reason);
        else
            s_hiro_v3_next (self, agent, next, result);
    }
    s_hiro_request_done (self, agent);
}

static void
s_on_mempool (bb_fetch_job_t *self, agent_t *agent,
              const bb_http_result_t *result)
{
    char reason [BB_REASON_SIZE];
    if (!s_success (result))
        s_request_failed (self, BB_UPSTREAM_MEMPOOL, &agent->mempool, result);
    else
    if (bb_upstream_parse_mempool (result->body, result->body_size,
                                   agent->mempool.balances, reason,
                                   sizeof reason))
        s_parse_failed (self, BB_UPSTREAM_MEMPOOL, &agent->mempool, result,
                        reason);
    bb_fetch_source_ok (&agent->mempool);
    s_captured (agent);
}

static void
s_on_price (bb_fetch_job_t *self, const bb_http_result_t *result)
{
    char reason [BB_REASON_SIZE] = "";
    if (s_cancelled (self, BB_UPSTREAM_PRICE, result))
        return;
    if (!s_success (result)) {
        bb_reason_fail (reason, sizeof reason, "%s", result->outcome
                  == BB_HTTP_RESPONSE ? "unexpected HTTP status"
                                      : result->detail);
        s_unexpected_status (self, BB_UPSTREAM_PRICE, result);
    }
    else
    if (bb_upstream_parse_price (result->body, result->body_size,
                                 &self->prices.btc_usd_micro,
                                 &self->prices.stx_usd_micro, reason,
                                 sizeof reason) == 0) {
        self->prices.priced_at_ms = (uint64_t) zclock_time ();
        self->price_ok = true;
        return;
    }
    else
        s_bad_answer (self, BB_UPSTREAM_PRICE, reason);
    self->tally [BB_UPSTREAM_PRICE].counts.failures++;
    char quoted [BB_REASON_SIZE + 8];
    bb_warn ("price_failed", "job=%s http_status=%ld reason=%s",
             self->job_id, result->status,
             bb_log_quote (reason, quoted, sizeof quoted));
}

static void
s_on_metadata (bb_fetch_job_t *self, contract_t *contract,
               const bb_http_result_t *result)
{
    char reason [BB_REASON_SIZE] = "";
    if (s_cancelled (self, BB_UPSTREAM_HIRO, result))
        return;                 // a later job asks again
    long status = result->status;
    bool answered = result->outcome == BB_HTTP_RESPONSE
                 && (status == 200 || status == 404 || status == 422);
    if (answered
    &&  bb_upstream_parse_token_meta (status, result->body,
                                      result->body_size, &contract->meta,
                                      reason, sizeof reason) == 0) {
        if (contract->meta.state == BB_TOKEN_META_PENDING) {
            bb_token_cache_defer (self->context->tokens, contract->contract,
                                  zclock_mono ()
                                  + self->context->pending_retry_ms);
            return;             // 422: a later job asks again
        }
        if (!contract->meta.symbol [0])
            snprintf (contract->meta.symbol, sizeof contract->meta.symbol,
                      "%s", contract->asset_name);
        bb_token_cache_put (self->context->tokens, contract->contract,
                            &contract->meta);
        contract->fetched = contract->resolved = true;
        return;
    }
    if (!answered) {
        snprintf (reason, sizeof reason, "%s", result->detail [0]
                  ? result->detail : "unexpected HTTP status");
        s_unexpected_status (self, BB_UPSTREAM_HIRO, result);
    }
    else
        s_bad_answer (self, BB_UPSTREAM_HIRO, reason);
    self->tally [BB_UPSTREAM_HIRO].counts.failures++;
    char quoted [BB_REASON_SIZE + 8];
    bb_warn ("token_meta_failed", "contract=%s http_status=%ld reason=%s",
             contract->contract, status,
             bb_log_quote (reason, quoted, sizeof quoted));
}

//  ---------------------------------------------------------------------
//  Phases

//  Collect the contracts of every fungible token held (but sBTC, whose
//  metadata is fixed) that the cache does not know nor holds off.
static void
s_collect_contracts (bb_fetch_job_t *self)
{
    zhashx_t *seen = zhashx_new ();
    zlistx_t *found = zlistx_new ();
    int64_t now = zclock_mono ();
    for (size_t index = 0; index < self->agent_count; index++) {
        bb_balances_t *balances = self->agents [index].hiro.balances;
        for (size_t k = 0; k < bb_balances_size (balances); k++) {
            const char *token = bb_balances_token (balances, k);
            char contract [BB_TOKEN_ID_SIZE];
            if (bb_token_id_kind (token) != BB_TOKEN_KIND_FT
            ||  !*bb_token_id_contract (token, contract, sizeof contract))
                continue;
            if (zhashx_lookup (seen, contract)
            ||  bb_token_cache_lookup (self->context->tokens, contract)
            ||  bb_token_cache_deferred (self->context->tokens, contract,
                                         now))
                continue;
            zhashx_insert (seen, contract, (void *) token);
            zlistx_add_end (found, (void *) token);
        }
    }
    self->contract_count = zlistx_size (found);
    self->contracts = calloc (self->contract_count + 1,
                              sizeof self->contracts [0]);
    self->unknown = calloc (self->contract_count + 1,
                            sizeof self->unknown [0]);
    assert (self->contracts && self->unknown);
    size_t index = 0;
    for (const char *token = zlistx_first (found); token;
         token = zlistx_next (found), index++) {
        contract_t *contract = &self->contracts [index];
        char principal [BB_TOKEN_ID_SIZE];
        contract->contract = bb_pb_strdup (bb_token_id_contract (
            token, principal, sizeof principal));
        contract->asset_name = bb_pb_strdup (bb_token_id_asset_name (token));
        contract->slot = (slot_t) { self, index, KIND_METADATA };
        self->unknown [index] = contract->contract;
    }
    self->unknown_count = self->contract_count;
    zlistx_destroy (&found);
    zhashx_destroy (&seen);
}

//  Move to the next phase once nothing runs and nothing is left to feed.
static void
s_advance (bb_fetch_job_t *self)
{
    if (self->outstanding > 0 || self->hiro_next < self->agent_count)
        return;
    if (self->state == BB_FETCH_JOB_FETCHING) {
        s_collect_contracts (self);
        self->state = self->contract_count ? BB_FETCH_JOB_NEED_TOKENS
                                           : BB_FETCH_JOB_DONE;
    }
    else
    if (self->state == BB_FETCH_JOB_METADATA)
        self->state = BB_FETCH_JOB_DONE;
}

//  Close lane for the rest of the job: its requests still queued or
//  running are cancelled, and the agents they were for get status.
static void
s_close (bb_fetch_job_t *self, bb_upstream_t lane,
         Balboard__FetchStatus status, const char *detail)
{
    tally_t *tally = &self->tally [lane];
    tally->closed = true;
    tally->closed_status = status;
    snprintf (tally->closed_detail, sizeof tally->closed_detail, "%s",
              detail);
    bb_http_cancel_lane (self->context->http, lane);
}

//  A server-side failure: the upstream, not the request, is in trouble.
static bool
s_server_failure (const bb_http_result_t *result)
{
    return result->outcome == BB_HTTP_TIMEOUT
        || result->outcome == BB_HTTP_TRANSPORT
        || (result->outcome == BB_HTTP_RESPONSE && result->status >= 500);
}

//  Note what result says of lane's upstream, and give up on it for the
//  rest of the job after a 429 that could not be waited out or after
//  GIVE_UP_FAILURES server-side failures in a row: never wait out the
//  deadline against an upstream that limits us or is down.
static void
s_judge (bb_fetch_job_t *self, bb_upstream_t lane,
         const bb_http_result_t *result)
{
    tally_t *tally = &self->tally [lane];
    if (tally->closed)
        return;
    bool limited = result->outcome == BB_HTTP_RATE_LIMITED;
    bool failed = s_server_failure (result);
    if (!limited && !failed) {
        tally->failed_in_row = 0;
        return;
    }
    if (result->outcome == BB_HTTP_RESPONSE)
        snprintf (tally->counts.last_error, sizeof tally->counts.last_error,
                  "HTTP %ld", result->status);
    else
        snprintf (tally->counts.last_error, sizeof tally->counts.last_error,
                  "%s", result->detail);
    if (!limited && ++tally->failed_in_row < GIVE_UP_FAILURES)
        return;
    char detail [DETAIL_SIZE];
    bb_reason_fail (detail, sizeof detail, "gave up on %s: %s",
                    bb_upstream_name (lane), tally->counts.last_error);
    tally->gave_up = true;
    tally->closed_http_status = (uint32_t) result->status;
    bb_warn ("upstream_given_up", "job=%s upstream=%s reason=\"%s\"",
             self->job_id, bb_upstream_name (lane),
             tally->counts.last_error);
    s_close (self, lane, limited ? BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED
                                 : bb_fetch_status_of (result), detail);
}

//  Every request of the job ends here.
static void
s_done (const bb_http_result_t *result, void *arg)
{
    slot_t *slot = arg;
    bb_fetch_job_t *self = slot->job;
    assert (self->outstanding > 0);
    self->outstanding--;
    tally_t *tally = &self->tally [s_lane_of (slot->kind)];
    bb_tally_count (&tally->counts, result);
    bb_answers_add (&tally->answers, zclock_mono (),
                    result->attempts - result->unanswered);
    if (result->retry_until_ms > tally->retry_until_ms)
        tally->retry_until_ms = result->retry_until_ms;
    agent_t *agents = self->agents;
    switch (slot->kind) {
        case KIND_HIRO_V1:
            s_on_hiro_v1 (self, &agents [slot->index], result);
            break;
        case KIND_HIRO_V3_STX:
            s_on_hiro_v3_stx (self, &agents [slot->index], result);
            break;
        case KIND_HIRO_V3_FT:
            s_on_hiro_v3_ft (self, &agents [slot->index], result);
            break;
        case KIND_MEMPOOL:
            s_on_mempool (self, &agents [slot->index], result);
            break;
        case KIND_PRICE:
            s_on_price (self, result);
            break;
        case KIND_METADATA:
            s_on_metadata (self, &self->contracts [slot->index], result);
            break;
    }
    s_judge (self, s_lane_of (slot->kind), result);
    s_feed_hiro (self);
    s_advance (self);
}

//  ---------------------------------------------------------------------
//  The batch and the report

static Balboard__AgentResult *
s_agent_result (agent_t *agent)
{
    Balboard__AgentResult *result =
        bb_pb_new (&balboard__agent_result__descriptor);
    result->stx_address = bb_pb_strdup (agent->stx);
    result->captured_at_ms = agent->captured_at_ms
                           ? agent->captured_at_ms
                           : (uint64_t) zclock_time ();
    result->sources = calloc (BB_UPSTREAM_SOURCES, sizeof result->sources [0]);
    assert (result->sources);
    result->sources [result->n_sources++] = bb_fetch_source_result (
        &agent->hiro, BALBOARD__UPSTREAM__UPSTREAM_HIRO);
    result->sources [result->n_sources++] = bb_fetch_source_result (
        &agent->mempool, BALBOARD__UPSTREAM__UPSTREAM_MEMPOOL);
    return result;
}

static void
s_batch_token_meta (bb_fetch_job_t *self, Balboard__BalanceBatch *batch)
{
    batch->token_meta = calloc (self->contract_count + 1,
                                sizeof batch->token_meta [0]);
    assert (batch->token_meta);
    for (size_t index = 0; index < self->contract_count; index++) {
        contract_t *contract = &self->contracts [index];
        if (!contract->fetched)
            continue;
        Balboard__TokenMeta *meta =
            bb_pb_new (&balboard__token_meta__descriptor);
        meta->contract = bb_pb_strdup (contract->contract);
        meta->known = contract->meta.state == BB_TOKEN_META_KNOWN;
        meta->symbol = bb_pb_strdup (meta->known ? contract->meta.symbol : "");
        meta->decimals = meta->known ? contract->meta.decimals : 0;
        batch->token_meta [batch->n_token_meta++] = meta;
    }
}

static Balboard__BalanceBatch *
s_batch_new (bb_fetch_job_t *self)
{
    Balboard__BalanceBatch *batch =
        bb_pb_new (&balboard__balance_batch__descriptor);
    batch->job_id = bb_pb_strdup (self->job_id);
    batch->attempt = self->attempt;
    batch->rotation = self->rotation;
    batch->chunk_index = self->chunk_index;
    batch->rotation_agents = self->rotation_agents;
    batch->agents = calloc (self->agent_count + 1, sizeof batch->agents [0]);
    assert (batch->agents);
    for (size_t index = 0; index < self->agent_count; index++)
        if (self->agents [index].in_batch)
            batch->agents [batch->n_agents++] =
                s_agent_result (&self->agents [index]);
    if (self->price_ok) {
        batch->prices = bb_pb_new (&balboard__price_snapshot__descriptor);
        batch->prices->btc_usd_micro = self->prices.btc_usd_micro;
        batch->prices->stx_usd_micro = self->prices.stx_usd_micro;
        batch->prices->priced_at_ms = self->prices.priced_at_ms;
    }
    s_batch_token_meta (self, batch);
    return batch;
}

static bool
s_agent_ok (const agent_t *agent)
{
    return agent->in_batch
        && agent->hiro.status == BALBOARD__FETCH_STATUS__FETCH_OK
        && agent->mempool.status == BALBOARD__FETCH_STATUS__FETCH_OK;
}

//  Agents whose every source came back FETCH_OK.
static uint32_t
s_agents_ok (bb_fetch_job_t *self)
{
    uint32_t ok = 0;
    for (size_t index = 0; index < self->agent_count; index++)
        ok += s_agent_ok (&self->agents [index]);
    return ok;
}

//  "hiro timeout=2 mempool invalid_address=1": failed sources by status.
static void
s_failure_summary (bb_fetch_job_t *self, char *buffer, size_t size)
{
    size_t used = strlen (buffer);
    for (int source = 0; source < BB_UPSTREAM_SOURCES; source++)
        for (int status = BALBOARD__FETCH_STATUS__FETCH_TIMEOUT;
             status <= BALBOARD__FETCH_STATUS__FETCH_TRANSPORT; status++) {
            unsigned count = 0;
            for (size_t index = 0; index < self->agent_count; index++) {
                agent_t *agent = &self->agents [index];
                bb_fetch_source_t *of = source ? &agent->mempool
                                               : &agent->hiro;
                count += agent->in_batch && (int) of->status == status;
            }
            if (count && used < size)
                used += (size_t) snprintf (buffer + used, size - used,
                    " %s %s=%u", bb_upstream_name ((bb_upstream_t) source),
                    bb_fetch_status_name ((Balboard__FetchStatus) status),
                    count);
        }
    if (self->invalid_stx && used < size)
        used += (size_t) snprintf (buffer + used, size - used,
                                   " invalid_stx=%u", self->invalid_stx);
    if (self->repeated_stx && used < size)
        snprintf (buffer + used, size - used, " repeated_stx=%u",
                  self->repeated_stx);
}

static Balboard__UpstreamReport *
s_upstream_report (bb_fetch_job_t *self, bb_upstream_t lane, int64_t now)
{
    const tally_t *tally = &self->tally [lane];
    Balboard__UpstreamReport *report = bb_tally_report (
        &tally->counts, lane, lane != BB_UPSTREAM_HIRO ? ""
                            : self->context->hiro_v3 ? "v3" : "v1");
    int64_t wait = tally->retry_until_ms - now;
    report->retry_wait_ms = wait > 0 ? (uint32_t) wait : 0;
    report->gave_up = tally->gave_up;
    return report;
}

//  ---------------------------------------------------------------------
//  Public methods

//  Check agent's addresses and set it up. An invalid or repeated Stacks
//  address leaves the agent out (the store rejects a batch holding one);
//  an invalid Bitcoin address settles that source at once. seen holds
//  the Stacks addresses of the job so far.
static void
s_agent_init (bb_fetch_job_t *self, agent_t *agent, size_t index,
              const Balboard__Agent *from, zhashx_t *seen)
{
    bb_network_t network = self->context->network;
    agent->stx = bb_pb_strdup (from ? from->stx_address : "");
    agent->btc = bb_pb_strdup (from ? from->btc_address : "");
    bb_fetch_source_init (&agent->hiro);
    bb_fetch_source_init (&agent->mempool);
    agent->hiro_slot = (slot_t) { self, index, KIND_HIRO_V1 };
    agent->ft_slot = (slot_t) { self, index, KIND_HIRO_V3_FT };
    agent->mempool_slot = (slot_t) { self, index, KIND_MEMPOOL };
    const char *reason;
    agent->in_batch = bb_address_check_stx (agent->stx, network,
                                             &reason) == 0;
    if (!agent->in_batch) {
        self->invalid_stx++;
        char quoted [2 * BB_ADDRESS_MAX_LEN];
        bb_warn ("agent_invalid", "job=%s stx=%s reason=\"%s\"",
                 self->job_id,
                 bb_log_quote (agent->stx, quoted, sizeof quoted), reason);
    }
    else
    if (zhashx_insert (seen, agent->stx, agent) != 0) {
        agent->in_batch = false;
        self->repeated_stx++;
        bb_warn ("agent_repeated", "job=%s stx=%s", self->job_id,
                 agent->stx);
    }
    else
    if (bb_address_check_btc (agent->btc, network, &reason))
        bb_fetch_source_fail (&agent->mempool,
                       BALBOARD__FETCH_STATUS__FETCH_INVALID_ADDRESS, NULL,
                       reason);
}

//  Close every balance source the chunk leaves out (none when it names
//  none: a scheduler before ChunkJob.sources): the scheduler paused it.
static void
s_skip_sources (bb_fetch_job_t *self, const Balboard__ChunkJob *chunk)
{
    for (bb_upstream_t lane = BB_UPSTREAM_HIRO; lane <= BB_UPSTREAM_MEMPOOL;
         lane++) {
        bool named = chunk->n_sources == 0;
        for (size_t index = 0; index < chunk->n_sources; index++)
            named |= chunk->sources [index] == bb_upstream_to_wire (lane);
        if (named)
            continue;
        tally_t *tally = &self->tally [lane];
        tally->closed = true;
        tally->closed_status = BALBOARD__FETCH_STATUS__FETCH_RATE_LIMITED;
        snprintf (tally->closed_detail, sizeof tally->closed_detail,
                  "skipped: %s paused by the scheduler",
                  bb_upstream_name (lane));
    }
}

//  Queue every agent's mempool.space request, or settle the source at
//  once if the job does not ask mempool.space.
static void
s_mempool_start (bb_fetch_job_t *self)
{
    for (size_t index = 0; index < self->agent_count; index++) {
        agent_t *agent = &self->agents [index];
        if (!agent->in_batch || !bb_fetch_source_open (&agent->mempool))
            continue;
        if (self->tally [BB_UPSTREAM_MEMPOOL].closed)
            s_source_closed (self, BB_UPSTREAM_MEMPOOL, &agent->mempool);
        else
            s_get (self, &agent->mempool_slot, zsys_sprintf (
                "%s/address/%s", self->context->mempool_base, agent->btc));
    }
}

bb_fetch_job_t *
bb_fetch_job_new (const Balboard__ChunkJob *chunk,
                  bb_fetch_context_t *context, int64_t deadline_ms)
{
    assert (chunk && context);
    bb_fetch_job_t *self = calloc (1, sizeof *self);
    assert (self);
    self->context = context;
    self->job_id = bb_pb_strdup (chunk->job_id);
    self->attempt = chunk->attempt;
    self->rotation = chunk->rotation;
    self->chunk_index = chunk->chunk_index;
    self->rotation_agents = chunk->rotation_agents;
    self->fetch_prices = chunk->fetch_prices;
    self->hiro_requests_max = chunk->hiro_requests_max;
    self->deadline_ms = deadline_ms;
    self->state = BB_FETCH_JOB_FETCHING;
    self->agent_count = chunk->n_agents;
    self->agents = calloc (self->agent_count + 1, sizeof self->agents [0]);
    assert (self->agents);
    zhashx_t *seen = zhashx_new ();
    for (size_t index = 0; index < self->agent_count; index++)
        s_agent_init (self, &self->agents [index], index,
                      chunk->agents [index], seen);
    zhashx_destroy (&seen);

    int64_t paused_until;
    for (bb_upstream_t lane = BB_UPSTREAM_HIRO; lane <= BB_UPSTREAM_PRICE;
         lane++)
        self->lane_429s [lane] = bb_http_lane_rate_limited (
            context->http, lane, &paused_until);
    s_skip_sources (self, chunk);
    s_mempool_start (self);
    if (self->fetch_prices) {
        self->price_slot = (slot_t) { self, 0, KIND_PRICE };
        s_get (self, &self->price_slot, bb_pb_strdup (context->price_url));
    }
    s_feed_hiro (self);
    s_advance (self);
    return self;
}

static void
s_agent_free (agent_t *agent)
{
    free (agent->stx);
    free (agent->btc);
    free (agent->ft_cursor);
    bb_fetch_source_free (&agent->hiro);
    bb_fetch_source_free (&agent->mempool);
}

void
bb_fetch_job_destroy (bb_fetch_job_t **self_p)
{
    assert (self_p);
    bb_fetch_job_t *self = *self_p;
    if (!self)
        return;
    //  Callbacks of what still runs land here, while the job is whole;
    //  they must not queue more, so nothing is left to feed.
    self->hiro_next = self->agent_count;
    if (self->outstanding)
        bb_http_cancel_all (self->context->http);
    assert (self->outstanding == 0);
    for (size_t index = 0; index < self->agent_count; index++)
        s_agent_free (&self->agents [index]);
    for (size_t index = 0; index < self->contract_count; index++) {
        free (self->contracts [index].contract);
        free (self->contracts [index].asset_name);
    }
    if (self->batch)
        balboard__balance_batch__free_unpacked (self->batch, NULL);
    if (self->report)
        balboard__job_report__free_unpacked (self->report, NULL);
    for (size_t index = 0; index < self->progress_count; index++)
        balboard__upstream_report__free_unpacked (self->progress [index],
                                                  NULL);
    free (self->agents);
    free (self->contracts);
    free (self->unknown);
    free (self->job_id);
    free (self);
    *self_p = NULL;
}

bb_fetch_job_state_t
bb_fetch_job_state (bb_fetch_job_t *self)
{
    assert (self);
    return self->state;
}

const char *
bb_fetch_job_id (bb_fetch_job_t *self)
{
    assert (self);
    return self->job_id;
}

const char *const *
bb_fetch_job_unknown (bb_fetch_job_t *self, size_t *count)
{
    assert (self && count);
    *count = self->unknown_count;
    return self->unknown;
}

//  A contract the store knows: remember it.
static void
s_token_known (bb_fetch_job_t *self, const Balboard__TokenMeta *known)
{
    for (size_t index = 0; index < self->contract_count; index++) {
        contract_t *contract = &self->contracts [index];
        if (contract->resolved || !known->contract
        ||  strcmp (contract->contract, known->contract) != 0)
            continue;
        bb_token_meta_t meta = {
            known->known ? BB_TOKEN_META_KNOWN : BB_TOKEN_META_MISSING,
            "", 0
        };
        if (known->known) {
            snprintf (meta.symbol, sizeof meta.symbol, "%s",
                      known->symbol ? known->symbol : "");
            meta.decimals = known->decimals <= BB_TOKEN_DECIMALS_MAX
                          ? known->decimals : 0;
        }
        bb_token_cache_put (self->context->tokens, contract->contract,
                            &meta);
        contract->resolved = true;
    }
}

//  Metadata requests the job's Hiro budget leaves room for, after the
//  balance requests (retries included) it made.
static size_t
s_metadata_allowed (bb_fetch_job_t *self)
{
    uint32_t used = self->tally [BB_UPSTREAM_HIRO].counts.requests;
    if (self->hiro_requests_max == 0)
        return SIZE_MAX;
    return used < self->hiro_requests_max ? self->hiro_requests_max - used
                                          : 0;
}

void
bb_fetch_job_tokens_known (bb_fetch_job_t *self,
                           const Balboard__TokenMetaReply *reply)
{
    assert (self);
    assert (self->state == BB_FETCH_JOB_NEED_TOKENS);
    for (size_t index = 0; reply && index < reply->n_known; index++)
        if (reply->known [index])
            s_token_known (self, reply->known [index]);
    self->state = BB_FETCH_JOB_METADATA;
    size_t allowed = s_metadata_allowed (self);
    size_t deferred = 0;
    for (size_t index = 0; index < self->contract_count; index++) {
        contract_t *contract = &self->contracts [index];
        if (contract->resolved)
            continue;
        if (allowed == 0) {
            deferred++;
            continue;
        }
        allowed--;
        s_get (self, &contract->slot, zsys_sprintf (
            "%s/metadata/v1/ft/%s", self->context->hiro_base,
            contract->contract));
    }
    if (deferred)
        bb_info ("token_meta_deferred", "job=%s contracts=%zu "
                 "hiro_requests_max=%u", self->job_id, deferred,
                 self->hiro_requests_max);
    s_advance (self);
}

const Balboard__BalanceBatch *
bb_fetch_job_batch (bb_fetch_job_t *self)
{
    assert (self);
    assert (self->state == BB_FETCH_JOB_DONE);
    if (!self->batch)
        self->batch = s_batch_new (self);
    return self->batch;
}


//  True if the job asks lane's upstream: Hiro and mempool.space unless
//  the scheduler skipped them, the price API when it asks prices.
static bool
s_asks (bb_fetch_job_t *self, bb_upstream_t lane)
{
    if (lane == BB_UPSTREAM_PRICE)
        return self->fetch_prices;
    tally_t *tally = &self->tally [lane];
    return !tally->closed || tally->gave_up;
}

//  Count into report the 429s lane's requests are still waiting out
//  (their Retry-After fits the deadline): the scheduler hears of them
//  now, not when the wait is over.
static void
s_progress_waits (bb_fetch_job_t *self, bb_upstream_t lane,
                  Balboard__UpstreamReport *report, int64_t now)
{
    int64_t paused_until;
    unsigned received = bb_http_lane_rate_limited (self->context->http, lane,
                                                   &paused_until)
                      - self->lane_429s [lane];
    if (received <= report->rate_limited || paused_until <= now)
        return;
    report->rate_limited = received;
    free (report->last_error);
    report->last_error = bb_pb_strdup ("HTTP 429, waiting out its "
                                       "Retry-After");
    report->retry_wait_ms = (uint32_t) (paused_until - now);
    uint32_t seconds = (report->retry_wait_ms + 999) / 1000;
    if (seconds > report->retry_after_s)
        report->retry_after_s = seconds;
}

Balboard__UpstreamReport *const *
bb_fetch_job_progress (bb_fetch_job_t *self, size_t *count)
{
    assert (self && count);
    for (size_t index = 0; index < self->progress_count; index++)
        balboard__upstream_report__free_unpacked (self->progress [index],
                                                  NULL);
    self->progress_count = 0;
    int64_t now = zclock_mono ();
    for (bb_upstream_t lane = BB_UPSTREAM_HIRO; lane <= BB_UPSTREAM_PRICE;
         lane++)
        if (s_asks (self, lane)) {
            Balboard__UpstreamReport *report = s_upstream_report (self, lane,
                                                                  now);
            s_progress_waits (self, lane, report, now);
            self->progress [self->progress_count++] = report;
        }
    *count = self->progress_count;
    return self->progress;
}

const Balboard__JobReport *
bb_fetch_job_report (bb_fetch_job_t *self, Balboard__AckStatus store_status,
                     const char *store_detail)
{
    assert (self);
    if (self->report)
        balboard__job_report__free_unpacked (self->report, NULL);
    Balboard__JobReport *report = bb_pb_job_report (
        self->job_id, self->attempt, self->context->fetcher_id);
    report->agents_ok = s_agents_ok (self);
    report->agents_failed = (uint32_t) self->agent_count - report->agents_ok;
    report->store_status = store_status;
    char detail [REPORT_DETAIL_SIZE];
    bb_reason_fail (detail, sizeof detail, "hiro=%s%s%s",
              self->context->hiro_v3 ? "v3" : "v1",
              store_detail ? " store: " : "", store_detail ? store_detail
                                                           : "");
    s_failure_summary (self, detail, sizeof detail);
    report->detail = bb_pb_strdup (detail);
    report->upstreams = calloc (UPSTREAMS, sizeof report->upstreams [0]);
    assert (report->upstreams);
    int64_t now = zclock_mono ();
    for (bb_upstream_t lane = BB_UPSTREAM_HIRO; lane <= BB_UPSTREAM_PRICE; lane++)
        if (s_asks (self, lane)) {
            Balboard__UpstreamReport *upstream = s_upstream_report (self,
                                                                    lane, now);
            bb_answers_report (&self->tally [lane].answers, now, upstream);
            report->upstreams [report->n_upstreams++] = upstream;
        }
    self->report = report;
    return report;
}
