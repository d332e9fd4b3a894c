/*  =========================================================================
    bb_signal - graceful shutdown on SIGINT and SIGTERM

    Installs CZMQ's interrupt handler, which sets zsys_interrupted: zloop
    and zpoller return on it, so every reactor ends its loop and the process
    unwinds through its destructors. SIGPIPE is ignored (a closed peer is an
    error value, not a death). Call once from main before any thread starts.
    =========================================================================
*/
#ifndef BB_SIGNAL_H_INCLUDED
#define BB_SIGNAL_H_INCLUDED

#include <stdbool.h>

void bb_signal_init (void);

//  True once SIGINT or SIGTERM arrived.
bool bb_signal_stopping (void);

#endif
