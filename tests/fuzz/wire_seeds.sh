#!/bin/sh
# wire_seeds.sh - write the wire target's seed corpus: one envelope of
# every message type (the Envelope oneof), from the text below, encoded
# with protoc-c --encode into tests/fuzz/corpus/wire/<body>. Run it again
# after proto/balboard.proto gains a message, and commit the output.
set -eu
cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus/wire
mkdir -p "$out"
stx=SP4WZN8V4N21WKTD3XCPMBYC3K35WY6S6NZAYTR2
btc=bc1qp88a2xe9gs0y7nglt94zlnquce083kf4ts8nhg
sbtc="SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token::sbtc-token"
agent="stx_address: \"$stx\" btc_address: \"$btc\" display_name: \"Agent 0\" level: 1 level_name: \"Registered\""
upstream="upstream: UPSTREAM_HIRO requests: 3 failures: 1 rate_limited: 1 retry_after_s: 30 endpoint: \"v1\" last_error: \"HTTP 429\""
row="agent { $agent } rank: 1 tokens { token_id: \"$sbtc\" symbol: \"sBTC\" contract: \"SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token\" balance: \"340282366920938463463374607431768211455\" decimals: 8 price_usd_micro: 67187335894 usd_value_micro: 12 source: \"hiro\" captured_at_ms: 1733000000000 stale: true } total_usd_micro: 12 fetch_state: AGENT_FETCH_PARTIAL"
prices="btc_usd_micro: 67187335894 stx_usd_micro: 2500000 priced_at_ms: 1733000000000"

seed () {
    printf 'version: 1 request_id: 7 %s\n' "$2" \
        | protoc-c -Iproto --encode=balboard.Envelope proto/balboard.proto \
        > "$out/$1"
}

seed fetcher_ready "fetcher_ready { fetcher_id: \"f0\" max_concurrency: 20 busy_job_id: \"3.1\" }"
seed fetcher_heartbeat "fetcher_heartbeat { fetcher_id: \"f0\" busy_job_id: \"3.1\" upstreams { $upstream } }"
seed chunk_job "chunk_job { job_id: \"3.1\" attempt: 2 rotation: 3 deadline_ms: 1733000060000 agents { $agent } fetch_prices: true chunk_index: 1 rotation_agents: 1000 hiro_requests_max: 200 sources: UPSTREAM_HIRO sources: UPSTREAM_MEMPOOL }"
seed job_report "job_report { job_id: \"3.1\" attempt: 2 fetcher_id: \"f0\" agents_ok: 99 agents_failed: 1 store_status: ACK_COMMITTED detail: \"ok\" upstreams { $upstream gave_up: true } }"
seed balance_batch "balance_batch { job_id: \"3.1\" attempt: 1 rotation: 3 chunk_index: 1 rotation_agents: 1000 agents { stx_address: \"$stx\" captured_at_ms: 1733000000000 sources { upstream: UPSTREAM_HIRO status: FETCH_OK balances { token_id: \"stx\" amount: \"1000000\" } balances { token_id: \"$sbtc\" amount: \"5\" } } sources { upstream: UPSTREAM_MEMPOOL status: FETCH_RATE_LIMITED http_status: 429 retry_after_s: 60 detail: \"429\" } } prices { $prices } token_meta { contract: \"SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.nope\" symbol: \"NOT\" decimals: 0 known: true } }"
seed batch_ack "batch_ack { job_id: \"3.1\" attempt: 1 status: ACK_REJECTED reason: \"bad amount\" rows_written: 0 }"
seed price_snapshot "price_snapshot { $prices }"
seed token_meta_query "token_meta_query { contracts: \"SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.nope\" }"
seed token_meta_reply "token_meta_reply { known { contract: \"SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.nope\" symbol: \"NOT\" decimals: 6 known: true } }"
seed agent_upsert "agent_upsert { agents { $agent } }"
seed agent_remove "agent_remove { stx_addresses: \"$stx\" }"
seed agent_ack "agent_ack { inserted: 1 updated: 2 unchanged: 3 removed: 4 rejected { stx_address: \"SPX\" reason: \"bad checksum\" index: 5 } }"
seed agents_page_request "agents_page_request { after_stx_address: \"$stx\" limit: 101 }"
seed agents_page "agents_page { agents { $agent } total: 1 }"
seed dashboard_request "dashboard_request { offset: -1 limit: 1000 }"
seed dashboard_page "dashboard_page { rows { $row } prices { $prices } stats { total: 1 total_usd_micro: 12 priced_at_ms: 1733000000000 } cached_at_ms: 1733000000001 offset: 0 limit: 100 total: 1 has_more: true commit_seq: 9 }"
seed agent_detail_request "agent_detail_request { stx_address: \"$stx\" history_limit: 1000 }"
seed agent_detail "agent_detail { row { $row } history { token_id: \"stx\" captured_at_ms: 1733000000000 balance: \"0\" } prices { $prices } }"
seed rank_request "rank_request { stx_address: \"$stx\" }"
seed rank_reply "rank_reply { stx_address: \"$stx\" rank: 1 total: 2 total_usd_micro: -1 }"
seed stats_request "stats_request { }"
seed store_stats "store_stats { agents: 1 balance_rows: 2 history_rows: 3 last_commit_ms: 1733000000000 batches_committed: 4 batches_duplicate: 5 batches_rejected: 6 rotation: 7 rotation_chunks_done: 8 rotation_agents: 9 agents_fetched: 1 prices { $prices } map_size: 67108864 map_used: 4096 version: \"0.1.0\" }"
seed scheduler_control "scheduler_control { command: TICK }"
seed scheduler_status "scheduler_status { rotation: 3 cursor: \"$stx\" rotation_agents: 1000 rotation_done: 500 idle_mode: true paused: false next_tick_ms: 1733000000000 tick_seq: 4 fetchers: 2 fetchers_ready: 1 in_flight { job_id: \"3.1\" attempt: 1 fetcher_id: \"f0\" deadline_ms: 1733000060000 agents: 100 } upstreams { upstream: UPSTREAM_MEMPOOL healthy: false paused_until_ms: 1733000060000 budget_per_minute: 100 requests_dispatched: 5 failures: 1 rate_limited: 1 endpoint: \"\" limited: true last_error: \"HTTP 429\" last_error_ms: 1 backoff_ms: 2 next_probe_ms: 3 probing: true } rotations_completed: 2 last_rotation_ms: 60000 fetcher_list { fetcher_id: \"f0\" ready: false job_id: \"3.1\" jobs: 9 } version: \"0.1.0\" }"
seed dashboard_event "dashboard_event { commit_seq: 9 rotation: 3 rotation_agents: 1000 rotation_agents_done: 100 rotation_chunks_done: 1 priced_at_ms: 1733000000000 agents: 1000 }"
seed error "error { code: BAD_FRAME reason: \"not a valid protobuf envelope\" }"
echo "wire_seeds: $(ls "$out" | wc -l) envelopes in $out"
