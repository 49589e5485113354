/* The bounded line queue (authz/lineq.h): bounds by count and by bytes on both sides, drops
 * counted, batch limits, linger, kicks, stop drains, and many producers losing nothing they were
 * told was queued.
 *
 * To fill the queue deterministically, a first "gate" line is pushed and the callback holds the
 * worker on it until the test opens the gate: the lines pushed meanwhile stay queued. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz/lineq.h"
#include "tests/unit/cutest.h"

#define MAX_BATCHES 4096
#define MAX_LINES 65536

/* What the callback saw; guarded by mu. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct {
        bool gate_open;          /* the callback may return from the gate line */
        bool in_gate;            /* it is holding the worker on it */
        size_t batches;
        size_t sizes[MAX_BATCHES];
        size_t bytes[MAX_BATCHES];
        bool stopping[MAX_BATCHES];
        double at[MAX_BATCHES];  /* seconds since t0 */
        size_t lines;
        char *text[MAX_LINES];   /* copies, in delivery order */
        long long wait_ns;       /* > 0: the callback calls lineq_wait() this long, once */
        bool wait_result;
        double wait_secs;
} seen;
static struct timespec t0;

static double since_t0(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) (t.tv_sec - t0.tv_sec) + (double) (t.tv_nsec - t0.tv_nsec) / 1e9;
}

static void reset(void)
{
        pthread_mutex_lock(&mu);
        for (size_t i = 0; i < seen.lines; i++)
                free(seen.text[i]);
        memset(&seen, 0, sizeof(seen));
        pthread_mutex_unlock(&mu);
        clock_gettime(CLOCK_MONOTONIC, &t0);
}

static void on_batch(struct lineq *q, void *ctx, struct lineq_line *lines, size_t n)
{
        (void) ctx;
        pthread_mutex_lock(&mu);
        if (seen.batches < MAX_BATCHES) {
                size_t b = 0;
                for (size_t i = 0; i < n; i++)
                        b += lines[i].len;
                seen.sizes[seen.batches] = n;
                seen.bytes[seen.batches] = b;
                seen.stopping[seen.batches] = lineq_stopping(q);
                seen.at[seen.batches] = since_t0();
                seen.batches++;
        }
        for (size_t i = 0; i < n && seen.lines < MAX_LINES; i++) {
                /* lines are not NUL-terminated: copy, do not strndup */
                char *t = malloc(lines[i].len + 1);
                CU_ASSERT_FATAL(t != NULL);
                memcpy(t, lines[i].s, lines[i].len);
                t[lines[i].len] = '\0';
                seen.text[seen.lines++] = t;
        }
        bool gate = n > 0 && lines[0].len == 4 && memcmp(lines[0].s, "gate", 4) == 0;
        if (gate) {
                seen.in_gate = true;
                pthread_cond_broadcast(&cv);
                while (!seen.gate_open)
                        pthread_cond_wait(&cv, &mu);
                seen.in_gate = false;
        }
        long long wait_ns = seen.wait_ns;
        seen.wait_ns = 0;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);

        if (wait_ns > 0) {
                double start = since_t0();
                bool r = lineq_wait(q, wait_ns);
                pthread_mutex_lock(&mu);
                seen.wait_result = r;
                seen.wait_secs = since_t0() - start;
                pthread_cond_broadcast(&cv);
                pthread_mutex_unlock(&mu);
        }
}

static int push_str(struct lineq *q, const char *s)
{
        return lineq_push(q, strdup(s), strlen(s));
}

/* A line of `len` bytes ('x'). */
static int push_len(struct lineq *q, size_t len)
{
        char *s = malloc(len);
        CU_ASSERT_FATAL(s != NULL);
        memset(s, 'x', len);
        return lineq_push(q, s, len);
}

static struct lineq *start(size_t max_lines, size_t max_bytes, size_t batch_lines, size_t batch_bytes,
                           long long linger_ns)
{
        struct lineq_config c = {
                .max_lines = max_lines, .max_bytes = max_bytes,
                .batch_lines = batch_lines, .batch_bytes = batch_bytes,
                .linger_ns = linger_ns, .batch = on_batch,
        };
        struct lineq *q = NULL;
        reset();
        CU_ASSERT_FATAL(lineq_start(&c, &q) == 0);
        /* Let the worker fall asleep: a push that finds it still starting does not wake it, so it
         * would not linger. */
        struct lineq_stats st = { 0 };
        for (int i = 0; i < 5000 && !st.idle; i++) {
                lineq_get_stats(q, &st);
                if (!st.idle)
                        nanosleep(&(struct timespec){ .tv_nsec = 1000L * 1000 }, NULL);
        }
        CU_ASSERT_FATAL(st.idle);
        return q;
}

