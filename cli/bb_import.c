/*  =========================================================================
    bb_import - agents to import, read from a file, stdin or a registry URL

    Owns the parsed agents (protobuf Agent messages with heap strings, freed
    with the import) and the rejections. Formats are told apart by their
    first value: an object with "agents" is a registry page, an array is a
    bare list, anything else is NDJSON read line by line.
    =========================================================================
*/
#include "bb_import.h"

#include <assert.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

//  Largest input accepted from a file or one registry page (bytes).
#define BB_IMPORT_MAX_INPUT (256 * 1024 * 1024)
//  Longest display name, BNS name or level name kept (bytes).
#define BB_IMPORT_MAX_NAME 256
//  Pages followed from a URL before giving up (a registry that never ends).
#define BB_IMPORT_MAX_PAGES 100000
#define BB_IMPORT_LEVEL_MAX 2

struct _bb_import_t {
    bb_network_t network;               // addresses are checked for it
    Balboard__Agent **agents;           // valid agents, owned
    size_t count;
    size_t capacity;
    bb_import_rejection_t *rejections;  // owned
    size_t rejected;
    size_t rejection_capacity;
    size_t seen;                        // agents read, valid or not
    char error [256];                   // why the last read failed
};

bb_import_t *
bb_import_new (bb_network_t network)
{
    bb_import_t *self = calloc (1, sizeof *self);
    assert (self);
    self->network = network;
    return self;
}

static void
s_agent_destroy (Balboard__Agent **agent_p)
{
    Balboard__Agent *agent = *agent_p;
    if (!agent)
        return;
    free (agent->stx_address);
    free (agent->btc_address);
    free (agent->display_name);
    free (agent->bns_name);
    free (agent->level_name);
    free (agent);
    *agent_p = NULL;
}

void
bb_import_destroy (bb_import_t **self_p)
{
    assert (self_p);
    bb_import_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        s_agent_destroy (&self->agents [i]);
    for (size_t i = 0; i < self->rejected; i++) {
        free (self->rejections [i].stx_address);
        free (self->rejections [i].reason);
    }
    free (self->agents);
    free (self->rejections);
    free (self);
    *self_p = NULL;
}

static int
s_fail (bb_import_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (self->error, sizeof self->error, format, args);
    va_end (args);
    return -1;
}

static void
s_reject (bb_import_t *self, const char *stx_address, const char *reason)
{
    if (self->rejected == self->rejection_capacity) {
        self->rejection_capacity = self->rejection_capacity
                                 ? self->rejection_capacity * 2 : 64;
        self->rejections = realloc (self->rejections,
            self->rejection_capacity * sizeof *self->rejections);
        assert (self->rejections);
    }
    bb_import_rejection_t *rejection = &self->rejections [self->rejected++];
    rejection->index = self->seen;
    rejection->stx_address = strdup (stx_address ? stx_address : "");
    rejection->reason = strdup (reason);
}

static void
s_keep (bb_import_t *self, Balboard__Agent *agent)
{
    if (self->count == self->capacity) {
        self->capacity = self->capacity ? self->capacity * 2 : 256;
        self->agents = realloc (self->agents,
                                self->capacity * sizeof *self->agents);
        assert (self->agents);
    }
    self->agents [self->count++] = agent;
}

//  Optional string field: NULL or JSON null is "", a string is copied, any
//  other type or an over-long string is an error (returns NULL, *reason).
static char *
s_string_field (json_t *object, const char *key, const char **reason)
{
    json_t *value = json_object_get (object, key);
    if (!value || json_is_null (value))
        return strdup ("");
    if (!json_is_string (value)) {
        *reason = "a name field is not a string";
        return NULL;
    }
    if (json_string_length (value) > BB_IMPORT_MAX_NAME) {
        *reason = "a name field is too long";
        return NULL;
    }
    return strdup (json_string_value (value));
}

