/* The plugin's HTTP server: see server.h.
 *
 * Threads: the caller of server_run() creates the socket, starts libmicrohttpd (its own pool of
 * worker threads, which inherit the caller's blocked signals) and then does nothing but sigwait.
 * Each worker accumulates a request body into a buffer capped for its endpoint, decides, queues the
 * audit line (never waits for the disk) and answers. */
#include "authz/cleanup.h"
#include "authz/server.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "authz/curl_lazy.h"
#include "policy/decide.h"
#include "authz/jsonout.h"
#include "authz/log.h"
#include "authz/metrics.h"
#include "authz/recheck.h"
#include "authz/recheckq.h"
#include "policy/actions.h"
#include "authz/reload.h"
#include "policy/buf.h"

#define CONTENT_TYPE "application/vnd.docker.plugins.v1.2+json"

/* First allocation for a body; it then doubles up to the endpoint's cap. */
#define BODY_INITIAL_ALLOC (16u << 10)

/* Room for decision_message(): every violation text with its separator, plus its notes. */
#define DECISION_MESSAGE_MAX (DECISION_MAX_VIOLATIONS * (VIOLATION_TEXT_MAX + 2) + 2048)

/* Answers that need no allocation: the constant ones, and what we say when building the real one
 * failed.  Not const because libmicrohttpd's buffer parameter is not. */
static char json_activate[] = "{\"Implements\":[\"authz\"]}";
static char json_allow[] = "{\"Allow\":true}";
static char json_deny_internal[] =
        "{\"Allow\":false,\"Msg\":\"internal: arandu-authz could not build its answer; denied\"}";
static char json_err_internal[] = "{\"Err\":\"arandu-authz: internal error\"}";

enum endpoint {
        ENDPOINT_UNKNOWN = 0,
        ENDPOINT_ACTIVATE,
        ENDPOINT_AUTHZ_REQ,
        ENDPOINT_AUTHZ_RES,
};

struct server {
        const struct server_config *cfg;
};

/* An AuthZReq that passed and now waits, its connection suspended, for the second look at dockerd's
 * own view (recheck.h).  Owned by its request; the recheck thread hands it back by resuming. */
struct pending {
        struct recheckq_job job;         /* in the recheck queue until its look resumes us */
        struct decision d;
        struct request_info info;
        struct timespec t0;
        const struct policy *policy;     /* the request's (borrowed from it), for its look and answer */
        struct MHD_Connection *connection;
        bool done;                       /* written by the recheck thread before it resumes */
};


/* One HTTP request: the body, accumulated up to `cap`, and for an AuthZReq the policy that judges
 * it, taken when its headers arrive and released when it ends: its decision, its second look, its
 * audit line and its answer all use that one, whatever reloads happen meanwhile. */
struct request {
        struct policy *policy;
        struct pending *pending;
        enum endpoint endpoint;
        bool post;
        bool discard;     /* nobody reads this body (AuthZRes without debug logging): not kept */
        struct buf body;  /* capped for the endpoint; past the cap (-E2BIG) the rest is discarded */
};

/* ---- signals ---------------------------------------------------------------------------------- */

static void server_signal_set(sigset_t *set)
{
        sigemptyset(set);
        sigaddset(set, SIGTERM);
        sigaddset(set, SIGINT);
        sigaddset(set, SIGHUP);
        sigaddset(set, SIGUSR1);
        sigaddset(set, SIGPIPE);
}

int server_block_signals(void)
{
        sigset_t set;

        server_signal_set(&set);
        return -pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* ---- the socket ------------------------------------------------------------------------------- */

/* mkdir -p for the directories above `path` (dockerd looks in /run/docker/plugins, which does not
 * exist before its first start). */
static int make_parents(const char *path)
{
        char dir[sizeof(((struct sockaddr_un *) NULL)->sun_path)];
        size_t len = strlen(path);

        if (len >= sizeof(dir))
                return -ENAMETOOLONG;
        memcpy(dir, path, len + 1);

        for (char *p = dir + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(dir, 0755) == 0) {
                        /* 0755 whatever the umask: dockerd and admins look inside. */
                        if (chmod(dir, 0755) < 0)
                                return log_error_errno(errno, "cannot set the mode of %s", LOG_ESC(dir));
                } else if (errno != EEXIST)
                        return log_error_errno(errno, "cannot create directory %s", LOG_ESC(dir));
                *p = '/';
        }
        return 0;
}

