/*  =========================================================================
    bb_log - structured logging, one line per event

    Every line is key=value pairs: ts, level, proc, event, then the caller's
    fields. Values that hold spaces, quotes, '=' or control characters must
    go through bb_log_quote. A line is written with one write(2) so lines
    from several threads never interleave. The level and process name are
    process-wide and set once in main before any thread starts; after that
    the logger only reads them, so it is thread-safe.
    Secrets (HIRO_API_KEY) are never passed here; bb_config masks them.
    =========================================================================
*/
#ifndef BB_LOG_H_INCLUDED
#define BB_LOG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    BB_LOG_DEBUG,
    BB_LOG_INFO,
    BB_LOG_WARN,
    BB_LOG_ERROR,
} bb_log_level_t;

//  Longest line written; a longer line is cut and ends in "...".
#define BB_LOG_LINE_MAX 2048

//  Set the process name (proc=) and the lowest level written. Call once
//  from main before starting threads.
void bb_log_init (const char *process, bb_log_level_t level);

//  Parse "debug", "info", "warn" or "error". Returns 0 or -1.
int bb_log_level_parse (const char *text, bb_log_level_t *level);

//  Write one event. fields is a printf format for the "k=v k=v" part and
//  may be NULL.
void bb_log (bb_log_level_t level, const char *event, const char *fields, ...)
    __attribute__ ((format (printf, 3, 4)));

//  Quote value for a log field into buf (size bytes): returned as is when it
//  needs no quoting, else in double quotes with \" \\ \n escaped and other
//  control bytes as \xNN. Cut to fit. Returns buf.
const char *bb_log_quote (const char *value, char *buf, size_t size);

//  A budget of lines for one kind of event that a peer can provoke at
//  will (a bad frame): at most burst lines each interval_ms, so a flood
//  cannot grow the log without bound. Zeroed to start, then owned by one
//  thread (it takes no lock).
typedef struct {
    unsigned burst;                 // lines let through per interval
    int64_t interval_ms;
    int64_t window_start_ms;        // of the current interval
    unsigned lines;                 // let through in it
    uint64_t unlogged;              // held back since the last one let
                                    // through
} bb_log_limit_t;

//  True if a line may be written at now_ms (a monotonic clock); then
//  *unlogged gets how many were held back before it, for the line to say
//  so (unlogged=N), and the count starts again.
bool bb_log_limit_pass (bb_log_limit_t *self, int64_t now_ms,
                        uint64_t *unlogged);

#define bb_debug(event, ...) bb_log (BB_LOG_DEBUG, event, __VA_ARGS__)
#define bb_info(event, ...)  bb_log (BB_LOG_INFO, event, __VA_ARGS__)
#define bb_warn(event, ...)  bb_log (BB_LOG_WARN, event, __VA_ARGS__)
#define bb_error(event, ...) bb_log (BB_LOG_ERROR, event, __VA_ARGS__)

#endif
