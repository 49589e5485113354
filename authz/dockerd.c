/* `arandu-authz dockerd enable|disable|status` (see dockerd.h). */
#include "authz/dockerd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "authz/cleanup.h"
#include "authz/fileio.h"
#include "authz/curl_lazy.h"
#include "authz/server.h"
#include "policy/buf.h"
#include "policy/daemonjson.h"
#include "policy/policy.h"

#define PROG "arandu-authz dockerd"
#define EXIT_USAGE 2
#define EXIT_UNSAFE 3
#define PLUGIN_DEFAULT "arandu-authz"
#define PLUGIN_DIR "/run/docker/plugins"
#define DOCKER_HOST_DEFAULT "unix:///var/run/docker.sock"
#define POLICY_DEFAULT "/etc/arandu-authz/policy.json"
#define AUDIT_LOG_DEFAULT "/var/log/arandu-authz/audit.log"
#define METRICS_SOCKET_DEFAULT "/run/arandu-authz/metrics.sock"   /* the service's --metrics-socket */

struct options {
        const char *config;
        const char *plugin;
        bool reload, force;
};

static void usage(FILE *out)
{
        fprintf(out,
                "usage: " PROG " enable  [--config FILE] [--plugin NAME] [--reload] [--force]\n"
                "       " PROG " disable [--config FILE] [--plugin NAME] [--reload]\n"
                "       " PROG " status  [--config FILE] [--plugin NAME]\n"
                "\n"
                "enable/disable add or remove the plugin in dockerd's \"authorization-plugins\"\n"
                "(FILE, default " DOCKERD_CONFIG_DEFAULT "), keeping every other setting as written,\n"
                "atomically, with a backup in FILE.arandu-authz.bak.  --reload then makes dockerd\n"
                "apply it (systemctl reload docker: no container restarts) and checks.\n"
                "status says whether dockerd enforces through the plugin right now (DOCKER_HOST,\n"
                "default " DOCKER_HOST_DEFAULT "), which policy and where the audit log is.\n");
}

/* The whole file at `path` into *ret (NUL-terminated); -ENOENT when there is none. */
static int read_file(const char *path, struct buf *ret)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        char chunk[8192];

        buf_init(ret, 4096, DOCKERD_CONFIG_MAX);
        if (fd < 0)
                return -errno;
        for (;;) {
                ssize_t n = read(fd, chunk, sizeof(chunk));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                int r = buf_append(ret, chunk, (size_t) n);
                if (r < 0)
                        return r;
        }
        (void) buf_str(ret);
        return 0;
}

/* Is a server answering on the unix socket at `path`? */
static bool socket_answers(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
                return false;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        return connect(fd, (const struct sockaddr *) &sa, sizeof(sa)) == 0;
}

/* The pid of the running dockerd (0: none), and whether its command line names an authorization
 * plugin (then daemon.json must not: dockerd refuses a setting given both ways). */
