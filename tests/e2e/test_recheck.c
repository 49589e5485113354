/* The second look from the daemon's side.  Before a container or an exec starts,
 * the plugin asks dockerd for its own view and judges that.  These cases need the feature, so they
 * run only with ARANDU_E2E_RECHECK=1 (E2E_RECHECK_DEFAULT below is the default otherwise); when
 * skipped they print "# skip" lines and count nothing. */
#include "tests/e2e/tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/e2e/harness.h"

#ifndef E2E_RECHECK_DEFAULT
#define E2E_RECHECK_DEFAULT 1
#endif

static struct cmd_res *R;

static bool enabled(void)
{
        const char *v = getenv("ARANDU_E2E_RECHECK");
        if (!v || !*v)
                return E2E_RECHECK_DEFAULT;
        return strcmp(v, "0") != 0;
}

/* docker create NAME with the compliant flags, `user` as the --user value (NULL: as it is), then
 * `extra`; sleep 600 in `image`. */
static int create_with(const char *name, const char *image, bool readonly, const char *user, const char *const *extra)
{
        return e2e_job(R, 60, &(struct e2e_job){ .name = name, .image = image, .user = user, .writable = !readonly,
                                                 .extra = extra });
}

static int create_as(const char *name, const char *image, bool readonly, const char *user)
{
        return create_with(name, image, readonly, user, NULL);
}

static int create(const char *name, const char *image, bool readonly)
{
        return create_as(name, image, readonly, NULL);
}

static void judge_start(const char *desc, const char *name)
{
        cli(R, 60, E.clis[0], "start", name, CLI_END);
        if (cli_denied(R))
                e2e_result(K_ATTACK, true, "%s (denied)", desc);
        else
                e2e_result(K_ATTACK, false, "%s: %s", desc, e2e_running(name) ? "BYPASS, it is running" : "not denied by the plugin");
        if (!cli_denied(R))
                e2e_diag("%.300s", R->err);
}

/* (a) a container created under a permissive policy, started under the strict one */
static void test_tightened_policy(void)
{
        const char *perm = e2e_policy_file("permissive-a", "{\"readonly_rootfs\": false}\n");
        if (!perm || !e2e_restart_plugin(perm))
                return;
        create("e2e-rc-a", "bb", false);
        e2e_result(K_OTHER, R->status == 0, "under {\"readonly_rootfs\": false}, a container without --read-only is created");
        if (!e2e_restart_plugin(NULL))
                return;
        judge_start("start under the strict policy of a container created under a permissive one (ReadonlyRootfs false)",
                    "e2e-rc-a");
        rm_container("e2e-rc-a");
}

/* (b) image settings merged in at create: VOLUME makes an anonymous volume the request never named */
static void test_image_settings(void)
{
        static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\narandu-user:x:1000:1000::/tmp:/bin/sh\n";
        static const char *const vol[] = { "VOLUME /data", NULL };
        static const char *const usr[] = { "USER 0", NULL };
        if (e2e_import_image("bbvol:latest", passwd, vol) < 0 || e2e_import_image("bbuser:latest", passwd, usr) < 0) {
                e2e_result(K_OTHER, false, "docker import --change VOLUME/USER");
                return;
        }
        create("e2e-rc-b", "bbvol", true);
        if (R->status != 0) {
                e2e_result(K_ATTACK, true, "create from an image with VOLUME /data (denied at create: %.100s)", R->err);
        } else {
                judge_start("start of a container whose image has VOLUME /data (an anonymous volume in the daemon's view)",
                            "e2e-rc-b");
        }
        rm_container("e2e-rc-b");
        create("e2e-rc-u", "bbuser", true);
        bool made = R->status == 0;
        cli(R, 60, E.clis[0], "start", "e2e-rc-u", CLI_END);
        e2e_result(K_ORDINARY, made && R->status == 0, "an image with USER 0 run with --user 1000 still starts (no false positive)");
        cli(R, 60, E.clis[0], "exec", "e2e-rc-u", "id", "-u", CLI_END);
        e2e_result(K_ORDINARY, R->status == 0 && strcmp(R->out, "1000") == 0, "and its exec runs as uid 1000");
        rm_container("e2e-rc-u");
}

