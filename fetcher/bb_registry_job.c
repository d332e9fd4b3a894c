/*  =========================================================================
    bb_registry_job - one registry sync job, from RegistryJob to the
    snapshot parts and the JobReport

    Layers: the read (pages, checks, the end of the read); the snapshot
    parts; the reports; the public methods. One page is on the wire at a
    time: the next offset is known only from the page before.
    =========================================================================
*/
#include "bb_registry_job.h"

#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bb_agent_list.h"
#include "bb_log.h"
#include "bb_pb.h"
#include "bb_reason.h"
#include "bb_tally.h"
#include "bb_upstream.h"

#define LANE            BB_UPSTREAM_REGISTRY
#define REASON_SIZE     256

struct _bb_registry_job_t {
    bb_http_t *http;                    // borrowed
    char *job_id;                       // owned copies of the job's fields
    char *url;                          // may carry credentials: not shown
    char *source;
    char *fetcher_id;
    uint32_t attempt;
    uint64_t generation;
    uint32_t page_limit;
    uint32_t requests_max;              // 0 = no limit
    bool confirm;
    uint32_t max_remove_pct;
    int64_t deadline_ms;                // monotonic
    bb_agent_list_t *list;              // what the pages held
    zhashx_t *listed;                   // STX addresses listed so far
    size_t offset;                      // of the next page
    uint32_t pages;                     // pages read
    int64_t total;                      // the first page's total, or -1
    bool reading;                       // a page is on the wire
    bool done;                          // the read is over
    bool stopping;                      // being destroyed: ask nothing
    char incomplete [REASON_SIZE];      // why not complete, "" if complete
    uint64_t started_ms;                // wall clock
    uint64_t finished_ms;
    bb_tally_t tally;                   // the registry's requests
    Balboard__AgentRejection *rejections;       // owned, built when done
    Balboard__AgentRejection **rejection_list;  // pointers into it
    Balboard__RegistrySnapshot part;            // the last part built
    Balboard__UpstreamReport *progress;         // owned, last built
    Balboard__JobReport *report;                // owned, last built
};

//  ---------------------------------------------------------------------
//  The read

static void s_on_page (const bb_http_result_t *result, void *arg);

//  The read is over: complete unless reason (printf format) says why not.
static void
s_finish (bb_registry_job_t *self, const char *reason, ...)
{
    if (reason) {
        va_list args;
        va_start (args, reason);
        vsnprintf (self->incomplete, sizeof self->incomplete, reason, args);
        va_end (args);
    }
    self->done = true;
    self->finished_ms = (uint64_t) zclock_time ();
    char quoted [2 * REASON_SIZE];
    bb_info ("registry_read", "job=%s pages=%" PRIu32 " requests=%" PRIu32
             " agents=%zu rejected=%zu complete=%s reason=%s", self->job_id,
             self->pages, self->tally.requests,
             bb_agent_list_count (self->list),
             bb_agent_list_rejected_count (self->list),
             self->incomplete [0] ? "no" : "yes",
             bb_log_quote (self->incomplete, quoted, sizeof quoted));
}

//  Ask the next page, unless the deadline or the budget says stop.
static void
s_next_page (bb_registry_job_t *self)
{
    if (zclock_mono () >= self->deadline_ms) {
        s_finish (self, "deadline reached after %" PRIu32 " pages",
                  self->pages);
        return;
    }
    if (self->requests_max && self->tally.requests >= self->requests_max) {
        s_finish (self, "registry budget of %" PRIu32 " requests used up "
                  "after %" PRIu32 " pages", self->requests_max, self->pages);
        return;
    }
    char *url = zsys_sprintf ("%s%climit=%" PRIu32 "&offset=%zu", self->url,
                              strchr (self->url, '?') ? '&' : '?',
                              self->page_limit, self->offset);
    self->reading = true;
    bb_http_get (self->http, LANE, url, self->deadline_ms, s_on_page, self);
    zstr_free (&url);
}

