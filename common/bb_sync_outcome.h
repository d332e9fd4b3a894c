/*  =========================================================================
    bb_sync_outcome - the label of a registry sync's outcome

    One owner for the words status, stats, their JSON and /metrics show
    for a SyncOutcome (docs/registry.md): "applied", "partial", "held",
    "duplicate", "failed", "kept" (a part kept) and "none" (unset or
    unknown). Pure, thread-safe.
    =========================================================================
*/
#ifndef BB_SYNC_OUTCOME_H_INCLUDED
#define BB_SYNC_OUTCOME_H_INCLUDED

#include "balboard.pb-c.h"

//  The label of outcome; a static string.
const char *bb_sync_outcome_label (Balboard__SyncOutcome outcome);

#endif
