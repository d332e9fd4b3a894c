/*  =========================================================================
    bb_rank - the store's order-statistic rank index

    Holds every ranked agent as (address, score), score being the agent's
    total in micro-USD, in leaderboard order: score descending, ties by
    address ascending (strcmp). Answers, at a million agents, "who is at
    offset k" in O(log n) and then walks on in O(1) per row, "what is the
    rank and score of address a" in O(log n), and "score of a" in O(1),
    and keeps the size and the sum of all scores. Only memory: the store
    rebuilds it from LMDB at open and after every price change (the bulk
    rebuild sorts and packs a million entries in a fraction of a second)
    and applies single moves as balances commit.

    Threading: the index takes no lock. Any number of threads may read it
    at once (lookup, rank, size, sum, and the cursor_ calls, each thread
    with its own cursor) while no thread changes it; a change (set,
    remove, rebuild) or the index's own cursor (seek, next) needs the
    index alone. The store's readers share it under bb_index's lock.

    Lifetimes: the index copies the addresses it is given. An address it
    returns (seek, next) is borrowed and valid until the next set, remove,
    rebuild or destroy. Any of those also ends an iteration: next returns
    NULL until the next seek.
    =========================================================================
*/
#ifndef BB_RANK_H_INCLUDED
#define BB_RANK_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Longest address the index accepts, in bytes (a Stacks standard
//  principal has 41 characters; the store's limit is 47).
#define BB_RANK_ADDR_MAX 47

typedef struct _bb_rank_t bb_rank_t;

//  One (address, score) pair for bb_rank_rebuild.
typedef struct {
    const char *address;        // borrowed; copied by the index
    int64_t score;              // micro-USD
} bb_rank_entry_t;

//  Create an empty index.
bb_rank_t *bb_rank_new (void);

//  Destroy the index and set *self_p to NULL. NULL-safe.
void bb_rank_destroy (bb_rank_t **self_p);

//  Insert address with score, or move it there if it is already in.
//  Returns 0, or -1 if address is NULL, empty or longer than
//  BB_RANK_ADDR_MAX (then nothing changes). O(log n) amortized.
int bb_rank_set (bb_rank_t *self, const char *address, int64_t score);

//  Take address out. Returns 0, or -1 if it was not in. O(log n)
//  amortized.
int bb_rank_remove (bb_rank_t *self, const char *address);

//  True if address is in; then *score (if not NULL) is its score.
//  O(1) expected.
bool bb_rank_lookup (bb_rank_t *self, const char *address, int64_t *score);

//  1-based rank of address, or 0 if it is not in; with a rank, *score
//  (if not NULL) is its score. O(log n).
uint64_t bb_rank_rank (bb_rank_t *self, const char *address,
                       int64_t *score);

//  A position in the ranking that a caller keeps, so that several readers
//  can walk one index at once. Valid while the index does not change.
typedef struct {
    bool on;                    // positioned on an entry
    size_t block;               // ... in this block
    uint32_t index;             // ... at this entry of it
} bb_rank_cursor_t;

//  bb_rank_seek and bb_rank_next on cursor instead of the index's own.
//  Neither changes the index.
const char *bb_rank_cursor_seek (bb_rank_t *self, bb_rank_cursor_t *cursor,
                                 uint64_t offset, int64_t *score);
const char *bb_rank_cursor_next (bb_rank_t *self, bb_rank_cursor_t *cursor,
                                 int64_t *score);

//  Position the index's own cursor at 0-based offset and return the
//  address there, its score in *score (if not NULL). Returns NULL, and
//  leaves no cursor, when offset >= size. O(log n) at any offset.
const char *bb_rank_seek (bb_rank_t *self, uint64_t offset, int64_t *score);

//  Advance the index's own cursor and return the next address (and
//  *score), or NULL past the last entry or without a cursor. O(1)
//  amortized.
const char *bb_rank_next (bb_rank_t *self, int64_t *score);

//  Number of addresses in the index.
uint64_t bb_rank_size (bb_rank_t *self);

//  Sum of all scores, micro-USD, saturated to the int64 range.
int64_t bb_rank_sum (bb_rank_t *self);

//  Replace the whole content with the count entries (entries may be NULL
//  when count is 0, which empties the index). An address given twice
//  keeps the last score. Returns 0, or -1 if any address is invalid (as
//  for bb_rank_set); then the index is unchanged. O(n log n).
int bb_rank_rebuild (bb_rank_t *self, const bb_rank_entry_t *entries,
                     size_t count);

#endif
