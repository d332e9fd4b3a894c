/*  =========================================================================
    bb_address - validation of Stacks and Bitcoin addresses

    Owns the three address encodings balboard accepts, and nothing else
    decides whether an address is well-formed. The store checks every
    address before it is stored (import, batches), and the fetcher checks
    each job's addresses again before it puts one in a URL (a job comes
    over the wire, so it is outside input too).

    Stacks c32check is a port of stacks-core's c32.rs (c32_encode,
    c32_decode_ascii, c32_check_encode/decode), itself equivalent to the
    c32check npm package, minus the homoglyph normalisation: we accept only
    the canonical uppercase form, and require that re-encoding the decoded
    version and hash160 gives back the input exactly. Bitcoin base58check
    follows Bitcoin Core's DecodeBase58Check; bech32/bech32m follow sipa's
    reference segwit_addr.c (BIP-173, BIP-350).

    Every check decodes fully and verifies the checksum before it looks at
    the network, so "wrong network" is only said of an otherwise valid
    address. Checks and encoders never allocate and keep no state.
    =========================================================================
*/
//  The one-shot SHA256 () of OpenSSL 3 fetches the digest from a provider
//  and allocates a context on every call, several times the cost of the
//  hash of one block; the low-level calls hash in place. OpenSSL 3
//  deprecates them, hence the API level asked for.
#define OPENSSL_API_COMPAT 10101
#include "bb_address.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <openssl/sha.h>

//  Payload sizes shared by c32check and base58check
#define HASH160_SIZE        20      //  RIPEMD160(SHA256(x)) of a key/script
#define CHECKSUM_SIZE       4       //  First bytes of SHA256(SHA256(x))

//  c32check (Stacks): 'S', a version digit, then c32(hash160 || checksum)
#define C32_ALPHABET        "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#define C32_VERSION_MAX     31
#define C32_PAYLOAD_SIZE    (HASH160_SIZE + CHECKSUM_SIZE)
#define C32_DIGITS_MAX      39      //  ceil (24 bytes * 8 / 5 bits)
#define STX_ADDRESS_MAX     (2 + C32_DIGITS_MAX)
//  Scratch for one c32 conversion: at most 25 decoded bytes (39 digits)
//  plus one zero byte per leading '0', or 39 digits plus one '0' per
//  leading zero byte of a 24-byte payload.
#define C32_SCRATCH_SIZE    64

//  Stacks contract names, per Clarity
#define CONTRACT_NAME_MAX   40

//  base58check (Bitcoin P2PKH/P2SH): version byte || hash160 || checksum
#define B58_ALPHABET \
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
#define B58_RADIX           58
#define B58_PAYLOAD_SIZE    (1 + HASH160_SIZE + CHECKSUM_SIZE)
#define B58_VERSION_P2PKH_MAINNET   0x00    //  1...
#define B58_VERSION_P2SH_MAINNET    0x05    //  3...
#define B58_VERSION_P2PKH_TESTNET   0x6f    //  m... or n...
#define B58_VERSION_P2SH_TESTNET    0xc4    //  2...

//  bech32 / bech32m (Bitcoin segwit): hrp '1' witver program checksum
#define BECH32_CHARSET      "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
#define BECH32_CONST        0x00000001u     //  BIP-173
#define BECH32M_CONST       0x2bc830a3u     //  BIP-350
#define BECH32_CHECKSUM_LEN 6
#define BECH32_MIN_LEN      8       //  1-char hrp, '1', 6-char checksum
#define BECH32_HRP_MAINNET  "bc"
#define BECH32_HRP_TESTNET  "tb"
#define SEGWIT_VERSION_MAX  16
#define SEGWIT_PROGRAM_MIN  2
#define SEGWIT_PROGRAM_MAX  40
#define SEGWIT_V0_P2WPKH    20
#define SEGWIT_V0_P2WSH     32
//  5-bit groups of an address: witness version plus the longest program
#define SEGWIT_GROUPS_MAX   (1 + (SEGWIT_PROGRAM_MAX * 8 + 4) / 5)


