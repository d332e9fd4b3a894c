/*  =========================================================================
    bb_curve - CURVE keys, the ZAP handler and roles on the write sockets

    Owns everything CURVE in a process (docs/security.md): loading its own
    certificate and its peers' public certificates (czmq zcert files),
    the zauth actor that checks client keys against the allow-list
    directory at each handshake, the socket monitor that sees refused
    handshakes, and the role check of each request. A role (fetcher,
    operator, reader) is the metadata "role" of the client's public cert
    in the allow-list; the server finds it from the message's User-Id (the
    client key, set by ZAP: a peer cannot forge it), never from what the
    peer announces. Without keys every function here leaves sockets as
    they were: a NULL bb_curve_t means "no CURVE".

    A server's zauth re-reads the allow-list directory when it changes,
    at the next handshake: a key removed from it is refused from its
    next connection on, with no reload or restart; a connection already
    made stays until it closes. Refusals and denials are counted for the
    whole process (StoreStats, SchedulerStatus).
    =========================================================================
*/
#ifndef BB_CURVE_H_INCLUDED
#define BB_CURVE_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include <czmq.h>

#include "bb_config.h"
#include "bb_wire.h"

//  The options a process with CURVE takes (docs/security.md).
#define BB_OPTION_CURVE_CERT \
    BB_OPTION_STRING ("curve-cert", "BALBOARD_CURVE_CERT", NULL, \
                      "this process's CURVE certificate, the secret file " \
                      "(NAME.key_secret, from balboard keygen); unset = no " \
                      "CURVE")
#define BB_OPTION_CURVE_ALLOW \
    BB_OPTION_STRING ("curve-allow", "BALBOARD_CURVE_ALLOW", NULL, \
                      "directory of the client public certificates " \
                      "(NAME.key, with their role) allowed on the write " \
                      "sockets; with --curve-cert")
#define BB_OPTION_STORE_KEY \
    BB_OPTION_STRING ("store-key", "BALBOARD_STORE_KEY", NULL, \
                      "the store's public certificate: CURVE on its ingest " \
                      "socket, with --curve-cert")
#define BB_OPTION_SCHEDULER_KEY \
    BB_OPTION_STRING ("scheduler-key", "BALBOARD_SCHEDULER_KEY", NULL, \
                      "the scheduler's public certificate: CURVE on its " \
                      "jobs and control sockets, with --curve-cert")
#define BB_OPTION_INSECURE \
    { "insecure", "BALBOARD_INSECURE", BB_OPT_BOOL, "false", 0, 0, false, \
      "allow a write socket on a non-loopback address without CURVE keys " \
      "(warned at start)" }

//  A server with CURVE takes all three: its cert, the allow-list, and
//  whether a write socket may go without them beyond loopback.
#define BB_OPTIONS_CURVE_SERVER \
    BB_OPTION_CURVE_CERT, BB_OPTION_CURVE_ALLOW, BB_OPTION_INSECURE

//  The roles a client key may have; "server" names a server's own cert.
#define BB_CURVE_ROLES "fetcher, operator, reader, server"

typedef struct _bb_curve_t bb_curve_t;

//  A server: its own secret cert file and the allow-list directory. Starts
//  the zauth actor. Returns NULL (logged) on a missing or bad file.
bb_curve_t *bb_curve_server_new (const char *cert_path, const char *allow_dir);

//  A client: its own secret cert file and the server's public cert file.
//  Returns NULL (logged) on a missing or bad file.
bb_curve_t *bb_curve_client_new (const char *cert_path,
                                 const char *server_cert_path);

//  Stop zauth and the monitor, free, set *self_p to NULL. NULL-safe.
//  After every socket made with self is closed.
void bb_curve_destroy (bb_curve_t **self_p);

//  The server CURVE of a process from --curve-cert and --curve-allow into
//  *curve_p (NULL without keys). Without keys, each of the bind options
//  (count names) must be a loopback address unless --insecure (then
//  warned). Returns 0, or -1 (logged: exit BB_CONFIG_EXIT_USAGE).
int bb_curve_server_setup (bb_config_t *config, const char *const *binds,
                           size_t count, bb_curve_t **curve_p);

//  The client CURVE towards the server whose public cert key_option
//  names ("store-key"), with --curve-cert, into *curve_p (NULL when
//  key_option is unset). Returns 0, or -1 (logged).
int bb_curve_client_setup (bb_config_t *config, const char *key_option,
                           bb_curve_t **curve_p);

//  A socket as bb_wire_socket_new makes it, with CURVE when self is not
//  NULL: a server socket checks client keys (zauth) and reports refused
//  handshakes under name ("ingest"); a client socket authenticates with
//  its cert to the server's key. Returns NULL (logged) on failure.
zsock_t *bb_curve_socket_new (bb_curve_t *self, int type,
                              const char *endpoint, const char *name);

//  True when the request in msg (a decoded envelope) may be served on
//  socket (log name: name): always without CURVE (self NULL), else when
//  the role of the sender's key allows it. Otherwise logs auth_denied,
//  counts it, answers PERMISSION_DENIED to the peer and returns false.
bool bb_curve_permit (bb_curve_t *self, zsock_t *socket, const char *name,
                      const bb_wire_msg_t *msg);

//  Receive the message waiting on socket (a server's ROUTER, log name:
//  name) into msg (zeroed; the caller resets it either way). A bad frame
//  is answered (bb_wire_reject), a request bb_curve_permit refuses too.
//  Returns true when msg holds a request to serve.
bool bb_curve_recv (bb_curve_t *self, zsock_t *socket, const char *name,
                    bb_wire_msg_t *msg);

//  What this process refused at the handshake and denied by role.
uint64_t bb_curve_refused (void);
uint64_t bb_curve_denied (void);

//  Write a new key pair into dir (created 0700 if absent): dir/name.key,
//  the public cert with metadata role and name, and dir/name.key_secret,
//  mode 0600. role is one of BB_CURVE_ROLES. Never overwrites: a pair
//  already there is kept. Returns 0 when written, 1 when kept, or -1
//  with why in reason (BB_REASON_SIZE bytes).
int bb_curve_keygen (const char *dir, const char *name, const char *role,
                     char *reason);

//  True if endpoint ("tcp://127.0.0.1:7701", "ipc://...") is reached from
//  this host only.
bool bb_curve_is_loopback (const char *endpoint);

#endif
