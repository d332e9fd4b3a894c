/*  =========================================================================
    bb_version - what build this is, and what it runs with

    Owns the build's identity: the project version (CMakeLists.txt) and
    the `git describe` of the checkout it was built from, both fixed at
    build time (cmake/BuildVersion.cmake), and the --version text every
    binary prints: that identity, the wire protocol version, and the
    runtime versions of the libraries it links (libzmq and czmq for all;
    each binary names the others it uses, LMDB, libcurl, libmicrohttpd).
    Running processes report bb_version_text in their status, so an
    operator sees a mixed deployment. Pure, thread-safe.
    =========================================================================
*/
#ifndef BB_VERSION_H_INCLUDED
#define BB_VERSION_H_INCLUDED

#include <stddef.h>
#include <stdio.h>

//  Longest bb_version_text, NUL included.
#define BB_VERSION_TEXT_SIZE 96

//  A library whose runtime version --version prints.
typedef struct {
    const char *name;                   // "lmdb"
    const char *(*version) (void);      // its version, as it reports it
} bb_library_t;

//  The project version, "0.1.0". Static.
const char *bb_version (void);

//  The build's identity for a status reply: "0.1.0 (v0.1.0-3-gfde111e)",
//  into text (BB_VERSION_TEXT_SIZE bytes). Returns text.
char *bb_version_text (char *text);

//  Print the --version text of program to out: "<program> <identity>",
//  then "protocol N", then one "<library> <version>" line for libzmq,
//  czmq and each of libraries (count of them, may be 0).
void bb_version_print (FILE *out, const char *program,
                       const bb_library_t *libraries, size_t count);

#endif