//  ---------------------------------------------------------------------------
//  Store why into *reason (if the caller wants it); returns -1

static int
s_fail (const char **reason, const char *why)
{
    if (reason)
        *reason = why;
    return -1;
}


//  ---------------------------------------------------------------------------
//  Checksum of c32check and base58check: the first four bytes of
//  SHA256(SHA256(data)).

static void
s_checksum (const unsigned char *data, size_t size,
            unsigned char checksum [CHECKSUM_SIZE])
{
    unsigned char digest [SHA256_DIGEST_LENGTH];
    SHA256_CTX context;
    SHA256_Init (&context);
    SHA256_Update (&context, data, size);
    SHA256_Final (digest, &context);
    SHA256_Init (&context);
    SHA256_Update (&context, digest, sizeof (digest));
    SHA256_Final (digest, &context);
    memcpy (checksum, digest, CHECKSUM_SIZE);
}


//  ---------------------------------------------------------------------------
//  c32check checksum of a Stacks address: over version byte || hash160

static void
s_stx_checksum (unsigned version, const unsigned char *hash160,
                unsigned char checksum [CHECKSUM_SIZE])
{
    unsigned char check_data [1 + HASH160_SIZE];
    check_data [0] = (unsigned char) version;
    memcpy (check_data + 1, hash160, HASH160_SIZE);
    s_checksum (check_data, sizeof (check_data), checksum);
}


//  ===========================================================================
//  c32 (Crockford base32, Stacks alphabet)
//  ===========================================================================

//  ---------------------------------------------------------------------------
//  Value of a canonical (uppercase) c32 digit, or -1

static int
s_c32_value (char ch)
{
    //  C32_ALPHABET's letters by value; I, L, O and U are not in it
    static const signed char letters [26] = {
        10, 11, 12, 13, 14, 15, 16, 17, -1, 18, 19, -1, 20,
        21, -1, 22, 23, 24, 25, 26, -1, 27, 28, 29, 30, 31
    };
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'A' && ch <= 'Z')
        return letters [ch - 'A'];
    return -1;
}


//  ---------------------------------------------------------------------------
//  Encode size bytes (at most C32_PAYLOAD_SIZE) as c32 into out, without a
//  terminating NUL. Returns the number of digits. Big-endian: digits are
//  produced from the last byte up, the leading zero digits this leaves are
//  dropped, and each leading zero byte of data then becomes one '0'.

static size_t
s_c32_encode (const unsigned char *data, size_t size, char *out)
{
    assert (size <= C32_PAYLOAD_SIZE);
    char reversed [C32_SCRATCH_SIZE];
    size_t count = 0;
    unsigned carry = 0;
    unsigned carry_bits = 0;

    for (size_t index = size; index-- > 0;) {
        unsigned byte = data [index];
        unsigned low_bits = byte & ((1u << (5 - carry_bits)) - 1);
        reversed [count++] = C32_ALPHABET [(low_bits << carry_bits) + carry];
        carry_bits += 8 - 5;
        carry = byte >> (8 - carry_bits);
        if (carry_bits >= 5) {
            reversed [count++] = C32_ALPHABET [carry & 0x1f];
            carry_bits -= 5;
            carry >>= 5;
        }
    }
    if (carry_bits > 0)
        reversed [count++] = C32_ALPHABET [carry];

    while (count > 0 && reversed [count - 1] == C32_ALPHABET [0])
        count--;
    for (size_t index = 0; index < size && data [index] == 0; index++)
        reversed [count++] = C32_ALPHABET [0];

    for (size_t index = 0; index < count; index++)
        out [index] = reversed [count - 1 - index];
    return count;
}


//  ---------------------------------------------------------------------------
//  Decode length canonical c32 digits (at most C32_DIGITS_MAX, all checked
//  by the caller) into out (C32_SCRATCH_SIZE bytes). Returns the number of
//  bytes. The mirror of s_c32_encode: leading zero bytes of the result are
//  dropped, then each leading '0' digit becomes one zero byte.

