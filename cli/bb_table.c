/*  =========================================================================
    bb_table - the CLI's tables for people

    Owns nothing: pure formatting of decoded replies onto a FILE.
    =========================================================================
*/
#include "bb_table.h"
#include "bb_sync_outcome.h"
#include "bb_token_id.h"
#include "bb_upstream.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#define BB_TABLE_NAME_WIDTH 24
#define BB_TABLE_FRACTION_DIGITS 8
#define MS_PER_SECOND 1000ULL

static const char *
s_units (const char *raw, unsigned decimals, unsigned max_fraction,
          char *buf, size_t size)
{
    size_t length = strlen (raw);
    char whole [64] = "0";
    char fraction [64] = "";
    if (length > decimals)
        snprintf (whole, sizeof whole, "%.*s", (int) (length - decimals), raw);
    if (decimals > 0 && decimals < sizeof fraction) {
        //  Left-pad the fraction with zeros to exactly `decimals` digits.
        size_t digits = length < decimals ? length : decimals;
        size_t pad = decimals - digits;
        memset (fraction, '0', pad);
        memcpy (fraction + pad, raw + length - digits, digits);
        fraction [decimals] = '\0';
    }
    if (strlen (fraction) > max_fraction)
        fraction [max_fraction] = '\0';
    size_t end = strlen (fraction);
    while (end > 0 && fraction [end - 1] == '0')
        fraction [--end] = '\0';
    if (end)
        snprintf (buf, size, "%s.%s", whole, fraction);
    else
        snprintf (buf, size, "%s", whole);
    return buf;
}

static const char *
s_usd (int64_t micro, char *buf, size_t size)
{
    bool negative = micro < 0;
    uint64_t magnitude = negative ? (uint64_t) 0 - (uint64_t) micro
                                  : (uint64_t) micro;
    uint64_t cents = (magnitude + 5000) / 10000;
    char digits [32];
    snprintf (digits, sizeof digits, "%" PRIu64, cents / 100);
    //  Group thousands with commas.
    char grouped [48];
    size_t length = strlen (digits);
    size_t out = 0;
    for (size_t i = 0; i < length; i++) {
        if (i > 0 && (length - i) % 3 == 0)
            grouped [out++] = ',';
        grouped [out++] = digits [i];
    }
    grouped [out] = '\0';
    snprintf (buf, size, "%s$%s.%02" PRIu64, negative ? "-" : "", grouped,
              cents % 100);
    return buf;
}

static const char *
s_age (uint64_t then_ms, uint64_t now_ms, char *buf, size_t size)
{
    if (then_ms == 0) {
        snprintf (buf, size, "-");
        return buf;
    }
    uint64_t seconds = now_ms > then_ms ? (now_ms - then_ms) / MS_PER_SECOND
                                        : 0;
    if (seconds < 60)
        snprintf (buf, size, "%" PRIu64 "s", seconds);
    else
    if (seconds < 3600)
        snprintf (buf, size, "%" PRIu64 "m", seconds / 60);
    else
    if (seconds < 86400)
        snprintf (buf, size, "%" PRIu64 "h", seconds / 3600);
    else
        snprintf (buf, size, "%" PRIu64 "d", seconds / 86400);
    return buf;
}

//  The name people know an agent by: display name, else BNS, else address.
static const char *
s_agent_name (const Balboard__Agent *agent)
{
    if (agent->display_name && *agent->display_name)
        return agent->display_name;
    if (agent->bns_name && *agent->bns_name)
        return agent->bns_name;
    return agent->stx_address;
}

static const Balboard__TokenPosition *
s_find_token (const Balboard__DashboardRow *row, const char *token_id)
{
    for (size_t i = 0; i < row->n_tokens; i++)
        if (strcmp (row->tokens [i]->token_id, token_id) == 0)
            return row->tokens [i];
    return NULL;
}

static const char *
s_token_units (const Balboard__DashboardRow *row, const char *token_id,
               char *buf, size_t size)
{
    const Balboard__TokenPosition *token = s_find_token (row, token_id);
    if (!token)
        return "0";
    return s_units (token->balance, token->decimals,
                           BB_TABLE_FRACTION_DIGITS, buf, size);
}

