/* Unit tests for policy/paths: Go's path.Clean, ".." detection, containment, and bind-source checks
 * against real directory trees with symlinks (created under $TMPDIR, removed at exit). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/paths.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

/* --- path_clean: Go's path.Clean test table, plus rooted climbs ------------------------------- */

struct clean_case {
        const char *in;
        const char *out;
};

static const struct clean_case clean_cases[] = {
        /* already clean */
        { "", "." },
        { "abc", "abc" },
        { "abc/def", "abc/def" },
        { "a/b/c", "a/b/c" },
        { ".", "." },
        { "..", ".." },
        { "../..", "../.." },
        { "../../abc", "../../abc" },
        { "/abc", "/abc" },
        { "/", "/" },
        /* remove trailing slash */
        { "abc/", "abc" },
        { "abc/def/", "abc/def" },
        { "a/b/c/", "a/b/c" },
        { "./", "." },
        { "../", ".." },
        { "../../", "../.." },
        { "/abc/", "/abc" },
        /* remove doubled slash */
        { "abc//def//ghi", "abc/def/ghi" },
        { "//abc", "/abc" },
        { "///abc", "/abc" },
        { "//abc//", "/abc" },
        { "abc//", "abc" },
        /* remove . elements */
        { "abc/./def", "abc/def" },
        { "/./abc/def", "/abc/def" },
        { "abc/.", "abc" },
        /* remove .. elements */
        { "abc/def/ghi/../jkl", "abc/def/jkl" },
        { "abc/def/../ghi/../jkl", "abc/jkl" },
        { "abc/def/..", "abc" },
        { "abc/def/../..", "." },
        { "/abc/def/../..", "/" },
        { "abc/def/../../..", ".." },
        { "/abc/def/../../..", "/" },
        { "abc/def/../../../ghi/jkl/../../../mno", "../../mno" },
        /* combinations */
        { "abc/./../def", "def" },
        { "abc//./../def", "def" },
        { "abc/../../././../def", "../../def" },
        /* rooted paths never climb above / */
        { "/..", "/" },
        { "/../..", "/" },
        { "/../abc", "/abc" },
        { "/abc/../../def", "/def" },
        { "/srv/arandu/repos/../../../etc", "/etc" },
        { "/srv/arandu/repos/demo/", "/srv/arandu/repos/demo" },
        { "/srv//arandu/./repos/demo/.", "/srv/arandu/repos/demo" },
        /* names that only look like dots */
        { "...", "..." },
        { "/.../a", "/.../a" },
        { "a/..b/c", "a/..b/c" },
        { "a/b../c", "a/b../c" },
        { "/.a/.b", "/.a/.b" },
};

static void test_clean_table(void)
{
        for (size_t i = 0; i < sizeof(clean_cases) / sizeof(clean_cases[0]); i++) {
                char buf[256];
                int r = path_clean(clean_cases[i].in, buf, sizeof(buf));
                bool ok = r >= 0 && strcmp(buf, clean_cases[i].out) == 0 && (size_t) r == strlen(buf);
                if (!ok)
                        fprintf(stderr, "\n  clean(\"%s\") = %d \"%s\", want \"%s\"\n", clean_cases[i].in, r,
                                r >= 0 ? buf : "", clean_cases[i].out);
                CU_ASSERT_TRUE(ok);
                /* Clean is idempotent. */
                if (ok) {
                        char again[256];
                        CU_ASSERT_TRUE(path_clean(buf, again, sizeof(again)) >= 0 && strcmp(again, buf) == 0);
                }
        }
}

