/*  =========================================================================
    bench_agents - the synthetic agents the store benchmarks load
    =========================================================================
*/
#include "bench_agents.h"

#include "bb_address.h"

#define SATS_USD_MICRO      600         // BTC 60,000 USD, 8 decimals
#define USTX_USD_MICRO      2           // STX 2 USD, 6 decimals

void
bench_agents_stx (unsigned index, char *buf)
{
    unsigned char hash [20] = { 0x42 };
    for (int i = 0; i < 4; i++)
        hash [1 + i] = (unsigned char) (index >> (24 - 8 * i));
    bb_address_make_stx (BB_STX_VERSION_MAINNET_SINGLESIG, hash, buf,
                         BENCH_AGENTS_ADDRESS_SIZE);
}

static void
s_btc (unsigned index, char *buf)
{
    unsigned char program [20] = { 0x17 };
    for (int i = 0; i < 4; i++)
        program [1 + i] = (unsigned char) (index >> (24 - 8 * i));
    bb_address_make_segwit ("bc", 0, program, sizeof program, buf,
                            BENCH_AGENTS_ADDRESS_SIZE);
}

//  A spread of amounts: a cheap hash of index and pass.
static unsigned long long
s_amount (unsigned index, unsigned pass, unsigned salt)
{
    unsigned long long x = (index + 1) * 2654435761ULL ^ (pass + salt) * 40503;
    return (x % 100000000ULL) + 1;
}

void
bench_agents_get (unsigned index, unsigned pass, bench_agent_t *agent)
{
    static const char *ids [BENCH_AGENTS_TOKENS] = {
        "stx", BENCH_AGENTS_SBTC, BENCH_AGENTS_ALEX, "btc-l1"
    };
    static const int decimals [BENCH_AGENTS_TOKENS] = { 6, 8, 6, 8 };
    bench_agents_stx (index, agent->stx);
    s_btc (index, agent->btc);
    agent->amount [0] = s_amount (index, pass, 1) * 1000;
    agent->amount [1] = s_amount (index, pass, 2) / 10;
    agent->amount [2] = s_amount (index, 0, 3);
    agent->amount [3] = s_amount (index, pass, 4);
    agent->usd_micro [0] = (long long) agent->amount [0] * USTX_USD_MICRO;
    agent->usd_micro [1] = (long long) agent->amount [1] * SATS_USD_MICRO;
    agent->usd_micro [2] = 0;
    agent->usd_micro [3] = (long long) agent->amount [3] * SATS_USD_MICRO;
    agent->total_usd_micro = 0;
    for (int t = 0; t < BENCH_AGENTS_TOKENS; t++) {
        agent->token_id [t] = ids [t];
        agent->decimals [t] = decimals [t];
        agent->source [t] = t == 3 ? "mempool.space" : "hiro";
        agent->total_usd_micro += agent->usd_micro [t];
    }
}
