/* Unit tests for policy/gojson: request JSON read the way dockerd's Go encoding/json reads it.
 *
 * Key folding follows Go (>= 1.21: foldName maps each rune to the smallest rune of its SimpleFold
 * orbit; <= 1.20: equalFoldRight).  Both fold ASCII case, 'ſ' (U+017F) to s and the Kelvin sign
 * (U+212A) to k, and nothing else non-ASCII to an ASCII letter: the dotless ı and dotted İ, whose
 * case mappings reach 'i', sit alone in their fold orbits. */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "policy/decision.h"
#include "policy/eval.h"
#include "policy/gojson.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

#define LONG_S  "\xc5\xbf"         /* U+017F LATIN SMALL LETTER LONG S */
#define KELVIN  "\xe2\x84\xaa"     /* U+212A KELVIN SIGN */

/* --- gojson_key_matches ---------------------------------------------------------------------- */

struct key_case {
        const char *key;
        const char *field;
        bool match;
};

static const struct key_case key_cases[] = {
        /* ASCII case folding */
        { "Privileged", "Privileged", true },
        { "privileged", "Privileged", true },
        { "PRIVILEGED", "Privileged", true },
        { "pRiViLeGeD", "Privileged", true },
        { "iomaximumiops", "IOMaximumIOps", true },
        { "NANOCPUS", "NanoCpus", true },
        /* lengths must agree */
        { "Privilege", "Privileged", false },
        { "Privilegedd", "Privileged", false },
        { "Privileged ", "Privileged", false },
        { " Privileged", "Privileged", false },
        { "", "Privileged", false },
        { "Privileged", "", false },
        /* only letters fold: '[' is 'Z'+1 and '{' is 'z'+1, '@' and '`' sit just before A and a */
        { "Cpu[", "Cpu{", false },
        { "Cpu@", "Cpu`", false },
        { "Cpu_Shares", "CpuShares", false },
        { "Cpu-Shares", "CpuShares", false },
        /* 'ſ' (U+017F) folds to s, wherever the s is, whatever its case in the field */
        { LONG_S "ecurityOpt", "SecurityOpt", true },
        { LONG_S "ECURITYOPT", "SecurityOpt", true },
        { "Sysctl" LONG_S, "Sysctls", true },
        { LONG_S "y" LONG_S "ctl" LONG_S, "Sysctls", true },
        { "Pid" LONG_S "Limit", "PidsLimit", true },
        { "ReadonlyRootf" LONG_S, "ReadonlyRootfs", true },
        /* the Kelvin sign (U+212A) folds to k */
        { KELVIN "ernelMemory", "KernelMemory", true },
        { "Oom" KELVIN "illDisable", "OomKillDisable", true },
        { "Networ" KELVIN "Mode", "NetworkMode", true },
        /* ... and to nothing else */
        { LONG_S "ernelMemory", "KernelMemory", false },
        { KELVIN "ecurityOpt", "SecurityOpt", false },
        { "Pr" LONG_S "vileged", "Privileged", false },
        { "Pr" KELVIN "vileged", "Privileged", false },
        /* other non-ASCII runes never match an ASCII field name */
        { "Pr\xc4\xb1vileged", "Privileged", false },       /* U+0131 dotless i: upper-cases to I */
        { "Pr\xc4\xb0vileged", "Privileged", false },       /* U+0130 I with dot: lower-cases to i */
        { "\xef\xbc\xb0rivileged", "Privileged", false },   /* U+FF30 fullwidth P */
        { "\xd1\x80rivileged", "Privileged", false },       /* U+0440 Cyrillic er, looks like p */
        { "\xea\x9c\xb1" "ecurityOpt", "SecurityOpt", false }, /* U+A731 small capital S */
        { "\xe2\x84\xab" "elvin", "Kelvin", false },           /* U+212B Angstrom sign */
        { "Privileged\xc2\xa0", "Privileged", false },      /* trailing no-break space */
        { "Privile\xc3\x9f", "Privileges", false },         /* U+00DF sharp s */
        /* truncated multi-byte sequences: no match, no read past the end */
        { "Sysctl\xc5", "Sysctls", false },
        { KELVIN, "k", true },
        { "\xe2\x84", "k", false },
        { "\xe2", "k", false },
        { LONG_S, "s", true },
        { LONG_S, "ss", false },
        { "s" LONG_S, "s", false },
};

