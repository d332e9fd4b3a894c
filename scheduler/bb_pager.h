/*  =========================================================================
    bb_pager - the scheduler's requests for agents pages to the store

    Owns the DEALER to the store's query socket and the one agents page
    request that may be outstanding on it: its id, when it went, the
    chunk size it asked for, and when it gives up. A reply counts only if
    it answers that request and every agent in it can go in a job and the
    cursor; anything else is logged and dropped, and the request is over
    (the next one goes at the next chance, not at once: no hot loop). One
    request at a time is what makes the cursor move one chunk at a time.
    The scheduler actor's thread.
    =========================================================================
*/
#ifndef BB_PAGER_H_INCLUDED
#define BB_PAGER_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include <czmq.h>

#include "bb_wire.h"

typedef struct _bb_pager_t bb_pager_t;

//  Connect to the store's query socket at endpoint; a request gives up
//  after timeout_ms. Returns NULL if the socket cannot be made.
bb_pager_t *bb_pager_new (const char *endpoint, uint64_t timeout_ms);

//  Close the socket and set *self_p to NULL. NULL-safe.
void bb_pager_destroy (bb_pager_t **self_p);

//  The socket, for the caller's poller; owned by the pager.
zsock_t *bb_pager_socket (bb_pager_t *self);

//  True while a request is outstanding.
bool bb_pager_waiting (bb_pager_t *self);

//  Ask at now_ms for up to limit agents after the stx address after (""
//  = from the first) and one more, to see whether more follow. Logged if
//  it cannot go.
void bb_pager_request (bb_pager_t *self, const char *after, uint32_t limit,
                       uint64_t now_ms);

//  Read one reply into msg (the caller resets it). Returns the page if it
//  is the valid answer to the request outstanding, with the limit asked
//  for in *limit; the page lives in msg. NULL otherwise.
const Balboard__AgentsPage *bb_pager_recv (bb_pager_t *self,
                                           bb_wire_msg_t *msg,
                                           uint32_t *limit);

//  Keep the page msg holds (bb_pager_recv's last answer) for a later
//  bb_pager_kept, in place of any page kept; msg is left empty.
void bb_pager_keep (bb_pager_t *self, bb_wire_msg_t *msg);

//  The page kept if it answers a request after the cursor after, else
//  NULL (and a page kept for another cursor is dropped). *limit, the
//  agents the chunk may take, is lowered to what the page was asked for.
//  The page lives in the pager until bb_pager_drop or the next keep.
const Balboard__AgentsPage *bb_pager_kept (bb_pager_t *self,
                                           const char *after,
                                           uint32_t *limit);

//  Drop the page kept, if any (the registry changed, a pause).
void bb_pager_drop (bb_pager_t *self);

//  Give the request up if it went more than the timeout before now_ms
//  (logged).
void bb_pager_expire (bb_pager_t *self, uint64_t now_ms);

#endif
