/* The suites of the end-to-end program (each file adds its CUnit tests). */
#pragma once

#include <CUnit/CUnit.h>

void add_attack_tests(CU_pSuite s);
void add_ordinary_tests(CU_pSuite s);
void add_failclosed_tests(CU_pSuite s);
void add_recheck_tests(CU_pSuite s);
void add_holds_tests(CU_pSuite s);
void add_client_tests(CU_pSuite s);

/* The compliant flags for `docker run`/`create` (filled by main: they name the run's dirs). */
extern const char *OK_FLAGS[24];
extern int httpd_port;
