/* `arandu-authz audit`: see auditq.h.
 *
 * Speed: a million-line log is read in about a second (docs/admin.md "Reviewing the log" has the measurement).
 * Lines come through zlib's buffered gzgets() (plain files pass through unchanged); a --since or
 * --until filter is first tried on the line's leading "time" field, which the plugin always writes
 * first, so lines outside the range are skipped without a parse; every other line is read by the
 * project's JSON reader, gojson_loadb() (the one-pass scanner of policy/jsonscan.h, jansson for
 * what it does not cover), its values in the per-thread arena, so that the audit command and the
 * daemon read JSON the same way. */
#define _GNU_SOURCE   /* wcwidth(3) */
#include "authz/auditq.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <zlib.h>

#include "authz/cleanup.h"
#include "policy/gojson.h"
#include "policy/jsontext.h"
#include "policy/units.h"

#define PROG "arandu-authz"

/* The longest line read whole.  An audit line is at most ~30 KiB (48 reasons of 384 bytes, a
 * 512-byte URI); anything longer is not ours and is skipped as malformed. */
#define LINE_MAX_BYTES (256u << 10)
/* zlib's input buffer: big reads, few syscalls. */
#define READ_BUFFER (256u << 10)
/* Distinct keys kept per table (rules, images, users, buckets).  Past it, counts go to "(other)":
 * a log full of random image names must not exhaust memory. */
#define COUNTER_MAX_KEYS (1u << 18)
#define OTHER_KEY "(other)"
#define NO_USER "(none)"

/* ---- counters: string -> counts, open addressing ------------------------------------------------ */

struct count {
        char *key;        /* NULL: empty slot */
        uint64_t n, allow, deny;
};

struct counter {
        struct count *slots;
        size_t cap, used;
        struct count other;
};

static uint64_t hash_str(const char *s)
{
        uint64_t h = UINT64_C(1469598103934665603);   /* FNV-1a */

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * UINT64_C(1099511628211);
        return h;
}

static int counter_grow(struct counter *c)
{
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct count *slots = calloc(cap, sizeof(*slots));

        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < c->cap; i++) {
                if (!c->slots[i].key)
                        continue;
                size_t j = hash_str(c->slots[i].key) & (cap - 1);
                while (slots[j].key)
                        j = (j + 1) & (cap - 1);
                slots[j] = c->slots[i];
        }
        free(c->slots);
        c->slots = slots;
        c->cap = cap;
        return 0;
}

static int counter_add(struct counter *c, const char *key, bool allow)
{
        struct count *e = NULL;

        if (c->used + 1 > c->cap / 4 * 3 && c->used < COUNTER_MAX_KEYS) {
                int r = counter_grow(c);
                if (r < 0)
                        return r;
        }
        if (c->cap > 0) {
                size_t i = hash_str(key) & (c->cap - 1);
                while (c->slots[i].key && strcmp(c->slots[i].key, key) != 0)
                        i = (i + 1) & (c->cap - 1);
                e = &c->slots[i];
                if (!e->key) {
                        if (c->used >= COUNTER_MAX_KEYS)
                                e = &c->other;
                        else {
                                e->key = strdup(key);
                                if (!e->key)
                                        return -ENOMEM;
                                c->used++;
                        }
                }
        } else
                e = &c->other;
        e->n++;
        if (allow)
                e->allow++;
        else
                e->deny++;
        return 0;
}

static void counter_free(struct counter *c)
{
        for (size_t i = 0; i < c->cap; i++)
                free(c->slots[i].key);
        free(c->slots);
        *c = (struct counter){ 0 };
}

static int by_count_desc(const void *a, const void *b)
{
        const struct count *x = *(const struct count *const *) a, *y = *(const struct count *const *) b;

        if (x->n != y->n)
                return x->n > y->n ? -1 : 1;
        return strcmp(x->key, y->key);
}

static int by_key(const void *a, const void *b)
{
        const struct count *x = *(const struct count *const *) a, *y = *(const struct count *const *) b;

        return strcmp(x->key, y->key);
}

/* The entries as a new array of pointers (and "(other)" last when it counted anything), sorted. */
static int counter_sorted(const struct counter *c, int (*cmp)(const void *, const void *),
                          const struct count ***ret, size_t *ret_n)
{
        /* an array of pointers: the pointer's size is meant */
        const struct count **v = malloc((c->used + 1) * sizeof(*v));   // NOLINT(bugprone-sizeof-expression)
        size_t n = 0;

        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < c->cap; i++)
                if (c->slots[i].key)
                        v[n++] = &c->slots[i];
        qsort(v, n, sizeof(*v), cmp);   // NOLINT(bugprone-sizeof-expression): sorting pointers
        if (c->other.n > 0)
                v[n++] = &c->other;
        *ret = v;
        *ret_n = n;
        return 0;
}

/* ---- time ------------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil): no
 * timegm(), no TZ, no locale. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned) (y - era * 400);
        unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t) doe - 719468;
}

static bool leap(int64_t y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Exactly n digits at s into *ret. */
static bool digits(const char *s, size_t n, unsigned *ret)
{
        unsigned v = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (unsigned) (s[i] - '0');
        }
        *ret = v;
        return true;
}

