/* The plugin's HTTP server: dockerd's AuthZ plugin protocol over a unix socket.
 *
 * Endpoints (POST only, Content-Type application/vnd.docker.plugins.v1.2+json):
 *   /Plugin.Activate        -> {"Implements":["authz"]}
 *   /AuthZPlugin.AuthZReq   -> {"Allow":true} or {"Allow":false,"Msg":"rule: reason; rule: reason; ..."}
 *   /AuthZPlugin.AuthZRes   -> {"Allow":true} (the response is only logged, at debug level)
 * Anything else: 404 (405 for another method) with {"Err":"..."}.
 *
 * libmicrohttpd serves the socket from a pool of threads (one per CPU); every request body is
 * accumulated up to a hard cap fixed per endpoint, whatever size the client declares. */
#pragma once

#include <stdbool.h>

#include "authz/audit.h"
#include "policy/policy.h"

#define SERVER_DEFAULT_SOCKET "/run/docker/plugins/arandu-authz.sock"

/* Body caps.  dockerd forwards at most 1 MiB of request body (pkg/authorization's maxBodySize; more
 * is dropped from the envelope, CVE-2026-34040), base64-encoded 1.4 MiB: 8 MiB leaves room.  A
 * response envelope beyond 16 MiB is read and discarded (still answered: responses are not judged). */
#define SERVER_ACTIVATE_MAX (64u << 10)
#define SERVER_AUTHZREQ_MAX (8u << 20)
#define SERVER_AUTHZRES_MAX (16u << 20)

/* A stuck or slow client gives up its connection after this long (slowloris). */
#define SERVER_CONNECTION_TIMEOUT_S 10
/* Connections served at once.  libmicrohttpd closes a connection beyond the limit without an answer
 * (dockerd then fails the request), so the limit is sized above dockerd's concurrency with room:
 * tests/load measures 1,000 concurrent requests all answered.  server_run() raises RLIMIT_NOFILE
 * to fit it. */
#define SERVER_CONNECTION_LIMIT     2048

struct server_config {
        const char *socket_path;   /* where to create the socket; removed again at exit */
        struct policy *policy;     /* borrowed; must outlive server_run(); the policy until a reload */
        const char *policy_path;   /* SIGHUP rebuilds the policy from this file (NULL: none) and the
                                    * environment, as at start; see reload.h */
        bool policy_from_bundles;  /* the current policy (reload.h) is kept by authz/bundlepoll.c,
                                    * which the caller starts and stops: server_run() leaves it
                                    * alone, and `policy` is NULL (requests are denied while there
                                    * is no current policy) */
        struct audit *audit;       /* borrowed, NULL: no audit log */
        bool dry_run;              /* answer allow to everything, audit what would have been denied */
        int listen_fd;             /* -1 normally; >= 0: an already listening socket to serve
                                    * (socket activation), taken over; socket_path is then only
                                    * used in messages and not removed */
};

/* Block the signals server_run() waits for (SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGPIPE) in the
 * calling thread.  Call it in main() before any thread is started, so that every thread inherits
 * the mask and only server_run()'s sigwait ever takes these signals.  0 or -errno. */
int server_block_signals(void);

/* Create the socket (or take listen_fd), serve until SIGTERM or SIGINT reaches the calling thread
 * (or the process), then stop, remove the socket and return 0.  SIGUSR1 reopens the audit log;
 * SIGHUP reloads the policy (reload.h: an invalid one is logged and the old one kept).  -errno
 * when the server could not start: -EEXIST when socket_path exists and is not a socket,
 * -EADDRINUSE when another server answers on it, -ENAMETOOLONG, or the failing call's error. */
int server_run(const struct server_config *cfg);

struct stat;

/* Create a listening unix socket at `path` as the plugin's own (absolute path, parents created,
 * mode 0600 from creation, an existing non-socket or live socket refused, a stale one replaced):
 * the fd (CLOEXEC, non-blocking), with the file's identity in *ret_st, or -errno (logged). */
int server_listen_unix(const char *path, struct stat *ret_st);

/* Remove the socket file at `path` if it is still the one server_listen_unix() created. */
void server_unlink_socket(const char *path, const struct stat *ours);
