/* Go-compatible field access over jansson values: see gojson.h for why each rule exists. */
#include "policy/gojson.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/jsonscan.h"

/* jansson's allocators (see gojson_loadb in gojson.h).  Per thread: the daemon parses on several. */
static __thread bool parsing, parse_oom;

/* The request arena (gojson_arena_begin in gojson.h): one chunk per thread, allocated once, handed
 * out by bumping a pointer and taken back whole when the request is done.  A request's values are
 * hundreds of small allocations (an object, a hashtable, a pair per key, a string and its bytes),
 * and malloc/free of them were a quarter of a decision's user time. */
#define ARENA_SIZE (256u << 10)
#define ARENA_ALIGN 16u

struct arena {
        char *base;         /* NULL until the first request on this thread */
        size_t used;
        size_t live;        /* handed out and not yet released */
        bool active;        /* between begin and end */
        bool retired;       /* values outlived a request once (see gojson_arena_end), or disabled */
};

static __thread struct arena arena;
static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static bool in_arena(const void *p)
{
        return arena.base && (const char *) p >= arena.base && (const char *) p < arena.base + ARENA_SIZE;
}

static void *json_alloc(size_t size)
{
        if (parsing && parse_oom)
                return NULL;   /* once one failed, fail the rest: the parse must not complete */
        if (arena.active && size <= ARENA_SIZE) {
                size_t need = (size + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1);
                if (need <= ARENA_SIZE - arena.used) {
                        void *p = arena.base + arena.used;
                        arena.used += need;
                        arena.live++;
                        return p;
                }
        }
        void *p = malloc(size);   /* no arena, or it is full: a large body's strings */
        if (!p && parsing)
                parse_oom = true;
        return p;
}

static void json_release(void *p)
{
        if (in_arena(p)) {
                arena.live--;   /* the memory comes back with the whole chunk */
                return;
        }
        free(p);
}

/* gojson_init (gojson.h).  pthread_once rather than a plain flag: a library cannot count on being
 * called before its callers start threads, and the once costs nothing after the first call.  The
 * atomic flag is what gojson_loadb and the arena read on every call (a once cannot be queried):
 * set, with release order, only after the allocators are in. */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static atomic_bool init_done;

static void install_json_allocators(void)
{
        json_set_alloc_funcs(json_alloc, json_release);
        atomic_store_explicit(&init_done, true, memory_order_release);
}

void gojson_init(void)
{
        (void) pthread_once(&init_once, install_json_allocators);
}

static bool initialised(void)
{
        return atomic_load_explicit(&init_done, memory_order_acquire);
}

/* err as jansson fills it for an error without a position (err may be NULL). */
static void set_error(json_error_t *err, const char *text)
{
        if (!err)
                return;
        memset(err, 0, sizeof(*err));
        err->line = err->column = err->position = -1;
        snprintf(err->text, sizeof(err->text), "%s", text);
}

/* At thread exit: the chunk, unless values from it are still alive somewhere. */
static void arena_free(void *base)
{
        if (!arena.retired)
                free(base);
}

static void arena_key_create(void)
{
        (void) pthread_key_create(&arena_key, arena_free);
}

void gojson_arena_begin(void)
{
        if (arena.retired || !initialised())
                return;   /* before gojson_init, json_alloc is not jansson's: nothing would use it */
        if (!arena.base) {
                if (pthread_once(&arena_once, arena_key_create) != 0)
                        return;
                arena.base = malloc(ARENA_SIZE);
                if (!arena.base)
                        return;   /* plain malloc for this request */
                if (pthread_setspecific(arena_key, arena.base) != 0) {
                        free(arena.base);
                        arena.base = NULL;
                        return;
                }
        }
        arena.used = 0;
        arena.live = 0;
        arena.active = true;
}

bool gojson_arena_usable(void)
{
        return !arena.retired && initialised();
}

void gojson_arena_disable(void)
{
        arena.retired = true;
}

size_t gojson_arena_end(void)
{
        if (!arena.active)
                return 0;
        arena.active = false;
        if (arena.live != 0)
                /* A value made during the request is still referenced: reusing the chunk would
                 * overwrite it.  Keep the chunk (its values stay valid, their release a no-op) and
                 * use plain malloc on this thread from now on. */
                arena.retired = true;
        return arena.live;
}

