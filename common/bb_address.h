/*  =========================================================================
    bb_address - validation of Stacks and Bitcoin addresses

    Every address is checked here before it is stored or put in a URL.
    Stacks: c32check (S + version char + c32(hash160 || checksum)), strict:
    uppercase only, checksum verified, re-encoding must equal the input.
    Bitcoin: base58check P2PKH/P2SH, BIP-173 bech32 (witness v0) and BIP-350
    bech32m (witness v1..16), lowercase or uppercase but not mixed.
    Validation is pure: no allocation, no I/O, thread-safe.
    =========================================================================
*/
#ifndef BB_ADDRESS_H_INCLUDED
#define BB_ADDRESS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    BB_NETWORK_MAINNET,     // SP/SM; 1.., 3.., bc1..
    BB_NETWORK_TESTNET,     // ST/SN; m../n.., 2.., tb1..
} bb_network_t;

//  Parse a network name ("mainnet" or "testnet", the BALBOARD_NETWORK
//  values) into *network. Returns 0, or -1 for any other name.
int bb_address_network_parse (const char *name, bb_network_t *network);

//  Longest address we accept, in characters (bech32's limit is 90).
#define BB_ADDRESS_MAX_LEN 90

//  Check a Stacks standard principal (no ".contract" part) for network.
//  Returns 0 if valid, else -1 and *reason (static string) says why.
int bb_address_check_stx (const char *address, bb_network_t network,
                          const char **reason);

//  Check a Bitcoin address for network. Returns 0 or -1 with *reason.
int bb_address_check_btc (const char *address, bb_network_t network,
                          const char **reason);

//  Check a Stacks contract principal "SP….name" (name per Clarity:
//  ^[a-zA-Z]([a-zA-Z0-9]|[-_]){0,39}$). Returns 0 or -1 with *reason.
int bb_address_check_contract (const char *contract, bb_network_t network,
                               const char **reason);

//  Versions of Stacks standard principals (the second character).
#define BB_STX_VERSION_MAINNET_SINGLESIG 22   // 'P'
#define BB_STX_VERSION_MAINNET_MULTISIG  20   // 'M'
#define BB_STX_VERSION_TESTNET_SINGLESIG 26   // 'T'
#define BB_STX_VERSION_TESTNET_MULTISIG  21   // 'N'

//  Encode a Stacks address from version and hash160 into buf (size bytes,
//  at least 42). Returns 0, or -1 if version > 31 or buf is too small.
int bb_address_make_stx (unsigned version, const unsigned char hash160[20],
                         char *buf, size_t size);

//  Encode a segwit address (bech32 for witness_version 0, bech32m for 1..16)
//  with human-readable part hrp ("bc", "tb") into buf (at least 91 bytes).
//  Returns 0, or -1 on a bad program length or a small buf.
int bb_address_make_segwit (const char *hrp, int witness_version,
                            const unsigned char *program, size_t program_len,
                            char *buf, size_t size);

#endif
