/* The second looks' queue (authz/recheckq.h): one look per target at a time, others run beside a
 * blocked one, a full queue refuses, and every job runs exactly once. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "authz/recheckq.h"
#include "tests/unit/cutest.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

struct job {
        struct recheckq_job q;   /* first: the queue hands back this pointer */
        bool release;            /* the look may finish */
        bool started, done;
        int order;               /* when it started */
};

static int started_count;

static void run(struct recheckq_job *qj)
{
        struct job *j = (struct job *) qj;
        pthread_mutex_lock(&mu);
        j->started = true;
        j->order = ++started_count;
        pthread_cond_broadcast(&cv);
        while (!j->release)
                pthread_cond_wait(&cv, &mu);
        j->done = true;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
}

static void init(struct job *j, const char *target)
{
        memset(j, 0, sizeof(*j));
        snprintf(j->q.target, sizeof(j->q.target), "%s", target);
        j->q.run = run;
}

/* Wait up to 5 s for *flag. */
static bool wait_for(const bool *flag)
{
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        pthread_mutex_lock(&mu);
        while (!*flag && pthread_cond_timedwait(&cv, &mu, &until) == 0)
                ;
        bool r = *flag;
        pthread_mutex_unlock(&mu);
        return r;
}

static void release(struct job *j)
{
        pthread_mutex_lock(&mu);
        j->release = true;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
}

static void drain(void)
{
        for (int i = 0; i < 500 && recheckq_busy() > 0; i++)
                nanosleep(&(struct timespec) { 0, 10L * 1000 * 1000 }, NULL);
        CU_ASSERT_EQUAL(recheckq_busy(), 0);
}

static void test_per_target(void)
{
        static struct job a1, a2, b1;
        init(&a1, "a");
        init(&a2, "a");
        init(&b1, "b");

        CU_ASSERT_EQUAL(recheckq_submit(&a1.q), 0);
        CU_ASSERT_TRUE(wait_for(&a1.started));
        CU_ASSERT_EQUAL(recheckq_submit(&a2.q), 0);
        CU_ASSERT_EQUAL(recheckq_submit(&b1.q), 0);
        /* b runs beside the blocked a; the second a waits, holding no worker */
        CU_ASSERT_TRUE(wait_for(&b1.started));
        CU_ASSERT_FALSE(a2.started);
        CU_ASSERT(recheckq_max_queued() >= 1);
        release(&b1);
        CU_ASSERT_TRUE(wait_for(&b1.done));
        CU_ASSERT_FALSE(a2.started);
        release(&a1);
        CU_ASSERT_TRUE(wait_for(&a2.started));
        CU_ASSERT(a2.order > a1.order);
        release(&a2);
        CU_ASSERT_TRUE(wait_for(&a2.done));
        drain();
}

static void test_bounds(void)
{
        static struct job busy[RECHECKQ_WORKERS], queued[RECHECKQ_QUEUED_MAX], extra, empty;
        char t[32];

        init(&empty, "");
        CU_ASSERT_EQUAL(recheckq_submit(&empty.q), -EINVAL);

        /* every worker blocked on its own target */
        for (int i = 0; i < RECHECKQ_WORKERS; i++) {
                snprintf(t, sizeof(t), "w%d", i);
                init(&busy[i], t);
                CU_ASSERT_EQUAL(recheckq_submit(&busy[i].q), 0);
        }
        for (int i = 0; i < RECHECKQ_WORKERS; i++)
                CU_ASSERT_TRUE(wait_for(&busy[i].started));
        /* then the queue fills, and one more is refused */
        for (int i = 0; i < RECHECKQ_QUEUED_MAX; i++) {
                snprintf(t, sizeof(t), "q%d", i);
                init(&queued[i], t);
                CU_ASSERT_EQUAL(recheckq_submit(&queued[i].q), 0);
        }
        init(&extra, "x");
        CU_ASSERT_EQUAL(recheckq_submit(&extra.q), -EBUSY);
        CU_ASSERT_EQUAL(recheckq_busy(), (size_t) RECHECKQ_WORKERS + RECHECKQ_QUEUED_MAX);

        /* released, every queued look runs once */
        pthread_mutex_lock(&mu);
        for (int i = 0; i < RECHECKQ_WORKERS; i++)
                busy[i].release = true;
        for (int i = 0; i < RECHECKQ_QUEUED_MAX; i++)
                queued[i].release = true;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
        for (int i = 0; i < RECHECKQ_QUEUED_MAX; i++)
                CU_ASSERT_TRUE(wait_for(&queued[i].done));
        drain();
        CU_ASSERT_FALSE(extra.started);
}

static const struct cu_test TESTS[] = {
        { "one look per target, others beside it", test_per_target },
        { "empty target, full queue", test_bounds },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = { { "recheckq", TESTS } };

CU_MAIN(SUITES)
