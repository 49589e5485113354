/* libcurl loaded at run time: see curl_lazy.h.
 *
 * Loading from a second thread while libmicrohttpd's threads serve is safe: glibc's dlopen is
 * thread-safe (it serialises on the loader lock, runs the new libraries' relocations and
 * constructors, gnutls's and p11-kit's among them, in the loading thread, and lets other threads'
 * symbol lookups, lazy binding in libraries not linked -z now, go on beside it; our binary, linked
 * -z now, binds nothing after start).  Static TLS, which a late dlopen can run out of: in libcurl's
 * tree only glibc's own libresolv asks for it, from the surplus glibc keeps for that; were it ever
 * short, the load would fail and be reported like any other failure (fail closed). */
#include "authz/curl_lazy.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "authz/log.h"

/* Each entry of struct curl_api and the name it is resolved by. */
static const struct {
        const char *name;
        size_t offset;
} symbols[] = {
#define SYM(field) { "curl_" #field, offsetof(struct curl_api, field) }
        SYM(global_init),  SYM(easy_init),    SYM(easy_setopt), SYM(easy_perform), SYM(easy_getinfo),
        SYM(easy_cleanup), SYM(easy_strerror), SYM(easy_escape), SYM(free),        SYM(url),
        SYM(url_set),      SYM(url_get),      SYM(url_cleanup), SYM(slist_append), SYM(slist_free_all),
#undef SYM
};

/* Every entry is a function pointer, each filled from dlsym()'s void * (POSIX: same size). */
_Static_assert(sizeof(struct curl_api) == sizeof(symbols) / sizeof(symbols[0]) * sizeof(void (*)(void)),
               "every struct curl_api entry needs a symbols[] line");
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym() results must fit a function pointer");

int curl_lazy_open(const char *soname, struct curl_api *ret_api, struct curl_lazy_error *err)
{
        struct curl_lazy_error ignored;
        struct curl_api api;
        void *h;

        if (!err)
                err = &ignored;
        if (!soname || !ret_api) {
                snprintf(err->text, sizeof(err->text), "invalid arguments");
                return -EINVAL;
        }
        (void) dlerror();
        h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                const char *e = dlerror();
                snprintf(err->text, sizeof(err->text), "%s", e ? e : "dlopen failed");
                return -ELIBACC;
        }
        for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
                (void) dlerror();
                void *sym = dlsym(h, symbols[i].name);
                if (!sym) {
                        const char *e = dlerror();
                        snprintf(err->text, sizeof(err->text), "%s", e ? e : symbols[i].name);
                        dlclose(h);
                        return -ELIBBAD;
                }
                memcpy((char *) &api + symbols[i].offset, &sym, sizeof(sym));
        }
        /* Safe beside the serving threads: thread-safe since 7.84 ("threadsafe" in curl -V, Debian 12
         * has 7.88), and nothing else here uses the libraries it initialises (OpenSSL's libssl,
         * libssh2); under curl_lazy_get()'s once besides. */
        CURLcode c = api.global_init(CURL_GLOBAL_DEFAULT);
        if (c != CURLE_OK) {
                /* Left loaded: a library that may be half initialised is not unloaded. */
                snprintf(err->text, sizeof(err->text), "curl_global_init failed: %s", api.easy_strerror(c));
                return c == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EIO;
        }
        /* h stays open for good: libcurl and its dependencies are never unloaded. */
        *ret_api = api;
        return 0;
}

/* ---- once per process ------------------------------------------------------------------------- */

/* Written only inside load_once(); pthread_once() orders those writes before every caller's reads. */
static pthread_once_t load_once_control = PTHREAD_ONCE_INIT;
static const char *load_soname = CURL_LAZY_SONAME;   /* only tests change it, before any thread */
static struct curl_api loaded;
static int load_result;
static struct curl_lazy_error load_error;

static void load_once(void)
{
        load_result = curl_lazy_open(load_soname, &loaded, &load_error);
}

void curl_lazy_set_soname_for_tests(const char *soname)
{
        load_soname = soname;
}

int curl_lazy_get(const struct curl_api **ret_api, struct curl_lazy_error *err)
{
        int r = pthread_once(&load_once_control, load_once);

        if (r != 0) {
                if (err)
                        snprintf(err->text, sizeof(err->text), "pthread_once failed");
                return -r;
        }
        if (load_result < 0) {
                if (err)
                        *err = load_error;
                return load_result;
        }
        *ret_api = &loaded;
        return 0;
}

/* ---- background load -------------------------------------------------------------------------- */

/* Only the main thread starts and joins it. */
/* The load waits this long after the server starts: on a 2-CPU host it would otherwise share a
 * CPU with the first decisions (it also initialises OpenSSL, libcurl's TLS backend).  A start that
 * comes sooner loads it itself. */
#define PRELOAD_DELAY_MS 200

static pthread_t preload_thread;
static bool preload_running;
static atomic_bool preload_stop;

static void *preload_main(void *arg)
{
        const struct curl_api *api;
        struct curl_lazy_error e;
        int r;

        (void) arg;
        for (int ms = 0; ms < PRELOAD_DELAY_MS && !atomic_load(&preload_stop); ms += 10)
                nanosleep(&(struct timespec){ .tv_nsec = 10000000L }, NULL);   /* 10 ms */
        if (atomic_load(&preload_stop))
                return NULL;   /* stopping before it was needed */
        r = curl_lazy_get(&api, &e);
        if (r < 0)
                log_error("cannot load %s, so every start will be denied (the second look needs it): %s",
                          CURL_LAZY_SONAME, e.text);
        else
                log_debug("%s loaded", CURL_LAZY_SONAME);
        return NULL;
}

int curl_lazy_preload(void)
{
        sigset_t all, old;
        int r;

        if (preload_running)
                return 0;
        /* Signals are the main thread's business (sigwait). */
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        r = pthread_create(&preload_thread, NULL, preload_main, NULL);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r != 0)
                return -r;
        preload_running = true;
        return 0;
}

void curl_lazy_preload_wait(void)
{
        if (!preload_running)
                return;
        atomic_store(&preload_stop, true);
        pthread_join(preload_thread, NULL);
        preload_running = false;
}

int curl_lazy_check_url(const struct curl_api *api, const char *url, char **ret_shown)
{
        CURLU *u = api->url();
        char *scheme = NULL, *shown = NULL;
        int r = -EINVAL;

        if (!u)
                return -ENOMEM;
        if (api->url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
            api->url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
                goto out;
        if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
                goto out;
        /* no credentials, and no query: it may carry a token (a presigned URL) */
        if (api->url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
            api->url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
            api->url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
            api->url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
            api->url_get(u, CURLUPART_URL, &shown, 0) != CURLUE_OK)
                goto out;
        *ret_shown = strdup(shown);
        r = *ret_shown ? 0 : -ENOMEM;
out:
        api->free(scheme);
        api->free(shown);
        api->url_cleanup(u);
        return r;
}
