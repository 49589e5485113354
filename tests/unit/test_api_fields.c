/* Unit tests: every JSON field and every route of the Engine API, as moby's source declares them, is
 * classified by the plugin.
 *
 * The lists come from tests/api/moby-VERSION/ (written by tests/api/extract.sh from a tag of moby's
 * source: one file per Go struct, routes.txt), so the test needs no moby checkout; every snapshot
 * there is checked.  For each field, a compliant request of the right endpoint gets that one field,
 * set to null (in Go a no-op for any type), at the place dockerd decodes that struct from, and goes
 * through the plugin's real decoder and rules (eval_parse_body and the endpoint's evaluator):
 *
 *   strict  the struct is bound strictly (gojson_bind denies unknown keys): the field is classified
 *           when the decision has no `has unknown key "FIELD"` violation, and the binder does know
 *           it (sent twice in two spellings, it is denied as one field sent twice);
 *   loose   the struct is bound without that check, or not at all: the field is classified only
 *           when the binder knows it (the same two-spellings probe);
 *   whole   the plugin denies the whole object once it has any entry (check_empty): the field is
 *           classified when the decision is denied naming that object, without an unknown key.
 *
 * Conversely, a made-up name at the same place must be denied as an unknown key (strict), denied
 * with the object (whole), or is the loose probe's known gap.  Every route of routes.txt, with each
 * variable filled in, must reach its own row of the route table (authz/route.c), not ROUTE_UNKNOWN.
 *
 * What is not classified today is listed in GAPS and ROUTE_GAPS (and marked "loose" in PROBES),
 * each with why; the test checks that each listed gap still is one, so fixing the policy makes this
 * test fail until the mark is removed. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/route.h"
#include "policy/decision.h"
#include "policy/eval.h"
#include "policy/policy.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

#define MADE_UP "XyzzyNotAField"

/* --- the snapshots ------------------------------------------------------------------------------ */

/* tests/api from the repository root, where make runs the tests, or $ARANDU_API_DIR. */
static const char *api_dir(void)
{
        const char *env = getenv("ARANDU_API_DIR");
        return env && env[0] ? env : "tests/api";
}

#define MAX_SNAPSHOTS 16
#define MAX_LINES     512

struct list {
        size_t n;
        char *line[MAX_LINES];
        char *buf;
};

static void list_free(struct list *l)
{
        free(l->buf);
        l->buf = NULL;
        l->n = 0;
}

/* The non-empty lines of DIR/NAME.txt; false when there is no such file. */
static bool list_load(const char *dir, const char *name, struct list *ret)
{
        char path[PATH_MAX];

        tu_path(path, sizeof(path), "%s/%s.txt", dir, name);
        ret->n = 0;
        ret->buf = tu_read_file(path, NULL);
        if (!ret->buf)
                return false;
        for (char *s = ret->buf, *e; *s; s = e) {
                e = strchr(s, '\n');
                if (e)
                        *e++ = '\0';
                else
                        e = s + strlen(s);
                if (!*s)
                        continue;
                CU_ASSERT_FATAL(ret->n < MAX_LINES);
                ret->line[ret->n++] = s;
        }
        return true;
}

static bool list_has(const struct list *l, const char *s)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->line[i], s) == 0)
                        return true;
        return false;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The snapshot directories "moby-*" under api_dir(), sorted; fatal when there is none. */
static size_t snapshots(char ret[][PATH_MAX], size_t cap)
{
        char *names[MAX_SNAPSHOTS] = { NULL };
        size_t n = 0;
        DIR *dir = opendir(api_dir());
        struct dirent *e;

        if (!dir)
                fprintf(stderr, "\n  %s: %s (run from the repository root, or set ARANDU_API_DIR)\n", api_dir(),
                        strerror(errno));
        CU_ASSERT_FATAL(dir != NULL);
        while ((e = readdir(dir)))
                if (strncmp(e->d_name, "moby-", 5) == 0 && n < MAX_SNAPSHOTS && n < cap)
                        names[n++] = strdup(e->d_name);
        closedir(dir);
        qsort(names, n, sizeof(names[0]), cmp_str);
        for (size_t i = 0; i < n; i++) {
                CU_ASSERT_FATAL(names[i] != NULL);
                tu_path(ret[i], PATH_MAX, "%s/%s", api_dir(), names[i]);
                free(names[i]);
        }
        if (n == 0)
                fprintf(stderr, "\n  no moby-* snapshot under %s\n", api_dir());
        CU_ASSERT_FATAL(n > 0);
        return n;
}