/* Push the gate line and wait until the worker holds it. */
static void hold(struct lineq *q)
{
        CU_ASSERT_FATAL(push_str(q, "gate") == 0);
        pthread_mutex_lock(&mu);
        while (!seen.in_gate)
                pthread_cond_wait(&cv, &mu);
        pthread_mutex_unlock(&mu);
}

static void open_gate(void)
{
        pthread_mutex_lock(&mu);
        seen.gate_open = true;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
}

/* Wait up to 5 s until the callback has seen `n` lines. */
static bool wait_lines(size_t n)
{
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        pthread_mutex_lock(&mu);
        while (seen.lines < n && pthread_cond_timedwait(&cv, &mu, &until) == 0)
                ;
        bool ok = seen.lines >= n;
        pthread_mutex_unlock(&mu);
        return ok;
}

static void test_bad_config(void)
{
        struct lineq_config good = { .max_lines = 1, .max_bytes = 1, .batch_lines = 1, .batch_bytes = 1,
                                     .batch = on_batch };
        struct lineq_config c;
        struct lineq *q = NULL;

        c = good; c.max_lines = 0;
        CU_ASSERT(lineq_start(&c, &q) == -EINVAL);
        c = good; c.max_bytes = 0;
        CU_ASSERT(lineq_start(&c, &q) == -EINVAL);
        c = good; c.batch_lines = 0;
        CU_ASSERT(lineq_start(&c, &q) == -EINVAL);
        c = good; c.batch_bytes = 0;
        CU_ASSERT(lineq_start(&c, &q) == -EINVAL);
        c = good; c.batch = NULL;
        CU_ASSERT(lineq_start(&c, &q) == -EINVAL);
        c = good; c.linger_ns = -1;
        CU_ASSERT(lineq_start(&c, &q) == -EINVAL);
        CU_ASSERT(lineq_start(NULL, &q) == -EINVAL);
        CU_ASSERT(q == NULL);
        CU_ASSERT(lineq_free(NULL) == NULL);

        q = start(4, 100, 4, 100, 0);
        CU_ASSERT(lineq_push(q, NULL, 3) == -EINVAL);
        CU_ASSERT(lineq_push(q, strdup("x"), 0) == -EINVAL);   /* freed, not counted */
        struct lineq_stats st;
        lineq_get_stats(q, &st);
        CU_ASSERT(st.pushed == 0 && st.dropped == 0);
        q = lineq_free(q);
        CU_ASSERT(q == NULL);
}

/* max_lines lines fit, one more is dropped; room again once the worker took them. */
static void test_bound_by_count(void)
{
        struct lineq *q = start(4, 1 << 20, 64, 1 << 20, 0);
        struct lineq_stats st;

        hold(q);
        for (int i = 0; i < 4; i++)
                CU_ASSERT(push_str(q, "line") == 0);
        lineq_get_stats(q, &st);
        CU_ASSERT(st.lines == 4);
        CU_ASSERT(push_str(q, "over") == -ENOBUFS);
        CU_ASSERT(push_str(q, "over") == -ENOBUFS);
        lineq_get_stats(q, &st);
        CU_ASSERT(st.pushed == 5);   /* the gate and four */
        CU_ASSERT(st.dropped == 2);
        CU_ASSERT(st.lines == 4);

        open_gate();
        CU_ASSERT(wait_lines(5));
        CU_ASSERT(push_str(q, "again") == 0);
        CU_ASSERT(wait_lines(6));
        lineq_free(q);
        CU_ASSERT(seen.lines == 6);
        for (size_t i = 0; i < seen.lines; i++)
                CU_ASSERT(strcmp(seen.text[i], "over") != 0);
}

