/* Go-compatible field access over jansson values: see gojson.h for why each rule exists. */
#include "policy/gojson.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/jsonscan.h"

/* jansson's allocators (see gojson_loadb in gojson.h).  Per thread: the daemon parses on several. */
static __thread bool parsing, parse_oom;

static void *json_alloc(size_t size)
{
        if (parsing && parse_oom)
                return NULL;   /* once one failed, fail the rest: the parse must not complete */
        void *p = malloc(size);
        if (!p && parsing)
                parse_oom = true;
        return p;
}

static void json_release(void *p)
{
        free(p);
}

/* Before main(), so before any JSON value exists: values must be freed by the allocator that made
 * them. */
__attribute__((constructor)) static void install_json_allocators(void)
{
        json_set_alloc_funcs(json_alloc, json_release);
}

json_t *gojson_loadb(const char *buf, size_t len, size_t flags, json_error_t *err)
{
        json_t *v = NULL;

        parsing = true;
        parse_oom = false;
        enum jsonscan_result r = jsonscan_loadb(buf, len, flags, &v);
        if (r == JSONSCAN_SLOW && !parse_oom)
                v = json_loadb(buf, len, flags, err);
        bool oom = parse_oom || r == JSONSCAN_OOM;
        parsing = false;
        parse_oom = false;
        if (oom) {
                /* Whatever came back may hold a value jansson misread: never use it. */
                json_decref(v);
                if (err) {
                        memset(err, 0, sizeof(*err));
                        err->line = err->column = err->position = -1;
                        snprintf(err->text, sizeof(err->text), "out of memory");
                }
                return NULL;
        }
        return v;
}

/* Decode the next character of a key as Go's folding sees it: an ASCII letter lower-cased, or the
 * two non-ASCII runes that fold to ASCII letters.  Other non-ASCII runes return 0 (never match an
 * ASCII field name); *len gets the bytes consumed. */
static unsigned char fold_next(const unsigned char *s, size_t *len)
{
        if (s[0] < 0x80) {
                *len = 1;
                return (s[0] >= 'A' && s[0] <= 'Z') ? (unsigned char) (s[0] - 'A' + 'a') : s[0];
        }
        if (s[0] == 0xc5 && s[1] == 0xbf) {              /* U+017F LATIN SMALL LETTER LONG S */
                *len = 2;
                return 's';
        }
        if (s[0] == 0xe2 && s[1] == 0x84 && s[2] == 0xaa) { /* U+212A KELVIN SIGN */
                *len = 3;
                return 'k';
        }
        *len = 1;
        return 0;
}

static unsigned char fold_ascii(unsigned char c)
{
        return c >= 'A' && c <= 'Z' ? (unsigned char) (c - 'A' + 'a') : c;
}

/* gojson_bind's chains: one per letter, one for anything else. */
#define NO_FIELD 0xff
_Static_assert(GOSTRUCT_MAX_FIELDS < NO_FIELD, "field indexes are bytes");
static size_t letter_bucket(unsigned char folded)
{
        return folded >= 'a' && folded <= 'z' ? (size_t) (folded - 'a') : 26;
}

bool gojson_key_matches(const char *key, const char *field)
{
        const unsigned char *k = (const unsigned char *) key;
        const unsigned char *f = (const unsigned char *) field;

        while (*k && *f) {
                size_t n;
                unsigned char c = fold_next(k, &n);
                unsigned char want = fold_ascii(*f);
                if (c == 0 || c != want)
                        return false;
                k += n;
                f++;
        }
        return *k == '\0' && *f == '\0';
}

/* The key as gojson_key_matches() sees it, folded once into buf: false when it holds a rune that
 * matches no ASCII letter or does not fit (the caller then compares the slow way). */
static bool fold_key(const char *key, char *buf, size_t size)
{
        const unsigned char *k = (const unsigned char *) key;
        size_t o = 0;

        while (*k) {
                size_t n;
                unsigned char c = fold_next(k, &n);
                if (c == 0 || o + 1 >= size)
                        return false;
                buf[o++] = (char) c;
                k += n;
        }
        buf[o] = '\0';
        return true;
}

/* gojson_key_matches() for a key already folded by fold_key(). */
static bool folded_key_matches(const char *folded, const char *field)
{
        const unsigned char *k = (const unsigned char *) folded, *f = (const unsigned char *) field;

        for (; *f; k++, f++)
                if (*k != fold_ascii(*f))
                        return false;
        return *k == '\0';
}

