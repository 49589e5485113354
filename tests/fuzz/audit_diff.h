/* The audit line held to the formatter it replaced, for tests/unit/test_audit.c and
 * tests/fuzz/fuzz_audit.c.  authz/audit.c writes the line by hand; the old formatter, which built
 * jansson values and dumped them, is kept here as the reference, with a builder of cases from bytes
 * (hand-written, pseudo-random or fuzzed) and the comparison: the two must give the same bytes. */
#pragma once
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* pipe2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>   /* RUNNING_ON_VALGRIND: fewer random cases under memcheck */
#endif
#endif

#include "authz/audit.h"
#include "authz/cleanup.h"
#include "authz/version.h"
#include "policy/decision.h"

/* ---- the reference: the jansson formatter (authz/audit.c before the rewrite, unchanged) -------- */

static size_t ref_utf8_valid_len(const unsigned char *s, size_t left)
{
        unsigned char c = s[0], lo = 0x80, hi = 0xbf;
        size_t n;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2;
        else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                if (c == 0xe0)
                        lo = 0xa0;
                else if (c == 0xed)
                        hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                if (c == 0xf0)
                        lo = 0x90;
                else if (c == 0xf4)
                        hi = 0x8f;
        } else
                return 0;

        if (n > left)
                return 0;
        if (s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < n; i++)
                if (s[i] < 0x80 || s[i] > 0xbf)
                        return 0;
        return n;
}

static json_t *ref_json_string(const char *s)
{
        static const char replacement[] = "\xef\xbf\xbd";   /* U+FFFD */
        json_t *j;

        if (!s)
                s = "";
        j = json_string(s);
        if (j)
                return j;

        size_t len = strlen(s), out = 0;
        if (len > (SIZE_MAX - 1) / 3)
                return NULL;
        _cleanup_free_ char *buf = malloc(len * 3 + 1);
        if (!buf)
                return NULL;
        for (size_t i = 0; i < len;) {
                size_t n = ref_utf8_valid_len((const unsigned char *) s + i, len - i);
                if (n == 0) {
                        memcpy(buf + out, replacement, 3);   // NOLINT(bugprone-not-null-terminated-result): counted, json_stringn()
                        out += 3;
                        i++;
                } else {
                        memcpy(buf + out, s + i, n);
                        out += n;
                        i += n;
                }
        }
        return json_stringn(buf, out);
}

/* RFC 3339, UTC, microseconds: "2024-05-01T12:00:00.123456Z". */
static int ref_format_time(char *buf, size_t size)
{
        struct timespec ts;
        struct tm tm;
        size_t n;

        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return -errno;
        if (!gmtime_r(&ts.tv_sec, &tm))
                return -EOVERFLOW;
        n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
        if (n == 0)
                return -ENOBUFS;
        int r = snprintf(buf + n, size - n, ".%06ldZ", ts.tv_nsec / 1000);
        if (r < 0 || (size_t) r >= size - n)
                return -ENOBUFS;
        return 0;
}

static int ref_set_new(json_t *o, const char *key, json_t *v)
{
        if (!v)
                return -ENOMEM;
        return json_object_set_new(o, key, v) < 0 ? -ENOMEM : 0;
}

static int ref_set_string_nonempty(json_t *o, const char *key, const char *s)
{
        if (!s || !*s)
                return 0;
        return ref_set_new(o, key, ref_json_string(s));
}

static bool ref_rule_listed(const struct decision *d, size_t upto, const char *rule)
{
        for (size_t i = 0; i < upto; i++)
                if (d->v[i].rule && strcmp(d->v[i].rule, rule) == 0)
                        return true;
        return false;
}