static void test_clean_bounds(void)
{
        char buf[16];
        /* exactly fits: 4 characters and the NUL */
        CU_ASSERT_EQUAL(path_clean("/abc", buf, 5), 4);
        CU_ASSERT_STRING_EQUAL(buf, "/abc");
        CU_ASSERT_EQUAL(path_clean("/abc", buf, 4), -E2BIG);
        CU_ASSERT_EQUAL(path_clean("abc", buf, 4), 3);
        CU_ASSERT_EQUAL(path_clean("abc", buf, 3), -E2BIG);
        CU_ASSERT_EQUAL(path_clean("/a/b", buf, 5), 4);
        CU_ASSERT_EQUAL(path_clean("/a/b", buf, 4), -E2BIG);
        CU_ASSERT_EQUAL(path_clean("a/b", buf, 3), -E2BIG);
        CU_ASSERT_EQUAL(path_clean("../..", buf, 6), 5);
        CU_ASSERT_EQUAL(path_clean("../..", buf, 5), -E2BIG);
        /* the input may be longer than the output buffer when cleaning shortens it */
        CU_ASSERT_EQUAL(path_clean("/a/./././././././b/", buf, 5), 4);
        CU_ASSERT_STRING_EQUAL(buf, "/a/b");
        CU_ASSERT_EQUAL(path_clean("", buf, 2), 1);
        CU_ASSERT_STRING_EQUAL(buf, ".");
        CU_ASSERT_EQUAL(path_clean("/", buf, 2), 1);
        CU_ASSERT_EQUAL(path_clean("/", buf, 1), -E2BIG);
        CU_ASSERT_EQUAL(path_clean("/", buf, 0), -E2BIG);
}

/* --- path_clean_flags: ".." refused (the policy's directories) ------------------------------- */

static void test_clean_refuse_dotdot(void)
{
        static const struct clean_case ok[] = {
                { "/", "/" },
                { "//", "/" },
                { "///", "/" },
                { "/./", "/" },
                { "/srv/a/", "/srv/a" },
                { "//srv//a//", "/srv/a" },
                { "/srv/./a/.", "/srv/a" },
                { "/srv/...", "/srv/..." },
                { "/srv/..a", "/srv/..a" },
                { "/srv/a..", "/srv/a.." },
                { "a/b/", "a/b" },
        };
        static const char *const dotdot[] = { "/..", "/../", "/srv/..", "/srv/../", "/srv/../etc",
                                              "//srv//..//etc", "/srv/./../a", "..", "a/..", "../a" };
        char buf[64];

        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                int r = path_clean_flags(ok[i].in, PATH_CLEAN_REFUSE_DOTDOT, buf, sizeof(buf));
                CU_ASSERT_EQUAL(r, (int) strlen(ok[i].out));
                CU_ASSERT_STRING_EQUAL(r >= 0 ? buf : "", ok[i].out);
                /* without a "..", the same as path_clean */
                char plain[64];
                CU_ASSERT_EQUAL(path_clean(ok[i].in, plain, sizeof(plain)), r);
                CU_ASSERT_STRING_EQUAL(plain, buf);
        }
        for (size_t i = 0; i < sizeof(dotdot) / sizeof(dotdot[0]); i++) {
                if (path_clean_flags(dotdot[i], PATH_CLEAN_REFUSE_DOTDOT, buf, sizeof(buf)) != -EINVAL)
                        fprintf(stderr, "\n  clean_flags(\"%s\") should refuse\n", dotdot[i]);
                CU_ASSERT_EQUAL(path_clean_flags(dotdot[i], PATH_CLEAN_REFUSE_DOTDOT, buf, sizeof(buf)), -EINVAL);
        }
        /* the first segment that fails decides: ".." before the overflow, or the overflow first */
        CU_ASSERT_EQUAL(path_clean_flags("/a/../bcdefgh", PATH_CLEAN_REFUSE_DOTDOT, buf, 6), -EINVAL);
        CU_ASSERT_EQUAL(path_clean_flags("/bcdefgh/..", PATH_CLEAN_REFUSE_DOTDOT, buf, 6), -E2BIG);
        CU_ASSERT_EQUAL(path_clean_flags("/bcde/..", PATH_CLEAN_REFUSE_DOTDOT, buf, 6), -EINVAL);
        CU_ASSERT_EQUAL(path_clean_flags("/bcdef/..", PATH_CLEAN_REFUSE_DOTDOT, buf, 6), -E2BIG);
}

/* --- path_clean at PATH_MAX: both sides of the bound, in a PATH_MAX buffer --------------------- */

