/* The end-to-end harness (see harness.h): setup, teardown whatever happens, raw HTTP, the CLIs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "tests/e2e/harness.h"
#include "tests/e2e/tests.h"

#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "policy/buf.h"

extern char **environ;

struct e2e E;
char V_CID[80];
char V_NET[64];

/* ---- tally ------------------------------------------------------------------------------------- */

static volatile sig_atomic_t n_pass, n_fail, n_skip, a_block, a_miss, o_pass, o_fail, n_seq;

static void vresult(enum kind k, bool ok, const char *fmt, va_list ap)
{
        char msg[600];
        vsnprintf(msg, sizeof(msg), fmt, ap);
        n_seq++;
        if (ok)
                n_pass++;
        else
                n_fail++;
        if (k == K_ATTACK) {
                if (ok)
                        a_block++;
                else
                        a_miss++;
        } else if (k == K_ORDINARY) {
                if (ok)
                        o_pass++;
                else
                        o_fail++;
        }
        printf("%s %d - %s%s\n", ok ? "ok" : "not ok", (int) n_seq,
               k == K_ATTACK ? "attack: " : k == K_ORDINARY ? "ordinary: " : "", msg);
        fflush(stdout);
        if (CU_get_current_suite())
                CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, 0, msg, "e2e", "", CU_FALSE);
}

void e2e_result(enum kind k, bool ok, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vresult(k, ok, fmt, ap);
        va_end(ap);
}

void e2e_skip(const char *fmt, ...)
{
        va_list ap;
        printf("# skip: ");
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        fflush(stdout);
        n_skip++;
}

