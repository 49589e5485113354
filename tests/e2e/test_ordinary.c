/* Ordinary work that must keep working with the plugin in the chain, and the
 * fail-closed behaviour when the plugin is down (item 4). */
#include "tests/e2e/tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/e2e/harness.h"

static struct cmd_res *R;

static void expect_ok(const char *desc, bool ok)
{
        e2e_result(K_ORDINARY, ok, "%s", desc);
        if (!ok)
                e2e_diag("status %d\nstdout: %.300s\nstderr: %.600s", R->status, R->out, R->err);
}

static const char *C = "e2e-long";

static void test_run_both_clis(void)
{
        for (int c = 0; c < E.n_clis; c++) {
                static const char *const rm[] = { "--rm", NULL };
                static const char *const sh[] = {
                        "sh", "-c", "id -u; cat /workspace/README; echo x > /artifacts/ok-$$ && echo wrote; touch /x 2>/dev/null || echo ro", NULL
                };
                e2e_job(R, 120, &(struct e2e_job){ .cli = E.clis[c], .verb = "run", .extra = rm, .cmd = sh });
                char desc[200];
                snprintf(desc, sizeof(desc), "%s: compliant docker run works (uid 1000, /workspace readable, /artifacts writable, rootfs read-only)",
                         E.clis[c]);
                expect_ok(desc, R->status == 0 &&
                          strcmp(R->out, "1000\nhello from the repository\nwrote\nro") == 0);
        }
}

/* Options ordinary jobs use, inside the bounds: log rotation, a bounded restart policy, ulimits. */
static void test_run_options(void)
{
        static const struct { const char *desc, *flags[6], *cmd, *want; } cases[] = {
                { "--log-opt max-size=10m --log-opt max-file=3", { "--log-opt", "max-size=10m", "--log-opt", "max-file=3", NULL },
                  "echo ok", "ok" },
                { "--log-driver local", { "--log-driver", "local", NULL }, "echo ok", "ok" },
                { "--ulimit nofile=1024:2048", { "--ulimit", "nofile=1024:2048", NULL }, "ulimit -n", "1024" },
                { "--restart on-failure:3", { "--restart", "on-failure:3", NULL }, "echo ok", "ok" },
                { "--shm-size 128m", { "--shm-size", "128m", NULL }, "df -k /dev/shm | tail -1 | awk '{print $2}'", "131072" },
        };
        for (int c = 0; c < E.n_clis; c++)
                for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
                        const char *extra[8];
                        int n = 0;
                        /* --rm and --restart do not go together: the on-failure case removes itself below */
                        if (strstr(cases[k].desc, "--restart") == NULL)
                                extra[n++] = "--rm";
                        for (int i = 0; cases[k].flags[i]; i++)
                                extra[n++] = cases[k].flags[i];
                        extra[n] = NULL;
                        const char *const sh[] = { "sh", "-c", cases[k].cmd, NULL };
                        e2e_job(R, 120, &(struct e2e_job){ .cli = E.clis[c], .verb = "run", .name = "e2e-opts", .extra = extra,
                                                           .cmd = sh });
                        char desc[200];
                        snprintf(desc, sizeof(desc), "%s: docker run %s", E.clis[c], cases[k].desc);
                        expect_ok(desc, R->status == 0 && strcmp(R->out, cases[k].want) == 0);
                        rm_container("e2e-opts");
                }
}