static void test_key_matches(void)
{
        for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
                const struct key_case *c = &key_cases[i];
                bool got = gojson_key_matches(c->key, c->field);
                if (got != c->match)
                        fprintf(stderr, "\n  key case %zu: key \"%s\" field \"%s\": got %d\n", i, c->key, c->field, got);
                CU_ASSERT_EQUAL(got, c->match);
        }
}

/* --- gojson_bind ----------------------------------------------------------------------------- */

enum { F_PRIVILEGED, F_SECURITYOPT, F_KERNELMEMORY, F_NAME, F__MAX };
static const char *const fields[F__MAX] = { "Privileged", "SecurityOpt", "KernelMemory", "Name" };
static const struct gostruct strict_struct = { "Test", fields, F__MAX, true };
static const struct gostruct lax_struct = { "Test", fields, F__MAX, false };

struct bind_case {
        const char *name;
        const char *json;
        bool strict;
        int rc;                    /* 0 or -EINVAL */
        size_t violations;         /* how many "shape" violations */
        int field;                 /* a field expected bound (-1: none) */
        const char *value;         /* its value, as JSON text (compact) */
        const char *mention;       /* a substring of some violation text, or NULL */
};

static const struct bind_case bind_cases[] = {
        { "exact", "{\"Privileged\":true,\"Name\":\"x\"}", true, 0, 0, F_PRIVILEGED, "true", NULL },
        { "lower", "{\"privileged\":true}", true, 0, 0, F_PRIVILEGED, "true", NULL },
        { "upper", "{\"PRIVILEGED\":false}", true, 0, 0, F_PRIVILEGED, "false", NULL },
        { "long s", "{\"" LONG_S "ecurityOpt\":[\"x\"]}", true, 0, 0, F_SECURITYOPT, "[\"x\"]", NULL },
        { "kelvin", "{\"" KELVIN "ernelMemory\":5}", true, 0, 0, F_KERNELMEMORY, "5", NULL },
        { "escaped long s", "{\"\\u017fecurityOpt\":[]}", true, 0, 0, F_SECURITYOPT, "[]", NULL },
        { "escaped kelvin", "{\"\\u212aernelMemory\":1}", true, 0, 0, F_KERNELMEMORY, "1", NULL },
        { "null value binds", "{\"Name\":null}", true, 0, 0, F_NAME, "null", NULL },
        /* collisions: Go keeps the last (or merges objects); we deny */
        { "case collision", "{\"Privileged\":false,\"privileged\":true}", true, -EINVAL, 1, F_PRIVILEGED, "true",
          "\"Privileged\" and \"privileged\"" },
        { "case collision lax", "{\"privileged\":true,\"PRIVILEGED\":false}", false, -EINVAL, 1, F_PRIVILEGED, "false",
          "Test.Privileged" },
        { "long s collision", "{\"SecurityOpt\":[],\"" LONG_S "ecurityOpt\":[\"seccomp=unconfined\"]}", true, -EINVAL, 1,
          -1, NULL, "\\xc5\\xbfecurityOpt" },
        { "kelvin collision", "{\"KernelMemory\":0,\"" KELVIN "ernelMemory\":1}", true, -EINVAL, 1, -1, NULL, "KernelMemory" },
        { "triple collision", "{\"Name\":\"a\",\"name\":\"b\",\"NAME\":\"c\"}", true, -EINVAL, 2, F_NAME, "\"c\"", NULL },
        { "null still collides", "{\"Privileged\":true,\"privileged\":null}", true, -EINVAL, 1, -1, NULL, NULL },
        /* unknown keys */
        { "unknown strict", "{\"Privileged\":false,\"Foo\":1}", true, -EINVAL, 1, F_PRIVILEGED, "false", "unknown key \"Foo\"" },
        { "unknown lax", "{\"Privileged\":false,\"Foo\":1}", false, 0, 0, F_PRIVILEGED, "false", NULL },
        { "lookalike strict", "{\"Pr\xc4\xb1vileged\":true}", true, -EINVAL, 1, -1, NULL, "\\xc4\\xb1" },
        { "lookalike lax", "{\"Pr\xc4\xb1vileged\":true}", false, 0, 0, -1, NULL, NULL },
        { "two unknown", "{\"a\":1,\"b\":2}", true, -EINVAL, 2, -1, NULL, NULL },
        /* the object itself */
        { "empty object", "{}", true, 0, 0, -1, NULL, NULL },
        { "null object", "null", true, 0, 0, -1, NULL, NULL },
        { "array", "[]", true, -EINVAL, 1, -1, NULL, "not a JSON object" },
        { "string", "\"x\"", false, -EINVAL, 1, -1, NULL, "not a JSON object" },
        { "number", "1", false, -EINVAL, 1, -1, NULL, "not a JSON object" },
        { "true", "true", false, -EINVAL, 1, -1, NULL, "not a JSON object" },
};

