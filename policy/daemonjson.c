/* daemon.json edited as text (see daemonjson.h).
 *
 * jansson says whether the file reads as dockerd reads it; then a small scanner, which only ever
 * sees text jansson accepted, finds the byte spans of the top-level members and of the array's
 * elements, and the edit splices there, copying the file's own separators and indentation. */
#include "policy/daemonjson.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/buf.h"

#define MEMBERS_MAX 512

struct span {
        size_t start, end;   /* [start, end) */
};

struct member {
        struct span key, value;
};

/* The parts of a file jansson accepted as one object. */
struct doc {
        const char *t;
        size_t len;
        size_t open, close;          /* the object's braces */
        size_t n;
        struct member m[MEMBERS_MAX];
        int plugins;                 /* index of authorization-plugins, or -1 */
        json_t *value;               /* the whole file, parsed (a reference) */
};

static size_t skip_ws(const char *t, size_t i, size_t len)
{
        while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
                i++;
        return i;
}

/* t[i] is '"': the index after the closing quote. */
static size_t skip_string(const char *t, size_t i, size_t len)
{
        for (i++; i < len && t[i] != '"'; i++)
                if (t[i] == '\\')
                        i++;
        return i < len ? i + 1 : len;
}

static size_t skip_value(const char *t, size_t i, size_t len)
{
        if (i < len && t[i] == '"')
                return skip_string(t, i, len);
        if (i < len && (t[i] == '{' || t[i] == '[')) {
                size_t depth = 0;
                for (; i < len; i++) {
                        if (t[i] == '"') {
                                i = skip_string(t, i, len) - 1;
                        } else if (t[i] == '{' || t[i] == '[') {
                                depth++;
                        } else if (t[i] == '}' || t[i] == ']') {
                                if (--depth == 0)
                                        return i + 1;
                        }
                }
                return len;
        }
        while (i < len && !strchr(",}] \t\r\n", t[i]))
                i++;
        return i;
}

static bool blank(const char *t, size_t len)
{
        return skip_ws(t, 0, len) == len;
}

static void doc_free(struct doc *d)
{
        json_decref(d->value);
        d->value = NULL;
}

/* Read the file into d: 0, or -EINVAL with the reason. */
static int doc_read(const char *t, size_t len, struct doc *d, struct daemonjson_error *err)
{
        json_error_t jerr;

        memset(d, 0, sizeof(*d));
        d->t = t;
        d->len = len;
        d->plugins = -1;
        d->value = json_loadb(t, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!d->value) {
                snprintf(err->text, sizeof(err->text), "it is not valid JSON as dockerd reads it (line %d, column %d: %s)",
                         jerr.line, jerr.column, jerr.text);
                return -EINVAL;
        }
        if (!json_is_object(d->value)) {
                doc_free(d);
                snprintf(err->text, sizeof(err->text), "it is not a JSON object");
                return -EINVAL;
        }
        json_t *plugins = json_object_get(d->value, DAEMONJSON_KEY);
        size_t k;
        json_t *e;
        if (plugins && !json_is_array(plugins)) {
                doc_free(d);
                snprintf(err->text, sizeof(err->text), "its \"%s\" is not a list", DAEMONJSON_KEY);
                return -EINVAL;
        }
        json_array_foreach(plugins, k, e)
                if (!json_is_string(e)) {
                        doc_free(d);
                        snprintf(err->text, sizeof(err->text), "its \"%s\" has an entry that is not a string", DAEMONJSON_KEY);
                        return -EINVAL;
                }

        size_t i = skip_ws(t, 0, len);
        d->open = i++;
        for (;;) {
                i = skip_ws(t, i, len);
                if (i >= len || t[i] == '}')
                        break;
                if (d->n == MEMBERS_MAX) {
                        doc_free(d);
                        snprintf(err->text, sizeof(err->text), "it has more than %d settings", MEMBERS_MAX);
                        return -EINVAL;
                }
                struct member *m = &d->m[d->n];
                m->key.start = i;
                m->key.end = i = skip_string(t, i, len);
                i = skip_ws(t, i, len) + 1;   /* ':' */
                m->value.start = i = skip_ws(t, i, len);
                m->value.end = i = skip_value(t, i, len);
                json_t *key = json_loadb(t + m->key.start, m->key.end - m->key.start, JSON_DECODE_ANY, NULL);
                if (json_is_string(key) && strcmp(json_string_value(key), DAEMONJSON_KEY) == 0)
                        d->plugins = (int) d->n;
                json_decref(key);
                d->n++;
                i = skip_ws(t, i, len);
                if (i < len && t[i] == ',')
                        i++;
        }
        d->close = i;
        if (plugins && (d->plugins < 0 || d->m[d->plugins].value.start >= len || t[d->m[d->plugins].value.start] != '[')) {
                /* jansson found it, the scanner did not: never guess */
                doc_free(d);
                snprintf(err->text, sizeof(err->text), "its \"%s\" could not be located", DAEMONJSON_KEY);
                return -EINVAL;
        }
        if (plugins && json_array_size(plugins) > MEMBERS_MAX) {
                doc_free(d);
                snprintf(err->text, sizeof(err->text), "its \"%s\" has more than %d entries", DAEMONJSON_KEY, MEMBERS_MAX);
                return -EINVAL;
        }
        return 0;
}

