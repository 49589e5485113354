/* libFuzzer target: bind specs ("src:dst[:mode]", HostConfig.Binds) and their sources' containment.
 *
 * Each input line is one Binds entry of an otherwise compliant create body; "$R", "$A" and "$T" in
 * a line stand for the policy's repository root, artifacts root and the scratch directory that holds
 * both.  The scratch tree (made once, removed at exit) has what an attacker would plant:
 *   $R/demo/          a repository           $A/demo/        an artifacts dir
 *   $R/esc -> /etc    a symlink out           $R/loop -> loop a symlink loop
 *   $R/dangling -> $T/nowhere                 $R/up -> ..     back to $T
 *   $T/outside/       a directory beside the roots
 * Invariant: an allowed create has at most one bind per slot, every source strictly inside its
 * root after resolving symlinks, and /workspace read-only. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw */
#endif
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/eval.h"
#include "policy/paths.h"
#include "tests/fuzz/fuzz.h"

#define MAX_BINDS 8

static struct policy *policy;
static char scratch[PATH_MAX];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(path);
}

static void cleanup(void)
{
        if (scratch[0] == '/')
                nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* scratch/rel: a directory (target NULL) or a symlink to target ("%" at its start: scratch). */
static void mk(const char *rel, const char *target)
{
        char path[PATH_MAX], to[PATH_MAX];
        FUZZ_CHECK(snprintf(path, sizeof(path), "%s/%s", scratch, rel) < (int) sizeof(path));
        if (!target) {
                FUZZ_CHECK(mkdir(path, 0755) == 0);
                return;
        }
        if (target[0] == '%')
                FUZZ_CHECK(snprintf(to, sizeof(to), "%s%s", scratch, target + 1) < (int) sizeof(to));
        else
                snprintf(to, sizeof(to), "%s", target);
        FUZZ_CHECK(symlink(to, path) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        char tmp[PATH_MAX], repos[PATH_MAX], artifacts[PATH_MAX];
        const char *t = getenv("TMPDIR");

        (void) argc;
        (void) argv;
        gojson_init();
        if (!t || t[0] != '/' || !realpath(t, tmp))
                snprintf(tmp, sizeof(tmp), "/tmp");
        FUZZ_CHECK(snprintf(scratch, sizeof(scratch), "%s/arandu-fuzz-XXXXXX", strcmp(tmp, "/") == 0 ? "" : tmp) <
                   (int) sizeof(scratch));
        FUZZ_CHECK(mkdtemp(scratch) != NULL);
        atexit(cleanup);
        mk("repos", NULL);
        mk("artifacts", NULL);
        mk("outside", NULL);
        mk("repos/demo", NULL);
        mk("artifacts/demo", NULL);
        mk("repos/esc", "/etc");
        mk("repos/loop", "loop");
        mk("repos/dangling", "%/nowhere");
        mk("repos/up", "..");
        FUZZ_CHECK(snprintf(repos, sizeof(repos), "%s/repos", scratch) < (int) sizeof(repos));
        FUZZ_CHECK(snprintf(artifacts, sizeof(artifacts), "%s/artifacts", scratch) < (int) sizeof(artifacts));
        policy = fuzz_policy(repos, artifacts);
        return 0;
}

/* Line with $R/$A/$T expanded; false when it does not fit (the input is skipped). */
static bool expand(const char *in, size_t len, char *out, size_t size)
{
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                const char *sub = NULL;
                if (in[i] == '$' && i + 1 < len) {
                        if (in[i + 1] == 'R')
                                sub = policy->repos_dir;
                        else if (in[i + 1] == 'A')
                                sub = policy->artifacts_dir;
                        else if (in[i + 1] == 'T')
                                sub = scratch;
                }
                if (sub) {
                        size_t n = strlen(sub);
                        if (n >= size - o)
                                return false;
                        memcpy(out + o, sub, n);
                        o += n;
                        i++;
                        continue;
                }
                if (o + 1 >= size)
                        return false;
                out[o++] = in[i];
        }
        out[o] = '\0';
        return true;
}

/* The bind's source resolved, to check an allow independently of create.c. */
static bool inside_after_resolving(const char *src, const char *root)
{
        char clean[PATH_MAX], real[PATH_MAX];
        if (src[0] != '/' || path_has_dotdot(src) || path_clean(src, clean, sizeof(clean)) < 0)
                return false;
        if (path_resolve(clean, real, sizeof(real)) < 0)
                return false;
        return path_strictly_inside(clean, root) && path_strictly_inside(real, root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct decision d;
        static char specs[MAX_BINDS][2 * PATH_MAX];
        size_t n = 0, start = 0;

        for (size_t i = 0; i <= size && n < MAX_BINDS; i++) {
                if (i < size && data[i] != '\n')
                        continue;
                if (i == start) {   /* an empty line is no bind */
                        start = i + 1;
                        continue;
                }
                if (memchr(data + start, '\0', i - start))
                        return 0;   /* JSON strings may hold NUL, but jansson's C strings end there */
                if (!expand((const char *) data + start, i - start, specs[n], sizeof(specs[n])))
                        return 0;
                n++;
                start = i + 1;
        }

        json_t *body = json_pack("{s:s, s:s, s:s, s:{s:s, s:b, s:i, s:i}}", "User", "1000", "Image", "bb",
                                 "Hostname", "h", "HostConfig", "NetworkMode", "none", "ReadonlyRootfs", 1,
                                 "Memory", (json_int_t) 1 << 30, "NanoCpus", (json_int_t) 1000000000);
        json_t *binds = json_array();
        FUZZ_CHECK(body && binds);
        for (size_t i = 0; i < n; i++) {
                json_t *s = json_string(specs[i]);
                if (!s) {   /* not UTF-8: dockerd would not get such a body past encoding/json either */
                        json_decref(binds);
                        json_decref(body);
                        return 0;
                }
                FUZZ_CHECK(json_array_append_new(binds, s) == 0);
        }
        FUZZ_CHECK(json_object_set_new(json_object_get(body, "HostConfig"), "Binds", binds) == 0);

        decision_init(&d);
        eval_container_create(policy, body, &d);
        decision_finish(&d);
        fuzz_check_decision(&d);

        if (d.allow) {
                /* Judge the allowed binds again, the simple way: "src:dst[:mode]" with a known slot. */
                unsigned at[2] = { 0, 0 };
                for (size_t i = 0; i < n; i++) {
                        char *spec = specs[i], *c1 = strchr(spec, ':');
                        FUZZ_CHECK(c1 != NULL);
                        *c1 = '\0';
                        char *dst = c1 + 1, *c2 = strchr(dst, ':');
                        const char *mode = "";
                        if (c2) {
                                *c2 = '\0';
                                mode = c2 + 1;
                        }
                        char clean[PATH_MAX];
                        FUZZ_CHECK(path_clean(dst, clean, sizeof(clean)) >= 0);
                        bool ws = strcmp(clean, "/workspace") == 0;
                        FUZZ_CHECK(ws || strcmp(clean, "/artifacts") == 0);
                        FUZZ_CHECK(++at[ws ? 0 : 1] == 1);
                        FUZZ_CHECK(inside_after_resolving(spec, ws ? policy->repos_dir : policy->artifacts_dir));
                        if (ws)
                                FUZZ_CHECK(strstr(mode, "ro") != NULL);
                }
        }
        json_decref(body);
        return 0;
}