static size_t
s_c32_decode (const char *text, size_t length, unsigned char *out)
{
    assert (length <= C32_DIGITS_MAX);
    unsigned char reversed [C32_SCRATCH_SIZE];
    size_t count = 0;
    unsigned carry = 0;
    unsigned carry_bits = 0;

    for (size_t index = length; index-- > 0;) {
        carry += (unsigned) s_c32_value (text [index]) << carry_bits;
        carry_bits += 5;
        if (carry_bits >= 8) {
            reversed [count++] = (unsigned char) (carry & 0xff);
            carry_bits -= 8;
            carry >>= 8;
        }
    }
    if (carry_bits > 0)
        reversed [count++] = (unsigned char) carry;

    while (count > 0 && reversed [count - 1] == 0)
        count--;
    for (size_t index = 0; index < length && text [index] == C32_ALPHABET [0];
         index++)
        reversed [count++] = 0;

    for (size_t index = 0; index < count; index++)
        out [index] = reversed [count - 1 - index];
    return count;
}


//  ===========================================================================
//  bech32 / bech32m (BIP-173, BIP-350)
//  ===========================================================================

typedef enum {
    BECH32_INVALID,
    BECH32_PLAIN,           //  Constant 1: witness v0
    BECH32_M                //  Constant 0x2bc830a3: witness v1..16
} s_bech32_encoding_t;

//  ---------------------------------------------------------------------------
//  One step of the BCH checksum over GF(32): shift in five zero bits and
//  reduce by the generator.

static uint32_t
s_polymod_step (uint32_t pre)
{
    uint32_t top = pre >> 25;
    return ((pre & 0x1ffffff) << 5)
         ^ (-((top >> 0) & 1) & 0x3b6a57b2u)
         ^ (-((top >> 1) & 1) & 0x26508e6du)
         ^ (-((top >> 2) & 1) & 0x1ea119fau)
         ^ (-((top >> 3) & 1) & 0x3d4233ddu)
         ^ (-((top >> 4) & 1) & 0x2a1462b3u);
}


//  ---------------------------------------------------------------------------
//  Checksum state after the expanded lowercase hrp (high bits, a zero,
//  low bits), ready for the data part.

static uint32_t
s_polymod_hrp (const char *hrp, size_t hrp_len)
{
    uint32_t check = 1;
    for (size_t index = 0; index < hrp_len; index++)
        check = s_polymod_step (check) ^ ((unsigned char) hrp [index] >> 5);
    check = s_polymod_step (check);
    for (size_t index = 0; index < hrp_len; index++)
        check = s_polymod_step (check) ^ ((unsigned char) hrp [index] & 0x1f);
    return check;
}


//  ---------------------------------------------------------------------------
//  Value of a lowercase bech32 character, or -1

static int
s_bech32_value (char ch)
{
    const char *found = ch? strchr (BECH32_CHARSET, ch): NULL;
    return found? (int) (found - BECH32_CHARSET): -1;
}


//  ---------------------------------------------------------------------------
//  Regroup in_len values of in_bits bits into out_bits-bit values, appended
//  at out [*out_len]. With pad, a partial last group is zero-filled;
//  without, leftover bits must be fewer than in_bits and all zero (BIP-173),
//  else returns -1.

static int
s_convert_bits (unsigned char *out, size_t *out_len, unsigned out_bits,
                const unsigned char *in, size_t in_len, unsigned in_bits,
                bool pad)
{
    uint32_t value = 0;
    unsigned bits = 0;
    uint32_t max = (1u << out_bits) - 1;

    for (size_t index = 0; index < in_len; index++) {
        value = (value << in_bits) | in [index];
        bits += in_bits;
        while (bits >= out_bits) {
            bits -= out_bits;
            out [(*out_len)++] = (unsigned char) ((value >> bits) & max);
        }
    }
    if (pad) {
        if (bits)
            out [(*out_len)++] =
                (unsigned char) ((value << (out_bits - bits)) & max);
    }
    else
    if (bits >= in_bits || ((value << (out_bits - bits)) & max))
        return -1;
    return 0;
}