/* The spans of the array elements in [start, end) (the '[' ... ']' of the value). */
static size_t elements(const char *t, struct span v, struct span *out, size_t max)
{
        size_t n = 0, i = v.start + 1;

        for (;;) {
                i = skip_ws(t, i, v.end);
                if (i >= v.end || t[i] == ']' || n == max)
                        return n;
                out[n].start = i;
                out[n].end = i = skip_value(t, i, v.end);
                n++;
                i = skip_ws(t, i, v.end);
                if (i < v.end && t[i] == ',')
                        i++;
        }
}

static int quote_name(const char *plugin, struct buf *b)
{
        json_t *s = json_string(plugin);
        char *q = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
        int r = q ? buf_puts(b, q) : -ENOMEM;

        free(q);
        json_decref(s);
        return r;
}

static int put(struct buf *b, const char *t, size_t from, size_t to)
{
        return buf_append(b, t + from, to - from);
}

/* Is there a line break in t[from, to)? */
static bool has_newline(const char *t, size_t from, size_t to)
{
        return memchr(t + from, '\n', to - from) != NULL;
}

static int finish(struct buf *b, char **ret, size_t *ret_len)
{
        int r = buf_error(b);
        if (r < 0) {
                buf_free(b);
                return r;
        }
        r = buf_steal(b, ret, ret_len);
        return r < 0 ? r : 1;
}

int daemonjson_names(const char *text, size_t len, const char *plugin, struct daemonjson_error *err)
{
        struct doc *d;
        size_t i;
        json_t *e;
        int found = 0;

        if (blank(text, len))
                return 0;
        d = malloc(sizeof(*d));
        if (!d)
                return -ENOMEM;
        int r = doc_read(text, len, d, err);
        if (r < 0) {
                free(d);
                return r;
        }
        json_array_foreach(json_object_get(d->value, DAEMONJSON_KEY), i, e)
                if (strcmp(json_string_value(e), plugin) == 0)
                        found = 1;
        doc_free(d);
        free(d);
        return found;
}

int daemonjson_enable(const char *text, size_t len, const char *plugin, char **ret, size_t *ret_len,
                      struct daemonjson_error *err)
{
        struct buf b;
        struct doc *d;
        int r;

        r = daemonjson_names(text, len, plugin, err);
        if (r != 0)
                return r < 0 ? r : 0;
        buf_init(&b, len + 128, len + 4096);
        if (blank(text, len)) {
                (void) buf_printf(&b, "{\n  \"%s\": [", DAEMONJSON_KEY);
                (void) quote_name(plugin, &b);
                (void) buf_puts(&b, "]\n}\n");
                return finish(&b, ret, ret_len);
        }
        d = malloc(sizeof(*d));
        if (!d)
                return -ENOMEM;
        r = doc_read(text, len, d, err);
        if (r < 0) {
                free(d);
                return r;
        }

