/* The second look (see view.h): what to ask dockerd, and the judgment of what it answered. */
#include "policy/view.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/base64.h"
#include "policy/eval.h"
#include "policy/gojson.h"
#include "policy/identity.h"

#define GO_MODE_DIR     (1u << 31)   /* Go's os.ModeDir, as dockerd's path stat encodes it */
#define GO_MODE_SYMLINK (1u << 27)   /* os.ModeSymlink */

/* Percent-encode `s` for a path segment: every byte but A-Z a-z 0-9 - . _ ~. */
static void encode_segment(const char *s, char *buf, size_t size)
{
        static const char hex[] = "0123456789ABCDEF";
        size_t o = 0;

        for (; *s && o + 4 <= size; s++) {
                unsigned char c = (unsigned char) *s;
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~') {
                        buf[o++] = (char) c;
                } else {
                        buf[o++] = '%';
                        buf[o++] = hex[c >> 4];
                        buf[o++] = hex[c & 15];
                }
        }
        buf[o] = '\0';
}

static void note_id(char *dst, const char *id)
{
        if (id && strlen(id) < 65)
                memcpy(dst, id, strlen(id) + 1);
}

static const char *view_string(json_t *v, const char *a, const char *b)
{
        return json_string_value(json_object_get(json_object_get(v, a), b));
}

void view_begin(struct view *v, enum recheck_kind kind, const char *id, struct decision *d)
{
        memset(v, 0, sizeof(*v));
        v->kind = kind;
        if (!id)
                id = "";
        if (strlen(id) >= sizeof(v->target)) {
                decision_add(d, RULE_RECHECK, "the reference is too long to look up");   /* decide.c said so */
                return;
        }
        memcpy(v->target, id, strlen(id) + 1);
        v->before = d->n;
        v->step = kind == RECHECK_CONTAINER ? VIEW_STEP_CONTAINER : kind == RECHECK_EXEC ? VIEW_STEP_EXEC
                                                                                          : VIEW_STEP_DONE;
}

/* The container the identity steps read from: the one dockerd showed, else the reference. */
static const char *identity_container(const struct view *v)
{
        return v->container[0] ? v->container : v->target;
}

bool view_next(const struct view *v, struct view_fetch *ret)
{
        char id[sizeof(v->target) * 3 + 1];
        const char *file = NULL;

        memset(ret, 0, sizeof(*ret));
        switch (v->step) {
        case VIEW_STEP_DONE:
                return false;
        case VIEW_STEP_CONTAINER:
                encode_segment(v->target, id, sizeof(id));
                snprintf(ret->path, sizeof(ret->path), "/containers/%s/json", id);
                snprintf(ret->what, sizeof(ret->what), "container %.200s", v->target);
                return true;
        case VIEW_STEP_EXEC:
                encode_segment(v->target, id, sizeof(id));
                snprintf(ret->path, sizeof(ret->path), "/exec/%s/json", id);
                snprintf(ret->what, sizeof(ret->what), "exec %.200s", v->target);
                return true;
        case VIEW_STEP_EXEC_CONTAINER:
                encode_segment(v->container, id, sizeof(id));
                snprintf(ret->path, sizeof(ret->path), "/containers/%s/json", id);
                snprintf(ret->what, sizeof(ret->what), "container %.200s", v->container);
                return true;
        case VIEW_STEP_ETC:
                file = "/etc";
                ret->head = true;
                break;
        case VIEW_STEP_PASSWD:
                file = "/etc/passwd";
                break;
        case VIEW_STEP_GROUP:
                file = "/etc/group";
                break;
        }
        encode_segment(identity_container(v), id, sizeof(id));
        snprintf(ret->path, sizeof(ret->path), "/containers/%s/archive?path=%s", id, file);
        snprintf(ret->what, sizeof(ret->what), "%s of container %.200s", file, identity_container(v));
        return true;
}

/* Did the violations from `from` on come from the container's own settings, rather than from a
 * look that failed?  Those no start, restart or rename can change: the message says, once, that the
 * container must be created again (decision_recreate), where each violation says what to create it
 * with.  A name that reads as an ID, or a lookup that failed, needs no new container. */
static bool settings_denied(const struct decision *d, size_t from)
{
        for (size_t i = from; i < d->n; i++)
                if (d->v[i].code != RULE_RECHECK && d->v[i].code != RULE_ERROR)
                        return true;
        return false;
}

/* The last step of a start's look: the note that the container must be created again. */
static void finish(struct view *v, struct decision *d)
{
        if (v->kind == RECHECK_CONTAINER && settings_denied(d, v->before))
                decision_recreate(d, v->container[0] ? v->container : NULL);
        v->step = VIEW_STEP_DONE;
}