int gojson_bind(json_t *obj, const struct gostruct *st, const char *path,
                json_t **ret_vals, struct decision *d)
{
        const char *key;
        json_t *value;
        const char *first_key[GOSTRUCT_MAX_FIELDS];
        char q1[96], q2[96];
        int r = 0;

        if (st->n > GOSTRUCT_MAX_FIELDS) {   /* a programming error: never a silent pass */
                decision_add(d, "error", "%s: %zu fields are more than the %d supported", st->name, st->n,
                             GOSTRUCT_MAX_FIELDS);
                return -EINVAL;
        }
        for (size_t i = 0; i < st->n; i++) {
                ret_vals[i] = NULL;
                first_key[i] = NULL;
        }
        if (!obj || json_is_null(obj))
                return 0;
        if (!json_is_object(obj)) {
                decision_add(d, "shape", "%s is not a JSON object; send an object or null", path);
                return -EINVAL;
        }

        /* The fields chained by their first letter, folded: a key is compared only with the few
         * fields it can match (a HostConfig has ~70 keys against ~90 fields). */
        uint8_t head[27], next[GOSTRUCT_MAX_FIELDS];
        memset(head, NO_FIELD, sizeof(head));
        for (size_t i = st->n; i-- > 0;) {
                size_t b = letter_bucket(fold_ascii((unsigned char) st->fields[i][0]));
                next[i] = head[b];
                head[b] = (uint8_t) i;
        }

        json_object_foreach(obj, key, value) {
                char folded[128];
                bool fast = fold_key(key, folded, sizeof(folded));
                size_t n0;
                unsigned char c0 = fold_next((const unsigned char *) key, &n0);
                size_t i = st->n;
                for (uint8_t f = c0 ? head[letter_bucket(c0)] : NO_FIELD; f != NO_FIELD; f = next[f])
                        if (fast ? folded_key_matches(folded, st->fields[f]) : gojson_key_matches(key, st->fields[f])) {
                                i = f;
                                break;
                        }
                if (i == st->n) {
                        if (st->strict) {
                                quote_value(key, 64, q1, sizeof(q1));
                                decision_add(d, "shape", "%s has unknown key %s; dockerd would ignore or misread it, remove it",
                                             path, q1);
                                r = -EINVAL;
                        }
                        continue;
                }
                if (ret_vals[i]) {
                        quote_value(first_key[i], 64, q1, sizeof(q1));
                        quote_value(key, 64, q2, sizeof(q2));
                        decision_add(d, "shape", "%s has keys %s and %s, which dockerd reads as one field, %s.%s; send it once",
                                     path, q1, q2, st->name, st->fields[i]);
                        r = -EINVAL;
                }
                ret_vals[i] = value;
                first_key[i] = key;
        }
        return r;
}

static const char *type_name(const json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_OBJECT:  return "an object";
        case JSON_ARRAY:   return "an array";
        case JSON_STRING:  return "a string";
        case JSON_INTEGER: return "an integer";
        case JSON_REAL:    return "a non-integer number";
        case JSON_TRUE:
        case JSON_FALSE:   return "a boolean";
        case JSON_NULL:    return "null";
        }
        return "unknown";
}

static int wrong_type(const json_t *v, const char *path, const char *want, struct decision *d)
{
        decision_add(d, "shape", "%s is %s; dockerd expects %s", path, type_name(v), want);
        return -EINVAL;
}

int go_bool(const json_t *v, const char *path, struct decision *d, bool *ret)
{
        *ret = false;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_boolean(v))
                return wrong_type(v, path, "a boolean", d);
        *ret = json_is_true(v);
        return 0;
}

int go_int64(const json_t *v, const char *path, struct decision *d, int64_t *ret)
{
        *ret = 0;
        if (!v || json_is_null(v))
                return 0;
        /* jansson reads 1.0 and 1e3 as reals; Go refuses both for integer fields. */
        if (!json_is_integer(v))
                return wrong_type(v, path, "an integer", d);
        *ret = (int64_t) json_integer_value(v);
        return 0;
}

int go_string(const json_t *v, const char *path, struct decision *d, const char **ret)
{
        *ret = "";
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v))
                return wrong_type(v, path, "a string", d);
        *ret = json_string_value(v);
        return 0;
}

int go_array(json_t *v, const char *path, struct decision *d, json_t **ret)
{
        *ret = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_array(v))
                return wrong_type(v, path, "an array", d);
        *ret = v;
        return 0;
}

int go_object(json_t *v, const char *path, struct decision *d, json_t **ret)
{
        *ret = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_object(v))
                return wrong_type(v, path, "an object", d);
        *ret = v;
        return 0;
}

size_t go_len(const json_t *v)
{
        if (!v)
                return 0;
        if (json_is_array(v))
                return json_array_size(v);
        if (json_is_object(v))
                return json_object_size(v);
        return 0;
}