/* RFC 3339 from s[0..len): see auditq_parse_time(). */
static int parse_rfc3339(const char *s, size_t len, int64_t *ret_us)
{
        static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        unsigned y, mo, d, h = 0, mi = 0, sec = 0, us = 0;
        int64_t offset_s = 0;
        size_t i = 10;

        if (len < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
            !digits(s + 8, 2, &d))
                return -EINVAL;
        if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)))
                return -EINVAL;
        if (i < len) {
                if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
                        return -EINVAL;
                i++;
                if (len - i < 5 || !digits(s + i, 2, &h) || s[i + 2] != ':' || !digits(s + i + 3, 2, &mi))
                        return -EINVAL;
                i += 5;
                if (i < len && s[i] == ':') {
                        if (len - i < 3 || !digits(s + i + 1, 2, &sec))
                                return -EINVAL;
                        i += 3;
                        if (i < len && s[i] == '.') {
                                size_t k = 0;
                                for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, k++)
                                        if (k < 6)
                                                us = us * 10 + (unsigned) (s[i] - '0');
                                if (k == 0)
                                        return -EINVAL;
                                for (; k < 6; k++)
                                        us *= 10;
                        }
                }
                if (h > 23 || mi > 59 || sec > 60)
                        return -EINVAL;
                /* No zone: UTC, the zone the plugin writes. */
                if (i < len && (s[i] == 'Z' || s[i] == 'z'))
                        i++;
                else if (i < len && (s[i] == '+' || s[i] == '-')) {
                        unsigned oh, om;
                        if (len - i < 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
                            !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
                                return -EINVAL;
                        offset_s = ((int64_t) oh * 3600 + (int64_t) om * 60) * (s[i] == '+' ? 1 : -1);
                        i += 6;
                }
        }
        if (i != len)
                return -EINVAL;
        int64_t t = days_from_civil(y, mo, d) * 86400 + (int64_t) h * 3600 + (int64_t) mi * 60 + sec - offset_s;
        *ret_us = t * 1000000 + us;
        return 0;
}