/* After the container's settings were judged: does the user depend on the image's files?  Not
 * read for a start already denied: serving the archive reads, dockerd mounts the container's binds
 * (and creates missing sources). */
static void want_identity(struct view *v, const char *field, const char *user, struct decision *d)
{
        json_t *ga = json_object_get(json_object_get(v->container_view, "HostConfig"), "GroupAdd");
        size_t n = 0, i;
        json_t *g;

        if (d->n > 0 || !user || user[0] == '\0') {   /* no user: the user rule has denied it */
                finish(v, d);
                return;
        }
        json_array_foreach(ga, i, g) {
                if (!json_is_string(g) || n == IDENTITY_GROUPS_MAX) {
                        decision_add(d, RULE_USER, "HostConfig.GroupAdd cannot be checked (not strings, or more than %d)",
                                     IDENTITY_GROUPS_MAX);
                        finish(v, d);
                        return;
                }
                n++;
        }
        if (!identity_needs_lookup(user, n)) {
                finish(v, d);
                return;
        }
        v->user = strdup(user);
        v->user_field = field;
        if (!v->user) {
                decision_add(d, RULE_ERROR, "out of memory");
                finish(v, d);
                return;
        }
        v->step = VIEW_STEP_ETC;
}

/* dockerd's answer as JSON, or NULL with the violation recorded. */
static json_t *answer_json(const struct view_fetch *f, const struct view_answer *a, struct decision *d)
{
        if (a->status != 200) {
                decision_add(d, RULE_RECHECK, "dockerd answered %ld when asked about %s", a->status, f->what);
                return NULL;
        }
        json_error_t err;
        json_t *o = gojson_loadb(a->body ? a->body : "", a->len, 0, &err);
        if (!o)
                decision_add(d, RULE_RECHECK, "dockerd's view of %s is not JSON (%s)", f->what, err.text);
        return o;
}

static void take_container(const struct policy *p, struct view *v, const struct view_fetch *f,
                           const struct view_answer *a, struct decision *d)
{
        char why[300];
        json_t *o = answer_json(f, a, d);

        if (!o) {
                v->step = VIEW_STEP_DONE;
                return;
        }
        v->container_view = o;
        if (v->step == VIEW_STEP_CONTAINER) {
                const char *cid = json_string_value(json_object_get(o, "Id"));
                note_id(v->container, cid);
                /* dockerd looks the reference up again after us: it must find this container. */
                if (reference_matches(v->target, cid, json_string_value(json_object_get(o, "Name")), why, sizeof(why)) < 0)
                        decision_add(d, RULE_NAMES, "%s", why);
                v->before = d->n;
                eval_container_view(p, o, d);
                want_identity(v, "Config.User", view_string(o, "Config", "User"), d);
                return;
        }
        eval_container_view(p, o, d);
        /* An exec without its own user runs as its container's. */
        if (v->user && v->user[0]) {
                char *own = v->user;
                v->user = NULL;
                want_identity(v, "Exec.User", own, d);
                free(own);
        } else {
                free(v->user);
                v->user = NULL;
                want_identity(v, "Config.User", view_string(o, "Config", "User"), d);
        }
}

static void take_exec(const struct policy *p, struct view *v, const struct view_fetch *f,
                      const struct view_answer *a, struct decision *d)
{
        json_t *o = answer_json(f, a, d);

        v->step = VIEW_STEP_DONE;
        if (!o)
                return;
        /* Exec IDs are looked up exactly, and an exec's container never changes. */
        note_id(v->exec, json_string_value(json_object_get(o, "ID")));
        eval_exec_view(p, o, d);
        /* The container too, which may have been created before this plugin or policy. */
        json_t *cid = json_object_get(o, "ContainerID");
        if (!json_is_string(cid) || strlen(json_string_value(cid)) >= sizeof(v->container)) {
                char q[80];
                quote_value(v->target, 64, q, sizeof(q));
                decision_add(d, RULE_RECHECK, "dockerd's view of exec %s names no container", q);
        } else {
                const char *eu = view_string(o, "ProcessConfig", "user");
                note_id(v->container, json_string_value(cid));
                v->user = eu ? strdup(eu) : NULL;
                if (eu && !v->user)
                        decision_add(d, RULE_ERROR, "out of memory");
                else
                        v->step = VIEW_STEP_EXEC_CONTAINER;
        }
        json_decref(o);
}

/* /etc: the image's own directory, or absent.  dockerd reads the user's files from the image's
 * root filesystem, beneath the binds; the archive API reads them through the binds.  The two agree
 * only when /etc is not a symlink (into /artifacts, say). */
