/*  =========================================================================
    bb_mock_reply - one HTTP answer of the mock upstream, being built

    Owns the status, headers and body of an answer until it is queued on
    the libmicrohttpd connection, and the body-level faults: a truncated
    body (first half, with a matching Content-Length), an oversized one
    (padded to a size) and a reset (no answer, the connection is aborted).
    A JSON body stays a jansson value until bb_mock_reply_send, so padding
    keeps it valid JSON. One reply belongs to one request's thread.
    =========================================================================
*/
#ifndef BB_MOCK_REPLY_H_INCLUDED
#define BB_MOCK_REPLY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <microhttpd.h>

typedef struct _bb_mock_reply_t bb_mock_reply_t;

//  A new reply: 500 with an empty body until set.
bb_mock_reply_t *bb_mock_reply_new (void);

//  Destroy the reply and set *self_p to NULL. NULL-safe.
void bb_mock_reply_destroy (bb_mock_reply_t **self_p);

//  Answer status with JSON *body_p (consumed, *body_p set to NULL).
//  Content-Type becomes "application/json; charset=utf-8".
void bb_mock_reply_set_json (bb_mock_reply_t *self, unsigned status,
                             json_t **body_p);

//  Answer status with text (copied) of content_type.
void bb_mock_reply_set_text (bb_mock_reply_t *self, unsigned status,
                             const char *content_type, const char *text);

//  Replace the Content-Type (e.g. "application/json" without charset).
void bb_mock_reply_set_content_type (bb_mock_reply_t *self,
                                     const char *content_type);

//  Add a header; name is borrowed (a literal), the value is formatted.
void bb_mock_reply_add_header (bb_mock_reply_t *self, const char *name,
                               const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

unsigned bb_mock_reply_status (bb_mock_reply_t *self);

//  Send only the first half of the body (Content-Length matches it).
void bb_mock_reply_truncate (bb_mock_reply_t *self);

//  Grow a JSON object body to at least size bytes with a "padding" string
//  member; it stays valid JSON.
void bb_mock_reply_pad (bb_mock_reply_t *self, size_t size);

//  Answer nothing: abort the connection (the client sees a reset).
void bb_mock_reply_reset (bb_mock_reply_t *self);

//  Queue the reply on connection. Returns what the MHD access handler
//  must return (MHD_NO for a reset, which makes MHD close the socket).
enum MHD_Result bb_mock_reply_send (bb_mock_reply_t *self,
                                    struct MHD_Connection *connection);

#endif