//  ---------------------------------------------------------------------------
//  Decode and check the segwit address text (length chars, at most
//  BB_ADDRESS_MAX_LEN), storing its lowercase hrp into hrp (buffer of
//  BB_ADDRESS_MAX_LEN + 1). Returns 0, or -1 with *reason.

static int
s_segwit_decode (const char *text, size_t length, char *hrp,
                 const char **reason)
{
    if (length < BECH32_MIN_LEN)
        return s_fail (reason, "bad length");

    bool have_lower = false;
    bool have_upper = false;
    size_t separator = 0;
    for (size_t index = 0; index < length; index++) {
        unsigned char ch = (unsigned char) text [index];
        if (ch < 33 || ch > 126)
            return s_fail (reason, "bad character");
        if (ch >= 'a' && ch <= 'z')
            have_lower = true;
        else
        if (ch >= 'A' && ch <= 'Z')
            have_upper = true;
        else
        if (ch == '1')
            separator = index;
    }
    if (have_lower && have_upper)
        return s_fail (reason, "mixed case");
    if (separator == 0)
        return s_fail (reason, "bad separator");
    size_t data_len = length - separator - 1;
    if (data_len < BECH32_CHECKSUM_LEN)
        return s_fail (reason, "bad length");

    //  Everything after this point works on the lowercase form
    char lower [BB_ADDRESS_MAX_LEN + 1];
    for (size_t index = 0; index < length; index++) {
        char ch = text [index];
        lower [index] = (ch >= 'A' && ch <= 'Z')? (char) (ch - 'A' + 'a'): ch;
    }
    memcpy (hrp, lower, separator);
    hrp [separator] = '\0';

    unsigned char values [BB_ADDRESS_MAX_LEN];
    uint32_t check = s_polymod_hrp (hrp, separator);
    for (size_t index = 0; index < data_len; index++) {
        int value = s_bech32_value (lower [separator + 1 + index]);
        if (value < 0)
            return s_fail (reason, "bad character");
        check = s_polymod_step (check) ^ (uint32_t) value;
        values [index] = (unsigned char) value;
    }
    s_bech32_encoding_t encoding = check == BECH32_CONST? BECH32_PLAIN:
                                   check == BECH32M_CONST? BECH32_M:
                                   BECH32_INVALID;
    if (encoding == BECH32_INVALID)
        return s_fail (reason, "bad checksum");

    size_t groups = data_len - BECH32_CHECKSUM_LEN;
    if (groups == 0)
        return s_fail (reason, "empty data");
    if (values [0] > SEGWIT_VERSION_MAX)
        return s_fail (reason, "bad witness version");
    if (groups > SEGWIT_GROUPS_MAX)
        return s_fail (reason, "bad program length");

    unsigned char program [SEGWIT_PROGRAM_MAX];
    size_t program_len = 0;
    if (s_convert_bits (program, &program_len, 8, values + 1, groups - 1, 5,
                        false))
        return s_fail (reason, "bad padding");
    if (program_len < SEGWIT_PROGRAM_MIN || program_len > SEGWIT_PROGRAM_MAX)
        return s_fail (reason, "bad program length");
    if (values [0] == 0 && program_len != SEGWIT_V0_P2WPKH
                        && program_len != SEGWIT_V0_P2WSH)
        return s_fail (reason, "bad program length");
    if (values [0] == 0 && encoding != BECH32_PLAIN)
        return s_fail (reason, "bech32 required for witness v0");
    if (values [0] > 0 && encoding != BECH32_M)
        return s_fail (reason, "bech32m required for witness v1+");
    return 0;
}


//  ===========================================================================
//  base58check (Bitcoin P2PKH, P2SH)
//  ===========================================================================

//  ---------------------------------------------------------------------------
//  Decode text (length chars) into exactly B58_PAYLOAD_SIZE bytes and
//  verify its checksum. Returns 0, or -1 with *reason.