static void test_clean_path_max(void)
{
        static char in[PATH_MAX + 8], buf[PATH_MAX];
        static const unsigned flags[] = { 0, PATH_CLEAN_REFUSE_DOTDOT };

        for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
                /* PATH_MAX - 1 bytes: fits with its NUL */
                memset(in, 'a', PATH_MAX - 1);
                in[0] = '/';
                in[PATH_MAX - 1] = '\0';
                CU_ASSERT_EQUAL(path_clean_flags(in, flags[f], buf, sizeof(buf)), PATH_MAX - 1);
                CU_ASSERT_EQUAL(memcmp(buf, in, PATH_MAX), 0);
                /* PATH_MAX bytes: one too many */
                memset(in, 'a', PATH_MAX);
                in[0] = '/';
                in[PATH_MAX] = '\0';
                CU_ASSERT_EQUAL(path_clean_flags(in, flags[f], buf, sizeof(buf)), -E2BIG);
                /* as many, the last a trailing slash: cleaned to PATH_MAX - 1, fits */
                in[PATH_MAX - 1] = '/';
                CU_ASSERT_EQUAL(path_clean_flags(in, flags[f], buf, sizeof(buf)), PATH_MAX - 1);
                CU_ASSERT_EQUAL(buf[PATH_MAX - 2], 'a');
                /* PATH_MAX bytes with a doubled slash in front: PATH_MAX - 1 once clean */
                memset(in, 'a', PATH_MAX);
                in[0] = '/';
                in[1] = '/';
                in[PATH_MAX] = '\0';
                CU_ASSERT_EQUAL(path_clean_flags(in, flags[f], buf, sizeof(buf)), PATH_MAX - 1);
                /* two segments, PATH_MAX - 1 bytes in all: fits; one byte more: does not */
                memset(in, 'a', PATH_MAX);
                in[0] = '/';
                in[PATH_MAX - 3] = '/';
                in[PATH_MAX - 1] = '\0';
                CU_ASSERT_EQUAL(path_clean_flags(in, flags[f], buf, sizeof(buf)), PATH_MAX - 1);
                in[PATH_MAX - 1] = 'a';
                in[PATH_MAX] = '\0';
                CU_ASSERT_EQUAL(path_clean_flags(in, flags[f], buf, sizeof(buf)), -E2BIG);
        }
        /* ".." resolved: an input over PATH_MAX can clean to a short path, as long as each
         * segment fit when it was written */
        memset(in, 'b', PATH_MAX + 3);
        in[0] = '/';
        memcpy(in + PATH_MAX - 9, "/../cccccccc", 12);
        in[PATH_MAX + 3] = '\0';
        CU_ASSERT_EQUAL(path_clean(in, buf, sizeof(buf)), 9);
        CU_ASSERT_STRING_EQUAL(buf, "/cccccccc");
        CU_ASSERT_EQUAL(path_clean_flags(in, PATH_CLEAN_REFUSE_DOTDOT, buf, sizeof(buf)), -EINVAL);
        memset(in, 'b', PATH_MAX + 4);
        in[0] = '/';
        memcpy(in + PATH_MAX, "/../", 4);
        in[PATH_MAX + 4] = '\0';
        CU_ASSERT_EQUAL(path_clean(in, buf, sizeof(buf)), -E2BIG);   /* the segment itself never fit */
}

/* --- path_has_dotdot ------------------------------------------------------------------------- */

static void test_dotdot(void)
{
        static const char *const yes[] = { "..", "/..", "../", "a/..", "../a", "a/../b", "/a/b/..", "a//..",
                                          "/srv/arandu/repos/../etc", "/a/../" };
        static const char *const no[] = { "", ".", "/", "...", "..a", "a..", "/a/b", "a/.b", "/a/.../b",
                                         "/srv/arandu/repos/demo", "/a/..b", "/a/b../c", "/./a" };
        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
                if (!path_has_dotdot(yes[i]))
                        fprintf(stderr, "\n  has_dotdot(\"%s\") should be true\n", yes[i]);
                CU_ASSERT_TRUE(path_has_dotdot(yes[i]));
        }
        for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
                if (path_has_dotdot(no[i]))
                        fprintf(stderr, "\n  has_dotdot(\"%s\") should be false\n", no[i]);
                CU_ASSERT_FALSE(path_has_dotdot(no[i]));
        }
}

/* --- path_strictly_inside -------------------------------------------------------------------- */

