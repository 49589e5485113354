/* Real clients as their users write them: the seed's executor and every violation through docker-py
 * (Debian 12's and a current one), and a compliant service and its violations through docker-compose
 * v1 (Debian 12's) and v2 (a current one).  One Python program per kind of client, in
 * tests/e2e/clients/ and installed beside the e2e binary, prints one line per case; each line
 * becomes one result here.
 *
 * The current clients come from the engine's own root (an unpacked Debian 13 or unstable tree), or,
 * on the system's engine, from E2E_CLIENTS (tests/engines/run.sh points it at the newest engine
 * fetched).  A missing client is a failure: a suite that cannot run has not passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/e2e/harness.h"
#include "tests/e2e/tests.h"

static struct cmd_res *R;
static char scripts[4200];      /* the directory of the client programs */
static char current[4200];      /* the root holding the current docker-py and compose v2 */

static bool find_paths(void)
{
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0)
                return false;
        self[n] = '\0';
        *strrchr(self, '/') = '\0';
        snprintf(scripts, sizeof(scripts), "%s/clients", self);
        const char *root = E.engine[0] ? E.engine : getenv("E2E_CLIENTS");
        snprintf(current, sizeof(current), "%s", root ? root : "");
        return true;
}

/* Run one client program and turn each of its lines into a result: "ok CASE detail", "fail CASE
 * why", "miss CASE why" (a violation let through), "known CASE why" (a documented incompatibility:
 * recorded, not a pass), "version V".  A violation ("deny ..." case) counts as an attack, blocked
 * when ok and missed when let through; one that was refused with a message that does not teach
 * the fix fails as ordinary work. */
static void run_client(const char *label, const char *const *argv, int timeout_s)
{
        char version[128] = "?";
        int cases = 0, failures = 0;

        run_cmd(R, timeout_s, argv);
        for (char *line = R->out, *nl; line && *line; line = nl) {
                nl = strchr(line, '\n');
                if (nl)
                        *nl++ = '\0';
                char *rest = strchr(line, ' ');
                if (!rest)
                        continue;
                *rest++ = '\0';
                if (strcmp(line, "version") == 0) {
                        snprintf(version, sizeof(version), "%.120s", rest);
                        continue;
                }
                cases++;
                bool violation = strncmp(rest, "deny ", 5) == 0;
                if (strcmp(line, "known") == 0)
                        e2e_skip("%s %s: known incompatibility: %.500s", label, version, rest);
                else if (strcmp(line, "ok") == 0)
                        e2e_result(violation ? K_ATTACK : K_ORDINARY, true, "%s %s: %.500s", label, version, rest);
                else if (strcmp(line, "miss") == 0)
                        e2e_result(K_ATTACK, false, "%s %s: %.500s", label, version, rest), failures++;
                else
                        e2e_result(K_ORDINARY, false, "%s %s: %.500s", label, version, rest), failures++;
        }
        if (cases == 0 || (R->status != 0 && failures == 0))
                e2e_result(K_ORDINARY, false, "%s %s: the program ran to its end (exit %d): %.400s", label, version,
                           R->status, R->err);
}

static void dockerpy(const char *phase)
{
        char script[4300], dist[4300], path[4400];
        snprintf(script, sizeof(script), "%s/dockerpy_suite.py", scripts);
        /* Debian 12's docker-py: the system's dist-packages; the current one first on the path */
        const char *sys_argv[] = { "/usr/bin/env", "PYTHONPATH=", "/usr/bin/python3", script, phase, "bb", NULL };
        run_client("docker-py (Debian 12)", sys_argv, 600);
        snprintf(dist, sizeof(dist), "%s/usr/lib/python3/dist-packages", current);
        snprintf(path, sizeof(path), "PYTHONPATH=%s", dist);
        if (!current[0] || access(dist, F_OK) != 0) {
                e2e_result(K_ORDINARY, false, "a current docker-py: none in '%s' (set E2E_CLIENTS to an unpacked engine, "
                           "tests/engines/fetch.sh)", current);
                return;
        }
        const char *cur_argv[] = { "/usr/bin/env", path, "/usr/bin/python3", script, phase, "bb", NULL };
        run_client("docker-py (current)", cur_argv, 600);
}

