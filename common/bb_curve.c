/*  =========================================================================
    bb_curve - CURVE keys, the ZAP handler and roles on the write sockets

    See bb_curve.h. A server runs two actors: czmq's zauth (the ZAP
    handler, one per process, reading the allow-list) and a watcher that
    reads the monitor of each server socket (libzmq's zmq_socket_monitor,
    whose PAIR libzmq closes itself when the socket closes, so a socket
    may close before the watcher). The role lookup keeps its own
    zcertstore on the same directory, refreshed the same way.
    =========================================================================
*/
#include "bb_curve.h"
#include "bb_log.h"
#include "bb_reason.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>

#define BB_CURVE_DOMAIN     "balboard"
#define BB_CURVE_KEY_SIZE   41          // Z85 key and terminator
#define NO_SECRET           "0000000000000000000000000000000000000000"
#define REFUSED_LOG_MS      1000        // one auth_refused line a second
//  Refusals: ZAP said no (AUTH), the peer speaks no CURVE or holds
//  another server key (PROTOCOL), or the connection dropped mid-handshake
//  (NO_DETAIL: a client without CURVE may see the mismatch and hang up
//  first; a bare TCP probe lands here too).
#define HANDSHAKE_FAILED    (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL \
                           | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL \
                           | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

struct _bb_curve_t {
    zcert_t *cert;              // our own key pair
    char server_key [BB_CURVE_KEY_SIZE];  // client: the server's key
    zactor_t *auth;             // server: zauth
    zactor_t *watcher;          // server: reads the socket monitors
    zcertstore_t *allowed;      // server: the allow-list, for roles
    pthread_mutex_t lock;       // guards allowed
    int monitors;               // server: monitor endpoints made
};

static atomic_uint_fast64_t s_refused;
static atomic_uint_fast64_t s_denied;

//  ---------------------------------------------------------------------------
//  Certificates

//  The cert at path, which must hold a secret key when secret. NULL
//  (logged) if it cannot be read or has none.
static zcert_t *
s_cert_load (const char *path, bool secret)
{
    zcert_t *cert = zcert_load (path);
    if (!cert)
        bb_error ("curve_cert_unreadable", "path=%s hint=\"a certificate "
                  "from balboard keygen\"", path);
    else
    if (secret && streq (zcert_secret_txt (cert), NO_SECRET)) {
        bb_error ("curve_cert_no_secret", "path=%s hint=\"give the "
                  "NAME.key_secret file\"", path);
        zcert_destroy (&cert);
    }
    else
    if (secret) {
        struct stat status;
        if (stat (path, &status) == 0 && (status.st_mode & 077))
            bb_warn ("curve_cert_exposed", "path=%s mode=%03o hint=\"chmod "
                     "600\"", path, (unsigned) (status.st_mode & 0777));
    }
    return cert;
}

static bb_curve_t *
s_new (const char *cert_path)
{
    zcert_t *cert = s_cert_load (cert_path, true);
    if (!cert)
        return NULL;
    bb_curve_t *self = calloc (1, sizeof *self);
    assert (self);
    self->cert = cert;
    pthread_mutex_init (&self->lock, NULL);
    return self;
}

bb_curve_t *
bb_curve_client_new (const char *cert_path, const char *server_cert_path)
{
    assert (cert_path && server_cert_path);
    zcert_t *server = s_cert_load (server_cert_path, false);
    bb_curve_t *self = server ? s_new (cert_path) : NULL;
    if (self)
        snprintf (self->server_key, sizeof self->server_key, "%s",
                  zcert_public_txt (server));
    zcert_destroy (&server);
    return self;
}

//  ---------------------------------------------------------------------------
//  The watcher: refused handshakes, from the server sockets' monitors

//  Why a handshake failed, from its event and value, for the log.
static const char *
s_refusal (uint16_t event, uint32_t value)
{
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        return "unknown_key";
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
        return "dropped";
    if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
        return "no_key";
    if (value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
        return "wrong_server_key";
    return "protocol";
}

//  The watcher's state. A refused client retries every 100 ms: each
//  refusal is counted, auth_refused is logged at most once a second.
typedef struct {
    zlist_t *monitors;          // PAIRs connected to the socket monitors
    zlist_t *names;             // socket log names, freed at the end
    bb_log_limit_t log_limit;   // of the auth_refused lines
} watcher_t;

typedef struct {
    watcher_t *watcher;
    const char *name;           // "ingest", "jobs", "control"
} watch_t;

static void
s_on_refused (watcher_t *watcher, const char *name, uint16_t event,
              uint32_t value)
{
    uint64_t refused = atomic_fetch_add (&s_refused, 1) + 1;
    uint64_t unlogged;
    if (bb_log_limit_pass (&watcher->log_limit, zclock_mono (), &unlogged))
        bb_warn ("auth_refused", "socket=%s reason=%s code=%u refused=%"
                 PRIu64 " unlogged=%" PRIu64, name, s_refusal (event, value),
                 value, refused, unlogged);
}

//  One monitor event: [event:u16 value:u32][endpoint].
static int
s_on_monitor (zloop_t *loop, zsock_t *monitor, void *arg)
{
    watch_t *watch = (watch_t *) arg;
    zmsg_t *msg = zmsg_recv (monitor);
    zframe_t *head = msg ? zmsg_first (msg) : NULL;
    if (head && zframe_size (head) == 6) {
        uint16_t event;
        uint32_t value;
        memcpy (&event, zframe_data (head), sizeof event);
        memcpy (&value, zframe_data (head) + sizeof event, sizeof value);
        if (event & HANDSHAKE_FAILED)
            s_on_refused (watch->watcher, watch->name, event, value);
    }
    zmsg_destroy (&msg);
    return 0;
}

//  WATCH endpoint name: read the monitor at endpoint. Anything else
//  ($TERM) ends the loop.
static int
s_on_watcher_pipe (zloop_t *loop, zsock_t *pipe, void *arg)
{
    watcher_t *watcher = (watcher_t *) arg;
    zmsg_t *msg = zmsg_recv (pipe);
    char *command = msg ? zmsg_popstr (msg) : NULL;
    int rc = command && streq (command, "WATCH") ? 0 : -1;
    if (rc == 0) {
        char *endpoint = zmsg_popstr (msg);
        watch_t *watch = calloc (1, sizeof *watch);
        assert (endpoint && watch);
        watch->watcher = watcher;
        watch->name = zmsg_popstr (msg);
        zsock_t *monitor = zsock_new_pair (endpoint);
        assert (monitor && watch->name);
        zlist_append (watcher->monitors, monitor);
        zlist_append (watcher->names, watch);
        zloop_reader (loop, monitor, s_on_monitor, watch);
        zstr_free (&endpoint);
        zsock_signal (pipe, 0);
    }
    zstr_free (&command);
    zmsg_destroy (&msg);
    return rc;
}

static void
s_watcher (zsock_t *pipe, void *args)
{
    watcher_t watcher = {
        zlist_new (), zlist_new (),
        { .burst = 1, .interval_ms = REFUSED_LOG_MS }
    };
    zloop_t *loop = zloop_new ();
    zloop_reader (loop, pipe, s_on_watcher_pipe, &watcher);
    zsock_signal (pipe, 0);
    zloop_start (loop);
    zloop_destroy (&loop);
    for (zsock_t *monitor = zlist_first (watcher.monitors); monitor;
         monitor = zlist_next (watcher.monitors))
        zsock_destroy (&monitor);
    for (watch_t *watch = zlist_first (watcher.names); watch;
         watch = zlist_next (watcher.names)) {
        free ((char *) watch->name);
        free (watch);
    }
    zlist_destroy (&watcher.monitors);
    zlist_destroy (&watcher.names);
}

//  Report the handshakes socket (log name: name) refuses to the watcher.
static void
s_watch (bb_curve_t *self, zsock_t *socket, const char *name)
{
    char endpoint [64];
    pthread_mutex_lock (&self->lock);
    snprintf (endpoint, sizeof endpoint, "inproc://balboard-curve-%p-%d",
              (void *) self, self->monitors++);
    pthread_mutex_unlock (&self->lock);
    if (zmq_socket_monitor (zsock_resolve (socket), endpoint,
                            HANDSHAKE_FAILED)) {
        bb_error ("curve_monitor_failed", "socket=%s error=\"%s\"", name,
                  zmq_strerror (zmq_errno ()));
        return;
    }
    zstr_sendx (self->watcher, "WATCH", endpoint, name, NULL);
    zsock_wait (self->watcher);
}

//  ---------------------------------------------------------------------------
//  Server and client

//  True if allow_dir is a directory (logged if not).
static bool
s_allow_dir_ok (const char *allow_dir)
{
    struct stat status;
    if (stat (allow_dir, &status) == 0 && S_ISDIR (status.st_mode))
        return true;
    bb_error ("curve_allow_missing", "path=%s hint=\"a directory of client "
              "public certificates (balboard keygen)\"", allow_dir);
    return false;
}

bb_curve_t *
bb_curve_server_new (const char *cert_path, const char *allow_dir)
{
    assert (cert_path && allow_dir);
    bb_curve_t *self = s_allow_dir_ok (allow_dir) ? s_new (cert_path) : NULL;
    if (!self)
        return NULL;
    self->auth = zactor_new (zauth, NULL);
    zstr_sendx (self->auth, "CURVE", allow_dir, NULL);
    zsock_wait (self->auth);
    self->watcher = zactor_new (s_watcher, NULL);
    self->allowed = zcertstore_new (allow_dir);
    bb_info ("curve_server", "allow=%s", allow_dir);
    return self;
}

void
bb_curve_destroy (bb_curve_t **self_p)
{
    assert (self_p);
    bb_curve_t *self = *self_p;
    if (!self)
        return;
    zactor_destroy (&self->watcher);
    zactor_destroy (&self->auth);
    zcertstore_destroy (&self->allowed);
    zcert_destroy (&self->cert);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

zsock_t *
bb_curve_socket_new (bb_curve_t *self, int type, const char *endpoint,
                     const char *name)
{
    if (!self)
        return bb_wire_socket_new (type, endpoint);
    zsock_t *socket = bb_wire_socket_new (type, NULL);
    if (!socket)
        return NULL;
    zcert_apply (self->cert, socket);
    if (self->auth) {
        zsock_set_curve_server (socket, 1);
        zsock_set_zap_domain (socket, BB_CURVE_DOMAIN);
        s_watch (self, socket, name);
    }
    else
        zsock_set_curve_serverkey (socket, self->server_key);
    if (endpoint && bb_wire_attach (socket, endpoint))
        zsock_destroy (&socket);
    return socket;
}

//  ---------------------------------------------------------------------------
//  Roles

typedef enum { ROLE_NONE, ROLE_FETCHER, ROLE_OPERATOR, ROLE_READER } role_t;

//  The role of client key user_id, and its cert's name into name (size
//  bytes): the key's start when it has none. ROLE_NONE when the key is
//  not (any more) in the allow-list or has no role we know.
static role_t
s_role (bb_curve_t *self, const char *user_id, char *name, size_t size)
{
    snprintf (name, size, "%.8s", user_id);
    pthread_mutex_lock (&self->lock);
    zcert_t *cert = zcertstore_lookup (self->allowed, user_id);
    const char *role = cert ? zcert_meta (cert, "role") : NULL;
    if (cert && zcert_meta (cert, "name"))
        snprintf (name, size, "%s", zcert_meta (cert, "name"));
    role_t found = !role ? ROLE_NONE
                 : streq (role, "fetcher") ? ROLE_FETCHER
                 : streq (role, "operator") ? ROLE_OPERATOR
                 : streq (role, "reader") ? ROLE_READER
                 : ROLE_NONE;
    pthread_mutex_unlock (&self->lock);
    return found;
}

//  True if role may send envelope. Bodies no client sends are left to
//  the socket, which answers them UNSUPPORTED.
static bool
s_allows (role_t role, const bb_envelope_t *envelope)
{
    switch (envelope->body_case) {
        case BALBOARD__ENVELOPE__BODY_FETCHER_READY:
        case BALBOARD__ENVELOPE__BODY_FETCHER_HEARTBEAT:
        case BALBOARD__ENVELOPE__BODY_JOB_REPORT:
        case BALBOARD__ENVELOPE__BODY_BALANCE_BATCH:
        case BALBOARD__ENVELOPE__BODY_PRICE_SNAPSHOT:
        case BALBOARD__ENVELOPE__BODY_TOKEN_META_QUERY:
        case BALBOARD__ENVELOPE__BODY_REGISTRY_SNAPSHOT:
        case BALBOARD__ENVELOPE__BODY_REGISTRY_SYNC_REPORT:
            return role == ROLE_FETCHER;
        case BALBOARD__ENVELOPE__BODY_AGENT_UPSERT:
        case BALBOARD__ENVELOPE__BODY_AGENT_REMOVE:
            return role == ROLE_OPERATOR;
        case BALBOARD__ENVELOPE__BODY_SCHEDULER_CONTROL:
            return role == ROLE_OPERATOR
                || (role == ROLE_READER
                    && envelope->scheduler_control->command
                       == BALBOARD__SCHEDULER_CONTROL__COMMAND__STATUS);
        default:
            return role != ROLE_NONE;
    }
}

//  The request's name for logs and replies: the body, and the command of
//  a SchedulerControl ("scheduler_control TICK").
static const char *
s_request (const bb_envelope_t *envelope, char *buf, size_t size)
{
    const char *body = bb_wire_body_name (envelope->body_case);
    if (envelope->body_case != BALBOARD__ENVELOPE__BODY_SCHEDULER_CONTROL)
        snprintf (buf, size, "%s", body);
    else {
        const ProtobufCEnumValue *command = protobuf_c_enum_descriptor_get_value (
            &balboard__scheduler_control__command__descriptor,
            envelope->scheduler_control->command);
        snprintf (buf, size, "%s %s", body, command ? command->name : "?");
    }
    return buf;
}

bool
bb_curve_permit (bb_curve_t *self, zsock_t *socket, const char *name,
                 const bb_wire_msg_t *msg)
{
    assert (socket && name && msg && msg->envelope);
    if (!self)
        return true;
    char client [64];
    role_t role = s_role (self, msg->user_id, client, sizeof client);
    if (s_allows (role, msg->envelope))
        return true;
    uint64_t denied = atomic_fetch_add (&s_denied, 1) + 1;
    char request [96], reason [BB_REASON_SIZE], quoted [2 * sizeof client];
    static const char *roles [] = { "none", "fetcher", "operator", "reader" };
    s_request (msg->envelope, request, sizeof request);
    bb_warn ("auth_denied", "socket=%s client=%s role=%s request=\"%s\" "
             "denied=%" PRIu64, name,
             bb_log_quote (client, quoted, sizeof quoted), roles [role],
             request, denied);
    snprintf (reason, sizeof reason, "role %s may not send %s on the %s "
              "socket", roles [role], request, name);
    if (msg->peer)
        bb_wire_send_error (socket, msg->peer, msg->envelope->request_id,
                            BALBOARD__ERROR_REPLY__CODE__PERMISSION_DENIED,
                            reason);
    return false;
}

bool
bb_curve_recv (bb_curve_t *self, zsock_t *socket, const char *name,
               bb_wire_msg_t *msg)
{
    bb_wire_result_t result = bb_wire_recv (socket, msg);
    if (result == BB_WIRE_BAD_FRAME)
        bb_wire_reject (socket, name, msg);
    return result == BB_WIRE_OK && bb_curve_permit (self, socket, name, msg);
}

uint64_t
bb_curve_refused (void)
{
    return atomic_load (&s_refused);
}

uint64_t
bb_curve_denied (void)
{
    return atomic_load (&s_denied);
}

//  ---------------------------------------------------------------------------
//  Key generation

//  True if role is one of BB_CURVE_ROLES.
static bool
s_role_known (const char *role)
{
    return streq (role, "fetcher") || streq (role, "operator")
        || streq (role, "reader") || streq (role, "server");
}

//  Save cert as path (public) and path_secret, the secret file created
//  private. Returns 0 or -1.
static int
s_save (zcert_t *cert, const char *path)
{
    char secret [PATH_MAX + sizeof "_secret"];
    snprintf (secret, sizeof secret, "%s_secret", path);
    zsys_file_mode_private ();
    int rc = zcert_save_secret (cert, secret);
    zsys_file_mode_default ();
    if (rc == 0)
        rc = chmod (secret, 0600);
    if (rc == 0)
        rc = zcert_save_public (cert, path);
    if (rc == 0)
        rc = chmod (path, 0644);
    return rc;
}

int
bb_curve_keygen (const char *dir, const char *name, const char *role,
                 char *reason)
{
    assert (dir && name && role && reason);
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/%s.key", dir, name);
    if (!s_role_known (role))
        return bb_reason_fail (reason, BB_REASON_SIZE, "role '%s' is none of "
                               BB_CURVE_ROLES, role);
    if (!*name || strchr (name, '/'))
        return bb_reason_fail (reason, BB_REASON_SIZE, "name '%s' is not a "
                               "file name", name);
    if (mkdir (dir, 0700) && errno != EEXIST)
        return bb_reason_fail (reason, BB_REASON_SIZE, "cannot create %s: "
                               "%s", dir, strerror (errno));
    char secret [PATH_MAX + sizeof "_secret"];
    snprintf (secret, sizeof secret, "%s_secret", path);
    if (zsys_file_exists (path) && zsys_file_exists (secret))
        return 1;
    if (zsys_file_exists (path) || zsys_file_exists (secret))
        return bb_reason_fail (reason, BB_REASON_SIZE, "half a key pair at "
                               "%s; a key is never overwritten", path);
    zcert_t *cert = zcert_new ();
    assert (cert);
    zcert_set_meta (cert, "role", "%s", role);
    zcert_set_meta (cert, "name", "%s", name);
    int rc = s_save (cert, path);
    zcert_destroy (&cert);
    if (rc)
        return bb_reason_fail (reason, BB_REASON_SIZE, "cannot write %s: %s",
                               path, strerror (errno));
    return 0;
}

//  ---------------------------------------------------------------------------
//  Settings

bool
bb_curve_is_loopback (const char *endpoint)
{
    assert (endpoint);
    if (*endpoint == '@' || *endpoint == '>')
        endpoint++;
    if (strncmp (endpoint, "ipc://", 6) == 0
    ||  strncmp (endpoint, "inproc://", 9) == 0)
        return true;
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return false;
    const char *host = endpoint + 6;
    return strncmp (host, "127.", 4) == 0
        || strncmp (host, "localhost:", 10) == 0
        || strncmp (host, "[::1]:", 6) == 0;
}

//  Log a bad pair of options (one given without the other).
static int
s_needs (const char *option, const char *other)
{
    bb_error ("config_invalid", "option=%s hint=\"--%s goes with --%s "
              "(docs/security.md)\"", option, option, other);
    return -1;
}

//  Without keys: every bind in binds must be loopback, or --insecure.
static int
s_check_binds (bb_config_t *config, const char *const *binds, size_t count)
{
    bool insecure = bb_config_bool (config, "insecure");
    for (size_t i = 0; i < count; i++) {
        const char *endpoint = bb_config_str (config, binds [i]);
        if (bb_curve_is_loopback (endpoint))
            continue;
        if (!insecure) {
            bb_error ("insecure_bind_refused", "option=%s endpoint=%s "
                      "hint=\"give --curve-cert and --curve-allow "
                      "(docs/security.md), or --insecure\"", binds [i],
                      endpoint);
            return -1;
        }
        bb_warn ("insecure_bind", "option=%s endpoint=%s warning=\"ANY "
                 "HOST THAT REACHES IT CAN WRITE: no CURVE keys\"",
                 binds [i], endpoint);
    }
    return 0;
}

int
bb_curve_server_setup (bb_config_t *config, const char *const *binds,
                       size_t count, bb_curve_t **curve_p)
{
    assert (config && curve_p);
    *curve_p = NULL;
    bool cert = bb_config_is_set (config, "curve-cert");
    bool allow = bb_config_is_set (config, "curve-allow");
    if (cert != allow)
        return cert ? s_needs ("curve-cert", "curve-allow")
                    : s_needs ("curve-allow", "curve-cert");
    if (!cert)
        return s_check_binds (config, binds, count);
    *curve_p = bb_curve_server_new (bb_config_str (config, "curve-cert"),
                                    bb_config_str (config, "curve-allow"));
    return *curve_p ? 0 : -1;
}

int
bb_curve_client_setup (bb_config_t *config, const char *key_option,
                       bb_curve_t **curve_p)
{
    assert (config && key_option && curve_p);
    *curve_p = NULL;
    if (!bb_config_is_set (config, key_option))
        return 0;
    if (!bb_config_is_set (config, "curve-cert"))
        return s_needs (key_option, "curve-cert");
    *curve_p = bb_curve_client_new (bb_config_str (config, "curve-cert"),
                                    bb_config_str (config, key_option));
    return *curve_p ? 0 : -1;
}