static json_t *ref_decision_line(const struct request_info *info, const struct decision *d, bool dry_run,
                                 double latency_us, const char *now)
{
        _cleanup_json_ json_t *o = json_object(), *rules = json_array(), *reasons = json_array();
        static const struct request_info empty;
        char time[64];
        int r = 0;

        if (!o || !rules || !reasons)
                return NULL;
        if (!info)
                info = &empty;

        size_t n = d->n < DECISION_MAX_VIOLATIONS ? d->n : DECISION_MAX_VIOLATIONS;
        for (size_t i = 0; i < n && r >= 0; i++) {
                if (d->v[i].rule && !ref_rule_listed(d, i, d->v[i].rule) &&
                    json_array_append_new(rules, ref_json_string(d->v[i].rule)) < 0)
                        r = -ENOMEM;
                if (r >= 0 && json_array_append_new(reasons, ref_json_string(d->v[i].text)) < 0)
                        r = -ENOMEM;
        }
        if (r < 0)
                return NULL;

        if (now)   /* "%s" cut at 63 bytes, spelled so that gcc does not warn about the cut */
                snprintf(time, sizeof(time), "%.*s", (int) sizeof(time) - 1, now);
        else if (ref_format_time(time, sizeof(time)) < 0)
                time[0] = '\0';
        if (!(latency_us >= 0))   /* also NaN */
                latency_us = 0;
        if (latency_us > 1e15)
                latency_us = 1e15;

        bool allow = d->allow && d->complete;
        const char *mode = dry_run ? "dry-run" : allow && d->warned ? "warn" : "enforce";
        if (ref_set_new(o, "time", json_string(time)) < 0 ||
            ref_set_new(o, "decision", json_string(allow ? "allow" : "deny")) < 0 ||
            ref_set_new(o, "mode", json_string(mode)) < 0 ||
            json_object_set(o, "rules", rules) < 0 ||
            ref_set_new(o, "method", ref_json_string(info->method)) < 0 ||
            ref_set_new(o, "route", ref_json_string(info->route)) < 0 ||
            ref_set_new(o, "uri", ref_json_string(info->uri)) < 0 ||
            ref_set_string_nonempty(o, "user", info->user) < 0 ||
            ref_set_string_nonempty(o, "authn", info->authn) < 0 ||
            ref_set_string_nonempty(o, "container_name", info->container_name) < 0 ||
            ref_set_string_nonempty(o, "image", info->image) < 0 ||
            ref_set_string_nonempty(o, "container_id", info->judged_container) < 0 ||
            ref_set_string_nonempty(o, "exec_id", info->judged_exec) < 0 ||
            ref_set_string_nonempty(o, "body_sha256", info->body_sha256) < 0 ||
            ref_set_new(o, "latency_us", json_integer((json_int_t) (latency_us + 0.5))) < 0 ||
            ref_set_new(o, "version", json_string(VERSION)) < 0 ||
            ref_set_string_nonempty(o, "policy_sha256", info->policy_sha256) < 0 ||
            (info->policy_serial &&
             ref_set_new(o, "policy_serial", json_integer((json_int_t) info->policy_serial)) < 0) ||
            json_object_set(o, "reasons", reasons) < 0)
                return NULL;
        if (d->truncated && ref_set_new(o, "truncated", json_true()) < 0)
                return NULL;

        json_t *ret = o;
        o = NULL;
        return ret;
}

static int ref_format_line(const struct request_info *info, const struct decision *d, bool dry_run,
                           double latency_us, const char *time, char **ret, size_t *ret_len)
{
        if (!d || !ret || !ret_len)
                return -EINVAL;

        _cleanup_json_ json_t *o = ref_decision_line(info, d, dry_run, latency_us, time);
        if (!o)
                return -ENOMEM;

        size_t n = json_dumpb(o, NULL, 0, JSON_COMPACT);
        if (n == 0 || n == SIZE_MAX)
                return -ENOMEM;
        char *s = malloc(n + 2);
        if (!s)
                return -ENOMEM;
        if (json_dumpb(o, s, n, JSON_COMPACT) != n) {
                free(s);
                return -ENOMEM;
        }
        s[n++] = '\n';
        s[n] = '\0';
        *ret = s;
        *ret_len = n;
        return 0;
}

/* ---- cases, from a byte stream ---------------------------------------------------------------- */

/* The bytes a case is built from: a fuzzer's input (0 once it runs out), or a pseudo-random stream
 * (splitmix64) when data is NULL. */
struct byte_src {
        const unsigned char *data;
        size_t size, pos;
        uint64_t state;
};

static unsigned src_byte(struct byte_src *s)
{
        if (!s->data) {
                uint64_t z = (s->state += 0x9e3779b97f4a7c15ULL);
                z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
                z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
                return (unsigned) ((z ^ (z >> 31)) & 0xff);
        }
        return s->pos < s->size ? s->data[s->pos++] : 0;
}

