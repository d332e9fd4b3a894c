/*  =========================================================================
    bb_sync_outcome - the label of a registry sync's outcome

    See bb_sync_outcome.h.
    =========================================================================
*/
#include "bb_sync_outcome.h"

const char *
bb_sync_outcome_label (Balboard__SyncOutcome outcome)
{
    switch (outcome) {
        case BALBOARD__SYNC_OUTCOME__SYNC_APPLIED:   return "applied";
        case BALBOARD__SYNC_OUTCOME__SYNC_PARTIAL:   return "partial";
        case BALBOARD__SYNC_OUTCOME__SYNC_HELD:      return "held";
        case BALBOARD__SYNC_OUTCOME__SYNC_DUPLICATE: return "duplicate";
        case BALBOARD__SYNC_OUTCOME__SYNC_FAILED:    return "failed";
        case BALBOARD__SYNC_OUTCOME__SYNC_PART_KEPT: return "kept";
        default:                                     return "none";
    }
}
