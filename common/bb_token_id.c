/*  =========================================================================
    bb_token_id - the token ids every process speaks, and their parts
    =========================================================================
*/
#include "bb_token_id.h"

#include <stdbool.h>
#include <string.h>

#define ASSET_NAME_MAX  128

bb_token_kind_t
bb_token_id_kind (const char *token_id)
{
    if (strcmp (token_id, BB_TOKEN_ID_BTC) == 0)
        return BB_TOKEN_KIND_BTC;
    if (strcmp (token_id, BB_TOKEN_ID_STX) == 0)
        return BB_TOKEN_KIND_STX;
    if (strcmp (token_id, BB_TOKEN_ID_SBTC) == 0)
        return BB_TOKEN_KIND_SBTC;
    return BB_TOKEN_KIND_FT;
}

int
bb_token_id_fixed (const char *token_id, const char **symbol,
                   unsigned *decimals)
{
    switch (bb_token_id_kind (token_id)) {
        case BB_TOKEN_KIND_BTC:
            *symbol = "BTC";
            *decimals = BB_TOKEN_DECIMALS_BTC;
            return 0;
        case BB_TOKEN_KIND_STX:
            *symbol = "STX";
            *decimals = BB_TOKEN_DECIMALS_STX;
            return 0;
        case BB_TOKEN_KIND_SBTC:
            *symbol = "sBTC";
            *decimals = BB_TOKEN_DECIMALS_SBTC;
            return 0;
        default:
            return -1;
    }
}

char *
bb_token_id_contract (const char *token_id, char *buf, size_t size)
{
    const char *separator = strstr (token_id, BB_TOKEN_ID_SEPARATOR);
    size_t length = separator ? (size_t) (separator - token_id) : 0;
    if (length >= size)
        length = size ? size - 1 : 0;
    if (size) {
        memcpy (buf, token_id, length);
        buf [length] = '\0';
    }
    return buf;
}

const char *
bb_token_id_asset_name (const char *token_id)
{
    const char *separator = strstr (token_id, BB_TOKEN_ID_SEPARATOR);
    return separator ? separator + strlen (BB_TOKEN_ID_SEPARATOR) : token_id;
}

static bool
s_asset_name_ok (const char *name)
{
    size_t length = strlen (name);
    if (length == 0 || length > ASSET_NAME_MAX)
        return false;
    if (!((name [0] >= 'a' && name [0] <= 'z')
       || (name [0] >= 'A' && name [0] <= 'Z')))
        return false;
    for (size_t i = 1; i < length; i++)
        if (name [i] <= ' ' || name [i] > '~' || name [i] == ':')
            return false;
    return true;
}

int
bb_token_id_check_ft (const char *token_id, bb_network_t network,
                      const char **reason)
{
    const char *separator = strstr (token_id, BB_TOKEN_ID_SEPARATOR);
    char contract [BB_TOKEN_ID_SIZE];
    const char *why;
    if (strlen (token_id) >= BB_TOKEN_ID_SIZE)
        *reason = "token id too long";
    else
    if (!separator)
        *reason = "token id is not contract::asset";
    else
    if (bb_address_check_contract (bb_token_id_contract (
            token_id, contract, sizeof contract), network, &why))
        *reason = "token id has an invalid contract";
    else
    if (!s_asset_name_ok (separator + strlen (BB_TOKEN_ID_SEPARATOR)))
        *reason = "token id has an invalid asset name";
    else
        return 0;
    return -1;
}
