/* POST /containers/{id}/exec and dockerd's view of an exec: not privileged, an allowed user (or
 * none: the container's, judged at the second look). */
#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"

#define EXEC_FIELDS(X) \
        X(E_USER, "User") X(E_PRIVILEGED, "Privileged") X(E_TTY, "Tty") X(E_CONSOLESIZE, "ConsoleSize") \
        X(E_ATTACHSTDIN, "AttachStdin") X(E_ATTACHSTDERR, "AttachStderr") X(E_ATTACHSTDOUT, "AttachStdout") \
        X(E_DETACH, "Detach") X(E_DETACHKEYS, "DetachKeys") X(E_ENV, "Env") X(E_WORKINGDIR, "WorkingDir") \
        X(E_CMD, "Cmd") X(E_CONTAINER, "Container")
/* Container: a field of the exec config up to API 1.24 that docker-py still sends; dockerd ignores
 * it (the path names the container). */
enum { EXEC_FIELDS(FIELD_ENUM) E__MAX };
static const char *const exec_fields[E__MAX] = { EXEC_FIELDS(FIELD_NAME) };
static const struct gostruct exec_struct = { "the exec body", exec_fields, E__MAX, true };

void eval_exec_create(const struct policy *p, json_t *body, struct decision *d)
{
        json_t *f[E__MAX];
        const char *user;
        bool privileged;

        if (!body) {
                decision_add(d, RULE_SHAPE, "the exec request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &exec_struct, "the exec body", f, d);
        go_bool(f[E_PRIVILEGED], "Exec.Privileged", d, &privileged);
        if (privileged)
                decision_add(d, RULE_PRIVILEGED, "Exec.Privileged is true; remove " FIX(EXEC_PRIVILEGED));
        go_string(f[E_USER], "Exec.User", d, &user);
        eval_user(p, user, "Exec.User", true, d);
}

#define PROCESS_FIELDS(X) X(P_PRIVILEGED, "privileged") X(P_USER, "user")
enum { PROCESS_FIELDS(FIELD_ENUM) P__MAX };
static const char *const process_fields[P__MAX] = { PROCESS_FIELDS(FIELD_NAME) };
static const struct gostruct process_struct = { "ProcessConfig", process_fields, P__MAX, false };

void eval_exec_view(const struct policy *p, json_t *inspect, struct decision *d)
{
        json_t *f[P__MAX];
        const char *user;
        bool privileged;

        json_t *pc = json_is_object(inspect) ? json_object_get(inspect, "ProcessConfig") : NULL;
        if (!json_is_object(pc)) {
                decision_add(d, RULE_RECHECK, "dockerd's view of the exec has no ProcessConfig");
                return;
        }
        gojson_bind(pc, &process_struct, "ProcessConfig", f, d);
        go_bool(f[P_PRIVILEGED], "Exec.Privileged", d, &privileged);
        if (privileged)
                decision_add(d, RULE_PRIVILEGED, "the exec is privileged; run it again without " FIX(EXEC_PRIVILEGED));
        go_string(f[P_USER], "Exec.User", d, &user);
        eval_user(p, user, "Exec.User", true, d);
}
