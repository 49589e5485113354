/* One-pass JSON to jansson values: see jsonscan.h for what it covers and why. */
#include "policy/jsonscan.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/buf.h"
#include "policy/jsontext.h"
#include "policy/query.h"

struct scan {
        const char *p, *end;
        bool reject_dups;
        enum jsonscan_result fail;   /* why the last NULL came back: SLOW or OOM */
        /* Decoded strings (those with escapes or non-ASCII) as a stack: a key stays below the
         * strings of its value until the pair is stored.  Offsets, since it may move.  Capped at
         * the input's length: decoding never lengthens a string, and the strings held at once come
         * from distinct bytes of the input. */
        struct buf stack;
};

/* Four hex digits at p (p + 4 <= end checked by the caller): the value, or -1. */
static long hex4(const char *p)
{
        long v = 0;

        for (int i = 0; i < 4; i++) {
                int h = hex_value(p[i]);
                if (h < 0)
                        return -1;
                v = v << 4 | h;
        }
        return v;
}

/* The escape after a backslash at s->p ('\\' already consumed): its UTF-8 bytes appended. */
static bool scan_escape(struct scan *s)
{
        char out[4];
        size_t n = 1;

        if (s->p >= s->end)
                return false;
        switch (*s->p++) {
        case '"':  out[0] = '"';  break;
        case '\\': out[0] = '\\'; break;
        case '/':  out[0] = '/';  break;
        case 'b':  out[0] = '\b'; break;
        case 'f':  out[0] = '\f'; break;
        case 'n':  out[0] = '\n'; break;
        case 'r':  out[0] = '\r'; break;
        case 't':  out[0] = '\t'; break;
        case 'u': {
                if (s->end - s->p < 4)
                        return false;
                long cp = hex4(s->p);
                s->p += 4;
                if (cp <= 0 || (cp >= 0xdc00 && cp <= 0xdfff))   /* \u0000 and lone low halves: jansson refuses */
                        return false;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                        if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
                                return false;
                        long lo = hex4(s->p + 2);
                        if (lo < 0xdc00 || lo > 0xdfff)
                                return false;
                        s->p += 6;
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                if (cp < 0x80)
                        out[0] = (char) cp;
                else if (cp < 0x800) {
                        out[0] = (char) (0xc0 | cp >> 6);
                        out[1] = (char) (0x80 | (cp & 0x3f));
                        n = 2;
                } else if (cp < 0x10000) {
                        out[0] = (char) (0xe0 | cp >> 12);
                        out[1] = (char) (0x80 | (cp >> 6 & 0x3f));
                        out[2] = (char) (0x80 | (cp & 0x3f));
                        n = 3;
                } else {
                        out[0] = (char) (0xf0 | cp >> 18);
                        out[1] = (char) (0x80 | (cp >> 12 & 0x3f));
                        out[2] = (char) (0x80 | (cp >> 6 & 0x3f));
                        out[3] = (char) (0x80 | (cp & 0x3f));
                        n = 4;
                }
                break;
        }
        default:
                return false;
        }
        if (buf_append(&s->stack, out, n) < 0) {
                s->fail = JSONSCAN_OOM;
                return false;
        }
        return true;
}

/* The string whose opening quote is at s->p.  Its bytes are either in the input (*ret_off = -1,
 * *ret_ptr set) or decoded onto the stack at *ret_off (the caller pops them).  false: s->fail. */
static bool scan_string(struct scan *s, const char **ret_ptr, long *ret_off, size_t *ret_len)
{
        const char *p = ++s->p;
        const char *run = json_plain_run(p, s->end);

        if (run < s->end && *run == '"') {   /* the common case: nothing to decode */
                *ret_ptr = p;
                *ret_off = -1;
                *ret_len = (size_t) (run - p);
                s->p = run + 1;
                return true;
        }
        size_t start = buf_len(&s->stack);
        for (;;) {
                if (buf_append(&s->stack, p, (size_t) (run - p)) < 0) {
                        s->fail = JSONSCAN_OOM;
                        return false;
                }
                s->p = run;
                if (run >= s->end)
                        return false;
                unsigned char c = (unsigned char) *run;
                if (c == '"') {
                        s->p++;
                        break;
                }
                if (c == '\\') {
                        s->p++;
                        if (!scan_escape(s))
                                return false;
                } else if (c >= 0x80) {
                        size_t n = json_utf8_len((const unsigned char *) run, (size_t) (s->end - run));
                        if (n == 0)
                                return false;
                        if (buf_append(&s->stack, run, n) < 0) {
                                s->fail = JSONSCAN_OOM;
                                return false;
                        }
                        s->p += n;
                } else
                        return false;   /* a control byte: jansson refuses it */
                p = s->p;
                run = json_plain_run(p, s->end);
        }
        *ret_ptr = NULL;
        *ret_off = (long) start;
        *ret_len = buf_len(&s->stack) - start;
        return true;
}