/* Is a server answering on the socket at `sa`?  A non-blocking connect tells without waiting:
 * 0 or EAGAIN (backlog full) means alive; ECONNREFUSED means a stale file from a dead process. */
static bool socket_alive(const struct sockaddr_un *sa)
{
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

        if (fd < 0)
                return false;
        if (connect(fd, (const struct sockaddr *) sa, sizeof(*sa)) == 0)
                return true;
        return errno == EAGAIN || errno == EINPROGRESS;
}

/* Create, bind and listen on the socket at `path`, mode 0600 from the start.  Returns the fd, with
 * the socket file's identity in *ret_st so that we remove only our own file at exit. */
static int create_socket(const char *path, struct stat *ret_st)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        struct stat st;
        size_t len;
        mode_t old_umask;
        int r;

        len = strlen(path);
        if (len == 0 || path[0] != '/') {
                log_error("socket path %s must be absolute", LOG_ESC(path));
                return -EINVAL;
        }
        if (len >= sizeof(sa.sun_path)) {
                log_error("socket path %s is too long: at most %zu bytes", LOG_ESC(path),
                          sizeof(sa.sun_path) - 1);
                return -ENAMETOOLONG;
        }
        memcpy(sa.sun_path, path, len + 1);

        r = make_parents(path);
        if (r < 0)
                return r;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "cannot create a unix socket");

        /* Replace only what is certainly ours to replace: a socket nobody answers on.  Anything
         * else at the path (a file, a directory, a symlink) may be someone's data. */
        if (lstat(path, &st) == 0) {
                if (!S_ISSOCK(st.st_mode)) {
                        log_error("refusing to replace %s: it exists and is not a socket; "
                                  "remove it or choose another --socket", LOG_ESC(path));
                        return -EEXIST;
                }
                if (socket_alive(&sa)) {
                        log_error("another server is already listening on %s", LOG_ESC(path));
                        return -EADDRINUSE;
                }
                if (unlink(path) < 0 && errno != ENOENT)
                        return log_error_errno(errno, "cannot remove the stale socket %s", LOG_ESC(path));
                log_info("removed stale socket %s", LOG_ESC(path));
        } else if (errno != ENOENT)
                return log_error_errno(errno, "cannot inspect %s", LOG_ESC(path));

        /* bind() creates the file with 0777 & ~umask: with umask 0177 it is 0600 from its first
         * moment, so no other user can connect in the window before chmod().  umask is per process:
         * nothing else creates files while the server starts. */
        old_umask = umask(0177);
        r = bind(fd, (const struct sockaddr *) &sa, sizeof(sa));
        if (r < 0)
                r = -errno;
        umask(old_umask);
        if (r < 0)
                return log_error_errno(r, "cannot bind to %s", LOG_ESC(path));

        if (chmod(path, 0600) < 0 || stat(path, ret_st) < 0) {
                r = log_error_errno(errno, "cannot set the mode of %s", LOG_ESC(path));
                (void) unlink(path);
                return r;
        }
        if (listen(fd, SOMAXCONN) < 0) {
                r = log_error_errno(errno, "cannot listen on %s", LOG_ESC(path));
                (void) unlink(path);
                return r;
        }

        r = fd;
        fd = -1;   // NOLINT(clang-analyzer-deadcode.DeadStores): read by _cleanup_close_, which must not close it
        return r;
}

/* Remove the socket file at exit, unless it is no longer ours (another instance replaced it). */
static void remove_socket(const char *path, const struct stat *ours)
{
        struct stat st;

        if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_dev != ours->st_dev ||
            st.st_ino != ours->st_ino)
                return;
        if (unlink(path) < 0)
                log_warning_errno(errno, "cannot remove %s", LOG_ESC(path));
}

int server_listen_unix(const char *path, struct stat *ret_st)
{
        return create_socket(path, ret_st);
}

void server_unlink_socket(const char *path, const struct stat *ours)
{
        remove_socket(path, ours);
}

/* ---- answers ---------------------------------------------------------------------------------- */

