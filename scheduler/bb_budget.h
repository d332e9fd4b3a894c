/*  =========================================================================
    bb_budget - the request budget per upstream, shared by every fetcher

    Owns one token bucket per upstream host. A budget of rpm requests per
    minute gives a bucket of rpm x window / 60 s tokens (at least one). A
    job takes its estimated requests from the buckets when it is
    dispatched; the tokens come back, in the amount the fetcher reported
    it used, one window after the upstream last saw the requests they
    paid for: a report says when the upstream answered them (an answer
    comes after the upstream saw the request), each token comes back a
    window after its request's answer, and the tokens of requests with
    no answer (or of a job given up as lost) a window after the report
    (or the deadline). So a token is held for the whole time its request
    may run plus a window, and no window of the upstream's clock, fixed
    or sliding, whatever its phase, can see more requests than the bucket
    holds: adding fetchers never causes a 429. A report that used more
    than the estimate puts the bucket in debt until it is paid back.

    Estimates. The price API costs 1 request per job. Hiro and
    mempool.space cost, per job of k agents, k x base + overhead, learned
    from the reports of the last window, and at least the latest
    BB_BUDGET_RECENT ones: base is the lowest requests per agent seen, at
    least 1 (Hiro's v3 endpoints need 2 or more), and overhead the most
    requests a job made beyond that (token metadata, which shares Hiro's
    quota, or retries), and at least the bucket's headroom. Until a
    limited bucket has a report to learn from, it pays for one probe job
    of one agent at a time. A budget of 0 is unlimited.

    Time is passed in (ms since the epoch) so the module is pure and
    testable; it belongs to one thread (the scheduler actor).
    =========================================================================
*/
#ifndef BB_BUDGET_H_INCLUDED
#define BB_BUDGET_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bb_upstream.h"

//  Reports a bucket learns its costs from: at most SAMPLES, and the
//  latest RECENT ones even when older than a window.
#define BB_BUDGET_SAMPLES 64
#define BB_BUDGET_RECENT 16

//  Longest ticket (job id and attempt), NUL included.
#define BB_BUDGET_TICKET_SIZE 48

//  Available tokens of an unlimited budget.
#define BB_BUDGET_UNLIMITED INT64_MAX

typedef struct _bb_budget_t bb_budget_t;

//  Create budgets of rpm[u] requests per minute for each upstream (0 =
//  unlimited), enforced over window_ms (> 0; tests use short windows).
bb_budget_t *bb_budget_new (const uint32_t rpm [BB_UPSTREAM_COUNT],
                            uint64_t window_ms);

//  Destroy the budget and set *self_p to NULL. NULL-safe.
void bb_budget_destroy (bb_budget_t **self_p);

//  Charge every job of a limited upstream at least requests of overhead
//  beyond its agents (default 0): room for work the fetcher may do within
//  what it was given, as Hiro's token metadata.
void bb_budget_set_headroom (bb_budget_t *self, bb_upstream_t upstream,
                             uint32_t requests);

//  The configured requests per minute of upstream (0 = unlimited).
uint32_t bb_budget_rpm (bb_budget_t *self, bb_upstream_t upstream);

//  Tokens free on upstream at now_ms: BB_BUDGET_UNLIMITED when unlimited,
//  0 or less when the bucket is empty or in debt.
int64_t bb_budget_available (bb_budget_t *self, bb_upstream_t upstream,
                             uint64_t now_ms);

//  Requests a job of agents agents is expected to make on upstream, as
//  learned by now_ms.
uint32_t bb_budget_estimate (bb_budget_t *self, bb_upstream_t upstream,
                             uint32_t agents, uint64_t now_ms);

//  Most agents, up to max_agents, a chunk job asking the balance sources
//  in sources (bb_sources) can take now. 0 when one of their buckets is
//  short.
uint32_t bb_budget_affordable (bb_budget_t *self, unsigned sources,
                               uint32_t max_agents, uint64_t now_ms);

