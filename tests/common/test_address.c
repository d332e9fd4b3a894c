/*  test_address - address validation against the published vectors:
    c32check (stacks-network/c32check and stacks-core c32.rs tests),
    base58check (the same c32check tests' b58 equivalents, plus well-known
    addresses), bech32/bech32m (BIP-173, BIP-350, sipa/bech32 ref/c tests),
    the addresses in tests/fixtures, and encoder round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "bb_test_main.h"

#include "bb_address.h"

#define MAINNET BB_NETWORK_MAINNET
#define TESTNET BB_NETWORK_TESTNET
#define COUNT(array) (sizeof (array) / sizeof ((array) [0]))

typedef int (check_fn) (const char *, bb_network_t, const char **);

//  Require check to accept address on network.
static void
s_accepts (check_fn *check, const char *address, bb_network_t network)
{
    const char *reason = NULL;
    int rc = check (address, network, &reason);
    if (rc != 0)
        print_error ("rejected %s: %s\n", address, reason);
    assert_int_equal (rc, 0);
    assert_null (reason);
}

//  Require check to reject address on network, with expected as reason
//  (any reason if expected is NULL).
static void
s_rejects (check_fn *check, const char *address, bb_network_t network,
           const char *expected)
{
    const char *reason = NULL;
    int rc = check (address, network, &reason);
    if (rc != -1)
        print_error ("accepted %s\n", address ? address : "(null)");
    assert_int_equal (rc, -1);
    assert_non_null (reason);
    if (expected && strcmp (reason, expected))
        print_error ("%s: got '%s', expected '%s'\n",
                     address ? address : "(null)", reason, expected);
    if (expected)
        assert_string_equal (reason, expected);
}

//  Require check to accept address on network and to reject it on the
//  other network as "wrong network".
static void
s_accepts_on_network_only (check_fn *check, const char *address,
                           bb_network_t network)
{
    s_accepts (check, address, network);
    s_rejects (check, address, network == MAINNET? TESTNET: MAINNET,
               "wrong network");
}

//  s_accepts_on_network_only for each of count addresses.
static void
s_accept_all_on_network_only (check_fn *check, const char *const addresses [],
                              size_t count, bb_network_t network)
{
    for (size_t i = 0; i < count; i++)
        s_accepts_on_network_only (check, addresses [i], network);
}

//  Require check to reject no address ("null") and an empty one.
static void
s_rejects_missing (check_fn *check)
{
    s_rejects (check, NULL, MAINNET, "null");
    s_rejects (check, "", MAINNET, "empty");
}

//  An address a check must reject, and why (any reason if NULL).
typedef struct {
    const char *address;
    bb_network_t network;
    const char *reason;
} rejection_t;

//  Require check to reject each of count rejections, for its reason.
static void
s_reject_all (check_fn *check, const rejection_t rejections [], size_t count)
{
    for (size_t i = 0; i < count; i++)
        s_rejects (check, rejections [i].address, rejections [i].network,
                   rejections [i].reason);
}

//  Decode hex into bytes; returns the byte count.
static size_t
s_unhex (const char *hex, unsigned char *bytes)
{
    size_t count = strlen (hex) / 2;
    for (size_t i = 0; i < count; i++) {
        unsigned value = 0;
        for (int nibble = 0; nibble < 2; nibble++) {
            char ch = hex [2 * i + nibble];
            value = value * 16
                  + (unsigned) (ch <= '9'? ch - '0': ch - 'a' + 10);
        }
        bytes [i] = (unsigned char) value;
    }
    return count;
}

static bool
s_equal_ignoring_case (const char *left, const char *right)
{
    for (;; left++, right++) {
        char l = (*left >= 'A' && *left <= 'Z')? *left - 'A' + 'a': *left;
        char r = (*right >= 'A' && *right <= 'Z')? *right - 'A' + 'a': *right;
        if (l != r)
            return false;
        if (!l)
            return true;
    }
}


//  ===========================================================================
//  Stacks c32check
//  ===========================================================================

//  stacks-network/c32check tests/unitTests/src/index.ts c32addressTests,
//  the same table as stacks-core stacks-common/src/address/c32.rs
//  test_addresses: every hash160 under versions 22, 0, 31, 20, 26, 21.
static const char *c32_hashes [] = {
    "a46ff88886c2ef9762d970b4d2c63678835bd39d",
    "0000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000001",
    "1000000000000000000000000000000000000001",
    "1000000000000000000000000000000000000000",
};

static const struct {
    unsigned version;
    const char *addresses [5];      //  One per c32_hashes entry
} c32_vectors [] = {
    { 22, {
        "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7",
        "SP000000000000000000002Q6VF78",
        "SP00000000000000000005JA84HQ",
        "SP80000000000000000000000000000004R0CMNV",
        "SP800000000000000000000000000000033H8YKK" } },
    { 0, {
        "S02J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKPVKG2CE",
        "S0000000000000000000002AA028H",
        "S000000000000000000006EKBDDS",
        "S080000000000000000000000000000007R1QC00",
        "S080000000000000000000000000000003ENTGCQ" } },
    { 31, {
        "SZ2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQ9H6DPR",
        "SZ000000000000000000002ZE1VMN",
        "SZ00000000000000000005HZ3DVN",
        "SZ80000000000000000000000000000004XBV6MS",
        "SZ800000000000000000000000000000007VF5G0" } },
    { 20, {
        "SM2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQVX8X0G",
        "SM0000000000000000000062QV6X",
        "SM00000000000000000005VR75B2",
        "SM80000000000000000000000000000004WBEWKC",
        "SM80000000000000000000000000000000JGSYGV" } },
    { 26, {
        "ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQYAC0RQ",
        "ST000000000000000000002AMW42H",
        "ST000000000000000000042DB08Y",
        "ST80000000000000000000000000000006BYJ4R4",
        "ST80000000000000000000000000000002YBNPV3" } },
    { 21, {
        "SN2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKP6D2ZK9",
        "SN000000000000000000003YDHWKJ",
        "SN00000000000000000005341MC8",
        "SN800000000000000000000000000000066KZWY0",
        "SN800000000000000000000000000000006H75AK" } },
};

//  make_stx reproduces every reference address, including versions 0 and
//  31 and the hash160s with 19 and 20 leading zero bytes.
static void
test_stx_encode_vectors (void **state)
{
    size_t checked = 0;
    for (size_t v = 0; v < COUNT (c32_vectors); v++)
        for (size_t h = 0; h < COUNT (c32_hashes); h++) {
            unsigned char hash160 [20];
            assert_int_equal (s_unhex (c32_hashes [h], hash160), 20);
            char buf [42];
            assert_int_equal (bb_address_make_stx (c32_vectors [v].version,
                                                   hash160, buf, sizeof buf),
                              0);
            assert_string_equal (buf, c32_vectors [v].addresses [h]);
            checked++;
        }
    assert_int_equal (checked, 30);
}

//  Each reference address is accepted on its own network only; versions 0
//  and 31 (valid c32check, not a Stacks network) on neither.
static void
test_stx_check_vectors (void **state)
{
    for (size_t v = 0; v < COUNT (c32_vectors); v++)
        for (size_t h = 0; h < COUNT (c32_hashes); h++) {
            const char *address = c32_vectors [v].addresses [h];
            switch (c32_vectors [v].version) {
                case BB_STX_VERSION_MAINNET_SINGLESIG:
                case BB_STX_VERSION_MAINNET_MULTISIG:
                    s_accepts_on_network_only (bb_address_check_stx,
                                               address, MAINNET);
                    break;
                case BB_STX_VERSION_TESTNET_SINGLESIG:
                case BB_STX_VERSION_TESTNET_MULTISIG:
                    s_accepts_on_network_only (bb_address_check_stx,
                                               address, TESTNET);
                    break;
                default:
                    s_rejects (bb_address_check_stx, address, MAINNET,
                               "bad version");
                    s_rejects (bb_address_check_stx, address, TESTNET,
                               "bad version");
            }
        }
}

//  Addresses that appear in tests/fixtures (Hiro responses, sBTC).
static void
test_stx_fixture_addresses (void **state)
{
    const char *mainnet [] = {
        "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3",
        "SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9",
        "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4",
        "SPWECF3XYVRBRCN23CJJCX9XKSF8RFWQPAQMWXT",
        "SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ",
        "SP102V8P0F7JX67ARQ77WEA3D3CFB5XW39REDT0AM",
        "SP000000000000000000002Q6VF78",
    };
    s_accept_all_on_network_only (bb_address_check_stx, mainnet,
                                  COUNT (mainnet), MAINNET);
}

static void
test_stx_rejects (void **state)
{
    check_fn *check = bb_address_check_stx;
    static const rejection_t rejections [] = {
        //  From c32check's "c32address invalid input" decodes
        { "ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQYAC0RQ0", TESTNET, "too long" },
        { "ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQYAC0RR", TESTNET,
          "bad checksum" },
        { "ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQYAC0R", TESTNET, NULL },
        { "ST2J", TESTNET, "bad length" },
        { "bP2CT665Q0JB7P39TZ7BST0QYCAQSMJWBZK8QT35J", MAINNET,
          "not uppercase" },

        //  Strict: no lowercase, no homoglyph normalisation
        //  (I, L -> 1; O -> 0)
        { "sp2j6zy48gv1ez5v2v5rb9mp66sw86pykknrv9ej7", MAINNET,
          "not uppercase" },
        { "Sp2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7", MAINNET,
          "not uppercase" },
        { "SP2J6ZY48GVIEZ5V2V5RB9MP66SW86PYKKNRV9EJ7", MAINNET,
          "bad character" },
        { "SP2J6ZY48GVLEZ5V2V5RB9MP66SW86PYKKNRV9EJ7", MAINNET,
          "bad character" },
        { "SPO00000000000000000002Q6VF78", MAINNET, "bad character" },
        { "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJU", MAINNET,
          "bad character" },
        { "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7 ", MAINNET,
          "bad character" },
        { "SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.token", MAINNET,
          "bad character" },

        //  Corrupted checksum: last digit, a middle digit, swapped digits
        { "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ8", MAINNET,
          "bad checksum" },
        { "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9FJ7", MAINNET,
          "bad checksum" },
        { "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXZQ3", MAINNET,
          "bad checksum" },
        //  Same hash, other version digit: the checksum covers the version
        { "ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7", TESTNET,
          "bad checksum" },

        //  Shape
        { "S", MAINNET, "bad length" },
        { "SP", MAINNET, "bad length" },
        { "SP0", MAINNET, "bad length" },
        { "XP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7", MAINNET,
          "must start with S" },
        { "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7A", MAINNET, "too long" },
        { "SPZ2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ", MAINNET, "bad length" },
        { "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7AB", MAINNET, "too long" },
        { "SP0000000000000000000002Q6VF78", MAINNET, "bad length" },
        { "SP00000000000000000002Q6VF78", MAINNET, NULL },
        //  A Bitcoin address is not a Stacks one
        { "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", MAINNET, "not uppercase" },
    };
    s_reject_all (check, rejections, COUNT (rejections));
    s_rejects_missing (check);
    //  The reason pointer is optional
    assert_int_equal (check ("SP2J", MAINNET, NULL), -1);
}

//  make_stx then check, for each network version and a spread of hashes,
//  including leading zero bytes.
static void
test_stx_round_trip (void **state)
{
    const unsigned versions [] = {
        BB_STX_VERSION_MAINNET_SINGLESIG, BB_STX_VERSION_MAINNET_MULTISIG,
        BB_STX_VERSION_TESTNET_SINGLESIG, BB_STX_VERSION_TESTNET_MULTISIG,
    };
    size_t checked = 0;
    for (unsigned seed = 0; seed < 64; seed++) {
        unsigned char hash160 [20];
        for (size_t i = 0; i < sizeof hash160; i++)
            hash160 [i] = (unsigned char) ((seed * 131 + i * 29 + 7) & 0xff);
        //  The first seed/3 bytes are zero
        memset (hash160, 0, seed / 3 < 20? seed / 3: 20);
        for (size_t v = 0; v < COUNT (versions); v++) {
            char buf [42];
            assert_int_equal (bb_address_make_stx (versions [v], hash160,
                                                   buf, sizeof buf), 0);
            s_accepts_on_network_only (bb_address_check_stx, buf,
                                       v < 2? MAINNET: TESTNET);
            checked++;
        }
    }
    assert_int_equal (checked, 64 * 4);
}

static void
test_stx_make_limits (void **state)
{
    unsigned char hash160 [20];
    s_unhex (c32_hashes [0], hash160);
    char buf [42];
    assert_int_equal (bb_address_make_stx (32, hash160, buf, sizeof buf), -1);
    assert_int_equal (bb_address_make_stx (UINT32_MAX, hash160, buf,
                                           sizeof buf), -1);
    //  41 characters: needs 42 bytes, fails with 41
    assert_int_equal (bb_address_make_stx (22, hash160, buf, 41), -1);
    assert_int_equal (bb_address_make_stx (22, hash160, buf, 42), 0);
    assert_int_equal (strlen (buf), 41);
    //  A shorter address fits a smaller buffer
    s_unhex (c32_hashes [1], hash160);
    assert_int_equal (bb_address_make_stx (22, hash160, buf, 30), 0);
    assert_string_equal (buf, "SP000000000000000000002Q6VF78");
    assert_int_equal (bb_address_make_stx (22, hash160, buf, 29), -1);
}


//  ===========================================================================
//  Bitcoin base58check
//  ===========================================================================

static void
test_btc_base58_valid (void **state)
{
    //  Well-known mainnet addresses, the fixtures' addresses, and the
    //  base58 equivalents of the c32 vectors (c32check c32ToB58Test,
    //  "equivalent versions": 0x00, 0x05, 0x6f, 0xc4), which include the
    //  all-zero hash160 with its run of leading '1's.
    const char *mainnet [] = {
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
        "1wiz18xYmhRX6xStj2b9t1rwWX4GKUgpv",
        "1KFHE7w8BhaENAswwryaoccDb6qcT6DbYY",
        "1FzTxL9Mxnm2fdmnQEArfhzJHevwbvcH6d",
        "1111111111111111111114oLvT2",
        "11111111111111111111BZbvjr",
        "12Tbp525fpnBRiSt4iPxXkxMyf5Ze1UeZu",
        "12Tbp525fpnBRiSt4iPxXkxMyf5ZWzA5TC",
        "3GgUssdoWh5QkoUDXKqT6LMESBDf8aqp2y",
        "31h1vYVSYuKP6AhS86fbRdMw9XHieotbST",
        "31h1vYVSYuKP6AhS86fbRdMw9XHiiQ93Mb",
        "339cjcWXDj6ZWt9KBp4YxPKJ8BNH7gn2Nw",
        "339cjcWXDj6ZWt9KBp4YxPKJ8BNH14Nnx4",
    };
    const char *testnet [] = {
        "mzSN4vjy8Pc2UXYQfFc8KjAs8UmoPWbYUP",
        "mvWRFPELmpCHSkFQ7o9EVdCd9eXeUTa9T8",
        "mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8",
        "mfWxJ45yp2SFn7UciZyNpvDKrzbi36LaVX",
        "mgyZ7874UrDSCpvVnHNLMgAgqegGZBks3w",
        "mgyZ7874UrDSCpvVnHNLMgAgqegGQUXx9c",
        "2N8EgwcZq89akxb6mCTTKiHLVeXRpxjuy98",
        "2MsFDzHRUAMpjHxKyoEHU3aMCMsVtMqs1PV",
        "2MsFDzHRUAMpjHxKyoEHU3aMCMsVtXMsfu8",
        "2MthpoMSYqBbuifmrrwgRaLJZLXaSyK2Rai",
        "2MthpoMSYqBbuifmrrwgRaLJZLXaSoxBM5T",
    };
    s_accept_all_on_network_only (bb_address_check_btc, mainnet,
                                  COUNT (mainnet), MAINNET);
    s_accept_all_on_network_only (bb_address_check_btc, testnet,
                                  COUNT (testnet), TESTNET);
}

//  c32check's b58 vectors under versions 22, 31, 20, 26, 21: valid
//  base58check, but no Bitcoin version
static const char *const base58_other_versions [] = {
    "A7RjcihhakxJfAqgwTVsLTyc8kbhDJPMVY",
    "DjUAUhPHyP8C256UAEVjhbRgoHvBetzPRR",
    "9JkXeW78AQ2Z2JZWtcqENDS2sk5orG4ggw",
    "Bin9Z9trRUoovuQ338q9Gy4kemdU7ni2FG",
    "9i68dcQQsaVRqjhbv3AYrLhpWFLkWkzrCG",
};

static void
test_btc_base58_rejects (void **state)
{
    check_fn *check = bb_address_check_btc;
    for (size_t i = 0; i < COUNT (base58_other_versions); i++) {
        s_rejects (check, base58_other_versions [i], MAINNET, "bad version");
        s_rejects (check, base58_other_versions [i], TESTNET, "bad version");
    }
    static const rejection_t base58_rejections [] = {
        //  Corrupted checksum
        { "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", MAINNET, "bad checksum" },
        { "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", MAINNET, "bad checksum" },
        { "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNNV2", MAINNET, "bad checksum" },
        { "1111111111111111111114oLvT3", MAINNET, "bad checksum" },
        //  Wrong decoded length
        { "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN", MAINNET, NULL },
        { "11BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", MAINNET, "bad length" },
        { "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2a", MAINNET, "bad length" },
        { "111111111111111111111111111111111", MAINNET, "bad length" },
        { "1", MAINNET, "bad length" },
        //  Outside the base58 alphabet: 0, O, I, l, space
        { "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0", MAINNET, "bad character" },
        { "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVNO", MAINNET, "bad character" },
        { "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVNI", MAINNET, "bad character" },
        { "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVNl", MAINNET, "bad character" },
        { " 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", MAINNET, "bad character" },
        //  Shape
        //  A Stacks address is not a Bitcoin one
        { "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7", MAINNET,
          "bad length" },
        { "SP000000000000000000002Q6VF78", MAINNET, "bad character" },
    };
    s_reject_all (check, base58_rejections, COUNT (base58_rejections));
    s_rejects_missing (check);
    char too_long [BB_ADDRESS_MAX_LEN + 2];
    memset (too_long, '1', sizeof too_long - 1);
    too_long [sizeof too_long - 1] = '\0';
    s_rejects (check, too_long, MAINNET, "too long");
}


//  ===========================================================================
//  Bitcoin bech32 / bech32m
//  ===========================================================================

//  BIP-350 "valid segwit addresses" (a superset of BIP-173's v0 ones), with
//  the scriptPubKey each translates to; same list as sipa/bech32
//  ref/c/tests.c valid_address.
static const struct {
    const char *address;
    const char *script_pubkey;
} segwit_valid [] = {
    { "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
      "0014751e76e8199196d454941c45d1b3a323f1433bd6" },
    { "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
      "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262" },
    { "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
      "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6" },
    { "BC1SW50QGDZ25J",
      "6002751e" },
    { "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
      "5210751e76e8199196d454941c45d1b3a323" },
    { "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
      "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433" },
    { "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
      "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433" },
    { "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
      "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" },
};

//  BIP-173 and BIP-350 "invalid segwit addresses", then the BIP-173 valid
//  v1+ addresses that BIP-350 turns invalid (bech32 where bech32m is now
//  required). The reason is ours; NULL where the vector's cause is not a
//  single one of our checks. The "tc" hrp vectors are not "bc1"/"tb1", so
//  they go to base58check and fail on '0'.
static const struct {
    const char *address;
    const char *reason;
} segwit_invalid [] = {
    //  BIP-173
    { "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", "bad character" },
    { "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bad checksum" },
    { "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", "bad witness version" },
    { "bc1rw5uspcuh", "bad program length" },
    { "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
      "bad program length" },
    { "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "bad program length" },
    { "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
      "mixed case" },
    { "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "bad padding" },
    { "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
      "bad padding" },
    { "bc1gmk9yu", "empty data" },
    //  From sipa/bech32's older BIP-173 test list (no separator, so it is
    //  taken for base58check)
    { "bca0w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90234567789035",
      "bad character" },
    { "tb1pw508d6qejxtdg4y5r3zarqfsj6c3", NULL },
    //  BIP-350
    { "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
      "bad character" },
    { "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
      "bech32m required for witness v1+" },
    { "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
      "bech32m required for witness v1+" },
    { "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
      "bech32m required for witness v1+" },
    { "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
      "bech32 required for witness v0" },
    { "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
      "bech32 required for witness v0" },
    { "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
      "bad character" },
    { "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
      "bad witness version" },
    { "bc1pw5dgrnzv", "bad program length" },
    { "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
      "bad program length" },
    { "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
      "mixed case" },
    { "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
      "bad padding" },
    { "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
      "bad padding" },
    //  BIP-173 valid, BIP-350 invalid
    { "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
      "bech32m required for witness v1+" },
    { "BC1SW50QA3JX3S", "bech32m required for witness v1+" },
    { "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj",
      "bech32m required for witness v1+" },
};

//  Network a bc1/tb1 address belongs to.
static bb_network_t
s_segwit_network (const char *address)
{
    return (address [0] == 'b' || address [0] == 'B')? MAINNET: TESTNET;
}

static void
test_btc_segwit_valid (void **state)
{
    for (size_t i = 0; i < COUNT (segwit_valid); i++) {
        const char *address = segwit_valid [i].address;
        s_accepts_on_network_only (bb_address_check_btc, address,
                                   s_segwit_network (address));
    }
    //  The fixtures' testnet/signet P2WPKH and P2TR
    s_accepts (bb_address_check_btc,
               "tb1qp0we5epypgj4acd2c4au58045ruud2pd6heuee", TESTNET);
    s_accepts_on_network_only (bb_address_check_btc,
        "tb1pu8ysre22dcl6qy5m5w7mjwutw73w4u24slcdh4myq06uhr6q29dqwc3ckt",
        TESTNET);
    //  Uppercase is as valid as lowercase
    s_accepts (bb_address_check_btc,
               "TB1QP0WE5EPYPGJ4ACD2C4AU58045RUUD2PD6HEUEE", TESTNET);
}

static void
test_btc_segwit_invalid (void **state)
{
    for (size_t i = 0; i < COUNT (segwit_invalid); i++) {
        const char *address = segwit_invalid [i].address;
        bb_network_t network = s_segwit_network (address);
        s_rejects (bb_address_check_btc, address, network,
                   segwit_invalid [i].reason);
        s_rejects (bb_address_check_btc, address,
                   network == MAINNET? TESTNET: MAINNET, NULL);
    }
    check_fn *check = bb_address_check_btc;
    s_rejects (check, "bc1", MAINNET, "bad length");
    s_rejects (check, "bc1qqqqqq", MAINNET, NULL);
    s_rejects (check, "Bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", MAINNET,
               "mixed case");
    s_rejects (check, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\x7f",
               MAINNET, "bad character");
    s_rejects (check, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 ",
               MAINNET, "bad character");
    //  Any single substitution breaks the checksum
    char mutated [] = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    for (size_t pos = 4; pos < strlen (mutated); pos++) {
        char saved = mutated [pos];
        mutated [pos] = saved == 'q'? 'p': 'q';
        s_rejects (check, mutated, MAINNET, NULL);
        mutated [pos] = saved;
    }
    s_accepts (check, mutated, MAINNET);
}

//  Decode a scriptPubKey into witness version and program.
static size_t
s_witness (const char *script_pubkey, int *version, unsigned char *program)
{
    unsigned char script [42];
    size_t length = s_unhex (script_pubkey, script);
    *version = script [0] == 0? 0: script [0] - 0x50;
    assert_int_equal (script [1], length - 2);
    memcpy (program, script + 2, length - 2);
    return length - 2;
}

static void
test_btc_segwit_encode (void **state)
{
    for (size_t i = 0; i < COUNT (segwit_valid); i++) {
        const char *address = segwit_valid [i].address;
        int version;
        unsigned char program [40];
        size_t program_len = s_witness (segwit_valid [i].script_pubkey,
                                        &version, program);
        const char *hrp = s_segwit_network (address) == MAINNET? "bc": "tb";
        char buf [91];
        assert_int_equal (bb_address_make_segwit (hrp, version, program,
                                                  program_len, buf,
                                                  sizeof buf), 0);
        assert_true (s_equal_ignoring_case (buf, address));
    }
}

//  make_segwit then check, for every witness version and program length
//  it allows, on both networks.
static void
test_btc_segwit_round_trip (void **state)
{
    size_t checked = 0;
    for (int version = 0; version <= 16; version++)
        for (size_t length = 2; length <= 40; length++) {
            if (version == 0 && length != 20 && length != 32)
                continue;
            unsigned char program [40];
            for (size_t i = 0; i < length; i++)
                program [i] = (unsigned char) (length * 37 + i * 11 + version);
            char buf [91];
            assert_int_equal (bb_address_make_segwit ("bc", version, program,
                                                      length, buf,
                                                      sizeof buf), 0);
            s_accepts_on_network_only (bb_address_check_btc, buf, MAINNET);
            assert_int_equal (bb_address_make_segwit ("tb", version, program,
                                                      length, buf,
                                                      sizeof buf), 0);
            s_accepts (bb_address_check_btc, buf, TESTNET);
            checked++;
        }
    assert_int_equal (checked, 2 + 16 * 39);
}

static void
test_btc_segwit_encode_rejects (void **state)
{
    static const unsigned char program [41];
    char buf [91];
    //  sipa/bech32 ref/c/tests.c invalid_address_enc
    assert_int_equal (bb_address_make_segwit ("BC", 0, program, 20,
                                              buf, sizeof buf), -1);
    assert_int_equal (bb_address_make_segwit ("bc", 0, program, 21,
                                              buf, sizeof buf), -1);
    assert_int_equal (bb_address_make_segwit ("bc", 17, program, 32,
                                              buf, sizeof buf), -1);
    assert_int_equal (bb_address_make_segwit ("bc", 1, program, 1,
                                              buf, sizeof buf), -1);
    assert_int_equal (bb_address_make_segwit ("bc", 16, program, 41,
                                              buf, sizeof buf), -1);
    //  And ours
    assert_int_equal (bb_address_make_segwit ("bc", -1, program, 20,
                                              buf, sizeof buf), -1);
    assert_int_equal (bb_address_make_segwit ("", 0, program, 20,
                                              buf, sizeof buf), -1);
    assert_int_equal (bb_address_make_segwit ("b c", 0, program, 20,
                                              buf, sizeof buf), -1);
    //  P2WPKH is 42 characters: needs 43 bytes
    assert_int_equal (bb_address_make_segwit ("bc", 0, program, 20,
                                              buf, 42), -1);
    assert_int_equal (bb_address_make_segwit ("bc", 0, program, 20,
                                              buf, 43), 0);
    assert_int_equal (strlen (buf), 42);
    //  An hrp long enough to push past 90 characters
    char hrp [60];
    memset (hrp, 'a', sizeof hrp - 1);
    hrp [sizeof hrp - 1] = '\0';
    assert_int_equal (bb_address_make_segwit (hrp, 0, program, 32,
                                              buf, sizeof buf), -1);
}


//  ===========================================================================
//  Contract principals
//  ===========================================================================

//  Token contracts from tests/fixtures
static const char *const contract_fixtures [] = {
    "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4.sbtc-token",
    "SP265WBWD4NH7TVPYQTVD23X3607NNK4484DTXQZ3.longcoin",
    "SP3K8BC0PPEVCV7NZ6QSRWPQ2JE9E5B6N3PA0KBR9.age000-governance-token",
    "SPWECF3XYVRBRCN23CJJCX9XKSF8RFWQPAQMWXT.blockstack",
    "SP102V8P0F7JX67ARQ77WEA3D3CFB5XW39REDT0AM.token-special-vote",
    "SP32AEEF6WW5Y0NMJ1S8SBSZDAY8R5J32NBZFPKKZ.nope",
};

static void
test_contract (void **state)
{
    check_fn *check = bb_address_check_contract;
    s_accept_all_on_network_only (check, contract_fixtures,
                                  COUNT (contract_fixtures), MAINNET);
    s_accepts (check, "ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQYAC0RQ.a", TESTNET);
    s_accepts (check, "SP000000000000000000002Q6VF78.pox-4", MAINNET);
    s_accepts (check, "SP000000000000000000002Q6VF78.A_b-9", MAINNET);
    //  Names: 40 characters at most
    s_accepts (check, "SP000000000000000000002Q6VF78."
                      "abcdefghijabcdefghijabcdefghijabcdefghij", MAINNET);
    static const rejection_t contract_rejections [] = {
        { "SP000000000000000000002Q6VF78."
          "abcdefghijabcdefghijabcdefghijabcdefghijk", MAINNET,
          "bad contract name" },
        { "SP000000000000000000002Q6VF78.", MAINNET, "bad contract name" },
        { "SP000000000000000000002Q6VF78.1abc", MAINNET, "bad contract name" },
        { "SP000000000000000000002Q6VF78.-abc", MAINNET, "bad contract name" },
        { "SP000000000000000000002Q6VF78.ab.c", MAINNET, "bad contract name" },
        { "SP000000000000000000002Q6VF78.ab c", MAINNET, "bad contract name" },
        //  An asset id is not a contract id
        { "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4"
          ".sbtc-token::sbtc-token", MAINNET, "bad contract name" },
        //  The principal goes through the full Stacks check
        { "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ5.sbtc-token", MAINNET,
          "bad checksum" },
        { "sm3vdxk3wzzsa84xxfkafaf15nnzx32ctsg82jfq4.sbtc-token", MAINNET,
          "not uppercase" },
        { ".sbtc-token", MAINNET, "empty" },
        { "SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7AB.token", MAINNET,
          "too long" },
        //  Shape
        { "SM3VDXK3WZZSA84XXFKAFAF15NNZX32CTSG82JFQ4", MAINNET,
          "missing contract name" },
    };
    s_reject_all (check, contract_rejections, COUNT (contract_rejections));
    s_rejects_missing (check);
    char too_long [BB_ADDRESS_MAX_LEN + 2];
    memcpy (too_long, "SP000000000000000000002Q6VF78.", 30);
    memset (too_long + 30, 'a', sizeof too_long - 31);
    too_long [sizeof too_long - 1] = '\0';
    s_rejects (check, too_long, MAINNET, "too long");
}

static void
test_network_names (void **state)
{
    bb_network_t network = BB_NETWORK_TESTNET;
    assert_int_equal (bb_address_network_parse ("mainnet", &network), 0);
    assert_int_equal (network, BB_NETWORK_MAINNET);
    assert_int_equal (bb_address_network_parse ("testnet", &network), 0);
    assert_int_equal (network, BB_NETWORK_TESTNET);
    assert_int_equal (bb_address_network_parse ("Mainnet", &network), -1);
    assert_int_equal (bb_address_network_parse ("", &network), -1);
    assert_int_equal (bb_address_network_parse (NULL, &network), -1);
    assert_int_equal (network, BB_NETWORK_TESTNET);
}

BB_TEST_MAIN (NULL, NULL,
        cmocka_unit_test (test_stx_encode_vectors),
        cmocka_unit_test (test_stx_check_vectors),
        cmocka_unit_test (test_stx_fixture_addresses),
        cmocka_unit_test (test_stx_rejects),
        cmocka_unit_test (test_stx_round_trip),
        cmocka_unit_test (test_stx_make_limits),
        cmocka_unit_test (test_btc_base58_valid),
        cmocka_unit_test (test_btc_base58_rejects),
        cmocka_unit_test (test_btc_segwit_valid),
        cmocka_unit_test (test_btc_segwit_invalid),
        cmocka_unit_test (test_btc_segwit_encode),
        cmocka_unit_test (test_btc_segwit_round_trip),
        cmocka_unit_test (test_btc_segwit_encode_rejects),
        cmocka_unit_test (test_contract),
        cmocka_unit_test (test_network_names))