//  Newest capture among the row's tokens, and whether any is stale.
static uint64_t
s_freshness (const Balboard__DashboardRow *row, bool *stale)
{
    uint64_t newest = 0;
    *stale = row->fetch_state == BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PARTIAL;
    for (size_t i = 0; i < row->n_tokens; i++) {
        if (row->tokens [i]->captured_at_ms > newest)
            newest = row->tokens [i]->captured_at_ms;
        if (row->tokens [i]->stale)
            *stale = true;
    }
    return newest;
}

static void
s_dashboard_row (FILE *out, const Balboard__DashboardRow *row,
                 uint64_t now_ms)
{
    char btc [48], stx [48], sbtc [48], usd [48], age [16];
    size_t others = 0;
    for (size_t i = 0; i < row->n_tokens; i++) {
        const char *id = row->tokens [i]->token_id;
        if (strcmp (id, BB_TOKEN_ID_BTC) && strcmp (id, BB_TOKEN_ID_STX)
        &&  strcmp (id, BB_TOKEN_ID_SBTC))
            others++;
    }
    bool stale;
    uint64_t captured = s_freshness (row, &stale);
    const char *fresh = row->fetch_state
                      == BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING
                      ? "pending"
                      : s_age (captured, now_ms, age, sizeof age);
    fprintf (out, "%6" PRIu64 "  %-*.*s %14s %16s %14s %6zu %18s  %s%s\n",
             row->rank, BB_TABLE_NAME_WIDTH, BB_TABLE_NAME_WIDTH,
             s_agent_name (row->agent),
             s_token_units (row, BB_TOKEN_ID_BTC, btc, sizeof btc),
             s_token_units (row, BB_TOKEN_ID_STX, stx, sizeof stx),
             s_token_units (row, BB_TOKEN_ID_SBTC, sbtc, sizeof sbtc),
             others, s_usd (row->total_usd_micro, usd, sizeof usd),
             fresh, stale ? " *stale" : "");
}

void
bb_table_dashboard (FILE *out, const Balboard__DashboardPage *page,
                    uint64_t now_ms)
{
    char btc [32], stx [32], total [48], priced [16];
    const Balboard__PriceSnapshot *prices = page->prices;
    fprintf (out, "BTC %s  STX %s  (priced %s ago)  agents %" PRIu64
             "  total %s\n\n",
             s_usd (prices ? prices->btc_usd_micro : 0, btc, sizeof btc),
             s_usd (prices ? prices->stx_usd_micro : 0, stx, sizeof stx),
             s_age (prices ? prices->priced_at_ms : 0, now_ms, priced,
                           sizeof priced),
             page->total,
             s_usd (page->stats ? page->stats->total_usd_micro : 0,
                           total, sizeof total));
    fprintf (out, "%6s  %-*s %14s %16s %14s %6s %18s  %s\n", "RANK",
             BB_TABLE_NAME_WIDTH, "AGENT", "BTC", "STX", "sBTC", "OTHER",
             "TOTAL USD", "FRESHNESS");
    for (size_t i = 0; i < page->n_rows; i++)
        s_dashboard_row (out, page->rows [i], now_ms);
    fprintf (out, "\nshowing %" PRId64 "..%" PRId64 " of %" PRIu64 "%s\n",
             page->n_rows ? page->offset + 1 : page->offset,
             page->offset + (int64_t) page->n_rows, page->total,
             page->has_more ? " (more: --offset)" : "");
}

