/*  =========================================================================
    bb_render - the JSON of balboard's replies, for the CLI and the gateway

    Turns decoded store and scheduler replies into jansson values. The
    dashboard is the public contract of docs (design.md, "Queries") and
    tests/fixtures/dashboard_shape.json describes it field by field:

    {"agents":[{"stxAddress","btcAddress","displayName","bnsName","level",
                "levelName","tokens":[{"symbol","contract"?,"balance",
                "decimals","amount","priceUsd","usdValue"}],"totalUsd",
                "fetchError"?}],
     "prices":{"BTC","STX","sBTC"},
     "stats":{"total","totalUsd","pricedAt"},
     "cachedAt",
     "pagination":{"total","limit","offset","hasMore"}}

    Keys come in exactly that order. Types and choices:
    - balance: the raw amount as a decimal string, exact to 128 bits and
      without leading zeros; decimals: integer; amount: real, balance /
      10^decimals to 15 significant digits (for display and sorting; the
      balance is the exact figure);
    - priceUsd, usdValue, totalUsd, prices.*, stats.totalUsd: real, USD
      (the wire's micro-USD / 1e6); an unpriced token has 0 and 0; prices
      are 0 before the store has a snapshot; sBTC is the BTC price;
    - contract: only on Stacks fungible tokens (sBTC and SIP-10s), the
      contract principal of the asset id (before "::"); absent for BTC and
      STX. symbol falls back to the asset name (after "::") when the store
      sent none;
    - tokens: non-zero positions only (a zero or unparsable balance is
      left out even if a reply carries it);
    - fetchError: "partial" (some source failed; last good rows, stale) or
      "pending" (never fetched: tokens [] and totalUsd 0 whatever the reply
      holds); absent when the agent was fetched cleanly;
    - displayName, bnsName, levelName: string, or null when empty; level:
      integer; stxAddress, btcAddress: string;
    - stats.total: agents in the registry (integer); pagination: integers
      and hasMore boolean;
    - times (pricedAt, cachedAt and the *At of the other replies): ISO-8601
      UTC with milliseconds, "2026-11-24T06:30:00.123Z", or null when 0.
    A string that is not valid UTF-8 (the store validates, so only from a
    faulty peer) has its non-ASCII bytes replaced by '?'.

    Every function returns a new value that the caller owns (json_decref);
    the reply is only read. Pure, thread-safe.
    =========================================================================
*/
#ifndef BB_RENDER_H_INCLUDED
#define BB_RENDER_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "balboard.pb-c.h"

//  Longest ISO-8601 time bb_render_time writes, NUL included.
#define BB_RENDER_TIME_SIZE 32

//  The dashboard page, in the shape above.
json_t *bb_render_dashboard (const Balboard__DashboardPage *page);

//  An agent's detail: the dashboard's agent object plus "rank" (integer),
//  per token "capturedAt" (time), "stale" (boolean) and "source" ("hiro",
//  "mempool.space"), then "history" [{"token" (token id), "capturedAt",
//  "balance"}] in the order the store sent, and "prices".
json_t *bb_render_agent_detail (const Balboard__AgentDetail *detail);

//  {"stxAddress","rank","total","totalUsd"}.
json_t *bb_render_rank (const Balboard__RankReply *rank);

//  {"agents","agentsFetched","balanceRows","historyRows","lastCommitAt",
//   "batches":{"committed","duplicate","rejected"},
//   "rotation":{"number","chunksDone","agents"},
//   "prices":{"BTC","STX","sBTC","pricedAt"},"map":{"size","used"},
//   "full":{"writesRefused","since"},"version",
//   "registrySync" (a sync report, or null)}.
json_t *bb_render_store_stats (const Balboard__StoreStats *stats);

//  {"rotation","rotationsCompleted","lastRotationMs","cursor",
//   "rotationAgents","rotationDone","mode" ("active"|"idle"),"paused",
//   "nextTickAt","tickSeq","fetchers":{"connected","ready"},
//   "inFlight":[{"jobId","attempt","fetcherId","deadlineAt","agents"}],
//   "upstreams":[{"upstream" ("hiro"|"mempool.space"|"price"),"healthy",
//   "pausedUntil","budgetPerMinute","requestsDispatched","failures",
//   "rateLimited","endpoint",...}],"version",
//   "registry":{"source" (the URL without credentials, null when none is
//   configured),"syncing","nextSyncAt","lastSync" (a sync report or null)}}.
json_t *bb_render_scheduler_status (const Balboard__SchedulerStatus *status);

//  {"inserted","updated","unchanged","removed",
//   "rejected":[{"index","stxAddress","reason"}]}.
json_t *bb_render_agent_ack (const Balboard__AgentAck *ack);

//  A registry sync report (docs/registry.md): {"generation","outcome"
//  (bb_sync_outcome_label),
//  "reason","source" (string or null),"registryAgents","added","updated",
//  "removed","unchanged","rejected" (all of them),"rejections" (the first
//  100, as in an agent ack),"heldRemovals","pages","requests",
//  "startedAt","finishedAt"}; null when report is NULL.
json_t *bb_render_registry_sync (const Balboard__RegistrySyncReport *report);

//  json as text: compact, or indented by 2 when pretty; reals with 15
//  significant digits. The reals of this module are rounded to 15 digits
//  when made, so the text holds exactly their value: 1.85 prints as 1.85,
//  and parsing the text gives back an equal document.
//  json is not consumed. Returns NULL only if json is NULL. Caller owns
//  the string and must free() it.
char *bb_render_to_string (json_t *json, bool pretty);

//  Format ms since the epoch as ISO-8601 UTC with milliseconds into buf
//  (BB_RENDER_TIME_SIZE bytes). Returns buf.
char *bb_render_time (uint64_t ms, char *buf);

#endif
