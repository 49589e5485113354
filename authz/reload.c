/* The policy in force and its live reload: see reload.h.
 *
 * A mutex guards the pointer: taking a reference is a lock, an atomic increment and an unlock, a
 * few tens of nanoseconds against a decision that costs microseconds.  A lock-free pointer would
 * need hazard pointers or RCU to stop a reader from referencing a policy that the reloader has just
 * dropped to zero; the mutex makes "load the pointer and take a reference" one step instead. */
#include "authz/reload.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/log.h"
#include "authz/metrics.h"

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct policy *current;      /* guarded by current_lock */
static char *current_path;          /* guarded by current_lock; NULL: no policy file */
/* With --policy-url: the signed bundle's policy document in force and its serial (a reload
 * rebuilds from it), and why there is no policy while there is none. */
static char *current_text;          /* guarded by current_lock; NULL: none */
static size_t current_text_len;
static uint64_t current_serial;
static char why_none[256];          /* guarded by current_lock */
static void (*reload_hook)(void *);  /* guarded by reload_lock */
static void *reload_hook_arg;
/* One reload at a time (SIGHUP is handled by one thread, but the API should not depend on that). */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;

/* Put `p` and `path` (both taken over) in force, and release what was. */
static void current_replace(struct policy *p, char *path)
{
        pthread_mutex_lock(&current_lock);
        struct policy *old = current;
        char *old_path = current_path;
        current = p;
        current_path = path;
        pthread_mutex_unlock(&current_lock);

        policy_unref(old);
        free(old_path);
}

int policy_current_init(struct policy *p, const char *path)
{
        char *copy = NULL;

        if (path) {
                copy = strdup(path);
                if (!copy)
                        return -ENOMEM;
        }
        current_replace(policy_ref(p), copy);
        return 0;
}

struct policy *policy_current(void)
{
        pthread_mutex_lock(&current_lock);
        struct policy *p = policy_ref(current);
        pthread_mutex_unlock(&current_lock);
        return p;
}

void policy_problems_log(const char *who, const struct policy_problems *pr, bool failed)
{
        size_t nw = pr->n_warnings < POLICY_PROBLEMS_MAX ? pr->n_warnings : POLICY_PROBLEMS_MAX;
        size_t ne = pr->n_errors < POLICY_PROBLEMS_MAX ? pr->n_errors : POLICY_PROBLEMS_MAX;

        /* Problem lines name settings and quote (cut, escaped) values; never environment values. */
        for (size_t i = 0; i < nw; i++)
                log_warning("%s: warning: %s", who, pr->warnings[i]);
        for (size_t i = 0; i < ne; i++)
                log_error("%s: %s", who, pr->errors[i]);
        if (failed && pr->n_errors > ne)
                log_error("%s: %zu more problems not shown", who, pr->n_errors - ne);
}

int policy_reload(void)
{
        struct policy_problems problems;
        struct policy *p = NULL;
        char *path = NULL, *text = NULL;
        size_t text_len = 0;
        char name[32];
        int r;

        pthread_mutex_lock(&reload_lock);
        if (reload_hook)
                reload_hook(reload_hook_arg);

        pthread_mutex_lock(&current_lock);
        bool ready = current != NULL;
        if (current_path)
                path = strdup(current_path);
        bool oom = current_path && !path;
        uint64_t serial = current_serial;
        if (current_text) {
                text = malloc(current_text_len + 1);
                oom = oom || !text;
                if (text)
                        memcpy(text, current_text, current_text_len + 1);
                text_len = current_text_len;
        }
        pthread_mutex_unlock(&current_lock);

        if (!ready || oom) {
                r = !ready ? -EINVAL : -ENOMEM;
                log_error("reload: %s",
                          !ready ? "no policy is in force yet, nothing to reload" : "out of memory; keeping the current policy");
                goto done;
        }

        /* The problems struct is large (about 10 KiB): zeroed here, not on a thread's small stack
         * elsewhere. */
        memset(&problems, 0, sizeof(problems));
        snprintf(name, sizeof(name), "serial %llu", (unsigned long long) serial);
        r = text ? policy_load_text(name, text, text_len, NULL, &p, &problems) : policy_load(path, NULL, &p, &problems);
        policy_problems_log("reload", &problems, r < 0);
        if (r < 0) {
                if (problems.n_errors == 0)
                        log_error_errno(r, "reload: cannot load the policy%s%s", path ? " from " : "",
                                        path ? LOG_ESC(path) : "");
                log_error("reload: the new policy is invalid; keeping the current one");
                goto done;
        }

        pthread_mutex_lock(&current_lock);
        struct policy *old = current;
        if (text && serial != current_serial) {
                /* a newer bundle came in meanwhile: it stands, built from this environment too */
                pthread_mutex_unlock(&current_lock);
                policy_unref(p);
                r = 0;
                goto done;
        }
        p->serial = serial;
        current = p;
        pthread_mutex_unlock(&current_lock);
        /* Requests still deciding with the old policy hold their own references. */
        policy_unref(old);
        if (text)
                log_info("reload: the policy of signed bundle serial %llu rebuilt and in force",
                         (unsigned long long) serial);
        else
                log_info("reload: new policy in force%s%s", path ? " from " : " (defaults and environment)",
                         path ? LOG_ESC(path) : "");
        r = 0;

done:
        metrics_policy_reload(r >= 0);
        free(path);
        free(text);
        pthread_mutex_unlock(&reload_lock);
        return r;
}

void policy_current_fini(void)
{
        current_replace(NULL, NULL);
        pthread_mutex_lock(&current_lock);
        free(current_text);
        current_text = NULL;
        current_text_len = 0;
        current_serial = 0;
        pthread_mutex_unlock(&current_lock);
}

int policy_current_set_bundle(struct policy *p, const char *text, size_t len, uint64_t serial)
{
        char *copy = malloc(len + 1);

        if (!copy)
                return -ENOMEM;
        memcpy(copy, text, len);
        copy[len] = '\0';
        pthread_mutex_lock(&current_lock);
        if (serial <= current_serial) {
                pthread_mutex_unlock(&current_lock);
                free(copy);
                return -ESTALE;
        }
        struct policy *old = current;
        char *old_text = current_text;
        p->serial = serial;
        current = policy_ref(p);
        current_text = copy;
        current_text_len = len;
        current_serial = serial;
        why_none[0] = '\0';
        pthread_mutex_unlock(&current_lock);
        policy_unref(old);
        free(old_text);
        return 0;
}

uint64_t policy_current_serial(void)
{
        pthread_mutex_lock(&current_lock);
        uint64_t s = current_serial;
        pthread_mutex_unlock(&current_lock);
        return s;
}

void policy_current_set_why_none(const char *why)
{
        pthread_mutex_lock(&current_lock);
        snprintf(why_none, sizeof(why_none), "%s", why);
        pthread_mutex_unlock(&current_lock);
}

void policy_current_why_none(char *buf, size_t len)
{
        pthread_mutex_lock(&current_lock);
        snprintf(buf, len, "%s", why_none);
        pthread_mutex_unlock(&current_lock);
}

void policy_current_set_reload_hook(void (*fn)(void *arg), void *arg)
{
        pthread_mutex_lock(&reload_lock);
        reload_hook = fn;
        reload_hook_arg = arg;
        pthread_mutex_unlock(&reload_lock);
}