void
bb_table_agent (FILE *out, const Balboard__AgentDetail *detail,
                uint64_t now_ms)
{
    const Balboard__DashboardRow *row = detail->row;
    if (!row || !row->agent)
        return;
    const Balboard__Agent *agent = row->agent;
    char usd [48], units [64], value [48], age [16];
    fprintf (out, "agent    %s\n", s_agent_name (agent));
    fprintf (out, "stx      %s\nbtc      %s\n", agent->stx_address,
             agent->btc_address);
    if (agent->bns_name && *agent->bns_name)
        fprintf (out, "bns      %s\n", agent->bns_name);
    fprintf (out, "level    %u %s\n", agent->level,
             agent->level_name ? agent->level_name : "");
    fprintf (out, "rank     %" PRIu64 "\ntotal    %s\n\n", row->rank,
             s_usd (row->total_usd_micro, usd, sizeof usd));
    fprintf (out, "%-10s %24s %16s %-14s %8s\n", "TOKEN", "AMOUNT", "USD",
             "SOURCE", "AGE");
    for (size_t i = 0; i < row->n_tokens; i++) {
        const Balboard__TokenPosition *token = row->tokens [i];
        fprintf (out, "%-10.10s %24s %16s %-14s %8s%s\n", token->symbol,
                 s_units (token->balance, token->decimals,
                                 BB_TABLE_FRACTION_DIGITS, units,
                                 sizeof units),
                 s_usd (token->usd_value_micro, value, sizeof value),
                 token->source,
                 s_age (token->captured_at_ms, now_ms, age, sizeof age),
                 token->stale ? " *stale" : "");
    }
    if (row->fetch_state == BALBOARD__AGENT_FETCH_STATE__AGENT_FETCH_PENDING)
        fprintf (out, "(not fetched yet)\n");
    if (detail->n_history)
        fprintf (out, "\nhistory (newest first)\n");
    for (size_t i = 0; i < detail->n_history; i++) {
        const Balboard__HistoryPoint *point = detail->history [i];
        fprintf (out, "  %-64.64s %8s ago  %s\n", point->token_id,
                 s_age (point->captured_at_ms, now_ms, age, sizeof age),
                 point->balance);
    }
}

void
bb_table_rank (FILE *out, const Balboard__RankReply *rank)
{
    char usd [48];
    fprintf (out, "%s  rank %" PRIu64 " of %" PRIu64 "  total %s\n",
             rank->stx_address, rank->rank, rank->total,
             s_usd (rank->total_usd_micro, usd, sizeof usd));
}

//  The last registry sync: when, what it did, and why it held or was
//  partial, as the lines after a "last sync" label.
static void
s_sync_lines (FILE *out, const Balboard__RegistrySyncReport *report,
              uint64_t now_ms)
{
    char age [16];
    if (!report) {
        fprintf (out, "last sync         none yet\n");
        return;
    }
    fprintf (out, "last sync         %s ago, %s (generation %" PRIu64 "): %u "
             "listed, %u added, %u updated, %u removed, %u rejected\n",
             s_age (report->finished_ms, now_ms, age, sizeof age),
             bb_sync_outcome_label (report->outcome), report->generation,
             report->registry_agents, report->added, report->updated,
             report->removed, report->rejected);
    if (report->outcome == BALBOARD__SYNC_OUTCOME__SYNC_HELD)
        fprintf (out, "held              %u removals: %s\n"
                 "                  (balboard agents sync --confirm "
                 "applies them)\n", report->held_removals,
                 report->reason ? report->reason : "");
    else
    if (report->reason && *report->reason)
        fprintf (out, "why               %s\n", report->reason);
}

void
bb_table_stats (FILE *out, const Balboard__StoreStats *stats,
                uint64_t now_ms)
{
    char age [16], priced [16];
    fprintf (out, "agents            %" PRIu64 " (%" PRIu64 " fetched)\n",
             stats->agents, stats->agents_fetched);
    fprintf (out, "balance rows      %" PRIu64 "\nhistory rows      %" PRIu64
             "\n", stats->balance_rows, stats->history_rows);
    fprintf (out, "last commit       %s ago\n",
             s_age (stats->last_commit_ms, now_ms, age, sizeof age));
    fprintf (out, "batches           %" PRIu64 " committed, %" PRIu64
             " duplicate, %" PRIu64 " rejected\n", stats->batches_committed,
             stats->batches_duplicate, stats->batches_rejected);
    fprintf (out, "rotation          %" PRIu64 " (%u chunks done, %u agents)\n",
             stats->rotation, stats->rotation_chunks_done,
             stats->rotation_agents);
    fprintf (out, "prices            %s ago\n",
             s_age (stats->prices ? stats->prices->priced_at_ms : 0,
                           now_ms, priced, sizeof priced));
    fprintf (out, "map               %" PRIu64 " of %" PRIu64 " MiB used\n",
             stats->map_used >> 20, stats->map_size >> 20);
    if (stats->store_full_since_ms)
        fprintf (out, "STORE FULL        for %s, %" PRIu64 " writes refused\n",
                 s_age (stats->store_full_since_ms, now_ms, age, sizeof age),
                 stats->writes_refused_full);
    else
    if (stats->writes_refused_full)
        fprintf (out, "store full        no (%" PRIu64 " writes refused since "
                 "start)\n", stats->writes_refused_full);
    fprintf (out, "auth              %" PRIu64 " refused, %" PRIu64
             " denied\n", stats->auth_refused, stats->auth_denied);
    fprintf (out, "store version     %s\n", stats->version && *stats->version
                                          ? stats->version : "(unknown)");
    s_sync_lines (out, stats->registry_sync, now_ms);
}

