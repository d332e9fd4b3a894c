/*  =========================================================================
    bb_table - the CLI's tables for people

    Renders store and scheduler replies as aligned text: the ranked
    dashboard (rank, name or address, BTC, STX, sBTC, other tokens, total
    USD, freshness with a stale marker), an agent's detail, store stats and
    scheduler status. Machine output is bb_render's JSON, not this.
    Amounts are shown exactly (decimal point placed in the raw u128 string),
    never through floating point.
    =========================================================================
*/
#ifndef BB_TABLE_H_INCLUDED
#define BB_TABLE_H_INCLUDED

#include <stdint.h>
#include <stdio.h>

#include "balboard.pb-c.h"

void bb_table_dashboard (FILE *out, const Balboard__DashboardPage *page,
                         uint64_t now_ms);
void bb_table_agent (FILE *out, const Balboard__AgentDetail *detail,
                     uint64_t now_ms);
void bb_table_rank (FILE *out, const Balboard__RankReply *rank);
void bb_table_stats (FILE *out, const Balboard__StoreStats *stats,
                     uint64_t now_ms);
void bb_table_status (FILE *out, const Balboard__SchedulerStatus *status,
                      uint64_t now_ms);

#endif
