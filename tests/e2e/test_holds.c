/* The second look holds: dockerd acts on the container that was judged (names that read as IDs,
 * rename, a container lock held across the two look-ups, a body held back), warn and dry-run never
 * skip judging, options stay inside their meaning (tmpfs, bridge settings), and the second look
 * takes bursts.  Judged by what took hold in the daemon. */
#include "tests/e2e/tests.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tests/e2e/harness.h"

static struct cmd_res *R;

/* docker create NAME with the compliant flags (without --read-only unless `readonly`), then
 * `extra`; `cmd` as the one command word (NULL: sleep 600). */
static int create(const char *name, bool readonly, const char *const *extra, const char *cmd)
{
        const char *const argv[] = { cmd, NULL };
        return e2e_job(R, 60, &(struct e2e_job){ .name = name, .writable = !readonly, .extra = extra,
                                                 .cmd = cmd ? argv : NULL });
}

static bool exists(const char *name)
{
        json_t *v = inspect_container(name);
        bool r = v != NULL;
        json_decref(v);
        return r;
}

static void container_id(const char *name, char *id, size_t size)
{
        json_t *v = inspect_container(name);
        snprintf(id, size, "%s", json_string_value(json_object_get(v, "Id")) ? json_string_value(json_object_get(v, "Id")) : "");
        json_decref(v);
}

/* ---- raw requests that are sent and not waited for ----------------------------------------------- */

static int raw_send(const char *req)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (strlen(E.dsock) >= sizeof(sa.sun_path)) {
                close(fd);
                return -1;
        }
        memcpy(sa.sun_path, E.dsock, strlen(E.dsock) + 1);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || write(fd, req, strlen(req)) != (ssize_t) strlen(req)) {
                close(fd);
                return -1;
        }
        return fd;
}

/* The HTTP status of the answer on fd within ms (0: none yet), its first bytes in buf. */
static int raw_status(int fd, int ms, char *buf, size_t size)
{
        struct pollfd p = { .fd = fd, .events = POLLIN };
        buf[0] = '\0';
        if (poll(&p, 1, ms) <= 0)
                return 0;
        size_t got = 0;
        for (;;) {
                ssize_t n = read(fd, buf + got, size - 1 - got);
                if (n <= 0)
                        break;
                got += (size_t) n;
                /* the rest of the answer, if it follows at once */
                if (got == size - 1 || poll(&p, 1, 200) <= 0)
                        break;
        }
        buf[got] = '\0';
        if (got == 0)
                return 0;
        int st = 0;
        return sscanf(buf, "HTTP/1.1 %d", &st) == 1 ? st : 0;
}

static void msleep(long ms)
{
        nanosleep(&(struct timespec) { ms / 1000, (ms % 1000) * 1000000L }, NULL);
}

/* ---- names that read as IDs, and rename ---------------------------------------------------------- */

static void test_names(void)
{
        const char *perm = e2e_policy_file("holds-permissive", "{\"readonly_rootfs\": false}\n");
        if (!perm || !e2e_restart_plugin(perm))
                return;
        create("e2e-hold-t", false, NULL, NULL);   /* writable root: fails the start rules below */
        bool made = R->status == 0;
        if (!e2e_restart_plugin(NULL))
                return;
        e2e_result(K_OTHER, made, "a container with a writable root created under a permissive policy");

        create("deadbeef", true, NULL, NULL);
        e2e_result(K_ATTACK, cli_denied(R) && !exists("deadbeef"), "docker create --name deadbeef (reads as an ID prefix)%s",
                   cli_denied(R) ? " (denied)" : ": not denied by the plugin");
        create("e2e-hold-d", true, NULL, NULL);
        e2e_result(K_ORDINARY, R->status == 0, "docker create --name e2e-hold-d, compliant");

        cli(R, 60, E.clis[0], "rename", "e2e-hold-d", "cafe", CLI_END);
        e2e_result(K_ATTACK, cli_denied(R) && exists("e2e-hold-d") && !exists("cafe"), "docker rename to cafe (reads as an ID prefix)%s",
                   cli_denied(R) ? " (denied)" : ": not denied by the plugin");
        cli(R, 60, E.clis[0], "rename", "e2e-hold-t", "e2e-hold-t2", CLI_END);
        e2e_result(K_ATTACK, cli_denied(R) && exists("e2e-hold-t") && !exists("e2e-hold-t2"),
                   "docker rename of a container that may not start (it could take a name a start was judged by)%s",
                   cli_denied(R) ? " (denied)" : ": not denied by the plugin");
        cli(R, 60, E.clis[0], "rename", "e2e-hold-d", "e2e-hold-d2", CLI_END);
        bool renamed = R->status == 0 && exists("e2e-hold-d2");
        e2e_result(K_ORDINARY, renamed, "docker rename of a compliant container");
        if (renamed)
                cli(R, 60, E.clis[0], "rename", "e2e-hold-d2", "e2e-hold-d", CLI_END);
}

