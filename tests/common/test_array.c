/*  test_array - bb_array_grow: the capacity starts at the holder's first
    and doubles only when every slot is used, and the items appended so
    far survive every move.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "bb_test_main.h"
#include "bb_array.h"

#define APPENDS     1000

typedef struct {
    uint64_t key;
    double value;
} item_t;

static void
test_grow_doubles_from_first (void **state)
{
    (void) state;
    item_t *items = NULL;
    size_t size = 0, capacity = 0;
    size_t grew_at [16];
    size_t grows = 0;
    for (size_t index = 0; index < APPENDS; index++) {
        size_t before = capacity;
        items = bb_array_grow (items, size, &capacity, sizeof *items, 4);
        if (capacity != before) {
            assert_true (grows < 16);
            grew_at [grows++] = capacity;
        }
        assert_true (size < capacity);
        items [size++] = (item_t) { .key = index, .value = index / 2.0 };
    }
    //  4, 8, 16, ... 1024: nine allocations for a thousand appends.
    assert_int_equal (grows, 9);
    for (size_t grow = 0; grow < grows; grow++)
        assert_int_equal (grew_at [grow], (size_t) 4 << grow);
    for (size_t index = 0; index < APPENDS; index++) {
        assert_int_equal (items [index].key, index);
        assert_true (items [index].value == index / 2.0);
    }
    free (items);
}

static void
test_room_left_is_no_move (void **state)
{
    (void) state;
    size_t capacity = 8;
    item_t *items = malloc (capacity * sizeof *items);
    assert_non_null (items);
    for (size_t size = 0; size < capacity; size++) {
        item_t *same = bb_array_grow (items, size, &capacity, sizeof *items,
                                      4);
        assert_ptr_equal (same, items);
        assert_int_equal (capacity, 8);
    }
    items = bb_array_grow (items, capacity, &capacity, sizeof *items, 4);
    assert_int_equal (capacity, 16);
    free (items);
}

BB_TEST_MAIN (NULL, NULL,
    cmocka_unit_test (test_grow_doubles_from_first),
    cmocka_unit_test (test_room_left_is_no_move))
