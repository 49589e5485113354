/* Replay a fuzz target's corpus without libFuzzer: `replay-<target> PATH...` runs every file (a
 * directory: every regular file in it, recursively) through the target's LLVMFuzzerTestOneInput,
 * once, as libFuzzer would.  A broken invariant aborts; a clean run prints how many files it ran and
 * exits 0 (1 when it ran none, so an empty or misplaced corpus is noticed). */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

static size_t ran;

static int run_file(const char *path)
{
        FILE *f = fopen(path, "rbe");
        if (!f) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        size_t cap = 1 << 16, len = 0;
        uint8_t *buf = malloc(cap);
        while (buf) {
                len += fread(buf + len, 1, cap - len, f);
                if (len < cap)
                        break;
                uint8_t *nb = realloc(buf, cap * 2);
                if (!nb) {
                        free(buf);
                        buf = NULL;
                        break;
                }
                buf = nb;
                cap *= 2;
        }
        int err = ferror(f);
        fclose(f);
        if (!buf || err) {
                fprintf(stderr, "replay: %s: cannot read\n", path);
                free(buf);
                return -1;
        }
        /* An exact-size copy, so that ASan sees a read past the input as libFuzzer would. */
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact) {
                free(buf);
                return -1;
        }
        memcpy(exact, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
        ran++;
        return 0;
}

static int run_path(const char *path)
{
        struct stat st;
        if (stat(path, &st) < 0) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return run_file(path);

        struct dirent **names;
        int n = scandir(path, &names, NULL, alphasort), r = 0;
        if (n < 0) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        for (int i = 0; i < n; i++) {
                char sub[4096];
                if (names[i]->d_name[0] != '.' &&
                    snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name) < (int) sizeof(sub) &&
                    run_path(sub) < 0)
                        r = -1;
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char **argv)
{
        int r = 0;

        if (argc < 2) {
                fprintf(stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
                return 2;
        }
        /* The target's, as libFuzzer calls it: it calls gojson_init() (fuzz.h).  Not called here
         * too, so that a replay runs the target exactly as a fuzzing run does. */
        LLVMFuzzerInitialize(&argc, &argv);
        for (int i = 1; i < argc; i++)
                if (run_path(argv[i]) < 0)
                        r = 1;
        printf("%s: %zu inputs replayed\n", argv[0], ran);
        return r || ran == 0 ? 1 : 0;
}