/* Queue `body` (n bytes, malloc'd, taken over; NULL: `fallback`, static) as the JSON answer. */
static enum MHD_Result reply_body(struct MHD_Connection *c, unsigned status, char *body, size_t n,
                                  char *fallback)
{
        struct MHD_Response *resp = NULL;
        enum MHD_Result ret;

        if (body) {
                resp = MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
                if (!resp)
                        free(body);
        }
        if (!resp)
                resp = MHD_create_response_from_buffer(strlen(fallback), fallback, MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return MHD_NO;   /* the connection is closed: dockerd treats that as a deny */

        if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE) != MHD_YES ||
            (status == MHD_HTTP_METHOD_NOT_ALLOWED &&
             MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, MHD_HTTP_METHOD_POST) != MHD_YES)) {
                MHD_destroy_response(resp);
                return MHD_NO;
        }
        ret = MHD_queue_response(c, status, resp);
        MHD_destroy_response(resp);
        return ret;
}

/* Queue `o` (borrowed) as the JSON answer; when `o` is NULL or cannot be encoded, `fallback`
 * (static) is sent with the same status. */
static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, const json_t *o,
                                  char *fallback)
{
        char *body = NULL;
        size_t n = o ? json_dumpb(o, NULL, 0, JSON_COMPACT) : 0;

        if (n > 0) {
                body = malloc(n);
                if (body && json_dumpb(o, body, n, JSON_COMPACT) != n) {
                        free(body);
                        body = NULL;
                }
        }
        return reply_body(c, status, body, n, fallback);
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *text)
{
        _cleanup_json_ json_t *o = json_pack("{s:o}", "Err", audit_json_string(text));
        return reply_json(c, status, o, json_err_internal);
}

/* {"Allow":true} or {"Allow":false,"Msg":msg}.  Written by hand (jsonout.h, the bytes jansson's
 * dump gave): dumping a jansson object of a long message cost more than deciding. */
static enum MHD_Result reply_allow(struct MHD_Connection *c, bool allow, const char *msg)
{
        struct jsonout o;
        char *body = NULL;
        size_t n = 0;

        if (allow)
                return reply_json(c, MHD_HTTP_OK, NULL, json_allow);
        if (!msg)
                msg = "";
        jsonout_init(&o);
        jsonout_lit(&o, "{\"Allow\":false,\"Msg\":");
        jsonout_string(&o, msg, strlen(msg));
        jsonout_lit(&o, "}");
        if (jsonout_finish(&o, &body, &n) < 0)
                body = NULL;
        return reply_body(c, MHD_HTTP_OK, body, n, json_deny_internal);
}

/* ---- endpoints -------------------------------------------------------------------------------- */

static double elapsed_us(const struct timespec *t0)
{
        struct timespec t1;

        clock_gettime(CLOCK_MONOTONIC, &t1);
        return (double) (t1.tv_sec - t0->tv_sec) * 1e6 + (double) (t1.tv_nsec - t0->tv_nsec) / 1e3;
}

/* The policy in force for one request: a new reference, held for the whole decision, so that a
 * reload (SIGHUP, reload.h) never changes the rules under it.  NULL only with policy_from_bundles
 * while no bundle is in force. */
static struct policy *server_policy_get(const struct server_config *cfg)
{
        struct policy *p = policy_current();
        return p || cfg->policy_from_bundles ? p : policy_ref(cfg->policy);
}

static enum MHD_Result finish_authz_req(const struct server_config *cfg, const struct policy *policy,
                                        struct MHD_Connection *c, struct decision *dp,
                                        const struct request_info *ip, const struct timespec *t0p);

static void recheck_job_run(struct recheckq_job *job)
{
        struct pending *pd = (struct pending *) ((char *) job - offsetof(struct pending, job));
        struct MHD_Connection *c = pd->connection;

        struct recheck_seen seen;
        recheck_run(pd->policy, (enum recheck_kind) pd->info.recheck, pd->info.target, &pd->d, &seen);
        memcpy(pd->info.judged_container, seen.container, sizeof(seen.container));
        memcpy(pd->info.judged_exec, seen.exec, sizeof(seen.exec));
        /* The daemon's view is judged like a request: warn rules warn here too. */
        decision_finish(&pd->d);
        policy_apply_rule_actions(pd->policy, &pd->d);
        __atomic_store_n(&pd->done, true, __ATOMIC_RELEASE);
        /* From here on pd belongs to the connection again: not one more access. */
        MHD_resume_connection(c);
}

