/* Unit tests for policy/identity: dockerd's user lookup against an image's /etc/passwd and
 * /etc/group, the rule on its result, and reading one file out of an archive tar. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/decision.h"
#include "policy/identity.h"
#include "policy/policy.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

static const char PASSWD[] =
        "root:x:0:0:root:/root:/bin/sh\n"
        "arandu-user:x:1000:1000::/home/a:/bin/sh\n"
        "  spaced:x:1002:1002::/:/bin/sh  \r\n"
        "\n"
        "toor:x:0:5::/:/bin/sh\n"
        "nogroup:x:1000:0::/:/bin/sh\n"
        "junk:x:abc:1000::/:/bin/sh\n"
        "big:x:99999999999999999999:1::/:/bin/sh\n";
static const char GROUP[] =
        "root:x:0:\n"
        "# comment:x:7:arandu-user\n"
        "arandu-user:x:1000:\n"
        "staff:x:50:arandu-user,other\n"
        "wheel:x:0:toor\n"
        "sudo:x:27:toor,arandu-user2\n";
static const char GROUP_WITH_ROOT[] = "root:x:0:arandu-user\narandu-user:x:1000:\n";

struct id_case {
        const char *spec;
        const char *passwd, *group;   /* NULL: the file does not exist */
        const char *add[3];
        int rc;
        int64_t uid, gid;
        const char *groups;           /* "50,0" */
};

static void groups_text(const struct identity *id, char *buf, size_t n)
{
        size_t o = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < id->n_groups && o < n; i++)
                o += (size_t) snprintf(buf + o, n - o, "%s%lld", i ? "," : "", (long long) id->groups[i]);
}

