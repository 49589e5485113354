/* Byte-level helpers shared by the JSON reader (jsonscan.c) and the audit line writer
 * (authz/audit.c): where a run of string bytes that need no escape ends, and what counts as
 * UTF-8.  Both follow jansson 2.14, whose values and output they must reproduce exactly. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s, of at most `left` bytes: 1 for ASCII, 2 to 4
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, as jansson accepts), or 0. */
static inline size_t json_utf8_len(const unsigned char *s, size_t left)
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
        if (n > left || s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < n; i++)
                if (s[i] < 0x80 || s[i] > 0xbf)
                        return 0;
        return n;
}

/* Are the n bytes at s well-formed UTF-8 throughout (json_utf8_len's rules)? */
static inline bool json_utf8_valid(const char *s, size_t n)
{
        for (size_t i = 0, k; i < n; i += k) {
                k = json_utf8_len((const unsigned char *) s + i, n - i);
                if (k == 0)
                        return false;
        }
        return true;
}

/* The code point of the sequence of n bytes at s that json_utf8_len() measured. */
static inline uint32_t json_utf8_code_point(const unsigned char *s, size_t n)
{
        static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
        uint32_t cp = s[0] & lead_mask[n];

        for (size_t i = 1; i < n; i++)
                cp = (cp << 6) | (s[i] & 0x3fu);
        return cp;
}

/* A byte that stands for itself inside a JSON string on both sides: printable ASCII (and DEL)
 * except '"' and '\'. */
static inline bool json_plain_byte(unsigned char c)
{
        return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* The first byte at or after p that is not plain, or end.  Eight bytes at a time while there are
 * eight (most strings are plain ASCII): (x - 0x01..) & ~x sets a byte's high bit where x has a
 * zero byte, w - 0x20.. where w has a byte below 0x20; a borrow only comes from a byte that is
 * itself not plain, so a false alarm is possible (the byte loop sorts it out), a miss is not. */
static inline const char *json_plain_run(const char *p, const char *end)
{
        const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;

        for (;;) {
                while (end - p >= 8) {
                        uint64_t w, q, b, m;
                        memcpy(&w, p, 8);
                        q = w ^ (ones * '"');
                        b = w ^ (ones * '\\');
                        m = (w | (w - ones * 0x20) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high;
                        if (m) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                                /* Borrows only run upwards from a byte that is not plain, so the
                                 * lowest flagged byte is exactly the first one. */
                                return p + (__builtin_ctzll(m) >> 3);
#else
                                break;
#endif
                        }
                        p += 8;
                }
                const char *block = end - p > 8 ? p + 8 : end;
                while (p < block && json_plain_byte((unsigned char) *p))
                        p++;
                if (p < block || p == end)
                        return p;
        }
}