/* Hand a passed start to the recheck queue and suspend its connection; the answer is sent when the
 * look resumes it (on_request sees rq->pending done).  The server threads stay free meanwhile,
 * which they must: dockerd sends our inspect request back through this plugin. */
static enum MHD_Result start_recheck(const struct server_config *cfg, const struct policy *policy,
                                     struct MHD_Connection *c, struct request *rq, struct decision *d,
                                     const struct request_info *info, const struct timespec *t0)
{
        struct pending *pd = calloc(1, sizeof(*pd));
        if (!pd) {
                decide_view_unavailable(d, -ENOMEM, RECHECKQ_QUEUED_MAX);
                return finish_authz_req(cfg, policy, c, d, info, t0);
        }
        pd->d = *d;
        pd->info = *info;
        pd->t0 = *t0;
        pd->policy = policy;
        pd->connection = c;
        _Static_assert(sizeof(pd->job.target) >= sizeof(info->target), "a start's target fits the queue's");
        memcpy(pd->job.target, info->target, sizeof(info->target));
        pd->job.run = recheck_job_run;
        rq->pending = pd;

        MHD_suspend_connection(c);
        int r = recheckq_submit(&pd->job);
        if (r < 0) {
                decide_view_unavailable(&pd->d, r, RECHECKQ_QUEUED_MAX);
                __atomic_store_n(&pd->done, true, __ATOMIC_RELEASE);
                MHD_resume_connection(c);
        }
        return MHD_YES;
}

static enum MHD_Result handle_authz_req(const struct server_config *cfg, struct MHD_Connection *c,
                                        struct request *rq)
{
        struct decision d;
        struct request_info info = { 0 };
        struct timespec t0;
        const struct policy *policy = rq->policy;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        int unread = buf_error(&rq->body);
        if (!policy) {
                char why[256];
                policy_current_why_none(why, sizeof(why));
                decide_no_policy(why, unread < 0 ? NULL : buf_str(&rq->body), buf_len(&rq->body), &d, &info);
        } else if (unread < 0) {
                /* Fail closed without reading a byte of it: a request we cannot see whole is denied. */
                decide_unreadable(policy, unread, SERVER_AUTHZREQ_MAX, &d, &info);
        } else {
                decide_request(policy, buf_str(&rq->body), buf_len(&rq->body), &d, &info);
        }

        /* Dry-run judges the daemon's view too, so that the audit log shows all that would deny. */
        if (d.complete && (d.allow || (cfg->dry_run && !d.forced)) && info.recheck != RECHECK_NONE)
                return start_recheck(cfg, policy, c, rq, &d, &info, &t0);
        return finish_authz_req(cfg, policy, c, &d, &info, &t0);
}

/* Audit and answer a decision. */
static enum MHD_Result finish_authz_req(const struct server_config *cfg, const struct policy *policy,
                                        struct MHD_Connection *c, struct decision *dp,
                                        const struct request_info *ip, const struct timespec *t0p)
{
        struct decision *d = dp;                 /* the caller's: no 19 KiB copies per request */
        const struct request_info *info = ip;
        bool dry_run = cfg->dry_run && !d->forced;

        if (cfg->audit && !audit_healthy(cfg->audit))
                decide_audit_failed(policy, d);
        double latency = elapsed_us(t0p);

        if (audit_record(cfg->audit, info, d, dry_run, latency) < 0 && cfg->audit)
                decide_audit_failed(policy, d);

        /* Only a complete evaluation that found nothing allows; dry-run is the admin's explicit
         * choice to answer allow anyway while the audit log shows what would have been denied. */
        bool allowed = d->allow && d->complete;
        bool answer = allowed || dry_run;
        metrics_decision(d, info->route, allowed, dry_run, latency);

        if (allowed) {
                log_debug("allow %s %s (%.0f us)", LOG_ESC(info->method), LOG_ESC(info->uri), latency);
                return reply_allow(c, true, NULL);
        }

        char *message = malloc(DECISION_MESSAGE_MAX);
        if (message) {
                decision_message(d, message, DECISION_MESSAGE_MAX);
                if (message[0] == '\0')
                        snprintf(message, DECISION_MESSAGE_MAX, "denied: the evaluation did not complete");
        }
        const char *text = message ? message : "denied (out of memory formatting the reasons)";

        char escaped[1024];
        log_full_errno(cfg->audit ? LOG_DEBUG : LOG_INFO, 0, "%s %s %s: %s",
                       dry_run ? "dry-run, would deny" : "deny", LOG_ESC(info->method),
                       LOG_ESC(info->uri), log_escape(text, escaped, sizeof(escaped)));

        enum MHD_Result ret = reply_allow(c, answer, text);
        free(message);
        return ret;
}

