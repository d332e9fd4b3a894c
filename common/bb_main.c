/*  =========================================================================
    bb_main - the one main of every balboard daemon
    =========================================================================
*/
#include "bb_main.h"
#include "bb_log.h"
#include "bb_signal.h"

#include <assert.h>

int
bb_main (const bb_program_t *program, int argc, char **argv)
{
    assert (program && program->health && program->run);
    bb_log_init (program->name, BB_LOG_INFO);
    int rc;
    bb_config_t *config = bb_config_start (program, argc, argv, &rc);
    if (!config)
        return rc;
    if (bb_config_bool (config, "health"))
        rc = program->health (config);
    else {
        bb_config_log (config);
        bb_signal_init ();
        rc = program->run (config);
    }
    bb_config_destroy (&config);
    return rc;
}