void e2e_diag(const char *fmt, ...)
{
        char msg[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        for (char *line = msg, *nl; line && *line; line = nl) {
                nl = strchr(line, '\n');
                if (nl)
                        *nl++ = '\0';
                printf("#   %s\n", line);
        }
        fflush(stdout);
}

/* Async-signal-safe output helpers (used by the signal path too). */
static void put(const char *s)
{
        size_t n = strlen(s);
        while (n > 0) {
                ssize_t w = write(STDOUT_FILENO, s, n);
                if (w <= 0)
                        return;
                s += w;
                n -= (size_t) w;
        }
}

static void put_num(long v)
{
        char b[24];
        int i = (int) sizeof(b) - 1;
        bool neg = v < 0;
        unsigned long u = neg ? (unsigned long) -v : (unsigned long) v;
        b[i] = '\0';
        do {
                b[--i] = (char) ('0' + u % 10);
                u /= 10;
        } while (u && i > 1);
        if (neg)
                b[--i] = '-';
        put(b + i);
}

static void put_summary(void)
{
        put("attacks: ");
        put_num(a_block);
        put(" blocked, ");
        put_num(a_miss);
        put(" missed; ordinary: ");
        put_num(o_pass);
        put(" passed, ");
        put_num(o_fail);
        put(" failed; ");
        put_num(n_skip);
        put(" skipped\n");
        put_num(n_pass);
        put(" passed, ");
        put_num(n_fail);
        put(" failed\n");
}

int e2e_summary(void)
{
        fflush(stdout);
        put_summary();
        return (n_fail > 0 || a_miss > 0 || o_fail > 0 || n_pass == 0) ? 1 : 0;
}

/* ---- small string helpers (no allocation: usable from the teardown) ----------------------------- */

static size_t scat(char *buf, size_t size, const char *s)
{
        size_t len = strlen(buf), n = strlen(s);
        if (size == 0 || len >= size - 1)
                return len;
        if (n > size - 1 - len)
                n = size - 1 - len;
        memcpy(buf + len, s, n);
        buf[len + n] = '\0';
        return len + n;
}

static void sjoin(char *buf, size_t size, const char *a, const char *b)
{
        buf[0] = '\0';
        scat(buf, size, a);
        scat(buf, size, b);
}

static bool ours(void)
{
        return strncmp(E.t, "/tmp/arandu-e2e.", 16) == 0 && strlen(E.t) > 16;
}

/* ---- processes ----------------------------------------------------------------------------------- */

static bool alive(pid_t pid)
{
        char path[64] = "/proc/", num[24], buf[512];
        int i = (int) sizeof(num) - 1;
        num[i] = '\0';
        for (long v = pid; v && i > 0; v /= 10)
                num[--i] = (char) ('0' + v % 10);
        if (pid <= 0)
                return false;
        scat(path, sizeof(path), num + i);
        scat(path, sizeof(path), "/stat");
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return false;
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

static void msleep(long ms)
{
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Reap our own children without blocking; harmless for others. */
static void reap(pid_t pid)
{
        if (pid > 0)
                waitpid(pid, NULL, WNOHANG);
}

static bool wait_gone(pid_t pid, long ms)
{
        for (long t = 0; t < ms; t += 100) {
                reap(pid);
                if (!alive(pid))
                        return true;
                msleep(100);
        }
        reap(pid);
        return !alive(pid);
}

static void stop_pid(pid_t pid, long ms)
{
        if (pid <= 0 || !alive(pid))
                return;
        kill(pid, SIGTERM);
        if (!wait_gone(pid, ms)) {
                kill(pid, SIGKILL);
                wait_gone(pid, 5000);
        }
}

static char dents[65536];

/* Call fn(name) for each entry of a directory (no allocation). */
static void for_each_dirent(const char *dir, void (*fn)(const char *name, void *ctx), void *ctx)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        for (;;) {
                long n = syscall(SYS_getdents64, fd, dents, sizeof(dents));
                if (n <= 0)
                        break;
                for (long off = 0; off < n;) {
                        struct {
                                unsigned long long ino;
                                long long off;
                                unsigned short reclen;
                                unsigned char type;
                                char name[];
                        } *de = (void *) (dents + off);
                        if (de->name[0] != '.')
                                fn(de->name, ctx);
                        off += de->reclen;
                }
        }
        close(fd);
}

static bool all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* Does /proc/PID/cmdline mention our temp dir? */
static bool cmdline_is_ours(const char *pid)
{
        char path[64], buf[8192], tslash[80];
        sjoin(path, sizeof(path), "/proc/", pid);
        scat(path, sizeof(path), "/cmdline");
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return false;
        for (ssize_t i = 0; i < n; i++)
                if (buf[i] == '\0')
                        buf[i] = ' ';
        buf[n] = '\0';
        sjoin(tslash, sizeof(tslash), E.t, "/");
        if (strstr(buf, tslash))
                return true;
        sjoin(tslash, sizeof(tslash), E.t, " ");
        return strstr(buf, tslash) != NULL;
}

struct pidscan {
        int sig;
        int found;
};

static void scan_one(const char *name, void *ctx)
{
        struct pidscan *ps = ctx;
        if (!all_digits(name))
                return;
        long pid = strtol(name, NULL, 10);
        if (pid == getpid() || !cmdline_is_ours(name) || !alive((pid_t) pid))
                return;
        ps->found++;
        if (ps->sig)
                kill((pid_t) pid, ps->sig);
}

static int our_processes(int sig)
{
        struct pidscan ps = { sig, 0 };
        if (ours())
                for_each_dirent("/proc", scan_one, &ps);
        return ps.found;
}

/* Container processes outlive a SIGKILLed shim: kill what is left in their cgroups. */
static void kill_cgroup(const char *id, void *ctx)
{
        static const char *const ctrls[] = { "pids", "memory", "cpu", "freezer", "systemd", "unified", NULL };
        (void) ctx;
        for (int i = 0; ctrls[i]; i++) {
                char path[320], buf[4096];
                sjoin(path, sizeof(path), "/sys/fs/cgroup/", ctrls[i]);
                scat(path, sizeof(path), "/docker/");
                scat(path, sizeof(path), id);
                char procs[360];
                sjoin(procs, sizeof(procs), path, "/cgroup.procs");
                int fd = open(procs, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (n > 0) {
                        buf[n] = '\0';
                        for (char *p = buf; *p;) {
                                long pid = strtol(p, &p, 10);
                                if (pid > 1)
                                        kill((pid_t) pid, SIGKILL);
                                while (*p == '\n')
                                        p++;
                                if (pid <= 0)
                                        break;
                        }
                }
                msleep(50);
                rmdir(path);
        }
}

/* ---- mounts --------------------------------------------------------------------------------------- */

static char mountinfo[1 << 20];

/* Unmount (lazily if need be) every mount point at or under the temp dir; returns how many were
 * seen (with `do_umount` false, just count). */
static int our_mounts(bool do_umount)
{
        int seen = 0;
        if (!ours())
                return 0;
        size_t tl = strlen(E.t);
        int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        size_t len = 0;
        ssize_t n;
        while (len < sizeof(mountinfo) - 1 && (n = read(fd, mountinfo + len, sizeof(mountinfo) - 1 - len)) > 0)
                len += (size_t) n;
        close(fd);
        mountinfo[len] = '\0';
        /* Deepest first: walk the list backwards (later mounts sit on top of earlier ones). */
        char *end = mountinfo + len;
        while (end > mountinfo) {
                char *line = end - 1;
                while (line > mountinfo && line[-1] != '\n')
                        line--;
                char *le = end;
                end = line;
                /* the 5th field is the mount point */
                char *f = line;
                for (int i = 0; i < 4 && f < le; i++) {
                        f = memchr(f, ' ', (size_t) (le - f));
                        if (!f)
                                break;
                        f++;
                }
                if (!f || f >= le)
                        continue;
                char *fe = memchr(f, ' ', (size_t) (le - f));
                if (!fe)
                        continue;
                size_t fl = (size_t) (fe - f);
                if (fl < tl || memcmp(f, E.t, tl) != 0 || (fl > tl && f[tl] != '/'))
                        continue;
                seen++;
                if (do_umount) {
                        char mp[512];
                        if (fl >= sizeof(mp))
                                continue;
                        memcpy(mp, f, fl);
                        mp[fl] = '\0';
                        if (umount2(mp, 0) < 0)
                                umount2(mp, MNT_DETACH);
                }
        }
        return seen;
}

/* execve with const arrays: exec never writes to them (POSIX keeps char *const[] for history). */
static void exec_const(const char *path, const char *const *argv, const char *const *envp)
{
        union {
                const char *const *c;
                char *const *m;
        } a = { argv }, e = { envp };
        execve(path, a.m, e.m);
}

/* ---- teardown ------------------------------------------------------------------------------------- */

static volatile sig_atomic_t torn_down;

void e2e_teardown(void)
{
        sigset_t all, old;
        if (torn_down || !ours())
                return;
        torn_down = 1;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);

        if (E.child_pid > 0) {
                kill(E.child_pid, SIGKILL);
                wait_gone(E.child_pid, 2000);
        }
        /* 1. dockerd: it stops its containers (--shutdown-timeout), then its containerd. */
        stop_pid(E.dockerd_pid, 60000);
        /* 2. the plugin and helpers. */
        stop_pid(E.plugin_pid, 10000);
        stop_pid(E.helper_pid, 5000);
        /* 3. anything else of ours (containerd and shims after a SIGKILLed dockerd). */
        if (our_processes(SIGTERM)) {
                msleep(2000);
                our_processes(SIGKILL);
                msleep(500);
        }
        char cdir[200];
        sjoin(cdir, sizeof(cdir), E.data, "/containers");
        for_each_dirent(cdir, kill_cgroup, NULL);
        /* The user network's bridge outlives dockerd. */
        if (E.bridge[0]) {
                static const char *const ips[] = { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip", NULL };
                for (int i = 0; ips[i]; i++) {
                        if (access(ips[i], X_OK) != 0)
                                continue;
                        pid_t pid = fork();
                        if (pid == 0) {
                                const char *const argv[] = { ips[i], "link", "delete", E.bridge, NULL };
                                const char *const envp[] = { NULL };
                                int dn = open("/dev/null", O_WRONLY);
                                if (dn >= 0) {
                                        dup2(dn, 1);
                                        dup2(dn, 2);
                                }
                                exec_const(ips[i], argv, envp);
                                _exit(127);
                        }
                        if (pid > 0)
                                waitpid(pid, NULL, 0);
                        break;
                }
        }
        /* 4. mounts under the temp dir. */
        for (int i = 0; i < 5 && our_mounts(true) > 0; i++)
                ;
        /* 5. the spec file. */
        if (E.spec_written)
                unlink(E.spec);
        /* 6. the temp dir, never across a mount that would not go away. */
        if (getenv("E2E_KEEP") && strcmp(getenv("E2E_KEEP"), "1") == 0) {
                put("# E2E_KEEP=1: kept ");
                put(E.t);
                put("\n");
        } else {
                pid_t pid = fork();
                if (pid == 0) {
                        const char *const argv[] = { "rm", "-rf", "--one-file-system", E.t, NULL };
                        const char *const envp[] = { NULL };
                        exec_const("/bin/rm", argv, envp);
                        _exit(127);
                }
                if (pid > 0)
                        waitpid(pid, NULL, 0);
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
}

bool e2e_verify_clean(char *why, size_t size)
{
        struct stat st;
        why[0] = '\0';
        if (!ours())
                return true;
        if (our_processes(0))
                scat(why, size, "processes; ");
        if (our_mounts(false))
                scat(why, size, "mounts; ");
        if (E.spec_written && lstat(E.spec, &st) == 0)
                scat(why, size, "spec file; ");
        if (!(getenv("E2E_KEEP") && strcmp(getenv("E2E_KEEP"), "1") == 0) && lstat(E.t, &st) == 0)
                scat(why, size, "temp dir; ");
        return why[0] == '\0';
}

static void on_signal(int sig)
{
        put("not ok - interrupted by signal ");
        put_num(sig);
        put("\nBail out! interrupted\n");
        n_fail++;
        e2e_teardown();
        put_summary();
        signal(sig, SIG_DFL);
        raise(sig);
        _exit(128 + sig);
}

static void on_exit_teardown(void)
{
        e2e_teardown();
}

/* ---- commands ------------------------------------------------------------------------------------- */

static void read_file(const char *path, char *buf, size_t size)
{
        buf[0] = '\0';
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        size_t len = 0;
        ssize_t n;
        while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
                len += (size_t) n;
        buf[len] = '\0';
        close(fd);
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
                buf[--len] = '\0';
}

int run_cmd(struct cmd_res *r, int timeout_s, const char *const *argv)
{
        char outp[160], errp[160];
        snprintf(outp, sizeof(outp), "%s/cmd.out", E.t);
        snprintf(errp, sizeof(errp), "%s/cmd.err", E.t);
        r->status = -1;
        r->out[0] = r->err[0] = '\0';
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (o < 0 || e < 0 || in < 0)
                        _exit(126);
                dup2(in, 0);
                dup2(o, 1);
                dup2(e, 2);
                setpgid(0, 0);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                exec_const(argv[0], argv, (const char *const *) environ);
                _exit(127);
        }
        E.child_pid = pid;
        int st = 0;
        long waited = 0;
        for (;;) {
                pid_t w = waitpid(pid, &st, WNOHANG);
                if (w == pid)
                        break;
                if (w < 0 && errno != EINTR) {
                        E.child_pid = 0;
                        return -1;
                }
                if (waited >= (long) timeout_s * 1000) {
                        kill(-pid, SIGKILL);
                        kill(pid, SIGKILL);
                        waitpid(pid, &st, 0);
                        E.child_pid = 0;
                        r->status = 124;
                        read_file(outp, r->out, sizeof(r->out));
                        read_file(errp, r->err, sizeof(r->err));
                        return r->status;
                }
                msleep(waited < 1000 ? 10 : 50);
                waited += waited < 1000 ? 10 : 50;
        }
        E.child_pid = 0;
        r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        read_file(outp, r->out, sizeof(r->out));
        read_file(errp, r->err, sizeof(r->err));
        return r->status;
}

int cli(struct cmd_res *r, int timeout_s, const char *docker, ...)
{
        const char *argv[64];
        int n = 0;
        va_list ap;
        argv[n++] = docker;
        va_start(ap, docker);
        for (const char *a; n < 63 && (a = va_arg(ap, const char *));)
                argv[n++] = a;
        va_end(ap);
        argv[n] = NULL;
        return run_cmd(r, timeout_s, argv);
}

bool cli_denied(const struct cmd_res *r)
{
        char needle[128];
        snprintf(needle, sizeof(needle), "authorization denied by plugin %s", E.name);
        return r->status != 0 && strstr(r->err, needle) != NULL;
}

/* ---- HTTP ------------------------------------------------------------------------------------------- */

#define SINK_MAX (4u << 20)   /* a body kept for the checks: at most 4 MiB, the rest swallowed */

static size_t sink_write(char *p, size_t sz, size_t nm, void *ud)
{
        struct buf *s = ud;
        size_t n = sz * nm;
        size_t keep = n < buf_avail(s) ? n : buf_avail(s);
        if (buf_append(s, p, keep) < 0)
                return 0;                      /* out of memory: curl aborts the transfer */
        return n;
}

struct source {
        const char *p;
        size_t left;
};

static size_t source_read(char *buf, size_t sz, size_t nm, void *ud)
{
        struct source *s = ud;
        size_t n = sz * nm;
        if (n > s->left)
                n = s->left;
        if (n > 4096)
                n = 4096;                      /* several chunks */
        memcpy(buf, s->p, n);
        s->p += n;
        s->left -= n;
        return n;
}

long http(const char *method, const char *target, const char *const *headers, const char *body,
          size_t len, unsigned flags, long timeout_s, struct http_res *r)
{
        struct buf s;
        struct source src = { body, len };
        struct curl_slist *hl = NULL;
        bool have_ct = false;
        CURL *c = curl_easy_init();

        buf_init(&s, 256, SINK_MAX);
        r->status = 0;
        r->body = NULL;
        r->len = 0;
        if (!c) {
                r->body = strdup("");
                return 0;
        }
        for (size_t i = 0; headers && headers[i]; i++) {
                if (strncasecmp(headers[i], "Content-Type:", 13) == 0)
                        have_ct = true;
                hl = curl_slist_append(hl, headers[i]);
        }
        if (body && !have_ct && !(flags & HTTP_NO_CT))
                hl = curl_slist_append(hl, "Content-Type: application/json");
        if (flags & HTTP_NO_CT)
                hl = curl_slist_append(hl, "Content-Type:");
        hl = curl_slist_append(hl, "Expect:");
        if (flags & HTTP_CHUNKED)
                hl = curl_slist_append(hl, "Transfer-Encoding: chunked");

        curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, E.dsock);
        curl_easy_setopt(c, CURLOPT_URL, "http://docker/");
        curl_easy_setopt(c, CURLOPT_REQUEST_TARGET, target);
        curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        if (body) {
                curl_easy_setopt(c, CURLOPT_POST, 1L);
                if (flags & HTTP_CHUNKED) {
                        curl_easy_setopt(c, CURLOPT_READFUNCTION, source_read);
                        curl_easy_setopt(c, CURLOPT_READDATA, &src);
                } else {
                        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
                        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
                }
        } else if (strcmp(method, "POST") == 0) {
                curl_easy_setopt(c, CURLOPT_POST, 1L);
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
        }
        if (strcmp(method, "HEAD") == 0)
                curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        else
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);

        if (curl_easy_perform(c) == CURLE_OK)
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        curl_slist_free_all(hl);
        curl_easy_cleanup(c);
        if (buf_steal(&s, &r->body, &r->len) < 0)
                r->body = strdup("");
        return r->status;
}

void http_free(struct http_res *r)
{
        free(r->body);
        r->body = NULL;
}

json_t *http_get_json(const char *path)
{
        struct http_res r;
        char target[512];
        snprintf(target, sizeof(target), "%s%s", E2E_API, path);
        http("GET", target, NULL, NULL, 0, 0, 30, &r);
        json_t *v = r.status == 200 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
        http_free(&r);
        return v;
}

bool denied_by_plugin(const struct http_res *r)
{
        char needle[128];
        snprintf(needle, sizeof(needle), "authorization denied by plugin %s", E.name);
        return r->status == 403 && r->body && strstr(r->body, needle) != NULL;
}

void denied_rules(const char *text, char *buf, size_t size)
{
        char needle[128];
        buf[0] = '\0';
        snprintf(needle, sizeof(needle), "authorization denied by plugin %s: ", E.name);
        const char *p = text ? strstr(text, needle) : NULL;
        if (!p)
                return;
        /* each violation is a "; "-separated clause "rule: text"; a clause of a text's own ("; set
         * --memory ...") does not start with a lowercase id and a colon */
        for (p += strlen(needle); p && *p; p = strstr(p, "; "), p = p ? p + 2 : NULL) {
                size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
                if (n == 0 || p[n] != ':' || p[n + 1] != ' ')
                        continue;
                char id[64], listed[600];
                snprintf(id, sizeof(id), ",%.*s,", (int) n, p);
                snprintf(listed, sizeof(listed), ",%s,", buf);
                if (strstr(listed, id))   /* each once */
                        continue;
                size_t len = strlen(buf);
                snprintf(buf + len, size - len, "%s%.*s", len ? "," : "", (int) n, p);
        }
}

void rm_container(const char *id)
{
        struct http_res r;
        char target[256];
        snprintf(target, sizeof(target), E2E_API "/containers/%s?force=1&v=1", id);
        http("DELETE", target, NULL, NULL, 0, 0, 30, &r);
        http_free(&r);
}

bool e2e_running(const char *id)
{
        json_t *v = inspect_container(id);
        bool r = json_is_true(json_object_get(json_object_get(v, "State"), "Running"));
        json_decref(v);
        return r;
}

bool e2e_restart_plugin(const char *policy_file)
{
        e2e_plugin_stop();
        bool ok = e2e_plugin_start(policy_file) == 0;
        if (!ok)
                e2e_result(K_OTHER, false, "the plugin restarts with policy %s", policy_file ? policy_file : "(defaults)");
        return ok;
}

int e2e_job(struct cmd_res *r, int timeout_s, const struct e2e_job *job)
{
        static const char *const sleep_cmd[] = { "sleep", "600", NULL };
        const char *argv[64];
        bool own_network = false;
        size_t n = 0;

        for (size_t i = 0; job->extra && job->extra[i]; i++)
                own_network |= strcmp(job->extra[i], "--network") == 0;
        argv[n++] = job->cli ? job->cli : E.clis[0];
        argv[n++] = job->verb ? job->verb : "create";
        argv[n++] = "--pull";
        argv[n++] = "never";
        if (job->name) {
                argv[n++] = "--name";
                argv[n++] = job->name;
        }
        for (size_t i = 0; OK_FLAGS[i]; i++) {
                if (own_network && strcmp(OK_FLAGS[i], "--network") == 0 && OK_FLAGS[i + 1]) {
                        i++;
                        continue;
                }
                if (job->writable && strcmp(OK_FLAGS[i], "--read-only") == 0)
                        continue;
                argv[n++] = job->user && i > 0 && strcmp(OK_FLAGS[i - 1], "--user") == 0 ? job->user : OK_FLAGS[i];
        }
        for (size_t i = 0; job->extra && job->extra[i] && n < 48; i++)
                argv[n++] = job->extra[i];
        argv[n++] = job->image ? job->image : "bb";
        for (const char *const *c = job->cmd ? job->cmd : sleep_cmd; *c && n < 63; c++)
                argv[n++] = *c;
        argv[n] = NULL;
        return run_cmd(r, timeout_s, argv);
}

void expand(const char *tpl, char *out, size_t size)
{
        size_t o = 0;
        out[0] = '\0';
        for (const char *p = tpl; *p && o + 1 < size;) {
                const char *rep = NULL;
                size_t skip = 0;
                if (p[0] == '@') {
                        if (strncmp(p, "@CID", 4) == 0) { rep = V_CID; skip = 4; }
                        else if (strncmp(p, "@NET", 4) == 0) { rep = V_NET; skip = 4; }
                        else if (p[1] == 'R') { rep = E.repos; skip = 2; }
                        else if (p[1] == 'A') { rep = E.arts; skip = 2; }
                        else if (p[1] == 'T') { rep = E.t; skip = 2; }
                }
                if (rep) {
                        out[o] = '\0';
                        o = scat(out, size, rep);
                        p += skip;
                } else {
                        out[o++] = *p++;
                }
        }
        out[o < size ? o : size - 1] = '\0';
}

/* ---- setup ---------------------------------------------------------------------------------------- */

static int write_file(const char *path, const char *text, mode_t mode)
{
        FILE *f = fopen(path, "we");
        if (!f)
                return -1;
        fputs(text, f);
        if (fclose(f) != 0)
                return -1;
        return chmod(path, mode);
}

const char *e2e_policy_file(const char *tag, const char *json)
{
        static char paths[8][160];
        static int n;
        char *p = paths[n++ % 8];
        snprintf(p, 160, "%s/policy-%s.json", E.t, tag);
        if (write_file(p, json, 0644) < 0)
                return NULL;
        return p;
}

static pid_t spawn(const char *const *argv, const char *log, bool new_session)
{
        fflush(stdout);
        pid_t pid = fork();
        if (pid != 0)
                return pid;
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || in < 0)
                _exit(126);
        dup2(in, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (new_session)
                setsid();
        /* If the harness dies without its teardown (SIGKILL), stop with it. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        exec_const(argv[0], argv, (const char *const *) environ);
        _exit(127);
}

pid_t e2e_spawn(const char *const *argv)
{
        char log[160];
        snprintf(log, sizeof(log), "%s/helper.log", E.t);
        return spawn(argv, log, true);
}

int e2e_plugin_start(const char *policy_file)
{
        const char *argv[12];
        int n = 0;
        argv[n++] = E.bin;
        argv[n++] = "serve";
        argv[n++] = "--socket";
        argv[n++] = E.psock;
        argv[n++] = "--audit-log";
        argv[n++] = E.audit;
        if (policy_file) {
                argv[n++] = "--policy";
                argv[n++] = policy_file;
        }
        argv[n] = NULL;
        unlink(E.psock);
        E.plugin_pid = spawn(argv, E.plugin_log, true);
        if (E.plugin_pid < 0)
                return -1;
        for (int i = 0; i < 150; i++) {
                struct stat st;
                if (lstat(E.psock, &st) == 0 && S_ISSOCK(st.st_mode))
                        return 0;
                if (!alive(E.plugin_pid))
                        return -1;
                msleep(100);
        }
        return -1;
}

int e2e_plugin_stop(void)
{
        if (E.plugin_pid <= 0)
                return 0;
        kill(E.plugin_pid, SIGTERM);
        bool gone = wait_gone(E.plugin_pid, 10000);
        if (!gone)
                stop_pid(E.plugin_pid, 1000);
        waitpid(E.plugin_pid, NULL, WNOHANG);
        E.plugin_pid = 0;
        return gone ? 0 : -1;
}

static int mkdirs(const char *path, mode_t mode)
{
        char tmp[512];
        snprintf(tmp, sizeof(tmp), "%s", path);
        for (char *p = tmp + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(tmp, mode) < 0 && errno != EEXIST)
                        return -1;
                *p = '/';
        }
        return mkdir(tmp, mode) < 0 && errno != EEXIST ? -1 : 0;
}

/* The image: busybox-static with its applets, imported (never pulled).  `passwd` is /etc/passwd;
 * `extra`, when not NULL, is a shell command run with $R the root before it is packed. */
int e2e_import_image_with(const char *tag, const char *passwd, const char *const *changes, const char *extra)
{
        char root[200], cmd[2000], tar[200];
        struct cmd_res *r = malloc(sizeof(*r));
        if (!r)
                return -1;
        snprintf(root, sizeof(root), "%s/rootfs-%s", E.t, tag);
        snprintf(tar, sizeof(tar), "%s/rootfs-%s.tar", E.t, tag);
        for (char *p = root + strlen(E.t); *p; p++)
                if (*p == ':')
                        *p = '_';
        for (char *p = tar + strlen(E.t); *p; p++)
                if (*p == ':')
                        *p = '_';
        snprintf(cmd, sizeof(cmd),
                 "set -e; R='%s'; mkdir -p \"$R/bin\" \"$R/etc\" \"$R/tmp\" \"$R/root\"; B=$(command -v busybox);"
                 "cp \"$B\" \"$R/bin/busybox\"; for a in $(\"$B\" --list); do case \"$a\" in busybox|*/*) ;; "
                 "*) ln -sf busybox \"$R/bin/$a\";; esac; done; printf '%%s' '%s' > \"$R/etc/passwd\";"
                 "printf 'root:x:0:\\narandu-user:x:1000:\\n' > \"$R/etc/group\"; chmod 1777 \"$R/tmp\"; %s;"
                 "tar --numeric-owner -C \"$R\" -cf '%s' .",
                 root, passwd, extra ? extra : ":", tar);
        const char *sh[] = { "/bin/sh", "-c", cmd, NULL };
        if (run_cmd(r, 120, sh) != 0) {
                e2e_diag("building the rootfs failed: %s", r->err);
                free(r);
                return -1;
        }
        const char *argv[24];
        int n = 0;
        argv[n++] = E.clis[0];
        argv[n++] = "import";
        for (size_t i = 0; changes && changes[i] && n < 18; i++) {
                argv[n++] = "--change";
                argv[n++] = changes[i];
        }
        argv[n++] = tar;
        argv[n++] = tag;
        argv[n] = NULL;
        int rc = run_cmd(r, 120, argv);
        if (rc != 0)
                e2e_diag("docker import %s: %s", tag, r->err);
        free(r);
        return rc == 0 ? 0 : -1;
}

int e2e_import_image(const char *tag, const char *passwd, const char *const *changes)
{
        return e2e_import_image_with(tag, passwd, changes, NULL);
}

/* The image with /bin/euid (tests/e2e/euid.c, built static next to this program) setuid root. */
int e2e_import_suid_image(const char *tag)
{
        char self[PATH_MAX], extra[PATH_MAX + 200];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0)
                return -1;
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (!slash)
                return -1;
        *slash = '\0';
        snprintf(extra, sizeof(extra), "cp '%s/euid' \"$R/bin/euid\" && chown 0:0 \"$R/bin/euid\" && chmod 4755 \"$R/bin/euid\"", self);
        return e2e_import_image_with(tag, "root:x:0:0:root:/root:/bin/sh\narandu-user:x:1000:1000::/tmp:/bin/sh\n", NULL, extra);
}

static int wait_dockerd(void)
{
        for (int i = 0; i < 600; i++) {
                struct http_res r;
                http("GET", "/_ping", NULL, NULL, 0, 0, 20, &r);
                long st = r.status;
                http_free(&r);
                if (st == 200)
                        return 0;
                if (st != 0) {
                        e2e_diag("dockerd answers /_ping with HTTP %ld", st);
                        return -1;
                }
                if (!alive(E.dockerd_pid))
                        return -1;
                msleep(100);
        }
        return -1;
}

int e2e_setup(const char *plugin_bin)
{
        struct sigaction sa;
        char tmpl[] = "/tmp/arandu-e2e.XXXXXX";

        if (geteuid() != 0) {
                e2e_diag("must run as root (it starts a private dockerd)");
                return -1;
        }
        if (!realpath(plugin_bin, E.bin) || access(E.bin, X_OK) != 0) {
                e2e_diag("%s is not an executable (run make first)", plugin_bin);
                return -1;
        }
        /* The engine: E2E_ENGINE names an unpacked root (tests/engines/engine.sh), unset the system's. */
        const char *eng = getenv("E2E_ENGINE");
        if (eng && *eng && !realpath(eng, E.engine)) {
                e2e_diag("E2E_ENGINE=%s: %s", eng, strerror(errno));
                return -1;
        }
        snprintf(E.dockerd, sizeof(E.dockerd), "%s/usr/sbin/dockerd", E.engine);
        snprintf(E.engine_cli, sizeof(E.engine_cli), "%s/usr/bin/docker", E.engine);
        if (access(E.dockerd, X_OK) != 0) {
                e2e_diag("dockerd not found at %s (make deps installs docker.io, make engines the newer ones)", E.dockerd);
                return -1;
        }
        if (E.engine[0]) {
                /* dockerd starts the containerd and shims it finds first on PATH (runc stays Debian 12's). */
                char *path = NULL;
                const char *old = getenv("PATH");
                if (asprintf(&path, "%s/usr/bin:%s/usr/sbin:%s", E.engine, E.engine,
                             old ? old : "/usr/sbin:/usr/bin:/sbin:/bin") < 0)
                        return -1;
                setenv("PATH", path, 1);
                free(path);
        }
        if (access(E.engine_cli, X_OK) == 0)
                E.clis[E.n_clis++] = E.engine_cli;
        if (strcmp(E.engine_cli, "/usr/local/bin/docker") != 0 && access("/usr/local/bin/docker", X_OK) == 0)
                E.clis[E.n_clis++] = "/usr/local/bin/docker";
        if (E.n_clis == 0) {
                e2e_diag("no docker CLI found");
                return -1;
        }
        /* Nothing from the caller's environment may change the policy or where the CLI connects. */
        static const char *const unset[] = { "DOCKER_USER", "DOCKER_USER_UID", "DOCKER_CPU_LIMIT",
                "DOCKER_MEMORY_LIMIT", "DOCKER_NETWORK_MODE", "DOCKER_READONLY_ROOTFS", "DOCKER_ALLOWLIST_DOMAINS",
                "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_API_VERSION",
                "DOCKER_DEFAULT_PLATFORM", "DOCKER_CONTENT_TRUST", "DOCKER_BUILDKIT", NULL };
        for (int i = 0; unset[i]; i++)
                unsetenv(unset[i]);

        if (!mkdtemp(tmpl)) {
                e2e_diag("mkdtemp: %s", strerror(errno));
                return -1;
        }
        snprintf(E.t, sizeof(E.t), "%s", tmpl);
        snprintf(E.name, sizeof(E.name), "arandu-authz-e2ec-%d", (int) getpid());
        snprintf(E.bridge, sizeof(E.bridge), "e2ebr%d", (int) (getpid() % 10000000));
        snprintf(E.psock, sizeof(E.psock), "%s/plugin.sock", E.t);
        snprintf(E.dsock, sizeof(E.dsock), "%s/docker.sock", E.t);
        snprintf(E.data, sizeof(E.data), "%s/data", E.t);
        snprintf(E.exec, sizeof(E.exec), "%s/exec", E.t);
        snprintf(E.pidfile, sizeof(E.pidfile), "%s/dockerd.pid", E.t);
        snprintf(E.spec, sizeof(E.spec), "/etc/docker/plugins/%s.spec", E.name);
        snprintf(E.repos, sizeof(E.repos), "%s/repos", E.t);
        snprintf(E.arts, sizeof(E.arts), "%s/artifacts", E.t);
        snprintf(E.audit, sizeof(E.audit), "%s/audit.log", E.t);
        snprintf(E.plugin_log, sizeof(E.plugin_log), "%s/plugin.log", E.t);
        snprintf(E.dockerd_log, sizeof(E.dockerd_log), "%s/dockerd.log", E.t);

        /* From here on, teardown undoes whatever was done. */
        atexit(on_exit_teardown);
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigfillset(&sa.sa_mask);
        const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                sigaction(sigs[i], &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        char buf[600];
        snprintf(buf, sizeof(buf), "unix://%s", E.dsock);
        setenv("DOCKER_HOST", buf, 1);           /* the CLIs, and the plugin's own look-ups */
        snprintf(buf, sizeof(buf), "%s/cli-config", E.t);
        setenv("DOCKER_CONFIG", buf, 1);         /* no user CLI config, contexts or credentials */
        mkdirs(buf, 0700);
        setenv("DOCKER_REPOS_DIR", E.repos, 1);
        setenv("DOCKER_ARTIFACTS_DIR", E.arts, 1);
        snprintf(buf, sizeof(buf), "%s/tmp", E.t);
        mkdirs(buf, 0700);

        snprintf(buf, sizeof(buf), "%s/demo", E.repos);
        if (mkdirs(buf, 0755) < 0 || mkdirs(E.data, 0700) < 0 || mkdirs(E.exec, 0700) < 0)
                return -1;
        snprintf(buf, sizeof(buf), "%s/demo/README", E.repos);
        write_file(buf, "hello from the repository\n", 0644);
        /* the deployment the README asks for: the artifacts root on a nosuid,nodev mount (archive
         * uploads are denied otherwise); teardown unmounts it */
        if (mkdirs(E.arts, 0755) < 0 || mount("arandu-e2e-artifacts", E.arts, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                return -1;
        snprintf(buf, sizeof(buf), "%s/demo", E.arts);
        mkdirs(buf, 0755);
        if (chown(buf, 1000, 1000) < 0)
                return -1;
        /* Symlinks that escape the allowed roots. */
        snprintf(buf, sizeof(buf), "%s/link-root", E.repos);
        if (symlink("/", buf) < 0)
                return -1;
        snprintf(buf, sizeof(buf), "%s/link-etc", E.arts);
        if (symlink("/etc", buf) < 0)
                return -1;
        snprintf(E.strict_policy, sizeof(E.strict_policy), "%s/policy-strict.json", E.t);
        write_file(E.strict_policy, "{}\n", 0644);
        snprintf(buf, sizeof(buf), "%s/daemon.json", E.t);
        char dj[300];
        snprintf(dj, sizeof(dj), "{\"deprecated-key-path\": \"%s/key.json\"}\n", E.t);
        write_file(buf, dj, 0644);

        if (e2e_plugin_start(NULL) < 0) {
                e2e_diag("the plugin did not create its socket %s within 15 s", E.psock);
                return -1;
        }
        mkdirs("/etc/docker/plugins", 0755);
        E.spec_written = true;
        snprintf(buf, sizeof(buf), "unix://%s\n", E.psock);
        if (write_file(E.spec, buf, 0644) < 0)
                return -1;

        char cfg[200], host[200], authz[128], tmpdir[200], pool[80];
        snprintf(cfg, sizeof(cfg), "%s/daemon.json", E.t);
        snprintf(host, sizeof(host), "unix://%s", E.dsock);
        snprintf(authz, sizeof(authz), "--authorization-plugin=%s", E.name);
        snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", E.t);
        setenv("TMPDIR", tmpdir, 1);             /* containerd's stack dumps stay in our dir */
        /* Its own address pool: dockerds side by side never hand out the same subnet. */
        snprintf(pool, sizeof(pool), "base=10.%d.0.0/16,size=24", 100 + (int) (getpid() % 150));
        const char *dargv[] = { E.dockerd, "--config-file", cfg, "--data-root", E.data, "--exec-root", E.exec,
                "--pidfile", E.pidfile, "-H", host, authz, "--bridge=none", "--iptables=false",
                "--ip-forward=false", "--ip-masq=false", "--userland-proxy=false", "--shutdown-timeout", "3",
                "--default-address-pool", pool, NULL };
        E.dockerd_pid = spawn(dargv, E.dockerd_log, true);
        unsetenv("TMPDIR");
        if (E.dockerd_pid < 0 || wait_dockerd() < 0) {
                e2e_diag("the private dockerd did not answer /_ping within 60 s (see %s)", E.dockerd_log);
                return -1;
        }
        static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\narandu-user:x:1000:1000::/tmp:/bin/sh\n";
        if (e2e_import_image("bb:latest", passwd, NULL) < 0)
                return -1;
        return 0;
}

json_t *inspect_container(const char *id)
{
        char path[256];
        snprintf(path, sizeof(path), "/containers/%s/json", id);
        return http_get_json(path);
}

static json_t *json_path(json_t *v, const char *path, size_t len)
{
        char key[256];
        size_t i = 0;
        while (v && i < len) {
                if (path[i] == '.') {
                        i++;
                        continue;
                }
                if (path[i] == '[') {
                        size_t idx = (size_t) strtoul(path + i + 1, NULL, 10);
                        v = json_is_array(v) ? json_array_get(v, idx) : NULL;
                        while (i < len && path[i] != ']')
                                i++;
                        i++;
                        continue;
                }
                size_t k = 0;
                while (i < len && path[i] != '.' && path[i] != '[' && k + 1 < sizeof(key))
                        key[k++] = path[i++];
                key[k] = '\0';
                v = json_is_object(v) ? json_object_get(v, key) : NULL;
        }
        return v;
}

bool json_holds(json_t *root, const char *spec, char *what, size_t size)
{
        const char *s = spec;
        what[0] = '\0';
        while (s && *s) {
                const char *end = strchr(s, ';');
                size_t n = end ? (size_t) (end - s) : strlen(s);
                size_t op = strcspn(s, "=~!");
                if (op < n) {
                        char opc = s[op];
                        size_t vstart = op + (opc == '!' ? 2 : 1);
                        char want[512];
                        size_t wl = n > vstart ? n - vstart : 0;
                        if (wl >= sizeof(want))
                                wl = sizeof(want) - 1;
                        memcpy(want, s + vstart, wl);
                        want[wl] = '\0';
                        json_t *v = json_path(root, s, op);
                        char *dump = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS) : strdup("(absent)");
                        bool held = false;
                        if (dump) {
                                if (opc == '=')
                                        held = strcmp(dump, want) == 0;
                                else if (opc == '!')
                                        held = v && strcmp(dump, want) != 0;
                                else
                                        held = strstr(dump, want) != NULL;
                                if (held)
                                        snprintf(what, size, "%.*s is %.300s", (int) op, s, dump);
                                free(dump);
                        }
                        if (held)
                                return true;
                }
                s = end ? end + 1 : NULL;
        }
        return false;
}
