/* URL query strings, parsed as Go's url.ParseQuery does (see query.h for the contract).
 *
 * dockerd reads its parameters with r.Form, which is url.ParseQuery of the raw query: if this parser
 * disagreed with Go on any input, a rule could check one value while the daemon acts on another.
 * So the rules are Go's: '&' separates pairs, empty pairs are skipped, the first '=' splits key from
 * value, '+' is a space, %XX is a byte, and any ';' or malformed escape makes the whole query an
 * error (Go keeps parsing but returns the error, and dockerd then refuses the request).
 *
 * One deliberate difference: a decoded NUL byte is an error here.  Go keeps it inside the string,
 * but our keys and values are C strings, so "none%00host" would be read as "none"; refusing is the
 * only way not to see a different value than dockerd. */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "policy/query.h"

int hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Check the whole string before decoding anything, so that an error never depends on how much
 * storage was left (Go reports every bad escape, whatever else is wrong). */
static int query_validate(const char *raw)
{
        for (const char *p = raw; *p; p++) {
                if (*p == ';')
                        return -EINVAL;
                if (*p != '%')
                        continue;
                /* Reading p[2] is safe: p[1] is checked first and is not NUL when it is a hex digit. */
                if (hex_value(p[1]) < 0 || hex_value(p[2]) < 0)
                        return -EINVAL;
                if (hex_value(p[1]) == 0 && hex_value(p[2]) == 0)
                        return -EINVAL;   /* %00: see the file comment */
                p += 2;
        }
        return 0;
}

/* Decode `len` bytes of `src` (already validated) into q->buf at *used, NUL-terminated.  Sets
 * *ret_str to the decoded string.  -E2BIG when it does not fit. */
static int decode_component(struct query *q, size_t *used, const char *src, size_t len,
                            const char **ret_str)
{
        size_t cap = sizeof(q->buf);
        char *out = q->buf + *used;
        size_t n = 0;

        /* A decoded component is never longer than its source; +1 for the NUL.  Written as a
         * subtraction so that it cannot overflow. */
        if (len >= cap - *used)
                return -E2BIG;

        for (size_t i = 0; i < len; i++) {
                char c = src[i];
                if (c == '+') {
                        c = ' ';
                } else if (c == '%') {
                        /* validated already; checked again so that this never decodes garbage */
                        int hi = hex_value(src[i + 1]), lo = hi < 0 ? -1 : hex_value(src[i + 2]);
                        if (lo < 0)
                                return -EINVAL;
                        c = (char) (hi << 4 | lo);
                        i += 2;
                }
                out[n++] = c;
        }
        out[n] = '\0';
        *used += n + 1;
        *ret_str = out;
        return 0;
}

int query_parse(const char *raw, struct query *ret)
{
        size_t used = 0;
        int r;

        assert(ret);
        ret->n = 0;
        if (!raw)
                return 0;

        r = query_validate(raw);
        if (r < 0)
                return r;

        for (const char *p = raw; *p;) {
                size_t seg = strcspn(p, "&");

                if (seg > 0) {
                        const char *eq = memchr(p, '=', seg);
                        size_t klen = eq ? (size_t) (eq - p) : seg;
                        const char *value = eq ? eq + 1 : p + seg;
                        size_t vlen = eq ? seg - klen - 1 : 0;
                        struct query_pair *pair;

                        if (ret->n >= QUERY_MAX_PAIRS) {
                                r = -E2BIG;
                                goto fail;
                        }
                        pair = &ret->pairs[ret->n];
                        r = decode_component(ret, &used, p, klen, &pair->key);
                        if (r < 0)
                                goto fail;
                        r = decode_component(ret, &used, value, vlen, &pair->value);
                        if (r < 0)
                                goto fail;
                        ret->n++;
                }
                p += seg;
                if (*p == '&')
                        p++;
        }
        return 0;

fail:
        ret->n = 0;
        return r;
}

size_t query_count(const struct query *q, const char *key)
{
        size_t count = 0;

        if (!q || !key)
                return 0;
        for (size_t i = 0; i < q->n; i++)
                if (strcmp(q->pairs[i].key, key) == 0)
                        count++;
        return count;
}

const char *query_get(const struct query *q, const char *key)
{
        if (!q || !key)
                return NULL;
        for (size_t i = 0; i < q->n; i++)
                if (strcmp(q->pairs[i].key, key) == 0)
                        return q->pairs[i].value;
        return NULL;
}