        const char *t = d->t;
        if (d->plugins >= 0) {
                /* Append to the list, separated as its own entries are. */
                struct span v = d->m[d->plugins].value, e[2];
                struct span all[MEMBERS_MAX];
                size_t n = elements(t, v, all, MEMBERS_MAX);
                if (n == 0) {
                        put(&b, t, 0, v.start + 1);
                        quote_name(plugin, &b);
                        put(&b, t, v.end - 1, len);
                } else {
                        e[0] = all[n - 1];
                        put(&b, t, 0, e[0].end);
                        if (n >= 2) {
                                e[1] = all[n - 2];
                                put(&b, t, e[1].end, all[n - 1].start);
                        } else if (has_newline(t, v.start, e[0].start)) {
                                buf_puts(&b, ",");
                                put(&b, t, v.start + 1, e[0].start);
                        } else {
                                buf_puts(&b, ", ");
                        }
                        quote_name(plugin, &b);
                        put(&b, t, e[0].end, len);
                }
        } else if (d->n == 0) {
                put(&b, t, 0, d->open);
                (void) buf_printf(&b, "{\n  \"%s\": [", DAEMONJSON_KEY);
                quote_name(plugin, &b);
                buf_puts(&b, "]\n}");
                put(&b, t, d->close + 1, len);
        } else {
                /* A new first member, written as the first one is: its indentation, its ':'. */
                const struct member *m0 = &d->m[0];
                put(&b, t, 0, m0->key.start);
                (void) buf_printf(&b, "\"%s\"", DAEMONJSON_KEY);
                put(&b, t, m0->key.end, m0->value.start);
                buf_puts(&b, "[");
                quote_name(plugin, &b);
                buf_puts(&b, "],");
                if (has_newline(t, d->open, m0->key.start)) {
                        size_t line = m0->key.start;
                        while (line > d->open + 1 && t[line - 1] != '\n')
                                line--;
                        buf_puts(&b, "\n");
                        put(&b, t, line, m0->key.start);
                } else {
                        buf_puts(&b, " ");
                }
                put(&b, t, m0->key.start, len);
        }
        doc_free(d);
        free(d);
        return finish(&b, ret, ret_len);
}

int daemonjson_disable(const char *text, size_t len, const char *plugin, char **ret, size_t *ret_len,
                       struct daemonjson_error *err)
{
        struct buf b;
        struct doc *d;
        int r;

        r = daemonjson_names(text, len, plugin, err);
        if (r <= 0)
                return r;
        d = malloc(sizeof(*d));
        if (!d)
                return -ENOMEM;
        r = doc_read(text, len, d, err);
        if (r < 0) {
                free(d);
                return r;
        }
        buf_init(&b, len + 1, len + 1);

        const char *t = d->t;
        const struct member *m = &d->m[d->plugins];
        json_t *list = json_object_get(d->value, DAEMONJSON_KEY);
        struct span all[MEMBERS_MAX];
        size_t n = elements(t, m->value, all, MEMBERS_MAX), kept = 0, k = (size_t) d->plugins;
        for (size_t i = 0; i < n; i++)
                if (strcmp(json_string_value(json_array_get(list, i)), plugin) != 0)
                        kept++;

        if (kept > 0) {
                /* The list without it, each kept entry as written, separated as the first two were. */
                put(&b, t, 0, all[0].start);
                bool first = true;
                for (size_t i = 0; i < n; i++) {
                        if (strcmp(json_string_value(json_array_get(list, i)), plugin) == 0)
                                continue;
                        if (!first) {
                                if (n >= 2)
                                        put(&b, t, all[0].end, all[1].start);
                                else
                                        buf_puts(&b, ", ");
                        }
                        put(&b, t, all[i].start, all[i].end);
                        first = false;
                }
                put(&b, t, all[n - 1].end, len);
        } else if (d->n == 1) {
                put(&b, t, 0, d->open + 1);
                put(&b, t, d->close, len);
        } else if (k + 1 < d->n) {
                put(&b, t, 0, m->key.start);
                put(&b, t, d->m[k + 1].key.start, len);
        } else {
                put(&b, t, 0, d->m[k - 1].value.end);
                put(&b, t, m->value.end, len);
        }
        doc_free(d);
        free(d);
        return finish(&b, ret, ret_len);
}
