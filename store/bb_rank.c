/*  =========================================================================
    bb_rank - the store's order-statistic rank index

    DESIGN. Three structures share one copy of each address:

    - The node table owns the addresses. A node is a fixed slot holding
      one address (NUL-terminated, at most BB_RANK_ADDR_MAX bytes) and its
      current score. Nodes live in chunks that never move, so a node's
      address has a stable pointer that the other two structures keep.
      Freed nodes go on a free list and are reused.
    - The hash maps an address to its node: open addressing, linear
      probing, backward-shift deletion (no tombstones), at most 70% full.
      A slot packs the address's 32-bit hash with node + 1, so probing
      compares hashes before it touches a string.
    - The ranking is a counted B+tree of height two: a directory of
      blocks, each block a sorted array of up to BLOCK_CAP entries
      (score, address pointer), kept as two parallel arrays. The directory
      holds each block's last key, for an O(log n) search by key, and a
      Fenwick tree (binary indexed tree) over the block counts, which maps
      an offset to its block and a block to the count before it in
      O(log blocks). A full block splits in two; a block that empties is
      dropped, and a block that shrinks merges with a neighbour when the
      two fit in half a block. A split or merge shifts the directory and
      rebuilds the Fenwick tree, O(blocks), once per ~BLOCK_CAP/2 updates.

    INVARIANTS (checked by tests/store/test_rank.c against a brute force):
    1. Key order is score descending, then address ascending by strcmp;
       keys are unique because addresses are.
    2. Every address in the index has exactly one node, one hash slot and
       one block entry; the node's score equals the entry's score.
    3. Entries are in strictly increasing key order within a block and
       from each block to the next; dir[p].max_* is block p's last entry.
    4. Every block holds 1..BLOCK_CAP-1 entries, and any two adjacent
       blocks hold more than BLOCK_MERGE together, so there are at most
       4n/BLOCK_CAP + 1 blocks.
    5. fenwick is the binary indexed tree of the block counts; size is
       their sum and sum is the sum of the entries' scores.

    A bulk rebuild interns every address (prefetching the hash slots),
    radix-sorts the scores, merge-sorts each run of tied scores by address
    and packs the blocks BUILD_FILL full. Memory is about 90 bytes an
    agent: a node 56, its share of the hash 8-16, of the blocks ~21.

    Only the node table frees an address. A removal therefore takes the
    entry out of its block first (the search compares strings), then the
    slot out of the hash, and frees the node last.
    =========================================================================
*/
#include "bb_rank.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

//  Entries a block can hold; reaching it splits the block in two halves.
#define BLOCK_CAP           512
//  Two adjacent blocks holding this many entries or fewer merge.
#define BLOCK_MERGE         (BLOCK_CAP / 2)
//  Entries per block after a bulk rebuild: room to grow before a split.
#define BUILD_FILL          (BLOCK_CAP * 3 / 4)
//  Entries ahead whose hash slot the bulk rebuild prefetches.
#define PREFETCH_AHEAD      16
//  Runs the bulk sort makes by insertion before it merges.
#define SORT_RUN            16

//  Nodes per chunk of the node table (a power of two).
#define NODE_CHUNK_SHIFT    12
#define NODE_CHUNK          (1u << NODE_CHUNK_SHIFT)
#define NODE_NONE           UINT32_MAX
#define ADDR_SIZE           (BB_RANK_ADDR_MAX + 1)

//  Smallest hash table, in slots (a power of two); it stays at most
//  HASH_LOAD_NUM / HASH_LOAD_DEN full.
#define HASH_MIN_SLOTS      1024
#define HASH_LOAD_NUM       7
#define HASH_LOAD_DEN       10

//  A chunk of NODE_CHUNK nodes. A free node has addr "" and its score
//  slot holds the index of the next free node.
typedef struct {
    int64_t score [NODE_CHUNK];
    char addr [NODE_CHUNK][ADDR_SIZE];
} chunk_t;

//  A sorted run of entries; addr points into the node table.
typedef struct {
    uint32_t count;
    int64_t score [BLOCK_CAP];
    const char *addr [BLOCK_CAP];
} block_t;

