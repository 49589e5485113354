/* libcurl, loaded at run time (dlopen) instead of linked.
 *
 * Debian's libcurl4 links some thirty shared libraries (libssl, nghttp2, librtmp and gnutls,
 * libssh2, LDAP, SASL, Kerberos, brotli, ...), eighteen of which nothing else here needs; loading
 * and relocating them and curl_global_init() cost several milliseconds at every start, although
 * only the second look (recheck.c) and --audit-url (ship.c) use libcurl.  So `arandu-authz` does
 * not link it: the server starts loading it on a background thread once it serves
 * (curl_lazy_preload()), --audit-url loads it at start-up, and whoever needs it first waits for the
 * one load (curl_lazy_get()).
 *
 * <curl/curl.h> is still included, for types and constants only: every call goes through the table
 * below.  The soname is fixed (no environment variable or option can point a root daemon at another
 * library); only tests name another one (curl_lazy_open(), curl_lazy_set_soname_for_tests()). */
#pragma once

#include <curl/curl.h>

#define CURL_LAZY_SONAME "libcurl.so.4"

/* Why the load failed: dlerror()'s text, or which step failed. */
struct curl_lazy_error {
        char text[256];
};

/* The libcurl functions this daemon calls, each resolved from the library by its curl_ name
 * (easy_setopt is curl_easy_setopt, free is curl_free ...).  Called through pointers, setopt and
 * getinfo lose the argument checks curl.h's typecheck-gcc.h gives the real names: pass long
 * options as long (1L, (long) n), sizes as curl_off_t, and pointers of the documented types. */
struct curl_api {
        CURLcode (*global_init)(long flags);
        CURL *(*easy_init)(void);
        CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
        CURLcode (*easy_perform)(CURL *curl);
        CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
        void (*easy_cleanup)(CURL *curl);
        const char *(*easy_strerror)(CURLcode code);
        char *(*easy_escape)(CURL *curl, const char *string, int length);
        void (*free)(void *p);
        CURLU *(*url)(void);
        CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned int flags);
        CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned int flags);
        void (*url_cleanup)(CURLU *u);
        struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
        void (*slist_free_all)(struct curl_slist *list);
};

/* libcurl, loaded and globally initialised once per process (the first caller loads it, with
 * pthread_once: concurrent callers wait for that one load; later calls cost an atomic load).
 * 0 and the table in *ret_api (borrowed, valid until exit: libcurl is never unloaded); or, every
 * time, the first load's failure: -ELIBACC (dlopen failed: not installed, a dependency missing),
 * -ELIBBAD (a function missing), -ENOMEM or -EIO (curl_global_init failed), with err->text saying
 * which (err may be NULL). */
int curl_lazy_get(const struct curl_api **ret_api, struct curl_lazy_error *err);

/* Is `url` an http:// or https:// URL libcurl can parse?  0 with the URL as it may be shown (any
 * user, password, query and fragment removed) in a new *ret_shown (free() it); -EINVAL or -ENOMEM. */
int curl_lazy_check_url(const struct curl_api *api, const char *url, char **ret_shown);

/* Start the load on a background thread, a moment after the server starts (not beside its first
 * decisions), so that the first user finds it done; a failure is logged there (and returned again
 * to every curl_lazy_get()).  Call from the main thread, once serving; 0, or -errno when no thread
 * could be started (then the first user loads it). */
int curl_lazy_preload(void);

/* Wait for the thread curl_lazy_preload() started (a no-op when none runs; one still waiting to
 * load gives up).  Call before exit, so
 * that exit's library destructors never run beside a half-done load.  Main thread only. */
void curl_lazy_preload_wait(void);

/* Tests only: make the process's one load (curl_lazy_get()) open `soname` (static string) instead
 * of CURL_LAZY_SONAME, to see its failure handled.  No effect once that load has run.  A function,
 * not an environment variable, so that nothing outside the program can point the daemon at another
 * library; nothing in the daemon calls it. */
void curl_lazy_set_soname_for_tests(const char *soname);

/* The load itself, without the once: dlopen `soname` (RTLD_NOW | RTLD_LOCAL), resolve every
 * function of struct curl_api, curl_global_init(CURL_GLOBAL_DEFAULT).  Errors as curl_lazy_get();
 * on failure *ret_api is untouched (and the library closed again, unless its global init failed).
 * For the unit tests, which point it at names that fail; the daemon goes through curl_lazy_get(). */
int curl_lazy_open(const char *soname, struct curl_api *ret_api, struct curl_lazy_error *err);
