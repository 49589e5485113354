/* Hand-written JSON text: see jsonout.h. */
#include "authz/jsonout.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "policy/jsontext.h"

void jsonout_init(struct jsonout *o)
{
        o->buf = o->stack;
        o->len = 0;
        o->cap = sizeof(o->stack);
        o->heap = false;
        o->failed = false;
}

bool jsonout_grow(struct jsonout *o, size_t n)
{
        size_t cap = o->cap;
        char *p;

        if (o->failed)
                return false;
        while (n > cap - o->len) {
                if (cap > SIZE_MAX / 2) {
                        o->failed = true;
                        return false;
                }
                cap *= 2;
        }
        p = o->heap ? realloc(o->buf, cap) : malloc(cap);
        if (!p) {
                o->failed = true;
                return false;
        }
        if (!o->heap)
                memcpy(p, o->buf, o->len);
        o->buf = p;
        o->cap = cap;
        o->heap = true;
        return true;
}

/* The index of the first byte from i on that is not plain (n if none). */
static size_t plain_prefix(const char *s, size_t i, size_t n)
{
        return (size_t) (json_plain_run(s + i, s + n) - s);
}

void jsonout_string(struct jsonout *o, const char *s, size_t n)
{
        static const char hex[] = "0123456789ABCDEF";
        const unsigned char *u = (const unsigned char *) s;
        size_t done = 0;   /* s[0..done) is out */

        jsonout_lit(o, "\"");
        for (size_t i = plain_prefix(s, 0, n); i < n; i = plain_prefix(s, i, n)) {
                unsigned char c = u[i];
                if (c >= 0x80) {
                        size_t k = json_utf8_len(u + i, n - i);
                        if (k > 0) {
                                i += k;
                                continue;
                        }
                }
                jsonout_mem(o, s + done, i - done);
                switch (c) {
                case '"':
                        jsonout_lit(o, "\\\"");
                        break;
                case '\\':
                        jsonout_lit(o, "\\\\");
                        break;
                case '\b':
                        jsonout_lit(o, "\\b");
                        break;
                case '\f':
                        jsonout_lit(o, "\\f");
                        break;
                case '\n':
                        jsonout_lit(o, "\\n");
                        break;
                case '\r':
                        jsonout_lit(o, "\\r");
                        break;
                case '\t':
                        jsonout_lit(o, "\\t");
                        break;
                default:
                        if (c >= 0x80) {
                                jsonout_lit(o, "\xef\xbf\xbd");   /* U+FFFD for each byte of an invalid sequence */
                        } else {
                                const char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };
                                jsonout_mem(o, e, sizeof(e));
                        }
                        break;
                }
                done = ++i;
        }
        jsonout_mem(o, s + done, n - done);
        jsonout_lit(o, "\"");
}

int jsonout_finish(struct jsonout *o, char **ret, size_t *ret_len)
{
        jsonout_lit(o, "\0");
        if (o->failed) {
                if (o->heap)
                        free(o->buf);
                return -ENOMEM;
        }
        o->len--;   /* the NUL */
        char *p = o->buf;
        if (!o->heap) {
                /* One allocation of the exact size: an estimate would often ask for more than the
                 * 1 KiB past which glibc consolidates its free lists, which cost more than the
                 * writing. */
                p = malloc(o->len + 1);
                if (!p)
                        return -ENOMEM;
                memcpy(p, o->stack, o->len + 1);
        } else if (o->cap - o->len > o->len / 4) {
                /* up to twice the text after the last doubling (the audit queue counts lines by
                 * their length): give back the rest */
                char *q = realloc(o->buf, o->len + 1);
                if (q)
                        p = q;
        }
        *ret = p;
        *ret_len = o->len;
        return 0;
}
