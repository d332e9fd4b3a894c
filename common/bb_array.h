/*  =========================================================================
    bb_array - room for one more item at the end of a growing array

    The arrays the modules append to one item at a time (a commit's
    changes, an agent's balance list, a fetch's positions, an agent
    list's agents and rejections, a budget's holds) grow the same way:
    when full, the capacity doubles (from a first capacity the holder
    picks), so n appends copy each item a few times in all, not n times.
    The holder keeps the pointer, the size and the capacity. Running out
    of memory is fatal here, as everywhere an in-memory array grows.
    =========================================================================
*/
#ifndef BB_ARRAY_H_INCLUDED
#define BB_ARRAY_H_INCLUDED

#include <stddef.h>

//  Make room for one more item after the size used of items (item_size
//  bytes each, *capacity of them allocated): when they are all used,
//  *capacity doubles, or becomes first (> 0) while 0. Returns the array,
//  moved or not; the holder stores it back in place of items.
void *bb_array_grow (void *items, size_t size, size_t *capacity,
                     size_t item_size, size_t first);

#endif
