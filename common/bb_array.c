/*  =========================================================================
    bb_array - room for one more item at the end of a growing array
    =========================================================================
*/
#include "bb_array.h"

#include <assert.h>
#include <stdlib.h>

void *
bb_array_grow (void *items, size_t size, size_t *capacity, size_t item_size,
               size_t first)
{
    assert (capacity && size <= *capacity && item_size && first);
    if (size < *capacity)
        return items;
    *capacity = *capacity ? *capacity * 2 : first;
    items = realloc (items, *capacity * item_size);
    assert (items);
    return items;
}