int auditq_parse_time(const char *s, int64_t now_us, int64_t *ret_us)
{
        static const struct { char unit; int64_t seconds; } units[] = {
                { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', INT64_C(7) * 86400 },
        };
        size_t len;

        if (!s || !ret_us)
                return -EINVAL;
        len = strlen(s);
        if (len >= 2 && len <= 8) {
                unsigned n = 0;
                if (digits(s, len - 1, &n))
                        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
                                if (s[len - 1] == units[i].unit) {
                                        /* at most 9999999 weeks: no overflow below */
                                        *ret_us = now_us - (int64_t) n * units[i].seconds * 1000000;
                                        return 0;
                                }
        }
        return parse_rfc3339(s, len, ret_us);
}

static int64_t now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- the query -------------------------------------------------------------------------------- */

struct auditq {
        struct auditq_filter f;
        enum auditq_bucket bucket;
        struct auditq_stats st;
        struct counter rules, images, users, buckets;
        int64_t last_bucket;         /* the bucket index last formatted, and its key */
        char last_bucket_key[32];
};

int auditq_new(const struct auditq_filter *filter, enum auditq_bucket bucket, struct auditq **ret)
{
        struct auditq *q = calloc(1, sizeof(*q));

        if (!q)
                return -ENOMEM;
        if (filter)
                q->f = *filter;
        else {
                q->f.since_us = INT64_MIN;
                q->f.until_us = INT64_MAX;
        }
        q->bucket = bucket;
        q->last_bucket = INT64_MIN;
        *ret = q;
        return 0;
}

struct auditq *auditq_free(struct auditq *q)
{
        if (!q)
                return NULL;
        counter_free(&q->rules);
        counter_free(&q->images);
        counter_free(&q->users);
        counter_free(&q->buckets);
        free(q);
        return NULL;
}

void auditq_get_stats(const struct auditq *q, struct auditq_stats *ret)
{
        *ret = q->st;
}

static bool glob_match(const char *pattern, const char *s)
{
        return !pattern || fnmatch(pattern, s, 0) == 0;
}

static bool in_range(const struct auditq *q, int64_t t)
{
        return t >= q->f.since_us && t < q->f.until_us;
}

/* The time of a line as the plugin writes it, {"time":"...", without a JSON parse.  False when the
 * line does not start that way (then it is parsed in full). */
static bool leading_time(const char *line, size_t len, int64_t *ret_us)
{
        static const char prefix[] = "{\"time\":\"";
        const size_t p = sizeof(prefix) - 1;

        if (len < p + 10 || memcmp(line, prefix, p) != 0)
                return false;
        const char *end = memchr(line + p, '"', len - p);
        if (!end || memchr(line + p, '\\', (size_t) (end - line) - p))
                return false;
        return parse_rfc3339(line + p, (size_t) (end - line) - p, ret_us) == 0;
}

/* The bucket's key ("2024-05-01T12:00Z" or "2024-05-01"); logs are in time order, so the last one
 * is almost always the one asked for again. */
static const char *bucket_key(struct auditq *q, int64_t t_us)
{
        int64_t width = q->bucket == AUDITQ_DAY ? 86400 : 3600;
        int64_t secs = t_us >= 0 ? t_us / 1000000 : -((-t_us + 999999) / 1000000);
        int64_t idx = secs >= 0 ? secs / width : -((-secs + width - 1) / width);

        if (idx != q->last_bucket) {
                time_t start = (time_t) (idx * width);
                struct tm tm;
                if (!gmtime_r(&start, &tm) ||
                    strftime(q->last_bucket_key, sizeof(q->last_bucket_key),
                             q->bucket == AUDITQ_DAY ? "%Y-%m-%d" : "%Y-%m-%dT%H:00Z", &tm) == 0)
                        snprintf(q->last_bucket_key, sizeof(q->last_bucket_key), "?");
                q->last_bucket = idx;
        }
        return q->last_bucket_key;
}

/* Code points a terminal or a reader would act on rather than show, or would not show at all:
 * the C1 controls (U+009B is a CSI like ESC [), the bidi marks, embeddings, overrides and isolates,
 * which reorder what is shown, the line and paragraph separators, and Unicode's default-ignorable
 * code points (soft hyphen, zero-width spaces and joiners, variation selectors, the BOM, tags),
 * with which two names that differ look the same. */
static bool acts_on_reader(uint32_t cp)
{
        static const struct {
                uint32_t lo, hi;
        } ranges[] = {
                { 0x0080, 0x009f }, { 0x00ad, 0x00ad }, { 0x034f, 0x034f }, { 0x061c, 0x061c },
                { 0x115f, 0x1160 }, { 0x17b4, 0x17b5 }, { 0x180b, 0x180f }, { 0x200b, 0x200f },
                { 0x2028, 0x202e }, { 0x2060, 0x206f }, { 0x3164, 0x3164 }, { 0xfe00, 0xfe0f },
                { 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 }, { 0xfff0, 0xfffb }, { 0x1bca0, 0x1bca3 },
                { 0x1d173, 0x1d17a }, { 0xe0000, 0xe0fff },
        };
        for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
                if (cp >= ranges[i].lo && cp <= ranges[i].hi)
                        return true;
        return false;
}

/* The columns a terminal gives cp, from glibc's Unicode tables (wcwidth in C.UTF-8): 0 for a
 * combining mark or format character, -1 for one it would not print, or -1 for every non-ASCII
 * code point when that locale cannot be had (then all of them are shown escaped). */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void make_utf8_locale(void)
{
        utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
}

static int shown_width(uint32_t cp)
{
        if (cp < 0x80)
                return 1;
        (void) pthread_once(&utf8_once, make_utf8_locale);
        if (!utf8_locale)
                return -1;
        locale_t old = uselocale(utf8_locale);
        int w = wcwidth((wchar_t) cp);
        uselocale(old);
        return w;
}

/* Print s for a terminal: the log's strings came from clients.  A control byte, DEL or a byte
 * that is not UTF-8 becomes \xNN; a code point from acts_on_reader(), a combining mark (which
 * would merge into the character before it) and one without a width of its own become \uNNNN;
 * a backslash is doubled so that no escape can be forged.  Width counts terminal columns. */
static void put_field(FILE *out, const char *s, int width)
{
        const unsigned char *u = (const unsigned char *) (*s ? s : "-");
        size_t left = strlen((const char *) u);
        int n = 0;

        while (left > 0) {
                size_t k = json_utf8_len(u, left);
                uint32_t cp = k ? json_utf8_code_point(u, k) : 0;
                int w = k ? shown_width(cp) : -1;

                if (k == 0 || *u < 0x20 || *u == 0x7f) {
                        n += fprintf(out, "\\x%02x", *u);
                        k = 1;
                } else if (acts_on_reader(cp) || w <= 0) {
                        n += fprintf(out, cp > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned) cp);
                } else if (*u == '\\') {
                        (void) fputs("\\\\", out);
                        n += 2;
                } else {
                        (void) fwrite(u, 1, k, out);
                        n += w;
                }
                u += k;
                left -= k;
        }
        for (; n < width; n++)
                (void) fputc(' ', out);
}

/* ---- reading a line ---------------------------------------------------------------------------- */

#define REC_MAX_RULES 64   /* the plugin lists at most DECISION_MAX_VIOLATIONS (48) */

/* What a query needs from a line: strings borrowed from the jansson value the line was parsed
 * into, which lives while the line is handled. */
struct rec {
        const char *time, *decision, *mode, *user, *image, *route;
        bool dry_run;
        size_t n_rules;
        const char *rules[REC_MAX_RULES];
};

