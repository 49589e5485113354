/* A bounded queue of lines with the one thread that consumes it: the audit writer (audit.c) and
 * the shipper (ship.c) are each one of these.
 *
 * Producers (decision threads) hand over lines with lineq_push(), which never blocks: when the
 * queue holds max_lines lines or the line would take it over max_bytes bytes, the line is freed,
 * counted as dropped, and the caller learns it from the return value.  The worker thread takes the
 * lines off in order, in batches of at most batch_lines lines and batch_bytes bytes (a line larger
 * than batch_bytes goes alone), and passes each batch to the callback outside the lock, so a slow
 * disk or network delays the worker only.
 *
 * Wake-ups: a push signals the worker only when it is asleep waiting for lines, and only the first
 * push after it fell asleep does; after such a wake-up the worker waits linger_ns more (not cut
 * short by pushes) so that a burst goes out as one batch.  Pushes to a worker that is busy,
 * lingering or in lineq_wait() signal nothing: under load, one wake-up per batch, not per line.
 * lineq_kick() wakes it for the caller's own reasons (the callback then runs, with no lines if none
 * are queued).
 *
 * Stop: lineq_stop() makes pushes fail, wakes the worker, lets it hand every queued line to the
 * callback (no linger), and joins it.  A callback that must bound the shutdown checks
 * lineq_stopping() and drops what it cannot finish in time. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lineq;

struct lineq_line {
        char *s;        /* from malloc(); the queue frees it */
        size_t len;     /* > 0 */
};

/* Called on the worker thread, without the queue's lock, with lines[0..n) in the order pushed:
 * 1 <= n <= batch_lines, or n == 0 after lineq_kick() when nothing was queued.  The lines are
 * borrowed: freed when the callback returns.  It may call lineq_wait(), lineq_stopping(),
 * lineq_take_drops(), lineq_get_stats() and lineq_kick() on `q`, never lineq_stop(). */
typedef void (*lineq_batch_fn)(struct lineq *q, void *ctx, struct lineq_line *lines, size_t n);

struct lineq_config {
        size_t max_lines;       /* lines waiting, at most (> 0) */
        size_t max_bytes;       /* bytes waiting, at most (> 0) */
        size_t batch_lines;     /* lines per callback, at most (> 0) */
        size_t batch_bytes;     /* bytes per callback, at most, but for a single larger line (> 0) */
        long long linger_ns;    /* after a wake-up, wait this long for more lines (0: not at all) */
        lineq_batch_fn batch;
        void *ctx;              /* given to `batch`; borrowed, must outlive the queue */
};

struct lineq_stats {
        uint64_t pushed;        /* lines queued */
        uint64_t dropped;       /* lines refused by lineq_push(), or counted by lineq_count_drop() */
        size_t lines, bytes;    /* waiting now (not counting the batch the callback holds) */
        bool idle;              /* the worker sleeps waiting for lines: the next push wakes it */
};

/* Allocate the queue (max_lines slots, one batch array) and start the worker thread, with every
 * signal blocked (signals are the main thread's business).  0 and a new queue in *ret, -EINVAL
 * (a bound of 0, no callback, a negative linger), -ENOMEM, or -errno from pthread_create. */
int lineq_start(const struct lineq_config *c, struct lineq **ret);

/* Queue line `s` of `len` bytes.  Takes `s` in every case: queued, or freed.  0, or -ENOBUFS (full:
 * counted as dropped), -E2BIG (len > max_bytes, can never fit: counted as dropped), -ESHUTDOWN
 * (after lineq_stop(): counted as dropped), -EINVAL (s NULL or len 0: not counted).
 * Any thread; never blocks but on the queue's lock, held by others for a few pointer moves. */
int lineq_push(struct lineq *q, char *s, size_t len);

/* Count one line the caller dropped before it could push it (it could not copy it). */
void lineq_count_drop(struct lineq *q);

/* Wake the worker: the callback runs soon, with the queued lines or none.  Any thread. */
void lineq_kick(struct lineq *q);

/* The callback's pause (a backoff): wait up to `ns` nanoseconds, returning early when lineq_stop()
 * is called; pushes and kicks do not interrupt it.  True when stopping.  Worker thread only. */
bool lineq_wait(struct lineq *q, long long ns);

/* True once lineq_stop() was called.  Any thread. */
bool lineq_stopping(struct lineq *q);

/* The drops counted since the last call, and reset to 0; with `if_empty`, only when no line is
 * waiting (the consumer caught up), else 0.  For reporting drops once, not per line.  Any thread. */
uint64_t lineq_take_drops(struct lineq *q, bool if_empty);

void lineq_get_stats(struct lineq *q, struct lineq_stats *ret);

/* Stop the worker once every queued line went through the callback, and join it.  Pushes fail
 * from now on.  From one thread, not the worker; again is a no-op. */
void lineq_stop(struct lineq *q);

/* lineq_stop(), then free the queue.  Accepts NULL, returns NULL.  No other thread may use `q`. */
struct lineq *lineq_free(struct lineq *q);