/* (c) an exec created as a root-mapped name under a permissive policy, started under the strict one */
static void test_exec_recheck(void)
{
        static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\narandu-user:x:0:0::/root:/bin/sh\n";
        if (e2e_import_image("bbroot:latest", passwd, NULL) < 0) {
                e2e_result(K_OTHER, false, "docker import bbroot");
                return;
        }
        create_as("e2e-rc-c", "bbroot", true, "1000:1000");
        cli(R, 60, E.clis[0], "start", "e2e-rc-c", CLI_END);
        if (R->status != 0) {
                e2e_result(K_OTHER, false, "start of a compliant container for the exec recheck");
                e2e_diag("%.300s", R->err);
                rm_container("e2e-rc-c");
                return;
        }
        const char *perm = e2e_policy_file("permissive-c", "{\"accept_user_name\": true}\n");
        if (!perm || !e2e_restart_plugin(perm))
                return;
        struct http_res r;
        static const char body[] = "{\"User\":\"arandu-user\",\"AttachStdout\":true,\"Cmd\":[\"id\",\"-u\"]}";
        http("POST", E2E_API "/containers/e2e-rc-c/exec", NULL, body, strlen(body), 0, 60, &r);
        json_t *v = r.status == 201 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
        char id[80] = "";
        if (json_string_value(json_object_get(v, "Id")))
                snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(v, "Id")));
        json_decref(v);
        http_free(&r);
        e2e_result(K_OTHER, id[0] != '\0', "under accept_user_name, an exec as arandu-user (uid 0 in this image) is created");
        if (!id[0] || !e2e_restart_plugin(NULL)) {
                rm_container("e2e-rc-c");
                return;
        }
        char target[200];
        snprintf(target, sizeof(target), E2E_API "/exec/%s/start", id);
        static const char sbody[] = "{\"Detach\":false,\"Tty\":true}";
        http("POST", target, NULL, sbody, strlen(sbody), 0, 60, &r);
        if (denied_by_plugin(&r))
                e2e_result(K_ATTACK, true, "exec start under the strict policy of an exec created as a name under a permissive one (denied)");
        else
                e2e_result(K_ATTACK, false, "exec start of an exec created as a name under a permissive policy: %s (HTTP %ld, %.40s)",
                           r.status == 200 && strstr(r.body, "0") ? "BYPASS, it ran as uid 0" : "not denied by the plugin", r.status,
                           r.body);
        http_free(&r);
        rm_container("e2e-rc-c");
}

/* (d) the identity dockerd gives a bare UID or a name, from the image's own /etc/passwd and /etc/group */
static void start_and_id_with(const char *desc, const char *name, const char *image, const char *user,
                              const char *const *extra, bool want_denied)
{
        create_with(name, image, true, user, extra);
        if (R->status != 0) {
                e2e_result(want_denied ? K_ATTACK : K_ORDINARY, want_denied && cli_denied(R), "%s: %s", desc,
                           cli_denied(R) ? "denied at create" : "create failed");
                e2e_diag("%.300s", R->err);
                return;
        }
        cli(R, 60, E.clis[0], "start", name, CLI_END);
        bool denied = cli_denied(R);
        if (want_denied) {
                char what[200] = "not denied by the plugin";
                if (!denied && e2e_running(name)) {
                        struct cmd_res *x = malloc(sizeof(*x));
                        if (x) {
                                cli(x, 60, E.clis[0], "exec", name, "id", CLI_END);
                                snprintf(what, sizeof(what), "BYPASS, it runs as %.120s", x->out);
                                free(x);
                        }
                }
                e2e_result(K_ATTACK, denied, "%s%s%s", desc, denied ? " (denied)" : ": ", denied ? "" : what);
                if (!denied)
                        e2e_diag("%.300s", R->err);
        } else {
                cli(R, 60, E.clis[0], "exec", name, "id", CLI_END);
                e2e_result(K_ORDINARY, !denied && strncmp(R->out, "uid=1000", 8) == 0 && strstr(R->out, "gid=0") == NULL &&
                           strstr(R->out, "groups=0") == NULL && strstr(R->out, ",0(") == NULL,
                           "%s: runs as %.120s", desc, R->out);
        }
}

