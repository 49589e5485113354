/* The audit log: one JSON line per AuthZReq decision, for host admins and security reviewers.
 *
 * A line records what was decided about which request, for whom, and why (README "Audit log" has
 * the field table; keys in this order, optional ones left out when empty):
 *   {"time":"2024-05-01T12:00:00.123456Z","decision":"deny","mode":"enforce","rules":["privileged"],
 *    "method":"POST","route":"POST /containers/create","uri":"/v1.41/containers/create?name=x",
 *    "user":"alice","authn":"TLS","container_name":"x","image":"busybox","body_sha256":"9f86...",
 *    "latency_us":42,"version":"0.1.0","policy_sha256":"2c26...","policy_serial":42 (a bundle's),
 *    "reasons":["privileged: HostConfig.Privileged is true; ..."]}
 * Never bodies, environment values or credentials: struct request_info does not carry them.
 *
 * A slow or full disk must never delay a decision: audit_record() only formats the line and puts it
 * on a bounded in-memory queue, which a writer thread drains with write(2) (O_APPEND).  When the
 * queue is full the line is dropped and counted, and the writer reports the count on stderr once it
 * has caught up.  Write errors (ENOSPC, EIO ...) go to stderr, rate-limited. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy/decide.h"
#include "policy/decision.h"

#define AUDIT_QUEUE_LINES 4096              /* lines waiting for the writer */
#define AUDIT_QUEUE_BYTES (16u << 20)       /* and at most this many bytes of them */

struct audit;

struct audit_stats {
        uint64_t recorded;      /* lines queued */
        uint64_t written;       /* lines written out */
        uint64_t dropped;       /* lines dropped because the queue was full */
        uint64_t failed;        /* lines lost to write errors */
};

/* Open the audit log at `path` (created 0600 if missing, appended to), or standard output for "-",
 * and start the writer thread.  0 and a new audit in *ret, or -errno (nothing started). */
int audit_open(const char *path, struct audit **ret);

/* Like audit_open(), writing to `fd` (taken over: closed by audit_close) with a queue of at most
 * `queue_lines` lines (0: AUDIT_QUEUE_LINES).  audit_reopen() is a no-op on such a log. */
int audit_open_fd(int fd, size_t queue_lines, struct audit **ret);

/* Format the line for one decision (what audit_record() queues), ending in '\n' (and a NUL after
 * it): a new buffer in *ret, its length (with the '\n') in *ret_len.  `time` NULL: now; else its
 * first 63 bytes, which must be valid UTF-8 (-EINVAL otherwise).  Strings that are not valid UTF-8
 * get U+FFFD as from audit_json_string().  0, -EINVAL, -ENOMEM (nothing allocated on failure). */
int audit_format_line(const struct request_info *info, const struct decision *d, bool dry_run,
                      double latency_us, const char *time, char **ret, size_t *ret_len);

/* Queue the line for one AuthZReq decision.  Never blocks on I/O: returns 0 when queued, -ENOBUFS
 * when the queue was full (the line is dropped and counted), -ENOMEM.  `a` NULL: does nothing. */
int audit_record(struct audit *a, const struct request_info *info, const struct decision *d,
                 bool dry_run, double latency_us);

/* A sink also receives every line audit_record() queues (with its '\n'; borrowed for the call), on
 * the deciding thread: it must only copy and queue, never block (authz/ship.c is one).  Set it
 * before decisions start; NULL removes it. */
typedef void (*audit_sink_fn)(void *ctx, const char *line, size_t len);
void audit_set_sink(struct audit *a, audit_sink_fn fn, void *ctx);

/* Reopen the path (after log rotation moved the file away): lines queued from now on go to the new
 * file.  0, or -errno with the old file kept.  No-op for "-" and audit_open_fd(). */
int audit_reopen(struct audit *a);

/* False while the last write to the log failed (for policy.deny_on_audit_failure). */
bool audit_healthy(struct audit *a);

void audit_get_stats(struct audit *a, struct audit_stats *ret);

/* Write out everything queued, stop the writer, close the file and free `a`.  Accepts NULL,
 * returns NULL. */
struct audit *audit_close(struct audit *a);

/* A JSON string (new reference) from text that may be invalid UTF-8 (cut by a fixed-size buffer in
 * the middle of a character, or raw bytes): invalid sequences become U+FFFD, so the value is always
 * encodable.  NULL only on ENOMEM. */
json_t *audit_json_string(const char *s);
