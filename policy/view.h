/* The second look: dockerd's own view of a container or exec, judged before it starts.
 *
 * Parser differences are the root of every AuthZ bypass; the daemon's canonical configuration
 * (GET /containers/{id}/json, GET /exec/{id}/json) is what will actually run.  It also catches image
 * settings merged in at create time and containers created before the policy was tightened.
 *
 * A conversation in two steps, so that policy/ stays pure: view_next() says what it needs from
 * dockerd next, the daemon fetches it (authz/recheck.c) and hands the answer to view_take(), until
 * view_next() says the judgment is complete.  A start needs one view; an exec two (the exec's and its
 * container's); a user that depends on the image's files three more reads (/etc, /etc/passwd,
 * /etc/group, through the archive API). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "policy/decision.h"
#include "policy/policy.h"

enum recheck_kind {
        RECHECK_NONE = 0,
        RECHECK_CONTAINER,   /* POST /containers/{id}/start, /restart, /rename */
        RECHECK_EXEC,        /* POST /exec/{id}/start */
};

/* What to ask dockerd for. */
struct view_fetch {
        bool head;            /* HEAD: only the X-Docker-Container-Path-Stat header is wanted */
        char path[1200];      /* "/containers/ID/json", the ID percent-encoded */
        char what[300];       /* "container ID", "/etc/passwd of container ID": for messages */
};

/* What dockerd answered.  `failure`: NULL when an answer came; otherwise the sentence saying why
 * none did (the daemon's words: unreachable, timeout, libcurl not loadable ...), recorded as the
 * violation (rule "recheck"). */
struct view_answer {
        const char *failure;
        long status;          /* HTTP status */
        const char *body;     /* the body (GET), borrowed for the call */
        size_t len;
        const char *path_stat;/* HEAD: the header's value, "" when absent */
};

enum view_step {
        VIEW_STEP_DONE = 0,
        VIEW_STEP_CONTAINER,        /* the container of a start */
        VIEW_STEP_EXEC,             /* the exec of an exec start */
        VIEW_STEP_EXEC_CONTAINER,   /* and its container */
        VIEW_STEP_ETC,              /* is /etc the image's own directory? */
        VIEW_STEP_PASSWD,
        VIEW_STEP_GROUP,
};

/* One look in progress.  Fill with view_begin(), release with view_end(). */
struct view {
        enum recheck_kind kind;
        enum view_step step;
        char target[256];           /* the reference of the request */
        char container[65];         /* the full IDs dockerd showed, "" before (for the audit log) */
        char exec[65];
        size_t before;              /* violations already recorded when the container's were judged */
        json_t *container_view;     /* kept for the identity steps: GroupAdd, Config.User */
        char *user;                 /* the user to resolve (an exec's own, or the container's) */
        const char *user_field;     /* "Config.User" or "Exec.User" */
        char *passwd, *group;       /* the files' contents (NULL: no such file) */
        size_t passwd_len, group_len;
};

/* Start a look at `id` (the start's reference).  `d` records a reference too long to look up. */
void view_begin(struct view *v, enum recheck_kind kind, const char *id, struct decision *d);

/* true with *ret filled while the look needs something from dockerd; false when the judgment is
 * complete (every violation recorded in d). */
bool view_next(const struct view *v, struct view_fetch *ret);

/* Judge dockerd's answer to the last view_next(), recording violations in d. */
void view_take(const struct policy *p, struct view *v, const struct view_answer *a, struct decision *d);

/* Release what the look holds (the IDs stay readable).  Accepts a look never begun if zeroed. */
void view_end(struct view *v);
