/*  =========================================================================
    bb_main - the one main of every balboard daemon

    Owns the start and end every long-running binary shares: structured
    logging under the binary's name, the config (--help, --version and a
    bad flag end here, with exit 0 or 64), then either --health (the
    program's check of a running instance, 0 healthy or 1) or the config
    event in the log, the SIGINT/SIGTERM handlers (installed before any
    thread) and the program's run; the config is freed after either. A binary's main is one
    call: return bb_main (&s_program, argc, argv).
    =========================================================================
*/
#ifndef BB_MAIN_H_INCLUDED
#define BB_MAIN_H_INCLUDED

#include "bb_config.h"

//  Run program (its health and run must be set, and its options hold
//  BB_OPTION_HEALTH) with argv. Returns the exit code: health's or run's,
//  or 0 after --help/--version, or 64 (EX_USAGE) on a bad flag.
int bb_main (const bb_program_t *program, int argc, char **argv);

#endif
