/*  =========================================================================
    e2e_world - a whole balboard on loopback, for end-to-end tests

    Owns real processes on free ports: the mock upstream, the store, the
    scheduler, any number of fetchers and optionally a gateway, each
    with its data under the test's scratch directory (with
    options.registry the scheduler syncs the mock's agent registry), plus
    clients for the store's ingest and
    query sockets and the scheduler's control socket. The scheduler
    starts paused so a test imports agents and attaches fetchers first,
    then calls e2e_world_go. Agents come from the mock's deterministic
    sample (bb_mockdata_agent), so a test computes what the store must
    end up with. Destroying the world stops every process with SIGTERM
    and fails the test if one does not exit cleanly.
    =========================================================================
*/
#ifndef E2E_WORLD_H_INCLUDED
#define E2E_WORLD_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "bb_mock_process.h"
#include "bb_wire.h"

#define E2E_FETCHERS_MAX 8

typedef struct {
    unsigned agents;                // sample agents 0..agents-1 imported
    unsigned chunk_size;            // scheduler --chunk-size
    unsigned fetchers;              // started at once
    long mock_latency_ms;           // mock --latency-ms
    const char *const *scheduler_args;  // extra flags, NULL-terminated
    const char *const *mock_args;
    bool registry;                  // the scheduler syncs the mock's
                                    // registry (it lists agents 0..agents-1)
                                    // instead of the world importing them
    const char *const *fetcher_args;    // extra flags of every fetcher
    bool gateway;                   // a balboard-gateway in front too
} e2e_options_t;

typedef struct _e2e_world_t e2e_world_t;

//  Start the world described by options (asserts on failure).
e2e_world_t *e2e_world_new (const e2e_options_t *options);

//  e2e_world_new, then e2e_world_go: a world whose first rotation runs,
//  for a test with nothing to set up while the scheduler is paused.
e2e_world_t *e2e_world_new_going (const e2e_options_t *options);

//  Stop every process (SIGTERM; a clean exit is asserted), free, and set
//  *self_p to NULL.
void e2e_world_destroy (e2e_world_t **self_p);

//  Import sample agents first..first+count-1 through the ingest socket.
void e2e_world_import (e2e_world_t *self, unsigned first, unsigned count);

//  Remove sample agent index from the registry.
void e2e_world_remove (e2e_world_t *self, unsigned index);

//  Start one more fetcher; returns its index. Its id is "f<index>".
size_t e2e_world_add_fetcher (e2e_world_t *self);

//  The fetcher id of fetcher index.
const char *e2e_world_fetcher_id (e2e_world_t *self, size_t index);

//  Send signum to fetcher index and reap it if it dies.
void e2e_world_signal_fetcher (e2e_world_t *self, size_t index,
                               int signum);

//  Send signum to fetcher index and go on (SIGSTOP, SIGCONT).
void e2e_world_signal_fetcher_nowait (e2e_world_t *self, size_t index,
                                      int signum);

//  kill -9 the scheduler, then start it again on the same state.
void e2e_world_kill_scheduler (e2e_world_t *self);
void e2e_world_start_scheduler (e2e_world_t *self,
                                const char *const *extra);

//  kill -9 the store, then start it again on the same data and ports.
void e2e_world_kill_store (e2e_world_t *self);

//  SYNC (confirm) the registry now; returns the status (caller destroys).
bb_envelope_t *e2e_world_sync (e2e_world_t *self, bool confirm);

//  Wait until fetchers fetchers are connected and ready.
void e2e_world_wait_fetchers (e2e_world_t *self, size_t fetchers);

//  Resume the scheduler and tick: the first rotation starts.
void e2e_world_go (e2e_world_t *self);

//  A scheduler control command; returns the status (caller destroys).
bb_envelope_t *e2e_world_control (e2e_world_t *self,
                                  Balboard__SchedulerControl__Command
                                  command);

