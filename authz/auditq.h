/* `arandu-authz audit`: review audit logs (see audit.h for what a line holds).
 *
 * Reads one or more logs, plain or gzip-compressed (rotated ones too: zlib reads both), one line at
 * a time: memory grows with the number of distinct rules, images, users and time buckets, never
 * with the number of lines.  Each line is filtered (time range, decision, mode, rule, user, image)
 * and then printed (as a table row, or as the original JSON line) and/or counted into a summary
 * (top rules, images and users; allow/deny per hour or day).  Lines that are not audit lines (a
 * line cut by a full disk, garbage) are counted and skipped, never fatal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum auditq_bucket {
        AUDITQ_HOUR = 0,
        AUDITQ_DAY,
};

struct auditq_filter {
        int64_t since_us;          /* lines at or after (microseconds since the epoch); INT64_MIN: any */
        int64_t until_us;          /* lines before; INT64_MAX: any */
        const char *decision;      /* "allow" / "deny", NULL: any */
        const char *mode;          /* "enforce" / "dry-run" / "warn", NULL: any */
        const char *rule;          /* fnmatch(3) pattern one of the line's rules must match, NULL: any */
        const char *user;          /* pattern for the client user ("" when none), NULL: any */
        const char *image;         /* pattern for the create's image, NULL: any */
};

enum auditq_output {
        AUDITQ_NONE = 0,           /* count only (for the summary) */
        AUDITQ_TABLE,              /* one human-readable row per matching line */
        AUDITQ_JSON,               /* the matching lines as they are */
};

struct auditq_stats {
        uint64_t files;
        uint64_t lines;            /* read */
        uint64_t malformed;        /* not an audit line (skipped) */
        uint64_t matched;          /* passed the filter */
        uint64_t allow, deny;      /* of the matched */
        uint64_t enforce, dry_run, warn;
};

struct auditq;

/* A new query (the filter's strings are borrowed: they must outlive it).  0 or -ENOMEM. */
int auditq_new(const struct auditq_filter *filter, enum auditq_bucket bucket, struct auditq **ret);
struct auditq *auditq_free(struct auditq *q);   /* accepts NULL, returns NULL */

/* Read the log at `path` ("-": standard input), plain or gzip.  Matching lines go to `out` in the
 * given form (and are always counted for the summary).  0, or -errno when the file cannot be opened
 * or read (lines read before the error stay counted). */
int auditq_read(struct auditq *q, const char *path, enum auditq_output form, FILE *out);

/* Read the plain log at `path` as auditq_read() does, then wait for lines appended to it, as
 * `tail -F` does: a rotated log (a new file at the path) is followed once the old one is read to
 * its end, a truncated one is read again from its start (seen at the next look, every 0.1 s: a
 * log emptied and refilled past the old position in between is read from that position).  Output
 * is flushed after each read.
 * Returns only on an error: -errno (open, read), -EIO (writing `out`) or -ENOMEM. */
int auditq_follow(struct auditq *q, const char *path, enum auditq_output form, FILE *out);

/* Print the summary: totals, the `top` most frequent rules, images and users, and allow/deny per
 * bucket in time order.  `json`: one JSON object (and a newline).  0 or -ENOMEM/-EIO. */
int auditq_summary(const struct auditq *q, bool json, size_t top, FILE *out);

void auditq_get_stats(const struct auditq *q, struct auditq_stats *ret);

/* An RFC 3339 time ("2024-05-01T12:00:00Z", fractions and offsets allowed, "T" or a space, a bare
 * date meaning midnight UTC) or a duration before `now_us` ("90s", "30m", "24h", "7d", "2w").
 * 0 and microseconds since the epoch in *ret_us, or -EINVAL. */
int auditq_parse_time(const char *s, int64_t now_us, int64_t *ret_us);

/* The `audit` command: argv[0] is "audit".  Returns the exit status: 0 something matched, 1 nothing
 * matched, 2 bad usage or an unreadable file. */
int auditq_main(int argc, char **argv);
