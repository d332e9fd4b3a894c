/*  =========================================================================
    bench_agents - the synthetic agents the store benchmarks load

    Agent i has a mainnet STX address and a P2WPKH BTC address made from
    i, and at each pass (1, 2, ...) four balances: STX, sBTC and ALEX
    from Hiro, BTC from mempool.space, spread by a cheap hash of i and
    the pass (ALEX never changes). The store, SQLite and Redis are loaded
    with exactly these, so their figures are for the same data. USD
    values are at BTC 60,000 and STX 2 (micro-USD).
    =========================================================================
*/
#ifndef BENCH_AGENTS_H_INCLUDED
#define BENCH_AGENTS_H_INCLUDED

#define BENCH_AGENTS_ADDRESS_SIZE 96
#define BENCH_AGENTS_TOKENS 4
#define BENCH_AGENTS_SBTC \
    "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token::sbtc-token"
#define BENCH_AGENTS_ALEX \
    "SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.age000-governance-token::alex"

typedef struct {
    char stx [BENCH_AGENTS_ADDRESS_SIZE];
    char btc [BENCH_AGENTS_ADDRESS_SIZE];
    //  Per token, in the order stx, sBTC, ALEX, btc-l1
    const char *token_id [BENCH_AGENTS_TOKENS];
    unsigned long long amount [BENCH_AGENTS_TOKENS];   // raw amounts
    int decimals [BENCH_AGENTS_TOKENS];
    const char *source [BENCH_AGENTS_TOKENS];          // hiro, mempool.space
    long long usd_micro [BENCH_AGENTS_TOKENS];         // 0 for ALEX
    long long total_usd_micro;
} bench_agent_t;

//  Fill agent with agent index as it is at pass.
void bench_agents_get (unsigned index, unsigned pass, bench_agent_t *agent);

//  Only the STX address of agent index into buf (BENCH_AGENTS_ADDRESS_SIZE).
void bench_agents_stx (unsigned index, char *buf);

#endif
