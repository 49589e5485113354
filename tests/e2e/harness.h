/* The adversarial end-to-end harness: a private dockerd with arandu-authz in its chain, raw HTTP
 * over its unix socket, the docker CLIs, and a tally of what the daemon did.
 *
 * Per run (e2e_setup): a temp dir /tmp/arandu-e2e.XXXXXX holds everything (plugin socket, dockerd
 * data root, exec root, socket and pidfile, the allowed host dirs, logs); the plugin is started
 * first, registered as /etc/docker/plugins/NAME.spec with a per-run NAME, then dockerd with
 * --authorization-plugin=NAME; the image bb:latest is made from busybox-static with `docker import`
 * (never a registry pull).  e2e_teardown() undoes all of it and runs from atexit() and from the
 * handlers of SIGINT/SIGTERM/SIGHUP/SIGQUIT (and fatal signals): it uses only async-signal-safe
 * calls (kill, waitpid, nanosleep, open/read/getdents64, umount2, unlink, fork/execve of rm).
 *
 * Judging: an attack is blocked only when dockerd answered 403 with "authorization denied by plugin
 * NAME"; anything else is a miss, and a create that succeeded is inspected to say whether the
 * forbidden setting took hold (a bypass). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define E2E_API "/v1.41"          /* dockerd 20.10's API version */

struct e2e {
        char bin[4096];           /* the plugin binary */
        char engine[4096];        /* the engine's root ("" for the system's): E2E_ENGINE */
        char dockerd[4200], engine_cli[4200];
        char name[64];            /* plugin name, unique per run */
        char t[64];               /* the temp dir */
        char psock[128], dsock[128], data[128], exec[128], pidfile[128], spec[160];
        char repos[128], arts[128], audit[128], plugin_log[128], dockerd_log[128];
        char strict_policy[128];  /* an empty policy file: the built-in defaults */
        const char *clis[2];      /* the engine's own CLI, /usr/local/bin/docker (those present) */
        int n_clis;
        pid_t plugin_pid, dockerd_pid, helper_pid;
        volatile pid_t child_pid; /* a CLI or helper command running right now */
        bool spec_written;
        char bridge[16];          /* the user network's bridge interface, removed at teardown */
};
extern struct e2e E;

/* The tally.  Attacks and ordinary operations are counted apart; `other` holds the rest (setup,
 * fail-closed, teardown).  Every check also becomes a CUnit assertion. */
enum kind { K_ATTACK, K_ORDINARY, K_OTHER };
void e2e_result(enum kind k, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void e2e_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void e2e_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the two summary lines; returns the process exit status (0: no miss, no failure). */
int e2e_summary(void);

/* Setup and teardown.  e2e_setup returns 0, or -1 after printing why (then nothing can run). */
int e2e_setup(const char *plugin_bin);
void e2e_teardown(void);
/* After teardown: true when no process, mount, spec file or temp dir of this run is left; else
 * `why` says what. */
bool e2e_verify_clean(char *why, size_t size);

/* The plugin: (re)start it with a policy file (NULL: the built-in defaults), stop it. */
int e2e_plugin_start(const char *policy_file);
int e2e_plugin_stop(void);
/* Start a helper process (its cmdline must name the temp dir), output to helper.log. */
pid_t e2e_spawn(const char *const *argv);
/* Write a policy file under the temp dir; returns its path (static storage per `tag`). */
const char *e2e_policy_file(const char *tag, const char *json);

/* Raw HTTP to dockerd.  `target` is sent verbatim as the request target; `headers` (NULL-terminated,
 * may be NULL) are sent as given, in order, repeated ones included.  Unless HTTP_NO_CT is given or a
 * Content-Type is in `headers`, a body is sent as application/json.  Body NULL: none. */
#define HTTP_CHUNKED  1u          /* Transfer-Encoding: chunked */
#define HTTP_NO_CT    2u          /* no Content-Type header at all */
struct http_res {
        long status;              /* 0: no answer (timeout, connection refused) */
        char *body;               /* NUL-terminated, never NULL after http() */
        size_t len;
};
long http(const char *method, const char *target, const char *const *headers, const char *body,
          size_t len, unsigned flags, long timeout_s, struct http_res *r);
void http_free(struct http_res *r);
/* GET E2E_API+path and parse the JSON answer (NULL unless 200 and JSON). */
json_t *http_get_json(const char *path);

/* dockerd answered 403 naming our plugin. */
bool denied_by_plugin(const struct http_res *r);
/* The rule ids of our Msg ("authorization denied by plugin NAME: a: ...; b: ..."), each once. */
void denied_rules(const char *text, char *buf, size_t size);

/* A command (CLI or helper) with a timeout: stdout and stderr captured (truncated at 64 KiB). */
struct cmd_res {
        int status;               /* exit status; 124 timeout; 128+N killed by signal N; -1 error */
        char out[65536], err[65536];
};
int run_cmd(struct cmd_res *r, int timeout_s, const char *const *argv);
/* cli(r, timeout, CLI, args..., CLI_END): the sentinel must be a pointer, not a bare NULL. */
#define CLI_END ((const char *) NULL)
int cli(struct cmd_res *r, int timeout_s, const char *docker, ...) __attribute__((sentinel));
bool cli_denied(const struct cmd_res *r);

/* Force-remove a container (by id or name); ignore errors. */
void rm_container(const char *id);
/* Is the container running (by id or name)? */
bool e2e_running(const char *id);
/* Restart the plugin with `policy_file` (NULL: the built-in defaults); a failure is a result line. */
bool e2e_restart_plugin(const char *policy_file);

/* A docker command with the compliant flags: CLI VERB [--name NAME] OK_FLAGS... EXTRA... IMAGE CMD...
 * Defaults: the engine's CLI, "create", image "bb", CMD "sleep 600".  `user` takes the place of the
 * --user value; `writable` leaves --read-only out; a --network in `extra` takes the place of the
 * compliant one.  extra and cmd are NULL-terminated. */
struct e2e_job {
        const char *cli, *verb, *name, *image, *user;
        bool writable;
        const char *const *extra, *const *cmd;
};
int e2e_job(struct cmd_res *r, int timeout_s, const struct e2e_job *job);
/* Import busybox-static as image `tag` with /etc/passwd `passwd` and `docker import --change`
 * instructions `changes` (NULL-terminated, may be NULL). */
int e2e_import_image(const char *tag, const char *passwd, const char *const *changes);
/* The same, running the shell command `extra` with $R the root before it is packed. */
int e2e_import_image_with(const char *tag, const char *passwd, const char *const *changes, const char *extra);
/* The same with /bin/euid, a static program that prints its effective uid, setuid root. */
int e2e_import_suid_image(const char *tag);
/* The full JSON of `docker inspect` for a container (GET /containers/{id}/json), or NULL. */
json_t *inspect_container(const char *id);
/* Does the JSON `root` show the setting `spec`?  spec: "Path=json" (compact JSON equal),
 * "Path!=json", "Path~text" (the compact JSON contains text); several specs joined by ';' (any).
 * Path: dot-separated keys, [n] for array elements. */
bool json_holds(json_t *root, const char *spec, char *what, size_t size);
/* Expand @R (repos dir), @A (artifacts dir), @T (temp dir) and the variables below in `tpl`. */
void expand(const char *tpl, char *out, size_t size);
extern char V_CID[80];            /* a running compliant helper container */
extern char V_NET[64];            /* a user-defined network */