static bool is_digit(const struct scan *s, const char *p)
{
        return p < s->end && *p >= '0' && *p <= '9';
}

/* A number at s->p, with jansson's grammar (lex_scan_number): an integer without '.', 'e' or 'E',
 * else a real. */
static json_t *scan_number(struct scan *s)
{
        const char *start = s->p, *p = s->p;
        bool real = false;

        if (*p == '-')
                p++;
        if (!is_digit(s, p))
                return NULL;
        if (*p == '0') {
                p++;
                if (is_digit(s, p))
                        return NULL;   /* a leading zero */
        } else
                while (is_digit(s, p))
                        p++;
        const char *int_end = p;
        if (p < s->end && *p == '.') {
                real = true;
                p++;
                if (!is_digit(s, p))
                        return NULL;
                while (is_digit(s, p))
                        p++;
        }
        if (p < s->end && (*p == 'e' || *p == 'E')) {
                real = true;
                p++;
                if (p < s->end && (*p == '+' || *p == '-'))
                        p++;
                if (!is_digit(s, p))
                        return NULL;
                while (is_digit(s, p))
                        p++;
        }
        s->p = p;

        json_t *v;
        if (!real) {
                bool neg = *start == '-';
                const char *d = start + neg;
                if (int_end - d > 18)
                        return NULL;   /* may not fit: jansson's range check decides */
                json_int_t n = 0;
                for (; d < int_end; d++)
                        n = n * 10 + (*d - '0');
                v = json_integer(neg ? -n : n);
        } else {
                char tmp[64];
                size_t n = (size_t) (p - start);
                if (n >= sizeof(tmp))
                        return NULL;
                memcpy(tmp, start, n);
                tmp[n] = '\0';
                char *e;
                errno = 0;
                double x = strtod(tmp, &e);
                if (e != tmp + n || (errno == ERANGE && isinf(x)))
                        return NULL;   /* overflow: jansson's error */
                v = json_real(x);
        }
        if (!v)
                s->fail = JSONSCAN_OOM;
        return v;
}

