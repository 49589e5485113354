/* Routing: find which Docker Engine API endpoint a request targets, exactly as dockerd's router
 * would, and what kind of decision it needs.
 *
 * The path is taken from the request target after: dropping an absolute-form "scheme://host" prefix,
 * splitting off the query, percent-decoding (invalid escapes: error), and dropping a "/vX.Y" prefix
 * (any digits and dots, as dockerd's "/v{version:[0-9.]+}").  Paths that dockerd's router would not
 * serve as-is (empty segments "//", "." or ".." segments: it redirects them) are errors.
 * Every route of the Engine API (v1.41 to current) is in the table; anything else is ROUTE_UNKNOWN. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy/query.h"
#include "policy/rules.h"

#define ROUTE_PATH_MAX  4096
#define ROUTE_PARAM_MAX 1024

enum route_action {
        ROUTE_UNKNOWN = 0,        /* not in the table: deny, naming the route */
        ROUTE_ALLOW,              /* known and harmless (reads, lifecycle, images ...) */
        ROUTE_DENY,               /* known and forbidden: rule and reason are set */
        ROUTE_CONTAINER_CREATE,   /* POST /containers/create */
        ROUTE_CONTAINER_START,    /* POST /containers/{id}/start and /restart */
        ROUTE_CONTAINER_RENAME,   /* POST /containers/{id}/rename */
        ROUTE_CONTAINER_UPDATE,   /* POST /containers/{id}/update */
        ROUTE_EXEC_CREATE,        /* POST /containers/{id}/exec */
        ROUTE_EXEC_START,         /* POST /exec/{id}/start */
        ROUTE_NETWORK_CONNECT,    /* POST /networks/{id}/connect */
        ROUTE_NETWORK_CREATE,     /* POST /networks/create */
        ROUTE_VOLUME_CREATE,      /* POST /volumes/create */
        ROUTE_BUILD,              /* POST /build */
        ROUTE_ARCHIVE_PUT,        /* PUT /containers/{id}/archive */
};

struct route {
        enum route_action action;
        const char *pattern;      /* static: "POST /containers/{id}/start"; NULL for ROUTE_UNKNOWN */
        const char *rule;         /* static, ROUTE_DENY only: "plugin", "swarm", "buildkit", ... */
        enum rule rule_code;      /* and its rule */
        const char *reason;       /* static, ROUTE_DENY only: why, and what to do instead */
        bool body_required;       /* the decision reads the JSON body: no body means deny */
        bool has_version;         /* the target had a /vX.Y prefix */
        char version[32];         /* "1.41" when has_version */
        char method[16];          /* upper-case as received */
        char path[ROUTE_PATH_MAX];    /* decoded path without the version prefix, e.g. "/containers/c/start" */
        char param[ROUTE_PARAM_MAX];  /* the {id}/{name} of the pattern, decoded; "" if none */
        struct query query;
};

/* Error detail for a target that cannot be routed. */
struct route_error {
        char text[256];
};

/* Route `method` + `uri` (the RequestUri as dockerd sends it).  0 on success, also for
 * ROUTE_UNKNOWN (then pattern is NULL and path is set); -EINVAL on a malformed target, a bad
 * escape, an unclean path, or a malformed query, with err->text saying which; -E2BIG when over
 * the size caps.  On failure *ret holds no route: ROUTE_UNKNOWN, pattern NULL, empty strings.
 * *ret is written from the start: `method` and `uri` must not point into it. */
int route_parse(const char *method, const char *uri, struct route *ret, struct route_error *err);

/* Compare API versions "1.24" < "1.41" as dockerd does (dot-separated integers, missing parts 0).
 * <0, 0, >0. */
int api_version_compare(const char *a, const char *b);

const char *route_action_name(enum route_action a);