static void start_and_id(const char *desc, const char *name, const char *image, const char *user, bool want_denied)
{
        start_and_id_with(desc, name, image, user, NULL, want_denied);
}

/* dockerd reads the user's files from the image beneath the binds; through the archive API they
 * are read with the binds in place.  An image whose /etc is a symlink into /artifacts shows the
 * plugin the job's own harmless files, while dockerd reads the image's (uid 1000, gid 0). */
static void test_identity_beneath_binds(void)
{
        static const char pw[] = "root:x:0:0:root:/root:/bin/sh\n";
        static const char etclink[] =
                "rm -rf \"$R/etc\"; mkdir -p \"$R/artifacts/etc\"; "
                "printf 'root:x:0:0::/:/bin/sh\\narandu-user:x:1000:0::/tmp:/bin/sh\\n' > \"$R/artifacts/etc/passwd\"; "
                "printf 'root:x:0:\\n' > \"$R/artifacts/etc/group\"; ln -s /artifacts/etc \"$R/etc\"";
        static const char grp5[] = "printf '5:x:0:\\narandu-user:x:1000:\\n' > \"$R/etc/group\"";
        char dir[200], file[900];

        if (e2e_import_image_with("bbetclink:latest", pw, NULL, etclink) < 0 ||
            e2e_import_image_with("bbgroup5:latest", "root:x:0:0:root:/root:/bin/sh\narandu-user:x:1000:1000::/tmp:/bin/sh\n", NULL,
                                  grp5) < 0) {
                e2e_result(K_OTHER, false, "docker import of the /etc-symlink and group-5 images");
                return;
        }
        /* what the plugin would see through the bind: the job's own, harmless files */
        snprintf(dir, sizeof(dir), "%s/demo/etc", E.arts);
        snprintf(file, sizeof(file), "mkdir -p '%s' && printf 'arandu-user:x:1000:1000::/tmp:/bin/sh\\n' > '%s/passwd' && "
                 "printf 'arandu-user:x:1000:\\n' > '%s/group'", dir, dir, dir);
        const char *sh[] = { "/bin/sh", "-c", file, NULL };
        if (run_cmd(R, 30, sh) != 0) {
                e2e_result(K_OTHER, false, "writing passwd and group into the artifacts dir");
                return;
        }
        start_and_id("--user 1000 on an image whose /etc is a symlink into /artifacts (dockerd reads gid 0 beneath the bind)",
                     "e2e-id-8", "bbetclink", "1000", true);
        static const char *const add5[] = { "--group-add", "5", NULL };
        start_and_id_with("--user 1000:1000 --group-add 5 on an image whose /etc/group names group 0 \"5\"", "e2e-id-9",
                          "bbgroup5", "1000:1000", add5, true);
        static const char *const add7[] = { "--group-add", "7", NULL };
        start_and_id_with("--user 1000:1000 --group-add 7 on the same image (no such group: 7 as it is)", "e2e-id-10", "bbgroup5",
                          "1000:1000", add7, false);
        rm_container("e2e-id-8");
        rm_container("e2e-id-9");
        rm_container("e2e-id-10");
        snprintf(file, sizeof(file), "rm -rf '%s'", dir);
        run_cmd(R, 30, sh);
}

