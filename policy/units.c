/* Numbers and units: the strict decimal parsers, the policy's byte sizes and CPU counts, and their
 * printed forms.  The contracts are in policy/units.h. */
#include "policy/units.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ASCII by hand: <ctype.h> follows the locale, and numbers in a policy must not. */
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static char to_lower(char c) { return (char) (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); }

/* ---- integers -------------------------------------------------------------------------------- */

int parse_int64(const char *s, int64_t min, int64_t max, const char **ret_end, int64_t *ret)
{
        char *end;
        long long v;

        /* strtoll alone would accept leading spaces and a sign. */
        if (!is_digit(s[0]))
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno != 0)
                return -errno;
        if (v < min || v > max)
                return -ERANGE;
        if (!ret_end && *end != '\0')
                return -EINVAL;
        if (ret_end)
                *ret_end = end;
        *ret = v;
        return 0;
}

bool parse_canonical_id(const char *s, size_t len, uint64_t max, uint64_t *ret)
{
        uint64_t v = 0;

        if (len == 0 || len > 20)
                return false;
        if (s[0] == '0' && len > 1)
                return false;                /* "00" means 0 to strconv.Atoi: root in disguise */
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                unsigned digit = (unsigned) (s[i] - '0');
                if (v > (max - digit) / 10)
                        return false;
                v = v * 10 + digit;
        }
        *ret = v;
        return true;
}

/* ---- sizes and CPU counts -------------------------------------------------------------------- */

static bool is_nonfinite_word(const char *s)
{
        if (*s == '-' || *s == '+')
                s++;
        return strcasecmp(s, "nan") == 0 || strcasecmp(s, "inf") == 0 ||
               strcasecmp(s, "infinity") == 0;
}

enum units_status scan_cpus(const char *s, int64_t *ret_nano)
{
        int64_t whole = 0, frac = 0;
        size_t n_whole = 0, n_frac = 0;
        bool neg = false, big = false;
        const char *c = s;

        if (!*c)
                return UNITS_EMPTY;
        if (is_nonfinite_word(s))
                return UNITS_NOT_FINITE;
        if (*c == '-') {
                neg = true;
                c++;
        }
        for (; is_digit(*c); c++, n_whole++) {
                /* Stop accumulating once over the cap: any number of digits, no overflow. */
                if (whole > UNITS_CPUS_MAX)
                        big = true;
                else
                        whole = whole * 10 + (*c - '0');
        }
        if (*c == '.')
                for (c++; is_digit(*c); c++, n_frac++)
                        if (n_frac < 9)
                                frac = frac * 10 + (*c - '0');
        if (*c != '\0' || n_whole + n_frac == 0)
                return UNITS_SYNTAX;
        if (n_frac > 9)
                return UNITS_TOO_PRECISE;
        for (size_t i = n_frac; i < 9; i++)
                frac *= 10;
        if (neg)
                return UNITS_NOT_POSITIVE;
        if (big || whole > UNITS_CPUS_MAX)
                return UNITS_TOO_BIG;
        int64_t nano = whole * UNITS_NANO_PER_CPU + frac;
        if (nano == 0)
                return UNITS_NOT_POSITIVE;
        if (nano > UNITS_CPUS_MAX * UNITS_NANO_PER_CPU)
                return UNITS_TOO_BIG;
        *ret_nano = nano;
        return UNITS_OK;
}

enum units_status scan_cpus_real(double v, int64_t *ret_nano)
{
        char buf[64];

        if (!isfinite(v))
                return UNITS_NOT_FINITE;
        if (v <= 0)
                return UNITS_NOT_POSITIVE;
        if (v > UNITS_CPUS_MAX)
                return UNITS_TOO_BIG;
        snprintf(buf, sizeof(buf), "%.9f", v);
        enum units_status st = scan_cpus(buf, ret_nano);
        /* 1e-10 prints as "0.000000000": a positive value lost to rounding is too precise */
        if (st == UNITS_NOT_POSITIVE ||
            (st == UNITS_OK && (double)*ret_nano / (double)UNITS_NANO_PER_CPU != v))
                return UNITS_TOO_PRECISE;
        return st;
}

enum units_status scan_memory_size(const char *s, int64_t *ret_bytes)
{
        const char *end = s;
        int64_t n = 0, mult = 1;
        int r;

        if (!*s)
                return UNITS_EMPTY;
        if (s[0] == '-' && is_digit(s[1]))
                return UNITS_NOT_POSITIVE;
        r = parse_int64(s, 0, INT64_MAX, &end, &n);
        if (r == -ERANGE)
                return UNITS_TOO_BIG;
        if (r < 0)
                return UNITS_SYNTAX;
        if (*end == '.' && is_digit(end[1]))
                return UNITS_FRACTION;
        switch (to_lower(*end)) {
        case '\0': break;
        case 'b': mult = 1; end++; break;
        case 'k': mult = INT64_C(1) << 10; end++; break;
        case 'm': mult = INT64_C(1) << 20; end++; break;
        case 'g': mult = INT64_C(1) << 30; end++; break;
        default: return UNITS_SYNTAX;
        }
        if (*end != '\0')
                return UNITS_SYNTAX;
        if (n > INT64_MAX / mult)
                return UNITS_TOO_BIG;
        if (n == 0)
                return UNITS_NOT_POSITIVE;
        *ret_bytes = n * mult;
        return UNITS_OK;
}

int parse_memory_size(const char *s, int64_t *ret_bytes)
{
        int64_t v;

        if (!s || scan_memory_size(s, &v) != UNITS_OK)
                return -EINVAL;
        *ret_bytes = v;
        return 0;
}

int parse_cpus(const char *s, int64_t *ret_nano)
{
        int64_t v;

        if (!s || scan_cpus(s, &v) != UNITS_OK)
                return -EINVAL;
        *ret_nano = v;
        return 0;
}

/* ---- printed forms --------------------------------------------------------------------------- */

void format_bytes(int64_t bytes, char *buf, size_t size)
{
        static const char units[] = "bkmg";
        int u = 0;
        if (bytes <= 0) {
                snprintf(buf, size, "%" PRId64, bytes);
                return;
        }
        while (u < 3 && bytes % 1024 == 0) {
                bytes /= 1024;
                u++;
        }
        if (u == 0)
                snprintf(buf, size, "%" PRId64, bytes);
        else
                snprintf(buf, size, "%" PRId64 "%c", bytes, units[u]);
}

void format_cpus(int64_t nano, char *buf, size_t size)
{
        int64_t whole = nano / UNITS_NANO_PER_CPU, frac = nano % UNITS_NANO_PER_CPU;
        if (nano < 0 || frac == 0) {
                snprintf(buf, size, "%" PRId64, nano < 0 ? nano : whole);
                return;
        }
        char f[16];
        snprintf(f, sizeof(f), "%09" PRId64, frac);
        for (int i = 8; i > 0 && f[i] == '0'; i--)
                f[i] = '\0';
        snprintf(buf, size, "%" PRId64 ".%s", whole, f);
}