/* --- requests ----------------------------------------------------------------------------------- */

enum body_kind { CREATE, EXEC, UPDATE, CONNECT, NETCREATE, VOLCREATE };

/* Compliant bodies under the test's policy (below); $A is the artifacts root.  The create body has
 * a bind at /artifacts and a tmpfs at /tmp in Mounts, and a "none" endpoint, for the probes of
 * those structs to land in. */
static const char CREATE_BODY[] =
        "{\"User\":\"1000:1000\",\"Image\":\"bb\",\"Cmd\":[\"id\"],"
        "\"HostConfig\":{\"NetworkMode\":\"none\",\"Memory\":1073741824,\"NanoCpus\":1000000000,\"PidsLimit\":512,"
        "\"ReadonlyRootfs\":true,\"SecurityOpt\":[\"no-new-privileges\"],\"RestartPolicy\":{\"Name\":\"no\"},"
        "\"LogConfig\":{\"Type\":\"json-file\"},"
        "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"$A/demo\",\"Target\":\"/artifacts\"},"
        "{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":67108864}}]},"
        "\"NetworkingConfig\":{\"EndpointsConfig\":{\"none\":{}}}}";
static const char EXEC_BODY[] = "{\"User\":\"1000:1000\",\"Cmd\":[\"id\"],\"AttachStdout\":true}";
static const char UPDATE_BODY[] = "{\"Memory\":1073741824,\"NanoCpus\":1000000000,\"PidsLimit\":512}";
static const char CONNECT_BODY[] = "{\"Container\":\"c1\",\"EndpointConfig\":{}}";
static const char NETCREATE_BODY[] = "{\"Name\":\"n1\",\"Driver\":\"bridge\"}";
static const char VOLCREATE_BODY[] = "{\"Name\":\"v1\",\"Driver\":\"local\"}";

static const char *const BODY_OF[] = {
        [CREATE] = CREATE_BODY, [EXEC] = EXEC_BODY, [UPDATE] = UPDATE_BODY,
        [CONNECT] = CONNECT_BODY, [NETCREATE] = NETCREATE_BODY, [VOLCREATE] = VOLCREATE_BODY,
};

static char base_dir[PATH_MAX], repos[PATH_MAX], artifacts[PATH_MAX];
static struct tu_vars vars;

static void cleanup(void)
{
        tu_rm_rf(base_dir);
}

static void tree(void)
{
        char p[PATH_MAX];

        if (base_dir[0])
                return;
        tu_mkdtemp(base_dir, sizeof(base_dir));
        atexit(cleanup);
        tu_path(repos, sizeof(repos), "%s/repos", base_dir);
        tu_path(artifacts, sizeof(artifacts), "%s/artifacts", base_dir);
        tu_mkdir(repos);
        tu_mkdir(artifacts);
        tu_path(p, sizeof(p), "%s/demo", artifacts);
        tu_mkdir(p);
        vars = (struct tu_vars) { 1, { "$A" }, { artifacts } };
}

/* The default policy with the test's roots, bridge allowed (network create is judged only then, and
 * it judges no less of the other bodies) and a tmpfs allowed at /tmp. */
static struct policy *test_policy(void)
{
        struct policy *p;

        tree();
        p = tu_policy(repos, artifacts);
        p->network = NETWORK_BRIDGE;
        snprintf(p->tmpfs_targets[0], sizeof(p->tmpfs_targets[0]), "/tmp");
        p->n_tmpfs_targets = 1;
        return p;
}