//  Why a page that is not a 200 failed, into why (REASON_SIZE bytes).
static bool
s_page_failed (const bb_http_result_t *result, char *why)
{
    if (result->outcome == BB_HTTP_RESPONSE && result->status == 200)
        return false;
    if (result->outcome == BB_HTTP_RESPONSE)
        snprintf (why, REASON_SIZE, "HTTP %ld", result->status);
    else
        snprintf (why, REASON_SIZE, "%s", result->detail);
    return true;
}

//  True if the agents and rejections after the first agents / rejected
//  list an STX address listed before (or twice); else they are noted.
static bool
s_repeats (bb_registry_job_t *self, size_t agents, size_t rejected)
{
    zlistx_t *added = zlistx_new ();
    Balboard__Agent **list = bb_agent_list_agents (self->list);
    for (size_t index = agents; index < bb_agent_list_count (self->list);
         index++)
        zlistx_add_end (added, list [index]->stx_address);
    for (size_t index = rejected;
         index < bb_agent_list_rejected_count (self->list); index++) {
        const char *stx = bb_agent_list_rejection (self->list,
                                                   index)->stx_address;
        if (*stx)
            zlistx_add_end (added, (void *) stx);
    }
    bool repeated = false;
    for (const char *stx = zlistx_first (added); stx && !repeated;
         stx = zlistx_next (added))
        repeated = zhashx_insert (self->listed, stx, (void *) 1) != 0;
    zlistx_destroy (&added);
    return repeated;
}

//  Take one page's body: its agents, then the checks that end the read.
static void
s_take_page (bb_registry_job_t *self, const bb_http_result_t *result)
{
    size_t agents = bb_agent_list_count (self->list);
    size_t rejected = bb_agent_list_rejected_count (self->list);
    size_t at = self->offset;
    bb_agent_page_t page;
    if (bb_agent_list_parse (self->list, result->body, result->body_size,
                             &page)) {
        bb_agent_list_truncate (self->list, agents, rejected);
        s_finish (self, "page at offset %zu: %s", at,
                  bb_agent_list_error (self->list));
    }
    else
    if (s_repeats (self, agents, rejected)) {
        bb_agent_list_truncate (self->list, agents, rejected);
        s_finish (self, "page at offset %zu repeats agents of an earlier "
                  "page", at);
    }
    else {
        self->pages++;
        self->offset += page.entries;
        if (self->pages == 1)
            self->total = page.total;
        if (page.total != self->total)
            s_finish (self, "registry total changed from %" PRId64 " to %"
                      PRId64 " while it was read", self->total, page.total);
        else
        if (page.has_more && page.entries == 0)
            s_finish (self, "hasMore with an empty page at offset %zu", at);
        else
        if (!page.has_more && self->total >= 0
        &&  (int64_t) self->offset != self->total)
            s_finish (self, "read %zu agents, the registry said %" PRId64,
                      self->offset, self->total);
        else
        if (!page.has_more)
            s_finish (self, NULL);
        else
            s_next_page (self);
    }
}

static void
s_on_page (const bb_http_result_t *result, void *arg)
{
    bb_registry_job_t *self = arg;
    self->reading = false;
    bb_tally_count (&self->tally, result);
    char why [REASON_SIZE];
    if (self->stopping)
        return;
    if (s_page_failed (result, why)) {
        bb_tally_fail (&self->tally, why);
        s_finish (self, "page at offset %zu: %s", self->offset, why);
    }
    else
        s_take_page (self, result);
}

//  ---------------------------------------------------------------------
//  The snapshot parts

//  The rejections on the wire, built once when the read is over.
static void
s_rejections_build (bb_registry_job_t *self)
{
    size_t count = bb_agent_list_rejected_count (self->list);
    self->rejections = calloc (count + 1, sizeof *self->rejections);
    self->rejection_list = calloc (count + 1, sizeof *self->rejection_list);
    assert (self->rejections && self->rejection_list);
    for (size_t index = 0; index < count; index++) {
        const bb_agent_rejection_t *from =
            bb_agent_list_rejection (self->list, index);
        Balboard__AgentRejection *to = &self->rejections [index];
        balboard__agent_rejection__init (to);
        to->stx_address = from->stx_address;
        to->reason = from->reason;
        to->index = (uint32_t) from->index;
        self->rejection_list [index] = to;
    }
}

