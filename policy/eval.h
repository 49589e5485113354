/* The rules: each evaluator reads one kind of request, as dockerd will decode it, and records every
 * violation in a decision.  They never call decision_finish(): the caller does, once every part of
 * the request has been judged.  Pure: no I/O except resolving bind-source paths on this host. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "policy/decision.h"
#include "policy/policy.h"
#include "policy/query.h"
#include "policy/units.h"   /* format_bytes, format_cpus */

/* Parse a request body as dockerd would accept it: one JSON object, no duplicate keys.  Any parse
 * error is recorded (rule "shape") and returns -EINVAL; on success *ret is a new reference. */
int eval_parse_body(const char *buf, size_t len, const char *what, json_t **ret, struct decision *d);

/* POST /containers/create: user, cpu, memory, pids, network, rootfs, mounts, privileges,
 * namespaces, devices, kernel, shape.  `body` may be NULL (then: denied, no body). */
void eval_container_create(const struct policy *p, json_t *body, struct decision *d);

/* The daemon's own view of a container (the JSON of GET /containers/{id}/json), checked with the
 * create rules before it starts.  This catches what parsing a request cannot: a daemon that read the
 * request differently, image settings (VOLUME, USER) merged in, containers created before the policy
 * was tightened.  dockerd's filled-in defaults are accepted (IpcMode "shareable", on cgroup v1
 * CgroupnsMode "host", MemorySwap twice Memory, the default masked and read-only paths). */
void eval_container_view(const struct policy *p, json_t *inspect, struct decision *d);

/* The daemon's view of an exec (GET /exec/{id}/json): not privileged, an allowed user. */
void eval_exec_view(const struct policy *p, json_t *inspect, struct decision *d);

/* POST /containers/{id}/exec: no Privileged, User empty or an allowed user form. */
void eval_exec_create(const struct policy *p, json_t *body, struct decision *d);

/* POST /containers/{id}/update: the create bounds for cpu, memory and pids (0 = unchanged). */
void eval_container_update(const struct policy *p, json_t *body, struct decision *d);

/* POST /networks/{id}/connect: only the default bridge, and only when the policy allows bridge. */
void eval_network_connect(const struct policy *p, const char *network, json_t *body, struct decision *d);

/* POST /volumes/create: local driver, no driver options (they make binds of any host path). */
void eval_volume_create(const struct policy *p, json_t *body, struct decision *d);

/* POST /build: denied unless the policy allows builds; then networkmode=none, memory and CPU within
 * the limits, no remote context, cgroup parent, outputs, ulimits or isolation. */
void eval_build(const struct policy *p, const struct query *q, struct decision *d);

/* PUT /containers/{id}/archive: allowed only where what dockerd extracts (as root, keeping owners,
 * modes and device nodes) stays inert: the artifacts root on a nosuid,nodev mount, and no
 * writable place inside the container without no-new-privileges. */
void eval_archive_put(const struct policy *p, struct decision *d);

/* POST /networks/create: denied under network_mode none; under bridge a plain bridge network only
 * (no driver or IPAM options, no subnets, no IPv6, no swarm kinds). */
void eval_network_create(const struct policy *p, json_t *body, struct decision *d);

/* POST /containers/{id}/start: no checkpoint restore. */
void eval_container_start(const struct policy *p, const struct query *q, struct decision *d);

/* A container name (create's ?name=, rename's): denied when dockerd could also read it as an ID
 * or ID prefix (lowercase hex, after one leading "/"), rule "names". */
bool name_reads_as_id(const char *name);
void eval_container_name(const char *name, const char *field, struct decision *d);

/* Does the reference `ref` of a start (or rename) name, for good, the container dockerd's view shows
 * (its full `id` and `name`, "/x")?  0 when it is the full ID, a name that cannot read as an ID, or
 * an ID prefix that is not also the container's name; otherwise -EINVAL with why. */
int reference_matches(const char *ref, const char *id, const char *name, char *why, size_t whysz);

/* The user rule, shared by create (required) and exec (empty allowed): see DESIGN.md. */
void eval_user(const struct policy *p, const char *user, const char *path, bool empty_ok, struct decision *d);

/* The user rule's fix, in every client's words: "give a numeric UID:GID such as --user 1000:1000
 * (docker-py user=\"1000:1000\", compose user: \"1000:1000\")", in an exec's words when `path`
 * starts with "Exec.".  Always NUL-terminated in buf (224 bytes hold it). */
void user_fix(const struct policy *p, const char *path, char *buf, size_t size);
