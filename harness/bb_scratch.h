/*  =========================================================================
    bb_scratch - a directory of throwaway data, removed whole or made
    again empty

    Where a test's store, a scheduler's state or a benchmark's database
    writes its files: each run starts from nothing, whatever an earlier
    run left behind. Stateless.
    =========================================================================
*/
#ifndef BB_SCRATCH_H_INCLUDED
#define BB_SCRATCH_H_INCLUDED

//  Remove path with everything under it (a path that does not exist is
//  removed already). Returns 0, or -1 if it could not.
int bb_scratch_remove (const char *path);

//  Remove path as bb_scratch_remove does, then make it again, empty, with
//  any parent it lacks. Returns 0, or -1 if it could not.
int bb_scratch_reset (const char *path);

#endif
