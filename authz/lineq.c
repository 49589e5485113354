/* The bounded line queue and its worker: see lineq.h.
 *
 * A ring of max_lines slots under one mutex, held by producers for a few pointer moves.  One
 * condition variable, waited on by the worker only: for lines (then `idle` is set, and the first
 * push clears it and signals), for the linger, and in lineq_wait(). */
#include "authz/lineq.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct lineq {
        pthread_mutex_t lock;
        pthread_cond_t wake;            /* CLOCK_MONOTONIC */
        pthread_t thread;

        struct lineq_config c;
        struct lineq_line *ring;        /* c.max_lines slots; guarded by lock, as is all below */
        size_t head, count, bytes;
        bool idle;                      /* the worker waits for lines: the next push must signal */
        bool kicked;
        atomic_bool stopping;           /* written under lock, read anywhere */
        bool joined;
        uint64_t pushed, dropped, dropped_unreported;

        struct lineq_line *batch;       /* c.batch_lines slots: the worker's */
};

static void deadline_after(struct timespec *ts, long long ns)
{
        clock_gettime(CLOCK_MONOTONIC, ts);
        ts->tv_sec += (time_t) (ns / 1000000000LL);
        ts->tv_nsec += (long) (ns % 1000000000LL);
        if (ts->tv_nsec >= 1000000000L) {
                ts->tv_sec++;
                ts->tv_nsec -= 1000000000L;
        }
}

/* Wait, lock held, until `ns` passed or stop (or a kick, with `or_kick`).  Producers do not signal
 * meanwhile: `idle` is false. */
static void wait_locked(struct lineq *q, long long ns, bool or_kick)
{
        struct timespec until;

        deadline_after(&until, ns);
        while (!atomic_load(&q->stopping) && !(or_kick && q->kicked) &&
               pthread_cond_timedwait(&q->wake, &q->lock, &until) != ETIMEDOUT)
                ;
}

static bool batch_full(const struct lineq *q)
{
        return q->count >= q->c.batch_lines || q->bytes >= q->c.batch_bytes;
}

/* Move up to one batch from the ring into q->batch.  Lock held. */
static size_t take_batch(struct lineq *q)
{
        size_t k = 0, total = 0;

        while (k < q->c.batch_lines && q->count > 0) {
                struct lineq_line *l = &q->ring[q->head];
                if (k > 0 && (total >= q->c.batch_bytes || l->len > q->c.batch_bytes - total))
                        break;
                total += l->len;
                q->batch[k++] = *l;
                l->s = NULL;
                q->head = (q->head + 1) % q->c.max_lines;
                q->count--;
                q->bytes -= l->len;
        }
        return k;
}

static void *worker_main(void *arg)
{
        struct lineq *q = arg;

        pthread_mutex_lock(&q->lock);
        for (;;) {
                bool slept = false;
                while (q->count == 0 && !q->kicked && !atomic_load(&q->stopping)) {
                        q->idle = true;
                        pthread_cond_wait(&q->wake, &q->lock);
                        slept = true;
                }
                q->idle = false;
                /* Only after sleeping: a busy worker takes what piled up meanwhile at once. */
                if (slept && q->c.linger_ns > 0 && !batch_full(q))
                        wait_locked(q, q->c.linger_ns, true);

                bool kicked = q->kicked;
                q->kicked = false;
                if (q->count == 0 && !kicked)
                        break;   /* stopping, and every line handed out */
                size_t k = take_batch(q);
                pthread_mutex_unlock(&q->lock);

                q->c.batch(q, q->c.ctx, q->batch, k);
                for (size_t i = 0; i < k; i++) {
                        free(q->batch[i].s);
                        q->batch[i].s = NULL;
                }

                pthread_mutex_lock(&q->lock);
        }
        pthread_mutex_unlock(&q->lock);
        return NULL;
}

