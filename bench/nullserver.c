/* The null AuthZ server: the floor the plugin is measured against.
 *
 * Usage: nullserver --socket PATH
 *
 * Same framework and the same choices as authz/server.c, minus the decision: libmicrohttpd on a
 * unix socket (0600, SOMAXCONN backlog) with MHD_USE_EPOLL_INTERNAL_THREAD, a thread pool of one
 * thread per online CPU, the plugin's connection limit and timeout, HTTP/1.1 keep-alive.  For each
 * request it lets libmicrohttpd read the whole body (and discards it: no copy, no parse) and answers
 * {"Allow":true} with the plugin's Content-Type, built the way the plugin builds its allow answer
 * ({"Implements":["authz"]} to /Plugin.Activate, so that a dockerd can use it as its AuthZ plugin).
 * It stops on SIGTERM/SIGINT and removes its socket. */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "authz/server.h"

static char json_allow[] = "{\"Allow\":true}";
static char json_activate[] = "{\"Implements\":[\"authz\"]}";
static int marker;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
        (void) cls;
        (void) method;
        (void) version;
        (void) upload_data;

        if (!*con_cls) {
                *con_cls = &marker;
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                *upload_data_size = 0;   /* read and dropped */
                return MHD_YES;
        }
        /* Activation too, so that a dockerd can use it as an AuthZ plugin (bench.sh, end to end). */
        char *answer = strcmp(url, "/Plugin.Activate") == 0 ? json_activate : json_allow;
        struct MHD_Response *resp =
                MHD_create_response_from_buffer(strlen(answer), answer, MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return MHD_NO;
        if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    "application/vnd.docker.plugins.v1.2+json") != MHD_YES) {
                MHD_destroy_response(resp);
                return MHD_NO;
        }
        enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
        MHD_destroy_response(resp);
        return ret;
}

static unsigned pool_size(void)
{
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n < 1)
                return 1;
        return n > 64 ? 64 : (unsigned) n;
}

int main(int argc, char **argv)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        sigset_t set;
        int sig;

        if (argc != 3 || strcmp(argv[1], "--socket") != 0 || strlen(argv[2]) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "usage: nullserver --socket PATH\n");
                return 2;
        }
        const char *path = argv[2];
        memcpy(sa.sun_path, path, strlen(path) + 1);

        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &set, NULL);

        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return perror("socket"), 1;
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
                unlink(path);
        mode_t old = umask(0177);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return perror("bind"), 1;
        umask(old);
        if (listen(fd, SOMAXCONN) < 0)
                return perror("listen"), 1;

        struct MHD_Daemon *d = MHD_start_daemon(
                MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, NULL,
                MHD_OPTION_LISTEN_SOCKET, (MHD_socket) fd,
                MHD_OPTION_THREAD_POOL_SIZE, pool_size(),
                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) SERVER_CONNECTION_TIMEOUT_S,
                MHD_OPTION_CONNECTION_LIMIT, (unsigned) SERVER_CONNECTION_LIMIT,
                MHD_OPTION_END);
        if (!d) {
                fprintf(stderr, "nullserver: cannot start libmicrohttpd\n");
                unlink(path);
                return 1;
        }
        do
                sig = sigwaitinfo(&set, NULL);
        while (sig == SIGPIPE || (sig < 0 && errno == EINTR));
        MHD_stop_daemon(d);
        unlink(path);
        return 0;
}