struct inside_case {
        const char *path, *root;
        bool inside;
};

static const struct inside_case inside_cases[] = {
        { "/repos/a", "/repos", true },
        { "/repos/a/b", "/repos", true },
        { "/repos/.a", "/repos", true },
        { "/repos", "/repos", false },          /* the root itself is not inside */
        { "/reposX", "/repos", false },         /* a sibling sharing the prefix */
        { "/reposX/a", "/repos", false },
        { "/repo", "/repos", false },
        { "/repo/s", "/repos", false },
        { "/", "/repos", false },
        { "/other/repos/a", "/repos", false },
        { "/x", "/", true },
        { "/x/y", "/", true },
        { "/", "/", false },
        { "/srv/arandu/repos/demo", "/srv/arandu/repos", true },
        { "/srv/arandu/repository", "/srv/arandu/repos", false },
        { "/srv/arandu/artifacts/demo", "/srv/arandu/repos", false },
        /* a prefix that is not a parent, both ways */
        { "/srv/ab", "/srv/a", false },
        { "/srv/a", "/srv/ab", false },
        { "/srv/ab/c", "/srv/a", false },
        { "/srv/a-b", "/srv/a", false },          /* '-' and '.' sort before '/' */
        { "/srv/a.b", "/srv/a", false },
        { "/srv/a/b", "/srv/a", true },
        { "/srv/a/b/c", "/srv/a", true },
        { "/srv", "/srv/a", false },              /* the parent is not inside */
        { "/srv/a", "/", true },
};

/* Containment at PATH_MAX: a root of PATH_MAX - 3 bytes and its child "/x" (PATH_MAX - 1). */
static void test_inside_path_max(void)
{
        static char root[PATH_MAX], path[PATH_MAX];

        memset(root, 'r', PATH_MAX - 3);
        root[0] = '/';
        root[PATH_MAX - 3] = '\0';
        memcpy(path, root, PATH_MAX - 3);
        memcpy(path + PATH_MAX - 3, "/x", 3);
        CU_ASSERT_TRUE(path_strictly_inside(path, root));
        path[PATH_MAX - 3] = 'x';                  /* root + "xx": a sibling */
        CU_ASSERT_FALSE(path_strictly_inside(path, root));
        path[PATH_MAX - 3] = '\0';                 /* the root itself */
        CU_ASSERT_FALSE(path_strictly_inside(path, root));
        path[PATH_MAX - 4] = '\0';                 /* one byte short of it */
        CU_ASSERT_FALSE(path_strictly_inside(path, root));
}

static void test_inside(void)
{
        for (size_t i = 0; i < sizeof(inside_cases) / sizeof(inside_cases[0]); i++) {
                const struct inside_case *c = &inside_cases[i];
                bool got = path_strictly_inside(c->path, c->root);
                if (got != c->inside)
                        fprintf(stderr, "\n  inside(\"%s\", \"%s\") = %d\n", c->path, c->root, got);
                CU_ASSERT_EQUAL(got, c->inside);
        }
}

/* --- real trees ------------------------------------------------------------------------------ */

static char base[PATH_MAX];   /* as created */
static char rbase[PATH_MAX];  /* with its own symlinks (e.g. $TMPDIR) resolved */

static void cleanup(void)
{
        tu_rm_rf(base);
}

/* base/
 *   repos/            the root
 *     demo/           a checkout
 *     demo/esc -> /etc
 *     file            a regular file
 *     in -> BASE/repos/demo        (absolute, inside)
 *     rel -> demo                  (relative, inside)
 *     zig -> ../repos/demo         (leaves and comes back: inside)
 *     out -> BASE/other            (absolute, outside)
 *     outrel -> ../other           (relative, outside)
 *     up -> ..                     (the parent of the root)
 *     self -> .                    (the root itself)
 *     slash -> /
 *     dangling -> BASE/nonexistent
 *     danglingin -> BASE/repos/notyet  (dangling, even if it would land inside)
 *     loop -> loop
 *   reposX/  other/  reposlink -> repos  rootlink -> /  */
