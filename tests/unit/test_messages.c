/* Unit tests for the deny messages as a whole: the table of client names (policy/fixes.h) says what
 * each row claims. */
#include <stdio.h>
#include <string.h>

#include "policy/decision.h"
#include "policy/fixes.h"
#include "tests/unit/cutest.h"

/* --- the table --------------------------------------------------------------------------------- */

struct row {
        const char *name, *kind, *cli, *py, *compose, *phrase;
};

#define ROW_(kind, cli, py, compose) #kind, cli, py, compose, FIX_PHRASE_##kind(cli, py, compose)
#define ROW(name) { #name, FIXROW_##name(ROW_) },
static const struct row rows[] = { FIX_ROWS(ROW) };

/* "--memory-swap" -> "memory_swap": what docker-py and compose would call the flag. */
static void undash(const char *cli, char *buf, size_t size)
{
        size_t j = 0;
        while (*cli == '-')
                cli++;
        for (; *cli && j + 1 < size; cli++)
                buf[j++] = *cli == '-' ? '_' : *cli;
        buf[j] = '\0';
}

static void test_table(void)
{
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                const struct row *r = &rows[i];
                char plain[64];
                bool ok;
                undash(r->cli, plain, sizeof(plain));
                if (strcmp(r->kind, "SAME") == 0)
                        ok = strcmp(r->py, plain) == 0 && strcmp(r->compose, plain) == 0;
                else if (strcmp(r->kind, "EACH") == 0)
                        ok = r->py[0] && r->compose[0] && !(strcmp(r->py, plain) == 0 && strcmp(r->compose, plain) == 0);
                else if (strcmp(r->kind, "PY") == 0 || strcmp(r->kind, "EXEC") == 0)
                        ok = r->py[0] && !r->compose[0];
                else if (strcmp(r->kind, "COMPOSE") == 0)
                        ok = !r->py[0] && r->compose[0];
                else
                        ok = strcmp(r->kind, "CLI") == 0 && !r->py[0] && !r->compose[0];
                /* The docker CLI's one-line error is read as "rule: text; rule: text". */
                ok = ok && r->cli[0] && !strstr(r->phrase, "; ") && strlen(r->phrase) < 120;
                if (!ok)
                        fprintf(stderr, "\n  row %s (%s): \"%s\"\n", r->name, r->kind, r->phrase);
                CU_ASSERT_TRUE(ok);
        }
        CU_ASSERT_STRING_EQUAL(FIX(PRIVILEGED), "--privileged (docker-py and compose: privileged)");
        CU_ASSERT_STRING_EQUAL(FIX(MEMORY), "--memory (docker-py mem_limit, compose mem_limit)");
        CU_ASSERT_STRING_EQUAL(FIX(CPUS), "--cpus (docker-py nano_cpus, compose cpus)");
        CU_ASSERT_STRING_EQUAL(FIX(PUBLISH_ALL), "-P/--publish-all (docker-py publish_all_ports)");
}

static const struct cu_test tests[] = {
        { "the table of client names", test_table },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "messages", tests },
};

CU_MAIN(SUITES)