/* A container lock held across the plugin's look and dockerd's: an archive download nobody reads
 * holds D's lock; a rename of D and a start of D by name queue behind it; T, which may not start,
 * tries to take D's name.  Released, dockerd must not start T. */
static void test_lock_race(void)
{
        char did[80], tid[80], req[512], buf[512];

        container_id("e2e-hold-d", did, sizeof(did));
        container_id("e2e-hold-t", tid, sizeof(tid));
        if (!did[0] || !tid[0]) {
                e2e_result(K_OTHER, false, "the race's containers exist");
                return;
        }
        snprintf(req, sizeof(req), "GET %s/containers/%s/archive?path=/bin HTTP/1.1\r\nHost: d\r\n\r\n", E2E_API, did);
        int hold = raw_send(req);
        msleep(1000);
        struct http_res r;
        char probe[200];
        snprintf(probe, sizeof(probe), "%s/containers/%s/json", E2E_API, did);
        http("GET", probe, NULL, NULL, 0, 0, 2, &r);
        bool held = r.status == 0;
        http_free(&r);
        e2e_result(K_OTHER, hold >= 0 && held, "an unread archive download holds the container's lock (inspect waits)");

        snprintf(req, sizeof(req), "POST %s/containers/e2e-hold-d/rename?name=e2e-hold-away HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n",
                 E2E_API);
        int ren = raw_send(req);
        msleep(300);
        snprintf(req, sizeof(req), "POST %s/containers/e2e-hold-d/start HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n", E2E_API);
        int start = raw_send(req);
        msleep(300);
        /* T takes the name as soon as it is free */
        snprintf(req, sizeof(req), "POST %s/containers/%s/rename?name=e2e-hold-d HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n",
                 E2E_API, tid);
        int take = raw_send(req);
        int take_st = raw_status(take, 8000, buf, sizeof(buf));
        if (hold >= 0)
                close(hold);   /* release */
        int ren_st = raw_status(ren, 8000, buf, sizeof(buf));
        int start_st = raw_status(start, 8000, buf, sizeof(buf));
        if (take >= 0 && take_st == 0)
                take_st = raw_status(take, 8000, buf, sizeof(buf));
        bool t_running = e2e_running(tid);
        e2e_result(K_ATTACK, !t_running, "start by name while D's lock is held and a rename queued: dockerd %s (start %d, D's rename %d, T's rename %d)",
                   t_running ? "started T, BYPASS" : "did not start the container that may not start", start_st, ren_st, take_st);
        if (ren >= 0)
                close(ren);
        if (start >= 0)
                close(start);
        if (take >= 0)
                close(take);
        cli(R, 30, E.clis[0], "stop", "-t", "0", did, CLI_END);
        /* back to known names */
        cli(R, 30, E.clis[0], "rename", did, "e2e-hold-d", CLI_END);
}

/* A body held back: Go parses a form body when the first Content-Type says form (dockerd shows the
 * plugin the last), before the handler looks the container up.  Allowed, the start would wait
 * while D is renamed away and T takes its name.  (Go's server reads an unread body before it
 * answers, so a deny too arrives only once the body is sent.) */
static void test_body_stall(void)
{
        char req[512], buf[1024];

        snprintf(req, sizeof(req), "POST %s/containers/e2e-hold-d/start HTTP/1.1\r\nHost: d\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n",
                 E2E_API);
        int fd = raw_send(req);
        msleep(1000);
        cli(R, 30, E.clis[0], "rename", "e2e-hold-d", "e2e-hold-away2", CLI_END);
        cli(R, 30, E.clis[0], "rename", "e2e-hold-t", "e2e-hold-d", CLI_END);
        int st = 0;
        if (fd >= 0 && write(fd, "a=bcdef", 7) == 7)
                st = raw_status(fd, 10000, buf, sizeof(buf));
        bool denied = st == 403 && strstr(buf, E.name) != NULL && strstr(buf, "shape") != NULL;
        bool t_running = e2e_running("e2e-hold-t");
        e2e_result(K_ATTACK, denied && !t_running, "start with a form body behind a JSON Content-Type, held back while names change%s (HTTP %d)",
                   denied ? " (denied)" : t_running ? ": BYPASS, T started" : ": not denied by the plugin", st);
        if (!denied) {
                for (char *c = buf; *c; c++)
                        if (*c == '\r' || *c == '\n')
                                *c = '|';
                e2e_diag("answer: %.500s", buf);
        }
        if (fd >= 0)
                close(fd);
        /* the names back, whatever happened */
        cli(R, 30, E.clis[0], "rename", "e2e-hold-away2", "e2e-hold-d", CLI_END);
}

/* ---- API versions, warn, dry-run --------------------------------------------------------------- */