//  Check the addresses and level of one agent object. Returns 0, or -1
//  with the reason in reason (size bytes).
static int
s_check_agent (bb_import_t *self, json_t *value, char *reason, size_t size)
{
    const char *stx = json_string_value (json_object_get (value, "stxAddress"));
    const char *btc = json_string_value (json_object_get (value, "btcAddress"));
    json_t *level = json_object_get (value, "level");
    const char *why = NULL;
    if (!json_is_object (value))
        snprintf (reason, size, "not a JSON object");
    else
    if (!stx)
        snprintf (reason, size, "missing stxAddress");
    else
    if (bb_address_check_stx (stx, self->network, &why))
        snprintf (reason, size, "invalid stxAddress: %s", why);
    else
    if (!btc)
        snprintf (reason, size, "missing btcAddress");
    else
    if (bb_address_check_btc (btc, self->network, &why))
        snprintf (reason, size, "invalid btcAddress: %s", why);
    else
    if (level && !json_is_null (level)
    &&  (!json_is_integer (level) || json_integer_value (level) < 0
         || json_integer_value (level) > BB_IMPORT_LEVEL_MAX))
        snprintf (reason, size, "level is not 0, 1 or 2");
    else
        return 0;
    return -1;
}

//  Take one agent object: keep it or reject it.
static void
s_take_agent (bb_import_t *self, json_t *value)
{
    const char *stx = json_string_value (json_object_get (value, "stxAddress"));
    char why [128];
    if (s_check_agent (self, value, why, sizeof why)) {
        s_reject (self, stx, why);
        self->seen++;
        return;
    }
    const char *reason = NULL;
    Balboard__Agent *agent = calloc (1, sizeof *agent);
    assert (agent);
    balboard__agent__init (agent);
    agent->stx_address = strdup (stx);
    agent->btc_address = strdup (json_string_value (
                                 json_object_get (value, "btcAddress")));
    agent->display_name = s_string_field (value, "displayName", &reason);
    agent->bns_name = s_string_field (value, "bnsName", &reason);
    agent->level_name = s_string_field (value, "levelName", &reason);
    agent->level = (uint32_t) json_integer_value (json_object_get (value,
                                                                   "level"));
    if (!agent->display_name || !agent->bns_name || !agent->level_name) {
        s_reject (self, stx, reason);
        s_agent_destroy (&agent);
    }
    else
        s_keep (self, agent);
    self->seen++;
}

static void
s_take_array (bb_import_t *self, json_t *array)
{
    size_t index;
    json_t *value;
    json_array_foreach (array, index, value)
        s_take_agent (self, value);
}

//  Parse NDJSON text: one agent per non-blank line.
static int
s_take_ndjson (bb_import_t *self, const char *text, size_t size)
{
    const char *line = text;
    const char *end = text + size;
    size_t line_number = 0;
    while (line < end) {
        const char *newline = memchr (line, '\n', (size_t) (end - line));
        size_t length = newline ? (size_t) (newline - line)
                                : (size_t) (end - line);
        line_number++;
        size_t blank = strspn (line, " \t\r");
        if (blank < length) {
            json_error_t error;
            json_t *value = json_loadb (line, length, 0, &error);
            if (!value)
                return s_fail (self, "line %zu: not JSON: %s", line_number,
                               error.text);
            s_take_agent (self, value);
            json_decref (value);
        }
        line = newline ? newline + 1 : end;
    }
    return 0;
}