static void rec_from(json_t *o, struct rec *r)
{
        json_t *v;
        size_t i;

        memset(r, 0, sizeof(*r));
        r->time = json_string_value(json_object_get(o, "time"));
        r->decision = json_string_value(json_object_get(o, "decision"));
        r->mode = json_string_value(json_object_get(o, "mode"));
        r->user = json_string_value(json_object_get(o, "user"));
        r->image = json_string_value(json_object_get(o, "image"));
        r->route = json_string_value(json_object_get(o, "route"));
        r->dry_run = json_is_true(json_object_get(o, "dry_run"));
        json_array_foreach(json_object_get(o, "rules"), i, v)
                if (json_is_string(v) && r->n_rules < REC_MAX_RULES)
                        r->rules[r->n_rules++] = json_string_value(v);
}

/* Bytes that are not UTF-8 never come from the plugin (it writes U+FFFD), but a log may hold them
 * from elsewhere, and the table shows them as \xNN rather than dropping the line.  JSON readers
 * refuse such text, so the line is read as a copy in which each such byte is `mark` followed by
 * its two hex digits; unmark_bytes() puts the bytes back.  A new string, or NULL (out of memory). */
static char *mark_bytes(const char *line, size_t len, const char *mark, size_t *ret_len)
{
        static const char hex[] = "0123456789abcdef";
        const size_t m = strlen(mark);
        /* lines are at most LINE_MAX_BYTES: no overflow */
        char *copy = malloc(len * (m + 2) + 1), *o = copy;
        const unsigned char *u = (const unsigned char *) line;

        if (!copy)
                return NULL;
        for (size_t i = 0; i < len;) {
                size_t k = json_utf8_len(u + i, len - i);
                if (k > 0) {
                        memcpy(o, u + i, k);
                        o += k;
                        i += k;
                        continue;
                }
                memcpy(o, mark, m);
                o += m;
                *o++ = hex[u[i] >> 4];
                *o++ = hex[u[i] & 0xf];
                i++;
        }
        *o = '\0';
        *ret_len = (size_t) (o - copy);
        return copy;
}