static void take_etc(const struct policy *p, struct view *v, const struct view_fetch *f,
                     const struct view_answer *a, struct decision *d)
{
        if (a->status == 404) {
                v->step = VIEW_STEP_PASSWD;
                return;
        }
        if (a->status != 200) {
                decision_add(d, RULE_RECHECK, "dockerd answered %ld when asked for %s", a->status, f->what);
                finish(v, d);
                return;
        }
        char *raw = NULL;
        size_t raw_len = 0;
        json_t *st = NULL;
        const char *hs = a->path_stat ? a->path_stat : "";
        if (base64_decode(hs, strlen(hs), &raw, &raw_len) == 0)
                st = json_loadb(raw, raw_len, 0, NULL);
        free(raw);
        json_t *mode = json_object_get(st, "mode");
        if (!json_is_integer(mode) || json_integer_value(mode) < 0 || json_integer_value(mode) > UINT32_MAX) {
                json_decref(st);
                decision_add(d, RULE_RECHECK, "dockerd did not say what %s is", f->what);
                finish(v, d);
                return;
        }
        uint32_t m = (uint32_t) json_integer_value(mode);
        json_decref(st);
        if ((m & GO_MODE_SYMLINK) || !(m & GO_MODE_DIR)) {
                char fix[224];
                user_fix(p, v->user_field, fix, sizeof(fix));
                decision_add(d, RULE_USER, "%s is %s, so dockerd would read the user's files from somewhere else than the plugin can; %s",
                             f->what, m & GO_MODE_SYMLINK ? "a symlink" : "not a directory", fix);
                finish(v, d);
                return;
        }
        v->step = VIEW_STEP_PASSWD;
}

/* /etc/passwd or /etc/group: the tar of one file; 404 means no such file (dockerd then looks
 * nothing up in it).  The last one resolves the identity. */
static void take_etc_file(const struct policy *p, struct view *v, const struct view_fetch *f,
                          const struct view_answer *a, struct decision *d)
{
        bool passwd = v->step == VIEW_STEP_PASSWD;
        const char *data = NULL;
        size_t len = 0;
        char why[160];

        if (a->status != 200 && a->status != 404) {
                decision_add(d, RULE_RECHECK, "dockerd answered %ld when asked for %s", a->status, f->what);
                finish(v, d);
                return;
        }
        if (a->status == 200 &&
            identity_tar_file(a->body ? a->body : "", a->len, &data, &len, why, sizeof(why)) < 0) {
                decision_add(d, RULE_USER, "%s cannot be read as dockerd reads it: %s; the start is denied", f->what, why);
                finish(v, d);
                return;
        }
        if (data) {
                char *copy = malloc(len + 1);
                if (!copy) {
                        decision_add(d, RULE_ERROR, "out of memory");
                        finish(v, d);
                        return;
                }
                memcpy(copy, data, len);
                copy[len] = '\0';
                *(passwd ? &v->passwd : &v->group) = copy;
                *(passwd ? &v->passwd_len : &v->group_len) = len;
        }
        if (passwd) {
                v->step = VIEW_STEP_GROUP;
                return;
        }

        json_t *ga = json_object_get(json_object_get(v->container_view, "HostConfig"), "GroupAdd");
        const char *groups[IDENTITY_GROUPS_MAX];
        size_t n = 0, i;
        json_t *g;
        json_array_foreach(ga, i, g)
                if (n < IDENTITY_GROUPS_MAX)   /* strings, at most that many: want_identity checked */
                        groups[n++] = json_string_value(g);
        struct identity_files files = {
                .passwd = v->passwd, .passwd_len = v->passwd_len, .group = v->group, .group_len = v->group_len,
        };
        check_identity(p, v->user_field, v->user, &files, groups, n, d);
        finish(v, d);
}

void view_take(const struct policy *p, struct view *v, const struct view_answer *a, struct decision *d)
{
        struct view_fetch f;

        if (!view_next(v, &f))
                return;
        if (a->failure) {
                decision_add(d, RULE_RECHECK, "%s", a->failure);
                finish(v, d);
                return;
        }
        switch (v->step) {
        case VIEW_STEP_CONTAINER:
        case VIEW_STEP_EXEC_CONTAINER:
                take_container(p, v, &f, a, d);
                break;
        case VIEW_STEP_EXEC:
                take_exec(p, v, &f, a, d);
                break;
        case VIEW_STEP_ETC:
                take_etc(p, v, &f, a, d);
                break;
        case VIEW_STEP_PASSWD:
        case VIEW_STEP_GROUP:
                take_etc_file(p, v, &f, a, d);
                break;
        case VIEW_STEP_DONE:
                break;
        }
}

void view_end(struct view *v)
{
        json_decref(v->container_view);
        v->container_view = NULL;
        free(v->user);
        free(v->passwd);
        free(v->group);
        v->user = v->passwd = v->group = NULL;
        v->step = VIEW_STEP_DONE;
}