static void test_identity(void)
{
        static const char only_root[] = "root:x:0:0:root:/root:/bin/sh\n";
        static const char user_pw[] = "root:x:0:0:root:/root:/bin/sh\narandu-user:x:1000:1000::/tmp:/bin/sh\n";
        static const char grp0[] = "printf 'root:x:0:arandu-user\\narandu-user:x:1000:\\n' > \"$R/etc/group\"";
        if (e2e_import_image("bbnouser:latest", only_root, NULL) < 0 || e2e_import_image_with("bbgrp0:latest", user_pw, NULL, grp0) < 0) {
                e2e_result(K_OTHER, false, "docker import of the identity images");
                return;
        }
        start_and_id("--user 1000 on an image without a passwd entry for 1000 (gid 0)", "e2e-id-1", "bbnouser", "1000", true);
        start_and_id("--user 1000:1000 on the same image", "e2e-id-2", "bbnouser", "1000:1000", false);
        start_and_id("--user 1000 on an image whose /etc/group puts the user in group 0", "e2e-id-3", "bbgrp0", "1000", true);
        start_and_id("--user 1000:1000 on the same image", "e2e-id-4", "bbgrp0", "1000:1000", false);
        /* an exec as a bare UID in that running container gets group 0 again */
        /* denied at exec start, after the CLI asked to upgrade the connection: it reports only the
         * status ("unable to upgrade to tcp, received 403"); the reason is in the audit log */
        cli(R, 60, E.clis[0], "exec", "-u", "1000", "e2e-id-4", "id", CLI_END);
        bool denied = cli_denied(R) || strstr(R->err, "received 403") != NULL;
        e2e_result(K_ATTACK, denied && strstr(R->out, "0(root)") == NULL, "docker exec -u 1000 where /etc/group puts the user in group 0%s%.100s",
                   denied ? " (denied)" : ": ", denied ? "" : R->out);
        if (!denied)
                e2e_diag("status %d: %.300s", R->status, R->err);
        cli(R, 60, E.clis[0], "exec", "-u", "1000:1000", "e2e-id-4", "id", CLI_END);
        e2e_result(K_ORDINARY, R->status == 0 && strncmp(R->out, "uid=1000", 8) == 0 && strstr(R->out, "gid=1000") != NULL &&
                   strstr(R->out, "0(root)") == NULL, "docker exec -u 1000:1000 there: %.100s", R->out);
        for (int i = 1; i <= 4; i++) {
                char n[32];
                snprintf(n, sizeof(n), "e2e-id-%d", i);
                rm_container(n);
        }
        /* accept_user_name, with an image that maps the name to uid 0 */
        const char *names = e2e_policy_file("names-d", "{\"accept_user_name\": true}\n");
        if (!names || !e2e_restart_plugin(names))
                return;
        start_and_id("under accept_user_name, --user arandu-user on an image where that name is uid 0", "e2e-id-5", "bbroot",
                     "arandu-user", true);
        start_and_id("under accept_user_name, --user arandu-user on an image where it is 1000:1000", "e2e-id-6", "bbgrp0:latest",
                     "arandu-user", true);   /* its /etc/group adds group 0 */
        start_and_id("under accept_user_name, --user arandu-user where it is 1000:1000 and in no group 0", "e2e-id-7", "bb",
                     "arandu-user", false);
        for (int i = 5; i <= 7; i++) {
                char n[32];
                snprintf(n, sizeof(n), "e2e-id-%d", i);
                rm_container(n);
        }
        e2e_restart_plugin(NULL);
}

static void test_recheck(void)
{
        if (!enabled()) {
                e2e_skip("second look: start after a policy was tightened; set ARANDU_E2E_RECHECK=1");
                e2e_skip("second look: image VOLUME at start; set ARANDU_E2E_RECHECK=1");
                e2e_skip("second look: exec start recheck; set ARANDU_E2E_RECHECK=1");
                e2e_skip("the identity a bare UID or a name gets at start; set ARANDU_E2E_RECHECK=1");
                return;
        }
        test_tightened_policy();
        test_image_settings();
        test_exec_recheck();
        e2e_restart_plugin(NULL);
        test_identity();
        test_identity_beneath_binds();
}

void add_recheck_tests(CU_pSuite s)
{
        R = malloc(sizeof(*R));
        CU_add_test(s, "second look (item 6)", test_recheck);
}
