/* The rule table (policy/rules.h): ids, the files that decide each rule, the settings it names, and
 * docs/rules.md's rule index, held to the code.  Run from the top of the tree (make unit). */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/actions.h"
#include "policy/policy.h"
#include "policy/rules.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

static void test_ids(void)
{
        for (int i = 0; i < RULE__MAX; i++) {
                const struct rule_info *r = rule_info((enum rule) i);
                CU_ASSERT_PTR_NOT_NULL_FATAL(r);
                CU_ASSERT(r->id[0] && r->summary[0] && r->files[0]);
                CU_ASSERT_EQUAL(rule_from_id(r->id), i);
                CU_ASSERT_STRING_EQUAL(rule_id((enum rule) i), r->id);
                CU_ASSERT_STRING_EQUAL(policy_rule_id((size_t) i), r->id);
                for (int k = 0; k < i; k++)
                        CU_ASSERT(strcmp(rule_id((enum rule) k), r->id) != 0);
        }
        CU_ASSERT_PTR_NULL(rule_info(RULE__MAX));
        CU_ASSERT_STRING_EQUAL(rule_id(RULE__MAX), "unknown");
        CU_ASSERT_EQUAL(rule_from_id("no-such-rule"), -ENOENT);
        CU_ASSERT_EQUAL(rule_from_id(NULL), -ENOENT);
}

/* Does the source file mention `word` as a whole identifier? */
static bool file_mentions(const char *path, const char *word)
{
        size_t len = 0, n = strlen(word);
        char *text = tu_read_file(path, &len);
        bool found = false;

        for (const char *p = text; p && (p = strstr(p, word)); p += n) {
                char before = p == text ? ' ' : p[-1], after = p[n];
                if (!(before == '_' || (before >= 'A' && before <= 'Z') || (before >= '0' && before <= '9')) &&
                    !(after == '_' || (after >= 'A' && after <= 'Z') || (after >= '0' && after <= '9'))) {
                        found = true;
                        break;
                }
        }
        free(text);
        return found;
}

static bool listed(const char *list, const char *path)
{
        size_t n = strlen(path);
        for (const char *p = list; (p = strstr(p, path)); p += n)
                if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
                        return true;
        return false;
}

/* Each rule is decided in exactly the files its row names: every file listed uses RULE_X, and no
 * other file of the library or the daemon does. */
static void test_files(void)
{
        static const char *const dirs[] = { "policy", "authz" };
        char sym[64];

        for (int i = 0; i < RULE__MAX; i++) {
                const struct rule_info *r = rule_info((enum rule) i);
                snprintf(sym, sizeof(sym), "RULE_%s", r->id);
                for (char *c = sym; *c; c++)
                        *c = *c == '-' ? '_' : (char) (*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);

                for (const char *p = r->files; *p;) {
                        char path[128];
                        size_t n = strcspn(p, " ");
                        snprintf(path, sizeof(path), "%.*s", (int) n, p);
                        if (!file_mentions(path, sym))
                                fprintf(stderr, "\n%s: %s is listed but does not use %s\n", r->id, path, sym);
                        CU_ASSERT(file_mentions(path, sym));
                        p += n;
                        p += strspn(p, " ");
                }
                for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
                        DIR *dir = opendir(dirs[k]);
                        struct dirent *e;
                        CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
                        while ((e = readdir(dir))) {
                                char path[PATH_MAX];
                                size_t len = strlen(e->d_name);
                                if (len < 3 || strcmp(e->d_name + len - 2, ".c") != 0 || strcmp(e->d_name, "rules.c") == 0)
                                        continue;
                                snprintf(path, sizeof(path), "%s/%s", dirs[k], e->d_name);
                                if (file_mentions(path, sym) && !listed(r->files, path)) {
                                        fprintf(stderr, "\n%s: %s uses %s but is not in its row\n", r->id, path, sym);
                                        CU_FAIL("a rule decided in a file its row does not name");
                                }
                        }
                        closedir(dir);
                }
        }
}

/* The daemon decides nothing: every violation is worded in policy/. */
static void test_daemon_decides_nothing(void)
{
        DIR *dir = opendir("authz");
        struct dirent *e;

        CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
        while ((e = readdir(dir))) {
                char path[PATH_MAX];
                size_t len = strlen(e->d_name);
                if (len < 3 || strcmp(e->d_name + len - 2, ".c") != 0)
                        continue;
                snprintf(path, sizeof(path), "authz/%s", e->d_name);
                if (file_mentions(path, "decision_add"))
                        fprintf(stderr, "\n%s calls decision_add\n", path);
                CU_ASSERT_FALSE(file_mentions(path, "decision_add"));
        }
        closedir(dir);
}

/* The settings a row names are keys of a policy file (those `arandu-authz policy` prints). */
static void test_settings(void)
{
        struct policy *p = policy_new_default();
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT_EQUAL(policy_print(p, f), 0);
        fclose(f);
        json_t *o = json_loads(text, 0, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(o);
        for (int i = 0; i < RULE__MAX; i++) {
                const char *s = rule_info((enum rule) i)->settings;
                for (const char *q = s; *q;) {
                        char key[64];
                        size_t n = strcspn(q, " ");
                        snprintf(key, sizeof(key), "%.*s", (int) n, q);
                        if (!json_object_get(o, key))
                                fprintf(stderr, "\n%s: %s is not a policy setting\n", rule_id((enum rule) i), key);
                        CU_ASSERT_PTR_NOT_NULL(json_object_get(o, key));
                        q += n;
                        q += strspn(q, " ");
                }
        }
        json_decref(o);
        free(text);
        policy_unref(p);
}

/* docs/rules.md's rule index is the table, as `arandu-authz rules --markdown` prints it. */
static void test_docs_index(void)
{
        static const char begin[] = "<!-- rule index: begin -->\n", end[] = "<!-- rule index: end -->";
        size_t len = 0, mlen = 0;
        char *doc = tu_read_file("docs/rules.md", &len), *md = NULL;

        CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
        CU_ASSERT_EQUAL_FATAL(rules_markdown(&md, &mlen), 0);
        char *a = strstr(doc, begin), *b = a ? strstr(a, end) : NULL;
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        a += strlen(begin);
        bool same = (size_t) (b - a) == mlen && memcmp(a, md, mlen) == 0;
        if (!same)
                fprintf(stderr, "\ndocs/rules.md's rule index is not policy/rules.h's; replace it with the output of "
                                "`build/arandu-authz rules --markdown`:\n%s", md);
        CU_ASSERT_TRUE(same);
        free(md);
        free(doc);
}

static const struct cu_test tests[] = {
        { "ids: unique, found by name, in the warn order", test_ids },
        { "each rule is decided in the files its row names", test_files },
        { "the daemon words no violation", test_daemon_decides_nothing },
        { "the settings a row names are policy settings", test_settings },
        { "docs/rules.md's rule index is the table", test_docs_index },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "rules", tests },
};

CU_MAIN(SUITES)