static void tree(void)
{
        char p[PATH_MAX], t[PATH_MAX];
        if (base[0])
                return;
        tu_mkdtemp(base, sizeof(base));
        atexit(cleanup);
        CU_ASSERT_FATAL(realpath(base, rbase) != NULL);

#define P(...) tu_path(p, sizeof(p), __VA_ARGS__)
#define T(...) tu_path(t, sizeof(t), __VA_ARGS__)
        P("%s/repos", base), tu_mkdir(p);
        P("%s/repos/demo", base), tu_mkdir(p);
        P("%s/repos/demo/esc", base), tu_symlink("/etc", p);
        P("%s/repos/file", base), tu_write_file(p, "x");
        P("%s/repos/in", base), T("%s/repos/demo", base), tu_symlink(t, p);
        P("%s/repos/rel", base), tu_symlink("demo", p);
        P("%s/repos/zig", base), tu_symlink("../repos/demo", p);
        P("%s/repos/out", base), T("%s/other", base), tu_symlink(t, p);
        P("%s/repos/outrel", base), tu_symlink("../other", p);
        P("%s/repos/up", base), tu_symlink("..", p);
        P("%s/repos/self", base), tu_symlink(".", p);
        P("%s/repos/slash", base), tu_symlink("/", p);
        P("%s/repos/dangling", base), T("%s/nonexistent", base), tu_symlink(t, p);
        P("%s/repos/danglingin", base), T("%s/repos/notyet", base), tu_symlink(t, p);
        P("%s/repos/loop", base), tu_symlink("loop", p);
        P("%s/reposX", base), tu_mkdir(p);
        P("%s/other", base), tu_mkdir(p);
        P("%s/reposlink", base), tu_symlink("repos", p);
        P("%s/rootlink", base), tu_symlink("/", p);
#undef P
#undef T
}

struct resolve_case {
        const char *path;     /* "$B" is the base as created */
        int rc;
        const char *out;      /* "$RB" is the resolved base */
};

static const struct resolve_case resolve_cases[] = {
        { "$B/repos/demo", 0, "$RB/repos/demo" },
        { "$B/repos", 0, "$RB/repos" },
        { "$B/repos/in", 0, "$RB/repos/demo" },
        { "$B/repos/rel", 0, "$RB/repos/demo" },
        { "$B/repos/in/x/y", 0, "$RB/repos/demo/x/y" },          /* link, then not-yet-existing */
        { "$B/repos/new", 0, "$RB/repos/new" },
        { "$B/repos/new/sub/dir", 0, "$RB/repos/new/sub/dir" },
        { "$B/repos/out", 0, "$RB/other" },
        { "$B/repos/out/new", 0, "$RB/other/new" },
        { "$B/repos/up/other", 0, "$RB/other" },
        { "$B/reposlink/demo", 0, "$RB/repos/demo" },
        { "$B/repos/slash", 0, "/" },
        { "$B/repos/slash/nonexistent-arandu-unit", 0, "/nonexistent-arandu-unit" },
        { "/", 0, "/" },
        { "/nonexistent-arandu-unit/a/b", 0, "/nonexistent-arandu-unit/a/b" },
        { "$B/repos/dangling", -ENOENT, NULL },
        { "$B/repos/dangling/x", -ENOENT, NULL },
        { "$B/repos/dangling/x/y", -ENOENT, NULL },             /* missing below a dangling link */
        { "$B/repos/file", 0, "$RB/repos/file" },
        { "$B/repos/loop/x/y", -ELOOP, NULL },
        { "$B/repos/danglingin", -ENOENT, NULL },
        { "$B/repos/loop", -ELOOP, NULL },
        { "$B/repos/loop/x", -ELOOP, NULL },
        { "$B/repos/file/x", -ENOTDIR, NULL },
        { "repos/demo", -EINVAL, NULL },
        { "", -EINVAL, NULL },
};

static void test_resolve(void)
{
        tree();
        struct tu_vars vars = { 2, { "$RB", "$B" }, { rbase, base } };
        for (size_t i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]); i++) {
                const struct resolve_case *c = &resolve_cases[i];
                char *in = tu_subst(c->path, &vars);
                char *want = c->out ? tu_subst(c->out, &vars) : NULL;
                char buf[PATH_MAX];
                int r = path_resolve(in, buf, sizeof(buf));
                bool ok = r == c->rc && (!want || strcmp(buf, want) == 0);
                if (!ok)
                        fprintf(stderr, "\n  resolve(\"%s\") = %d \"%s\", want %d \"%s\"\n", in, r, r == 0 ? buf : "",
                                c->rc, want ? want : "");
                CU_ASSERT_TRUE(ok);
                free(in);
                free(want);
        }
}