//  The registry the scheduler syncs with, and its last sync.
static void
s_registry_status (FILE *out, const Balboard__SchedulerStatus *status,
                   uint64_t now_ms)
{
    char next [16];
    if (!status->registry_source || !*status->registry_source) {
        fprintf (out, "registry          none (manual imports only)\n");
        return;
    }
    fprintf (out, "registry          %s%s, next sync %s%s\n",
             status->registry_source,
             status->registry_syncing ? " (syncing)" : "",
             status->registry_next_sync_ms ? "in " : "",
             status->registry_next_sync_ms
             ? s_age (now_ms, status->registry_next_sync_ms, next,
                      sizeof next)
             : "not planned");
    s_sync_lines (out, status->registry_sync, now_ms);
}

void
bb_table_status (FILE *out, const Balboard__SchedulerStatus *status,
                 uint64_t now_ms)
{
    char age [16];
    fprintf (out, "rotation          %" PRIu64 " (%u of %u agents)%s\n",
             status->rotation, status->rotation_done, status->rotation_agents,
             status->paused ? "  PAUSED" : "");
    fprintf (out, "cursor            %s\n",
             status->cursor && *status->cursor ? status->cursor : "(start)");
    fprintf (out, "interval          %s, next tick in %" PRId64 " ms\n",
             status->idle_mode ? "IDLE" : "ACTIVE",
             status->next_tick_ms > now_ms
             ? (int64_t) (status->next_tick_ms - now_ms) : 0);
    fprintf (out, "fetchers          %u connected, %u ready\n",
             status->fetchers, status->fetchers_ready);
    fprintf (out, "rotations done    %" PRIu64 " (last took %" PRIu64
             " ms)\n", status->rotations_completed, status->last_rotation_ms);
    fprintf (out, "auth              %" PRIu64 " refused, %" PRIu64
             " denied\n", status->auth_refused, status->auth_denied);
    fprintf (out, "scheduler version %s\n", status->version && *status->version
                                          ? status->version : "(unknown)");
    s_registry_status (out, status, now_ms);
    fprintf (out, "\n%-14s %-8s %10s %10s %8s %8s %-8s %-10s %s\n",
             "UPSTREAM", "HEALTH", "BUDGET/MIN", "REQUESTS", "FAILED", "429S",
             "PAUSED", "PROBE", "LAST ERROR");
    for (size_t i = 0; i < status->n_upstreams; i++) {
        const Balboard__UpstreamHealth *health = status->upstreams [i];
        char probe [32];
        fprintf (out, "%-14s %-8s %10u %10" PRIu64 " %8" PRIu64 " %8"
                 PRIu64 " %-8s %-10s %s\n",
                 bb_upstream_wire_label (health->upstream),
                 health->limited ? "limited"
                 : health->healthy ? "ok" : "failing",
                 health->budget_per_minute, health->requests_dispatched,
                 health->failures, health->rate_limited,
                 health->paused_until_ms > now_ms ? "yes" : "no",
                 health->probing ? "out"
                 : health->next_probe_ms > now_ms
                 ? s_age (now_ms, health->next_probe_ms, probe, sizeof probe)
                 : health->limited ? "due" : "-",
                 health->last_error && *health->last_error
                 ? health->last_error : "-");
    }
    if (status->n_in_flight)
        fprintf (out, "\n%-12s %7s %-24s %6s %s\n", "JOB", "ATTEMPT",
                 "FETCHER", "AGENTS", "DEADLINE");
    for (size_t i = 0; i < status->n_in_flight; i++) {
        const Balboard__InFlightJob *job = status->in_flight [i];
        fprintf (out, "%-12s %7u %-24.24s %6u in %s\n", job->job_id,
                 job->attempt, job->fetcher_id, job->agents,
                 job->deadline_ms > now_ms
                 ? s_age (now_ms, job->deadline_ms, age, sizeof age)
                 : "overdue");
    }
}
