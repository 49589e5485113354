/* Decisions: a fixed-size list of violations, deny until proven allow. */
#include "policy/decision.h"

#include "policy/escape.h"
#include "policy/fixes.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

void decision_init(struct decision *d)
{
        /* Only the header: violation texts are written whole when added (no 18 KiB memset per
         * request). */
        memset(d, 0, offsetof(struct decision, v));
        d->allow = false;
}

void decision_add(struct decision *d, enum rule rule, const char *fmt, ...)
{
        d->allow = false;
        d->warned = false;
        if (d->n >= DECISION_MAX_VIOLATIONS) {
                d->truncated = true;
                return;
        }
        struct violation *v = &d->v[d->n++];
        v->code = rule;
        v->rule = rule_id(rule);
        int k = snprintf(v->text, sizeof(v->text), "%s: ", v->rule);
        if (k < 0 || (size_t) k >= sizeof(v->text))
                return;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(v->text + k, sizeof(v->text) - (size_t) k, fmt, ap);
        va_end(ap);
        /* Cut where it must be, and say so: a fix read to its last word must not look whole.  The
         * texts are ASCII (quote_value escapes the rest), so no character is split. */
        if (n >= 0 && (size_t) n >= sizeof(v->text) - (size_t) k)
                memcpy(v->text + sizeof(v->text) - 4, "...", 4);
        d->allow = false;
}

void decision_finish(struct decision *d)
{
        d->complete = true;
        d->allow = d->n == 0 && !d->truncated;
        d->warned = false;
}

bool decision_has(const struct decision *d, const char *rule)
{
        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->v[i].rule, rule) == 0)
                        return true;
        return false;
}

/* Append to buf, never past size; returns the new length (clamped). */
static size_t append(char *buf, size_t size, size_t len, const char *s)
{
        size_t n = strlen(s);
        if (len >= size)
                return len;
        if (n > size - 1 - len)
                n = size - 1 - len;
        memcpy(buf + len, s, n);
        len += n;
        buf[len] = '\0';
        return len;
}

void decision_recreate(struct decision *d, const char *id)
{
        size_t n = sizeof(d->recreate) - 1;
        bool hex = id && strlen(id) >= n;
        for (size_t i = 0; hex && i < n; i++)
                hex = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
        snprintf(d->recreate, sizeof(d->recreate), "%.*s", (int) n, hex ? id : "CONTAINER");
}

size_t decision_message(const struct decision *d, char *buf, size_t size)
{
        size_t len = 0;

        if (size == 0)
                return 0;
        buf[0] = '\0';
        if (d->allow)
                return append(buf, size, len, "allowed");
        if (d->n == 0)
                len = append(buf, size, len, d->complete ? "denied" : "error: evaluation did not complete");
        /* Each text starts with its rule id: the docker CLI's one-line error names every rule next
         * to its own fix, once. */
        for (size_t i = 0; i < d->n; i++) {
                if (i)
                        len = append(buf, size, len, "; ");
                len = append(buf, size, len, d->v[i].text);
        }
        if (d->truncated)
                len = append(buf, size, len, "; (more violations not shown)");
        /* Once per deny, not per violation: every violation of the container's settings has the
         * same remedy, a new container. */
        if (d->recreate[0] && d->n > 0) {
                char note[sizeof(FIX_RECREATE) + sizeof(d->recreate)];
                snprintf(note, sizeof(note), "; " FIX_RECREATE, d->recreate);
                len = append(buf, size, len, note);
        }
        return len;
}

void quote_value(const char *s, size_t max, char *buf, size_t size)
{
        if (size < 8) {
                if (size)
                        buf[0] = '\0';
                return;
        }
        if (!s) {
                snprintf(buf, size, "null");
                return;
        }
        /* One byte less than the buffer: where deny messages are cut stays where it always was. */
        escape_str(s, max, ESCAPE_QUOTE | ESCAPE_SEMICOLON, buf, size - 1);
}