/* Bytes up to max_bytes fit exactly, one byte more does not; a line over max_bytes never fits. */
static void test_bound_by_bytes(void)
{
        struct lineq *q = start(100, 100, 64, 1 << 20, 0);
        struct lineq_stats st;

        hold(q);
        CU_ASSERT(push_len(q, 60) == 0);
        CU_ASSERT(push_len(q, 41) == -ENOBUFS);
        CU_ASSERT(push_len(q, 40) == 0);   /* exactly 100 */
        lineq_get_stats(q, &st);
        CU_ASSERT(st.bytes == 100);
        CU_ASSERT(push_len(q, 1) == -ENOBUFS);
        CU_ASSERT(push_len(q, 101) == -E2BIG);
        lineq_get_stats(q, &st);
        CU_ASSERT(st.dropped == 3);
        CU_ASSERT(st.lines == 2 && st.bytes == 100);

        open_gate();
        CU_ASSERT(wait_lines(3));
        CU_ASSERT(push_len(q, 100) == 0);   /* the whole bound, once the queue is empty */
        CU_ASSERT(wait_lines(4));
        lineq_free(q);
}

/* Drops are reported once: lineq_take_drops() resets the count, and with if_empty waits for the
 * consumer to catch up. */
static void test_take_drops(void)
{
        struct lineq *q = start(2, 1 << 20, 64, 1 << 20, 0);

        hold(q);
        CU_ASSERT(push_str(q, "a") == 0);
        CU_ASSERT(push_str(q, "b") == 0);
        CU_ASSERT(push_str(q, "c") == -ENOBUFS);
        lineq_count_drop(q);   /* one the caller could not copy */
        CU_ASSERT(lineq_take_drops(q, true) == 0);   /* lines still waiting */
        open_gate();
        CU_ASSERT(wait_lines(3));
        CU_ASSERT(lineq_take_drops(q, true) == 2);
        CU_ASSERT(lineq_take_drops(q, true) == 0);
        CU_ASSERT(lineq_take_drops(q, false) == 0);

        struct lineq_stats st;
        lineq_get_stats(q, &st);
        CU_ASSERT(st.dropped == 2);   /* the total stays */
        lineq_free(q);
}

/* Batches stop at batch_lines and at batch_bytes (exactly reaching it is allowed); a line larger
 * than batch_bytes goes alone. */
static void test_batch_limits(void)
{
        struct lineq *q = start(100, 1 << 20, 3, 10, 0);

        hold(q);
        for (int i = 0; i < 7; i++)
                CU_ASSERT(push_len(q, 1) == 0);   /* 3 + 3 + 1 */
        open_gate();
        CU_ASSERT(wait_lines(8));
        CU_ASSERT_FATAL(seen.batches == 4);
        CU_ASSERT(seen.sizes[1] == 3 && seen.sizes[2] == 3 && seen.sizes[3] == 1);
        lineq_free(q);

        q = start(100, 1 << 20, 100, 10, 0);
        hold(q);
        CU_ASSERT(push_len(q, 5) == 0);    /* 5 + 5 = 10: one batch */
        CU_ASSERT(push_len(q, 5) == 0);
        CU_ASSERT(push_len(q, 6) == 0);    /* 6 + 5 = 11: two */
        CU_ASSERT(push_len(q, 5) == 0);
        CU_ASSERT(push_len(q, 25) == 0);   /* larger than a batch: alone */
        CU_ASSERT(push_len(q, 1) == 0);
        CU_ASSERT(push_len(q, 1) == 0);
        open_gate();
        CU_ASSERT(wait_lines(8));
        CU_ASSERT_FATAL(seen.batches == 6);
        CU_ASSERT(seen.sizes[1] == 2 && seen.bytes[1] == 10);
        CU_ASSERT(seen.sizes[2] == 1 && seen.bytes[2] == 6);
        CU_ASSERT(seen.sizes[3] == 1 && seen.bytes[3] == 5);
        CU_ASSERT(seen.sizes[4] == 1 && seen.bytes[4] == 25);
        CU_ASSERT(seen.sizes[5] == 2 && seen.bytes[5] == 2);
        for (size_t i = 0; i < seen.batches; i++)
                CU_ASSERT(seen.sizes[i] >= 1);
        lineq_free(q);
}

/* After a wake-up the worker waits linger_ns for more lines; pushes do not cut that short, so
 * lines pushed within it go in the same batch.  A full batch does not linger. */
