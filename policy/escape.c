/* The escaper: see escape.h. */
#include "policy/escape.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

size_t escape_str(const char *s, size_t max, unsigned flags, char *buf, size_t size)
{
        static const char hex[] = "0123456789abcdef";
        bool quote = flags & ESCAPE_QUOTE;
        /* Kept at the end: "...", the closing quote, the NUL. */
        size_t tail = 3 + (quote ? 1 : 0) + 1;
        size_t len = 0;

        assert(s);
        if (size == 0)
                return 0;
        if (size < tail + (quote ? 1 : 0)) {
                buf[0] = '\0';
                return 0;
        }
        size_t limit = size - tail;   /* len never passes it */

        if (quote)
                buf[len++] = '"';
        for (size_t i = 0; s[i]; i++) {
                unsigned char c = (unsigned char) s[i];
                char esc[4];
                size_t n;

                if (i == max) {
                        memcpy(buf + len, "...", 3);
                        len += 3;
                        break;
                }
                if (c == '"' || c == '\\') {
                        esc[0] = '\\';
                        esc[1] = (char) c;
                        n = 2;
                } else if (c < 0x20 || c >= 0x7f || (c == ';' && (flags & ESCAPE_SEMICOLON))) {
                        esc[0] = '\\';
                        esc[1] = 'x';
                        esc[2] = hex[c >> 4];
                        esc[3] = hex[c & 0xf];
                        n = 4;
                } else {
                        esc[0] = (char) c;
                        n = 1;
                }
                if (n > limit - len) {
                        memcpy(buf + len, "...", 3);
                        len += 3;
                        break;
                }
                memcpy(buf + len, esc, n);
                len += n;
        }
        if (quote)
                buf[len++] = '"';
        buf[len] = '\0';
        return len;
}
