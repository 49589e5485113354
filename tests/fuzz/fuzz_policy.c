/* libFuzzer target: policy loading.  The input is a policy file, optionally followed by a line
 * "--env--" and NAME=VALUE lines that the environment lookup answers (nothing else is set).  The
 * file is served from a memfd through /proc/self/fd, so policy_load reads it exactly as it reads a
 * file on disk.  A loaded policy must be safe: every hard limit of DESIGN.md holds. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#define ENV_MAX 16

static int memfd = -1;
static char memfd_path[64];
static size_t n_env;
static char env_name[ENV_MAX][64];
static const char *env_value[ENV_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void) argc;
        (void) argv;
        gojson_init();
        memfd = memfd_create("arandu-fuzz-policy", MFD_CLOEXEC);
        FUZZ_CHECK(memfd >= 0);
        snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
        return 0;
}

static const char *fuzz_env(const char *name)
{
        for (size_t i = 0; i < n_env; i++)
                if (strcmp(env_name[i], name) == 0)
                        return env_value[i];
        return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char sep[] = "\n--env--\n";
        char *in = fuzz_strndup(data, size);
        size_t file_len = size;
        char *envs = NULL;

        if (memfd < 0)
                LLVMFuzzerInitialize(NULL, NULL);
        n_env = 0;
        char *s = memmem(in, size, sep, sizeof(sep) - 1);
        if (s) {
                file_len = (size_t) (s - in);
                envs = s + sizeof(sep) - 1;
        }
        for (char *line = envs, *next; line && *line && n_env < ENV_MAX; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                char *eq = strchr(line, '=');
                if (!eq || (size_t) (eq - line) >= sizeof(env_name[0]))
                        continue;
                memcpy(env_name[n_env], line, (size_t) (eq - line));
                env_name[n_env][eq - line] = '\0';
                env_value[n_env++] = eq + 1;
        }

        FUZZ_CHECK(ftruncate(memfd, 0) == 0);
        FUZZ_CHECK(pwrite(memfd, in, file_len, 0) == (ssize_t) file_len);

        struct policy *p = NULL;
        struct policy_problems problems;
        int r = policy_load(file_len ? memfd_path : NULL, fuzz_env, &p, &problems);
        FUZZ_CHECK(problems.n_errors <= POLICY_PROBLEMS_MAX && problems.n_warnings <= POLICY_PROBLEMS_MAX);
        if (r < 0) {
                FUZZ_CHECK(p == NULL);
                FUZZ_CHECK(problems.n_errors > 0 || r == -ENOMEM);
        } else {
                /* The fail-fast rules of DESIGN.md: nothing unsafe gets through. */
                FUZZ_CHECK(p != NULL && p->refs == 1);
                FUZZ_CHECK(problems.n_errors == 0);
                FUZZ_CHECK(p->uid != 0 && p->user[0] != '\0' && strcmp(p->user, "root") != 0);
                FUZZ_CHECK(p->cpu_limit_nano > 0 && p->memory_limit > 0 && p->pids_limit >= 0);
                FUZZ_CHECK(p->network == NETWORK_NONE || p->network == NETWORK_BRIDGE);
                FUZZ_CHECK(p->repos_dir[0] == '/' && p->artifacts_dir[0] == '/');
                FUZZ_CHECK(strcmp(p->repos_dir, p->artifacts_dir) != 0);
                FUZZ_CHECK(strncmp(p->docker_host, "unix://", 7) == 0);
                FUZZ_CHECK(p->n_tmpfs_targets <= POLICY_MAX_LIST && p->n_cap_add <= POLICY_MAX_LIST &&
                           p->n_domains <= POLICY_MAX_LIST);
                for (size_t i = 0; i < p->n_tmpfs_targets; i++)
                        FUZZ_CHECK(p->tmpfs_targets[i][0] == '/');
                FILE *devnull = fopen("/dev/null", "we");
                FUZZ_CHECK(devnull != NULL);
                FUZZ_CHECK(policy_print(p, devnull) == 0);
                fclose(devnull);
                policy_unref(p);
        }
        free(in);
        return 0;
}