static void test_linger(void)
{
        struct lineq *q = start(100, 1 << 20, 100, 1 << 20, 300LL * 1000 * 1000);

        CU_ASSERT(push_str(q, "first") == 0);
        nanosleep(&(struct timespec){ .tv_nsec = 50L * 1000 * 1000 }, NULL);
        CU_ASSERT(push_str(q, "second") == 0);
        CU_ASSERT(push_str(q, "third") == 0);
        CU_ASSERT(wait_lines(3));
        CU_ASSERT_FATAL(seen.batches == 1);
        CU_ASSERT(seen.sizes[0] == 3);
        CU_ASSERT(seen.at[0] >= 0.29);
        lineq_free(q);

        /* batch_lines 1: the first line fills the batch, no lingering. */
        q = start(100, 1 << 20, 1, 1 << 20, 5LL * 1000 * 1000 * 1000);
        CU_ASSERT(push_str(q, "now") == 0);
        CU_ASSERT(wait_lines(1));
        CU_ASSERT(seen.batches == 1 && seen.at[0] < 2.0);
        lineq_free(q);

        /* Stop does not wait out the linger. */
        q = start(100, 1 << 20, 100, 1 << 20, 5LL * 1000 * 1000 * 1000);
        CU_ASSERT(push_str(q, "quick") == 0);
        lineq_stop(q);
        CU_ASSERT(seen.lines == 1 && since_t0() < 2.0);
        lineq_free(q);
}