//  first..first+count of a list of total items, in part index.
static size_t
s_slice (size_t total, size_t index, size_t *first)
{
    *first = index * BB_REGISTRY_JOB_PART_AGENTS;
    if (*first >= total)
        return 0;
    size_t left = total - *first;
    return left < BB_REGISTRY_JOB_PART_AGENTS
         ? left : BB_REGISTRY_JOB_PART_AGENTS;
}

//  ---------------------------------------------------------------------
//  The reports

//  The store never answered: what the fetcher knows of the sync.
static Balboard__RegistrySyncReport *
s_failed_sync (bb_registry_job_t *self, const char *failure)
{
    Balboard__RegistrySyncReport *sync =
        bb_pb_new (&balboard__registry_sync_report__descriptor);
    sync->generation = self->generation;
    sync->outcome = BALBOARD__SYNC_OUTCOME__SYNC_FAILED;
    sync->reason = bb_pb_strdup (failure ? failure : "");
    sync->source = bb_pb_strdup (self->source);
    sync->registry_agents = (uint32_t) bb_agent_list_count (self->list);
    sync->rejected = (uint32_t) bb_agent_list_rejected_count (self->list);
    sync->pages = self->pages;
    sync->requests = self->tally.requests;
    sync->started_ms = self->started_ms;
    return sync;
}

static const char *
s_outcome_name (Balboard__SyncOutcome outcome)
{
    const ProtobufCEnumValue *value = protobuf_c_enum_descriptor_get_value (
        &balboard__sync_outcome__descriptor, (int) outcome);
    return value ? value->name : "unknown";
}

//  ---------------------------------------------------------------------
//  Public methods

bb_registry_job_t *
bb_registry_job_new (const Balboard__RegistryJob *job, bb_http_t *http,
                     bb_network_t network, const char *fetcher_id,
                     int64_t deadline_ms)
{
    assert (job && http && fetcher_id);
    bb_registry_job_t *self = calloc (1, sizeof *self);
    assert (self);
    self->http = http;
    self->job_id = strdup (job->job_id ? job->job_id : "");
    self->url = strdup (job->url ? job->url : "");
    self->source = strdup (job->source ? job->source : "");
    self->fetcher_id = strdup (fetcher_id);
    self->attempt = job->attempt;
    self->generation = job->generation;
    self->page_limit = job->page_limit ? job->page_limit
                                       : BB_REGISTRY_JOB_PAGE_LIMIT;
    self->requests_max = job->requests_max;
    self->confirm = job->confirm;
    self->max_remove_pct = job->max_remove_pct;
    self->deadline_ms = deadline_ms;
    self->list = bb_agent_list_new (network,
                                    BALBOARD__AGENT_OWNER__AGENT_OWNER_REGISTRY);
    self->listed = zhashx_new ();
    self->total = -1;
    self->started_ms = (uint64_t) zclock_time ();
    s_next_page (self);
    return self;
}

void
bb_registry_job_destroy (bb_registry_job_t **self_p)
{
    assert (self_p);
    bb_registry_job_t *self = *self_p;
    if (!self)
        return;
    self->stopping = true;
    if (self->reading)
        bb_http_cancel_all (self->http);
    assert (!self->reading);
    if (self->progress)
        balboard__upstream_report__free_unpacked (self->progress, NULL);
    if (self->report)
        balboard__job_report__free_unpacked (self->report, NULL);
    bb_agent_list_destroy (&self->list);
    zhashx_destroy (&self->listed);
    free (self->rejections);
    free (self->rejection_list);
    free (self->job_id);
    free (self->url);
    free (self->source);
    free (self->fetcher_id);
    free (self);
    *self_p = NULL;
}

const char *
bb_registry_job_id (bb_registry_job_t *self)
{
    assert (self);
    return self->job_id;
}

bool
bb_registry_job_done (bb_registry_job_t *self)
{
    assert (self);
    return self->done;
}