int lineq_start(const struct lineq_config *c, struct lineq **ret)
{
        struct lineq *q;
        pthread_condattr_t attr;
        sigset_t all, old;
        int r;

        if (!c || !ret || !c->batch || c->max_lines == 0 || c->max_bytes == 0 || c->batch_lines == 0 ||
            c->batch_bytes == 0 || c->linger_ns < 0)
                return -EINVAL;
        q = calloc(1, sizeof(*q));
        if (!q)
                return -ENOMEM;
        q->c = *c;
        q->ring = calloc(c->max_lines, sizeof(*q->ring));
        q->batch = calloc(c->batch_lines, sizeof(*q->batch));
        if (!q->ring || !q->batch) {
                free(q->ring);
                free(q->batch);
                free(q);
                return -ENOMEM;
        }
        atomic_init(&q->stopping, false);
        pthread_mutex_init(&q->lock, NULL);
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);   /* a clock step must not stretch a wait */
        pthread_cond_init(&q->wake, &attr);
        pthread_condattr_destroy(&attr);

        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        r = -pthread_create(&q->thread, NULL, worker_main, q);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                pthread_cond_destroy(&q->wake);
                pthread_mutex_destroy(&q->lock);
                free(q->ring);
                free(q->batch);
                free(q);
                return r;
        }
        *ret = q;
        return 0;
}

int lineq_push(struct lineq *q, char *s, size_t len)
{
        int r;

        if (!s || len == 0) {
                free(s);
                return -EINVAL;
        }
        pthread_mutex_lock(&q->lock);
        if (atomic_load(&q->stopping))
                r = -ESHUTDOWN;
        else if (len > q->c.max_bytes)
                r = -E2BIG;
        else if (q->count >= q->c.max_lines || len > q->c.max_bytes - q->bytes)
                r = -ENOBUFS;
        else
                r = 0;
        if (r < 0) {
                q->dropped++;
                q->dropped_unreported++;
                pthread_mutex_unlock(&q->lock);
                free(s);
                return r;
        }
        struct lineq_line *l = &q->ring[(q->head + q->count) % q->c.max_lines];
        l->s = s;
        l->len = len;
        q->count++;
        q->bytes += len;
        q->pushed++;
        if (q->idle) {
                q->idle = false;   /* one signal per wake-up: the worker takes the rest */
                pthread_cond_signal(&q->wake);
        }
        pthread_mutex_unlock(&q->lock);
        return 0;
}

void lineq_count_drop(struct lineq *q)
{
        pthread_mutex_lock(&q->lock);
        q->dropped++;
        q->dropped_unreported++;
        pthread_mutex_unlock(&q->lock);
}

void lineq_kick(struct lineq *q)
{
        pthread_mutex_lock(&q->lock);
        q->kicked = true;
        pthread_cond_signal(&q->wake);
        pthread_mutex_unlock(&q->lock);
}

bool lineq_wait(struct lineq *q, long long ns)
{
        bool stopping;

        assert(pthread_equal(pthread_self(), q->thread));
        pthread_mutex_lock(&q->lock);
        wait_locked(q, ns, false);
        stopping = atomic_load(&q->stopping);
        pthread_mutex_unlock(&q->lock);
        return stopping;
}

bool lineq_stopping(struct lineq *q)
{
        return atomic_load(&q->stopping);
}

uint64_t lineq_take_drops(struct lineq *q, bool if_empty)
{
        uint64_t n = 0;

        pthread_mutex_lock(&q->lock);
        if (!if_empty || q->count == 0) {
                n = q->dropped_unreported;
                q->dropped_unreported = 0;
        }
        pthread_mutex_unlock(&q->lock);
        return n;
}

void lineq_get_stats(struct lineq *q, struct lineq_stats *ret)
{
        pthread_mutex_lock(&q->lock);
        *ret = (struct lineq_stats){
                .pushed = q->pushed, .dropped = q->dropped, .lines = q->count, .bytes = q->bytes,
                .idle = q->idle,
        };
        pthread_mutex_unlock(&q->lock);
}

void lineq_stop(struct lineq *q)
{
        bool join;

        assert(!pthread_equal(pthread_self(), q->thread));
        pthread_mutex_lock(&q->lock);
        atomic_store(&q->stopping, true);
        join = !q->joined;
        q->joined = true;
        pthread_cond_broadcast(&q->wake);
        pthread_mutex_unlock(&q->lock);
        if (join)
                pthread_join(q->thread, NULL);
}

struct lineq *lineq_free(struct lineq *q)
{
        if (!q)
                return NULL;
        lineq_stop(q);
        /* The worker handed out every line before it stopped; nothing is left in the ring. */
        for (size_t i = 0; i < q->count; i++)
                free(q->ring[(q->head + i) % q->c.max_lines].s);
        pthread_cond_destroy(&q->wake);
        pthread_mutex_destroy(&q->lock);
        free(q->ring);
        free(q->batch);
        free(q);
        return NULL;
}
