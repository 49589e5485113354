/* Audit shipping: `serve --audit-url URL` sends every audit line to a log collector over HTTP(S).
 *
 * Wire format: a plain JSON-lines batch.  Each request is
 *     POST URL
 *     Content-Type: application/x-ndjson
 *     <audit line>\n<audit line>\n...
 * with up to SHIP_BATCH_LINES lines (SHIP_BATCH_BYTES bytes), exactly as written to the audit log.
 * Any 2xx answer means "stored".  Vector (`http_server` source, `decoding.codec = "json"`,
 * `framing.method = "newline_delimited"`), Fluent Bit (`http` input), Logstash (`http` input with
 * the `json_lines` codec) and a few lines of any web framework accept it.  Credentials go in the URL
 * (`https://user:password@host/path`, HTTP basic auth); the URL is never logged with them.
 *
 * Never delays a decision: the audit writer's caller hands each line to ship_line(), which copies
 * it onto a bounded queue (SHIP_QUEUE_LINES lines, SHIP_QUEUE_BYTES bytes) and returns; one thread
 * posts batches.  A failed POST (connection refused, timeout, a 5xx, 408 or 429) is retried with
 * exponential backoff (SHIP_BACKOFF_MIN_MS doubling to SHIP_BACKOFF_MAX_MS) while new lines queue
 * up; when the queue is full, new lines are dropped.  Other 4xx answers mean the collector will
 * never take the batch: it is dropped.  Every drop is counted (metrics.h) and logged, at most once
 * per SHIP_REPORT_INTERVAL_S.  At shutdown, what is queued gets one last try of a few seconds. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHIP_QUEUE_LINES      20000
#define SHIP_QUEUE_BYTES      (32u << 20)
#define SHIP_BATCH_LINES      1000
#define SHIP_BATCH_BYTES      (1u << 20)
#define SHIP_LINGER_MS        200      /* wait this long for more lines before posting a small batch */
#define SHIP_BACKOFF_MIN_MS   500
#define SHIP_BACKOFF_MAX_MS   60000
#define SHIP_CONNECT_TIMEOUT_S 5
#define SHIP_TIMEOUT_S        20
#define SHIP_SHUTDOWN_S       3
#define SHIP_REPORT_INTERVAL_S 30

struct ship;

struct ship_stats {
        uint64_t queued, sent, dropped, failures;
};

/* Load libcurl now (curl_lazy.h; the posting thread needs it from the first line), check the URL
 * (http:// or https:// only) and start the posting thread.  0 and a new shipper in *ret, or
 * -EINVAL (logged) / the load's -ELIBACC, -ELIBBAD ... (logged) / -ENOMEM / -errno. */
int ship_open(const char *url, struct ship **ret);

/* Queue one line (copied; `len` bytes, ending in '\n').  Never blocks on the network: a full queue
 * drops the line and counts it.  Usable as an audit_sink_fn (ctx = the shipper). */
void ship_line(void *ship, const char *line, size_t len);

void ship_get_stats(struct ship *s, struct ship_stats *ret);

/* Post what is queued (one try, at most SHIP_SHUTDOWN_S seconds), stop the thread, free.
 * Accepts NULL, returns NULL. */
struct ship *ship_close(struct ship *s);
