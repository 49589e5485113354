/* Where second looks wait their turn: a bounded FIFO served by a bounded set of worker threads,
 * one look per target at a time.
 *
 * A look can block for its whole timeout when a client holds the container's lock in dockerd (an
 * archive download it never reads).  Such a look holds one worker, and the other looks at the same
 * target wait in the queue behind it without holding any; every other start keeps its worker, so one
 * client cannot make another's start fail.  A start is refused only when the queue itself is full. */
#pragma once

#include <stddef.h>

#define RECHECKQ_WORKERS    256    /* looks running at once (100 concurrent starts never queue) */
#define RECHECKQ_QUEUED_MAX 4096   /* looks waiting; beyond that a start is refused */
#define RECHECKQ_TARGET_MAX 256

struct recheckq_job {
        char target[RECHECKQ_TARGET_MAX];   /* the container or exec reference, as the start named it */
        /* Runs on a worker thread.  From its first line the job belongs to the callback: the queue
         * never touches it again. */
        void (*run)(struct recheckq_job *job);
        struct recheckq_job *next;          /* the queue's */
};

/* Run `job` now on a free worker, or queue it.  0 on success; -EBUSY when RECHECKQ_QUEUED_MAX looks
 * already wait; -EINVAL for an empty target;
 * -EAGAIN (or another -errno) when no worker thread could be started. */
int recheckq_submit(struct recheckq_job *job);

/* Looks running or waiting, for a server draining before it stops. */
size_t recheckq_busy(void);

/* Statistics since start, for tests and the log: the most looks that waited at once. */
size_t recheckq_max_queued(void);