/* A kick runs the callback with no lines, and cuts a linger short. */
static void test_kick(void)
{
        struct lineq *q = start(100, 1 << 20, 100, 1 << 20, 0);

        lineq_kick(q);
        pthread_mutex_lock(&mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        while (seen.batches < 1 && pthread_cond_timedwait(&cv, &mu, &until) == 0)
                ;
        CU_ASSERT(seen.batches == 1 && seen.sizes[0] == 0);
        pthread_mutex_unlock(&mu);
        lineq_free(q);

        q = start(100, 1 << 20, 100, 1 << 20, 5LL * 1000 * 1000 * 1000);
        CU_ASSERT(push_str(q, "a") == 0);
        nanosleep(&(struct timespec){ .tv_nsec = 20L * 1000 * 1000 }, NULL);
        lineq_kick(q);
        CU_ASSERT(wait_lines(1));
        CU_ASSERT(seen.at[0] < 2.0);
        lineq_free(q);
}

struct stopper {
        struct lineq *q;
        double stopped_at;
};

static void *stop_main(void *arg)
{
        struct stopper *st = arg;
        lineq_stop(st->q);
        st->stopped_at = since_t0();
        return NULL;
}

/* lineq_stop() hands every queued line to the callback (which sees lineq_stopping()), refuses
 * pushes from then on, and interrupts lineq_wait(). */
static void test_stop_drains(void)
{
        struct lineq *q = start(1000, 1 << 20, 10, 1 << 20, 0);
        struct stopper sp = { .q = q };
        pthread_t th;

        hold(q);
        for (int i = 0; i < 95; i++)
                CU_ASSERT(push_str(q, "queued") == 0);
        CU_ASSERT_FATAL(pthread_create(&th, NULL, stop_main, &sp) == 0);
        while (!lineq_stopping(q))
                nanosleep(&(struct timespec){ .tv_nsec = 1000L * 1000 }, NULL);
        CU_ASSERT(push_str(q, "late") == -ESHUTDOWN);
        open_gate();
        pthread_join(th, NULL);
        CU_ASSERT(seen.lines == 96);
        CU_ASSERT(seen.batches == 11);   /* the gate, then 10 per batch, no linger */
        for (size_t i = 1; i < seen.batches; i++)
                CU_ASSERT(seen.stopping[i]);
        CU_ASSERT(sp.stopped_at < 2.0);
        struct lineq_stats st;
        lineq_get_stats(q, &st);
        CU_ASSERT(st.pushed == 96 && st.dropped == 1 && st.lines == 0);
        lineq_stop(q);   /* again: nothing */
        lineq_free(q);

        /* A callback in lineq_wait() (a backoff) returns at once when stopped. */
        q = start(10, 1 << 20, 10, 1 << 20, 0);
        pthread_mutex_lock(&mu);
        seen.wait_ns = 10LL * 1000 * 1000 * 1000;
        pthread_mutex_unlock(&mu);
        CU_ASSERT(push_str(q, "backoff") == 0);
        CU_ASSERT(wait_lines(1));
        nanosleep(&(struct timespec){ .tv_nsec = 50L * 1000 * 1000 }, NULL);
        CU_ASSERT(push_str(q, "does not interrupt") == 0);
        nanosleep(&(struct timespec){ .tv_nsec = 50L * 1000 * 1000 }, NULL);
        CU_ASSERT(seen.lines == 1);   /* still waiting */
        lineq_stop(q);
        CU_ASSERT(seen.wait_result);
        CU_ASSERT(seen.wait_secs < 5.0);
        CU_ASSERT(seen.lines == 2);   /* drained after the wait */
        lineq_free(q);

        /* Without stop, lineq_wait() waits its time and says so. */
        q = start(10, 1 << 20, 10, 1 << 20, 0);
        pthread_mutex_lock(&mu);
        seen.wait_ns = 100LL * 1000 * 1000;
        pthread_mutex_unlock(&mu);
        CU_ASSERT(push_str(q, "short") == 0);
        pthread_mutex_lock(&mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        while (seen.wait_secs == 0 && pthread_cond_timedwait(&cv, &mu, &until) == 0)
                ;
        CU_ASSERT(!seen.wait_result);
        CU_ASSERT(seen.wait_secs >= 0.09);
        pthread_mutex_unlock(&mu);
        lineq_free(q);
}

enum { PRODUCERS = 8, PER_PRODUCER = 4000 };

struct producer {
        struct lineq *q;
        int id;
        size_t ok, dropped;
};

static void *produce(void *arg)
{
        struct producer *p = arg;
        char buf[32];
        for (int i = 0; i < PER_PRODUCER; i++) {
                int n = snprintf(buf, sizeof(buf), "%d %d\n", p->id, i);
                int r = lineq_push(p->q, strndup(buf, (size_t) n), (size_t) n);
                CU_ASSERT(r == 0 || r == -ENOBUFS);
                if (r == 0)
                        p->ok++;
                else
                        p->dropped++;
        }
        return NULL;
}

/* Every line a producer was told was queued arrives, once, in that producer's order; the counts
 * add up. */
static void test_many_producers(void)
{
        struct lineq *q = start(256, 1 << 20, 32, 1 << 20, 100LL * 1000);
        struct producer p[PRODUCERS];
        pthread_t th[PRODUCERS];
        size_t ok = 0, dropped = 0;

        for (int i = 0; i < PRODUCERS; i++) {
                p[i] = (struct producer){ .q = q, .id = i };
                CU_ASSERT_FATAL(pthread_create(&th[i], NULL, produce, &p[i]) == 0);
        }
        for (int i = 0; i < PRODUCERS; i++) {
                pthread_join(th[i], NULL);
                ok += p[i].ok;
                dropped += p[i].dropped;
        }
        lineq_free(q);   /* drains */
        CU_ASSERT(ok + dropped == (size_t) PRODUCERS * PER_PRODUCER);
        CU_ASSERT(seen.lines == ok);

        int last[PRODUCERS];
        size_t got[PRODUCERS] = { 0 };
        for (int i = 0; i < PRODUCERS; i++)
                last[i] = -1;
        bool ordered = true;
        for (size_t i = 0; i < seen.lines; i++) {
                int id = -1, seq = -1;
                if (sscanf(seen.text[i], "%d %d", &id, &seq) != 2 || id < 0 || id >= PRODUCERS) {
                        ordered = false;
                        continue;
                }
                ordered &= seq > last[id];
                last[id] = seq;
                got[id]++;
        }
        CU_ASSERT(ordered);
        for (int i = 0; i < PRODUCERS; i++)
                CU_ASSERT(got[i] == p[i].ok);
        for (size_t i = 0; i < seen.batches; i++)
                CU_ASSERT(seen.sizes[i] >= 1 && seen.sizes[i] <= 32);
        reset();
}

static const struct cu_test TESTS[] = {
        { "bad config and arguments", test_bad_config },
        { "bound by count", test_bound_by_count },
        { "bound by bytes", test_bound_by_bytes },
        { "drops reported once", test_take_drops },
        { "batch limits", test_batch_limits },
        { "linger", test_linger },
        { "kick", test_kick },
        { "stop drains", test_stop_drains },
        { "many producers", test_many_producers },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = { { "lineq", TESTS } };

CU_MAIN(SUITES)
