/* Whole files (authz/fileio.h): bounded reads, regular files only where asked, atomic writes that
 * leave nothing behind and are not stopped by a file left over from before. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "authz/fileio.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

static size_t entries(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        size_t n = 0;

        CU_ASSERT_FATAL(d != NULL);
        while ((e = readdir(d)))
                n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
        closedir(d);
        return n;
}

static void test_read(void)
{
        char dir[64], path[128], fifo[128];
        char *text = NULL;
        size_t len = 0;
        struct stat st;

        tu_mkdtemp(dir, sizeof(dir));
        tu_path(path, sizeof(path), "%s/f", dir);
        tu_path(fifo, sizeof(fifo), "%s/fifo", dir);
        tu_write_file(path, "0123456789");
        CU_ASSERT(file_read_all(path, 10, &text, &len) == 0);
        CU_ASSERT(len == 10 && strcmp(text, "0123456789") == 0);
        free(text);
        CU_ASSERT(file_read_all(path, 9, &text, &len) == -E2BIG);   /* one byte over the cap */
        CU_ASSERT(file_read_regular(path, 10, &text, &len, &st) == 0);
        CU_ASSERT(len == 10 && st.st_size == 10);
        free(text);
        CU_ASSERT_FATAL(mkfifo(fifo, 0600) == 0);
        CU_ASSERT(file_read_regular(fifo, 10, &text, &len, NULL) == -EBADFD);   /* does not block */
        CU_ASSERT(file_read_regular(dir, 10, &text, &len, NULL) == -EBADFD);
        tu_path(path, sizeof(path), "%s/none", dir);
        CU_ASSERT(file_read_regular(path, 10, &text, &len, NULL) == -ENOENT);
        tu_rm_rf(dir);
}

static void test_write_atomic(void)
{
        char dir[64], path[128], old[160];
        char *text = NULL;
        size_t len = 0;
        struct stat st;

        tu_mkdtemp(dir, sizeof(dir));
        tu_path(path, sizeof(path), "%s/cache.json", dir);
        CU_ASSERT(file_write_atomic(path, "one", 3, 0600) == 0);
        CU_ASSERT(file_write_atomic(path, "second", 6, 0640) == 0);
        CU_ASSERT(file_read_all(path, 100, &text, &len) == 0);
        CU_ASSERT(len == 6 && strcmp(text, "second") == 0);
        free(text);
        CU_ASSERT(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
        CU_ASSERT(entries(dir) == 1);   /* no temporary file left */

        /* what an older writer, or a crash, may leave beside it does not stop the next write */
        tu_path(old, sizeof(old), "%s.arandu-authz.new", path);
        tu_write_file(old, "left over");
        CU_ASSERT(file_write_atomic(path, "third", 5, 0600) == 0);
        CU_ASSERT(file_read_all(path, 100, &text, &len) == 0);
        CU_ASSERT(strcmp(text, "third") == 0);
        free(text);
        CU_ASSERT(entries(dir) == 2);

        tu_path(path, sizeof(path), "%s/no/such/dir", dir);
        CU_ASSERT(file_write_atomic(path, "x", 1, 0600) == -ENOENT);
        tu_rm_rf(dir);
}

static const struct cu_test TESTS[] = {
        { "bounded reads, regular files", test_read },
        { "atomic writes", test_write_atomic },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = { { "fileio", TESTS } };

CU_MAIN(SUITES)