static void test_lifecycle(void)
{
        const char *cli0 = E.clis[0];
        static const char *const sh[] = { "sh", "-c", "echo e2e-hello; exec sleep 600", NULL };
        e2e_job(R, 60, &(struct e2e_job){ .cli = cli0, .name = C, .cmd = sh });
        expect_ok("docker create of a compliant container", R->status == 0);
        cli(R, 60, cli0, "start", C, CLI_END);
        expect_ok("docker start", R->status == 0);

        for (int c = 0; c < E.n_clis; c++) {
                char desc[200];
                cli(R, 60, E.clis[c], "exec", C, "id", "-u", CLI_END);
                snprintf(desc, sizeof(desc), "%s: docker exec as the container user runs as uid 1000", E.clis[c]);
                expect_ok(desc, R->status == 0 && strcmp(R->out, "1000") == 0);
                cli(R, 60, E.clis[c], "exec", "-u", "1000", C, "id", "-u", CLI_END);
                snprintf(desc, sizeof(desc), "%s: docker exec -u 1000", E.clis[c]);
                expect_ok(desc, R->status == 0 && strcmp(R->out, "1000") == 0);
                cli(R, 60, E.clis[c], "ps", "--format", "{{.Names}}", CLI_END);
                snprintf(desc, sizeof(desc), "%s: docker ps lists the container", E.clis[c]);
                expect_ok(desc, R->status == 0 && strstr(R->out, C) != NULL);
                cli(R, 60, E.clis[c], "inspect", "--format", "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.NetworkMode}}", C, CLI_END);
                snprintf(desc, sizeof(desc), "%s: docker inspect shows the hardened settings", E.clis[c]);
                expect_ok(desc, R->status == 0 && strcmp(R->out, "1000 true none") == 0);
                cli(R, 60, E.clis[c], "info", CLI_END);
                snprintf(desc, sizeof(desc), "%s: docker info", E.clis[c]);
                expect_ok(desc, R->status == 0);
                cli(R, 60, E.clis[c], "version", CLI_END);
                snprintf(desc, sizeof(desc), "%s: docker version", E.clis[c]);
                expect_ok(desc, R->status == 0);
        }
        bool logged = false;
        for (int i = 0; i < 50 && !logged; i++) {
                cli(R, 60, cli0, "logs", C, CLI_END);
                logged = R->status == 0 && strcmp(R->out, "e2e-hello") == 0;
                if (!logged)
                        usleep(100000);
        }
        expect_ok("docker logs shows the output", logged);
        cli(R, 60, cli0, "top", C, CLI_END);
        expect_ok("docker top", R->status == 0 && strstr(R->out, "sleep") != NULL);
        cli(R, 90, cli0, "stats", "--no-stream", C, CLI_END);
        expect_ok("docker stats --no-stream", R->status == 0);

        char dst[200], src[200];
        snprintf(dst, sizeof(dst), "%s/copied-README", E.t);
        snprintf(src, sizeof(src), "%s:/workspace/README", C);
        cli(R, 60, cli0, "cp", src, dst, CLI_END);
        expect_ok("docker cp out of the container", R->status == 0 && access(dst, F_OK) == 0);
        snprintf(src, sizeof(src), "%s:/artifacts/", C);
        cli(R, 60, cli0, "cp", dst, src, CLI_END);
        char on_host[200];
        snprintf(on_host, sizeof(on_host), "%s/demo/copied-README", E.arts);
        expect_ok("docker cp into /artifacts", R->status == 0 && access(on_host, F_OK) == 0);

        cli(R, 60, cli0, "update", "--memory", "512m", C, CLI_END);
        expect_ok("docker update --memory 512m (lower)", R->status == 0);
        cli(R, 60, cli0, "update", "--cpus", "0.5", C, CLI_END);
        expect_ok("docker update --cpus 0.5 (lower)", R->status == 0);
        cli(R, 60, cli0, "update", "--restart", "on-failure:2", C, CLI_END);
        expect_ok("docker update --restart on-failure:2", R->status == 0);
        cli(R, 60, cli0, "inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", C, CLI_END);
        expect_ok("the lowered limits took effect", R->status == 0 && strcmp(R->out, "536870912 500000000") == 0);

        cli(R, 60, cli0, "rename", C, "e2e-long2", CLI_END);
        expect_ok("docker rename", R->status == 0);
        C = "e2e-long2";
        cli(R, 60, cli0, "restart", "-t", "1", C, CLI_END);
        expect_ok("docker restart", R->status == 0);
        cli(R, 60, cli0, "stop", "-t", "1", C, CLI_END);
        expect_ok("docker stop", R->status == 0);
        cli(R, 60, cli0, "start", C, CLI_END);
        expect_ok("docker start (again)", R->status == 0);
        cli(R, 60, cli0, "kill", C, CLI_END);
        expect_ok("docker kill", R->status == 0);
        cli(R, 60, cli0, "rm", C, CLI_END);
        expect_ok("docker rm", R->status == 0);
        cli(R, 60, cli0, "ps", "-a", "--format", "{{.Names}}", CLI_END);
        expect_ok("the removed container is gone", R->status == 0 && strstr(R->out, C) == NULL);
}

/* Controls for the attack tables: the same compliant body through the same transports is allowed,
 * so the denials there are for the forbidden setting, not for the transport. */
static void test_controls(void)
{
        char body[600];
        snprintf(body, sizeof(body),
                 "{\"Image\":\"bb\",\"Cmd\":[\"true\"],\"User\":\"1000\",\"HostConfig\":{\"NanoCpus\":1000000000,"
                 "\"Memory\":1073741824,\"NetworkMode\":\"none\",\"ReadonlyRootfs\":true,\"PidsLimit\":512,"
                 "\"SecurityOpt\":[\"no-new-privileges\"],\"Binds\":[\"%s/demo:/workspace:ro\","
                 "\"%s/demo:/artifacts\"]}}", E.repos, E.arts);
        static const struct { const char *desc, *target, *hdr; } c[] = {
                { "raw compliant create", E2E_API "/containers/create", NULL },
                { "raw compliant create, no version prefix", "/containers/create", NULL },
                { "raw compliant create, percent-encoded path", E2E_API "/%63ontainers/create", NULL },
                { "raw compliant create, absolute-form target", "http://docker" E2E_API "/containers/create", NULL },
                { "raw compliant create, Content-Type with charset", E2E_API "/containers/create",
                  "Content-Type: application/json; charset=utf-8" },
        };
        for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
                const char *hdr[] = { c[i].hdr, NULL };
                struct http_res r;
                http("POST", c[i].target, c[i].hdr ? hdr : NULL, body, strlen(body), 0, 60, &r);
                e2e_result(K_ORDINARY, r.status == 201, "%s is allowed (HTTP %ld)", c[i].desc, r.status);
                if (r.status != 201)
                        e2e_diag("%.400s", r.body);
                json_t *v = r.status == 201 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
                if (json_string_value(json_object_get(v, "Id")))
                        rm_container(json_string_value(json_object_get(v, "Id")));
                json_decref(v);
                http_free(&r);
        }
}