static void test_start_body(void)
{
        char path[200];
        create("e2e-hold-body", true, NULL, NULL);
        snprintf(path, sizeof(path), "/v1.23/containers/e2e-hold-body/start");
        static const char body[] = "{\"Binds\":[\"/etc:/host-etc\"],\"PidMode\":\"host\",\"ReadonlyRootfs\":false}";
        struct http_res r;
        http("POST", path, NULL, body, strlen(body), 0, 30, &r);
        bool denied = denied_by_plugin(&r);
        json_t *v = inspect_container("e2e-hold-body");
        char what[200] = "";
        bool took = json_holds(v, "HostConfig.Binds~host-etc;HostConfig.PidMode=\"host\"", what, sizeof(what)) || e2e_running("e2e-hold-body");
        json_decref(v);
        e2e_result(K_ATTACK, denied && !took, "start at API 1.23 with a HostConfig body (/etc bound, host pid)%s%s",
                   denied ? " (denied)" : ": not denied by the plugin", took ? ", and it took hold" : "");
        http_free(&r);

        const char *warn = e2e_policy_file("holds-warn", "{\"rule_actions\": {\"api-version\": \"warn\"}}\n");
        e2e_plugin_stop();
        bool refused = warn && e2e_plugin_start(warn) != 0;
        e2e_result(K_ATTACK, refused, "a policy that sets api-version to warn is refused at start");
        if (!e2e_restart_plugin(NULL))
                return;
        rm_container("e2e-hold-body");
}

/* ---- tmpfs options, bridge settings ------------------------------------------------------------ */

static void judge_create(const char *desc, const char *name, const char *const *extra)
{
        create(name, true, extra, NULL);
        bool denied = cli_denied(R);
        e2e_result(K_ATTACK, denied && !exists(name), "%s%s", desc, denied ? " (denied)" : exists(name) ? ": BYPASS, created" : ": failed otherwise");
        if (!denied)
                e2e_diag("%.300s", R->err);
        rm_container(name);
}

static void test_tmpfs(void)
{
        const char *pol = e2e_policy_file("holds-tmpfs", "{\"tmpfs_targets\": [\"/tmp\"]}\n");
        if (!pol || !e2e_restart_plugin(pol))
                return;
        static const char *const wide[] = { "--tmpfs", "/tmp:exec,suid,dev,size=1099511627776", NULL };
        judge_create("--tmpfs /tmp:exec,suid,dev,size=1TiB at an allowed target", "e2e-hold-tmpfs1", wide);
        static const char *const nosize[] = { "--tmpfs", "/tmp", NULL };
        judge_create("--tmpfs /tmp without a size (half the host's memory)", "e2e-hold-tmpfs2", nosize);
        static const char *const mnt[] = { "--mount", "type=tmpfs,dst=/tmp,tmpfs-size=8589934592", NULL };
        judge_create("--mount type=tmpfs,tmpfs-size=8g, over the memory limit", "e2e-hold-tmpfs3", mnt);

        /* ordinary: a sized tmpfs, mounted as dockerd's defaults say */
        static const char *const ok[] = { "--rm", "--tmpfs", "/tmp:size=64m,mode=1777", NULL };
        static const char *const grep[] = { "grep", " /tmp ", "/proc/mounts", NULL };
        e2e_job(R, 60, &(struct e2e_job){ .verb = "run", .extra = ok, .cmd = grep });
        e2e_result(K_ORDINARY, R->status == 0 && strstr(R->out, "nosuid") && strstr(R->out, "nodev") && strstr(R->out, "noexec") &&
                   strstr(R->out, "size=65536k"), "docker run --tmpfs /tmp:size=64m: mounted %.120s", R->out);
        e2e_restart_plugin(NULL);
}

