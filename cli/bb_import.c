/*  =========================================================================
    bb_import - agents to import, read from a file, stdin or a registry URL

    Owns the bytes of the input and the agent list they are parsed into
    (bb_agent_list, shared with the fetcher's registry sync); this module
    only reads: a file, stdin, or a registry URL page by page with
    libcurl's easy interface.
    =========================================================================
*/
#include "bb_import.h"
#include "bb_buffer.h"
#include "bb_reason.h"

#include <assert.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

//  Largest input accepted from a file or one registry page (bytes).
#define BB_IMPORT_MAX_INPUT (256 * 1024 * 1024)
//  Pages followed from a URL before giving up (a registry that never ends).
#define BB_IMPORT_MAX_PAGES 100000

struct _bb_import_t {
    bb_agent_list_t *list;              // what was read
    char error [256];                   // why the last read failed
};

bb_import_t *
bb_import_new (bb_network_t network, Balboard__AgentOwner owner)
{
    bb_import_t *self = calloc (1, sizeof *self);
    assert (self);
    self->list = bb_agent_list_new (network, owner);
    return self;
}

void
bb_import_destroy (bb_import_t **self_p)
{
    assert (self_p);
    bb_import_t *self = *self_p;
    if (!self)
        return;
    bb_agent_list_destroy (&self->list);
    free (self);
    *self_p = NULL;
}

//  Take the agents of one document into the list; page says what it held.
static int
s_take_document (bb_import_t *self, const char *text, size_t size,
                 bb_agent_page_t *page)
{
    if (bb_agent_list_parse (self->list, text, size, page))
        return bb_reason_fail (self->error, sizeof self->error, "%s",
                               bb_agent_list_error (self->list));
    return 0;
}

static int
s_read_stream (bb_import_t *self, FILE *stream)
{
    char *text = NULL;
    size_t size = 0;
    FILE *memory = open_memstream (&text, &size);
    assert (memory);
    char chunk [65536];
    size_t got;
    size_t total = 0;
    while ((got = fread (chunk, 1, sizeof chunk, stream)) > 0) {
        total += got;
        if (total > BB_IMPORT_MAX_INPUT)
            break;
        fwrite (chunk, 1, got, memory);
    }
    fclose (memory);
    int rc;
    if (total > BB_IMPORT_MAX_INPUT)
        rc = bb_reason_fail (self->error, sizeof self->error,
                             "input is larger than %d MiB",
                             BB_IMPORT_MAX_INPUT >> 20);
    else
    if (ferror (stream))
        rc = bb_reason_fail (self->error, sizeof self->error, "read error");
    else
        rc = s_take_document (self, text, size, NULL);
    free (text);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Registry API over HTTP

typedef struct {
    bb_buffer_t bytes;
    bool over_cap;
} s_body_t;

static size_t
s_body_write (char *data, size_t size, size_t count, void *arg)
{
    s_body_t *body = arg;
    size_t bytes = size * count;
    if (body->bytes.size + bytes > BB_IMPORT_MAX_INPUT) {
        body->over_cap = true;
        return 0;
    }
    return bb_buffer_append (&body->bytes, data, bytes) ? 0 : bytes;
}

//  GET one page into body. Returns 0 or -1 (error set).
static int
s_get_page (bb_import_t *self, CURL *curl, const char *url, s_body_t *body)
{
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
    CURLcode code = curl_easy_perform (curl);
    if (body->over_cap)
        return bb_reason_fail (self->error, sizeof self->error,
                               "%s: response larger than %d MiB", url,
                               BB_IMPORT_MAX_INPUT >> 20);
    if (code != CURLE_OK)
        return bb_reason_fail (self->error, sizeof self->error, "%s: %s",
                               url, curl_easy_strerror (code));
    long status = 0;
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200)
        return bb_reason_fail (self->error, sizeof self->error,
                               "%s: HTTP status %ld", url, status);
    return 0;
}

static int
s_read_url (bb_import_t *self, const char *url, long timeout_ms)
{
    CURL *curl = curl_easy_init ();
    if (!curl)
        return bb_reason_fail (self->error, sizeof self->error,
                               "cannot create an HTTP client");
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_body_write);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
    int rc = 0;
    size_t offset = 0;
    bool has_more = true;
    for (size_t page = 0; rc == 0 && has_more; page++) {
        if (page == BB_IMPORT_MAX_PAGES) {
            rc = bb_reason_fail (self->error, sizeof self->error,
                                 "%s: more than %d pages", url,
                                 BB_IMPORT_MAX_PAGES);
            break;
        }
        char page_url [4096];
        snprintf (page_url, sizeof page_url, "%s%climit=%d&offset=%zu", url,
                  strchr (url, '?') ? '&' : '?', BB_IMPORT_PAGE_LIMIT, offset);
        s_body_t body = { 0 };
        bb_agent_page_t got = { 0 };
        rc = s_get_page (self, curl, page_url, &body);
        if (rc == 0)
            rc = s_take_document (self, body.bytes.data ? body.bytes.data : "",
                                  body.bytes.size, &got);
        bb_buffer_free (&body.bytes);
        has_more = got.has_more;
        if (rc == 0 && has_more && got.entries == 0)
            rc = bb_reason_fail (self->error, sizeof self->error,
                                 "%s: hasMore with an empty page",
                                 page_url);
        offset += got.entries;
    }
    curl_easy_cleanup (curl);
    return rc;
}

int
bb_import_read (bb_import_t *self, const char *source, long timeout_ms)
{
    if (strcmp (source, "-") == 0)
        return s_read_stream (self, stdin);
    if (strncmp (source, "http://", 7) == 0
    ||  strncmp (source, "https://", 8) == 0)
        return s_read_url (self, source, timeout_ms);
    FILE *file = fopen (source, "rb");
    if (!file)
        return bb_reason_fail (self->error, sizeof self->error,
                               "%s: cannot open: %s", source,
                               strerror (errno));
    int rc = s_read_stream (self, file);
    fclose (file);
    return rc;
}

size_t
bb_import_count (bb_import_t *self)
{
    return bb_agent_list_count (self->list);
}

Balboard__Agent **
bb_import_agents (bb_import_t *self)
{
    return bb_agent_list_agents (self->list);
}

size_t
bb_import_rejected_count (bb_import_t *self)
{
    return bb_agent_list_rejected_count (self->list);
}

const bb_import_rejection_t *
bb_import_rejection (bb_import_t *self, size_t index)
{
    return bb_agent_list_rejection (self->list, index);
}

const char *
bb_import_error (bb_import_t *self)
{
    return self->error;
}
