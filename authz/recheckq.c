/* The second looks' queue (see recheckq.h). */
#include "authz/recheckq.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct recheckq_job *head, *tail;   /* FIFO of waiting looks */
static size_t n_queued, n_workers, max_queued;
/* The target each worker is looking at ("" when the slot is free). */
static char running[RECHECKQ_WORKERS][RECHECKQ_TARGET_MAX];

static bool target_running(const char *target)
{
        for (size_t i = 0; i < RECHECKQ_WORKERS; i++)
                if (running[i][0] && strcmp(running[i], target) == 0)
                        return true;
        return false;
}

/* The first waiting look whose target no worker is looking at, taken off the queue. */
static struct recheckq_job *take_next_locked(void)
{
        for (struct recheckq_job **pp = &head, *prev = NULL; *pp; prev = *pp, pp = &(*pp)->next) {
                struct recheckq_job *j = *pp;
                if (target_running(j->target))
                        continue;
                *pp = j->next;
                if (tail == j)
                        tail = prev;
                j->next = NULL;
                n_queued--;
                return j;
        }
        return NULL;
}

struct worker {
        size_t slot;
        struct recheckq_job *job;
};

static void *worker_main(void *arg)
{
        struct worker *w = arg;

        for (;;) {
                struct recheckq_job *job = w->job;
                job->run(job);   /* job is gone from here on */

                pthread_mutex_lock(&lock);
                running[w->slot][0] = '\0';
                w->job = take_next_locked();
                if (!w->job) {
                        n_workers--;
                        pthread_mutex_unlock(&lock);
                        break;
                }
                memcpy(running[w->slot], w->job->target, RECHECKQ_TARGET_MAX);
                pthread_mutex_unlock(&lock);
        }
        free(w);
        return NULL;
}

static int spawn_locked(size_t slot, struct recheckq_job *job)
{
        pthread_attr_t attr;
        pthread_t t;
        struct worker *w = malloc(sizeof(*w));

        if (!w)
                return -ENOMEM;
        w->slot = slot;
        w->job = job;
        memcpy(running[slot], job->target, RECHECKQ_TARGET_MAX);
        int r = pthread_attr_init(&attr);
        if (r == 0) {
                pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                pthread_attr_setstacksize(&attr, 256u << 10);
                r = pthread_create(&t, &attr, worker_main, w);
                pthread_attr_destroy(&attr);
        }
        if (r != 0) {
                running[slot][0] = '\0';
                free(w);
                return -r;
        }
        n_workers++;
        return 0;
}

int recheckq_submit(struct recheckq_job *job)
{
        int r = 0;

        job->target[RECHECKQ_TARGET_MAX - 1] = '\0';
        job->next = NULL;
        if (!job->target[0])   /* an empty slot means a free one */
                return -EINVAL;
        pthread_mutex_lock(&lock);
        if (n_workers < RECHECKQ_WORKERS && !target_running(job->target)) {
                size_t slot = 0;
                while (running[slot][0])   /* a free slot exists: fewer workers than slots */
                        slot++;
                r = spawn_locked(slot, job);
        } else if (n_queued >= RECHECKQ_QUEUED_MAX)
                r = -EBUSY;
        else {
                if (tail)
                        tail->next = job;
                else
                        head = job;
                tail = job;
                if (++n_queued > max_queued)
                        max_queued = n_queued;
        }
        pthread_mutex_unlock(&lock);
        return r;
}

size_t recheckq_busy(void)
{
        pthread_mutex_lock(&lock);
        size_t n = n_workers + n_queued;
        pthread_mutex_unlock(&lock);
        return n;
}

size_t recheckq_max_queued(void)
{
        pthread_mutex_lock(&lock);
        size_t n = max_queued;
        pthread_mutex_unlock(&lock);
        return n;
}