/* Decide `text` as a request body of `kind`, through the real decoder. */
static void decide(const struct policy *p, enum body_kind kind, const char *text, struct decision *d)
{
        json_t *body = NULL;

        decision_init(d);
        if (eval_parse_body(text, strlen(text), "request", &body, d) == 0) {
                switch (kind) {
                case CREATE:    eval_container_create(p, body, d); break;
                case EXEC:      eval_exec_create(p, body, d); break;
                case UPDATE:    eval_container_update(p, body, d); break;
                case CONNECT:   eval_network_connect(p, "bridge", body, d); break;
                case NETCREATE: eval_network_create(p, body, d); break;
                case VOLCREATE: eval_volume_create(p, body, d); break;
                }
                json_decref(body);
        }
        decision_finish(d);
}

/* The object at a dotted path ("HostConfig.Mounts.0.BindOptions": a number indexes an array),
 * objects made on the way where missing.  Borrowed. */
static json_t *object_at(json_t *root, const char *path)
{
        char key[128];
        json_t *v = root;

        for (const char *s = path; *s;) {
                size_t n = strcspn(s, ".");
                CU_ASSERT_FATAL(n < sizeof(key));
                memcpy(key, s, n);
                key[n] = '\0';
                s += n + (s[n] == '.');
                if (json_is_array(v)) {
                        char *end;
                        unsigned long i = strtoul(key, &end, 10);
                        CU_ASSERT_FATAL(*end == '\0' && i < json_array_size(v));
                        v = json_array_get(v, i);
                        continue;
                }
                CU_ASSERT_FATAL(json_is_object(v));
                json_t *next = json_object_get(v, key);
                if (!next) {
                        next = json_object();
                        CU_ASSERT_FATAL(json_object_set_new(v, key, next) == 0);
                }
                v = next;
        }
        CU_ASSERT_FATAL(json_is_object(v));
        return v;
}

/* The body of `kind` with `field` (and `twin`, when not NULL) set to null at `at`.  Caller frees. */
static char *body_with(enum body_kind kind, const char *at, const char *field, const char *twin)
{
        char *text = tu_subst(BODY_OF[kind], &vars);
        json_t *root = tu_json(text);
        free(text);
        if (field) {
                json_t *obj = object_at(root, at);
                CU_ASSERT_FATAL(json_object_set_new(obj, field, json_null()) == 0);
                if (twin)
                        CU_ASSERT_FATAL(json_object_set_new(obj, twin, json_null()) == 0);
        }
        text = json_dumps(root, JSON_COMPACT);
        CU_ASSERT_FATAL(text != NULL);
        json_decref(root);
        return text;
}

/* --- where each struct is decoded, and how the plugin binds it ---------------------------------- */

enum binding { STRICT, LOOSE, WHOLE };

struct probe {
        const char *file;        /* the snapshot's NAME.txt */
        enum body_kind kind;
        const char *at;          /* the object the field goes into ("" = the body) */
        enum binding how;
        const char *judged;      /* WHOLE: the text of the violation that denies the object */
};