//  A directory entry: a block and its last key.
typedef struct {
    block_t *block;             // owned
    int64_t max_score;
    const char *max_addr;
} dir_t;

//  An entry of the bulk rebuild's sort. prefix holds the address's first
//  8 bytes, big-endian and zero-padded: compared as an integer it orders
//  like strcmp on those bytes, so most ties on score are settled without
//  a cache miss on the string.
typedef struct {
    int64_t score;
    uint64_t prefix;
    const char *addr;
} item_t;

struct _bb_rank_t {
    chunk_t **chunks;           // owned node chunks
    size_t chunks_size;         // chunks allocated
    size_t chunks_cap;          // length of chunks
    uint32_t nodes_used;        // nodes handed out so far (high water)
    uint32_t free_node;         // head of the free list, or NODE_NONE
    uint64_t *slots;            // hash: (hash << 32) | (node + 1); 0 free
    size_t slot_mask;           // slots in the table - 1
    dir_t *dir;                 // owned directory, in key order
    size_t dir_size;            // blocks
    size_t dir_cap;             // length of dir and fenwick - 1
    uint64_t *fenwick;          // 1-based binary indexed tree of counts
    size_t fenwick_top;         // highest power of two <= dir_size, or 0
    uint64_t size;              // entries
    __int128 sum;               // sum of scores, never overflows
    bb_rank_cursor_t cursor;    // the iteration of seek and next
};


//  ---------------------------------------------------------------------------
//  Keys

//  True if key (score_a, addr_a) ranks before (score_b, addr_b).
static inline bool
s_key_less (int64_t score_a, const char *addr_a,
            int64_t score_b, const char *addr_b)
{
    if (score_a != score_b)
        return score_a > score_b;
    return addr_a != addr_b && strcmp (addr_a, addr_b) < 0;
}

//  True if item a's address sorts before item b's (strcmp order).
static inline bool
s_item_less (const item_t *a, const item_t *b)
{
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix;
    return strcmp (a->addr, b->addr) < 0;
}

static bool
s_address_valid (const char *address)
{
    return address && *address
        && strnlen (address, ADDR_SIZE) <= BB_RANK_ADDR_MAX;
}


//  ---------------------------------------------------------------------------
//  Bulk sort: a radix sort on the score, then a merge sort of each run of
//  equal scores by address. O(n log n) whatever the input order, and no
//  indirect calls: qsort took twice as long at a million entries.

static size_t
s_min (size_t a, size_t b)
{
    return a < b? a: b;
}

static uint64_t
s_prefix (const char *addr)
{
    uint64_t prefix = 0;
    for (size_t byte = 0; byte < sizeof (prefix); byte++) {
        prefix <<= 8;
        if (*addr)
            prefix |= (unsigned char) *addr++;
    }
    return prefix;
}

//  A score as an unsigned key that ascends in rank order (descending
//  score): flip the sign bit to order it as unsigned, then invert.
static inline uint64_t
s_radix_key (int64_t score)
{
    return ~((uint64_t) score ^ ((uint64_t) 1 << 63));
}

//  Merge sort the count items by address, using scratch (count items).
//  Returns whichever of the two arrays holds the result.
static item_t *
s_sort_run (item_t *items, item_t *scratch, size_t count)
{
    //  Runs of SORT_RUN by insertion, then merge passes of doubling width
    for (size_t start = 0; start < count; start += SORT_RUN) {
        size_t end = s_min (start + SORT_RUN, count);
        for (size_t next = start + 1; next < end; next++) {
            item_t item = items [next];
            size_t hole = next;
            for (; hole > start && s_item_less (&item, &items [hole - 1]);
                 hole--)
                items [hole] = items [hole - 1];
            items [hole] = item;
        }
    }
    item_t *from = items;
    item_t *to = scratch;
    for (size_t width = SORT_RUN; width < count; width *= 2) {
        for (size_t left = 0; left < count; left += 2 * width) {
            size_t middle = s_min (left + width, count);
            size_t right = s_min (left + 2 * width, count);
            size_t a = left;
            size_t b = middle;
            size_t out = left;
            while (a < middle && b < right)
                to [out++] = s_item_less (&from [b], &from [a])
                           ? from [b++]: from [a++];
            while (a < middle)
                to [out++] = from [a++];
            while (b < right)
                to [out++] = from [b++];
        }
        item_t *swap = from;
        from = to;
        to = swap;
    }
    return from;
}

