/* Hand-written JSON text: see jsonout.h. */
#include "authz/jsonout.h"

#include "policy/jsontext.h"

void jsonout_init(struct jsonout *o)
{
        buf_init_lent(&o->b, o->stack, sizeof(o->stack), JSONOUT_MAX);
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
        /* One allocation of the exact size when the text stayed on the stack: an estimate would
         * often ask for more than the 1 KiB past which glibc consolidates its free lists, which
         * cost more than the writing.  A heap buffer gives back what it did not use (the audit
         * queue counts lines by their length). */
        return buf_steal(&o->b, ret, ret_len);
}
