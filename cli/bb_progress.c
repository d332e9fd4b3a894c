/*  =========================================================================
    bb_progress - a progress bar for long CLI operations on a terminal

    Owns the label and whether drawing is on (decided once, at creation).
    =========================================================================
*/
#include "bb_progress.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BB_PROGRESS_WIDTH 40

struct _bb_progress_t {
    const char *label;      // borrowed, outlives the bar
    size_t total;
    bool drawing;           // stderr is a terminal and total is large
};

bb_progress_t *
bb_progress_new (const char *label, size_t total)
{
    bb_progress_t *self = calloc (1, sizeof *self);
    assert (self);
    self->label = label;
    self->total = total;
    self->drawing = total >= BB_PROGRESS_MIN_TOTAL && isatty (STDERR_FILENO);
    return self;
}

void
bb_progress_destroy (bb_progress_t **self_p)
{
    assert (self_p);
    bb_progress_t *self = *self_p;
    if (!self)
        return;
    if (self->drawing)
        fputc ('\n', stderr);
    free (self);
    *self_p = NULL;
}

void
bb_progress_update (bb_progress_t *self, size_t done)
{
    if (!self->drawing)
        return;
    size_t filled = self->total ? done * BB_PROGRESS_WIDTH / self->total : 0;
    char bar [BB_PROGRESS_WIDTH + 1];
    for (size_t i = 0; i < BB_PROGRESS_WIDTH; i++)
        bar [i] = i < filled ? '#' : '.';
    bar [BB_PROGRESS_WIDTH] = '\0';
    fprintf (stderr, "\r%s [%s] %zu/%zu", self->label, bar, done, self->total);
    fflush (stderr);
}