static unsigned src_u16(struct byte_src *s)
{
        unsigned lo = src_byte(s);
        return lo | src_byte(s) << 8;
}

/* What strings are made of, besides raw bytes: everything the escaper and the UTF-8 check treat
 * differently. */
static const char *const audit_tokens[] = {
        /* escaped, or not */
        "\"", "\\", "/", "\x7f", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1b", "\x1f", " ", "a", "\\u0000",
        "{\"decision\":\"allow\"}", "REDACTED",
        /* valid UTF-8: the first and last of each length, around the surrogates, BOM, U+FFFD, emoji */
        "\xc2\x80", "\xc3\xa9", "\xdf\xbf", "\xe0\xa0\x80", "\xe2\x82\xac", "\xed\x9f\xbf", "\xee\x80\x80",
        "\xef\xbb\xbf", "\xef\xbf\xbd", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
        /* invalid: overlong, surrogates, > U+10FFFF, stray continuation bytes, bytes never used */
        "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xe0\x9f\xbf", "\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf",
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80",
        "\x80", "\xbf", "\xfe", "\xff",
        /* cut: a lead byte without (all of) its continuation bytes */
        "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xe2" "a", "\xf0\x9f" "\"",
};

/* A NUL-terminated string of up to size - 1 bytes: empty, short, any length or the longest; raw
 * bytes, printable ASCII, tokens, or a mix (a token may be cut by the end). */
static void fill_string(struct byte_src *s, char *buf, size_t size)
{
        unsigned sel = src_byte(s), style = (sel >> 2) & 3;
        size_t want, len = 0;

        switch (sel & 3) {
        case 0:
                want = 0;
                break;
        case 1:
                want = src_byte(s) % 16;
                break;
        case 2:
                want = src_u16(s) % size;
                break;
        default:
                want = size - 1;
                break;
        }
        while (len < want) {
                unsigned b = src_byte(s);
                if (style == 0 || (style == 3 && (b & 1))) {
                        unsigned c = style == 0 ? b : src_byte(s);
                        buf[len++] = (char) (c ? c : 0x80);
                } else if (style == 1) {
                        buf[len++] = (char) (0x20 + b % 95);
                } else {
                        const char *t = audit_tokens[b % (sizeof(audit_tokens) / sizeof(audit_tokens[0]))];
                        size_t n = strlen(t);
                        if (n > want - len)
                                n = want - len;
                        memcpy(buf + len, t, n);
                        len += n;
                }
        }
        buf[len] = '\0';
}

struct audit_case {
        struct request_info info;
        bool info_null;
        struct decision d;
        char rules[DECISION_MAX_VIOLATIONS][32];   /* rule ids made up for the case */
        bool dry_run;
        double latency_us;
        char time[80];   /* longer than the 63 bytes the formatters take */
};

static const char rule_network_too[] = "network";   /* the same id at another address */
static const char *const rule_pool[] = { "network", "privileged", "memory", "user", rule_network_too, "mounts" };

static const double latency_specials[] = {
        0, -0.0, 0.49, 0.5, 1.5, 2.5, 41.6, 1e15, 1e15 + 1, 999999999999999.5, -1, 1e300,
        INFINITY, -INFINITY, NAN, -NAN, 4.9e-324, 9007199254740993.0,
};