size_t
bb_registry_job_parts (bb_registry_job_t *self)
{
    assert (self && self->done);
    size_t most = bb_agent_list_count (self->list);
    size_t rejected = bb_agent_list_rejected_count (self->list);
    if (rejected > most)
        most = rejected;
    size_t parts = (most + BB_REGISTRY_JOB_PART_AGENTS - 1)
                 / BB_REGISTRY_JOB_PART_AGENTS;
    return parts ? parts : 1;
}

const Balboard__RegistrySnapshot *
bb_registry_job_part (bb_registry_job_t *self, size_t index)
{
    assert (self && self->done);
    assert (index < bb_registry_job_parts (self));
    if (!self->rejection_list)
        s_rejections_build (self);
    Balboard__RegistrySnapshot *part = &self->part;
    balboard__registry_snapshot__init (part);
    part->job_id = self->job_id;
    part->attempt = self->attempt;
    part->generation = self->generation;
    part->complete = self->incomplete [0] == 0;
    part->incomplete_reason = self->incomplete;
    part->confirm = self->confirm;
    part->max_remove_pct = self->max_remove_pct;
    part->source = self->source;
    part->pages = self->pages;
    part->requests = self->tally.requests;
    part->started_ms = self->started_ms;
    part->finished_ms = self->finished_ms;
    part->part = (uint32_t) index;
    part->last_part = index + 1 == bb_registry_job_parts (self);
    size_t first;
    part->n_agents = s_slice (bb_agent_list_count (self->list), index,
                              &first);
    part->agents = bb_agent_list_agents (self->list) + first;
    part->n_rejected = s_slice (bb_agent_list_rejected_count (self->list),
                                index, &first);
    part->rejected = self->rejection_list + first;
    return part;
}

Balboard__UpstreamReport *const *
bb_registry_job_progress (bb_registry_job_t *self, size_t *count)
{
    assert (self && count);
    if (self->progress)
        balboard__upstream_report__free_unpacked (self->progress, NULL);
    self->progress = bb_tally_report (&self->tally, LANE, "");
    *count = 1;
    return &self->progress;
}

const Balboard__JobReport *
bb_registry_job_report (bb_registry_job_t *self,
                        const Balboard__RegistrySyncReport *reply,
                        const char *failure)
{
    assert (self);
    if (self->report)
        balboard__job_report__free_unpacked (self->report, NULL);
    Balboard__JobReport *report = bb_pb_job_report (self->job_id,
                                                    self->attempt,
                                                    self->fetcher_id);
    report->agents_ok = (uint32_t) bb_agent_list_count (self->list);
    report->agents_failed = (uint32_t) bb_agent_list_rejected_count (
                                           self->list);
    report->store_status = reply ? BALBOARD__ACK_STATUS__ACK_COMMITTED
                                 : BALBOARD__ACK_STATUS__ACK_STATUS_UNSPECIFIED;
    report->registry = reply ? bb_pb_copy (reply)
                             : s_failed_sync (self, failure);
    char detail [REASON_SIZE];
    snprintf (detail, sizeof detail, "registry: %s%s%s",
              s_outcome_name (report->registry->outcome),
              report->registry->reason [0] ? ": " : "",
              report->registry->reason);
    report->detail = bb_pb_strdup (detail);
    BB_PB_PUSH (report->upstreams, report->n_upstreams,
                bb_tally_report (&self->tally, LANE, ""));
    self->report = report;
    return report;
}

Balboard__JobReport *
bb_registry_job_refusal (const Balboard__RegistryJob *job,
                         const char *fetcher_id, const char *reason)
{
    Balboard__JobReport *report = bb_pb_job_report (job->job_id,
                                                    job->attempt, fetcher_id);
    report->detail = bb_pb_strdup (reason);
    Balboard__RegistrySyncReport *sync =
        bb_pb_new (&balboard__registry_sync_report__descriptor);
    sync->generation = job->generation;
    sync->outcome = BALBOARD__SYNC_OUTCOME__SYNC_FAILED;
    sync->reason = bb_pb_strdup (reason);
    sync->source = bb_pb_strdup (job->source ? job->source : "");
    report->registry = sync;
    return report;
}