static const struct probe PROBES[] = {
        /* The create body: container.CreateRequest (v27+) or runconfig.ContainerConfigWrapper. */
        { "CreateRequest",      CREATE,    "", STRICT, NULL },
        { "Config",             CREATE,    "", STRICT, NULL },
        { "HostConfig",         CREATE,    "HostConfig", STRICT, NULL },
        { "RestartPolicy",      CREATE,    "HostConfig.RestartPolicy", STRICT, NULL },
        { "RestartPolicy",      UPDATE,    "RestartPolicy", STRICT, NULL },
        { "LogConfig",          CREATE,    "HostConfig.LogConfig", STRICT, NULL },
        /* on purpose: docker-py's run(network=) puts {"NAME": null} here, which dockerd ignores */
        { "NetworkingConfig",   CREATE,    "NetworkingConfig", LOOSE, NULL },
        { "EndpointSettings",   CREATE,    "NetworkingConfig.EndpointsConfig.none", STRICT, NULL },
        { "EndpointSettings",   CONNECT,   "EndpointConfig", STRICT, NULL },
        { "EndpointIPAMConfig", CREATE,    "NetworkingConfig.EndpointsConfig.none.IPAMConfig", STRICT, NULL },
        { "EndpointIPAMConfig", CONNECT,   "EndpointConfig.IPAMConfig", STRICT, NULL },
        { "Mount",              CREATE,    "HostConfig.Mounts.0", STRICT, NULL },
        { "BindOptions",        CREATE,    "HostConfig.Mounts.0.BindOptions", STRICT, NULL },
        { "TmpfsOptions",       CREATE,    "HostConfig.Mounts.1.TmpfsOptions", STRICT, NULL },
        /* Any entry in these denies the mount (check_empty): every field, known or not. */
        { "VolumeOptions",      CREATE,    "HostConfig.Mounts.0.VolumeOptions", WHOLE,
          "HostConfig.Mounts[0].VolumeOptions has 1 entry" },
        { "Driver",             CREATE,    "HostConfig.Mounts.0.VolumeOptions.DriverConfig", WHOLE,
          "HostConfig.Mounts[0].VolumeOptions has 1 entry" },
        { "ImageOptions",       CREATE,    "HostConfig.Mounts.0.ImageOptions", WHOLE,
          "HostConfig.Mounts[0].ImageOptions has 1 entry" },
        { "ExecOptions",        EXEC,      "", STRICT, NULL },
        { "UpdateConfig",       UPDATE,    "", STRICT, NULL },
        { "NetworkConnect",     CONNECT,   "", STRICT, NULL },
        { "NetworkCreateRequest", NETCREATE, "", STRICT, NULL },
        { "VolumeCreate",       VOLCREATE, "", STRICT, NULL },
};

/* Fields the plugin does not classify today: what dockerd does with each, and why it is left.
 * (Checked: each is still a gap in some snapshot.) */
struct gap {
        const char *file;
        const char *field;
};

static const struct gap GAPS[] = {
        /* none today; a gap is listed as { "Struct", "Field" }, with what dockerd does with it */
        { NULL, NULL },
};

/* Routes the table does not have, on purpose: denied as unknown. */
static const char *const ROUTE_GAPS[] = {
        /* The debug router (expvar, pprof): not part of the Engine API, left out of route.c's
         * table; mounted under /debug with any method up to v26, a router of its own from v27. */
        "GET /debug/vars", "GET /debug/pprof/", "GET /debug/pprof/cmdline", "GET /debug/pprof/profile",
        "GET /debug/pprof/symbol", "GET /debug/pprof/trace", "GET /debug/pprof/{name}",
        /* v20 only: answers an error since API 1.12 (docker cp uses /archive). */
        "POST /containers/{name:.*}/copy",
};

static bool gap_listed(const char *file, const char *field)
{
        for (size_t i = 0; GAPS[i].file; i++)
                if (strcmp(GAPS[i].file, file) == 0 && strcmp(GAPS[i].field, field) == 0)
                        return true;
        return false;
}

/* --- the checks --------------------------------------------------------------------------------- */

static bool unknown_key(const struct decision *d, const char *field)
{
        char needle[192];

        snprintf(needle, sizeof(needle), "has unknown key \"%s\"", field);
        return tu_mentions(d, needle);
}

/* The same name with its first letter's case flipped: Go (and gojson) match it to the same field. */
static void twin_of(const char *field, char *buf, size_t size)
{
        snprintf(buf, size, "%s", field);
        if (buf[0] >= 'a' && buf[0] <= 'z')
                buf[0] = (char) (buf[0] - 'a' + 'A');
        else if (buf[0] >= 'A' && buf[0] <= 'Z')
                buf[0] = (char) (buf[0] - 'A' + 'a');
}

/* Does the binder at the probe's place know `field`?  Two spellings of one known field are denied
 * as one field sent twice; the binder says nothing of a key it does not know (loose), or calls both
 * unknown (strict). */
static bool binder_knows(const struct policy *p, const struct probe *pr, const char *field)
{
        char twin[128], needle[192];
        struct decision d;

        twin_of(field, twin, sizeof(twin));
        char *text = body_with(pr->kind, pr->at, field, twin);
        decide(p, pr->kind, text, &d);
        free(text);
        CU_ASSERT_FALSE(d.truncated);
        snprintf(needle, sizeof(needle), "\"%s\", which dockerd reads as one field", twin);
        return tu_mentions(&d, needle);
}

