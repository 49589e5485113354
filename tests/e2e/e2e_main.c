/* arandu-e2e: the adversarial end-to-end suite.
 *
 * Usage: arandu-e2e PLUGIN_BINARY      (as root; Debian's docker.io and busybox-static installed)
 *        E2E_ENGINE=ROOT arandu-e2e PLUGIN_BINARY   (an unpacked engine: tests/engines/engine.sh)
 *
 * Sets up a private dockerd with the plugin in its chain (harness.h), runs the CUnit suites (attacks,
 * ordinary work, the second look, fail-closed), tears everything down, checks that nothing was left,
 * and ends with exactly two lines:
 *   attacks: N blocked, M missed; ordinary: K passed, J failed; S skipped
 *   X passed, Y failed
 * Exit status 0 only when no attack was missed and nothing failed.  E2E_KEEP=1 keeps the temp dir. */
#include <CUnit/Basic.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/e2e/harness.h"
#include "tests/e2e/tests.h"

const char *OK_FLAGS[24];
int httpd_port;

static char ws_bind[200], art_bind[200];

/* What the attacks need: a running compliant helper container, a user network, a local HTTP server
 * (a `remote` build context on 127.0.0.1; nothing leaves this machine). */
static int fixtures(void)
{
        int n = 0;
        snprintf(ws_bind, sizeof(ws_bind), "%s/demo:/workspace:ro", E.repos);
        snprintf(art_bind, sizeof(art_bind), "%s/demo:/artifacts", E.arts);
        const char *f[] = { "--user", "1000", "--cpus", "1", "--memory", "1g", "--network", "none", "--read-only",
                            "--pids-limit", "512", "--security-opt", "no-new-privileges", "-v", ws_bind, "-v", art_bind, NULL };
        for (; f[n]; n++)
                OK_FLAGS[n] = f[n];
        OK_FLAGS[n] = NULL;

        struct cmd_res *r = malloc(sizeof(*r));
        if (!r)
                return -1;
        static const char *const detach[] = { "-d", NULL }, *const sleep_cmd[] = { "sleep", "3600", NULL };
        if (e2e_job(r, 60, &(struct e2e_job){ .verb = "run", .name = "e2e-helper", .extra = detach, .cmd = sleep_cmd }) != 0) {
                e2e_diag("the helper container did not start: %s", r->err);
                free(r);
                return -1;
        }
        snprintf(V_CID, sizeof(V_CID), "%.64s", r->out);

        snprintf(V_NET, sizeof(V_NET), "e2e-net");
        char body[300];
        snprintf(body, sizeof(body),
                 "{\"Name\":\"e2e-net\",\"Driver\":\"bridge\",\"Internal\":true,\"Options\":{\"com.docker.network.bridge.name\":\"%s\"}}",
                 E.bridge);
        struct http_res h;
        http("POST", E2E_API "/networks/create", NULL, body, strlen(body), 0, 60, &h);
        if (h.status != 201)
                e2e_diag("creating the user network failed (HTTP %ld): %.300s", h.status, h.body);
        http_free(&h);

        char www[200], cmd[600], addr[64];
        snprintf(www, sizeof(www), "%s/www", E.t);
        httpd_port = 20000 + (int) (getpid() % 20000);
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && printf 'FROM bb\\nRUN ls /sys/class/net\\n' > '%s/Dockerfile.txt'", www, www);
        const char *sh[] = { "/bin/sh", "-c", cmd, NULL };
        run_cmd(r, 30, sh);
        snprintf(addr, sizeof(addr), "127.0.0.1:%d", httpd_port);
        char bb[64] = "/bin/busybox";
        if (access(bb, X_OK) != 0)
                snprintf(bb, sizeof(bb), "/usr/bin/busybox");
        const char *hargv[] = { bb, "httpd", "-f", "-p", addr, "-h", www, NULL };
        E.helper_pid = e2e_spawn(hargv);
        free(r);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: %s PLUGIN_BINARY\n", argv[0]);
                printf("0 passed, 1 failed\n");
                return 2;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (CU_initialize_registry() != CUE_SUCCESS)
                return 2;
        curl_global_init(CURL_GLOBAL_ALL);
        printf("# arandu-e2e: adversarial end-to-end suite against a private dockerd\n");
        if (e2e_setup(argv[1]) < 0 || fixtures() < 0) {
                e2e_result(K_OTHER, false, "setup (plugin, private dockerd, image, fixtures)");
                e2e_teardown();
                int rc = e2e_summary();
                CU_cleanup_registry();
                return rc ? rc : 1;
        }
        printf("# temp dir %s, plugin name %s, dockerd %s, CLIs:", E.t, E.name, E.dockerd);
        for (int i = 0; i < E.n_clis; i++)
                printf(" %s", E.clis[i]);
        printf("\n");
        e2e_result(K_OTHER, true, "setup: plugin, private dockerd with --authorization-plugin=%s, image bb:latest imported", E.name);

        CU_pSuite a = CU_add_suite("attacks", NULL, NULL);
        CU_pSuite o = CU_add_suite("ordinary", NULL, NULL);
        CU_pSuite rc = CU_add_suite("recheck", NULL, NULL);
        CU_pSuite h = CU_add_suite("holds", NULL, NULL);
        CU_pSuite cl = CU_add_suite("clients", NULL, NULL);
        CU_pSuite fc = CU_add_suite("fail-closed", NULL, NULL);
        /* ARANDU_E2E_ONLY=holds, ordinary or clients: that suite alone (while working on it; `make test` runs all) */
        const char *only = getenv("ARANDU_E2E_ONLY");
        if (only && *only) {
                if (strcmp(only, "holds") == 0)
                        add_holds_tests(h);
                if (strcmp(only, "ordinary") == 0)
                        add_ordinary_tests(o);
                if (strcmp(only, "clients") == 0)
                        add_client_tests(cl);
                (void) a, (void) o, (void) rc, (void) fc;
        } else {
                add_attack_tests(a);
                add_ordinary_tests(o);
                add_recheck_tests(rc);
                add_holds_tests(h);
                add_client_tests(cl);
                add_failclosed_tests(fc);
        }
        CU_basic_set_mode(CU_BRM_SILENT);
        CU_basic_run_tests();

        e2e_teardown();
        char why[200];
        bool clean = e2e_verify_clean(why, sizeof(why));
        e2e_result(K_OTHER, clean, "teardown left no process, mount, spec file or temp dir behind%s%s", clean ? "" : ": ", why);
        printf("# CUnit: %u assertions failed\n", CU_get_number_of_failures());
        int status = e2e_summary();
        CU_cleanup_registry();
        return status;
}