static void test_bridge_settings(void)
{
        const char *pol = e2e_policy_file("holds-bridge", "{\"network_mode\": \"bridge\"}\n");
        if (!pol || !e2e_restart_plugin(pol))
                return;
        static const char *const dns[] = { "--network", "bridge", "--dns", "192.0.2.53", NULL };
        judge_create("bridge: --dns 192.0.2.53", "e2e-hold-dns", dns);
        static const char *const host[] = { "--network", "bridge", "--add-host", "pypi.org:192.0.2.1", NULL };
        judge_create("bridge: --add-host pypi.org:192.0.2.1", "e2e-hold-host", host);
        static const char *const mac[] = { "--network", "bridge", "--mac-address", "02:42:ac:11:00:63", NULL };
        judge_create("bridge: --mac-address", "e2e-hold-mac", mac);
        static const char *const lla[] = { "--network", "bridge", "--link-local-ip", "169.254.9.9", NULL };
        judge_create("bridge: --link-local-ip 169.254.9.9", "e2e-hold-lla", lla);
        /* through the API: the CLI takes --link only without --network */
        char body[1200], path[200];
        expand("{\"User\":\"1000:1000\",\"Image\":\"bb\",\"Cmd\":[\"true\"],\"HostConfig\":{\"Binds\":[\"@R/demo:/workspace:ro\","
               "\"@A/demo:/artifacts\"],\"NetworkMode\":\"bridge\",\"ReadonlyRootfs\":true,\"Memory\":1073741824,"
               "\"NanoCpus\":1000000000,\"PidsLimit\":512,\"SecurityOpt\":[\"no-new-privileges\"],\"Links\":[\"e2e-helper:h\"]}}",
               body, sizeof(body));
        snprintf(path, sizeof(path), "%s/containers/create?name=e2e-hold-link", E2E_API);
        struct http_res r;
        http("POST", path, NULL, body, strlen(body), 0, 30, &r);
        bool denied = denied_by_plugin(&r);
        e2e_result(K_ATTACK, denied && !exists("e2e-hold-link"), "bridge: HostConfig.Links to another container%s (HTTP %ld)",
                   denied ? " (denied)" : exists("e2e-hold-link") ? ": BYPASS, created" : ": not denied by the plugin", r.status);
        http_free(&r);
        rm_container("e2e-hold-link");
        static const char *const plain[] = { "--network", "bridge", NULL };
        create("e2e-hold-bridge", true, plain, "true");
        e2e_result(K_ORDINARY, R->status == 0, "bridge: a plain --network bridge job is created");
        rm_container("e2e-hold-bridge");
        e2e_restart_plugin(NULL);
}

/* ---- bursts ---------------------------------------------------------------------------------- */

#define BURST 100

struct starter {
        char name[32];
        long status;
        char body[320];
};

static void *start_one(void *arg)
{
        struct starter *s = arg;
        char path[200];
        struct http_res r;
        snprintf(path, sizeof(path), "%s/containers/%s/start", E2E_API, s->name);
        http("POST", path, NULL, NULL, 0, HTTP_NO_CT, 60, &r);
        s->status = r.status;
        snprintf(s->body, sizeof(s->body), "%s", r.body);
        http_free(&r);
        return NULL;
}

/* 100 compliant starts at once (the executor's --user UID:GID), while another client holds one
 * container's lock and a start of that container waits on it: every one of the 100 succeeds. */
static void test_burst(void)
{
        static struct starter st[BURST];
        pthread_t t[BURST];
        char req[512], did[80];
        int made = 0;

        for (int i = 0; i < BURST; i++) {
                snprintf(st[i].name, sizeof(st[i].name), "e2e-burst-%d", i);
                e2e_job(R, 60, &(struct e2e_job){ .name = st[i].name, .user = "1000:1000", .cmd = (const char *const[]) { "true", NULL } });
                made += R->status == 0;
        }
        container_id("e2e-hold-d", did, sizeof(did));
        snprintf(req, sizeof(req), "GET %s/containers/%s/archive?path=/bin HTTP/1.1\r\nHost: d\r\n\r\n", E2E_API, did);
        int hold = raw_send(req);
        msleep(500);
        snprintf(req, sizeof(req), "POST %s/containers/%s/start HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n", E2E_API, did);
        int blocked = raw_send(req);
        msleep(300);

        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < BURST; i++)
                if (pthread_create(&t[i], NULL, start_one, &st[i]) != 0)
                        st[i].status = -1;
        int ok = 0;
        for (int i = 0; i < BURST; i++) {
                if (st[i].status != -1)
                        pthread_join(t[i], NULL);
                ok += st[i].status == 204;
                if (st[i].status != 204 && ok + 3 > i)
                        e2e_diag("start %s: HTTP %ld %.300s", st[i].name, st[i].status, st[i].body);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("# burst: %d of %d concurrent compliant starts succeeded in %.2f s, while one container's lock was held\n", ok, BURST, s);
        e2e_result(K_ORDINARY, made == BURST && ok == BURST, "%d concurrent compliant starts beside a start stuck on a held lock: %d succeeded",
                   BURST, ok);
        if (hold >= 0)
                close(hold);
        if (blocked >= 0) {
                char buf[256];
                raw_status(blocked, 8000, buf, sizeof(buf));
                close(blocked);
        }
        for (int i = 0; i < BURST; i++)
                rm_container(st[i].name);
}

static void test_holds(void)
{
        test_names();
        test_lock_race();
        test_body_stall();
        test_start_body();
        test_tmpfs();
        test_bridge_settings();
        test_burst();
        rm_container("e2e-hold-d");
        rm_container("e2e-hold-away");
        rm_container("e2e-hold-away2");
        rm_container("e2e-hold-t");
}

void add_holds_tests(CU_pSuite s)
{
        R = malloc(sizeof(*R));
        CU_add_test(s, "the second look holds", test_holds);
}