static void test_resolve_bounds(void)
{
        char buf[PATH_MAX], small[4], p[PATH_MAX];
        tree();
        tu_path(p, sizeof(p), "%s/repos/demo", base);
        CU_ASSERT_EQUAL(path_resolve(p, small, sizeof(small)), -E2BIG);
        CU_ASSERT_EQUAL(path_resolve("/", small, 2), 0);
        CU_ASSERT_STRING_EQUAL(small, "/");

        /* longer than PATH_MAX: refused, not truncated */
        char *huge = malloc(PATH_MAX + 16);
        CU_ASSERT_FATAL(huge != NULL);
        memset(huge, 'a', PATH_MAX + 15);
        huge[0] = '/';
        huge[PATH_MAX + 15] = '\0';
        CU_ASSERT_TRUE(path_resolve(huge, buf, sizeof(buf)) < 0);
        free(huge);
}

struct source_case {
        const char *src;
        const char *root;
        int rc;               /* 0 or the -errno */
        const char *why;      /* substring of the explanation */
};

static const struct source_case source_cases[] = {
        /* an existing directory directly inside the root */
        { "$B/repos/demo", "$B/repos", 0, NULL },
        { "$B/repos/demo/", "$B/repos", 0, NULL },
        { "$B/repos//demo", "$B/repos", 0, NULL },
        { "$B/repos/./demo", "$B/repos", 0, NULL },
        /* deeper: inside some job's tree, which that job can change */
        { "$B/repos/demo/sub", "$B/repos", -EPERM, "directly inside" },
        { "$B/repos/demo/esc", "$B/repos", -EPERM, "directly inside" },
        { "$B/repos/demo/esc/passwd", "$B/repos", -EPERM, "directly inside" },
        { "$B/repos/new/deeper/still", "$B/repos", -EPERM, "directly inside" },
        { "$B/repos/in/new", "$B/repos", -EPERM, "directly inside" },
        { "$B/repos/up/repos/demo", "$B/repos", -EPERM, "directly inside" },
        /* symlinks, wherever they lead */
        { "$B/repos/in", "$B/repos", -EPERM, "symlink" },
        { "$B/repos/rel", "$B/repos", -EPERM, "symlink" },
        { "$B/repos/zig", "$B/repos", -EPERM, "symlink" },
        { "$B/repos/out", "$B/repos", -EPERM, "symlink" },
        { "$B/repos/outrel", "$B/repos", -EPERM, "symlink" },
        { "$B/repos/up", "$B/repos", -EPERM, "symlink" },
        { "$B/repos/self", "$B/repos", -EPERM, "symlink" },
        { "$B/repos/slash", "$B/repos", -EPERM, "symlink" },
        { "$B/repos/dangling", "$B/repos", -EPERM, "symlink" },
        { "$B/repos/danglingin", "$B/repos", -EPERM, "symlink" },
        { "$B/repos/loop", "$B/repos", -EPERM, "symlink" },
        /* missing (dockerd would make it), not a directory */
        { "$B/repos/new", "$B/repos", -ENOENT, "does not exist" },
        { "$B/repos/file", "$B/repos", -ENOTDIR, "not a directory" },
        /* the root itself, siblings, outside */
        { "$B/repos", "$B/repos", -EPERM, "directly inside" },
        { "$B/repos/", "$B/repos", -EPERM, "directly inside" },
        { "$B/repos/.", "$B/repos", -EPERM, "directly inside" },
        { "$B/repos//", "$B/repos", -EPERM, "directly inside" },
        { "$B/reposX/a", "$B/repos", -EPERM, "directly inside" },
        { "$B/reposX", "$B/repos", -EPERM, "directly inside" },
        { "$B/other", "$B/repos", -EPERM, "directly inside" },
        { "$B", "$B/repos", -EPERM, "directly inside" },
        { "/", "$B/repos", -EPERM, "directly inside" },
        { "/etc", "$B/repos", -EPERM, "directly inside" },
        /* "..", relative */
        { "$B/repos/../other", "$B/repos", -EINVAL, "\"..\"" },
        { "$B/repos/demo/..", "$B/repos", -EINVAL, "\"..\"" },
        { "$B/repos/demo/../demo", "$B/repos", -EINVAL, "\"..\"" },
        { "$B/repos/..", "$B/repos", -EINVAL, "\"..\"" },
        { "repos/demo", "$B/repos", -EINVAL, "absolute" },
        { "./repos/demo", "$B/repos", -EINVAL, "absolute" },
        { "../repos/demo", "$B/repos", -EINVAL, "absolute" },
        { "", "$B/repos", -EINVAL, "absolute" },
        { "~/repos/demo", "$B/repos", -EINVAL, "absolute" },
        /* the root itself a symlink (the admin's choice): its children are looked at where it leads */
        { "$B/reposlink/demo", "$B/reposlink", 0, NULL },
        { "$B/reposlink/in", "$B/reposlink", -EPERM, "symlink" },
        { "$B/reposlink/new", "$B/reposlink", -ENOENT, NULL },
        { "$B/reposlink/out", "$B/reposlink", -EPERM, "symlink" },
        { "$B/reposlink", "$B/reposlink", -EPERM, "directly inside" },
        { "$B/repos/demo", "$B/reposlink", -EPERM, "directly inside" },   /* as written, not under the root */
        { "$B/reposlink/demo", "$B/repos", -EPERM, "directly inside" },
        /* a root that does not exist yet: nothing in it exists either */
        { "$B/notyet/demo", "$B/notyet", -ENOENT, NULL },
        { "$B/notyet", "$B/notyet", -EPERM, "directly inside" },
};

