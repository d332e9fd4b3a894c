/*  =========================================================================
    fuzz_import - the agent-list parser (bb_agent_list, shared by the
    CLI's import and the registry sync) through the CLI's import:
    registry JSON, array, NDJSON

    An operator imports a file or a registry's answer that nobody
    checked. bb_import_read takes a path, so each input is written to a
    memory file (memfd) and read through /proc/self/fd, the way the CLI
    reads a file. Whatever the input, the read returns 0 or -1 with an
    error; each agent kept has valid addresses and a level of 0..2, and
    each rejection a reason.
    =========================================================================
*/
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_target.h"
#include "bb_import.h"

#define IMPORT_TIMEOUT_MS   1000
#define LEVEL_MAX           2

//  A memory file holding data, or -1.
static int
s_memory_file (const uint8_t *data, size_t size)
{
    int fd = memfd_create ("fuzz_import", 0);
    FUZZ_CHECK (fd >= 0);
    size_t written = 0;
    while (written < size) {
        ssize_t rc = write (fd, data + written, size - written);
        FUZZ_CHECK (rc > 0);
        written += (size_t) rc;
    }
    return fd;
}

static void
s_check_import (bb_import_t *import, bb_network_t network)
{
    Balboard__Agent **agents = bb_import_agents (import);
    for (size_t i = 0; i < bb_import_count (import); i++) {
        const char *reason = NULL;
        FUZZ_CHECK (bb_address_check_stx (agents [i]->stx_address, network,
                                          &reason) == 0);
        FUZZ_CHECK (bb_address_check_btc (agents [i]->btc_address, network,
                                          &reason) == 0);
        FUZZ_CHECK (agents [i]->level <= LEVEL_MAX);
    }
    for (size_t i = 0; i < bb_import_rejected_count (import); i++) {
        const bb_import_rejection_t *rejection =
            bb_import_rejection (import, i);
        FUZZ_CHECK (rejection->reason && rejection->reason [0]);
        FUZZ_CHECK (rejection->stx_address);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    int fd = s_memory_file (data, size);
    char path [64];
    snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
    bb_import_t *import =
        bb_import_new (BB_NETWORK_MAINNET,
                       BALBOARD__AGENT_OWNER__AGENT_OWNER_MANUAL);
    int rc = bb_import_read (import, path, IMPORT_TIMEOUT_MS);
    FUZZ_CHECK (rc == 0 || rc == -1);
    if (rc)
        FUZZ_CHECK (bb_import_error (import) [0]);
    s_check_import (import, BB_NETWORK_MAINNET);
    bb_import_destroy (&import);
    close (fd);
    return 0;
}