static int
s_base58check_decode (const char *text, size_t length,
                      unsigned char payload [B58_PAYLOAD_SIZE],
                      const char **reason)
{
    //  Big-endian base conversion into a fixed buffer: a carry out of the
    //  top byte means the number needs more than B58_PAYLOAD_SIZE bytes.
    memset (payload, 0, B58_PAYLOAD_SIZE);
    for (size_t index = 0; index < length; index++) {
        const char *found = text [index]?
                            strchr (B58_ALPHABET, text [index]): NULL;
        if (!found)
            return s_fail (reason, "bad character");
        unsigned carry = (unsigned) (found - B58_ALPHABET);
        for (size_t byte = B58_PAYLOAD_SIZE; byte-- > 0;) {
            carry += B58_RADIX * payload [byte];
            payload [byte] = (unsigned char) (carry & 0xff);
            carry >>= 8;
        }
        if (carry)
            return s_fail (reason, "bad length");
    }
    //  Each leading '1' stands for one leading zero byte, and the number
    //  itself has no leading zero bytes: both counts must agree for the
    //  decoded form to be exactly B58_PAYLOAD_SIZE bytes.
    size_t ones = 0;
    while (ones < length && text [ones] == B58_ALPHABET [0])
        ones++;
    size_t zeros = 0;
    while (zeros < B58_PAYLOAD_SIZE && payload [zeros] == 0)
        zeros++;
    if (ones != zeros)
        return s_fail (reason, "bad length");

    unsigned char checksum [CHECKSUM_SIZE];
    s_checksum (payload, B58_PAYLOAD_SIZE - CHECKSUM_SIZE, checksum);
    if (memcmp (checksum, payload + B58_PAYLOAD_SIZE - CHECKSUM_SIZE,
                CHECKSUM_SIZE))
        return s_fail (reason, "bad checksum");
    return 0;
}


//  ===========================================================================
//  Public API
//  ===========================================================================

//  ---------------------------------------------------------------------------
//  The length of text into length (at most BB_ADDRESS_MAX_LEN + 1, so
//  that too long shows), or -1 with reason if it is NULL or empty

static int
s_measure (const char *text, size_t *length, const char **reason)
{
    if (!text)
        return s_fail (reason, "null");
    *length = strnlen (text, BB_ADDRESS_MAX_LEN + 1);
    if (*length == 0)
        return s_fail (reason, "empty");
    return 0;
}


//  ---------------------------------------------------------------------------
//  An address whose version says mainnet or testnet (neither: a bad
//  version) must belong to network

static int
s_check_network (bool mainnet, bool testnet, bb_network_t network,
                 const char **reason)
{
    if (!mainnet && !testnet)
        return s_fail (reason, "bad version");
    if (mainnet != (network == BB_NETWORK_MAINNET))
        return s_fail (reason, "wrong network");
    return 0;
}


//  ---------------------------------------------------------------------------
//  Check a Stacks standard principal for network

int
bb_address_check_stx (const char *address, bb_network_t network,
                      const char **reason)
{
    size_t length;
    if (s_measure (address, &length, reason))
        return -1;
    //  Characters before length, so that a contract id or a stray space
    //  is named as such rather than as "too long"
    for (size_t index = 0; index < length; index++) {
        if (address [index] >= 'a' && address [index] <= 'z')
            return s_fail (reason, "not uppercase");
        if (s_c32_value (address [index]) < 0)
            return s_fail (reason, "bad character");
    }
    if (length > STX_ADDRESS_MAX)
        return s_fail (reason, "too long");
    if (address [0] != 'S')
        return s_fail (reason, "must start with S");
    if (length < 3)
        return s_fail (reason, "bad length");

    unsigned version = (unsigned) s_c32_value (address [1]);
    unsigned char decoded [C32_SCRATCH_SIZE];
    if (s_c32_decode (address + 2, length - 2, decoded) != C32_PAYLOAD_SIZE)
        return s_fail (reason, "bad length");

    unsigned char checksum [CHECKSUM_SIZE];
    s_stx_checksum (version, decoded, checksum);
    if (memcmp (checksum, decoded + HASH160_SIZE, CHECKSUM_SIZE))
        return s_fail (reason, "bad checksum");

    //  With the checks above, c32 decoding is one-to-one on 24-byte
    //  payloads, so this cannot fail today; it is the header's promise
    //  and guards any future loosening of the decoder. The payload's
    //  checksum is the one just verified, so encoding the payload is
    //  bb_address_make_stx without hashing again.
    char canonical [C32_SCRATCH_SIZE];
    size_t count = s_c32_encode (decoded, C32_PAYLOAD_SIZE, canonical);
    if (count != length - 2 || memcmp (canonical, address + 2, count))
        return s_fail (reason, "not canonical");

    bool mainnet = version == BB_STX_VERSION_MAINNET_SINGLESIG
                || version == BB_STX_VERSION_MAINNET_MULTISIG;
    bool testnet = version == BB_STX_VERSION_TESTNET_SINGLESIG
                || version == BB_STX_VERSION_TESTNET_MULTISIG;
    return s_check_network (mainnet, testnet, network, reason);
}