//  Sort the count items (count > 0) into key order, using scratch (count
//  items). Returns whichever of the two arrays holds the result.
static item_t *
s_sort (item_t *items, item_t *scratch, size_t count)
{
    //  LSD radix sort of the scores, a byte per pass; a byte that every
    //  key shares costs no pass.
    size_t counts [8][256] = { { 0 } };
    for (size_t item = 0; item < count; item++) {
        uint64_t key = s_radix_key (items [item].score);
        for (unsigned byte = 0; byte < 8; byte++)
            counts [byte][(key >> (8 * byte)) & 0xFF]++;
    }
    item_t *from = items;
    item_t *to = scratch;
    uint64_t first = s_radix_key (items [0].score);
    for (unsigned byte = 0; byte < 8; byte++) {
        size_t *digits = counts [byte];
        unsigned shift = 8 * byte;
        if (digits [(first >> shift) & 0xFF] == count)
            continue;
        size_t total = 0;
        for (unsigned digit = 0; digit < 256; digit++) {
            size_t here = digits [digit];
            digits [digit] = total;
            total += here;
        }
        for (size_t item = 0; item < count; item++) {
            uint64_t key = s_radix_key (from [item].score);
            to [digits [(key >> shift) & 0xFF]++] = from [item];
        }
        item_t *swap = from;
        from = to;
        to = swap;
    }
    //  Then each run of tied scores by address, in place
    for (size_t start = 0, end; start < count; start = end) {
        for (end = start + 1;
             end < count && from [end].score == from [start].score; end++)
            ;
        if (end - start > 1) {
            item_t *run = s_sort_run (from + start, to + start, end - start);
            if (run != from + start)
                memcpy (from + start, run, (end - start) * sizeof (item_t));
        }
    }
    return from;
}


//  ---------------------------------------------------------------------------
//  Node table

static inline char *
s_node_addr (bb_rank_t *self, uint32_t node)
{
    return self->chunks [node >> NODE_CHUNK_SHIFT]
               ->addr [node & (NODE_CHUNK - 1)];
}

static inline int64_t *
s_node_score (bb_rank_t *self, uint32_t node)
{
    return &self->chunks [node >> NODE_CHUNK_SHIFT]
                ->score [node & (NODE_CHUNK - 1)];
}

//  A node holding a copy of address and score.
static uint32_t
s_node_new (bb_rank_t *self, const char *address, int64_t score)
{
    uint32_t node = self->free_node;
    if (node != NODE_NONE)
        self->free_node = (uint32_t) *s_node_score (self, node);
    else {
        assert (self->nodes_used < NODE_NONE);
        node = self->nodes_used++;
        if ((node >> NODE_CHUNK_SHIFT) == self->chunks_size) {
            if (self->chunks_size == self->chunks_cap) {
                self->chunks_cap = self->chunks_cap? self->chunks_cap * 2: 16;
                self->chunks = realloc (self->chunks,
                    self->chunks_cap * sizeof (chunk_t *));
                assert (self->chunks);
            }
            self->chunks [self->chunks_size] = malloc (sizeof (chunk_t));
            assert (self->chunks [self->chunks_size]);
            self->chunks_size++;
        }
    }
    strcpy (s_node_addr (self, node), address);
    *s_node_score (self, node) = score;
    return node;
}

static void
s_node_free (bb_rank_t *self, uint32_t node)
{
    s_node_addr (self, node) [0] = '\0';
    *s_node_score (self, node) = self->free_node;
    self->free_node = node;
}


//  ---------------------------------------------------------------------------
//  Hash: address -> node

