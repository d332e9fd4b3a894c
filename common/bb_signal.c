/*  =========================================================================
    bb_signal - graceful shutdown on SIGINT and SIGTERM

    Owns nothing but the process's signal dispositions; the flag itself is
    CZMQ's zsys_interrupted, which zloop and zpoller already honour.
    =========================================================================
*/
#include "bb_signal.h"

#include <czmq.h>
#include <signal.h>

void
bb_signal_init (void)
{
    zsys_init ();
    zsys_catch_interrupts ();
    signal (SIGPIPE, SIG_IGN);
}

bool
bb_signal_stopping (void)
{
    return zsys_interrupted != 0;
}