static void test_bind(void)
{
        for (size_t i = 0; i < sizeof(bind_cases) / sizeof(bind_cases[0]); i++) {
                const struct bind_case *c = &bind_cases[i];
                json_t *obj = tu_json(c->json);
                json_t *vals[F__MAX];
                struct decision d;
                decision_init(&d);
                int r = gojson_bind(obj, c->strict ? &strict_struct : &lax_struct, "Test", vals, &d);
                bool ok = r == c->rc && d.n == c->violations;
                for (size_t k = 0; k < d.n; k++)
                        ok = ok && strcmp(d.v[k].rule, "shape") == 0;
                if (c->field >= 0) {
                        char *got = vals[c->field] ? json_dumps(vals[c->field], JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
                        ok = ok && got && strcmp(got, c->value) == 0;
                        free(got);
                } else if (c->rc == 0) {
                        for (int k = 0; k < F__MAX; k++)
                                ok = ok && (vals[k] == NULL || c->field >= 0);
                }
                if (c->mention)
                        ok = ok && tu_mentions(&d, c->mention);
                ok = ok && tu_texts_well_formed(&d);
                if (!ok) {
                        fprintf(stderr, "\n  bind case %s: r=%d", c->name, r);
                        tu_dump(c->name, &d);
                }
                CU_ASSERT_TRUE(ok);
                json_decref(obj);
        }
}

static void test_bind_missing_object(void)
{
        json_t *vals[F__MAX];
        struct decision d;
        decision_init(&d);
        for (int k = 0; k < F__MAX; k++)
                vals[k] = (json_t *) &d;  /* poison: bind must reset every slot */
        CU_ASSERT_EQUAL(gojson_bind(NULL, &strict_struct, "Test", vals, &d), 0);
        for (int k = 0; k < F__MAX; k++)
                CU_ASSERT_PTR_NULL(vals[k]);
        CU_ASSERT_EQUAL(d.n, 0);
}

/* --- typed reads ----------------------------------------------------------------------------- */

enum kind { K_INT, K_BOOL, K_STRING, K_ARRAY, K_OBJECT };

struct typed_case {
        enum kind kind;
        const char *json;          /* NULL: the field is missing */
        int rc;
        int64_t i;                 /* K_INT: value; K_BOOL: 0/1; K_ARRAY/K_OBJECT: 1 if ret non-NULL */
        const char *s;             /* K_STRING */
};

static const struct typed_case typed_cases[] = {
        { K_INT, NULL, 0, 0, NULL },
        { K_INT, "null", 0, 0, NULL },
        { K_INT, "0", 0, 0, NULL },
        { K_INT, "-0", 0, 0, NULL },
        { K_INT, "1", 0, 1, NULL },
        { K_INT, "-1", 0, -1, NULL },
        { K_INT, "4294967296", 0, INT64_C(4294967296), NULL },
        { K_INT, "9223372036854775807", 0, INT64_MAX, NULL },
        { K_INT, "-9223372036854775808", 0, INT64_MIN, NULL },
        /* Go refuses fractions and exponents for integer fields, even when the value is whole */
        { K_INT, "1.0", -EINVAL, 0, NULL },
        { K_INT, "1e3", -EINVAL, 0, NULL },
        { K_INT, "1E3", -EINVAL, 0, NULL },
        { K_INT, "2e9", -EINVAL, 0, NULL },
        { K_INT, "0.0", -EINVAL, 0, NULL },
        { K_INT, "-0.0", -EINVAL, 0, NULL },
        { K_INT, "2.5", -EINVAL, 0, NULL },
        { K_INT, "\"1\"", -EINVAL, 0, NULL },
        { K_INT, "true", -EINVAL, 0, NULL },
        { K_INT, "[]", -EINVAL, 0, NULL },
        { K_INT, "{}", -EINVAL, 0, NULL },
        { K_BOOL, NULL, 0, 0, NULL },
        { K_BOOL, "null", 0, 0, NULL },
        { K_BOOL, "true", 0, 1, NULL },
        { K_BOOL, "false", 0, 0, NULL },
        { K_BOOL, "\"true\"", -EINVAL, 0, NULL },
        { K_BOOL, "\"false\"", -EINVAL, 0, NULL },
        { K_BOOL, "1", -EINVAL, 0, NULL },
        { K_BOOL, "0", -EINVAL, 0, NULL },
        { K_BOOL, "1.0", -EINVAL, 0, NULL },
        { K_BOOL, "[]", -EINVAL, 0, NULL },
        { K_STRING, NULL, 0, 0, "" },
        { K_STRING, "null", 0, 0, "" },
        { K_STRING, "\"\"", 0, 0, "" },
        { K_STRING, "\"host\"", 0, 0, "host" },
        { K_STRING, "1", -EINVAL, 0, "" },
        { K_STRING, "true", -EINVAL, 0, "" },
        { K_STRING, "[\"host\"]", -EINVAL, 0, "" },
        { K_STRING, "{}", -EINVAL, 0, "" },
        { K_ARRAY, NULL, 0, 0, NULL },
        { K_ARRAY, "null", 0, 0, NULL },
        { K_ARRAY, "[]", 0, 1, NULL },
        { K_ARRAY, "[1]", 0, 1, NULL },
        { K_ARRAY, "{}", -EINVAL, 0, NULL },
        { K_ARRAY, "\"SYS_ADMIN\"", -EINVAL, 0, NULL },
        { K_OBJECT, NULL, 0, 0, NULL },
        { K_OBJECT, "null", 0, 0, NULL },
        { K_OBJECT, "{}", 0, 1, NULL },
        { K_OBJECT, "{\"a\":1}", 0, 1, NULL },
        { K_OBJECT, "[]", -EINVAL, 0, NULL },
        { K_OBJECT, "\"x\"", -EINVAL, 0, NULL },
};

static void test_typed(void)
{
        for (size_t i = 0; i < sizeof(typed_cases) / sizeof(typed_cases[0]); i++) {
                const struct typed_case *c = &typed_cases[i];
                json_t *v = c->json ? tu_json(c->json) : NULL;
                struct decision d;
                decision_init(&d);
                int r = -1;
                bool ok;
                switch (c->kind) {
                case K_INT: {
                        int64_t got = 42;
                        r = go_int64(v, "Test.Field", &d, &got);
                        ok = got == c->i;
                        break;
                }
                case K_BOOL: {
                        bool got = true;
                        r = go_bool(v, "Test.Field", &d, &got);
                        ok = got == (c->i != 0);
                        break;
                }
                case K_STRING: {
                        const char *got = NULL;
                        r = go_string(v, "Test.Field", &d, &got);
                        ok = got && strcmp(got, c->s) == 0;
                        break;
                }
                case K_ARRAY:
                case K_OBJECT: {
                        json_t *got = (json_t *) &d;
                        r = c->kind == K_ARRAY ? go_array(v, "Test.Field", &d, &got) : go_object(v, "Test.Field", &d, &got);
                        ok = c->i ? got == v : got == NULL;
                        break;
                }
                default:
                        ok = false;
                }
                ok = ok && r == c->rc && d.n == (c->rc ? 1u : 0u);
                if (c->rc)
                        ok = ok && decision_has(&d, "shape") && tu_mentions(&d, "Test.Field") && tu_texts_well_formed(&d);
                if (!ok) {
                        fprintf(stderr, "\n  typed case %zu (%s): r=%d", i, c->json ? c->json : "missing", r);
                        tu_dump("typed", &d);
                }
                CU_ASSERT_TRUE(ok);
                json_decref(v);
        }
}

static void test_type_messages(void)
{
        struct decision d;
        int64_t i;
        bool b;
        json_t *v = tu_json("1e3");
        decision_init(&d);
        go_int64(v, "HostConfig.Memory", &d, &i);
        CU_ASSERT_TRUE(tu_mentions(&d, "shape: HostConfig.Memory is a non-integer number; dockerd expects an integer"));
        json_decref(v);

        v = tu_json("\"true\"");
        decision_init(&d);
        go_bool(v, "HostConfig.Privileged", &d, &b);
        CU_ASSERT_TRUE(tu_mentions(&d, "shape: HostConfig.Privileged is a string; dockerd expects a boolean"));
        json_decref(v);
}

static void test_len(void)
{
        json_t *v;
        CU_ASSERT_EQUAL(go_len(NULL), 0);
        v = tu_json("null");
        CU_ASSERT_EQUAL(go_len(v), 0);
        json_decref(v);
        v = tu_json("[]");
        CU_ASSERT_EQUAL(go_len(v), 0);
        json_decref(v);
        v = tu_json("[1,2,3]");
        CU_ASSERT_EQUAL(go_len(v), 3);
        json_decref(v);
        v = tu_json("{\"a\":1,\"b\":null}");
        CU_ASSERT_EQUAL(go_len(v), 2);
        json_decref(v);
        v = tu_json("\"abc\"");
        CU_ASSERT_EQUAL(go_len(v), 0);
        json_decref(v);
}

/* --- eval_parse_body: what the decoder accepts at all ----------------------------------------- */

struct parse_case {
        const char *name;
        const char *text;
        bool ok;
};

static const struct parse_case parse_cases[] = {
        { "object", "{\"User\":\"1000\"}", true },
        { "empty object", "{}", true },
        { "whitespace", " \n{ \"a\" : 1 }\n ", true },
        { "escaped key", "{\"\\u0055ser\":\"1000\"}", true },
        { "duplicate key", "{\"User\":\"1000\",\"User\":\"0\"}", false },
        { "duplicate nested", "{\"HostConfig\":{\"Privileged\":false,\"Privileged\":true}}", false },
        { "duplicate escaped", "{\"User\":\"1000\",\"\\u0055ser\":\"0\"}", false },
        { "array", "[]", false },
        { "string", "\"x\"", false },
        { "number", "1", false },
        { "null", "null", false },
        { "empty", "", false },
        { "spaces", "   ", false },
        { "truncated", "{\"User\":", false },
        { "trailing garbage", "{} x", false },
        { "two objects", "{}{}", false },
        { "single quotes", "{'User':'0'}", false },
        { "trailing comma", "{\"a\":1,}", false },
        { "comment", "{/*x*/}", false },
        { "NUL escape", "{\"User\":\"1000\\u0000:0\"}", false },
        { "NUL escape in key", "{\"Us\\u0000er\":\"0\"}", false },
        { "invalid UTF-8", "{\"User\":\"\xff\"}", false },
        { "lone surrogate", "{\"User\":\"\\ud800\"}", false },
        { "int overflow", "{\"Memory\":9223372036854775808}", false },
        { "real overflow", "{\"Memory\":1e400}", false },
        { "NaN", "{\"Memory\":NaN}", false },
};

static void test_parse_body(void)
{
        for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
                const struct parse_case *c = &parse_cases[i];
                json_t *v = NULL;
                struct decision d;
                decision_init(&d);
                int r = eval_parse_body(c->text, strlen(c->text), "create", &v, &d);
                bool ok = c->ok ? (r == 0 && v && json_is_object(v) && d.n == 0)
                                : (r == -EINVAL && v == NULL && d.n == 1 && decision_has(&d, "shape") &&
                                   tu_mentions(&d, "create body"));
                if (!ok)
                        tu_dump(c->name, &d);
                CU_ASSERT_TRUE(ok);
                json_decref(v);
        }
}

