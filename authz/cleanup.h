/* Scope-bound ownership (systemd style): a variable declared _cleanup_free_ is freed when it goes
 * out of scope, unless ownership was handed on with TAKE_PTR()/TAKE_FD(). */
#pragma once

#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "policy/buf.h"
#include "policy/policy.h"

static inline void freep(void *p)
{
        free(*(void **) p);
}

static inline void closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}

static inline void policy_unrefp(struct policy **p)
{
        policy_unref(*p);
}

static inline void buf_freep(struct buf *b)
{
        buf_free(b);
}

#define _cleanup_free_   __attribute__((cleanup(freep)))
#define _cleanup_close_  __attribute__((cleanup(closep)))
#define _cleanup_json_   __attribute__((cleanup(json_decrefp)))   /* jansson's own helper */
#define _cleanup_policy_ __attribute__((cleanup(policy_unrefp)))
#define _cleanup_buf_    __attribute__((cleanup(buf_freep)))    /* on a struct buf, after buf_init */

/* Hand ownership on: returns the value and leaves the variable empty. */
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })
