/* libcurl loaded at run time (authz/curl_lazy.h), and the second look (authz/recheck.h) through it
 * against a fake dockerd on a unix socket.
 *
 * The order matters: this program links libarandu.a as the daemon does, so libcurl is not loaded
 * until the first test that asks for it; the tests before it check exactly that, and the fail-closed
 * case runs in a child forked while nothing is loaded. */
#define _GNU_SOURCE   /* accept4 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "authz/curl_lazy.h"
#include "authz/recheck.h"
#include "policy/decision.h"
#include "policy/policy.h"
#include "tests/unit/cutest.h"

#define MISSING "libarandu-test-no-such-library.so.0"

static bool curl_is_loaded(void)
{
        void *h = dlopen(CURL_LAZY_SONAME, RTLD_NOW | RTLD_NOLOAD);
        if (h)
                dlclose(h);
        return h != NULL;
}

/* The violation text of `rule`, or "" */
static const char *violation(const struct decision *d, const char *rule)
{
        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->v[i].rule, rule) == 0)
                        return d->v[i].text;
        return "";
}

/* ---- before the load -------------------------------------------------------------------------- */

/* Linked like the daemon, the program starts without libcurl (the Makefile does not link it). */
static void test_not_linked(void)
{
        CU_ASSERT_FALSE(curl_is_loaded());
}

/* Without libcurl a start cannot be checked, so it is denied, with the reason; every later use
 * gets the same failure.  In a child: the once it consumes must stay unused here. */
static void test_recheck_denies_without_libcurl(void)
{
        fflush(NULL);
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
                struct policy *p = policy_new_default();
                const struct curl_api *api = NULL;
                struct curl_lazy_error e = { "" };
                struct decision d;
                int bad = 0;

                curl_lazy_set_soname_for_tests(MISSING);
                decision_init(&d);
                if (!p)
                        _exit(10);
                recheck_run(p, RECHECK_CONTAINER, "abc", &d, NULL);
                decision_finish(&d);
                const char *text = violation(&d, "recheck");
                if (d.allow || !strstr(text, "cannot load " CURL_LAZY_SONAME " to ask dockerd about container abc: ") ||
                    !strstr(text, MISSING))
                        bad |= 1;
                if (curl_lazy_get(&api, &e) != -ELIBACC || api || !strstr(e.text, MISSING))
                        bad |= 2;
                decision_init(&d);
                recheck_run(p, RECHECK_EXEC, "e1", &d, NULL);
                decision_finish(&d);
                if (d.allow || !strstr(violation(&d, "recheck"), "cannot load " CURL_LAZY_SONAME " to ask dockerd about exec e1"))
                        bad |= 4;
                if (curl_is_loaded())
                        bad |= 8;
                policy_unref(p);
                _exit(bad);
        }
        int status = 0;
        CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
        CU_ASSERT_TRUE(WIFEXITED(status));
        CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fprintf(stderr, "child: status %#x\n", (unsigned) status);
        CU_ASSERT_FALSE(curl_is_loaded());
}

/* The loader's own failures, named by a parameter: nothing is loaded, *ret_api is untouched. */
static void test_open_failures(void)
{
        struct curl_api api, before;
        struct curl_lazy_error e;

        memset(&api, 0xa5, sizeof(api));
        before = api;

        CU_ASSERT_EQUAL(curl_lazy_open(MISSING, &api, &e), -ELIBACC);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.text, MISSING));
        CU_ASSERT_EQUAL(curl_lazy_open(MISSING, &api, NULL), -ELIBACC);
        /* A library that is there but is not libcurl: the first function it lacks is named. */
        CU_ASSERT_EQUAL(curl_lazy_open("libc.so.6", &api, &e), -ELIBBAD);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "curl_global_init"));
        CU_ASSERT_EQUAL(curl_lazy_open(NULL, &api, &e), -EINVAL);
        CU_ASSERT_EQUAL(curl_lazy_open(CURL_LAZY_SONAME, NULL, &e), -EINVAL);
        CU_ASSERT_EQUAL(memcmp(&api, &before, sizeof(api)), 0);
        CU_ASSERT_FALSE(curl_is_loaded());
}

/* ---- the load --------------------------------------------------------------------------------- */

#define LOADERS 8

