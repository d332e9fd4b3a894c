/*  =========================================================================
    bb_mock_process - the mock upstream as a running process, for tests
    and benchmarks

    Owns one balboard-mock-upstream started on a free port of 127.0.0.1
    (through bb_child, so a port taken meanwhile is retried on a new one)
    and what a test or benchmark says to it over HTTP: its base URL, a
    POST to /__mock/control or /__mock/reset, and a read of
    /__mock/stats or of one counter in it. A failed exchange returns -1 or
    NULL and prints the request and the answer to stderr, so the caller
    only asserts (a test) or gives up (a benchmark). Destroying a mock
    that still runs kills it. One thread: the caller's.
    =========================================================================
*/
#ifndef BB_MOCK_PROCESS_H_INCLUDED
#define BB_MOCK_PROCESS_H_INCLUDED

#include <stdarg.h>
#include <jansson.h>

#include "bb_child.h"

typedef struct _bb_mock_process_t bb_mock_process_t;

//  Start balboard-mock-upstream (from $BALBOARD_BIN_DIR) with
//  "--bind 127.0.0.1:<a free port>" and args (NULL-terminated, may be
//  NULL), and wait up to timeout_ms until it listens. NULL if it did not
//  start (the reason is printed to stderr).
bb_mock_process_t *bb_mock_process_new (const char *const args [],
                                        int timeout_ms);

//  Kill the mock (SIGKILL) if it still runs, reap it, free, and set
//  *self_p to NULL. NULL-safe.
void bb_mock_process_destroy (bb_mock_process_t **self_p);

//  SIGTERM the mock, wait up to timeout_ms for it to exit, then destroy
//  it as bb_mock_process_destroy does (killing it if it still runs).
//  Returns its exit code as bb_child_wait does (-1 on timeout), or 0 if
//  *self_p was NULL.
int bb_mock_process_end (bb_mock_process_t **self_p, int timeout_ms);

//  "http://127.0.0.1:<port>", owned by the mock.
const char *bb_mock_process_base (bb_mock_process_t *self);

#define BB_MOCK_PROCESS_URL_SIZE 256

//  Where a fetcher finds the three upstreams the mock plays.
typedef struct {
    char hiro [BB_MOCK_PROCESS_URL_SIZE];       // Hiro's base URL
    char mempool [BB_MOCK_PROCESS_URL_SIZE];    // mempool.space's API base
    char price [BB_MOCK_PROCESS_URL_SIZE];      // CoinGecko's price URL
    char registry [BB_MOCK_PROCESS_URL_SIZE];   // the agent registry API
} bb_mock_urls_t;

//  Write the mock's upstream URLs into urls, as a fetcher's
//  --hiro-base, --mempool-base and --price-url take them.
void bb_mock_process_urls (bb_mock_process_t *self, bb_mock_urls_t *urls);

//  A fetcher's environment: where it finds the scheduler (jobs, an
//  endpoint), the store (ingest) and the upstreams this mock plays.
typedef struct {
    char jobs [BB_MOCK_PROCESS_URL_SIZE];       // BALBOARD_SCHEDULER_JOBS=
    char ingest [BB_MOCK_PROCESS_URL_SIZE];     // BALBOARD_STORE_INGEST=
    bb_mock_urls_t urls;                        // HIRO_BASE=, MEMPOOL_BASE=,
                                                // PRICE_URL=
    const char *list [6];                       // the five above, then NULL
} bb_mock_fetcher_env_t;

//  Write into env the "NAME=value" settings of a fetcher that talks to
//  the scheduler at jobs, the store at ingest and the mock; env->list
//  points at them, as bb_child_new's env (or bb_child_args_append) takes
//  them, so env must not be copied.
void bb_mock_process_fetcher_env (bb_mock_process_t *self, const char *jobs,
                                  const char *ingest,
                                  bb_mock_fetcher_env_t *env);

//  The process itself, owned by the mock (to signal it or ask whether it
//  runs).
bb_child_t *bb_mock_process_child (bb_mock_process_t *self);

//  POST body (JSON) to path (such as "/__mock/control"), waiting up to
//  timeout_ms. Returns 0 if the mock answered 200, else -1.
int bb_mock_process_post (bb_mock_process_t *self, const char *path,
                          const char *body, int timeout_ms);

//  POST body to /__mock/control. Returns 0 on 200, else -1.
int bb_mock_process_control (bb_mock_process_t *self, const char *body,
                             int timeout_ms);

//  POST to /__mock/reset: the flags' state back, counters zeroed.
//  Returns 0 on 200, else -1.
int bb_mock_process_reset (bb_mock_process_t *self, int timeout_ms);

//  GET /__mock/stats, parsed. Returns the JSON (the caller decrefs it), or
//  NULL if the mock did not answer 200 with JSON.
json_t *bb_mock_process_stats (bb_mock_process_t *self, int timeout_ms);

//  The integer in the mock's stats at the path of object keys from key
//  on (NULL-terminated), e.g. "requests", "by_endpoint", "hiro_v1",
//  NULL. Returns it (0 where the path names nothing: a counter not
//  bumped yet), or -1 if the stats could not be read.
long bb_mock_process_count (bb_mock_process_t *self, int timeout_ms,
                            const char *key, ...);

//  bb_mock_process_count with the keys after key in a va_list (for a
//  caller that takes them as its own variable arguments).
long bb_mock_process_count_v (bb_mock_process_t *self, int timeout_ms,
                              const char *key, va_list keys);

#endif
