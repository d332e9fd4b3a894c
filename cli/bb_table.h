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

//  Format raw (decimal u128 string) with decimals as "12.345", keeping at
//  most max_fraction fraction digits (cut, not rounded) and no trailing
//  zeros, into buf (size bytes). Returns buf.
const char *bb_table_units (const char *raw, unsigned decimals,
                            unsigned max_fraction, char *buf, size_t size);

//  Format micro-USD as "$1,234.56" into buf. Returns buf.
const char *bb_table_usd (int64_t micro, char *buf, size_t size);

//  Format the age of a time as "12s", "5m", "3h", "2d" ("-" for 0).
const char *bb_table_age (uint64_t then_ms, uint64_t now_ms, char *buf,
                          size_t size);

#endif
