/*  =========================================================================
    bb_progress - a progress bar for long CLI operations on a terminal

    Draws "label [#####.....] done/total" on stderr, redrawn in place, only
    when stderr is a terminal and the total is large enough to be worth it;
    otherwise every call is a no-op, so scripts and tests see clean output.
    =========================================================================
*/
#ifndef BB_PROGRESS_H_INCLUDED
#define BB_PROGRESS_H_INCLUDED

#include <stddef.h>

//  Totals below this draw no bar.
#define BB_PROGRESS_MIN_TOTAL 1000

typedef struct _bb_progress_t bb_progress_t;

bb_progress_t *bb_progress_new (const char *label, size_t total);
void bb_progress_destroy (bb_progress_t **self_p);

//  Set the amount done and redraw.
void bb_progress_update (bb_progress_t *self, size_t done);

#endif