json_t *gojson_loadb(const char *buf, size_t len, size_t flags, json_error_t *err)
{
        json_t *v = NULL;

        if (!initialised()) {
                /* Not our allocators: no out-of-memory guard, so no parse (gojson_init in gojson.h). */
                set_error(err, GOJSON_NOT_INITIALISED);
                return NULL;
        }
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
                set_error(err, "out of memory");
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

/* A struct's fields chained by folded first letter, with their lengths: a key is compared only
 * with the fields that start with its letter and, if it is ASCII, have its length (a HostConfig has
 * ~70 keys against ~90 fields, 16 of them starting with C).  Built once per struct and kept: the
 * structs are static tables, at most INDEX_MAX of them. */
#define INDEX_MAX 32

struct field_index {
        const char *const *fields;
        size_t n;
        uint8_t head[27], next[GOSTRUCT_MAX_FIELDS];
        size_t len[GOSTRUCT_MAX_FIELDS];
};

static struct field_index indexes[INDEX_MAX];
static atomic_size_t n_indexes;   /* published after the entry is built */
static pthread_mutex_t index_lock = PTHREAD_MUTEX_INITIALIZER;

static void index_build(struct field_index *x, const struct gostruct *st)
{
        x->fields = st->fields;
        x->n = st->n;
        memset(x->head, NO_FIELD, sizeof(x->head));
        for (size_t i = st->n; i-- > 0;) {
                size_t b = letter_bucket(fold_ascii((unsigned char) st->fields[i][0]));
                size_t l = strlen(st->fields[i]);
                x->next[i] = x->head[b];
                x->head[b] = (uint8_t) i;
                x->len[i] = l;
        }
}

static const struct field_index *index_find(const struct gostruct *st, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (indexes[i].fields == st->fields && indexes[i].n == st->n)
                        return &indexes[i];
        return NULL;
}

/* The struct's index: from the table, or built into `spare` when the table is full. */
static const struct field_index *index_of(const struct gostruct *st, struct field_index *spare)
{
        const struct field_index *x = index_find(st, atomic_load_explicit(&n_indexes, memory_order_acquire));
        if (x)
                return x;
        pthread_mutex_lock(&index_lock);
        size_t n = atomic_load_explicit(&n_indexes, memory_order_relaxed);
        x = index_find(st, n);
        if (!x && n < INDEX_MAX) {
                index_build(&indexes[n], st);
                x = &indexes[n];
                atomic_store_explicit(&n_indexes, n + 1, memory_order_release);
        }
        pthread_mutex_unlock(&index_lock);
        if (!x) {
                index_build(spare, st);
                x = spare;
        }
        return x;
}

/* The key's length, and whether it is all ASCII (then only fields of that length can match). */
static size_t key_length(const char *key, bool *ret_ascii)
{
        const unsigned char *k = (const unsigned char *) key;
        unsigned char high = 0;
        size_t n = 0;

        for (; k[n]; n++)
                high |= k[n];
        *ret_ascii = high < 0x80;
        return n;
}

/* An ASCII key against a field of its length. */
static bool ascii_key_matches(const char *key, const char *field)
{
        for (; *field; key++, field++)
                if (fold_ascii((unsigned char) *key) != fold_ascii((unsigned char) *field))
                        return false;
        return true;
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
                decision_add(d, RULE_ERROR, "%s: %zu fields are more than the %d supported", st->name, st->n,
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
                decision_add(d, RULE_SHAPE, "%s is not a JSON object; send an object or null", path);
                return -EINVAL;
        }

        struct field_index spare;
        const struct field_index *x = index_of(st, &spare);

        json_object_foreach(obj, key, value) {
                size_t n0;
                unsigned char c0 = fold_next((const unsigned char *) key, &n0);
                bool ascii;
                size_t klen = key_length(key, &ascii);
                size_t i = st->n;
                for (uint8_t f = c0 ? x->head[letter_bucket(c0)] : NO_FIELD; f != NO_FIELD; f = x->next[f])
                        if (ascii ? x->len[f] == klen && ascii_key_matches(key, st->fields[f])
                                  : gojson_key_matches(key, st->fields[f])) {
                                i = f;
                                break;
                        }
                if (i == st->n) {
                        if (st->strict) {
                                quote_value(key, 64, q1, sizeof(q1));
                                decision_add(d, RULE_SHAPE, "%s has unknown key %s; dockerd would ignore or misread it, remove it",
                                             path, q1);
                                r = -EINVAL;
                        }
                        continue;
                }
                if (ret_vals[i]) {
                        quote_value(first_key[i], 64, q1, sizeof(q1));
                        quote_value(key, 64, q2, sizeof(q2));
                        decision_add(d, RULE_SHAPE, "%s has keys %s and %s, which dockerd reads as one field, %s.%s; send it once",
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
        decision_add(d, RULE_SHAPE, "%s is %s; dockerd expects %s", path, type_name(v), want);
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