static pid_t find_dockerd(bool *ret_flag)
{
        DIR *dir = opendir("/proc");
        struct dirent *e;
        pid_t found = 0;

        *ret_flag = false;
        while (dir && (e = readdir(dir))) {
                char path[300], comm[32] = "";
                if (e->d_name[0] < '1' || e->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
                FILE *f = fopen(path, "re");
                if (!f)
                        continue;
                bool is = fgets(comm, sizeof(comm), f) && strcmp(comm, "dockerd\n") == 0;
                (void) fclose(f);
                if (!is)
                        continue;
                found = (pid_t) strtol(e->d_name, NULL, 10);
                snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
                struct buf cmd;
                if (read_file(path, &cmd) == 0) {
                        const char *s = buf_str(&cmd);
                        for (size_t i = 0; i < buf_len(&cmd); i += strlen(s + i) + 1)
                                if (strncmp(s + i, "--authorization-plugin", 22) == 0)
                                        *ret_flag = true;
                }
                buf_free(&cmd);
                break;
        }
        if (dir)
                closedir(dir);
        return found;
}

/* Write `data` to `path` atomically (a new file beside it, fsync, rename), with the old file's
 * mode, after copying the old one to `backup`.  0 or -errno, with what failed in why. */
static int write_atomically(const char *path, const char *old, size_t old_len, bool existed, const char *data,
                            size_t len, const char *backup, char *why, size_t whysz)
{
        struct stat st;
        mode_t mode = 0644;
        int r;

        if (existed && stat(path, &st) == 0)
                mode = st.st_mode & 07777;
        if (existed) {
                r = file_write_atomic(backup, old, old_len, mode);
                if (r < 0) {
                        snprintf(why, whysz, "cannot write the backup %.300s: %s", backup, strerror(-r));
                        return r;
                }
        }
        r = file_write_atomic(path, data, len, mode);
        if (r < 0)
                snprintf(why, whysz, "cannot write %.300s: %s", path, strerror(-r));
        return r;
}

/* systemctl reload docker.service, or SIGHUP to dockerd where there is no systemd.  0 or -errno. */
static int reload_dockerd(pid_t pid, char *how, size_t howsz)
{
        if (access("/run/systemd/system", F_OK) == 0) {
                pid_t child = fork();
                if (child == 0) {
                        execlp("systemctl", "systemctl", "reload", "docker.service", (char *) NULL);
                        _exit(127);
                }
                int status = 0;
                if (child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                        snprintf(how, howsz, "systemctl reload docker.service");
                        return 0;
                }
        }
        if (pid > 0 && kill(pid, SIGHUP) == 0) {
                snprintf(how, howsz, "SIGHUP to dockerd (pid %ld)", (long) pid);
                return 0;
        }
        snprintf(how, howsz, "no dockerd to reload");
        return -ESRCH;
}

static size_t on_body(char *p, size_t size, size_t n, void *b)
{
        return buf_append(b, p, size * n) < 0 ? 0 : size * n;
}

/* GET (or, with `post`, an empty POST) unix:SOCK/PATH into body: 0, or -EIO with why. */
static int request_unix(const char *sock, const char *path, bool post, struct buf *body, long *status, char *why,
                        size_t whysz)
{
        const struct curl_api *curl;
        struct curl_lazy_error e;
        char url[256];

        if (curl_lazy_get(&curl, &e) < 0) {
                snprintf(why, whysz, "cannot load %s: %s", CURL_LAZY_SONAME, e.text);
                return -ELIBACC;
        }
        CURL *c = curl->easy_init();
        if (!c) {
                snprintf(why, whysz, "libcurl failed to start");
                return -ENOMEM;
        }
        snprintf(url, sizeof(url), "http://localhost%s", path);
        curl->easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
        curl->easy_setopt(c, CURLOPT_URL, url);
        curl->easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
        curl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl->easy_setopt(c, CURLOPT_WRITEFUNCTION, (curl_write_callback) on_body);
        curl->easy_setopt(c, CURLOPT_WRITEDATA, body);
        if (post) {
                curl->easy_setopt(c, CURLOPT_POST, 1L);
                curl->easy_setopt(c, CURLOPT_POSTFIELDS, "");
        }
        CURLcode cr = curl->easy_perform(c);
        curl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        curl->easy_cleanup(c);
        if (cr != CURLE_OK) {
                snprintf(why, whysz, "cannot reach %.200s: %s", sock, curl->easy_strerror(cr));
                return -EIO;
        }
        return 0;
}

/* The running plugin's policy, from its metrics (policy_info): its digest, and its signed bundle's
 * serial (0: not from a bundle). */
static int plugin_policy(char sha[65], unsigned long long *serial, char *why, size_t whysz)
{
        static const char key[] = "arandu_authz_policy_info{sha256=\"";
        struct buf body;
        long status = 0;

        buf_init(&body, 16384, 1u << 20);
        int r = request_unix(METRICS_SOCKET_DEFAULT, "/metrics", false, &body, &status, why, whysz);
        const char *at = r == 0 && status == 200 ? strstr(buf_str(&body), key) : NULL;
        if (r == 0 && !at) {
                snprintf(why, whysz, "the plugin's metrics (%s) name no policy", METRICS_SOCKET_DEFAULT);
                r = -EIO;
        }
        if (at) {
                at += sizeof(key) - 1;
                size_t n = strspn(at, "0123456789abcdef");
                snprintf(sha, 65, "%.*s", (int) (n < 64 ? n : 64), at);
                static const char skey[] = "\",serial=\"";
                *serial = strncmp(at + n, skey, sizeof(skey) - 1) == 0 ?
                                  strtoull(at + n + sizeof(skey) - 1, NULL, 10) : 0;
        }
        buf_free(&body);
        return r;
}

/* dockerd's "message" in an error answer, or "". */
static void error_message(struct buf *body, char *buf, size_t size)
{
        json_t *m = json_loadb(buf_str(body), buf_len(body), 0, NULL);
        const char *s = json_string_value(json_object_get(m, "message"));

        snprintf(buf, size, "%.400s", s ? s : "");
        json_decref(m);
}

/* Does dockerd (DOCKER_HOST) consult `plugin` right now?  GET /info cannot tell: dockerd applies a
 * reloaded plugin list but keeps showing the one it started with.  So dockerd is asked for something
 * the plugin always denies and that does nothing otherwise: disabling a plugin that does not exist.
 * Denied by the plugin: 1; "no such plugin" from dockerd itself: 0; anything else: -EIO with why. */
static int dockerd_enforces(const char *plugin, char *version, size_t vsz, char *why, size_t whysz)
{
        const char *host = getenv("DOCKER_HOST");
        char msg[512], path[128], denied[300];
        struct buf body;
        long status = 0;

        if (!host || !host[0])
                host = DOCKER_HOST_DEFAULT;
        if (strncmp(host, "unix://", 7) != 0) {
                snprintf(why, whysz, "DOCKER_HOST %.200s is not a unix socket", host);
                return -EINVAL;
        }
        buf_init(&body, 16384, 4u << 20);
        int r = request_unix(host + 7, "/version", false, &body, &status, why, whysz);
        if (r < 0) {
                buf_free(&body);
                return r;
        }
        json_t *v = status == 200 ? json_loadb(buf_str(&body), buf_len(&body), 0, NULL) : NULL;
        const char *ver = json_string_value(json_object_get(v, "Version"));
        snprintf(version, vsz, "%.40s", ver ? ver : "(version unknown)");
        json_decref(v);

        buf_reset(&body);
        snprintf(path, sizeof(path), "/plugins/arandu-authz-probe-%ld/disable", (long) getpid());
        r = request_unix(host + 7, path, true, &body, &status, why, whysz);
        if (r == 0) {
                error_message(&body, msg, sizeof(msg));
                snprintf(denied, sizeof(denied), "authorization denied by plugin %.200s", plugin);
                if (status == 403 && strstr(msg, denied))
                        r = 1;
                else if (status == 404)
                        r = 0;
                else {
                        snprintf(why, whysz, "dockerd answered %ld: %.300s", status, msg);
                        r = -EIO;
                }
        }
        buf_free(&body);
        return r;
}

static void print_enforcing(const char *version, const char *plugin, bool yes)
{
        if (yes)
                printf("ENFORCING: dockerd %s consults %s on every request\n", version, plugin);
        else
                printf("NOT ENFORCING: dockerd %s does not consult %s\n", version, plugin);
}

static int parse_options(int argc, char **argv, struct options *o)
{
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "plugin", required_argument, NULL, 'p' },
                { "reload", no_argument, NULL, 'r' },
                { "force", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c;

        *o = (struct options) { .config = DOCKERD_CONFIG_DEFAULT, .plugin = PLUGIN_DEFAULT };
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        o->config = optarg;
                        break;
                case 'p':
                        o->plugin = optarg;
                        break;
                case 'r':
                        o->reload = true;
                        break;
                case 'f':
                        o->force = true;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_SUCCESS;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        if (optind < argc) {
                fprintf(stderr, PROG ": unexpected argument %s\n", argv[optind]);
                return EXIT_USAGE;
        }
        if (!o->plugin[0] || strchr(o->plugin, '/') || strlen(o->plugin) > 200) {
                fprintf(stderr, PROG ": --plugin %s is not a plugin name\n", o->plugin);
                return EXIT_USAGE;
        }
        if (o->config[0] != '/' || strlen(o->config) > 4000) {
                fprintf(stderr, PROG ": --config must be an absolute path\n");
                return EXIT_USAGE;
        }
        return -1;
}

/* After a reload: does dockerd enforce as the file now says?  Waits a little: dockerd reloads
 * asynchronously. */
static int check_after_reload(const struct options *o, bool want)
{
        char version[64] = "", why[512] = "";
        int r = -EIO;

        for (int i = 0; i < 50; i++) {
                r = dockerd_enforces(o->plugin, version, sizeof(version), why, sizeof(why));
                if (r >= 0 && (r == 1) == want)
                        break;
                usleep(100 * 1000);
        }
        if (r < 0) {
                printf("dockerd: cannot tell whether it enforces: %s\n", why);
                return EXIT_FAILURE;
        }
        print_enforcing(version, o->plugin, r == 1);
        return (r == 1) == want ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int cmd_edit(const struct options *o, bool enable)
{
        char plugin_sock[300], backup[4100], why[600] = "", how[128];
        struct daemonjson_error err = { "" };
        struct buf old;
        char *new = NULL;
        size_t new_len = 0;
        bool flag = false;

        snprintf(plugin_sock, sizeof(plugin_sock), PLUGIN_DIR "/%s.sock", o->plugin);
        snprintf(backup, sizeof(backup), "%s.arandu-authz.bak", o->config);
        int r = read_file(o->config, &old);
        bool existed = r == 0;
        if (r < 0 && r != -ENOENT) {
                fprintf(stderr, PROG ": cannot read %s: %s\n", o->config, strerror(-r));
                buf_free(&old);
                return EXIT_FAILURE;
        }
        pid_t pid = find_dockerd(&flag);
        if (flag) {
                fprintf(stderr, PROG ": dockerd (pid %ld) was started with --authorization-plugin; dockerd refuses to start "
                        "when daemon.json names the setting too: change its command line (systemctl edit docker) instead\n",
                        (long) pid);
                buf_free(&old);
                return EXIT_UNSAFE;
        }
        if (enable && !o->force && !socket_answers(plugin_sock)) {
                fprintf(stderr, PROG ": the plugin does not answer on %s: dockerd would refuse every request, and a dockerd "
                        "that reloads into a plugin it cannot reach stops; start it first (systemctl start %s.socket), "
                        "or pass --force\n", plugin_sock, o->plugin);
                buf_free(&old);
                return EXIT_FAILURE;
        }

        const char *text = existed ? buf_str(&old) : "";
        size_t len = existed ? buf_len(&old) : 0;
        r = enable ? daemonjson_enable(text, len, o->plugin, &new, &new_len, &err)
                   : daemonjson_disable(text, len, o->plugin, &new, &new_len, &err);
        if (r == -EINVAL) {
                fprintf(stderr, PROG ": %s was left as it is: %s; fix it by hand (dockerd reads it at start and on reload)\n",
                        o->config, err.text);
                buf_free(&old);
                return EXIT_UNSAFE;
        }
        if (r < 0) {
                fprintf(stderr, PROG ": %s\n", strerror(-r));
                buf_free(&old);
                return EXIT_FAILURE;
        }
        if (r == 0) {
                printf("%s: %s %s in \"" DAEMONJSON_KEY "\" already; nothing changed\n", o->config,
                       enable ? "names" : "does not name", o->plugin);
                buf_free(&old);
                return o->reload ? check_after_reload(o, enable) : EXIT_SUCCESS;
        } else {
                r = write_atomically(o->config, text, len, existed, new, new_len, backup, why, sizeof(why));
                free(new);
                if (r < 0) {
                        fprintf(stderr, PROG ": %s; %s is as it was\n", why, o->config);
                        buf_free(&old);
                        return EXIT_FAILURE;
                }
                if (enable)
                        printf("%s: added \"%s\" to \"" DAEMONJSON_KEY "\"%s\n", o->config, o->plugin,
                               existed ? "" : " (new file)");
                else
                        printf("%s: removed \"%s\" from \"" DAEMONJSON_KEY "\"\n", o->config, o->plugin);
                if (existed)
                        printf("the file before: %s\n", backup);
        }
        buf_free(&old);

        if (!o->reload) {
                printf("dockerd applies it when it reloads its configuration: systemctl reload docker "
                       "(or pass --reload); containers keep running\n");
                return EXIT_SUCCESS;
        }
        if (reload_dockerd(pid, how, sizeof(how)) < 0) {
                printf("not reloaded: %s; dockerd applies the file when it starts\n", how);
                return EXIT_SUCCESS;
        }
        printf("reloaded: %s\n", how);
        return check_after_reload(o, enable);
}

static int cmd_status(const struct options *o)
{
        char plugin_sock[300], version[64] = "", why[512] = "";
        struct daemonjson_error err = { "" };
        struct buf text;
        bool flag = false;

        snprintf(plugin_sock, sizeof(plugin_sock), PLUGIN_DIR "/%s.sock", o->plugin);
        int r = read_file(o->config, &text);
        if (r == -ENOENT)
                printf("%s: none (dockerd consults no authorization plugin from it)\n", o->config);
        else if (r < 0)
                printf("%s: cannot read it: %s\n", o->config, strerror(-r));
        else {
                int n = daemonjson_names(buf_str(&text), buf_len(&text), o->plugin, &err);
                printf("%s: %s\n", o->config, n < 0 ? err.text : n ? "names the plugin in \"" DAEMONJSON_KEY "\"" :
                                                     "does not name the plugin");
        }
        buf_free(&text);
        pid_t pid = find_dockerd(&flag);
        if (flag)
                printf("dockerd (pid %ld): started with --authorization-plugin\n", (long) pid);
        printf("plugin: %s on %s\n", socket_answers(plugin_sock) ? "answering" : "NOT answering", plugin_sock);

        char sha[65];
        unsigned long long serial = 0;
        r = plugin_policy(sha, &serial, why, sizeof(why));
        if (r == 0 && serial)
                printf("policy: in force serial %llu of the signed bundle (--policy-url), sha256 %s\n", serial, sha);
        else if (r == 0)
                printf("policy: in force sha256 %s (from %s; `arandu-authz policy --policy %s | sha256sum` for the file's)\n",
                       sha, POLICY_DEFAULT, POLICY_DEFAULT);
        else
                printf("policy: %s; the service reads %s\n", why, POLICY_DEFAULT);
        printf("audit log: %s%s\n", AUDIT_LOG_DEFAULT, access(AUDIT_LOG_DEFAULT, F_OK) == 0 ? "" : " (not there yet)");

        r = dockerd_enforces(o->plugin, version, sizeof(version), why, sizeof(why));
        if (r < 0) {
                printf("dockerd: cannot tell whether it enforces: %s\n", why);
                return EXIT_FAILURE;
        }
        print_enforcing(version, o->plugin, r == 1);
        return r ? EXIT_SUCCESS : EXIT_FAILURE;
}

int dockerd_main(int argc, char **argv)
{
        struct options o;

        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                usage(argc < 2 ? stderr : stdout);
                return argc < 2 ? EXIT_USAGE : EXIT_SUCCESS;
        }
        const char *what = argv[1];
        int r = parse_options(argc - 1, argv + 1, &o);
        if (r >= 0)
                return r;
        if (strcmp(what, "enable") == 0)
                return cmd_edit(&o, true);
        if (strcmp(what, "disable") == 0) {
                if (o.force) {
                        fprintf(stderr, PROG ": disable takes no --force\n");
                        return EXIT_USAGE;
                }
                return cmd_edit(&o, false);
        }
        if (strcmp(what, "status") == 0) {
                if (o.force || o.reload) {
                        fprintf(stderr, PROG ": status takes only --config and --plugin\n");
                        return EXIT_USAGE;
                }
                return cmd_status(&o);
        }
        fprintf(stderr, PROG ": unknown command %s (enable, disable or status)\n", what);
        return EXIT_USAGE;
}