static int hex_digit(char c)
{
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The string v with each NUL and two hex digits (mark_bytes' "\u0000") turned back into that byte.
 * 0 or -ENOMEM. */
static int unmark_bytes(json_t *v)
{
        const char *s = json_string_value(v);
        size_t n = json_string_length(v), m = 0;

        if (!s || !memchr(s, '\0', n))
                return 0;
        _cleanup_free_ char *t = malloc(n);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                int hi, lo;
                if (s[i] == '\0' && n - i > 2 && (hi = hex_digit(s[i + 1])) >= 0 &&
                    (lo = hex_digit(s[i + 2])) >= 0) {
                        t[m++] = (char) (hi << 4 | lo);
                        i += 2;
                } else
                        t[m++] = s[i];
        }
        return json_string_setn_nocheck(v, t, m) < 0 ? -ENOMEM : 0;
}

/* A line that is JSON but for bytes that are not UTF-8 (see mark_bytes).  It is read twice: with
 * '?' for those bytes, which fails on anything else that is not JSON, a \u0000 of its own included,
 * then with "\u0000" (JSON_ALLOW_NUL), whose NULs are then all marks.  0, -EINVAL or -ENOMEM. */
static int load_foreign(const char *line, size_t len, json_t **ret)
{
        static const char *const fields[] = { "time", "decision", "mode", "user", "image", "route" };
        json_error_t e;
        size_t n, i;
        json_t *o, *v;
        char *copy = mark_bytes(line, len, "?", &n);

        if (!copy)
                return -ENOMEM;
        o = gojson_loadb(copy, n, 0, &e);
        free(copy);
        if (!o)
                return -EINVAL;
        json_decref(o);
        copy = mark_bytes(line, len, "\\u0000", &n);
        if (!copy)
                return -ENOMEM;
        o = gojson_loadb(copy, n, JSON_ALLOW_NUL, &e);
        free(copy);
        if (!o)
                return -EINVAL;
        int r = 0;
        for (i = 0; i < sizeof(fields) / sizeof(fields[0]) && r >= 0; i++)
                r = unmark_bytes(json_object_get(o, fields[i]));
        json_array_foreach(json_object_get(o, "rules"), i, v)
                if (r >= 0)
                        r = unmark_bytes(v);
        if (r < 0) {
                json_decref(o);
                return r;
        }
        *ret = o;
        return 0;
}

/* The line as an object with the project's JSON reader (gojson_loadb: the one-pass scanner, with
 * jansson for what it does not cover).  0 and a new reference in *ret, -EINVAL for a line that is
 * not a JSON object, or -ENOMEM. */
static int load_line(const char *line, size_t len, json_t **ret)
{
        json_error_t e;
        json_t *o = gojson_loadb(line, len, 0, &e);

        if (!o && !json_utf8_valid(line, len)) {
                int r = load_foreign(line, len, &o);
                if (r < 0)
                        return r;
        }
        if (!json_is_object(o)) {
                json_decref(o);
                return -EINVAL;
        }
        *ret = o;
        return 0;
}

static void print_row(FILE *out, const struct rec *r)
{
        put_field(out, r->time, 28);
        (void) fputc(' ', out);
        put_field(out, r->decision, 6);
        (void) fputc(' ', out);
        put_field(out, r->mode, 8);
        (void) fputc(' ', out);
        put_field(out, r->user, 12);
        (void) fputc(' ', out);
        put_field(out, r->route, 32);
        (void) fputc(' ', out);
        put_field(out, r->image, 20);
        (void) fputc(' ', out);
        if (r->n_rules == 0)
                (void) fputc('-', out);
        for (size_t i = 0; i < r->n_rules; i++) {
                if (i)
                        (void) fputc(',', out);
                put_field(out, r->rules[i], 0);
        }
        (void) fputc('\n', out);
}

/* A parsed line: filter, print, count.  0 or -ENOMEM. */
static int take_rec(struct auditq *q, json_t *o, const char *line, size_t len, enum auditq_output form,
                    FILE *out)
{
        struct rec rec;
        int64_t t;

        rec_from(o, &rec);
        bool allow = rec.decision && strcmp(rec.decision, "allow") == 0;
        if (!rec.time || parse_rfc3339(rec.time, strlen(rec.time), &t) < 0 ||
            (!allow && (!rec.decision || strcmp(rec.decision, "deny") != 0))) {
                q->st.malformed++;
                return 0;
        }
        if (!in_range(q, t))
                return 0;

        /* Lines from before "mode" existed carried "dry_run". */
        if (!rec.mode)
                rec.mode = rec.dry_run ? "dry-run" : "enforce";
        if (!rec.user)
                rec.user = "";
        if (!rec.image)
                rec.image = "";
        if (!rec.route)
                rec.route = "";
        if ((q->f.decision && strcmp(q->f.decision, rec.decision) != 0) ||
            (q->f.mode && strcmp(q->f.mode, rec.mode) != 0) || !glob_match(q->f.user, rec.user) ||
            !glob_match(q->f.image, rec.image))
                return 0;
        if (q->f.rule) {
                bool hit = false;
                for (size_t i = 0; i < rec.n_rules && !hit; i++)
                        hit = fnmatch(q->f.rule, rec.rules[i], 0) == 0;
                if (!hit)
                        return 0;
        }

        q->st.matched++;
        if (allow)
                q->st.allow++;
        else
                q->st.deny++;
        if (strcmp(rec.mode, "dry-run") == 0)
                q->st.dry_run++;
        else if (strcmp(rec.mode, "warn") == 0)
                q->st.warn++;
        else
                q->st.enforce++;

        int r = 0;
        for (size_t i = 0; i < rec.n_rules && r >= 0; i++)
                r = counter_add(&q->rules, rec.rules[i], allow);
        if (r >= 0 && *rec.image)
                r = counter_add(&q->images, rec.image, allow);
        if (r >= 0)
                r = counter_add(&q->users, *rec.user ? rec.user : NO_USER, allow);
        if (r >= 0)
                r = counter_add(&q->buckets, bucket_key(q, t), allow);
        if (r < 0)
                return r;

        if (form == AUDITQ_JSON) {
                (void) fwrite(line, 1, len, out);
                (void) fputc('\n', out);
        } else if (form == AUDITQ_TABLE)
                print_row(out, &rec);
        return 0;
}

/* One line (without its newline).  0 or -ENOMEM. */
static int take_line(struct auditq *q, const char *line, size_t len, enum auditq_output form, FILE *out)
{
        json_t *o = NULL;
        int64_t t;
        int r;

        q->st.lines++;
        /* Cheap rejection first: most lines of a big log are outside a --since window. */
        if (leading_time(line, len, &t) && !in_range(q, t))
                return 0;

        /* The line's values in the arena: some fifty small allocations per line, each a pointer
         * bump, all released before the next line. */
        gojson_arena_begin();
        r = load_line(line, len, &o);
        if (r == 0)
                r = take_rec(q, o, line, len, form, out);
        else if (r == -EINVAL) {
                q->st.malformed++;
                r = 0;
        }
        json_decref(o);
        (void) gojson_arena_end();
        return r;
}

int auditq_read(struct auditq *q, const char *path, enum auditq_output form, FILE *out)
{
        char *buf;
        gzFile f;
        int fd, r = 0;
        bool skipping = false;   /* inside a line longer than the buffer */

        if (strcmp(path, "-") == 0)
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        else
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        f = gzdopen(fd, "rb");
        if (!f) {
                close(fd);
                return -ENOMEM;
        }
        buf = malloc(LINE_MAX_BYTES);
        if (!buf) {
                gzclose_r(f);
                return -ENOMEM;
        }
        gzbuffer(f, READ_BUFFER);
        q->st.files++;

        while (gzgets(f, buf, (int) LINE_MAX_BYTES)) {
                size_t len = strlen(buf);   /* a NUL byte inside a line only shortens it: malformed */
                bool whole = len > 0 && buf[len - 1] == '\n';

                if (skipping) {
                        skipping = !whole;
                        continue;
                }
                if (!whole && len == LINE_MAX_BYTES - 1) {
                        q->st.lines++;
                        q->st.malformed++;
                        skipping = true;
                        continue;
                }
                if (whole)
                        len--;
                if (len == 0)
                        continue;
                r = take_line(q, buf, len, form, out);
                if (r < 0)
                        break;
        }
        if (r == 0) {
                /* A truncated or corrupt .gz (Z_BUF_ERROR: the stream ended early): what was read
                 * counts, and the file is reported. */
                int zerr;
                (void) gzerror(f, &zerr);
                if (zerr == Z_ERRNO)
                        r = errno ? -errno : -EIO;
                else if (zerr != Z_OK)
                        r = -EBADMSG;
        }
        gzclose_r(f);
        free(buf);
        return r;
}

/* ---- following a live log -------------------------------------------------------------------- */

#define FOLLOW_POLL_US (100 * 1000)

static int open_log(const char *path, struct stat *st)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, st) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* The complete lines in buf[0..*have); a partial last line is moved to the front.  A line longer
 * than LINE_MAX_BYTES is skipped up to its newline (*skipping). */