static void test_check_source(void)
{
        tree();
        struct tu_vars vars = { 1, { "$B" }, { base } };
        for (size_t i = 0; i < sizeof(source_cases) / sizeof(source_cases[0]); i++) {
                const struct source_case *c = &source_cases[i];
                char *src = tu_subst(c->src, &vars);
                char *root = tu_subst(c->root, &vars);
                char why[PATH_MAX + 128] = "";
                int r = path_check_source(src, root, why, sizeof(why));
                bool ok = r == c->rc;
                if (c->why)
                        ok = ok && strstr(why, c->why) != NULL;
                if (!ok)
                        fprintf(stderr, "\n  check_source(\"%s\", \"%s\") = %d (%s), want %d\n", src, root, r, why, c->rc);
                CU_ASSERT_TRUE(ok);
                free(src);
                free(root);
        }
}

static void test_check_source_why_bounded(void)
{
        char why[8];
        tree();
        CU_ASSERT_EQUAL(path_check_source("/etc", "/srv/arandu/repos", why, sizeof(why)), -EPERM);
        CU_ASSERT_TRUE(strlen(why) < sizeof(why));
        CU_ASSERT_EQUAL(path_check_source("relative", "/srv/arandu/repos", why, sizeof(why)), -EINVAL);
        CU_ASSERT_TRUE(strlen(why) < sizeof(why));
}

static const struct cu_test lexical_tests[] = {
        { "path_clean: Go's path.Clean table", test_clean_table },
        { "path_clean: buffer bounds", test_clean_bounds },
        { "path_has_dotdot", test_dotdot },
        { "path_clean_flags: \"..\" refused", test_clean_refuse_dotdot },
        { "path_clean: PATH_MAX", test_clean_path_max },
        { "path_strictly_inside: the root is not inside, nor /reposX", test_inside },
        { "path_strictly_inside: PATH_MAX", test_inside_path_max },
        { NULL, NULL },
};

static const struct cu_test tree_tests[] = {
        { "path_resolve: symlinks, missing tails, dangling links", test_resolve },
        { "path_resolve: bounds", test_resolve_bounds },
        { "path_check_source: existing direct children, no symlinks", test_check_source },
        { "path_check_source: bounded explanation", test_check_source_why_bounded },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "lexical", lexical_tests },
        { "tree", tree_tests },
};

CU_MAIN(SUITES)