static void test_images_events_ping(void)
{
        const char *cli0 = E.clis[E.n_clis - 1];
        time_t t0 = time(NULL) - 300;
        cli(R, 60, cli0, "tag", "bb:latest", "bb:e2e-tag", CLI_END);
        expect_ok("docker image tag", R->status == 0);
        cli(R, 60, cli0, "images", "--format", "{{.Repository}}:{{.Tag}}", CLI_END);
        expect_ok("docker images lists the new tag", R->status == 0 && strstr(R->out, "bb:e2e-tag") != NULL);
        cli(R, 60, cli0, "image", "rm", "bb:e2e-tag", CLI_END);
        expect_ok("docker image rm", R->status == 0);
        char since[32], until[32];
        snprintf(since, sizeof(since), "%lld", (long long) t0);
        snprintf(until, sizeof(until), "%lld", (long long) time(NULL) + 1);
        cli(R, 60, cli0, "events", "--since", since, "--until", until, CLI_END);
        expect_ok("docker events --since --until", R->status == 0 && strstr(R->out, "container") != NULL);
        struct http_res r;
        http("GET", "/_ping", NULL, NULL, 0, 0, 30, &r);
        e2e_result(K_ORDINARY, r.status == 200 && strcmp(r.body, "OK") == 0, "GET /_ping");
        http_free(&r);
        http("HEAD", "/_ping", NULL, NULL, 0, 0, 30, &r);
        e2e_result(K_ORDINARY, r.status == 200, "HEAD /_ping");
        http_free(&r);
        http("GET", E2E_API "/version", NULL, NULL, 0, 0, 30, &r);
        e2e_result(K_ORDINARY, r.status == 200, "GET /v1.41/version");
        http_free(&r);
        http("GET", "/version", NULL, NULL, 0, 0, 30, &r);
        e2e_result(K_ORDINARY, r.status == 200, "GET /version (no version prefix)");
        http_free(&r);
}

/* ---- fail closed ------------------------------------------------------------------------------- */

static void test_fail_closed(void)
{
        e2e_result(K_OTHER, e2e_plugin_stop() == 0, "the plugin stops on SIGTERM");
        struct http_res r;
        time_t t0 = time(NULL);
        http("GET", E2E_API "/containers/json", NULL, NULL, 0, 0, 60, &r);
        long st = r.status;
        e2e_result(K_OTHER, st != 0 ? st < 200 || st >= 300 : true,
                   "with the plugin down, dockerd refuses GET /containers/json (HTTP %ld after %lds%s)", st,
                   (long) (time(NULL) - t0), st == 0 ? ", no answer within 60 s" : "");
        http_free(&r);
        static const char priv[] = "{\"Image\":\"bb\",\"User\":\"1000\",\"HostConfig\":{\"Privileged\":true}}";
        t0 = time(NULL);
        http("POST", E2E_API "/containers/create", NULL, priv, strlen(priv), 0, 60, &r);
        st = r.status;
        e2e_result(K_OTHER, st != 201, "with the plugin down, a privileged create is refused (HTTP %ld after %lds)", st,
                   (long) (time(NULL) - t0));
        http_free(&r);

        e2e_result(K_OTHER, e2e_plugin_start(NULL) == 0, "the plugin restarts");
        cli(R, 90, E.clis[0], "ps", CLI_END);
        expect_ok("with the plugin back, docker ps works again", R->status == 0);
        http("POST", E2E_API "/containers/create", NULL, priv, strlen(priv), 0, 60, &r);
        e2e_result(K_ATTACK, denied_by_plugin(&r), "with the plugin back, a privileged create is decided again and denied (HTTP %ld)",
                   r.status);
        http_free(&r);
}

void add_ordinary_tests(CU_pSuite s)
{
        R = malloc(sizeof(*R));
        CU_add_test(s, "docker run with both CLIs", test_run_both_clis);
        CU_add_test(s, "docker run with log, restart, ulimit and shm options", test_run_options);
        CU_add_test(s, "container lifecycle", test_lifecycle);
        CU_add_test(s, "images, events, ping", test_images_events_ping);
        CU_add_test(s, "controls for the attack tables", test_controls);
}

void add_failclosed_tests(CU_pSuite s)
{
        if (!R)
                R = malloc(sizeof(*R));
        CU_add_test(s, "fail closed", test_fail_closed);
}