//  Take the agents of one document. Sets *has_more from a registry page's
//  pagination (false otherwise) and *page_count to the agents it held.
static int
s_take_document (bb_import_t *self, const char *text, size_t size,
                 bool *has_more, size_t *page_count)
{
    *has_more = false;
    *page_count = 0;
    size_t before = self->seen;
    json_error_t error;
    json_t *document = json_loadb (text, size, 0, &error);
    if (!document) {
        int rc = s_take_ndjson (self, text, size);
        *page_count = self->seen - before;
        return rc;
    }
    int rc = 0;
    if (json_is_array (document))
        s_take_array (self, document);
    else
    if (json_is_object (document) && json_object_get (document, "agents")) {
        json_t *agents = json_object_get (document, "agents");
        if (!json_is_array (agents))
            rc = s_fail (self, "\"agents\" is not an array");
        else
            s_take_array (self, agents);
        json_t *pagination = json_object_get (document, "pagination");
        *has_more = json_is_true (json_object_get (pagination, "hasMore"));
    }
    else
    if (json_is_object (document))
        s_take_agent (self, document);      // NDJSON of one line
    else
        rc = s_fail (self, "input is neither an agent list nor NDJSON");
    json_decref (document);
    *page_count = self->seen - before;
    return rc;
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
    bool has_more;
    size_t page_count;
    if (total > BB_IMPORT_MAX_INPUT)
        rc = s_fail (self, "input is larger than %d MiB",
                     BB_IMPORT_MAX_INPUT >> 20);
    else
    if (ferror (stream))
        rc = s_fail (self, "read error");
    else
        rc = s_take_document (self, text, size, &has_more, &page_count);
    free (text);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Registry API over HTTP

typedef struct {
    char *data;
    size_t size;
    bool over_cap;
} s_body_t;

static size_t
s_body_write (char *data, size_t size, size_t count, void *arg)
{
    s_body_t *body = arg;
    size_t bytes = size * count;
    if (body->size + bytes > BB_IMPORT_MAX_INPUT) {
        body->over_cap = true;
        return 0;
    }
    char *grown = realloc (body->data, body->size + bytes + 1);
    if (!grown)
        return 0;
    body->data = grown;
    memcpy (body->data + body->size, data, bytes);
    body->size += bytes;
    body->data [body->size] = '\0';
    return bytes;
}

//  GET one page into body. Returns 0 or -1 (error set).
static int
s_get_page (bb_import_t *self, CURL *curl, const char *url, s_body_t *body)
{
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
    CURLcode code = curl_easy_perform (curl);
    if (body->over_cap)
        return s_fail (self, "%s: response larger than %d MiB", url,
                       BB_IMPORT_MAX_INPUT >> 20);
    if (code != CURLE_OK)
        return s_fail (self, "%s: %s", url, curl_easy_strerror (code));
    long status = 0;
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200)
        return s_fail (self, "%s: HTTP status %ld", url, status);
    return 0;
}

static int
s_read_url (bb_import_t *self, const char *url, long timeout_ms)
{
    CURL *curl = curl_easy_init ();
    if (!curl)
        return s_fail (self, "cannot create an HTTP client");
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_body_write);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
    int rc = 0;
    size_t offset = 0;
    bool has_more = true;
    for (size_t page = 0; rc == 0 && has_more; page++) {
        if (page == BB_IMPORT_MAX_PAGES) {
            rc = s_fail (self, "%s: more than %d pages", url,
                         BB_IMPORT_MAX_PAGES);
            break;
        }
        char page_url [4096];
        snprintf (page_url, sizeof page_url, "%s%climit=%d&offset=%zu", url,
                  strchr (url, '?') ? '&' : '?', BB_IMPORT_PAGE_LIMIT, offset);
        s_body_t body = { 0 };
        size_t page_count = 0;
        rc = s_get_page (self, curl, page_url, &body);
        if (rc == 0)
            rc = s_take_document (self, body.data ? body.data : "", body.size,
                                  &has_more, &page_count);
        free (body.data);
        if (rc == 0 && has_more && page_count == 0)
            rc = s_fail (self, "%s: hasMore with an empty page", page_url);
        offset += page_count;
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
        return s_fail (self, "%s: cannot open: %s", source, strerror (errno));
    int rc = s_read_stream (self, file);
    fclose (file);
    return rc;
}

size_t
bb_import_count (bb_import_t *self)
{
    return self->count;
}

Balboard__Agent **
bb_import_agents (bb_import_t *self)
{
    return self->agents;
}

size_t
bb_import_rejected_count (bb_import_t *self)
{
    return self->rejected;
}

const bb_import_rejection_t *
bb_import_rejection (bb_import_t *self, size_t index)
{
    return index < self->rejected ? &self->rejections [index] : NULL;
}

const char *
bb_import_error (bb_import_t *self)
{
    return self->error;
}