//  A multiply-xorshift hash over 8 bytes at a time (a third of the
//  cost of a byte-wise FNV at 41 bytes), finished with the murmur3
//  avalanche and folded to 32 bits.
static uint32_t
s_hash (const char *address)
{
    size_t length = strlen (address);
    uint64_t hash = length * 0x9E3779B97F4A7C15ULL;
    while (length) {
        uint64_t word = 0;
        size_t take = s_min (length, sizeof (word));
        memcpy (&word, address, take);
        hash = (hash ^ word) * 0xBF58476D1CE4E5B9ULL;
        hash ^= hash >> 31;
        address += take;
        length -= take;
    }
    hash ^= hash >> 33;
    hash *= 0xFF51AFD7ED558CCDULL;
    hash ^= hash >> 33;
    return (uint32_t) (hash ^ (hash >> 32));
}

//  The node of address (hash is s_hash (address)), or NODE_NONE; *slot_p,
//  if not NULL, gets its slot.
static uint32_t
s_hash_find (bb_rank_t *self, const char *address, uint32_t hash,
             size_t *slot_p)
{
    for (size_t slot = hash & self->slot_mask;;
         slot = (slot + 1) & self->slot_mask) {
        uint64_t value = self->slots [slot];
        if (value == 0)
            return NODE_NONE;
        uint32_t node = (uint32_t) value - 1;
        if ((uint32_t) (value >> 32) == hash
        &&  strcmp (s_node_addr (self, node), address) == 0) {
            if (slot_p)
                *slot_p = slot;
            return node;
        }
    }
}

//  Put a slot value in the first free slot of its probe sequence.
static void
s_hash_place (bb_rank_t *self, uint64_t value)
{
    size_t slot = (uint32_t) (value >> 32) & self->slot_mask;
    while (self->slots [slot])
        slot = (slot + 1) & self->slot_mask;
    self->slots [slot] = value;
}

static void
s_hash_put (bb_rank_t *self, uint32_t node, uint32_t hash)
{
    s_hash_place (self, ((uint64_t) hash << 32) | ((uint64_t) node + 1));
}

//  Size the hash for entries addresses within the load limit: make it
//  (HASH_MIN_SLOTS at least) if there is none, else grow it if needed.
static void
s_hash_reserve (bb_rank_t *self, uint64_t entries)
{
    uint64_t *old = self->slots;
    size_t old_slots = old? self->slot_mask + 1: 0;
    size_t slots = old? old_slots: HASH_MIN_SLOTS;
    while (entries * HASH_LOAD_DEN > (uint64_t) slots * HASH_LOAD_NUM)
        slots *= 2;
    if (slots == old_slots)
        return;
    self->slots = calloc (slots, sizeof (uint64_t));
    assert (self->slots);
    self->slot_mask = slots - 1;
    for (size_t slot = 0; slot < old_slots; slot++)
        if (old [slot])
            s_hash_place (self, old [slot]);
    free (old);
}

//  Empty slot and shift back the entries after it that probed past it.
static void
s_hash_delete (bb_rank_t *self, size_t slot)
{
    size_t mask = self->slot_mask;
    size_t hole = slot;
    self->slots [hole] = 0;
    for (size_t next = (hole + 1) & mask; self->slots [next];
         next = (next + 1) & mask) {
        size_t home = (uint32_t) (self->slots [next] >> 32) & mask;
        //  The entry may move into the hole unless its home lies
        //  cyclically in (hole, next].
        if (((next - home) & mask) >= ((next - hole) & mask)) {
            self->slots [hole] = self->slots [next];
            self->slots [next] = 0;
            hole = next;
        }
    }
}


//  ---------------------------------------------------------------------------
//  Fenwick tree over the block counts

static void
s_fenwick_build (bb_rank_t *self)
{
    size_t blocks = self->dir_size;
    for (size_t index = 1; index <= blocks; index++)
        self->fenwick [index] = self->dir [index - 1].block->count;
    for (size_t index = 1; index <= blocks; index++) {
        size_t parent = index + (index & -index);
        if (parent <= blocks)
            self->fenwick [parent] += self->fenwick [index];
    }
    self->fenwick_top = 0;
    if (blocks) {
        self->fenwick_top = 1;
        while (self->fenwick_top * 2 <= blocks)
            self->fenwick_top *= 2;
    }
}