static void test_parse_body_length(void)
{
        /* The length is honoured: bytes after it are not read, a NUL inside is not an end. */
        static const char buf[] = "{\"User\":\"1000\"}{\"User\":\"0\"}";
        json_t *v = NULL;
        struct decision d;
        decision_init(&d);
        CU_ASSERT_EQUAL(eval_parse_body(buf, 15, "create", &v, &d), 0);
        CU_ASSERT_PTR_NOT_NULL(v);
        json_decref(v);

        static const char nul[] = "{\"User\":\"1000\"}\0{\"User\":\"0\"}";
        v = NULL;
        decision_init(&d);
        CU_ASSERT_EQUAL(eval_parse_body(nul, sizeof(nul) - 1, "create", &v, &d), -EINVAL);
        CU_ASSERT_PTR_NULL(v);
        CU_ASSERT_TRUE(decision_has(&d, "shape"));
}

/* The request arena: values made between begin and end come from it and are released for
 * nothing; a value kept past end retires the arena of this thread, and stays valid. */
static void test_arena(void)
{
        json_error_t e;

        CU_ASSERT_TRUE(gojson_arena_usable());
        for (int round = 0; round < 3; round++) {
                gojson_arena_begin();
                const char *doc = "{\"a\":[1,\"x\",{\"b\":null}]}";
                json_t *v = gojson_loadb(doc, strlen(doc), JSON_REJECT_DUPLICATES, &e);
                CU_ASSERT_PTR_NOT_NULL(v);
                json_decref(v);
                CU_ASSERT_EQUAL(gojson_arena_end(), 0);
        }
        CU_ASSERT_EQUAL(gojson_arena_end(), 0);   /* not active: nothing to do */

        gojson_arena_begin();
        const char *doc = "{\"k\":\"still here\"}";
        json_t *kept = gojson_loadb(doc, strlen(doc), 0, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(kept);
        CU_ASSERT(gojson_arena_end() > 0);
        CU_ASSERT_FALSE(gojson_arena_usable());
        gojson_arena_begin();   /* retired: plain malloc from now on */
        json_t *more = json_string("fresh");
        CU_ASSERT_EQUAL(gojson_arena_end(), 0);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(kept, "k")), "still here");
        json_decref(kept);
        json_decref(more);
}

static const struct cu_test gojson_tests[] = {
        { "request arena", test_arena },
        { "key folding (case, long s, Kelvin, look-alikes)", test_key_matches },
        { "bind: collisions, unknown keys, non-objects", test_bind },
        { "bind: missing object resets every slot", test_bind_missing_object },
        { "typed reads: null is zero, wrong types are shape", test_typed },
        { "typed reads: messages name the field", test_type_messages },
        { "go_len", test_len },
        { NULL, NULL },
};

static const struct cu_test parse_tests[] = {
        { "eval_parse_body: one object, no duplicates", test_parse_body },
        { "eval_parse_body: explicit length", test_parse_body_length },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "gojson", gojson_tests },
        { "parse", parse_tests },
};

CU_MAIN(SUITES)
