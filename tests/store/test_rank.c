/*  test_rank - the order-statistic rank index: order with ties, moves up
    and down, removal, rank and lookup, seeking at every offset, the sum,
    bulk rebuild, the empty index and offsets past the end; then long
    seeded random runs (growing past many block splits and shrinking
    through merges) checked op by op against a brute-force sorted array. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include "bb_random.h"
#include "bb_rank.h"

//  Entries a block holds in the index (bb_rank.c); the tests go far past
//  it so that blocks split and merge many times.
#define BLOCK_CAP       512
#define ADDR_SIZE       (BB_RANK_ADDR_MAX + 1)

//  A brute-force model of the index: a pool of addresses, each in or out.
typedef struct {
    char addr [ADDR_SIZE];
    int64_t score;
    bool live;
} model_entry_t;

typedef struct {
    model_entry_t *entries;
    size_t size;                // pool size
    uint64_t state;             // xorshift64 state
} model_t;

static uint64_t
s_random (model_t *model)
{
    return bb_random_next (&model->state);
}

//  A new index holding entries (a NULL address ends them), each put in
//  with bb_rank_set in the order given.
static bb_rank_t *
s_rank_new (const bb_rank_entry_t entries [])
{
    bb_rank_t *rank = bb_rank_new ();
    assert_non_null (rank);
    for (size_t index = 0; entries [index].address; index++)
        assert_int_equal (bb_rank_set (rank, entries [index].address,
                                       entries [index].score), 0);
    return rank;
}

//  A Stacks-like address: "SP" and 39 c32 characters (41 in all), or
//  now and then a short or a maximal one, to cover the lengths.
static void
s_random_address (model_t *model, char *buf)
{
    static const char c32 [] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    size_t length = 41;
    switch (s_random (model) % 16) {
        case 0: length = 1 + s_random (model) % 6; break;
        case 1: length = BB_RANK_ADDR_MAX; break;
        default: break;
    }
    buf [0] = 'S';
    for (size_t index = 1; index < length; index++)
        buf [index] = index == 1? 'P': c32 [s_random (model) % 32];
    buf [length] = '\0';
}

//  A score with many ties (a few round values) and some negatives.
static int64_t
s_random_score (model_t *model)
{
    switch (s_random (model) % 4) {
        case 0: return 0;
        case 1: return (int64_t) (s_random (model) % 8) * 1000000;
        case 2: return (int64_t) (s_random (model) % 2000001) - 1000000;
        default: return (int64_t) (s_random (model) % 1000000000000ULL);
    }
}

//  Pool of size distinct addresses, all out of the index.
static model_t *
s_model_new (size_t size, uint64_t seed)
{
    model_t *model = calloc (1, sizeof (model_t));
    assert_non_null (model);
    model->entries = calloc (size, sizeof (model_entry_t));
    assert_non_null (model->entries);
    model->size = size;
    model->state = seed;
    for (size_t index = 0; index < size; index++) {
        bool unique;
        do {
            s_random_address (model, model->entries [index].addr);
            unique = true;
            for (size_t other = 0; other < index && unique; other++)
                unique = strcmp (model->entries [other].addr,
                                 model->entries [index].addr) != 0;
        } while (!unique);
    }
    return model;
}

static void
s_model_destroy (model_t **model_p)
{
    free ((*model_p)->entries);
    free (*model_p);
    *model_p = NULL;
}

//  Leaderboard order of model entries (score desc, address asc).
static int
s_entry_compare (const void *a, const void *b)
{
    const model_entry_t *const *entry_a = a;
    const model_entry_t *const *entry_b = b;
    if ((*entry_a)->score != (*entry_b)->score)
        return (*entry_a)->score > (*entry_b)->score? -1: 1;
    return strcmp ((*entry_a)->addr, (*entry_b)->addr);
}

//  Check everything the index answers against the model: size, sum,
//  the entry at every offset, a full walk with next, the rank, score
//  and lookup of every address in the pool.
static void
s_check (bb_rank_t *rank, model_t *model)
{
    const model_entry_t **sorted =
        calloc (model->size + 1, sizeof (model_entry_t *));
    assert_non_null (sorted);
    size_t live = 0;
    __int128 sum = 0;
    for (size_t index = 0; index < model->size; index++)
        if (model->entries [index].live) {
            sorted [live++] = &model->entries [index];
            sum += model->entries [index].score;
        }
    qsort (sorted, live, sizeof (model_entry_t *), s_entry_compare);

    assert_int_equal (bb_rank_size (rank), live);
    assert_true (bb_rank_sum (rank) == (int64_t) sum);

    int64_t score = 0;
    const char *addr = bb_rank_seek (rank, 0, &score);
    for (size_t offset = 0; offset < live; offset++) {
        assert_non_null (addr);
        assert_string_equal (addr, sorted [offset]->addr);
        assert_true (score == sorted [offset]->score);
        addr = bb_rank_next (rank, &score);
    }
    assert_null (addr);
    assert_null (bb_rank_next (rank, NULL));

    for (size_t offset = 0; offset < live; offset++) {
        addr = bb_rank_seek (rank, offset, &score);
        assert_non_null (addr);
        assert_string_equal (addr, sorted [offset]->addr);
        assert_true (score == sorted [offset]->score);
        assert_int_equal (bb_rank_rank (rank, addr, &score), offset + 1);
        assert_true (score == sorted [offset]->score);
    }
    assert_null (bb_rank_seek (rank, live, NULL));

    for (size_t index = 0; index < model->size; index++) {
        const model_entry_t *entry = &model->entries [index];
        score = -42;
        assert_true (bb_rank_lookup (rank, entry->addr, &score)
                     == entry->live);
        if (entry->live)
            assert_true (score == entry->score);
        else {
            assert_true (score == -42);
            assert_int_equal (bb_rank_rank (rank, entry->addr, NULL), 0);
        }
    }
    free (sorted);
}

//  One random operation on the index and the model. grow_pct is the
//  chance (percent) that a live address is moved rather than removed.
static void
s_random_op (bb_rank_t *rank, model_t *model, unsigned grow_pct)
{
    model_entry_t *entry = &model->entries [s_random (model) % model->size];
    if (entry->live && s_random (model) % 100 >= grow_pct) {
        assert_int_equal (bb_rank_remove (rank, entry->addr), 0);
        entry->live = false;
    }
    else {
        int64_t score = s_random_score (model);
        //  Small moves too, so that an entry stays in its block or its
        //  neighbour; and large ones across the whole ranking.
        if (entry->live && s_random (model) % 2)
            score = entry->score + (int64_t) (s_random (model) % 5) - 2;
        assert_int_equal (bb_rank_set (rank, entry->addr, score), 0);
        entry->score = score;
        entry->live = true;
    }
}

static void
test_empty (void **state)
{
    bb_rank_t *rank = bb_rank_new ();
    assert_non_null (rank);
    int64_t score = 7;
    assert_int_equal (bb_rank_size (rank), 0);
    assert_true (bb_rank_sum (rank) == 0);
    assert_null (bb_rank_seek (rank, 0, &score));
    assert_null (bb_rank_next (rank, &score));
    assert_int_equal (bb_rank_rank (rank, "SP1", &score), 0);
    assert_false (bb_rank_lookup (rank, "SP1", &score));
    assert_true (score == 7);
    assert_int_equal (bb_rank_remove (rank, "SP1"), -1);
    assert_int_equal (bb_rank_rebuild (rank, NULL, 0), 0);
    assert_int_equal (bb_rank_size (rank), 0);
    bb_rank_destroy (&rank);
    assert_null (rank);
    bb_rank_destroy (&rank);
}

static void
test_ties_order (void **state)
{
    bb_rank_t *rank = s_rank_new ((const bb_rank_entry_t []) {
        { "SPC", 5 }, { "SPA", 5 }, { "SPB", 9 }, { "SPAA", 5 },
        { "SPZ", -1 }, { "SP0", 0 }, { NULL, 0 }
    });

    const char *expected [] = { "SPB", "SPA", "SPAA", "SPC", "SP0", "SPZ" };
    const int64_t scores [] = { 9, 5, 5, 5, 0, -1 };
    int64_t score;
    const char *addr = bb_rank_seek (rank, 0, &score);
    for (size_t index = 0; index < 6; index++) {
        assert_non_null (addr);
        assert_string_equal (addr, expected [index]);
        assert_true (score == scores [index]);
        assert_int_equal (bb_rank_rank (rank, expected [index], NULL),
                          index + 1);
        addr = bb_rank_next (rank, &score);
    }
    assert_null (addr);
    assert_int_equal (bb_rank_size (rank), 6);
    assert_true (bb_rank_sum (rank) == 23);
    bb_rank_destroy (&rank);
}

static void
test_move_up_down (void **state)
{
    bb_rank_t *rank = bb_rank_new ();
    char addr [16];
    for (int index = 0; index < 10; index++) {
        snprintf (addr, sizeof addr, "SP%02d", index);
        bb_rank_set (rank, addr, (10 - index) * 100);
    }
    assert_int_equal (bb_rank_rank (rank, "SP09", NULL), 10);
    //  Up: to the top, then to a tie in the middle
    assert_int_equal (bb_rank_set (rank, "SP09", 5000), 0);
    assert_int_equal (bb_rank_rank (rank, "SP09", NULL), 1);
    assert_int_equal (bb_rank_rank (rank, "SP00", NULL), 2);
    assert_int_equal (bb_rank_set (rank, "SP09", 500), 0);
    //  ties with SP05 (500): SP05 < SP09
    assert_int_equal (bb_rank_rank (rank, "SP05", NULL), 6);
    assert_int_equal (bb_rank_rank (rank, "SP09", NULL), 7);
    //  Down: the top one to the bottom
    int64_t score;
    assert_int_equal (bb_rank_set (rank, "SP00", 0), 0);
    assert_int_equal (bb_rank_rank (rank, "SP00", &score), 10);
    assert_true (score == 0);
    assert_string_equal (bb_rank_seek (rank, 0, &score), "SP01");
    assert_true (score == 900);
    //  Same score: nothing moves, sum unchanged
    int64_t sum = bb_rank_sum (rank);
    assert_int_equal (bb_rank_set (rank, "SP03", 700), 0);
    assert_int_equal (bb_rank_rank (rank, "SP03", NULL), 3);
    assert_true (bb_rank_sum (rank) == sum);
    assert_true (sum == 900 + 800 + 700 + 600 + 500 + 400 + 300 + 200
                        + 500 + 0);
    assert_int_equal (bb_rank_size (rank), 10);
    bb_rank_destroy (&rank);
}

static void
test_remove (void **state)
{
    bb_rank_t *rank = s_rank_new ((const bb_rank_entry_t []) {
        { "SPA", 30 }, { "SPB", 20 }, { "SPC", 10 }, { NULL, 0 }
    });
    assert_int_equal (bb_rank_remove (rank, "SPB"), 0);
    assert_int_equal (bb_rank_remove (rank, "SPB"), -1);
    assert_int_equal (bb_rank_size (rank), 2);
    assert_true (bb_rank_sum (rank) == 40);
    assert_int_equal (bb_rank_rank (rank, "SPB", NULL), 0);
    assert_false (bb_rank_lookup (rank, "SPB", NULL));
    assert_int_equal (bb_rank_rank (rank, "SPC", NULL), 2);
    //  Back in with another score
    assert_int_equal (bb_rank_set (rank, "SPB", 40), 0);
    assert_int_equal (bb_rank_rank (rank, "SPB", NULL), 1);
    //  Remove down to empty, then reuse
    assert_int_equal (bb_rank_remove (rank, "SPA"), 0);
    assert_int_equal (bb_rank_remove (rank, "SPB"), 0);
    assert_int_equal (bb_rank_remove (rank, "SPC"), 0);
    assert_int_equal (bb_rank_size (rank), 0);
    assert_true (bb_rank_sum (rank) == 0);
    assert_null (bb_rank_seek (rank, 0, NULL));
    assert_int_equal (bb_rank_set (rank, "SPD", 1), 0);
    assert_string_equal (bb_rank_seek (rank, 0, NULL), "SPD");
    bb_rank_destroy (&rank);
}

static void
test_rank_and_lookup (void **state)
{
    bb_rank_t *rank = s_rank_new ((const bb_rank_entry_t []) {
        { "SPX", 1500000 }, { "SPY", 2500000 }, { NULL, 0 }
    });
    int64_t score = 0;
    assert_int_equal (bb_rank_rank (rank, "SPY", &score), 1);
    assert_true (score == 2500000);
    assert_int_equal (bb_rank_rank (rank, "SPX", &score), 2);
    assert_true (score == 1500000);
    assert_true (bb_rank_lookup (rank, "SPX", &score));
    assert_true (score == 1500000);
    assert_true (bb_rank_lookup (rank, "SPY", NULL));
    //  Look-ups are by exact string
    assert_false (bb_rank_lookup (rank, "SPX ", NULL));
    assert_false (bb_rank_lookup (rank, "spx", NULL));
    assert_int_equal (bb_rank_rank (rank, "SP", NULL), 0);
    bb_rank_destroy (&rank);
}

static void
test_invalid_address (void **state)
{
    bb_rank_t *rank = bb_rank_new ();
    char longest [ADDR_SIZE + 1];
    memset (longest, 'S', sizeof longest);
    longest [BB_RANK_ADDR_MAX] = '\0';
    assert_int_equal (bb_rank_set (rank, longest, 1), 0);
    longest [BB_RANK_ADDR_MAX] = 'P';
    longest [ADDR_SIZE] = '\0';
    assert_int_equal (bb_rank_set (rank, longest, 1), -1);
    assert_int_equal (bb_rank_set (rank, NULL, 1), -1);
    assert_int_equal (bb_rank_set (rank, "", 1), -1);
    assert_int_equal (bb_rank_remove (rank, NULL), -1);
    assert_int_equal (bb_rank_remove (rank, longest), -1);
    assert_false (bb_rank_lookup (rank, NULL, NULL));
    assert_int_equal (bb_rank_rank (rank, "", NULL), 0);
    assert_int_equal (bb_rank_size (rank), 1);

    //  A bad entry fails the rebuild and leaves the index as it was
    bb_rank_entry_t entries [] = {
        { "SPA", 1 }, { longest, 2 }
    };
    assert_int_equal (bb_rank_rebuild (rank, entries, 2), -1);
    entries [1].address = NULL;
    assert_int_equal (bb_rank_rebuild (rank, entries, 2), -1);
    assert_int_equal (bb_rank_size (rank), 1);
    longest [BB_RANK_ADDR_MAX] = '\0';
    assert_int_equal (bb_rank_rank (rank, longest, NULL), 1);
    bb_rank_destroy (&rank);
}

static void
test_seek_past_end (void **state)
{
    bb_rank_t *rank = s_rank_new ((const bb_rank_entry_t []) {
        { "SPA", 3 }, { "SPB", 2 }, { "SPC", 1 }, { NULL, 0 }
    });
    assert_string_equal (bb_rank_seek (rank, 2, NULL), "SPC");
    assert_null (bb_rank_next (rank, NULL));
    assert_null (bb_rank_next (rank, NULL));
    assert_null (bb_rank_seek (rank, 3, NULL));
    assert_null (bb_rank_next (rank, NULL));
    assert_null (bb_rank_seek (rank, UINT64_MAX, NULL));
    assert_null (bb_rank_next (rank, NULL));
    //  A change ends the iteration
    assert_string_equal (bb_rank_seek (rank, 0, NULL), "SPA");
    bb_rank_set (rank, "SPD", 0);
    assert_null (bb_rank_next (rank, NULL));
    assert_string_equal (bb_rank_seek (rank, 1, NULL), "SPB");
    bb_rank_remove (rank, "SPD");
    assert_null (bb_rank_next (rank, NULL));
    assert_string_equal (bb_rank_seek (rank, 1, NULL), "SPB");
    bb_rank_rebuild (rank, NULL, 0);
    assert_null (bb_rank_next (rank, NULL));
    //  ... but a read does not
    bb_rank_set (rank, "SPA", 3);
    bb_rank_set (rank, "SPB", 2);
    assert_string_equal (bb_rank_seek (rank, 0, NULL), "SPA");
    assert_int_equal (bb_rank_rank (rank, "SPB", NULL), 2);
    assert_true (bb_rank_lookup (rank, "SPA", NULL));
    assert_string_equal (bb_rank_next (rank, NULL), "SPB");
    bb_rank_destroy (&rank);
}

static void
test_sum (void **state)
{
    bb_rank_t *rank = s_rank_new ((const bb_rank_entry_t []) {
        { "SPA", 5000000 }, { "SPB", -2000000 }, { NULL, 0 }
    });
    assert_true (bb_rank_sum (rank) == 3000000);
    bb_rank_set (rank, "SPB", 1);
    assert_true (bb_rank_sum (rank) == 5000001);
    //  Saturates both ways, and is exact again once back in range
    bb_rank_set (rank, "SPC", INT64_MAX);
    bb_rank_set (rank, "SPD", INT64_MAX);
    assert_true (bb_rank_sum (rank) == INT64_MAX);
    bb_rank_remove (rank, "SPD");
    bb_rank_remove (rank, "SPA");
    assert_true (bb_rank_sum (rank) == INT64_MAX);
    bb_rank_set (rank, "SPC", INT64_MAX - 1);
    assert_true (bb_rank_sum (rank) == INT64_MAX);
    bb_rank_set (rank, "SPB", 0);
    assert_true (bb_rank_sum (rank) == INT64_MAX - 1);
    bb_rank_set (rank, "SPC", INT64_MIN);
    bb_rank_set (rank, "SPD", INT64_MIN);
    assert_true (bb_rank_sum (rank) == INT64_MIN);
    bb_rank_remove (rank, "SPC");
    assert_true (bb_rank_sum (rank) == INT64_MIN);
    assert_string_equal (bb_rank_seek (rank, 1, NULL), "SPD");
    bb_rank_destroy (&rank);
}

static void
test_rebuild (void **state)
{
    bb_rank_t *rank = bb_rank_new ();
    bb_rank_set (rank, "SPOLD", 99);
    bb_rank_entry_t entries [] = {
        { "SPC", 10 }, { "SPA", 10 }, { "SPB", 30 }, { "SPA", 20 },
        { "SPD", 0 },
    };
    assert_int_equal (bb_rank_rebuild (rank, entries, 5), 0);
    assert_int_equal (bb_rank_size (rank), 4);
    assert_true (bb_rank_sum (rank) == 60);
    assert_false (bb_rank_lookup (rank, "SPOLD", NULL));
    //  The last score of a repeated address wins
    int64_t score;
    assert_int_equal (bb_rank_rank (rank, "SPA", &score), 2);
    assert_true (score == 20);
    const char *expected [] = { "SPB", "SPA", "SPC", "SPD" };
    const char *addr = bb_rank_seek (rank, 0, NULL);
    for (size_t index = 0; index < 4; index++) {
        assert_string_equal (addr, expected [index]);
        addr = bb_rank_next (rank, NULL);
    }
    assert_null (addr);
    //  The index copies the addresses: the caller's may go
    char scratch [8];
    strcpy (scratch, "SPE");
    bb_rank_entry_t one = { scratch, 5 };
    assert_int_equal (bb_rank_rebuild (rank, &one, 1), 0);
    strcpy (scratch, "SPF");
    assert_string_equal (bb_rank_seek (rank, 0, NULL), "SPE");
    assert_true (bb_rank_lookup (rank, "SPE", NULL));
    bb_rank_destroy (&rank);
}

//  Emptying by rebuild (as the store does when the registry is empty)
//  leaves an index that works like a new one.
static void
test_rebuild_empty_then_use (void **state)
{
    bb_rank_t *rank = bb_rank_new ();
    bb_rank_entry_t entries [] = { { "SPA", 2 }, { "SPB", 1 } };
    assert_int_equal (bb_rank_rebuild (rank, entries, 2), 0);
    assert_int_equal (bb_rank_rebuild (rank, entries, 0), 0);
    assert_int_equal (bb_rank_size (rank), 0);
    assert_true (bb_rank_sum (rank) == 0);
    assert_false (bb_rank_lookup (rank, "SPA", NULL));
    assert_null (bb_rank_seek (rank, 0, NULL));
    assert_int_equal (bb_rank_set (rank, "SPC", 5), 0);
    assert_int_equal (bb_rank_set (rank, "SPA", 7), 0);
    assert_int_equal (bb_rank_set (rank, "SPC", 9), 0);
    assert_int_equal (bb_rank_rank (rank, "SPC", NULL), 1);
    assert_string_equal (bb_rank_seek (rank, 1, NULL), "SPA");
    assert_int_equal (bb_rank_remove (rank, "SPA"), 0);
    assert_int_equal (bb_rank_remove (rank, "SPC"), 0);
    assert_int_equal (bb_rank_size (rank), 0);
    assert_int_equal (bb_rank_set (rank, "SPD", 1), 0);
    assert_int_equal (bb_rank_rank (rank, "SPD", NULL), 1);
    assert_int_equal (bb_rank_rebuild (rank, NULL, 0), 0);
    assert_int_equal (bb_rank_set (rank, "SPE", 1), 0);
    assert_int_equal (bb_rank_size (rank), 1);
    bb_rank_destroy (&rank);
}

//  A rebuild of thousands, then random moves and removals on the packed
//  blocks, checked against the model.
static void
test_rebuild_then_update (void **state)
{
    model_t *model = s_model_new (5000, 0x9E3779B97F4A7C15ULL);
    bb_rank_entry_t *entries = calloc (model->size, sizeof *entries);
    size_t *which = calloc (model->size, sizeof *which);
    assert_non_null (entries);
    assert_non_null (which);
    size_t count = 0;
    for (size_t index = 0; index < model->size; index++) {
        model->entries [index].score = s_random_score (model);
        model->entries [index].live = index % 5 != 0;
        if (model->entries [index].live) {
            entries [count].address = model->entries [index].addr;
            entries [count].score = model->entries [index].score;
            which [count++] = index;
        }
    }
    bb_rank_t *rank = bb_rank_new ();
    bb_rank_set (rank, model->entries [0].addr, 1);    // replaced below
    assert_int_equal (bb_rank_rebuild (rank, entries, count), 0);
    s_check (rank, model);
    for (int op = 0; op < 6000; op++) {
        s_random_op (rank, model, 50);
        if (op % 1000 == 999)
            s_check (rank, model);
    }
    //  And a second rebuild over the changed index
    assert_int_equal (bb_rank_rebuild (rank, entries, count), 0);
    for (size_t index = 0; index < model->size; index++)
        model->entries [index].live = false;
    for (size_t index = 0; index < count; index++) {
        model->entries [which [index]].live = true;
        model->entries [which [index]].score = entries [index].score;
    }
    s_check (rank, model);
    free (which);
    free (entries);
    bb_rank_destroy (&rank);
    s_model_destroy (&model);
}

//  Grow to thousands (many splits), churn, then shrink to nothing
//  (merges and empty blocks), checking against the model all along.
static void
test_random_against_model (void **state)
{
    const uint64_t seeds [] = { 1, 0xC0FFEE, 20261124 };
    for (size_t run = 0; run < sizeof seeds / sizeof seeds [0]; run++) {
        model_t *model = s_model_new (4000, seeds [run]);
        bb_rank_t *rank = bb_rank_new ();
        struct { unsigned ops; unsigned grow_pct; } phases [] = {
            { 12000, 95 },      // grow: mostly inserts and moves
            { 8000, 50 },       // churn
            { 16000, 5 },       // shrink: mostly removals
            { 4000, 80 },       // grow again from almost empty
        };
        for (size_t phase = 0; phase < 4; phase++) {
            for (unsigned op = 0; op < phases [phase].ops; op++) {
                s_random_op (rank, model, phases [phase].grow_pct);
                if (op % 2000 == 1999)
                    s_check (rank, model);
            }
            s_check (rank, model);
        }
        bb_rank_destroy (&rank);
        s_model_destroy (&model);
    }
}

//  Worst cases for block fill: inserts always at the end or always at
//  the front, then removal of every other entry and the rest.
static void
test_sequential (void **state)
{
    const size_t count = BLOCK_CAP * 12;
    model_t *model = s_model_new (count, 42);
    bb_rank_t *rank = bb_rank_new ();
    for (size_t index = 0; index < count; index++) {
        model->entries [index].score = -(int64_t) index;
        model->entries [index].live = true;
        bb_rank_set (rank, model->entries [index].addr, -(int64_t) index);
    }
    s_check (rank, model);
    for (size_t index = 0; index < count; index++) {
        model->entries [index].score = (int64_t) index;
        bb_rank_set (rank, model->entries [index].addr, (int64_t) index);
    }
    s_check (rank, model);
    for (size_t index = 0; index < count; index += 2) {
        assert_int_equal (bb_rank_remove (rank, model->entries [index].addr),
                          0);
        model->entries [index].live = false;
    }
    s_check (rank, model);
    for (size_t index = 1; index < count; index += 2) {
        assert_int_equal (bb_rank_remove (rank, model->entries [index].addr),
                          0);
        model->entries [index].live = false;
        if (index % 1001 == 0)
            s_check (rank, model);
    }
    s_check (rank, model);
    bb_rank_destroy (&rank);
    s_model_destroy (&model);
}

//  Everyone tied on one score: the order is the addresses' alone.
static void
test_all_tied (void **state)
{
    model_t *model = s_model_new (3000, 7);
    bb_rank_t *rank = bb_rank_new ();
    for (size_t index = 0; index < model->size; index++) {
        model->entries [index].live = true;
        bb_rank_set (rank, model->entries [index].addr, 0);
    }
    s_check (rank, model);
    for (size_t index = 0; index < model->size; index += 3) {
        bb_rank_remove (rank, model->entries [index].addr);
        model->entries [index].live = false;
    }
    s_check (rank, model);

    //  The same by rebuild, with addresses that share long prefixes
    bb_rank_entry_t *entries = calloc (model->size, sizeof *entries);
    assert_non_null (entries);
    for (size_t index = 0; index < model->size; index++) {
        model_entry_t *entry = &model->entries [index];
        if (index % 2 == 0)
            snprintf (entry->addr, sizeof entry->addr,
                      "SP000000000000000000000000000000000%06zu",
                      (index * 7919) % 1000000);
        entry->live = true;
        entries [index].address = entry->addr;
    }
    assert_int_equal (bb_rank_rebuild (rank, entries, model->size), 0);
    s_check (rank, model);
    free (entries);
    bb_rank_destroy (&rank);
    s_model_destroy (&model);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test (test_empty),
        cmocka_unit_test (test_ties_order),
        cmocka_unit_test (test_move_up_down),
        cmocka_unit_test (test_remove),
        cmocka_unit_test (test_rank_and_lookup),
        cmocka_unit_test (test_invalid_address),
        cmocka_unit_test (test_seek_past_end),
        cmocka_unit_test (test_sum),
        cmocka_unit_test (test_rebuild),
        cmocka_unit_test (test_rebuild_empty_then_use),
        cmocka_unit_test (test_rebuild_then_update),
        cmocka_unit_test (test_random_against_model),
        cmocka_unit_test (test_sequential),
        cmocka_unit_test (test_all_tied))
