/*  =========================================================================
    fuzz_address - the STX, BTC and contract address validators

    Every address from an import, a registry, a URL path or an upstream
    passes bb_address before it is stored or put in a URL. For any
    string, each check returns 0 or -1 with a reason, on both networks;
    what passes is short enough for a URL and holds no character that
    could change a URL's meaning. A valid STX address also passes as the
    principal of a contract ("<address>.token").
    =========================================================================
*/
#include <string.h>

#include "fuzz_target.h"
#include "bb_address.h"

#define CONTRACT_SIZE (BB_ADDRESS_MAX_LEN + 16)

//  A valid address is printable ASCII without URL delimiters.
static void
s_check_url_safe (const char *address)
{
    FUZZ_CHECK (strlen (address) <= BB_ADDRESS_MAX_LEN);
    for (const char *c = address; *c; c++)
        FUZZ_CHECK (*c > ' ' && *c < 0x7f && !strchr ("/?#%&=", *c));
}

static void
s_check_network (const char *text, bb_network_t network)
{
    const char *reason = NULL;
    if (bb_address_check_stx (text, network, &reason) == 0) {
        s_check_url_safe (text);
        char contract [CONTRACT_SIZE];
        snprintf (contract, sizeof contract, "%s.token", text);
        reason = NULL;
        int rc = bb_address_check_contract (contract, network, &reason);
        if (rc)
            fprintf (stderr, "fuzz_address: %s refused: %s\n", contract,
                     reason);
        FUZZ_CHECK (rc == 0);
    }
    else
        FUZZ_CHECK (reason && reason [0]);

    reason = NULL;
    if (bb_address_check_btc (text, network, &reason) == 0)
        s_check_url_safe (text);
    else
        FUZZ_CHECK (reason && reason [0]);

    reason = NULL;
    if (bb_address_check_contract (text, network, &reason) == 0)
        FUZZ_CHECK (!strchr (text, '/') && !strchr (text, '?'));
    else
        FUZZ_CHECK (reason && reason [0]);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *text = fuzz_target_string (data, size);
    s_check_network (text, BB_NETWORK_MAINNET);
    s_check_network (text, BB_NETWORK_TESTNET);
    bb_network_t network;
    int rc = bb_address_network_parse (text, &network);
    FUZZ_CHECK (rc == 0 || rc == -1);
    free (text);
    return 0;
}
