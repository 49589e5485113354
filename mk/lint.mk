# Static analysis: `make lint`, part of `make test`.
#
#   cppcheck     warning, portability and performance checks over policy/ authz/ tests/ (jansson's
#                header is force-included so that its iteration macros parse); any finding fails.
#                memleak is off: cppcheck 2.10 does not model __attribute__((cleanup)), which is how
#                this code frees (_cleanup_free_), and reports every early return after one as a leak;
#                leaks are caught at run time instead, by LeakSanitizer and valgrind (mk/sanitize.mk).
#   clang-tidy   the checks in .clang-tidy (bugprone, CERT C, clang-analyzer, misc) over policy/ and
#                authz/, and the unit tests; every finding is an error.
#   banned       a grep for functions the house style bans (STYLE.md, "Bounds at the door");
#                any call fails.
#
# False positives are suppressed where they occur, with the reason beside them:
# `// cppcheck-suppress ID` and `// NOLINT(check): reason`.

LINT_DEPS  := cppcheck clang-tidy-14
CLANG_TIDY ?= $(shell command -v clang-tidy-14 || command -v clang-tidy)
LINT_SRC   := $(wildcard policy/*.c authz/*.c)
LINT_TESTS := $(wildcard tests/unit/*.c)
# clang-tidy compiles each file as the build does, minus gcc-only warning flags.
LINT_CFLAGS := -std=gnu11 -I. -D_FORTIFY_SOURCE=2 -O2 $(shell pkg-config --cflags $(PKGS) cunit 2>/dev/null)
BANNED     := atoi|atol|atoll|sprintf|vsprintf|strcpy|strcat|strtok|gets

.PHONY: lint lint-deps lint-cppcheck lint-tidy lint-banned

lint-deps:
	$(call install_missing,$(LINT_DEPS))

lint-cppcheck: lint-deps
	@echo "== lint: cppcheck $$(cppcheck --version | cut -d' ' -f2)"
	@cppcheck --enable=warning,portability,performance --error-exitcode=1 --inline-suppr -q \
	    --std=c11 -I. --include=/usr/include/jansson.h --suppress=missingIncludeSystem --suppress=memleak \
	    -D__linux__ -D__x86_64__ policy/ authz/ tests/unit/ && echo "cppcheck: clean"

# One clang-tidy per file, two at a time, each into its own report; then the reports of the files
# with findings, and the verdict.
lint-tidy: lint-deps
	@echo "== lint: $$($(CLANG_TIDY) --version | grep -o 'LLVM version [0-9.]*')"
	@d=$$(mktemp -d); \
	printf '%s\n' $(LINT_SRC) $(LINT_TESTS) | xargs -P 2 -I{} sh -c \
	  'out="$$0/$$(printf %s "$$1" | tr / _)"; $(CLANG_TIDY) --quiet "$$1" -- $(LINT_CFLAGS) >"$$out" 2>&1 || touch "$$out.fail"' "$$d" {}; \
	n=0; for f in "$$d"/*.fail; do [ -e "$$f" ] || continue; n=$$((n + 1)); grep -v 'warnings\? generated\.$$' "$${f%.fail}"; done; \
	rm -rf "$$d"; \
	if [ "$$n" -ne 0 ]; then echo "clang-tidy: findings in $$n file(s)"; exit 1; fi; \
	echo "clang-tidy: clean ($(words $(LINT_SRC) $(LINT_TESTS)) files)"

# Calls only: the name followed by "(", outside comments and string literals (a crude strip is
# enough: our comments do not span a banned call and a string).  `snprintf`/`vsnprintf` do not
# match: the pattern needs a non-identifier character before the name.
lint-banned:
	@echo "== lint: banned functions ($(BANNED))"
	@hits=$$(for f in $(LINT_SRC) $(LINT_TESTS) $(wildcard policy/*.h authz/*.h tests/unit/*.h tests/fuzz/*.[ch] tests/load/*.c bench/loadgen.c); do \
	    sed -e 's://.*$$::' -e 's:/\*.*\*/::g' -e 's:"\([^"\\]\|\\.\)*":"":g' "$$f" | \
	    grep -nE '(^|[^A-Za-z0-9_])($(BANNED))[[:space:]]*\(' | sed "s|^|$$f:|"; \
	  done); \
	if [ -n "$$hits" ]; then echo "$$hits"; echo "banned: $$(printf '%s\n' "$$hits" | wc -l) call(s); use the strict parsers and snprintf"; exit 1; fi; \
	echo "banned: none"

lint: lint-cppcheck lint-tidy lint-banned
	@echo "lint: passed"

TEST_TARGETS += lint
