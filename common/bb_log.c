/*  =========================================================================
    bb_log - structured logging, one line per event

    Owns the process-wide log level and process name (set once in main),
    the line format: ts=<RFC 3339 UTC ms> level=<l> proc=<p> event=<e> ...
    and the line budgets of events a peer can provoke (bb_log_limit).
    =========================================================================
*/
#include "bb_log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

//  Process-wide by nature (one stderr per process); written only by
//  bb_log_init before threads start, read-only afterwards.
static bb_log_level_t s_min_level = BB_LOG_INFO;
static char s_process[32] = "balboard";

static const char *s_level_names[] = { "debug", "info", "warn", "error" };

void
bb_log_init (const char *process, bb_log_level_t level)
{
    if (process)
        snprintf (s_process, sizeof s_process, "%s", process);
    s_min_level = level;
}

int
bb_log_level_parse (const char *text, bb_log_level_t *level)
{
    if (!text)
        return -1;
    for (size_t i = 0; i < sizeof s_level_names / sizeof *s_level_names; i++)
        if (strcmp (text, s_level_names [i]) == 0) {
            *level = (bb_log_level_t) i;
            return 0;
        }
    return -1;
}

//  Format the current UTC time as 2026-11-24T06:30:00.123Z.
static size_t
s_timestamp (char *buf, size_t size)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r (&now.tv_sec, &tm);
    size_t len = strftime (buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    int extra = snprintf (buf + len, size - len, ".%03ldZ",
                          now.tv_nsec / 1000000L);
    return len + (size_t) (extra > 0 ? extra : 0);
}

void
bb_log (bb_log_level_t level, const char *event, const char *fields, ...)
{
    if (level < s_min_level)
        return;
    //  One byte is kept back for the newline.
    char line [BB_LOG_LINE_MAX + 1];
    const size_t room = BB_LOG_LINE_MAX;
    char ts [40];
    s_timestamp (ts, sizeof ts);
    int len = snprintf (line, room, "ts=%s level=%s proc=%s event=%s",
                        ts, s_level_names [level], s_process, event);
    if (fields && len > 0 && (size_t) len < room - 1) {
        line [len++] = ' ';
        va_list args;
        va_start (args, fields);
        int more = vsnprintf (line + len, room - (size_t) len, fields, args);
        va_end (args);
        if (more > 0)
            len += more;
    }
    if (len < 0)
        return;
    if ((size_t) len >= room) {
        len = (int) room - 1;
        memcpy (line + len - 3, "...", 3);
    }
    line [len] = '\n';
    ssize_t ignored = write (STDERR_FILENO, line, (size_t) len + 1);
    (void) ignored;
}

static bool
s_needs_quoting (const char *value)
{
    if (*value == '\0')
        return true;
    for (const unsigned char *c = (const unsigned char *) value; *c; c++)
        if (*c <= ' ' || *c == '"' || *c == '=' || *c == '\\' || *c >= 0x7f)
            return true;
    return false;
}

const char *
bb_log_quote (const char *value, char *buf, size_t size)
{
    if (!value)
        value = "";
    if (!s_needs_quoting (value)) {
        snprintf (buf, size, "%s", value);
        return buf;
    }
    size_t out = 0;
    buf [out++] = '"';
    for (const unsigned char *c = (const unsigned char *) value; *c; c++) {
        char piece [5];
        if (*c == '"' || *c == '\\')
            snprintf (piece, sizeof piece, "\\%c", *c);
        else
        if (*c == '\n')
            snprintf (piece, sizeof piece, "\\n");
        else
        if (*c < ' ' || *c == 0x7f)
            snprintf (piece, sizeof piece, "\\x%02x", *c);
        else
            snprintf (piece, sizeof piece, "%c", *c);
        size_t piece_len = strlen (piece);
        if (out + piece_len + 2 > size)
            break;
        memcpy (buf + out, piece, piece_len);
        out += piece_len;
    }
    buf [out++] = '"';
    buf [out] = '\0';
    return buf;
}

bool
bb_log_limit_pass (bb_log_limit_t *self, int64_t now_ms, uint64_t *unlogged)
{
    if (now_ms - self->window_start_ms >= self->interval_ms) {
        self->window_start_ms = now_ms;
        self->lines = 0;
    }
    if (self->lines >= self->burst) {
        self->unlogged++;
        return false;
    }
    self->lines++;
    *unlogged = self->unlogged;
    self->unlogged = 0;
    return true;
}
