/*  =========================================================================
    bb_version - what build this is, and what it runs with
    =========================================================================
*/
#include "bb_version.h"
#include "bb_build_version.h"
#include "bb_wire.h"

#include <czmq.h>

const char *
bb_version (void)
{
    return BB_BUILD_VERSION;
}

char *
bb_version_text (char *text)
{
    snprintf (text, BB_VERSION_TEXT_SIZE, "%s (%s)", BB_BUILD_VERSION,
              BB_BUILD_DESCRIBE);
    return text;
}

void
bb_version_print (FILE *out, const char *program,
                  const bb_library_t *libraries, size_t count)
{
    char text [BB_VERSION_TEXT_SIZE];
    int major, minor, patch;
    fprintf (out, "%s %s\nprotocol %d\n", program, bb_version_text (text),
             BB_PROTOCOL_VERSION);
    zmq_version (&major, &minor, &patch);
    fprintf (out, "libzmq %d.%d.%d\n", major, minor, patch);
    zsys_version (&major, &minor, &patch);
    fprintf (out, "czmq %d.%d.%d\n", major, minor, patch);
    for (size_t i = 0; i < count; i++)
        fprintf (out, "%s %s\n", libraries [i].name,
                 libraries [i].version ());
}