static int take_lines(struct auditq *q, char *buf, size_t *have, bool *skipping, enum auditq_output form,
                      FILE *out)
{
        size_t start = 0;
        char *nl;
        int r = 0;

        while (r >= 0 && (nl = memchr(buf + start, '\n', *have - start))) {
                size_t len = (size_t) (nl - (buf + start));
                if (*skipping)
                        *skipping = false;
                else if (len > 0)
                        r = take_line(q, buf + start, len, form, out);
                start += len + 1;
        }
        memmove(buf, buf + start, *have - start);
        *have -= start;
        if (*have == LINE_MAX_BYTES) {
                if (!*skipping) {
                        q->st.lines++;
                        q->st.malformed++;
                }
                *skipping = true;
                *have = 0;
        }
        if (fflush(out) != 0)
                return -EIO;
        return r;
}

int auditq_follow(struct auditq *q, const char *path, enum auditq_output form, FILE *out)
{
        struct stat st = { 0 }, now;
        size_t have = 0;
        bool skipping = false;
        int fd, r = 0;
        _cleanup_free_ char *buf = malloc(LINE_MAX_BYTES);

        if (!buf)
                return -ENOMEM;
        fd = open_log(path, &st);
        if (fd < 0)
                return fd;
        q->st.files++;
        for (;;) {
                ssize_t n = read(fd, buf + have, LINE_MAX_BYTES - have);
                if (n > 0) {
                        have += (size_t) n;
                        r = take_lines(q, buf, &have, &skipping, form, out);
                        if (r < 0)
                                break;
                        continue;
                }
                if (n < 0 && errno != EAGAIN && errno != EINTR) {
                        r = -errno;
                        break;
                }
                /* At the end: the file may have been rotated (a new file at the path: finish
                 * the old one, which is drained by now, and go on with the new) or truncated
                 * (copytruncate: read again from the start). */
                if (stat(path, &now) == 0 && (now.st_ino != st.st_ino || now.st_dev != st.st_dev)) {
                        int nfd = open_log(path, &now);
                        if (nfd >= 0) {
                                /* lines the writer added before it reopened */
                                while ((n = read(fd, buf + have, LINE_MAX_BYTES - have)) > 0) {
                                        have += (size_t) n;
                                        r = take_lines(q, buf, &have, &skipping, form, out);
                                        if (r < 0)
                                                break;
                                }
                                close(fd);
                                if (r < 0) {
                                        fd = nfd;
                                        break;
                                }
                                fd = nfd;
                                st = now;
                                have = 0;
                                skipping = false;
                                q->st.files++;
                                continue;
                        }
                } else if (fstat(fd, &now) == 0 && now.st_size < lseek(fd, 0, SEEK_CUR)) {
                        (void) lseek(fd, 0, SEEK_SET);
                        have = 0;
                        skipping = false;
                        continue;
                }
                (void) usleep(FOLLOW_POLL_US);
        }
        close(fd);
        return r;
}

/* ---- the summary ------------------------------------------------------------------------------ */

static json_t *counts_json(const struct counter *c, const char *name, size_t top, bool by_time)
{
        _cleanup_free_ const struct count **v = NULL;
        size_t n = 0;
        json_t *a = json_array();

        if (!a || counter_sorted(c, by_time ? by_key : by_count_desc, &v, &n) < 0) {
                json_decref(a);
                return NULL;
        }
        for (size_t i = 0; i < n && (by_time || i < top); i++) {
                json_t *e = json_pack("{s:s,s:I,s:I,s:I}", name, v[i]->key ? v[i]->key : OTHER_KEY,
                                      "count", (json_int_t) v[i]->n, "allow", (json_int_t) v[i]->allow,
                                      "deny", (json_int_t) v[i]->deny);
                if (json_array_append_new(a, e) < 0) {
                        json_decref(a);
                        return NULL;
                }
        }
        return a;
}

