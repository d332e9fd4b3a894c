/*  =========================================================================
    bb_job - one chunk job of a rotation

    The job is kept as a decoded envelope: bb_job_new encodes a ChunkJob
    whose agents point into the caller's page, then decodes it, so the job
    owns a self-contained copy made by protobuf-c and freed by it. The
    next attempt is another such copy, with its attempt, deadline and
    fetch_prices set.
    =========================================================================
*/
#include "bb_job.h"
#include "bb_sources.h"
#include "bb_wire.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>

struct _bb_job_t {
    bb_envelope_t *envelope;        // holds the ChunkJob, owned
    Balboard__ChunkJob *chunk;      // the body of envelope
};

static bb_job_t *
s_job_from_envelope (bb_envelope_t *envelope)
{
    bb_job_t *self = calloc (1, sizeof *self);
    assert (self);
    self->envelope = envelope;
    self->chunk = envelope->chunk_job;
    return self;
}

//  The job in frame, one we just encoded; destroys the frame.
static bb_job_t *
s_job_from_frame (zframe_t **frame_p)
{
    bb_job_t *self = bb_job_decode (zframe_data (*frame_p),
                                    zframe_size (*frame_p));
    zframe_destroy (frame_p);
    assert (self);
    return self;
}

bb_job_t *
bb_job_new (uint64_t rotation, uint32_t chunk_index, uint32_t rotation_agents,
            Balboard__Agent *const *agents, size_t count)
{
    assert (agents || count == 0);
    Balboard__Agent *slim = calloc (count ? count : 1, sizeof *slim);
    Balboard__Agent **pointers = calloc (count ? count : 1,
                                         sizeof *pointers);
    assert (slim && pointers);
    for (size_t i = 0; i < count; i++) {
        balboard__agent__init (&slim [i]);
        slim [i].stx_address = agents [i]->stx_address;
        slim [i].btc_address = agents [i]->btc_address;
        pointers [i] = &slim [i];
    }
    char id [BB_JOB_ID_SIZE];
    Balboard__ChunkJob chunk = BALBOARD__CHUNK_JOB__INIT;
    chunk.job_id = bb_job_id_format (rotation, chunk_index, id);
    chunk.rotation = rotation;
    chunk.chunk_index = chunk_index;
    chunk.rotation_agents = rotation_agents;
    chunk.n_agents = count;
    chunk.agents = pointers;
    bb_envelope_t envelope;
    bb_wire_envelope_init (&envelope);
    envelope.body_case = BALBOARD__ENVELOPE__BODY_CHUNK_JOB;
    envelope.chunk_job = &chunk;
    zframe_t *frame = bb_wire_encode (&envelope);
    free (pointers);
    free (slim);
    return s_job_from_frame (&frame);
}

bb_job_t *
bb_job_decode (const void *data, size_t size)
{
    char reason [BB_REASON_SIZE];
    bb_envelope_t *envelope = bb_wire_decode (data, size,
                                              BB_WIRE_MAX_MSG_SIZE, reason,
                                              sizeof reason);
    if (!envelope)
        return NULL;
    if (envelope->body_case != BALBOARD__ENVELOPE__BODY_CHUNK_JOB
    ||  !bb_job_id_valid (envelope->chunk_job->job_id)) {
        bb_wire_envelope_destroy (&envelope);
        return NULL;
    }
    return s_job_from_envelope (envelope);
}

void
bb_job_destroy (bb_job_t **self_p)
{
    assert (self_p);
    bb_job_t *self = *self_p;
    if (self) {
        bb_wire_envelope_destroy (&self->envelope);
        free (self);
        *self_p = NULL;
    }
}

void
bb_job_destructor (void **item_p)
{
    bb_job_destroy ((bb_job_t **) item_p);
}

zframe_t *
bb_job_encode (bb_job_t *self)
{
    assert (self);
    return bb_wire_encode (self->envelope);
}

//  The balance sources of sources as the wire lists them, into list.
static size_t
s_wire_sources (unsigned sources, Balboard__Upstream *list)
{
    size_t count = 0;
    for (int u = 0; u < BB_UPSTREAM_SOURCES; u++)
        if (bb_sources_has (sources, (bb_upstream_t) u))
            list [count++] = bb_upstream_to_wire ((bb_upstream_t) u);
    return count;
}

bb_job_t *
bb_job_next_attempt (bb_job_t *self, uint64_t deadline_ms, unsigned sources,
                     uint32_t hiro_requests_max)
{
    Balboard__ChunkJob *chunk = self->chunk;
    Balboard__Upstream list [BB_UPSTREAM_SOURCES];
    //  The frame is packed from self with the sources of the new attempt
    size_t kept = chunk->n_sources;
    Balboard__Upstream *kept_list = chunk->sources;
    chunk->n_sources = s_wire_sources (sources, list);
    chunk->sources = list;
    zframe_t *frame = bb_job_encode (self);
    chunk->n_sources = kept;
    chunk->sources = kept_list;
    bb_job_t *next = s_job_from_frame (&frame);
    next->chunk->attempt = chunk->attempt + 1;
    next->chunk->deadline_ms = deadline_ms;
    next->chunk->fetch_prices = bb_sources_has (sources, BB_UPSTREAM_PRICE);
    next->chunk->hiro_requests_max = hiro_requests_max;
    return next;
}

const char *
bb_job_id (bb_job_t *self)
{
    assert (self);
    return self->chunk->job_id;
}

uint64_t
bb_job_rotation (bb_job_t *self)
{
    assert (self);
    return self->chunk->rotation;
}

uint32_t
bb_job_chunk_index (bb_job_t *self)
{
    assert (self);
    return self->chunk->chunk_index;
}

uint32_t
bb_job_agents (bb_job_t *self)
{
    assert (self);
    return (uint32_t) self->chunk->n_agents;
}

const char *
bb_job_agent_stx (bb_job_t *self, uint32_t index)
{
    assert (self && index < self->chunk->n_agents);
    return self->chunk->agents [index]->stx_address;
}

uint32_t
bb_job_attempt (bb_job_t *self)
{
    assert (self);
    return self->chunk->attempt;
}


uint64_t
bb_job_deadline (bb_job_t *self)
{
    assert (self);
    return self->chunk->deadline_ms;
}


bool
bb_job_fetch_prices (bb_job_t *self)
{
    assert (self);
    return self->chunk->fetch_prices;
}

unsigned
bb_job_sources (bb_job_t *self)
{
    assert (self);
    Balboard__ChunkJob *chunk = self->chunk;
    unsigned sources = chunk->n_sources ? 0 : BB_SOURCES_CHUNK;
    for (size_t index = 0; index < chunk->n_sources; index++) {
        bb_upstream_t upstream;
        if (bb_upstream_from_wire (chunk->sources [index], &upstream) == 0)
            sources |= BB_SOURCE (upstream);
    }
    if (chunk->fetch_prices)
        sources |= BB_SOURCE (BB_UPSTREAM_PRICE);
    return sources;
}





char *
bb_job_ticket (bb_job_t *self, char *ticket)
{
    assert (self && ticket);
    snprintf (ticket, BB_BUDGET_TICKET_SIZE, "%s#%" PRIu32,
              self->chunk->job_id, self->chunk->attempt);
    return ticket;
}