//  True if a job of agents agents (already made, so it cannot shrink)
//  asking the balance sources in sources may go now: each has its
//  estimate free, or holds nothing at all (a full bucket pays for any
//  job, so a job whose cost grew past the capacity waits for a quiet
//  bucket, not forever).
bool bb_budget_allows (bb_budget_t *self, unsigned sources, uint32_t agents,
                       uint64_t now_ms);

//  True if cost tokens of upstream are free now.
bool bb_budget_can_spend (bb_budget_t *self, bb_upstream_t upstream,
                          uint32_t cost, uint64_t now_ms);

//  Hold cost tokens of upstream for the job attempt named ticket, whose
//  fetcher stops by deadline_ms. Spends even into debt: callers check
//  first. A cost of 0 holds nothing.
void bb_budget_spend (bb_budget_t *self, bb_upstream_t upstream,
                      const char *ticket, uint32_t cost,
                      uint64_t deadline_ms, uint64_t now_ms);

//  The attempt ticket reported: it used requests on upstream for agents
//  agents (0 for the price API). Its tokens, corrected to what was used,
//  come back one window from now. An unknown ticket (a late report after
//  a restart) is charged as well: those requests were made.
void bb_budget_settle (bb_budget_t *self, bb_upstream_t upstream,
                       const char *ticket, uint32_t used, uint32_t agents,
                       uint64_t now_ms);

//  When the upstream saw requests of an attempt, as its report says:
//  requests of them by at_ms (ms since the epoch, our clock).
typedef struct {
    uint64_t at_ms;
    uint32_t requests;
} bb_budget_seen_t;

//  bb_budget_settle, knowing when the upstream saw the requests: the
//  tokens of the requests in seen [count] come back one window after
//  their instant (an instant before the attempt's dispatch counts as the
//  dispatch, one after now as now), the rest one window from now. An
//  unknown ticket's instants count as now. A second report of the same
//  attempt never brings a token back earlier than the first said.
void bb_budget_settle_seen (bb_budget_t *self, bb_upstream_t upstream,
                            const char *ticket, uint32_t used,
                            uint32_t agents, const bb_budget_seen_t *seen,
                            size_t count, uint64_t now_ms);

//  The attempt ticket is lost (fetcher dead, deadline missed): its tokens
//  come back one window after its deadline or now, whichever is later.
//  Unknown tickets are ignored.
void bb_budget_abandon (bb_budget_t *self, bb_upstream_t upstream,
                        const char *ticket, uint64_t now_ms);

//  When the next held tokens of upstream come back (ms since the epoch),
//  or 0 when none are pending.
uint64_t bb_budget_next_release (bb_budget_t *self, bb_upstream_t upstream,
                                 uint64_t now_ms);

//  What upstream holds, for the durable state: *held tokens in all, all
//  back by *until (0 when nothing is held).
void bb_budget_summary (bb_budget_t *self, bb_upstream_t upstream,
                        uint64_t now_ms, uint32_t *held, uint64_t *until);

//  The same, as it will be once cost tokens more are spent on an attempt
//  whose fetcher stops by deadline_ms: a dispatch records the budget it
//  holds before it spends it.
void bb_budget_summary_spending (bb_budget_t *self, bb_upstream_t upstream,
                                 uint32_t cost, uint64_t deadline_ms,
                                 uint64_t now_ms, uint32_t *held,
                                 uint64_t *until);

//  Hold held tokens of upstream until until (ms since the epoch), as a
//  previous run left them (see bb_budget_summary). Nothing if held is 0
//  or until has passed.
void bb_budget_restore (bb_budget_t *self, bb_upstream_t upstream,
                        uint32_t held, uint64_t until, uint64_t now_ms);

//  Requests estimated for every job dispatched on upstream, in all.
uint64_t bb_budget_dispatched (bb_budget_t *self, bb_upstream_t upstream);

//  Tokens of upstream's bucket (0 when unlimited).
uint32_t bb_budget_capacity (bb_budget_t *self, bb_upstream_t upstream);

#endif