static void test_dockerpy_jobs(void)
{
        dockerpy("jobs");
}

static void test_dockerpy_names(void)
{
        const char *policy = e2e_policy_file("names", "{\"accept_user_name\": true}");
        if (!e2e_restart_plugin(policy))
                return;
        dockerpy("names");
        e2e_restart_plugin(NULL);
}

/* A container created while a rule only warned, started under the default policy. */
static void test_dockerpy_second_look(void)
{
        const char *policy = e2e_policy_file("loose", "{\"rule_actions\": {\"memory\": \"warn\"}}");
        if (!e2e_restart_plugin(policy))
                return;
        dockerpy("loose");
        if (!e2e_restart_plugin(NULL))
                return;
        dockerpy("strict");
}

/* The engine's major version, for the incompatibilities that depend on it. */
static int engine_major(void)
{
        json_t *v = http_get_json("/version");
        const char *s = json_string_value(json_object_get(v, "Version"));
        int major = s ? (int) strtol(s, NULL, 10) : 0;
        json_decref(v);
        return major;
}

static void compose(const char *label, const char *const *command)
{
        char script[4300], work[200], major[16], cli[4300];
        const char *argv[16];
        size_t n = 0;

        snprintf(script, sizeof(script), "%s/compose_suite.py", scripts);
        snprintf(work, sizeof(work), "%s/%s", E.t, label);
        snprintf(major, sizeof(major), "%d", engine_major());
        snprintf(cli, sizeof(cli), "E2E_DOCKER_CLI=%s", E.clis[0]);
        argv[n++] = "/usr/bin/env";
        argv[n++] = cli;
        argv[n++] = "/usr/bin/python3";
        argv[n++] = script;
        argv[n++] = work;
        argv[n++] = major;
        for (size_t i = 0; command[i] && n < 15; i++)
                argv[n++] = command[i];
        argv[n] = NULL;
        run_client(label, argv, 900);
}

static void test_compose_v1(void)
{
        static const char *const v1[] = { "/usr/bin/docker-compose", NULL };
        if (access(v1[0], X_OK) != 0) {
                e2e_result(K_ORDINARY, false, "docker-compose v1: %s is not installed (Debian 12's docker-compose)", v1[0]);
                return;
        }
        compose("compose-v1", v1);
}

/* compose v2 as its users run it: `docker compose`, the plugin in the CLI's plugin directory. */
static void test_compose_v2(void)
{
        char plugin[4300], dir[200], link[300];
        snprintf(plugin, sizeof(plugin), "%s/usr/libexec/docker/cli-plugins/docker-compose", current);
        if (!current[0] || access(plugin, X_OK) != 0) {
                e2e_result(K_ORDINARY, false, "docker compose v2: none in '%s' (set E2E_CLIENTS to an unpacked engine)",
                           current);
                return;
        }
        snprintf(dir, sizeof(dir), "%s/cli-plugins", getenv("DOCKER_CONFIG"));
        snprintf(link, sizeof(link), "%s/docker-compose", dir);
        (void) mkdir(dir, 0700);
        (void) unlink(link);
        if (symlink(plugin, link) != 0) {
                e2e_result(K_ORDINARY, false, "docker compose v2: install the plugin link %s", link);
                return;
        }
        const char *const v2[] = { E.clis[0], "compose", NULL };
        compose("compose-v2", v2);
}

void add_client_tests(CU_pSuite s)
{
        R = malloc(sizeof(*R));
        if (!R || !find_paths()) {
                e2e_result(K_OTHER, false, "the client suite: memory, or where the e2e binary is");
                return;
        }
        CU_add_test(s, "docker-py: the executor's jobs, the calls around them, every violation", test_dockerpy_jobs);
        CU_add_test(s, "docker-py: a job as a user name with accept_user_name", test_dockerpy_names);
        CU_add_test(s, "docker-py: a start refused by the second look", test_dockerpy_second_look);
        CU_add_test(s, "docker-compose v1", test_compose_v1);
        CU_add_test(s, "docker compose v2", test_compose_v2);
}
