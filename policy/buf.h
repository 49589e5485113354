/* A bounded growable byte buffer (in the spirit of curl's dynbuf).
 *
 * Every buffer has a hard cap, given at init, on the bytes it holds: an append that would pass it
 * fails with -E2BIG and nothing past the cap is ever allocated, so input cannot make it grow
 * without bound.  The allocation starts at `initial` bytes (or in storage the caller lends, e.g. on
 * its stack) and doubles, the last step clamped to the cap.  One byte beyond the content is always
 * kept free, so the bytes can be NUL-terminated (buf_str, buf_steal) without growing; that byte is
 * not counted against the cap.
 *
 * Errors are sticky: the first failed append (-E2BIG, -ENOMEM, -EINVAL from a format) frees the
 * bytes held and puts the buffer in an error state, in which every append does nothing and returns
 * that error, until buf_reset, buf_steal or buf_free.  A caller can so append many times and check
 * once, with buf_error or at buf_steal.
 *
 * Ownership: the buffer owns its heap allocation until buf_steal hands it over or buf_free frees
 * it; lent storage stays the caller's and must outlive the buffer.  Pointers into the bytes
 * (buf_ptr, buf_str) are borrowed and valid until the next append, reset, steal or free.
 *
 * Not thread-safe (one owner at a time), no logging: plain data, like the rest of policy/. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#define BUF_INITIAL_DEFAULT 256

struct buf {
        char *ptr;          /* NULL, the lent storage, or a heap allocation of `alloc` bytes */
        size_t len;         /* bytes held: always < alloc when alloc > 0, <= cap */
        size_t alloc;       /* bytes at ptr; 0 when none (also in the error state) */
        size_t cap;         /* most bytes it may hold, the terminating NUL not counted */
        size_t initial;     /* the first heap allocation */
        char *lent;         /* the caller's storage, or NULL */
        size_t lent_size;
        int error;          /* 0, or the sticky -errno */
};

/* An empty buffer holding at most `cap` bytes (cap < SIZE_MAX), whose first allocation will be
 * `initial` bytes (0: BUF_INITIAL_DEFAULT; clamped to cap + 1).  Allocates nothing. */
void buf_init(struct buf *b, size_t initial, size_t cap);

/* As buf_init, but the first bytes go into the caller's `storage` of `size` bytes (borrowed; it
 * must outlive b), and move to the heap, doubling from `size`, only when they outgrow it.  For a
 * short-lived buffer that usually stays small: no allocation until then. */
void buf_init_lent(struct buf *b, char *storage, size_t size, size_t cap);

/* Empties b and clears its error state; the allocation is kept for reuse. */
void buf_reset(struct buf *b);

/* Frees what b holds (not lent storage) and leaves it empty, without error, ready for reuse.
 * Accepts NULL. */
void buf_free(struct buf *b);

/* Appends with room to spare take the inline path; the rest go here (growth, errors, n == 0).
 * Same contract as buf_append. */
int buf_append_slow(struct buf *b, const void *data, size_t n);

/* Appends data[0..n).  0, or -E2BIG (past the cap), -ENOMEM, or the error already recorded; on
 * failure b is in the error state.  n == 0 appends nothing (data may then be NULL) and returns 0 or
 * the error recorded. */
static inline int buf_append(struct buf *b, const void *data, size_t n)
{
        /* strict: one byte stays free for the NUL; alloc == 0 (nothing yet, or the error state)
         * never takes this path, nor n == 0 (memcpy must not see a NULL data) */
        if (__builtin_expect(n != 0 && n < b->alloc - b->len, 1)) {
                memcpy(b->ptr + b->len, data, n);
                b->len += n;
                return 0;
        }
        return buf_append_slow(b, data, n);
}

/* Appends the NUL-terminated s, without its NUL.  As buf_append. */
static inline int buf_puts(struct buf *b, const char *s)
{
        return buf_append(b, s, strlen(s));
}

/* Appends printf-formatted text (vsnprintf), without its NUL.  As buf_append, and -EINVAL when
 * the format fails. */
__attribute__((format(printf, 2, 3)))
int buf_printf(struct buf *b, const char *fmt, ...);
/* The same with a va_list (which it does not va_end: the caller's, as for vsnprintf). */
__attribute__((format(printf, 2, 0)))
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Drops the bytes from `len` on (a larger len changes nothing): a stack of strings pops this way. */
static inline void buf_truncate(struct buf *b, size_t len)
{
        if (len < b->len)
                b->len = len;
}

/* 0, or the sticky error. */
static inline int buf_error(const struct buf *b)
{
        return b->error;
}

static inline size_t buf_len(const struct buf *b)
{
        return b->len;
}

/* How many more bytes the cap allows. */
static inline size_t buf_avail(const struct buf *b)
{
        return b->cap - b->len;
}

/* The bytes (borrowed, not NUL-terminated; NULL when nothing was ever allocated). */
static inline char *buf_ptr(const struct buf *b)
{
        return b->ptr;
}

/* The bytes as a NUL-terminated string (borrowed): "" when empty or in the error state. */
const char *buf_str(struct buf *b);

/* Hands the bytes over: 0 with *ret a new allocation (the caller frees it) of the bytes and a NUL,
 * *ret_len their number (the NUL not counted).  Bytes in lent storage are copied into one
 * allocation of their size; a heap allocation with much unused (over a quarter of the length) is
 * shrunk, and kept as it is if that fails.  On failure, the sticky error or -ENOMEM, with *ret and
 * *ret_len untouched and nothing allocated.  Either way b is left empty, without error, as after
 * buf_free. */
int buf_steal(struct buf *b, char **ret, size_t *ret_len);