//  ---------------------------------------------------------------------------
//  True if address starts with hrp (compared without case) and then '1'

static bool
s_starts_with_hrp (const char *address, const char *hrp)
{
    size_t index = 0;
    for (; hrp [index]; index++) {
        char ch = address [index];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char) (ch - 'A' + 'a');
        if (ch != hrp [index])
            return false;
    }
    return address [index] == '1';
}


//  ---------------------------------------------------------------------------
//  Check a Bitcoin address for network. "bc1"/"tb1" in any case means
//  segwit; no base58check address of an accepted version starts that way
//  (they start with 1, 3, m, n or 2).

int
bb_address_check_btc (const char *address, bb_network_t network,
                      const char **reason)
{
    size_t length;
    if (s_measure (address, &length, reason))
        return -1;
    if (length > BB_ADDRESS_MAX_LEN)
        return s_fail (reason, "too long");

    bool mainnet, testnet;
    if (s_starts_with_hrp (address, BECH32_HRP_MAINNET)
    ||  s_starts_with_hrp (address, BECH32_HRP_TESTNET)) {
        char hrp [BB_ADDRESS_MAX_LEN + 1];
        if (s_segwit_decode (address, length, hrp, reason))
            return -1;
        mainnet = strcmp (hrp, BECH32_HRP_MAINNET) == 0;
        testnet = strcmp (hrp, BECH32_HRP_TESTNET) == 0;
        if (!mainnet && !testnet)
            return s_fail (reason, "bad prefix");
    }
    else {
        unsigned char payload [B58_PAYLOAD_SIZE];
        if (s_base58check_decode (address, length, payload, reason))
            return -1;
        unsigned version = payload [0];
        mainnet = version == B58_VERSION_P2PKH_MAINNET
               || version == B58_VERSION_P2SH_MAINNET;
        testnet = version == B58_VERSION_P2PKH_TESTNET
               || version == B58_VERSION_P2SH_TESTNET;
    }
    return s_check_network (mainnet, testnet, network, reason);
}


//  ---------------------------------------------------------------------------
//  ASCII classes for Clarity contract names (no locale)