static void
s_fenwick_add (bb_rank_t *self, size_t block, int64_t delta)
{
    for (size_t index = block + 1; index <= self->dir_size;
         index += index & -index)
        self->fenwick [index] += (uint64_t) delta;
}

//  Entries in the blocks before block.
static uint64_t
s_fenwick_prefix (bb_rank_t *self, size_t block)
{
    uint64_t total = 0;
    for (size_t index = block; index > 0; index -= index & -index)
        total += self->fenwick [index];
    return total;
}

//  The block holding offset (< size) and the offset within it.
static size_t
s_fenwick_find (bb_rank_t *self, uint64_t offset, uint32_t *index_p)
{
    size_t block = 0;
    for (size_t step = self->fenwick_top; step; step /= 2) {
        if (block + step <= self->dir_size
        &&  self->fenwick [block + step] <= offset) {
            block += step;
            offset -= self->fenwick [block];
        }
    }
    *index_p = (uint32_t) offset;
    return block;
}


//  ---------------------------------------------------------------------------
//  Directory and blocks

//  The first block whose last key is not before the key, or dir_size.
static size_t
s_dir_find (bb_rank_t *self, int64_t score, const char *addr)
{
    size_t low = 0;
    size_t high = self->dir_size;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        const dir_t *entry = &self->dir [mid];
        if (s_key_less (entry->max_score, entry->max_addr, score, addr))
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}