static int summary_json(const struct auditq *q, size_t top, FILE *out)
{
        const struct auditq_stats *s = &q->st;
        _cleanup_json_ json_t *o = json_pack(
                "{s:I,s:I,s:I,s:I,s:I,s:I,s:{s:I,s:I,s:I},s:o*,s:o*,s:o*,s:s,s:o*}",
                "files", (json_int_t) s->files, "lines", (json_int_t) s->lines,
                "malformed", (json_int_t) s->malformed, "matched", (json_int_t) s->matched,
                "allow", (json_int_t) s->allow, "deny", (json_int_t) s->deny,
                "modes", "enforce", (json_int_t) s->enforce, "dry-run", (json_int_t) s->dry_run,
                "warn", (json_int_t) s->warn,
                "rules", counts_json(&q->rules, "rule", top, false),
                "images", counts_json(&q->images, "image", top, false),
                "users", counts_json(&q->users, "user", top, false),
                "bucket", q->bucket == AUDITQ_DAY ? "day" : "hour",
                "over_time", counts_json(&q->buckets, "start", top, true));

        if (!o || !json_object_get(o, "rules") || !json_object_get(o, "over_time"))
                return -ENOMEM;
        if (json_dumpf(o, out, JSON_COMPACT) < 0 || fputc('\n', out) == EOF)
                return -EIO;
        return 0;
}

static int table(FILE *out, const char *title, const struct counter *c, size_t top, bool by_time)
{
        _cleanup_free_ const struct count **v = NULL;
        size_t n = 0;
        int r = counter_sorted(c, by_time ? by_key : by_count_desc, &v, &n);

        if (r < 0)
                return r;
        (void) fprintf(out, "\n%-40s %10s %10s %10s\n", title, "total", "allow", "deny");
        if (n == 0)
                (void) fprintf(out, "  (none)\n");
        for (size_t i = 0; i < n && (by_time || i < top); i++) {
                (void) fputs("  ", out);
                put_field(out, v[i]->key ? v[i]->key : OTHER_KEY, 38);
                (void) fprintf(out, " %10llu %10llu %10llu\n", (unsigned long long) v[i]->n,
                        (unsigned long long) v[i]->allow, (unsigned long long) v[i]->deny);
        }
        if (!by_time && n > top)
                (void) fprintf(out, "  (%zu more)\n", n - top);
        return 0;
}

int auditq_summary(const struct auditq *q, bool json, size_t top, FILE *out)
{
        const struct auditq_stats *s = &q->st;
        int r;

        if (json)
                return summary_json(q, top, out);

        (void) fprintf(out, "%llu lines in %llu files, %llu matched, %llu not audit lines\n",
                (unsigned long long) s->lines, (unsigned long long) s->files,
                (unsigned long long) s->matched, (unsigned long long) s->malformed);
        (void) fprintf(out, "decisions: %llu allow, %llu deny; modes: %llu enforce, %llu warn, %llu dry-run\n",
                (unsigned long long) s->allow, (unsigned long long) s->deny,
                (unsigned long long) s->enforce, (unsigned long long) s->warn,
                (unsigned long long) s->dry_run);
        if ((r = table(out, "top rules (requests naming the rule)", &q->rules, top, false)) < 0 ||
            (r = table(out, "top images (container creates)", &q->images, top, false)) < 0 ||
            (r = table(out, "top users", &q->users, top, false)) < 0 ||
            (r = table(out, q->bucket == AUDITQ_DAY ? "per day (UTC)" : "per hour (UTC)", &q->buckets,
                       top, true)) < 0)
                return r;
        return ferror(out) ? -EIO : 0;
}

/* ---- the command ------------------------------------------------------------------------------ */

static void usage(FILE *out)
{
        (void) fprintf(out,
                "usage: " PROG " audit [OPTIONS] FILE...\n"
                "\n"
                "Review audit logs (plain or gzip-compressed, - for standard input), oldest first.\n"
                "Prints the matching lines as a table (or, with --json, as they are); with --summary,\n"
                "counts instead: top rules, images and users, allow/deny per hour or day.\n"
                "\n"
                "  --since TIME       lines at or after TIME: RFC 3339 (2024-05-01T12:00:00Z, 2024-05-01)\n"
                "                     or a duration before now (90s, 30m, 24h, 7d, 2w)\n"
                "  --until TIME       lines before TIME\n"
                "  --decision D       allow or deny\n"
                "  --mode M           enforce, warn or dry-run\n"
                "  --rule PATTERN     a rule id the line names (shell pattern)\n"
                "  --user PATTERN     the client user (TLS), shell pattern\n"
                "  --image PATTERN    the image of a container create, shell pattern\n"
                "  --summary          print the summary tables instead of the lines\n"
                "  --by hour|day      summary buckets (default hour)\n"
                "  --top N            rows per summary table (default 10)\n"
                "  --json             JSON lines, or one JSON object for --summary\n"
                "  -f, --follow       go on printing lines as they are appended to the one FILE given\n"
                "                     (a rotated or truncated log is followed, as tail -F does)\n"
                "\n"
                "Exit status: 0 something matched, 1 nothing matched, 2 bad usage or unreadable file.\n");
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
        va_list ap;

        (void) fprintf(stderr, PROG " audit: ");
        va_start(ap, fmt);
        (void) vfprintf(stderr, fmt, ap);
        va_end(ap);
        (void) fprintf(stderr, "\n");
        usage(stderr);
        return 2;
}