static bool
s_is_alpha (char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool
s_is_name_char (char ch)
{
    return s_is_alpha (ch) || (ch >= '0' && ch <= '9')
        || ch == '-' || ch == '_';
}


//  ---------------------------------------------------------------------------
//  Check a Stacks contract principal "principal.name" for network

int
bb_address_check_contract (const char *contract, bb_network_t network,
                           const char **reason)
{
    size_t length;
    if (s_measure (contract, &length, reason))
        return -1;
    if (length > BB_ADDRESS_MAX_LEN)
        return s_fail (reason, "too long");
    const char *dot = memchr (contract, '.', length);
    if (!dot)
        return s_fail (reason, "missing contract name");

    size_t principal_len = (size_t) (dot - contract);
    if (principal_len > STX_ADDRESS_MAX)
        return s_fail (reason, "too long");
    char principal [STX_ADDRESS_MAX + 1];
    memcpy (principal, contract, principal_len);
    principal [principal_len] = '\0';
    if (bb_address_check_stx (principal, network, reason))
        return -1;

    const char *name = dot + 1;
    size_t name_len = length - principal_len - 1;
    if (name_len == 0 || name_len > CONTRACT_NAME_MAX || !s_is_alpha (*name))
        return s_fail (reason, "bad contract name");
    for (size_t index = 1; index < name_len; index++)
        if (!s_is_name_char (name [index]))
            return s_fail (reason, "bad contract name");
    return 0;
}


//  ---------------------------------------------------------------------------
//  Encode a Stacks address from version and hash160 into buf

int
bb_address_make_stx (unsigned version, const unsigned char hash160 [20],
                     char *buf, size_t size)
{
    assert (hash160);
    assert (buf);
    if (version > C32_VERSION_MAX)
        return -1;

    unsigned char payload [C32_PAYLOAD_SIZE];
    memcpy (payload, hash160, HASH160_SIZE);
    s_stx_checksum (version, hash160, payload + HASH160_SIZE);
    char digits [C32_SCRATCH_SIZE];
    size_t count = s_c32_encode (payload, C32_PAYLOAD_SIZE, digits);
    if (size < 2 + count + 1)
        return -1;

    buf [0] = 'S';
    buf [1] = C32_ALPHABET [version];
    memcpy (buf + 2, digits, count);
    buf [2 + count] = '\0';
    return 0;
}


//  ---------------------------------------------------------------------------
//  Encode a segwit address into buf. Like the reference encoder, refuses an
//  uppercase or non-printable hrp and anything longer than 90 characters.

int
bb_address_make_segwit (const char *hrp, int witness_version,
                        const unsigned char *program, size_t program_len,
                        char *buf, size_t size)
{
    assert (hrp);
    assert (program);
    assert (buf);
    size_t hrp_len = strlen (hrp);
    if (hrp_len == 0)
        return -1;
    for (size_t index = 0; index < hrp_len; index++) {
        unsigned char ch = (unsigned char) hrp [index];
        if (ch < 33 || ch > 126 || (ch >= 'A' && ch <= 'Z'))
            return -1;
    }
    if (witness_version < 0 || witness_version > SEGWIT_VERSION_MAX)
        return -1;
    if (program_len < SEGWIT_PROGRAM_MIN || program_len > SEGWIT_PROGRAM_MAX)
        return -1;
    if (witness_version == 0 && program_len != SEGWIT_V0_P2WPKH
                             && program_len != SEGWIT_V0_P2WSH)
        return -1;

    unsigned char values [SEGWIT_GROUPS_MAX];
    size_t groups = 0;
    values [groups++] = (unsigned char) witness_version;
    s_convert_bits (values, &groups, 5, program, program_len, 8, true);
    size_t length = hrp_len + 1 + groups + BECH32_CHECKSUM_LEN;
    if (length > BB_ADDRESS_MAX_LEN || size < length + 1)
        return -1;

    uint32_t check = s_polymod_hrp (hrp, hrp_len);
    char *out = buf;
    memcpy (out, hrp, hrp_len);
    out += hrp_len;
    *out++ = '1';
    for (size_t index = 0; index < groups; index++) {
        check = s_polymod_step (check) ^ values [index];
        *out++ = BECH32_CHARSET [values [index]];
    }
    for (size_t index = 0; index < BECH32_CHECKSUM_LEN; index++)
        check = s_polymod_step (check);
    check ^= witness_version == 0? BECH32_CONST: BECH32M_CONST;
    for (size_t index = 0; index < BECH32_CHECKSUM_LEN; index++) {
        unsigned shift = 5 * (BECH32_CHECKSUM_LEN - 1 - (unsigned) index);
        *out++ = BECH32_CHARSET [(check >> shift) & 0x1f];
    }
    *out = '\0';
    return 0;
}


//  ---------------------------------------------------------------------------
//  Parse a network name

int
bb_address_network_parse (const char *name, bb_network_t *network)
{
    if (name && strcmp (name, "mainnet") == 0)
        *network = BB_NETWORK_MAINNET;
    else
    if (name && strcmp (name, "testnet") == 0)
        *network = BB_NETWORK_TESTNET;
    else
        return -1;
    return 0;
}