//  The first entry of block not before the key, or its count.
static uint32_t
s_block_find (const block_t *block, int64_t score, const char *addr)
{
    uint32_t low = 0;
    uint32_t high = block->count;
    while (low < high) {
        uint32_t mid = (low + high) / 2;
        if (s_key_less (block->score [mid], block->addr [mid], score, addr))
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}

//  Copy count entries of block from index on to the end of target.
static void
s_block_append (block_t *target, const block_t *block, uint32_t index,
                uint32_t count)
{
    memcpy (target->score + target->count, block->score + index,
            count * sizeof (int64_t));
    memcpy (target->addr + target->count, block->addr + index,
            count * sizeof (const char *));
    target->count += count;
}

//  Set dir[block]'s last key from its block (count > 0).
static void
s_dir_refresh (bb_rank_t *self, size_t block)
{
    dir_t *entry = &self->dir [block];
    entry->max_score = entry->block->score [entry->block->count - 1];
    entry->max_addr = entry->block->addr [entry->block->count - 1];
}

//  Insert a new empty block into the directory at position; returns it.
static block_t *
s_dir_insert (bb_rank_t *self, size_t position)
{
    if (self->dir_size == self->dir_cap) {
        self->dir_cap = self->dir_cap? self->dir_cap * 2: 16;
        self->dir = realloc (self->dir, self->dir_cap * sizeof (dir_t));
        self->fenwick = realloc (self->fenwick,
                                 (self->dir_cap + 1) * sizeof (uint64_t));
        assert (self->dir && self->fenwick);
    }
    memmove (self->dir + position + 1, self->dir + position,
             (self->dir_size - position) * sizeof (dir_t));
    self->dir_size++;
    block_t *block = malloc (sizeof (block_t));
    assert (block);
    block->count = 0;
    self->dir [position].block = block;
    return block;
}

//  Free the block at position and close the gap.
static void
s_dir_delete (bb_rank_t *self, size_t position)
{
    free (self->dir [position].block);
    self->dir_size--;
    memmove (self->dir + position, self->dir + position + 1,
             (self->dir_size - position) * sizeof (dir_t));
}

//  Move the upper half of the full block into a new block after it.
static void
s_block_split (bb_rank_t *self, size_t position)
{
    block_t *upper = s_dir_insert (self, position + 1);
    block_t *lower = self->dir [position].block;
    uint32_t keep = lower->count / 2;
    s_block_append (upper, lower, keep, lower->count - keep);
    lower->count = keep;
    s_dir_refresh (self, position);
    s_dir_refresh (self, position + 1);
}

//  Append the block after position to it and drop the emptied one.
static void
s_block_merge (bb_rank_t *self, size_t position)
{
    const block_t *next = self->dir [position + 1].block;
    s_block_append (self->dir [position].block, next, 0, next->count);
    s_dir_delete (self, position + 1);
    s_dir_refresh (self, position);
}

static uint32_t
s_block_count (bb_rank_t *self, size_t position)
{
    return self->dir [position].block->count;
}

//  Insert the entry for a key not in the ranking.
static void
s_entry_insert (bb_rank_t *self, int64_t score, const char *addr)
{
    size_t position = 0;
    if (self->dir_size == 0) {
        s_dir_insert (self, 0);
        s_fenwick_build (self);
    }
    else {
        position = s_dir_find (self, score, addr);
        if (position == self->dir_size)
            position--;         // after every key: the last block
    }
    block_t *block = self->dir [position].block;
    uint32_t index = s_block_find (block, score, addr);
    memmove (block->score + index + 1, block->score + index,
             (block->count - index) * sizeof (int64_t));
    memmove (block->addr + index + 1, block->addr + index,
             (block->count - index) * sizeof (const char *));
    block->score [index] = score;
    block->addr [index] = addr;
    block->count++;
    s_dir_refresh (self, position);
    if (block->count == BLOCK_CAP) {
        s_block_split (self, position);
        s_fenwick_build (self);
    }
    else
        s_fenwick_add (self, position, 1);
    self->size++;
    self->sum += score;
}

//  Remove the entry of a key in the ranking (addr is the node's pointer).
static void
s_entry_remove (bb_rank_t *self, int64_t score, const char *addr)
{
    size_t position = s_dir_find (self, score, addr);
    assert (position < self->dir_size);
    block_t *block = self->dir [position].block;
    uint32_t index = s_block_find (block, score, addr);
    assert (index < block->count && block->addr [index] == addr);
    block->count--;
    memmove (block->score + index, block->score + index + 1,
             (block->count - index) * sizeof (int64_t));
    memmove (block->addr + index, block->addr + index + 1,
             (block->count - index) * sizeof (const char *));
    self->size--;
    self->sum -= score;

    bool reshaped = false;
    if (block->count == 0) {
        s_dir_delete (self, position);
        reshaped = true;
    }
    else {
        s_dir_refresh (self, position);
        if (position + 1 < self->dir_size
        &&  block->count + s_block_count (self, position + 1)
            <= BLOCK_MERGE) {
            s_block_merge (self, position);
            reshaped = true;
        }
        if (position > 0
        &&  block->count + s_block_count (self, position - 1)
            <= BLOCK_MERGE) {
            s_block_merge (self, position - 1);
            reshaped = true;
        }
    }
    if (reshaped)
        s_fenwick_build (self);
    else
        s_fenwick_add (self, position, -1);
}

//  Where the key of node is in the ranking: block position and *index_p.
static size_t
s_entry_locate (bb_rank_t *self, uint32_t node, uint32_t *index_p)
{
    int64_t score = *s_node_score (self, node);
    const char *addr = s_node_addr (self, node);
    size_t position = s_dir_find (self, score, addr);
    assert (position < self->dir_size);
    const block_t *block = self->dir [position].block;
    *index_p = s_block_find (block, score, addr);
    assert (*index_p < block->count && block->addr [*index_p] == addr);
    return position;
}

//  Free every node, block and the hash table: the index is empty and
//  has no hash table until s_hash_reserve makes one.
static void
s_clear (bb_rank_t *self)
{
    for (size_t chunk = 0; chunk < self->chunks_size; chunk++)
        free (self->chunks [chunk]);
    self->chunks_size = 0;
    self->nodes_used = 0;
    self->free_node = NODE_NONE;
    for (size_t position = 0; position < self->dir_size; position++)
        free (self->dir [position].block);
    self->dir_size = 0;
    self->fenwick_top = 0;
    free (self->slots);
    self->slots = NULL;
    self->size = 0;
    self->sum = 0;
    self->cursor.on = false;
}


//  ---------------------------------------------------------------------------
//  Create an empty index

bb_rank_t *
bb_rank_new (void)
{
    bb_rank_t *self = calloc (1, sizeof (bb_rank_t));
    assert (self);
    s_clear (self);
    s_hash_reserve (self, 0);
    return self;
}


//  ---------------------------------------------------------------------------
//  Destroy the index

void
bb_rank_destroy (bb_rank_t **self_p)
{
    assert (self_p);
    bb_rank_t *self = *self_p;
    if (!self)
        return;
    s_clear (self);
    free (self->chunks);
    free (self->dir);
    free (self->fenwick);
    free (self);
    *self_p = NULL;
}


//  ---------------------------------------------------------------------------
//  Insert address with score, or move it

int
bb_rank_set (bb_rank_t *self, const char *address, int64_t score)
{
    assert (self);
    if (!s_address_valid (address))
        return -1;
    self->cursor.on = false;
    uint32_t hash = s_hash (address);
    uint32_t node = s_hash_find (self, address, hash, NULL);
    if (node == NODE_NONE) {
        s_hash_reserve (self, self->size + 1);
        node = s_node_new (self, address, score);
        s_hash_put (self, node, hash);
        s_entry_insert (self, score, s_node_addr (self, node));
    }
    else {
        int64_t *current = s_node_score (self, node);
        if (*current != score) {
            const char *addr = s_node_addr (self, node);
            s_entry_remove (self, *current, addr);
            *current = score;
            s_entry_insert (self, score, addr);
        }
    }
    return 0;
}


//  ---------------------------------------------------------------------------
//  Take address out

int
bb_rank_remove (bb_rank_t *self, const char *address)
{
    assert (self);
    if (!s_address_valid (address))
        return -1;
    size_t slot;
    uint32_t node = s_hash_find (self, address, s_hash (address), &slot);
    if (node == NODE_NONE)
        return -1;
    self->cursor.on = false;
    s_entry_remove (self, *s_node_score (self, node),
                    s_node_addr (self, node));
    s_hash_delete (self, slot);
    s_node_free (self, node);
    return 0;
}


//  ---------------------------------------------------------------------------
//  True if address is in; its score in *score

bool
bb_rank_lookup (bb_rank_t *self, const char *address, int64_t *score)
{
    assert (self);
    if (!s_address_valid (address))
        return false;
    uint32_t node = s_hash_find (self, address, s_hash (address), NULL);
    if (node == NODE_NONE)
        return false;
    if (score)
        *score = *s_node_score (self, node);
    return true;
}


//  ---------------------------------------------------------------------------
//  1-based rank of address, or 0

uint64_t
bb_rank_rank (bb_rank_t *self, const char *address, int64_t *score)
{
    assert (self);
    if (!s_address_valid (address))
        return 0;
    uint32_t node = s_hash_find (self, address, s_hash (address), NULL);
    if (node == NODE_NONE)
        return 0;
    uint32_t index;
    size_t position = s_entry_locate (self, node, &index);
    if (score)
        *score = *s_node_score (self, node);
    return s_fenwick_prefix (self, position) + index + 1;
}


//  ---------------------------------------------------------------------------
//  Position a cursor of the caller's at offset

const char *
bb_rank_cursor_seek (bb_rank_t *self, bb_rank_cursor_t *cursor,
                     uint64_t offset, int64_t *score)
{
    assert (self && cursor);
    cursor->on = offset < self->size;
    if (!cursor->on)
        return NULL;
    cursor->block = s_fenwick_find (self, offset, &cursor->index);
    const block_t *block = self->dir [cursor->block].block;
    if (score)
        *score = block->score [cursor->index];
    return block->addr [cursor->index];
}


//  ---------------------------------------------------------------------------
//  Advance a cursor of the caller's

const char *
bb_rank_cursor_next (bb_rank_t *self, bb_rank_cursor_t *cursor,
                     int64_t *score)
{
    assert (self && cursor);
    if (!cursor->on)
        return NULL;
    const block_t *block = self->dir [cursor->block].block;
    if (++cursor->index == block->count) {
        cursor->index = 0;
        if (++cursor->block == self->dir_size) {
            cursor->on = false;
            return NULL;
        }
        block = self->dir [cursor->block].block;
    }
    if (score)
        *score = block->score [cursor->index];
    return block->addr [cursor->index];
}


//  ---------------------------------------------------------------------------
//  Position the index's own cursor at offset

const char *
bb_rank_seek (bb_rank_t *self, uint64_t offset, int64_t *score)
{
    assert (self);
    return bb_rank_cursor_seek (self, &self->cursor, offset, score);
}


//  ---------------------------------------------------------------------------
//  Advance the index's own cursor

const char *
bb_rank_next (bb_rank_t *self, int64_t *score)
{
    assert (self);
    return bb_rank_cursor_next (self, &self->cursor, score);
}


//  ---------------------------------------------------------------------------
//  Number of addresses

uint64_t
bb_rank_size (bb_rank_t *self)
{
    assert (self);
    return self->size;
}


//  ---------------------------------------------------------------------------
//  Sum of all scores, saturated

int64_t
bb_rank_sum (bb_rank_t *self)
{
    assert (self);
    if (self->sum > INT64_MAX)
        return INT64_MAX;
    if (self->sum < INT64_MIN)
        return INT64_MIN;
    return (int64_t) self->sum;
}


//  ---------------------------------------------------------------------------
//  Replace the whole content with entries

int
bb_rank_rebuild (bb_rank_t *self, const bb_rank_entry_t *entries,
                 size_t count)
{
    assert (self);
    assert (entries || count == 0);
    for (size_t entry = 0; entry < count; entry++)
        if (!s_address_valid (entries [entry].address))
            return -1;

    //  Intern every address; a repeated one keeps the last score.
    s_clear (self);
    s_hash_reserve (self, count);
    if (count == 0)
        return 0;
    //  Hashing first lets the loop prefetch the slots it will probe: the
    //  table is far bigger than the caches and a miss per entry was half
    //  of the rebuild time.
    uint32_t *hashes = malloc (count * sizeof (uint32_t));
    assert (hashes);
    for (size_t entry = 0; entry < count; entry++)
        hashes [entry] = s_hash (entries [entry].address);
    for (size_t entry = 0; entry < count; entry++) {
        if (entry + PREFETCH_AHEAD < count)
            __builtin_prefetch (&self->slots [hashes [entry + PREFETCH_AHEAD]
                                              & self->slot_mask]);
        const char *address = entries [entry].address;
        uint32_t hash = hashes [entry];
        uint32_t node = s_hash_find (self, address, hash, NULL);
        if (node == NODE_NONE) {
            node = s_node_new (self, address, entries [entry].score);
            s_hash_put (self, node, hash);
        }
        else
            *s_node_score (self, node) = entries [entry].score;
    }
    free (hashes);
    //  Sort the nodes (all live: the table was empty) and pack them into
    //  blocks of BUILD_FILL entries.
    size_t nodes = self->nodes_used;
    item_t *items = malloc (2 * nodes * sizeof (item_t));
    assert (items);
    for (uint32_t node = 0; node < nodes; node++) {
        items [node].score = *s_node_score (self, node);
        items [node].addr = s_node_addr (self, node);
        items [node].prefix = s_prefix (items [node].addr);
    }
    const item_t *sorted = s_sort (items, items + nodes, nodes);
    for (size_t start = 0; start < nodes; start += BUILD_FILL) {
        block_t *block = s_dir_insert (self, self->dir_size);
        size_t end = s_min (start + BUILD_FILL, nodes);
        for (size_t item = start; item < end; item++) {
            block->score [block->count] = sorted [item].score;
            block->addr [block->count] = sorted [item].addr;
            block->count++;
            self->sum += sorted [item].score;
        }
        s_dir_refresh (self, self->dir_size - 1);
    }
    free (items);
    self->size = nodes;
    s_fenwick_build (self);
    return 0;
}