static enum MHD_Result handle_authz_res(struct MHD_Connection *c, struct request *rq)
{
        /* Responses are never judged (the decision was made on the request); reading one is only
         * worth it when someone will see the debug line. */
        if (log_get_max_level() >= LOG_DEBUG) {
                struct request_info info = { 0 };
                if (buf_error(&rq->body) < 0)
                        log_debug("AuthZRes envelope over %u bytes, not read", SERVER_AUTHZRES_MAX);
                else if (decide_read_response(buf_str(&rq->body), buf_len(&rq->body), &info) < 0)
                        log_debug("AuthZRes envelope could not be read");
                else
                        log_debug("AuthZRes %s %s -> %d", LOG_ESC(info.method), LOG_ESC(info.uri), info.status);
        }
        return reply_allow(c, true, NULL);
}

static enum MHD_Result handle_activate(struct MHD_Connection *c)
{
        log_info("activated by dockerd");
        return reply_json(c, MHD_HTTP_OK, NULL, json_activate);
}

/* ---- libmicrohttpd callbacks ------------------------------------------------------------------ */

static enum endpoint endpoint_from_url(const char *url)
{
        if (strcmp(url, "/Plugin.Activate") == 0)
                return ENDPOINT_ACTIVATE;
        if (strcmp(url, "/AuthZPlugin.AuthZReq") == 0)
                return ENDPOINT_AUTHZ_REQ;
        if (strcmp(url, "/AuthZPlugin.AuthZRes") == 0)
                return ENDPOINT_AUTHZ_RES;
        return ENDPOINT_UNKNOWN;
}

