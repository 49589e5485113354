/* Unit tests for the library without gojson_init (policy/gojson.h): merely linking it must leave
 * jansson's allocators alone, and everything that parses JSON must fail closed, a deny, until the
 * program calls gojson_init.  The last test then calls it (twice: it is idempotent) and checks that
 * the same calls work.
 *
 * The one unit-test program with its own main(): CU_MAIN calls gojson_init first (cutest.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/decide.h"
#include "policy/decision.h"
#include "policy/eval.h"
#include "policy/gojson.h"
#include "policy/policy.h"
#include "tests/unit/cutest.h"

static const char envelope[] =
        "{\"User\":\"\",\"UserAuthNMethod\":\"\",\"RequestMethod\":\"GET\",\"RequestUri\":\"/_ping\","
        "\"RequestHeaders\":{}}";

static void test_allocators_untouched(void)
{
        json_malloc_t m = NULL;
        json_free_t f = NULL;
        json_get_alloc_funcs(&m, &f);
        CU_ASSERT(m == malloc);
        CU_ASSERT(f == free);
}

static void test_loadb_fails_closed(void)
{
        json_error_t err;
        json_t *v = gojson_loadb("{}", 2, JSON_REJECT_DUPLICATES, &err);
        CU_ASSERT_PTR_NULL(v);
        json_decref(v);
        CU_ASSERT_STRING_EQUAL(err.text, GOJSON_NOT_INITIALISED);
        CU_ASSERT_EQUAL(err.line, -1);
        CU_ASSERT_EQUAL(err.position, -1);
        CU_ASSERT_PTR_NULL(gojson_loadb("[1]", 3, 0, NULL));   /* err may be NULL */
}

static void test_arena_unused(void)
{
        CU_ASSERT_FALSE(gojson_arena_usable());
        gojson_arena_begin();   /* does nothing */
        json_t *v = json_object();
        CU_ASSERT_PTR_NOT_NULL(v);
        json_decref(v);
        CU_ASSERT_EQUAL(gojson_arena_end(), 0);
}

static void test_body_denied(void)
{
        struct decision d;
        json_t *body = NULL;
        decision_init(&d);
        CU_ASSERT_EQUAL(eval_parse_body("{\"Image\":\"bb\"}", 14, "create", &body, &d), -EINVAL);
        CU_ASSERT_PTR_NULL(body);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(decision_has(&d, "shape"));
}

/* A request dockerd would have the plugin allow (GET /_ping) is denied, naming the cause. */
static void test_request_denied(void)
{
        struct policy *p = policy_new_default();
        struct decision d;
        struct request_info info;
        char msg[1024];

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        decide_request(p, envelope, strlen(envelope), &d, &info);
        CU_ASSERT_FALSE(d.allow);
        decision_message(&d, msg, sizeof(msg));
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "not initialised"));
        policy_unref(p);
}

/* Last: after gojson_init, the library's allocators are in and the same calls work. */
static void test_after_init(void)
{
        json_malloc_t m = NULL, m2 = NULL;
        json_free_t f = NULL, f2 = NULL;
        json_error_t err;
        struct policy *p = policy_new_default();
        struct decision d;
        struct request_info info;

        gojson_init();
        json_get_alloc_funcs(&m, &f);
        CU_ASSERT(m != malloc && f != free);
        gojson_init();   /* idempotent */
        json_get_alloc_funcs(&m2, &f2);
        CU_ASSERT(m2 == m && f2 == f);

        json_t *v = gojson_loadb("{}", 2, JSON_REJECT_DUPLICATES, &err);
        CU_ASSERT_TRUE(json_is_object(v));
        json_decref(v);
        CU_ASSERT_TRUE(gojson_arena_usable());

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        decide_request(p, envelope, strlen(envelope), &d, &info);
        CU_ASSERT_TRUE(d.allow);
        policy_unref(p);
}

static const struct cu_test noinit_tests[] = {
        { "linking leaves jansson's allocators alone", test_allocators_untouched },
        { "gojson_loadb fails closed", test_loadb_fails_closed },
        { "the arena stays unused", test_arena_unused },
        { "a request body is a shape violation", test_body_denied },
        { "a request is denied", test_request_denied },
        { "after gojson_init (twice) all works", test_after_init },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "noinit", noinit_tests },
};

/* Not CU_MAIN: that would call gojson_init. */
int main(void)
{
        return cu_run(SUITES, sizeof(SUITES) / sizeof(SUITES[0]));
}