struct loader {
        const struct curl_api *api;
        int r;
};

static void *loader_main(void *arg)
{
        struct loader *l = arg;
        struct curl_lazy_error e;

        l->r = curl_lazy_get(&l->api, &e);
        if (l->r < 0)
                fprintf(stderr, "curl_lazy_get: %s\n", e.text);
        return NULL;
}

/* The first load, asked for at once by the background preload and by threads with the recheck
 * threads' small stack: one load, one table, every function resolved. */
static void test_first_load_concurrent(void)
{
        struct loader l[LOADERS] = { 0 };
        pthread_t t[LOADERS];
        pthread_attr_t attr;

        CU_ASSERT_EQUAL_FATAL(pthread_attr_init(&attr), 0);
        CU_ASSERT_EQUAL(pthread_attr_setstacksize(&attr, 256u << 10), 0);
        CU_ASSERT_EQUAL(curl_lazy_preload(), 0);
        for (int i = 0; i < LOADERS; i++)
                CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], &attr, loader_main, &l[i]), 0);
        for (int i = 0; i < LOADERS; i++)
                pthread_join(t[i], NULL);
        pthread_attr_destroy(&attr);
        curl_lazy_preload_wait();
        curl_lazy_preload_wait();   /* nothing to wait for: a no-op */

        for (int i = 0; i < LOADERS; i++) {
                CU_ASSERT_EQUAL(l[i].r, 0);
                CU_ASSERT_PTR_EQUAL(l[i].api, l[0].api);
        }
        const struct curl_api *a = l[0].api;
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_TRUE(a->global_init && a->easy_init && a->easy_setopt && a->easy_perform && a->easy_getinfo &&
                       a->easy_cleanup && a->easy_strerror && a->easy_escape && a->free && a->url && a->url_set &&
                       a->url_get && a->url_cleanup && a->slist_append && a->slist_free_all);
        CU_ASSERT_TRUE(curl_is_loaded());
}

/* Later calls return the same table and cost no load (pthread_once's fast path). */
static void test_second_call_cheap(void)
{
        const struct curl_api *a = NULL, *b = NULL;
        struct timespec t0, t1;
        int bad = 0;

        CU_ASSERT_EQUAL_FATAL(curl_lazy_get(&a, NULL), 0);
        CU_ASSERT_EQUAL(curl_lazy_preload(), 0);   /* loaded already: the thread only returns */
        curl_lazy_preload_wait();
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < 10000; i++)
                if (curl_lazy_get(&b, NULL) != 0 || b != a)
                        bad++;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6;
        CU_ASSERT_EQUAL(bad, 0);
        /* A dlopen is milliseconds; 10,000 once-checks are microseconds (valgrind included). */
        CU_ASSERT(ms < 50.0);
        if (ms >= 50.0)
                fprintf(stderr, "10000 curl_lazy_get() calls took %.1f ms\n", ms);
}

/* The table calls the real functions, the variadic ones included. */
static void test_calls_through_table(void)
{
        const struct curl_api *a = NULL;
        long code = -1;

        CU_ASSERT_EQUAL_FATAL(curl_lazy_get(&a, NULL), 0);
        CURL *c = a->easy_init();
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        char *esc = a->easy_escape(c, "a b/c", 0);
        CU_ASSERT_STRING_EQUAL(esc ? esc : "", "a%20b%2Fc");
        a->free(esc);
        CU_ASSERT_EQUAL(a->easy_setopt(c, CURLOPT_URL, "http://docker/_ping"), CURLE_OK);
        CU_ASSERT_EQUAL(a->easy_setopt(c, CURLOPT_TIMEOUT_MS, 1000L), CURLE_OK);
        CU_ASSERT_EQUAL(a->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code), CURLE_OK);
        CU_ASSERT_EQUAL(code, 0);
        a->easy_cleanup(c);
        CU_ASSERT_STRING_EQUAL(a->easy_strerror(CURLE_COULDNT_CONNECT), "Couldn't connect to server");

        CURLU *u = a->url();
        char *host = NULL;
        CU_ASSERT_PTR_NOT_NULL_FATAL(u);
        CU_ASSERT_EQUAL(a->url_set(u, CURLUPART_URL, "https://user:pw@collector.example:8443/in", 0), CURLUE_OK);
        CU_ASSERT_EQUAL(a->url_get(u, CURLUPART_HOST, &host, 0), CURLUE_OK);
        CU_ASSERT_STRING_EQUAL(host ? host : "", "collector.example");
        a->free(host);
        a->url_cleanup(u);

        struct curl_slist *l = a->slist_append(NULL, "Content-Type: application/x-ndjson");
        CU_ASSERT_PTR_NOT_NULL(l);
        a->slist_free_all(l);
}

/* ---- the second look through it --------------------------------------------------------------- */

struct fake_dockerd {
        int fd;                    /* listening */
        const char *answer;
        char request[2048];
};

/* Answer one connection with `answer`, keeping what was asked. */
static void *fake_main(void *arg)
{
        struct fake_dockerd *f = arg;
        struct timeval tv = { .tv_sec = 10 };
        size_t len = 0;

        int c = accept4(f->fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
                return NULL;
        (void) setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        while (len < sizeof(f->request) - 1 && !strstr(f->request, "\r\n\r\n")) {
                ssize_t n = read(c, f->request + len, sizeof(f->request) - 1 - len);
                if (n <= 0)
                        break;
                len += (size_t) n;
                f->request[len] = '\0';
        }
        if (write(c, f->answer, strlen(f->answer)) < 0)
                f->request[0] = '\0';
        close(c);
        return NULL;
}

static void test_recheck_fake_dockerd(void)
{
        static const struct {
                const char *answer, *reason;
        } cases[] = {
                { "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                  "recheck: dockerd answered 404 when asked about container a b/c" },
                { "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\nnope!",
                  "recheck: dockerd's view of container a b/c is not JSON ('[' or '{' expected near 'nope')" },
        };
        char dir[] = "/tmp/arandu-curl-lazy-XXXXXX";
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct policy *p = policy_new_default();
        struct decision d;

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/docker.sock", dir);
        snprintf(p->docker_host, sizeof(p->docker_host), "unix://%s", sa.sun_path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        CU_ASSERT_EQUAL_FATAL(listen(fd, 4), 0);

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct fake_dockerd f = { .fd = fd, .answer = cases[i].answer };
                pthread_t t;
                CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, fake_main, &f), 0);
                decision_init(&d);
                recheck_run(p, RECHECK_CONTAINER, "a b/c", &d, NULL);
                decision_finish(&d);
                pthread_join(t, NULL);
                CU_ASSERT_FALSE(d.allow);
                CU_ASSERT_STRING_EQUAL(violation(&d, "recheck"), cases[i].reason);
                /* The id escaped into the path, over HTTP/1.1 on the unix socket. */
                static const char line[] = "GET /containers/a%20b%2Fc/json HTTP/1.1\r\n";
                CU_ASSERT_EQUAL(strncmp(f.request, line, strlen(line)), 0);
                CU_ASSERT_PTR_NOT_NULL(strstr(f.request, "\r\nUser-Agent: arandu-authz-recheck\r\n"));
        }

        /* Nobody listening: denied, with libcurl's reason. */
        close(fd);
        unlink(sa.sun_path);
        decision_init(&d);
        recheck_run(p, RECHECK_CONTAINER, "abc", &d, NULL);
        decision_finish(&d);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_PTR_NOT_NULL(strstr(violation(&d, "recheck"), "cannot ask dockerd about container abc: Couldn't connect to server"));

        rmdir(dir);
        policy_unref(p);
}

static const struct cu_test before_tests[] = {
        { "the program starts without libcurl", test_not_linked },
        { "without libcurl a recheck denies, saying why", test_recheck_denies_without_libcurl },
        { "curl_lazy_open failures (missing library, not libcurl, bad arguments)", test_open_failures },
        { NULL, NULL },
};

static const struct cu_test load_tests[] = {
        { "first load from the preload and 8 threads at once", test_first_load_concurrent },
        { "second call: same table, no load", test_second_call_cheap },
        { "calls through the table", test_calls_through_table },
        { NULL, NULL },
};

static const struct cu_test recheck_tests[] = {
        { "recheck through the loaded libcurl against a fake dockerd", test_recheck_fake_dockerd },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "before the load", before_tests },
        { "the load", load_tests },
        { "recheck", recheck_tests },
};

CU_MAIN(SUITES)