static size_t endpoint_cap(enum endpoint e)
{
        switch (e) {
        case ENDPOINT_ACTIVATE:
                return SERVER_ACTIVATE_MAX;
        case ENDPOINT_AUTHZ_REQ:
                return SERVER_AUTHZREQ_MAX;
        case ENDPOINT_AUTHZ_RES:
                return SERVER_AUTHZRES_MAX;
        case ENDPOINT_UNKNOWN:
                break;
        }
        return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
        const struct server *s = cls;
        struct request *rq = *con_cls;
        (void) version;

        if (!rq) {
                /* Headers are in; the body (if any) comes in later calls. */
                rq = calloc(1, sizeof(*rq));
                if (!rq)
                        return MHD_NO;
                rq->endpoint = endpoint_from_url(url);
                if (rq->endpoint == ENDPOINT_AUTHZ_REQ)
                        rq->policy = server_policy_get(s->cfg);
                rq->post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
                /* Never trusts Content-Length: the body grows with what actually arrives, up to
                 * the endpoint's cap; past it the rest is discarded (and the request denied or
                 * ignored by its endpoint). */
                buf_init(&rq->body, BODY_INITIAL_ALLOC, rq->post ? endpoint_cap(rq->endpoint) : 0);
                /* Responses are never judged (handle_authz_res): their bodies, often the larger
                 * ones (inspect, lists), are not even copied unless the debug log shows them. */
                rq->discard = rq->endpoint == ENDPOINT_AUTHZ_RES && log_get_max_level() < LOG_DEBUG;
                *con_cls = rq;
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                if (!rq->discard)
                        (void) buf_append(&rq->body, upload_data, *upload_data_size);   /* sticky */
                *upload_data_size = 0;
                return MHD_YES;
        }

        /* The whole body has arrived: answer. */
        if (rq->endpoint == ENDPOINT_UNKNOWN) {
                char text[600];
                log_debug("unknown endpoint %s %s", LOG_ESC(method), LOG_ESC(url));
                snprintf(text, sizeof(text), "arandu-authz: unknown endpoint %s", url);
                return reply_error(c, MHD_HTTP_NOT_FOUND, text);
        }
        if (!rq->post) {
                log_debug("%s %s: only POST is served", LOG_ESC(method), LOG_ESC(url));
                return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "arandu-authz: only POST is served");
        }

        switch (rq->endpoint) {
        case ENDPOINT_ACTIVATE:
                return handle_activate(c);
        case ENDPOINT_AUTHZ_REQ:
                if (rq->pending) {
                        /* Resumed by its recheck thread. */
                        if (!__atomic_load_n(&rq->pending->done, __ATOMIC_ACQUIRE))
                                return MHD_YES;
                        return finish_authz_req(s->cfg, rq->pending->policy, c, &rq->pending->d,
                                                &rq->pending->info, &rq->pending->t0);
                }
                return handle_authz_req(s->cfg, c, rq);
        case ENDPOINT_AUTHZ_RES:
                return handle_authz_res(c, rq);
        case ENDPOINT_UNKNOWN:
                break;
        }
        return MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
        struct request *rq = *con_cls;
        (void) cls;
        (void) c;

        if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && rq && rq->endpoint == ENDPOINT_AUTHZ_REQ)
                log_warning("AuthZReq connection ended before an answer was sent (code %d)", (int) toe);
        if (rq) {
                buf_free(&rq->body);
                free(rq->pending);
                policy_unref(rq->policy);
        }
        free(rq);
        *con_cls = NULL;
}

__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
        char text[512];
        (void) cls;

        (void) vsnprintf(text, sizeof(text), fmt, ap);   /* cut if too long */
        text[strcspn(text, "\n")] = '\0';
        log_warning("libmicrohttpd: %s", text);
}

/* ---- run -------------------------------------------------------------------------------------- */

static unsigned pool_size(void)
{
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        if (n < 1)
                return 1;
        return n > 64 ? 64 : (unsigned) n;
}

/* libmicrohttpd closes the listening socket it was given on some of its failure paths but not on
 * others, so it gets a copy: ours stays ours to close whatever happens (a copy it neither used nor
 * closed is leaked, once, on the way to exit). */
static struct MHD_Daemon *start_mhd(struct server *s, int fd, unsigned flags)
{
        int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);

        if (copy < 0)
                return NULL;
        /* The logger first: options before it would log through MHD's own stderr logger. */
        return MHD_start_daemon(flags | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, s,
                                MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                                MHD_OPTION_LISTEN_SOCKET, (MHD_socket) copy,
                                MHD_OPTION_THREAD_POOL_SIZE, pool_size(),
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) SERVER_CONNECTION_TIMEOUT_S,
                                MHD_OPTION_CONNECTION_LIMIT, (unsigned) SERVER_CONNECTION_LIMIT,
                                MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                                MHD_OPTION_END);
}

