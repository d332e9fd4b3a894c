/*  =========================================================================
    bb_agent_list - agents read from agent-list documents, checked

    Owns the parsed agents (protobuf Agent messages with heap strings,
    freed with the list) and the rejections. Formats are told apart by
    their first value: an object with "agents" is a registry page, an
    array is a bare list, anything else is NDJSON read line by line.
    =========================================================================
*/
#include "bb_agent_list.h"
#include "bb_array.h"
#include "bb_reason.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEVEL_MAX 2

struct _bb_agent_list_t {
    bb_network_t network;               // addresses are checked for it
    Balboard__AgentOwner owner;         // what every agent kept gets
    Balboard__Agent **agents;           // valid agents, owned
    size_t count;
    size_t capacity;
    bb_agent_rejection_t *rejections;   // owned
    size_t rejected;
    size_t rejection_capacity;
    size_t seen;                        // agents read, valid or not
    char error [256];                   // why the last parse failed
};

bb_agent_list_t *
bb_agent_list_new (bb_network_t network, Balboard__AgentOwner owner)
{
    bb_agent_list_t *self = calloc (1, sizeof *self);
    assert (self);
    self->network = network;
    self->owner = owner;
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
bb_agent_list_truncate (bb_agent_list_t *self, size_t agents,
                        size_t rejected)
{
    assert (self);
    while (self->count > agents)
        s_agent_destroy (&self->agents [--self->count]);
    while (self->rejected > rejected) {
        bb_agent_rejection_t *rejection = &self->rejections [--self->rejected];
        free (rejection->stx_address);
        free (rejection->reason);
    }
}

void
bb_agent_list_destroy (bb_agent_list_t **self_p)
{
    assert (self_p);
    bb_agent_list_t *self = *self_p;
    if (!self)
        return;
    bb_agent_list_truncate (self, 0, 0);
    free (self->agents);
    free (self->rejections);
    free (self);
    *self_p = NULL;
}

static void
s_reject (bb_agent_list_t *self, const char *stx_address, const char *reason)
{
    self->rejections = bb_array_grow (self->rejections, self->rejected,
                                      &self->rejection_capacity,
                                      sizeof *self->rejections, 64);
    bb_agent_rejection_t *rejection = &self->rejections [self->rejected++];
    rejection->index = self->seen;
    rejection->stx_address = strdup (stx_address ? stx_address : "");
    rejection->reason = strdup (reason);
}

static void
s_keep (bb_agent_list_t *self, Balboard__Agent *agent)
{
    self->agents = bb_array_grow (self->agents, self->count, &self->capacity,
                                  sizeof *self->agents, 256);
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
    if (json_string_length (value) > BB_AGENT_LIST_NAME_MAX) {
        *reason = "a name field is too long";
        return NULL;
    }
    return strdup (json_string_value (value));
}

//  Check the addresses and level of one agent object. Returns 0, or -1
//  with the reason in reason (size bytes).
static int
s_check_agent (bb_agent_list_t *self, json_t *value, char *reason,
               size_t size)
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
         || json_integer_value (level) > LEVEL_MAX))
        snprintf (reason, size, "level is not 0, 1 or 2");
    else
        return 0;
    return -1;
}

//  Take one agent object: keep it or reject it.
static void
s_take_agent (bb_agent_list_t *self, json_t *value)
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
    agent->owner = self->owner;
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
s_take_array (bb_agent_list_t *self, json_t *array)
{
    size_t index;
    json_t *value;
    json_array_foreach (array, index, value)
        s_take_agent (self, value);
}

//  Parse NDJSON text: one agent per non-blank line.
static int
s_take_ndjson (bb_agent_list_t *self, const char *text, size_t size)
{
    const char *line = text;
    const char *end = text + size;
    size_t line_number = 0;
    while (line < end) {
        const char *newline = memchr (line, '\n', (size_t) (end - line));
        size_t length = newline ? (size_t) (newline - line)
                                : (size_t) (end - line);
        line_number++;
        size_t blank = 0;
        while (blank < length && memchr (" \t\r", line [blank], 3))
            blank++;
        if (blank < length) {
            json_error_t error;
            json_t *value = json_loadb (line, length, 0, &error);
            if (!value)
                return bb_reason_fail (self->error, sizeof self->error,
                                       "line %zu: not JSON: %s",
                                       line_number, error.text);
            s_take_agent (self, value);
            json_decref (value);
        }
        line = newline ? newline + 1 : end;
    }
    return 0;
}

//  A registry page: its agents and pagination.
static int
s_take_registry_page (bb_agent_list_t *self, json_t *document,
                      bb_agent_page_t *page)
{
    json_t *agents = json_object_get (document, "agents");
    json_t *pagination = json_object_get (document, "pagination");
    json_t *total = json_object_get (pagination, "total");
    page->registry_page = true;
    page->has_more = json_is_true (json_object_get (pagination, "hasMore"));
    page->total = json_is_integer (total) && json_integer_value (total) >= 0
                ? (int64_t) json_integer_value (total) : -1;
    if (!json_is_array (agents))
        return bb_reason_fail (self->error, sizeof self->error,
                               "\"agents\" is not an array");
    s_take_array (self, agents);
    return 0;
}

int
bb_agent_list_parse (bb_agent_list_t *self, const char *text, size_t size,
                     bb_agent_page_t *page)
{
    assert (self);
    bb_agent_page_t ignored;
    if (!page)
        page = &ignored;
    *page = (bb_agent_page_t) { .total = -1 };
    size_t before = self->seen;
    json_error_t error;
    json_t *document = json_loadb (text, size, 0, &error);
    int rc = 0;
    if (!document)
        rc = s_take_ndjson (self, text, size);
    else
    if (json_is_array (document))
        s_take_array (self, document);
    else
    if (json_is_object (document) && json_object_get (document, "agents"))
        rc = s_take_registry_page (self, document, page);
    else
    if (json_is_object (document))
        s_take_agent (self, document);      // NDJSON of one line
    else
        rc = bb_reason_fail (self->error, sizeof self->error,
                             "input is neither an agent list nor NDJSON");
    json_decref (document);
    page->entries = self->seen - before;
    return rc;
}

size_t
bb_agent_list_count (bb_agent_list_t *self)
{
    return self->count;
}

Balboard__Agent **
bb_agent_list_agents (bb_agent_list_t *self)
{
    return self->agents;
}

size_t
bb_agent_list_rejected_count (bb_agent_list_t *self)
{
    return self->rejected;
}

const bb_agent_rejection_t *
bb_agent_list_rejection (bb_agent_list_t *self, size_t index)
{
    return index < self->rejected ? &self->rejections [index] : NULL;
}

size_t
bb_agent_list_seen (bb_agent_list_t *self)
{
    return self->seen;
}

const char *
bb_agent_list_error (bb_agent_list_t *self)
{
    return self->error;
}