enum verdict { CLASSIFIED, UNCLASSIFIED, DENIED_UNKNOWN };

/* How the plugin takes `field` at the probe's place.  `why` gets the decision when it matters. */
static enum verdict classify(const struct policy *p, const struct probe *pr, const char *field, char *why,
                             size_t whysz)
{
        struct decision d;
        char *text = body_with(pr->kind, pr->at, field, NULL);

        decide(p, pr->kind, text, &d);
        free(text);
        decision_message(&d, why, whysz);
        CU_ASSERT_FALSE(d.truncated);
        switch (pr->how) {
        case STRICT:
                if (unknown_key(&d, field))
                        return DENIED_UNKNOWN;
                /* not unknown, so the binder must know it: anything else is a broken probe */
                CU_ASSERT_TRUE(binder_knows(p, pr, field));
                return CLASSIFIED;
        case LOOSE:
                CU_ASSERT_FALSE(unknown_key(&d, field));
                return binder_knows(p, pr, field) ? CLASSIFIED : UNCLASSIFIED;
        case WHOLE:
                if (unknown_key(&d, field))
                        return DENIED_UNKNOWN;
                return !d.allow && tu_mentions(&d, pr->judged) ? CLASSIFIED : UNCLASSIFIED;
        }
        return UNCLASSIFIED;
}

/* The fields of v20-v26's create body that runconfig's wrapper promotes from its deprecated
 * embedded HostConfig (and its Cpuset): the plugin denies them at the top level on purpose, since
 * the daemon would honour them there (create.c). */
static bool promoted_on_purpose(const struct probe *pr, const struct list *config, const struct list *hc,
                                const char *field)
{
        return strcmp(pr->file, "CreateRequest") == 0 && !list_has(config, field) &&
               (list_has(hc, field) || strcmp(field, "Cpuset") == 0);
}

static size_t gap_hits[sizeof(GAPS) / sizeof(GAPS[0])];

/* Each compliant body is allowed, and a made-up name in it is taken as the probe says. */
static void test_probes_and_made_up_names(void)
{
        struct policy *p = test_policy();
        char msg[4096];

        for (size_t i = 0; i < sizeof(BODY_OF) / sizeof(BODY_OF[0]); i++) {
                struct decision d;
                char *text = body_with((enum body_kind) i, "", NULL, NULL);
                decide(p, (enum body_kind) i, text, &d);
                free(text);
                decision_message(&d, msg, sizeof(msg));
                if (!d.allow)
                        fprintf(stderr, "\n  compliant body %zu is denied: %s\n", i, msg);
                CU_ASSERT_TRUE(d.allow);
        }
        for (size_t i = 0; i < sizeof(PROBES) / sizeof(PROBES[0]); i++) {
                const struct probe *pr = &PROBES[i];
                struct decision d;
                char *text = body_with(pr->kind, pr->at, MADE_UP, NULL);
                bool ok = false;

                decide(p, pr->kind, text, &d);
                free(text);
                decision_message(&d, msg, sizeof(msg));
                switch (pr->how) {
                case STRICT:
                        ok = unknown_key(&d, MADE_UP) && !d.allow;
                        break;
                case LOOSE:
                        /* the expected gap: an unknown name passes (when it starts being denied,
                         * make the probe STRICT and drop its GAPS) */
                        ok = d.allow;
                        break;
                case WHOLE:
                        ok = !d.allow && tu_mentions(&d, pr->judged);
                        break;
                }
                if (!ok)
                        fprintf(stderr, "\n  %s at \"%s\": a made-up field is not taken as the probe expects: %s\n",
                                pr->file, pr->at, msg);
                CU_ASSERT_TRUE(ok);
        }
        policy_unref(p);
}