int server_run(const struct server_config *cfg)
{
        struct server s = { .cfg = cfg };
        struct MHD_Daemon *mhd;
        struct stat sock_st = { 0 };
        bool created = false;
        sigset_t set;
        int fd, r;

        if (!cfg || (!cfg->policy && !cfg->policy_from_bundles) || (!cfg->socket_path && cfg->listen_fd < 0))
                return -EINVAL;
        const char *where = cfg->socket_path ? cfg->socket_path : "the inherited socket";

        /* One descriptor per connection: the default soft limit (1024) would cut SERVER_CONNECTION_LIMIT
         * short with EMFILE.  Raised as far as the hard limit allows; a failure only logs. */
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < SERVER_CONNECTION_LIMIT + 64u) {
                rl.rlim_cur = rl.rlim_max < SERVER_CONNECTION_LIMIT + 64u ? rl.rlim_max : SERVER_CONNECTION_LIMIT + 64u;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        log_warning_errno(errno, "cannot raise the open-file limit to %lu", (unsigned long) rl.rlim_cur);
        }

        /* Before libmicrohttpd starts its threads, so that they inherit the mask. */
        r = server_block_signals();
        if (r < 0)
                return log_error_errno(r, "cannot block signals");
        server_signal_set(&set);

        if (cfg->listen_fd >= 0) {
                fd = cfg->listen_fd;
                /* Inherited across exec: keep it from leaking into anything we might run. */
                if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
                        r = log_error_errno(errno, "cannot configure the inherited socket");
                        close(fd);
                        return r;
                }
        } else {
                fd = create_socket(cfg->socket_path, &sock_st);
                if (fd < 0)
                        return fd;
                created = true;
        }

        mhd = start_mhd(&s, fd, MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME);
        if (!mhd)
                mhd = start_mhd(&s, fd, MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME);
        close(fd);   /* libmicrohttpd serves from its copy */
        if (!mhd) {
                log_error("cannot start the HTTP server on %s", LOG_ESC(where));
                if (created)
                        remove_socket(cfg->socket_path, &sock_st);
                return -EIO;
        }

        log_info("serving on %s (%u threads%s%s)", LOG_ESC(where), pool_size(),
                 cfg->dry_run ? ", dry run: nothing is denied" : "", cfg->audit ? ", audit log on" : "");

        /* libcurl, for the rechecks, is loaded now, beside the first requests rather than before
         * them (curl_lazy.h: ~10 ms of loading); a start that comes first waits for it.  Without a
         * thread, that first start loads it. */
        r = curl_lazy_preload();
        if (r < 0)
                log_warning_errno(r, "cannot start loading %s in the background", CURL_LAZY_SONAME);

        /* From here on requests take the current policy, which SIGHUP may replace; until now they
         * used cfg->policy, the same one. */
        if (!cfg->policy_from_bundles) {
                r = policy_current_init(cfg->policy, cfg->policy_path);
                if (r < 0)
                        log_warning_errno(r, "cannot prepare policy reloads; SIGHUP will not reload");
        }

        r = 0;
        for (bool stop = false; !stop;) {
                siginfo_t si;
                int sig = sigwaitinfo(&set, &si);

                if (sig < 0) {
                        if (errno == EINTR)
                                continue;
                        r = log_error_errno(errno, "sigwaitinfo failed; stopping");
                        break;
                }
                switch (sig) {
                case SIGTERM:
                case SIGINT:
                        log_info("%s received, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
                        stop = true;
                        break;
                case SIGHUP:
                        /* Invalid: logged, the old policy stays in force. */
                        log_info("SIGHUP received: reloading the policy");
                        (void) policy_reload();
                        break;
                case SIGUSR1: {
                        int q = audit_reopen(cfg->audit);
                        if (q < 0)
                                log_error_errno(q, "SIGUSR1: cannot reopen the audit log, still writing to the old file");
                        else if (cfg->audit)
                                log_info("SIGUSR1: audit log reopened");
                        break;
                }
                default:
                        break;   /* SIGPIPE: a peer went away; the write that caused it saw EPIPE */
                }
        }

        /* libmicrohttpd cannot stop with suspended connections: let the rechecks (each bounded by
         * its lookup timeouts) finish and resume theirs first. */
        for (int i = 0; i < 4 * RECHECK_TIMEOUT_MS / 10 + 100 && recheckq_busy() > 0; i++)
                nanosleep(&(struct timespec) { .tv_nsec = 10L * 1000 * 1000 }, NULL);

        /* An inherited socket is systemd's too (socket activation): libmicrohttpd's stop would
         * shutdown(2) it, and a shut-down listening socket refuses connections through every copy,
         * systemd's included, until the socket unit restarts.  Quiescing stops accepting without
         * that; our copy is then merely closed and systemd keeps queueing for the next instance. */
        if (!created) {
                MHD_socket q = MHD_quiesce_daemon(mhd);
                if (q != MHD_INVALID_SOCKET)
                        close(q);
        }

        /* Finishes the requests in progress and closes the listening socket. */
        MHD_stop_daemon(mhd);
        curl_lazy_preload_wait();
        if (!cfg->policy_from_bundles)
                policy_current_fini();
        if (created)
                remove_socket(cfg->socket_path, &sock_st);
        return r;
}