static bool scan_literal(struct scan *s, const char *lit, size_t n)
{
        if ((size_t) (s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
                return false;
        s->p += n;
        return true;
}

static void skip_ws(struct scan *s)
{
        while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
                s->p++;
}

static json_t *scan_value(struct scan *s, int depth);

/* After a member or element: 1 for ',' (more follow), 0 for the closing byte, -1 for anything else. */
static int scan_separator(struct scan *s, char close)
{
        skip_ws(s);
        if (s->p < s->end && *s->p == ',') {
                s->p++;
                skip_ws(s);
                return 1;
        }
        if (s->p < s->end && *s->p == close) {
                s->p++;
                return 0;
        }
        return -1;
}

// NOLINTNEXTLINE(misc-no-recursion): depth bounded by JSONSCAN_MAX_DEPTH
static json_t *scan_object(struct scan *s, int depth)
{
        json_t *obj = json_object();

        if (!obj) {
                s->fail = JSONSCAN_OOM;
                return NULL;
        }
        s->p++;   /* '{' */
        skip_ws(s);
        if (s->p < s->end && *s->p == '}') {
                s->p++;
                return obj;
        }
        for (;;) {
                const char *k;
                long koff;
                size_t klen;

                if (s->p >= s->end || *s->p != '"' || !scan_string(s, &k, &koff, &klen))
                        goto fail;
                skip_ws(s);
                if (s->p >= s->end || *s->p != ':')
                        goto fail;
                s->p++;
                skip_ws(s);
                json_t *val = scan_value(s, depth + 1);
                if (!val)
                        goto fail;
                if (koff >= 0)
                        k = buf_ptr(&s->stack) + koff;   /* only now: the value's strings may have moved the stack */
                size_t before = json_object_size(obj);
                if (json_object_setn_new_nocheck(obj, k, klen, val) < 0) {   /* frees val */
                        s->fail = JSONSCAN_OOM;
                        goto fail;
                }
                if (s->reject_dups && json_object_size(obj) == before)
                        goto fail;   /* the key was there: jansson reports the duplicate */
                if (koff >= 0)
                        buf_truncate(&s->stack, (size_t) koff);
                int r = scan_separator(s, '}');
                if (r == 0)
                        return obj;
                if (r < 0)
                        goto fail;
        }
fail:
        json_decref(obj);
        return NULL;
}

// NOLINTNEXTLINE(misc-no-recursion): depth bounded by JSONSCAN_MAX_DEPTH
static json_t *scan_array(struct scan *s, int depth)
{
        json_t *arr = json_array();

        if (!arr) {
                s->fail = JSONSCAN_OOM;
                return NULL;
        }
        s->p++;   /* '[' */
        skip_ws(s);
        if (s->p < s->end && *s->p == ']') {
                s->p++;
                return arr;
        }
        for (;;) {
                json_t *val = scan_value(s, depth + 1);
                if (!val)
                        goto fail;
                if (json_array_append_new(arr, val) < 0) {   /* frees val */
                        s->fail = JSONSCAN_OOM;
                        goto fail;
                }
                int r = scan_separator(s, ']');
                if (r == 0)
                        return arr;
                if (r < 0)
                        goto fail;
        }
fail:
        json_decref(arr);
        return NULL;
}

/* The value at s->p (no leading whitespace): a new reference, or NULL (s->fail says why). */
// NOLINTNEXTLINE(misc-no-recursion): depth bounded by JSONSCAN_MAX_DEPTH
static json_t *scan_value(struct scan *s, int depth)
{
        if (s->p >= s->end)
                return NULL;
        switch (*s->p) {
        case '{':
                return depth <= JSONSCAN_MAX_DEPTH ? scan_object(s, depth) : NULL;
        case '[':
                return depth <= JSONSCAN_MAX_DEPTH ? scan_array(s, depth) : NULL;
        case '"': {
                const char *v;
                long off;
                size_t n;
                if (!scan_string(s, &v, &off, &n))
                        return NULL;
                json_t *str = json_stringn_nocheck(off >= 0 ? buf_ptr(&s->stack) + off : v, n);
                if (off >= 0)
                        buf_truncate(&s->stack, (size_t) off);
                if (!str)
                        s->fail = JSONSCAN_OOM;
                return str;
        }
        case 't':
                return scan_literal(s, "true", 4) ? json_true() : NULL;
        case 'f':
                return scan_literal(s, "false", 5) ? json_false() : NULL;
        case 'n':
                return scan_literal(s, "null", 4) ? json_null() : NULL;
        default:
                return scan_number(s);
        }
}

enum jsonscan_result jsonscan_loadb(const char *buf, size_t len, size_t flags, json_t **ret)
{
        json_t *v = NULL;

        *ret = NULL;
        if ((flags & ~(size_t) JSON_REJECT_DUPLICATES) != 0 || !buf)
                return JSONSCAN_SLOW;
        struct scan s = {
                .p = buf, .end = buf + len,
                .reject_dups = flags & JSON_REJECT_DUPLICATES,
                .fail = JSONSCAN_SLOW,
        };
        buf_init(&s.stack, 256, len);
        skip_ws(&s);
        /* Without JSON_DECODE_ANY jansson takes only an object or an array. */
        if (s.p < s.end && (*s.p == '{' || *s.p == '['))
                v = scan_value(&s, 1);
        buf_free(&s.stack);
        if (v) {
                skip_ws(&s);
                if (s.p == s.end) {
                        *ret = v;
                        return JSONSCAN_OK;
                }
                json_decref(v);
                return JSONSCAN_SLOW;
        }
        return s.fail;
}
