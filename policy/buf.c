/* A bounded growable byte buffer: see buf.h. */
#include "policy/buf.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static size_t clamp_alloc(size_t size, size_t cap)
{
        return size > cap + 1 ? cap + 1 : size;   /* cap < SIZE_MAX: no overflow */
}

void buf_init(struct buf *b, size_t initial, size_t cap)
{
        assert(cap < SIZE_MAX);
        *b = (struct buf){
                .cap = cap,
                .initial = clamp_alloc(initial ? initial : BUF_INITIAL_DEFAULT, cap),
        };
}

void buf_init_lent(struct buf *b, char *storage, size_t size, size_t cap)
{
        buf_init(b, size, cap);
        if (storage && size > 0) {
                b->lent = storage;
                b->lent_size = clamp_alloc(size, cap);
                b->ptr = b->lent;
                b->alloc = b->lent_size;
        }
}

/* Back to empty in the lent storage, or with nothing allocated; what was on the heap is the
 * caller's business (freed or handed over). */
static void to_empty(struct buf *b)
{
        b->ptr = b->lent;
        b->alloc = b->lent_size;
        b->len = 0;
        b->error = 0;
}

static void release(struct buf *b)
{
        if (b->ptr != b->lent)
                free(b->ptr);
}

/* The error state: the bytes are given up at once (a request over its cap should not keep
 * holding memory until its owner gets round to freeing it). */
static int fail(struct buf *b, int r)
{
        release(b);
        b->ptr = NULL;
        b->alloc = 0;
        b->len = 0;
        b->error = r;
        return r;
}

void buf_reset(struct buf *b)
{
        if (b->error || b->alloc == 0) {
                to_empty(b);
                return;
        }
        b->len = 0;
}

void buf_free(struct buf *b)
{
        if (!b)
                return;
        release(b);
        to_empty(b);
}

/* Room for n more bytes and the NUL: 0, or the error (b then in the error state). */
static int grow(struct buf *b, size_t n)
{
        if (b->error)
                return b->error;
        if (n > b->cap - b->len)
                return fail(b, -E2BIG);
        if (n < b->alloc - b->len)
                return 0;
        /* len + n + 1 <= cap + 1 from here on, so the doubling stops at cap + 1 at the latest */
        size_t want = b->alloc ? b->alloc : b->initial;
        while (n >= want - b->len)
                want = want > (b->cap + 1) / 2 ? b->cap + 1 : want * 2;
        char *p;
        if (b->ptr && b->ptr == b->lent) {
                p = malloc(want);
                if (p)
                        memcpy(p, b->ptr, b->len);
        } else
                p = realloc(b->ptr, want);
        if (!p)
                return fail(b, -ENOMEM);
        b->ptr = p;
        b->alloc = want;
        return 0;
}

int buf_append_slow(struct buf *b, const void *data, size_t n)
{
        if (n == 0)
                return b->error;   /* nothing to copy: data may be NULL, b->ptr too */
        int r = grow(b, n);
        if (r < 0)
                return r;
        memcpy(b->ptr + b->len, data, n);
        b->len += n;
        return 0;
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
        va_list again;

        if (b->error)
                return b->error;
        /* first into the room there is; only text that does not fit is formatted twice */
        size_t room = b->alloc - b->len;
        va_copy(again, ap);
        int n = vsnprintf(room ? b->ptr + b->len : NULL, room, fmt, ap);
        if (n < 0) {
                va_end(again);
                return fail(b, -EINVAL);
        }
        if ((size_t) n < room) {
                va_end(again);
                b->len += (size_t) n;
                return 0;
        }
        int r = grow(b, (size_t) n);
        if (r < 0) {
                va_end(again);
                return r;
        }
        int m = vsnprintf(b->ptr + b->len, b->alloc - b->len, fmt, again);
        va_end(again);
        if (m != n)   /* the same format and arguments: only a broken libc would differ */
                return fail(b, -EINVAL);
        b->len += (size_t) n;
        return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        int r = buf_vprintf(b, fmt, ap);
        va_end(ap);
        return r;
}

const char *buf_str(struct buf *b)
{
        if (b->alloc == 0)
                return "";
        b->ptr[b->len] = '\0';   /* len < alloc */
        return b->ptr;
}

int buf_steal(struct buf *b, char **ret, size_t *ret_len)
{
        char *p;

        if (b->error) {
                int r = b->error;
                buf_free(b);
                return r;
        }
        if (b->alloc == 0 || b->ptr == b->lent) {
                /* One allocation of the exact size: the bytes often outlive the buffer (queued
                 * audit lines are counted by their length). */
                p = malloc(b->len + 1);
                if (!p) {
                        buf_free(b);
                        return -ENOMEM;
                }
                if (b->len > 0)
                        memcpy(p, b->ptr, b->len);
        } else {
                p = b->ptr;
                if (b->alloc - b->len > b->len / 4) {
                        /* up to twice the bytes after the last doubling: give back the rest */
                        char *q = realloc(p, b->len + 1);
                        if (q)
                                p = q;
                }
        }
        p[b->len] = '\0';
        *ret = p;
        *ret_len = b->len;
        b->ptr = NULL;   /* handed over: to_empty must not see it as ours */
        to_empty(b);
        return 0;
}
