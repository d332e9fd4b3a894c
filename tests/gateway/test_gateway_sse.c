/*  test_gateway_sse - /api/dashboard/events on the real balboard-gateway,
    in front of a real store (publishing an event per commit), scheduler,
    fetcher and mock upstream: an event arrives after a commit, a new
    stream starts with the newest event, the cap gives 503, a client
    that stops reading is dropped while another keeps getting every
    event, an idle stream gets keep-alive comments, events come again
    after the store restarts, and the gateway exits cleanly with streams
    open. Streams are
    read by libcurl in threads of their own; every wait ends on what it
    waits for, with a deadline that only catches a hang. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "gw_world.h"
#include "bb_test_main.h"
#include "bb_clock.h"
#include "bb_http_exchange.h"

#define AGENTS              12
#define WAIT_MS             60000       // catches a hang only
#define POLL_MS             20
#define URL_SIZE            256
#define LINE_SIZE           2048
#define CAP                 2           // --sse-max of the small gateway
#define STALLED_RCVBUF      4096

static gw_world_t *s_world;
static bb_child_t *s_small;             // a gateway with CAP streams
static char s_small_base [GW_WORLD_BASE_SIZE];

//  ---------------------------------------------------------------------------
//  A stream read by libcurl in its own thread

typedef struct {
    pthread_t thread;
    char url [URL_SIZE];
    pthread_mutex_t lock;       // everything below
    bool stop;                  // the test asks the transfer to end
    bool finished;              // the transfer ended
    long status;                // of the response, 0 until known
    bool retry_hint;            // a "retry:" line came
    unsigned events;            // "event: dashboard" messages
    unsigned comments;          // comment lines (keep-alives)
    int64_t commit_seq;         // the newest event's, -1 before one
    char data [LINE_SIZE];      // the newest event's data line
    char content_type [128], cache_control [128];
    char line [LINE_SIZE];      // the line being read
    size_t line_size;
} stream_t;

//  One complete line of the stream (lock held).
static void
s_stream_line (stream_t *self, const char *line)
{
    if (strncmp (line, "retry: ", 7) == 0)
        self->retry_hint = true;
    if (strcmp (line, "event: dashboard") == 0)
        self->events++;
    if (line [0] == ':')
        self->comments++;
    if (strncmp (line, "data: ", 6) == 0) {
        snprintf (self->data, sizeof self->data, "%s", line + 6);
        json_t *data = json_loads (line + 6, 0, NULL);
        assert_non_null (data);
        self->commit_seq = json_integer_value (json_object_get (data,
                                                                "commitSeq"));
        json_decref (data);
    }
}

static size_t
s_on_body (char *bytes, size_t size, size_t count, void *arg)
{
    stream_t *self = arg;
    pthread_mutex_lock (&self->lock);
    for (size_t i = 0; i < size * count; i++) {
        if (bytes [i] == '\n') {
            self->line [self->line_size] = 0;
            s_stream_line (self, self->line);
            self->line_size = 0;
        }
        else
        if (self->line_size < LINE_SIZE - 1)
            self->line [self->line_size++] = bytes [i];
    }
    bool stop = self->stop;
    pthread_mutex_unlock (&self->lock);
    return stop ? 0 : size * count;
}

static size_t
s_on_header (char *bytes, size_t size, size_t count, void *arg)
{
    stream_t *self = arg;
    size_t length = size * count;
    pthread_mutex_lock (&self->lock);
    if (length > 9 && strncmp (bytes, "HTTP/1.1 ", 9) == 0)
        self->status = atol (bytes + 9);
    if (strncasecmp (bytes, "content-type: ", 14) == 0)
        snprintf (self->content_type, sizeof self->content_type, "%.*s",
                  (int) strcspn (bytes + 14, "\r\n"), bytes + 14);
    if (strncasecmp (bytes, "cache-control: ", 15) == 0)
        snprintf (self->cache_control, sizeof self->cache_control, "%.*s",
                  (int) strcspn (bytes + 15, "\r\n"), bytes + 15);
    pthread_mutex_unlock (&self->lock);
    return length;
}

//  Ends the transfer once the test asks, even while no byte comes.
static int
s_on_progress (void *arg, curl_off_t a, curl_off_t b, curl_off_t c,
               curl_off_t d)
{
    stream_t *self = arg;
    pthread_mutex_lock (&self->lock);
    bool stop = self->stop;
    pthread_mutex_unlock (&self->lock);
    return stop ? 1 : 0;
}

static void *
s_stream_run (void *arg)
{
    stream_t *self = arg;
    CURL *curl = curl_easy_init ();
    assert_non_null (curl);
    curl_easy_setopt (curl, CURLOPT_URL, self->url);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, self);
    curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt (curl, CURLOPT_HEADERDATA, self);
    curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, s_on_progress);
    curl_easy_setopt (curl, CURLOPT_XFERINFODATA, self);
    curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_perform (curl);
    curl_easy_cleanup (curl);
    pthread_mutex_lock (&self->lock);
    self->finished = true;
    pthread_mutex_unlock (&self->lock);
    return NULL;
}

static stream_t *
s_stream_new (const char *base)
{
    stream_t *self = calloc (1, sizeof *self);
    assert_non_null (self);
    snprintf (self->url, sizeof self->url, "%s/api/dashboard/events", base);
    self->commit_seq = -1;
    pthread_mutex_init (&self->lock, NULL);
    assert_int_equal (pthread_create (&self->thread, NULL, s_stream_run,
                                      self), 0);
    return self;
}

static void
s_stream_destroy (stream_t **self_p)
{
    stream_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    self->stop = true;
    pthread_mutex_unlock (&self->lock);
    pthread_join (self->thread, NULL);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

//  A copy of the stream's state.
static stream_t
s_stream_state (stream_t *self)
{
    pthread_mutex_lock (&self->lock);
    stream_t state = *self;
    pthread_mutex_unlock (&self->lock);
    return state;
}

static bool
s_stream_open (void *arg)
{
    stream_t state = s_stream_state (arg);
    return state.retry_hint || state.finished;
}

static bool
s_stream_finished (void *arg)
{
    return s_stream_state (arg).finished;
}

//  Wait until the stream is open (the retry hint came) or refused.
//  Returns its status.
static long
s_stream_wait_open (stream_t *self)
{
    assert_int_equal (bb_clock_wait_until (s_stream_open, self, WAIT_MS,
                                           POLL_MS), 0);
    return s_stream_state (self).status;
}

typedef struct {
    stream_t *stream;
    int64_t commit_seq;
} seen_t;

static bool
s_stream_has_seen (void *arg)
{
    seen_t *seen = arg;
    return s_stream_state (seen->stream).commit_seq >= seen->commit_seq;
}

static void
s_stream_wait_seq (stream_t *self, int64_t commit_seq)
{
    seen_t seen = { self, commit_seq };
    if (bb_clock_wait_until (s_stream_has_seen, &seen, WAIT_MS, POLL_MS))
        fail_msg ("no event with commitSeq %lld within %d ms (newest %lld)",
                  (long long) commit_seq, WAIT_MS,
                  (long long) s_stream_state (self).commit_seq);
}

//  ---------------------------------------------------------------------------
//  Commits

//  The store's commit sequence, from the dashboard's ETag "c<seq>-…".
static int64_t
s_commit_seq (void)
{
    char url [URL_SIZE];
    snprintf (url, sizeof url, "%s/api/dashboard?limit=1",
              gw_world_base (s_world));
    bb_http_exchange_t *exchange = bb_http_exchange_get (url, NULL, WAIT_MS);
    assert_int_equal (bb_http_exchange_status (exchange), 200);
    const char *etag = bb_http_exchange_header (exchange, "etag");
    assert_non_null (etag);
    int64_t seq = strtoll (etag + 2, NULL, 10);
    bb_http_exchange_destroy (&exchange);
    return seq;
}


//  ---------------------------------------------------------------------------
//  Tests

static void
test_event_after_commit (void **state)
{
    stream_t *stream = s_stream_new (gw_world_base (s_world));
    assert_int_equal (s_stream_wait_open (stream), 200);
    stream_t opened = s_stream_state (stream);
    assert_string_equal (opened.content_type, "text/event-stream");
    assert_string_equal (opened.cache_control, "no-store");
    int64_t before = s_commit_seq ();
    int64_t started = bb_clock_mono_ms ();
    gw_world_add_agent (s_world);
    s_stream_wait_seq (stream, before + 1);
    printf ("test: event after a commit in %lld ms\n",
            (long long) (bb_clock_mono_ms () - started));
    stream_t seen = s_stream_state (stream);
    assert_true (seen.events >= 1);
    json_t *data = json_loads (seen.data, 0, NULL);
    assert_non_null (data);
    const char *keys [] = { "commitSeq", "rotation", "rotationDone",
                            "rotationAgents", "agents" };
    for (size_t i = 0; i < 5; i++)
        assert_true (json_is_integer (json_object_get (data, keys [i])));
    assert_true (json_integer_value (json_object_get (data, "rotation")) >= 1);
    assert_int_equal (json_integer_value (json_object_get (data,
                      "rotationDone")), AGENTS);
    assert_true (json_is_string (json_object_get (data, "pricedAt")));
    json_decref (data);
    //  A stream opened now starts with the newest event, no commit needed
    stream_t *late = s_stream_new (gw_world_base (s_world));
    s_stream_wait_seq (late, seen.commit_seq);
    s_stream_destroy (&late);
    s_stream_destroy (&stream);
}

static void
test_cap_gives_503 (void **state)
{
    stream_t *streams [CAP];
    for (size_t i = 0; i < CAP; i++) {
        streams [i] = s_stream_new (s_small_base);
        assert_int_equal (s_stream_wait_open (streams [i]), 200);
    }
    char url [URL_SIZE];
    snprintf (url, sizeof url, "%s/api/dashboard/events", s_small_base);
    bb_http_exchange_t *refused = bb_http_exchange_get (url, NULL, WAIT_MS);
    assert_int_equal (bb_http_exchange_status (refused), 503);
    assert_string_equal (bb_http_exchange_header (refused, "retry-after"),
                         "2");
    assert_string_equal (bb_http_exchange_header (refused, "content-type"),
                         "application/json; charset=utf-8");
    json_t *error = json_loads (bb_http_exchange_body (refused), 0, NULL);
    assert_int_equal (json_integer_value (json_object_get (error, "status")),
                      503);
    json_decref (error);
    bb_http_exchange_destroy (&refused);
    for (size_t i = 0; i < CAP; i++)
        s_stream_destroy (&streams [i]);
}

//  A stream of the small gateway opens (200); a commit first, so that
//  streams whose clients left are written to, fail and are released.
static bool
s_small_stream_opens (void *arg)
{
    stream_t **stream_p = arg;
    gw_world_add_agent (s_world);
    *stream_p = s_stream_new (s_small_base);
    if (s_stream_wait_open (*stream_p) == 200)
        return true;
    s_stream_destroy (stream_p);
    return false;
}

//  A connection that asks for the stream, reads the start of the answer
//  and nothing more, with a small receive buffer.
static int
s_stalled_stream (void)
{
    int port = atoi (strrchr (s_small_base, ':') + 1);
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    assert_true (fd >= 0);
    int size = STALLED_RCVBUF;
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    struct sockaddr_in address = { .sin_family = AF_INET,
                                   .sin_port = htons ((uint16_t) port) };
    inet_pton (AF_INET, "127.0.0.1", &address.sin_addr);
    assert_int_equal (connect (fd, (struct sockaddr *) &address,
                               sizeof address), 0);
    const char *request = "GET /api/dashboard/events HTTP/1.1\r\n"
                          "Host: test\r\n\r\n";
    assert_int_equal (write (fd, request, strlen (request)),
                      (ssize_t) strlen (request));
    //  Read only the status line's start: the stream holds its slot now
    struct timeval hang = { WAIT_MS / 1000, 0 };
    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &hang, sizeof hang);
    char status [13] = "";
    assert_int_equal (recv (fd, status, 12, MSG_WAITALL), 12);
    assert_string_equal (status, "HTTP/1.1 200");
    return fd;
}

typedef struct {
    stream_t *reader;           // reads everything
    unsigned commits;
} stalled_t;

//  One more commit, seen by the reader; true once the stalled stream's
//  slot is free again (a probe stream opens).
static bool
s_stalled_dropped (void *arg)
{
    stalled_t *stalled = arg;
    gw_world_add_agent (s_world);
    stalled->commits++;
    s_stream_wait_seq (stalled->reader, s_commit_seq ());
    stream_t *probe = s_stream_new (s_small_base);
    bool opened = s_stream_wait_open (probe) == 200;
    s_stream_destroy (&probe);
    return opened;
}

static void
test_stalled_client_is_dropped (void **state)
{
    stalled_t stalled = { NULL, 0 };
    assert_int_equal (bb_clock_wait_until (s_small_stream_opens,
                                           &stalled.reader, WAIT_MS,
                                           POLL_MS), 0);
    int fd = s_stalled_stream ();
    int64_t started = bb_clock_mono_ms ();
    assert_int_equal (bb_clock_wait_until (s_stalled_dropped, &stalled,
                                           WAIT_MS * 2, POLL_MS), 0);
    printf ("test: a client that stopped reading dropped after %u commits "
            "in %lld ms; the other stream saw every one\n", stalled.commits,
            (long long) (bb_clock_mono_ms () - started));
    close (fd);
    s_stream_destroy (&stalled.reader);
}

static bool
s_stream_kept_alive (void *arg)
{
    return s_stream_state (arg).comments > 0;
}

//  With nothing to send, a stream still gets a comment line (every 15 s).
static void
test_keepalive (void **state)
{
    stream_t *stream = s_stream_new (gw_world_base (s_world));
    assert_int_equal (s_stream_wait_open (stream), 200);
    int64_t started = bb_clock_mono_ms ();
    assert_int_equal (bb_clock_wait_until (s_stream_kept_alive, stream,
                                           WAIT_MS, POLL_MS), 0);
    printf ("test: a keep-alive comment after %lld ms\n",
            (long long) (bb_clock_mono_ms () - started));
    s_stream_destroy (&stream);
}

static bool
s_dashboard_answers (void *arg)
{
    char url [URL_SIZE];
    snprintf (url, sizeof url, "%s/api/dashboard?limit=1",
              gw_world_base (s_world));
    bb_http_exchange_t *exchange = bb_http_exchange_get (url, NULL, WAIT_MS);
    bool answered = bb_http_exchange_status (exchange) == 200;
    bb_http_exchange_destroy (&exchange);
    return answered;
}

//  One more commit; true once the stream saw it.
static bool
s_commit_seen (void *arg)
{
    gw_world_add_agent (s_world);
    return s_stream_state (arg).commit_seq >= s_commit_seq ();
}

//  The store stops and starts again: streams stay open, and events come
//  again once it commits (the SUB reconnects by itself).
static void
test_events_after_store_restart (void **state)
{
    stream_t *stream = s_stream_new (gw_world_base (s_world));
    assert_int_equal (s_stream_wait_open (stream), 200);
    gw_world_stop_store (s_world);
    gw_world_start_store (s_world);
    assert_int_equal (bb_clock_wait_until (s_dashboard_answers, NULL,
                                           WAIT_MS, POLL_MS), 0);
    assert_int_equal (bb_clock_wait_until (s_commit_seen, stream, WAIT_MS,
                                           POLL_MS), 0);
    assert_false (s_stream_state (stream).finished);
    s_stream_destroy (&stream);
}

//  Last: SIGTERM with streams open ends them and exits 0 (the sanitizer
//  build also checks that everything was freed).
static void
test_clean_exit_with_streams (void **state)
{
    stream_t *stream = s_stream_new (gw_world_base (s_world));
    assert_int_equal (s_stream_wait_open (stream), 200);
    assert_int_equal (gw_world_stop_gateway (s_world), 0);
    assert_int_equal (bb_clock_wait_until (s_stream_finished, stream,
                                           WAIT_MS, POLL_MS), 0);
    s_stream_destroy (&stream);
}

//  ---------------------------------------------------------------------------

static int
s_setup (void **state)
{
    s_world = gw_world_new (AGENTS);
    s_small = gw_world_gateway_new (s_world, (const char *[]) {
        "--sse-max", "2", "--connection-timeout-s", "1", NULL },
        s_small_base);
    return 0;
}

static int
s_teardown (void **state)
{
    assert_int_equal (bb_child_stop (s_small, SIGTERM, WAIT_MS), 0);
    bb_child_destroy (&s_small);
    gw_world_destroy (&s_world);
    return 0;
}

BB_TEST_MAIN_CURL (s_setup, s_teardown,
    cmocka_unit_test (test_event_after_commit),
    cmocka_unit_test (test_cap_gives_503),
    cmocka_unit_test (test_stalled_client_is_dropped),
    cmocka_unit_test (test_keepalive),
    cmocka_unit_test (test_events_after_store_restart),
    cmocka_unit_test (test_clean_exit_with_streams))