/* Every field of every struct of every snapshot. */
static void test_every_field(void)
{
        char dirs[MAX_SNAPSHOTS][PATH_MAX];
        size_t n = snapshots(dirs, MAX_SNAPSHOTS);
        struct policy *p = test_policy();
        char why[4096];

        for (size_t s = 0; s < n; s++) {
                const char *version = strrchr(dirs[s], '/') + 1;
                struct list config, hc;
                size_t fields = 0, structs = 0, gaps = 0, on_purpose = 0;

                CU_ASSERT_FATAL(list_load(dirs[s], "Config", &config));
                CU_ASSERT_FATAL(list_load(dirs[s], "HostConfig", &hc));

                /* every list in the snapshot has a probe */
                DIR *dir = opendir(dirs[s]);
                struct dirent *e;
                CU_ASSERT_FATAL(dir != NULL);
                while ((e = readdir(dir))) {
                        size_t len = strlen(e->d_name);
                        bool probed = false;
                        if (len < 5 || strcmp(e->d_name + len - 4, ".txt") != 0 ||
                            strcmp(e->d_name, "SOURCES.txt") == 0 || strcmp(e->d_name, "routes.txt") == 0)
                                continue;
                        for (size_t i = 0; i < sizeof(PROBES) / sizeof(PROBES[0]); i++)
                                if (strlen(PROBES[i].file) == len - 4 && strncmp(PROBES[i].file, e->d_name, len - 4) == 0)
                                        probed = true;
                        if (!probed)
                                fprintf(stderr, "\n  %s/%s: no probe in test_api_fields.c\n", version, e->d_name);
                        CU_ASSERT_TRUE(probed);
                        structs++;
                }
                closedir(dir);

                for (size_t i = 0; i < sizeof(PROBES) / sizeof(PROBES[0]); i++) {
                        const struct probe *pr = &PROBES[i];
                        struct list l;
                        if (!list_load(dirs[s], pr->file, &l))
                                continue;           /* not at this version (ImageOptions) */
                        CU_ASSERT(l.n > 0);
                        for (size_t k = 0; k < l.n; k++) {
                                const char *f = l.line[k];
                                enum verdict v = classify(p, pr, f, why, sizeof(why));
                                bool listed = gap_listed(pr->file, f);
                                bool purpose = promoted_on_purpose(pr, &config, &hc, f);
                                fields++;
                                if (purpose) {
                                        /* denied, and must stay denied */
                                        if (v != DENIED_UNKNOWN)
                                                fprintf(stderr, "\n  %s: CreateRequest.%s (the deprecated top-level HostConfig) is not denied: %s\n",
                                                        version, f, why);
                                        CU_ASSERT_EQUAL(v, DENIED_UNKNOWN);
                                        on_purpose++;
                                        continue;
                                }
                                if (v == CLASSIFIED && listed)
                                        fprintf(stderr, "\n  %s: %s.%s is classified now (%s at \"%s\"): remove it from GAPS\n",
                                                version, pr->file, f, pr->file, pr->at);
                                else if (v != CLASSIFIED && !listed)
                                        fprintf(stderr, "\n  %s: %s.%s is not classified by the plugin (%s at \"%s\"): %s\n",
                                                version, pr->file, f, v == DENIED_UNKNOWN ? "denied as unknown" : "passes unseen",
                                                pr->at, why);
                                CU_ASSERT_TRUE((v == CLASSIFIED) != listed);
                                if (listed) {
                                        gaps++;
                                        for (size_t g = 0; GAPS[g].file; g++)
                                                if (strcmp(GAPS[g].file, pr->file) == 0 && strcmp(GAPS[g].field, f) == 0)
                                                        gap_hits[g]++;
                                }
                        }
                        list_free(&l);
                }
                printf("\n  %s: %zu structs, %zu field probes: %zu classified, %zu expected gaps, %zu denied on purpose",
                       version, structs, fields, fields - gaps - on_purpose, gaps, on_purpose);
                list_free(&config);
                list_free(&hc);
        }
        for (size_t g = 0; GAPS[g].file; g++) {
                if (!gap_hits[g])
                        fprintf(stderr, "\n  GAPS lists %s.%s, which no snapshot has: remove it\n", GAPS[g].file,
                                GAPS[g].field);
                CU_ASSERT(gap_hits[g] > 0);
        }
        policy_unref(p);
}

/* --- routes ------------------------------------------------------------------------------------- */

static bool route_gap(const char *line)
{
        for (size_t i = 0; i < sizeof(ROUTE_GAPS) / sizeof(ROUTE_GAPS[0]); i++)
                if (strcmp(ROUTE_GAPS[i], line) == 0)
                        return true;
        return false;
}