//  The scheduler's status (caller destroys).
bb_envelope_t *e2e_world_status (e2e_world_t *self);

//  Wait up to timeout_ms until rotations rotations are complete.
void e2e_world_wait_rotations (e2e_world_t *self, uint64_t rotations,
                               int timeout_ms);

//  A condition on the scheduler's status; arg is the wait's arg.
typedef bool (e2e_status_fn) (const Balboard__SchedulerStatus *status,
                              void *arg);

//  Poll the scheduler's status until condition (status, arg) holds and
//  return that status (caller destroys); fail the test, saying what was
//  awaited, if it still does not hold after timeout_ms.
bb_envelope_t *e2e_world_wait_status (e2e_world_t *self, const char *what,
                                      e2e_status_fn *condition, void *arg,
                                      int timeout_ms);

//  Wait up to timeout_ms until at least done agents of the rotation are
//  done; returns that status (caller destroys).
bb_envelope_t *e2e_world_wait_done (e2e_world_t *self, uint32_t done,
                                    int timeout_ms);

//  The arguments that point balboard (the CLI) at the world's store and
//  scheduler: "--store-query", <endpoint>, "--scheduler-control",
//  <endpoint>, NULL. Borrowed.
const char *const *e2e_world_cli_args (e2e_world_t *self);

//  The mock's agent registry URL, as the scheduler's --registry-url
//  takes it, into url (BB_MOCK_PROCESS_URL_SIZE bytes).
void e2e_world_registry_url (e2e_world_t *self, char *url);

//  The store's stats (caller destroys).
bb_envelope_t *e2e_world_stats (e2e_world_t *self);

//  Dashboard rows offset..offset+limit-1 (caller destroys).
bb_envelope_t *e2e_world_dashboard (e2e_world_t *self, int64_t offset,
                                    int64_t limit);

//  POST body to the mock's /__mock/control (asserts 200).
void e2e_world_mock_control (e2e_world_t *self, const char *body);

//  The gateway's /metrics text (the world has options.gateway; caller
//  frees).
char *e2e_world_metrics (e2e_world_t *self);

//  The mock's /__mock/stats (caller json_decrefs).
json_t *e2e_world_mock_stats (e2e_world_t *self);

//  The integer in the mock's stats at the path of object keys given as
//  the arguments after self (NULL-terminated), e.g. "requests",
//  "by_endpoint", "hiro_v1", NULL; 0 where the path leads nowhere.
json_int_t e2e_world_mock_count (e2e_world_t *self, const char *key, ...);

//  Check the whole dashboard against the mock's data: every agent of
//  sample agents present (0..agents-1, minus those in removed, count
//  entries) fetched from both sources with exactly the mock's non-zero
//  positions, totals valued at the page's prices, ranked by total.
void e2e_world_check_dashboard (e2e_world_t *self, unsigned agents,
                                const unsigned *removed, size_t count);

//  The fetch state (Balboard__AgentFetchState) of sample agent index in
//  the store, or -1 if the store does not know the agent.
int e2e_world_fetch_state (e2e_world_t *self, unsigned index);

//  cmocka group setup and teardown for an e2e test's main: libcurl's
//  global state, set up before the tests start threads.
int e2e_world_setup_suite (void **state);
int e2e_world_teardown_suite (void **state);

//  The main of an e2e test: runs the cmocka tests given as arguments
//  (cmocka_unit_test (name), ...) as one group with the setup above.
#define E2E_WORLD_MAIN(...) \
int \
main (void) \
{ \
    const struct CMUnitTest tests [] = { __VA_ARGS__ }; \
    return cmocka_run_group_tests (tests, e2e_world_setup_suite, \
                                   e2e_world_teardown_suite); \
}

//  The store's detail of sample agent index, which it knows: every token
//  with its source, captured_at and stale flag (caller destroys).
bb_envelope_t *e2e_world_agent (e2e_world_t *self, unsigned index);

#endif