static void test_resolve(void)
{
        static const struct id_case cases[] = {
                /* explicit UID:GID: the files only name things */
                { "1000:1000", PASSWD, GROUP, { NULL }, 0, 1000, 1000, "" },
                { "1000:1", PASSWD, GROUP, { NULL }, 0, 1000, 1, "" },
                { "1000:4242", PASSWD, GROUP, { NULL }, 0, 1000, 4242, "" },
                { "1000:1000", NULL, NULL, { NULL }, 0, 1000, 1000, "" },
                /* a bare UID takes its entry's group and the groups listing the entry's name */
                { "1000", PASSWD, GROUP, { NULL }, 0, 1000, 1000, "50" },
                { "1000", PASSWD, GROUP_WITH_ROOT, { NULL }, 0, 1000, 1000, "0" },
                { "1000:1000", PASSWD, GROUP_WITH_ROOT, { NULL }, 0, 1000, 1000, "" },   /* explicit: no supplementary */
                { "1000:", PASSWD, GROUP, { NULL }, 0, 1000, 1000, "50" },
                /* a bare UID with no entry: group 0 */
                { "1001", PASSWD, GROUP, { NULL }, 0, 1001, 0, "" },
                { "1000", NULL, GROUP, { NULL }, 0, 1000, 0, "" },
                { "1000", "", "", { NULL }, 0, 1000, 0, "" },
                { "1000", "root:x:0:0::/:/bin/sh\n", NULL, { NULL }, 0, 1000, 0, "" },
                /* first match wins */
                { "0", PASSWD, GROUP, { NULL }, 0, 0, 0, "" },
                { "toor", PASSWD, GROUP, { NULL }, 0, 0, 5, "0,27" },
                /* names */
                { "arandu-user", PASSWD, GROUP, { NULL }, 0, 1000, 1000, "50" },
                { "spaced", PASSWD, GROUP, { NULL }, 0, 1002, 1002, "" },
                { "nogroup", PASSWD, GROUP, { NULL }, 0, 1000, 0, "" },        /* matched by name: its own entry, gid 0 */
                { "nosuch", PASSWD, GROUP, { NULL }, -ENOENT, 0, 0, "" },
                { "arandu-user", NULL, GROUP, { NULL }, -ENOENT, 0, 0, "" },
                /* text and overflow in numeric fields read as Go's Atoi with the error ignored */
                { "junk", PASSWD, GROUP, { NULL }, 0, 0, 1000, "" },
                { "big", PASSWD, GROUP, { NULL }, 0, INT64_MAX, 1, "" },
                /* group names */
                { "1000:staff", PASSWD, GROUP, { NULL }, 0, 1000, 50, "" },
                { "1000:wheel", PASSWD, GROUP, { NULL }, 0, 1000, 0, "" },
                { "1000:nosuch", PASSWD, GROUP, { NULL }, -ENOENT, 0, 0, "" },
                { "1000:comment", PASSWD, GROUP, { NULL }, -ENOENT, 0, 0, "" },   /* a comment line is no group */
                /* GroupAdd */
                { "1000:1000", PASSWD, GROUP, { "staff" }, 0, 1000, 1000, "50" },
                { "1000:1000", PASSWD, GROUP, { "wheel" }, 0, 1000, 1000, "0" },
                { "1000:1000", PASSWD, GROUP, { "777" }, 0, 1000, 1000, "777" },
                { "1000:1000", PASSWD, GROUP, { "nosuch" }, -ENOENT, 0, 0, "" },
                { "1000", PASSWD, GROUP, { "50", "staff" }, 0, 1000, 1000, "50" },
                /* a numeric entry matches a group of that name too; the first line that matches wins */
                { "1000:1000", PASSWD, "5:x:0:\nfive:x:5:\n", { "5" }, 0, 1000, 1000, "0" },
                { "1000:1000", PASSWD, "five:x:5:\n5:x:0:\n", { "5" }, 0, 1000, 1000, "5" },
                { "1000:1000", PASSWD, "g:x:05:\n", { "5" }, 0, 1000, 1000, "5" },   /* gid "05" is 5 to Atoi */
                { "1000:1000", PASSWD, "g:x:5:\n", { "05" }, 0, 1000, 1000, "5" },   /* no match: numeric as-is */
                { "1000:1000", PASSWD, NULL, { "5" }, 0, 1000, 1000, "5" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const struct id_case *c = &cases[i];
                struct identity_files f = { c->passwd, c->passwd ? strlen(c->passwd) : 0, c->group, c->group ? strlen(c->group) : 0 };
                size_t n = 0;
                while (n < 3 && c->add[n])
                        n++;
                struct identity id;
                char why[256] = "", g[256];
                int r = identity_resolve(c->spec, &f, c->add, n, &id, why, sizeof(why));
                groups_text(&id, g, sizeof(g));
                bool ok = r == c->rc && (r < 0 ? why[0] != '\0' : id.uid == c->uid && id.gid == c->gid && strcmp(g, c->groups) == 0);
                if (!ok)
                        fprintf(stderr, "\n  case %zu %s: rc %d (%s) uid %lld gid %lld groups [%s]\n", i, c->spec, r, why,
                                (long long) id.uid, (long long) id.gid, g);
                CU_ASSERT_TRUE(ok);
        }
}

static void test_long_lines(void)
{
        static char big[(64 << 10) + 64];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        struct identity_files f = { big, strlen(big), NULL, 0 };
        struct identity id;
        char why[256];
        CU_ASSERT_EQUAL(identity_resolve("1000", &f, NULL, 0, &id, why, sizeof(why)), -E2BIG);
        /* just under the limit is read */
        big[(64 << 10)] = '\0';
        f.passwd_len = strlen(big);
        CU_ASSERT_EQUAL(identity_resolve("1000", &f, NULL, 0, &id, why, sizeof(why)), 0);
}

static void test_needs_lookup(void)
{
        CU_ASSERT_FALSE(identity_needs_lookup("1000:1000", 0));
        CU_ASSERT_TRUE(identity_needs_lookup("1000:1000", 1));   /* GroupAdd "5" can name a group */
        CU_ASSERT_TRUE(identity_needs_lookup("1000", 0));
        CU_ASSERT_TRUE(identity_needs_lookup("1000:", 0));
        CU_ASSERT_TRUE(identity_needs_lookup("arandu-user", 0));
        CU_ASSERT_TRUE(identity_needs_lookup("1000:staff", 0));
        CU_ASSERT_TRUE(identity_needs_lookup("arandu-user:1000", 0));
}

static void expect_rule(const char *spec, const char *passwd, const char *group, bool allow, const char *mention)
{
        struct policy *p = policy_new_default();
        CU_ASSERT_FATAL(p != NULL);
        struct identity_files f = { passwd, passwd ? strlen(passwd) : 0, group, group ? strlen(group) : 0 };
        struct decision d;
        decision_init(&d);
        check_identity(p, "Config.User", spec, &f, NULL, 0, &d);
        decision_finish(&d);
        bool ok = d.allow == allow && (allow || decision_has(&d, "user")) && (!mention || tu_mentions(&d, mention));
        if (!ok)
                tu_dump(spec, &d);
        CU_ASSERT_TRUE(ok);
        policy_unref(p);
}

static void test_rule(void)
{
        expect_rule("1000", PASSWD, GROUP, true, NULL);
        expect_rule("1000:1000", PASSWD, GROUP_WITH_ROOT, true, NULL);
        expect_rule("1000", PASSWD, GROUP_WITH_ROOT, false, "supplementary group 0");
        expect_rule("1000", NULL, NULL, false, "gid 0");
        expect_rule("1000", "root:x:0:0::/:/bin/sh\n", GROUP, false, "a numeric UID:GID such as --user 1000:1000");
        expect_rule("arandu-user", PASSWD, GROUP, true, NULL);
        expect_rule("arandu-user", "arandu-user:x:0:0::/:/bin/sh\n", GROUP, false, "uid 0");
        expect_rule("arandu-user", "arandu-user:x:1001:1001::/:/bin/sh\n", GROUP, false, "not the policy's uid");
        expect_rule("nosuch", PASSWD, GROUP, false, "cannot be resolved");
        expect_rule("1000:wheel", PASSWD, GROUP, false, "gid 0");
}

/* A tar as dockerd's archive endpoint writes it: optional PAX header, then the file. */
static size_t tar_entry(char *buf, const char *name, char type, const char *data, size_t len)
{
        memset(buf, 0, 512);
        snprintf(buf, 100, "%s", name);
        snprintf(buf + 124, 12, "%011o", (unsigned) len);
        buf[156] = type;
        static const char magic[8] = { 'u', 's', 't', 'a', 'r', '\0', '0', '0' };
        memcpy(buf + 257, magic, sizeof(magic));
        memcpy(buf + 512, data, len);
        size_t padded = (len + 511) / 512 * 512;
        memset(buf + 512 + len, 0, padded - len);
        return 512 + padded;
}

static void test_tar(void)
{
        static char tar[8192];
        const char *data;
        size_t len, n;
        char why[160];

        n = tar_entry(tar, "passwd", '0', "root:x:0:0\n", 11);
        memset(tar + n, 0, 1024);
        CU_ASSERT_EQUAL(identity_tar_file(tar, n + 1024, &data, &len, why, sizeof(why)), 0);
        CU_ASSERT_TRUE(len == 11 && memcmp(data, "root:x:0:0\n", 11) == 0);

        n = tar_entry(tar, "././@PaxHeader", 'x', "30 mtime=1.000000000000000000\n", 30);
        n += tar_entry(tar + n, "group", '0', "g:x:1:\n", 7);
        CU_ASSERT_EQUAL(identity_tar_file(tar, n, &data, &len, why, sizeof(why)), 0);
        CU_ASSERT_TRUE(len == 7 && memcmp(data, "g:x:1:\n", 7) == 0);

        n = tar_entry(tar, "passwd", '2', "", 0);
        CU_ASSERT_EQUAL(identity_tar_file(tar, n, &data, &len, why, sizeof(why)), -EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a regular file"));

        n = tar_entry(tar, "passwd", '0', "root:x:0:0\n", 11);
        CU_ASSERT_EQUAL(identity_tar_file(tar, 600, &data, &len, why, sizeof(why)), 0);   /* data within bounds */
        CU_ASSERT_EQUAL(identity_tar_file(tar, 520, &data, &len, why, sizeof(why)), -EINVAL);   /* cut short */
        CU_ASSERT_EQUAL(identity_tar_file(tar, 100, &data, &len, why, sizeof(why)), -EINVAL);
        tar[257] = 'n';   /* no "ustar" magic */
        CU_ASSERT_EQUAL(identity_tar_file(tar, n, &data, &len, why, sizeof(why)), -EINVAL);
        tar_entry(tar, "passwd", '0', "x", 1);
        tar[124] = (char) 0x80;   /* base-256 size */
        CU_ASSERT_EQUAL(identity_tar_file(tar, n, &data, &len, why, sizeof(why)), -EINVAL);
}

static const struct cu_test TESTS[] = {
        { "resolve as dockerd does", test_resolve },
        { "lines dockerd refuses", test_long_lines },
        { "which specs need the files", test_needs_lookup },
        { "the rule on the result", test_rule },
        { "one file out of an archive tar", test_tar },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "identity", TESTS },
};

CU_MAIN(SUITES)