/* "/containers/{name:.*}/start" -> "/containers/x1/start". */
static void instantiate(const char *tpl, char *buf, size_t size)
{
        size_t len = 0;

        for (const char *s = tpl; *s; s++) {
                if (*s == '{') {
                        const char *end = strchr(s, '}');
                        CU_ASSERT_FATAL(end != NULL);
                        CU_ASSERT_FATAL(len + 2 < size);
                        memcpy(buf + len, "x1", 2);
                        len += 2;
                        s = end;
                        continue;
                }
                CU_ASSERT_FATAL(len + 1 < size);
                buf[len++] = *s;
        }
        buf[len] = '\0';
}

static void test_every_route(void)
{
        static struct route r;
        char dirs[MAX_SNAPSHOTS][PATH_MAX];
        size_t n = snapshots(dirs, MAX_SNAPSHOTS);
        bool route_gap_hit[sizeof(ROUTE_GAPS) / sizeof(ROUTE_GAPS[0])] = { false };

        for (size_t s = 0; s < n; s++) {
                const char *version = strrchr(dirs[s], '/') + 1;
                struct list l;
                size_t gaps = 0;

                CU_ASSERT_FATAL(list_load(dirs[s], "routes", &l));
                CU_ASSERT(l.n > 0);
                for (size_t k = 0; k < l.n; k++) {
                        const char *line = l.line[k];
                        const char *sp = strchr(line, ' ');
                        char method[16], path[512], uri[600];
                        struct route_error err = { "" };

                        CU_ASSERT_FATAL(sp != NULL && (size_t) (sp - line) < sizeof(method));
                        memcpy(method, line, (size_t) (sp - line));
                        method[sp - line] = '\0';
                        instantiate(sp + 1, path, sizeof(path));
                        for (int versioned = 0; versioned < 2; versioned++) {
                                snprintf(uri, sizeof(uri), "%s%s", versioned ? "/v1.51" : "", path);
                                int rc = route_parse(method, uri, &r, &err);
                                CU_ASSERT_EQUAL(rc, 0);
                                bool own = rc == 0 && r.action != ROUTE_UNKNOWN && r.pattern && strcmp(r.pattern, line) == 0;
                                if (route_gap(line)) {
                                        if (rc != 0 || r.action != ROUTE_UNKNOWN)
                                                fprintf(stderr, "\n  %s: %s is routed now (%s): remove it from ROUTE_GAPS\n", version,
                                                        line, r.pattern ? r.pattern : "?");
                                        CU_ASSERT(rc == 0 && r.action == ROUTE_UNKNOWN);
                                        continue;
                                }
                                if (!own)
                                        fprintf(stderr, "\n  %s: %s (as %s %s) is routed to %s %s\n", version, line, method, uri,
                                                route_action_name(r.action), r.pattern ? r.pattern : "(no pattern)");
                                CU_ASSERT_TRUE(own);
                        }
                        if (route_gap(line)) {
                                gaps++;
                                for (size_t g = 0; g < sizeof(ROUTE_GAPS) / sizeof(ROUTE_GAPS[0]); g++)
                                        if (strcmp(ROUTE_GAPS[g], line) == 0)
                                                route_gap_hit[g] = true;
                        }
                }
                printf("\n  %s: %zu routes: %zu routed to their own row, %zu expected gaps", version, l.n, l.n - gaps, gaps);
                list_free(&l);
        }
        for (size_t g = 0; g < sizeof(ROUTE_GAPS) / sizeof(ROUTE_GAPS[0]); g++) {
                if (!route_gap_hit[g])
                        fprintf(stderr, "\n  ROUTE_GAPS lists %s, which no snapshot has: remove it\n", ROUTE_GAPS[g]);
                CU_ASSERT(route_gap_hit[g]);
        }
}

static const struct cu_test TESTS[] = {
        { "compliant bodies, made-up names", test_probes_and_made_up_names },
        { "every field of every snapshot", test_every_field },
        { "every route of every snapshot", test_every_route },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "api_fields", TESTS },
};

CU_MAIN(SUITES)