static void build_case(struct byte_src *s, struct audit_case *c)
{
        memset(c, 0, sizeof(*c));
        unsigned flags = src_byte(s), more = src_byte(s);
        c->info_null = (more & 0x1e) == 0;
        c->dry_run = flags & 1;
        c->d.allow = flags & 2;
        c->d.complete = flags & 4;
        c->d.warned = flags & 8;
        c->d.truncated = flags & 16;

        fill_string(s, c->info.method, sizeof(c->info.method));
        fill_string(s, c->info.uri, sizeof(c->info.uri));
        fill_string(s, c->info.route, sizeof(c->info.route));
        fill_string(s, c->info.user, sizeof(c->info.user));
        fill_string(s, c->info.authn, sizeof(c->info.authn));
        fill_string(s, c->info.container_name, sizeof(c->info.container_name));
        fill_string(s, c->info.image, sizeof(c->info.image));
        fill_string(s, c->info.judged_container, sizeof(c->info.judged_container));
        fill_string(s, c->info.judged_exec, sizeof(c->info.judged_exec));
        fill_string(s, c->info.body_sha256, sizeof(c->info.body_sha256));
        fill_string(s, c->info.policy_sha256, sizeof(c->info.policy_sha256));
        /* no serial mostly, as without --policy-url; else any up to 2^53 - 1 */
        if (src_byte(s) >= 192)
                for (int i = 0; i < 7; i++)
                        c->info.policy_serial = (c->info.policy_serial << 8 | src_byte(s)) & ((1ull << 53) - 1);

        /* Mostly a few violations, sometimes more than fit (only the first 48 are read). */
        unsigned nb = src_byte(s);
        size_t n = nb < 160 ? nb % 4 : nb < 240 ? nb % 16 : src_byte(s) % (DECISION_MAX_VIOLATIONS + 8);
        c->d.n = n;
        for (size_t i = 0; i < n && i < DECISION_MAX_VIOLATIONS; i++) {
                unsigned r = src_byte(s) % 8;
                if (r < sizeof(rule_pool) / sizeof(rule_pool[0])) {
                        c->d.v[i].rule = rule_pool[r];
                } else if (r == 6) {
                        fill_string(s, c->rules[i], sizeof(c->rules[i]));
                        c->d.v[i].rule = c->rules[i];
                }   /* else no rule id */
                fill_string(s, c->d.v[i].text, sizeof(c->d.v[i].text));
        }

        unsigned l = src_byte(s) % 32;
        if (l < sizeof(latency_specials) / sizeof(latency_specials[0])) {
                c->latency_us = latency_specials[l];
        } else if (l < 28) {
                double num = (double) src_u16(s) * 1000.0;
                c->latency_us = num / (double) (src_u16(s) + 1);
        } else {
                uint64_t bits = 0;
                for (int i = 0; i < 8; i++)
                        bits = bits << 8 | src_byte(s);
                memcpy(&c->latency_us, &bits, sizeof(bits));
        }

        if (src_byte(s) % 8 == 0)
                fill_string(s, c->time, sizeof(c->time));
        else
                snprintf(c->time, sizeof(c->time), "2024-05-01T12:00:00.%06uZ", src_u16(s));
}

/* ---- the differential ------------------------------------------------------------------------- */

/* Run both formatters on the case.  NULL when they agree (both failed, or both gave the same bytes,
 * with the length right, one '\n' at the end and a NUL after it, and the line parses as a JSON
 * object); else what differs, with the two lines in *ret_line and *ret_ref (free them). */
static const char *audit_differential(const struct audit_case *c, char **ret_line, char **ret_ref)
{
        static char untouched[] = "untouched";
        const struct request_info *info = c->info_null ? NULL : &c->info;
        char *line = untouched, *ref = NULL;
        size_t len = 12345, ref_len = 0;

        int r = audit_format_line(info, &c->d, c->dry_run, c->latency_us, c->time, &line, &len);
        int rr = ref_format_line(info, &c->d, c->dry_run, c->latency_us, c->time, &ref, &ref_len);
        *ret_line = r == 0 ? line : NULL;
        *ret_ref = rr == 0 ? ref : NULL;
        if (rr < 0) {
                /* jansson refuses a time that is not valid UTF-8 (reported as -ENOMEM); the new
                 * formatter says -EINVAL, and leaves its outputs alone. */
                if (rr != -ENOMEM)
                        return "the reference failed otherwise than on the time";
                if (r != -EINVAL)
                        return "the reference refused the time, the formatter did not say -EINVAL";
                if (line != untouched || len != 12345)
                        return "outputs changed on failure";
                return NULL;
        }
        if (r < 0)
                return "the formatter failed, the reference did not";
        if (len != ref_len || memcmp(line, ref, len + 1) != 0)
                return "the lines differ";
        if (len < 2 || line[len - 1] != '\n' || line[len] != '\0' || memchr(line, '\n', len) != line + len - 1 ||
            strlen(line) != len)
                return "not one line ending in '\\n' and a NUL";
        json_error_t err;
        json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
        bool object = json_is_object(o);
        json_decref(o);
        if (!object)
                return "not a JSON object";
        return NULL;
}
