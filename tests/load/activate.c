/* A tiny socket activator for tests/load/run.sh: what systemd does for arandu-authz.socket with
 * Restart=always, RestartSec=0, and nothing else.
 *
 *   activate SOCK PIDFILE -- COMMAND ARGS...
 *
 * Creates the listening unix socket SOCK (mode 0600) and keeps it open for its whole life, then
 * runs COMMAND with the socket as fd 3 and LISTEN_FDS=1, LISTEN_PID=<its pid>, LISTEN_FDNAMES=authz
 * (sd_listen_fds(3)).  Whenever COMMAND dies it is started again at once, so connections made while
 * it is down wait in the socket's backlog instead of being refused.  PIDFILE always holds the pid
 * of the current COMMAND.  Each start is logged on stderr with its time.  SIGTERM or SIGINT:
 * SIGTERM to COMMAND, wait for it, remove SOCK and PIDFILE, exit 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_term, got_chld;

static void on_signal(int sig)
{
        if (sig == SIGCHLD)
                got_chld = 1;
        else
                got_term = 1;
}

static double now_s(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

static pid_t start(int lfd, const char *pidfile, char **cmd)
{
        pid_t pid = fork();

        if (pid < 0)
                return -1;
        if (pid == 0) {
                char pidbuf[32];
                sigset_t none;

                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                if (lfd != 3) {
                        if (dup2(lfd, 3) < 0)
                                _exit(127);
                        close(lfd);
                }   /* dup2 clears FD_CLOEXEC; fd 3 made without it otherwise */
                snprintf(pidbuf, sizeof(pidbuf), "%ld", (long) getpid());
                setenv("LISTEN_PID", pidbuf, 1);
                setenv("LISTEN_FDS", "1", 1);
                setenv("LISTEN_FDNAMES", "authz", 1);
                execvp(cmd[0], cmd);
                fprintf(stderr, "activate: cannot run %s: %s\n", cmd[0], strerror(errno));
                _exit(127);
        }
        FILE *f = fopen(pidfile, "we");
        if (f) {
                fprintf(f, "%ld\n", (long) pid);
                fclose(f);
        }
        return pid;
}

int main(int argc, char **argv)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct sigaction act = { .sa_handler = on_signal };
        sigset_t block, old;
        int lfd, starts = 0;

        if (argc < 5 || strcmp(argv[3], "--") != 0) {
                fprintf(stderr, "usage: activate SOCK PIDFILE -- COMMAND ARGS...\n");
                return 2;
        }
        const char *path = argv[1], *pidfile = argv[2];
        char **cmd = argv + 4;

        if (strlen(path) >= sizeof(sa.sun_path))
                return 2;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        lfd = socket(AF_UNIX, SOCK_STREAM, 0);   /* no CLOEXEC: it is passed on */
        if (lfd < 0)
                return 1;
        (void) unlink(path);
        mode_t um = umask(0177);
        if (bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(lfd, SOMAXCONN) < 0) {
                fprintf(stderr, "activate: %s: %s\n", path, strerror(errno));
                return 1;
        }
        umask(um);

        sigemptyset(&block);
        sigaddset(&block, SIGTERM);
        sigaddset(&block, SIGINT);
        sigaddset(&block, SIGCHLD);
        sigprocmask(SIG_BLOCK, &block, &old);
        sigaction(SIGTERM, &act, NULL);
        sigaction(SIGINT, &act, NULL);
        sigaction(SIGCHLD, &act, NULL);

        double t0 = now_s();
        pid_t child = start(lfd, pidfile, cmd);
        if (child < 0)
                return 1;
        starts++;
        fprintf(stderr, "activate: +%.3f s: started %ld (start %d)\n", now_s() - t0, (long) child, starts);

        for (;;) {
                while (!got_term && !got_chld)
                        sigsuspend(&old);   /* the signals are blocked everywhere else: no lost wake-up */
                if (got_term)
                        break;
                got_chld = 0;
                int st;
                pid_t w;
                while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
                        if (w != child)
                                continue;
                        fprintf(stderr, "activate: +%.3f s: %ld ended (%s %d); restarting\n", now_s() - t0,
                                (long) child, WIFSIGNALED(st) ? "signal" : "status",
                                WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
                        child = start(lfd, pidfile, cmd);
                        if (child < 0)
                                return 1;
                        starts++;
                        fprintf(stderr, "activate: +%.3f s: started %ld (start %d)\n", now_s() - t0,
                                (long) child, starts);
                }
        }
        kill(child, SIGTERM);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
                ;
        (void) unlink(path);
        (void) unlink(pidfile);
        fprintf(stderr, "activate: stopped after %d start(s)\n", starts);
        return 0;
}