int auditq_main(int argc, char **argv)
{
        enum { O_SINCE = 256, O_UNTIL, O_DECISION, O_MODE, O_RULE, O_USER, O_IMAGE, O_SUMMARY, O_BY,
               O_TOP, O_JSON, O_FOLLOW };
        static const struct option options[] = {
                { "since", required_argument, NULL, O_SINCE },
                { "until", required_argument, NULL, O_UNTIL },
                { "decision", required_argument, NULL, O_DECISION },
                { "mode", required_argument, NULL, O_MODE },
                { "rule", required_argument, NULL, O_RULE },
                { "user", required_argument, NULL, O_USER },
                { "image", required_argument, NULL, O_IMAGE },
                { "summary", no_argument, NULL, O_SUMMARY },
                { "by", required_argument, NULL, O_BY },
                { "top", required_argument, NULL, O_TOP },
                { "json", no_argument, NULL, O_JSON },
                { "follow", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct auditq_filter f = { .since_us = INT64_MIN, .until_us = INT64_MAX };
        enum auditq_bucket bucket = AUDITQ_HOUR;
        bool summary = false, json = false, follow = false, failed = false;
        size_t top = 10;
        int64_t now = now_us();
        int c, r;

        while ((c = getopt_long(argc, argv, "fh", options, NULL)) >= 0)
                switch (c) {
                case O_SINCE:
                case O_UNTIL:
                        if (auditq_parse_time(optarg, now, c == O_SINCE ? &f.since_us : &f.until_us) < 0)
                                return usage_error("--%s: %s is not an RFC 3339 time or a duration such as 24h",
                                                   c == O_SINCE ? "since" : "until", optarg);
                        break;
                case O_DECISION:
                        if (strcmp(optarg, "allow") != 0 && strcmp(optarg, "deny") != 0)
                                return usage_error("--decision: %s is not allow or deny", optarg);
                        f.decision = optarg;
                        break;
                case O_MODE:
                        if (strcmp(optarg, "enforce") != 0 && strcmp(optarg, "warn") != 0 &&
                            strcmp(optarg, "dry-run") != 0)
                                return usage_error("--mode: %s is not enforce, warn or dry-run", optarg);
                        f.mode = optarg;
                        break;
                case O_RULE:
                        f.rule = optarg;
                        break;
                case O_USER:
                        f.user = optarg;
                        break;
                case O_IMAGE:
                        f.image = optarg;
                        break;
                case O_SUMMARY:
                        summary = true;
                        break;
                case O_BY:
                        if (strcmp(optarg, "hour") == 0)
                                bucket = AUDITQ_HOUR;
                        else if (strcmp(optarg, "day") == 0)
                                bucket = AUDITQ_DAY;
                        else
                                return usage_error("--by: %s is not hour or day", optarg);
                        break;
                case O_TOP: {
                        int64_t n;
                        if (parse_int64(optarg, 1, 100000, NULL, &n) < 0)
                                return usage_error("--top: %s is not a number from 1 to 100000", optarg);
                        top = (size_t) n;
                        break;
                }
                case O_JSON:
                        json = true;
                        break;
                case 'f':
                        follow = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        if (optind >= argc)
                return usage_error("no FILE given (- reads standard input)");
        if (f.since_us >= f.until_us)
                return usage_error("--since is not before --until");
        if (follow && (summary || argc - optind != 1 || strcmp(argv[optind], "-") == 0))
                return usage_error("--follow reads one log file (not -) and prints lines, not a summary");

        struct auditq *q = NULL;
        r = auditq_new(&f, bucket, &q);
        if (r < 0) {
                (void) fprintf(stderr, PROG " audit: %s\n", strerror(-r));
                return 2;
        }
        enum auditq_output form = summary ? AUDITQ_NONE : json ? AUDITQ_JSON : AUDITQ_TABLE;
        if (follow) {
                r = auditq_follow(q, argv[optind], form, stdout);
                auditq_free(q);
                (void) fprintf(stderr, PROG " audit: %s: %s\n", argv[optind],
                               r == -EIO ? "cannot write to standard output" : strerror(-r));
                return 2;
        }
        for (int i = optind; i < argc; i++) {
                r = auditq_read(q, argv[i], form, stdout);
                if (r == -ENOMEM) {
                        (void) fprintf(stderr, PROG " audit: out of memory\n");
                        auditq_free(q);
                        return 2;
                }
                if (r < 0) {
                        (void) fprintf(stderr, PROG " audit: %s: %s\n", argv[i],
                                r == -EBADMSG ? "truncated or corrupt compressed data (lines before it were read)"
                                              : strerror(-r));
                        failed = true;
                }
        }
        if (summary)
                r = auditq_summary(q, json, top, stdout);
        struct auditq_stats st;
        auditq_get_stats(q, &st);
        q = auditq_free(q);
        if (st.malformed > 0)
                (void) fprintf(stderr, PROG " audit: %llu lines were not audit lines and were skipped\n",
                        (unsigned long long) st.malformed);
        if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
                (void) fprintf(stderr, PROG " audit: cannot write to standard output\n");
                return 2;
        }
        if (failed)
                return 2;
        return st.matched > 0 ? 0 : 1;
}
