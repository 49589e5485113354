/* The AuthZ envelope's fast path: see envelope.h. */
#include "authz/envelope.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "policy/gojson.h"

/* Keys per object on the fast path; more go to jansson (its hash makes duplicate checks cheap). */
#define FAST_MAX_KEYS 64

struct scan {
        const char *p, *end;
        bool oom;   /* an allocation failed: deny, do not retry the slow path under memory pressure */
};

static void skip_ws(struct scan *s)
{
        while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
                s->p++;
}

/* A string of printable ASCII without escapes: its bytes in *ret, its length in *ret_len.
 * false: not on the fast path (jansson decides). */
static bool scan_string(struct scan *s, const char **ret, size_t *ret_len)
{
        if (s->p >= s->end || *s->p != '"')
                return false;
        const char *start = ++s->p;
        const char *q = memchr(start, '"', (size_t) (s->end - start));
        if (!q)
                return false;
        for (const char *c = start; c < q; c++) {
                unsigned char b = (unsigned char) *c;
                if (b < 0x20 || b >= 0x80 || b == '\\')
                        return false;
        }
        *ret = start;
        *ret_len = (size_t) (q - start);
        s->p = q + 1;
        return true;
}

static bool scan_literal(struct scan *s, const char *lit, size_t n)
{
        if ((size_t) (s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
                return false;
        s->p += n;
        return true;
}

static bool key_seen(const char *const *keys, const size_t *lens, size_t n, const char *k, size_t klen)
{
        for (size_t i = 0; i < n; i++)
                if (lens[i] == klen && memcmp(keys[i], k, klen) == 0)
                        return true;
        return false;
}

/* An object whose values are strings, null, true, false, or (when `nested`) such objects.  Its
 * '{' is at s->p.  A new reference, or NULL: not on the fast path. */
/* Recursion depth is at most 2: a nested object is scanned with nested = false. */
static json_t *scan_object(struct scan *s, bool nested) // NOLINT(misc-no-recursion): depth <= 2
{
        const char *keys[FAST_MAX_KEYS];
        size_t lens[FAST_MAX_KEYS], n = 0;
        json_t *obj = json_object();

        if (!obj) {
                s->oom = true;
                return NULL;
        }
        s->p++;   /* '{' */
        skip_ws(s);
        if (s->p < s->end && *s->p == '}') {
                s->p++;
                return obj;
        }
        for (;;) {
                const char *k, *v;
                size_t klen, vlen;
                json_t *val;

                if (n == FAST_MAX_KEYS || !scan_string(s, &k, &klen) || key_seen(keys, lens, n, k, klen))
                        goto slow;
                keys[n] = k;
                lens[n++] = klen;
                skip_ws(s);
                if (s->p >= s->end || *s->p != ':')
                        goto slow;
                s->p++;
                skip_ws(s);
                if (s->p >= s->end)
                        goto slow;
                switch (*s->p) {
                case '"':
                        if (!scan_string(s, &v, &vlen))
                                goto slow;
                        val = json_stringn_nocheck(v, vlen);
                        s->oom |= !val;
                        break;
                case 'n':
                        val = scan_literal(s, "null", 4) ? json_null() : NULL;
                        break;
                case 't':
                        val = scan_literal(s, "true", 4) ? json_true() : NULL;
                        break;
                case 'f':
                        val = scan_literal(s, "false", 5) ? json_false() : NULL;
                        break;
                case '{':
                        val = nested ? scan_object(s, false) : NULL;
                        break;
                default:
                        val = NULL;
                        break;
                }
                if (!val)
                        goto slow;
                if (json_object_setn_new_nocheck(obj, k, klen, val) < 0) {
                        s->oom = true;   /* the only way it fails here: the key is new and valid */
                        goto slow;
                }
                skip_ws(s);
                if (s->p < s->end && *s->p == ',') {
                        s->p++;
                        skip_ws(s);
                        continue;
                }
                if (s->p < s->end && *s->p == '}') {
                        s->p++;
                        return obj;
                }
                goto slow;
        }
slow:
        json_decref(obj);
        return NULL;
}

json_t *envelope_load(const char *buf, size_t len, json_error_t *err)
{
        struct scan s = { .p = buf, .end = buf + len };

        skip_ws(&s);
        if (s.p < s.end && *s.p == '{') {
                json_t *env = scan_object(&s, true);
                if (s.oom) {
                        json_decref(env);
                        if (err) {
                                memset(err, 0, sizeof(*err));
                                err->line = err->column = err->position = -1;
                                snprintf(err->text, sizeof(err->text), "out of memory");
                        }
                        return NULL;
                }
                if (env) {
                        skip_ws(&s);
                        if (s.p == s.end)
                                return env;
                        json_decref(env);
                }
        }
        return gojson_loadb(buf, len, JSON_REJECT_DUPLICATES, err);
}
