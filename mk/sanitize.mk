# Sanitizers and memcheck.
#
#   make check-asan   everything rebuilt with AddressSanitizer + UndefinedBehaviorSanitizer
#                     (-fno-sanitize-recover=all: the first finding aborts) in $(ASAN_B), then the unit
#                     tests and the end-to-end smoke test (tests/e2e/smoke.sh) with the ASan binary as
#                     the plugin.  LeakSanitizer is on (ASan's default on x86-64 Linux).  Every report of
#                     any of our processes, the daemon's included, goes to a file under
#                     $(ASAN_B)/reports/; the target fails when one exists, whatever the tests said
#                     (smoke.sh does not look at the plugin's exit status).
#   make valgrind     memcheck over every unit-test program of the normal build: any error, or a
#                     definite or indirect leak, fails it.
#
# Both are part of `make test`; together they take about four minutes on 2 cores (the smoke test,
# which starts a dockerd, is most of it).

ASAN_B     ?= $(B)/asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_DEPS   := valgrind
VALGRIND   := valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
              --show-leak-kinds=definite,indirect --error-exitcode=1 \
              --suppressions=tests/valgrind/memcheck.supp

.PHONY: check-asan asan-build valgrind sanitize-deps

# Debian 12 packages these targets need beyond the Makefile's DEPS; installed only when missing.
sanitize-deps:
	$(call install_missing,$(SAN_DEPS))

# A separate make over the same Makefile: B and OPT on its command line; the sanitizer goes to the
# link through the environment, where the Makefile's `LDFLAGS +=` appends the hardening flags to it
# (a command-line LDFLAGS would replace them).  CFLAGS from the caller's environment is dropped so
# that nothing is added twice.
asan-build:
	env -u CFLAGS LDFLAGS="$(ASAN_FLAGS)" $(MAKE) --no-print-directory B=$(ASAN_B) \
	    OPT="-O1 -g $(ASAN_FLAGS)" $(ASAN_B)/arandu-authz \
	    $(patsubst $(B)/%,$(ASAN_B)/%,$(UNIT_BIN))

check-asan: asan-build
	@rm -rf $(ASAN_B)/reports && mkdir -p $(ASAN_B)/reports
	@rep=$$(realpath $(ASAN_B)/reports); \
	export ASAN_OPTIONS="log_path=$$rep/asan:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"; \
	export UBSAN_OPTIONS="log_path=$$rep/ubsan:print_stacktrace=1:halt_on_error=1"; \
	rc=0; \
	echo "== check-asan: unit tests (ASan+UBSan build in $(ASAN_B))"; \
	tests/run-unit.sh $(patsubst $(B)/%,$(ASAN_B)/%,$(UNIT_BIN)) || rc=1; \
	echo "== check-asan: end-to-end smoke test with the ASan plugin"; \
	tests/e2e/smoke.sh $(ASAN_B)/arandu-authz || rc=1; \
	n=$$(find "$$rep" -type f | wc -l); \
	if [ "$$n" -gt 0 ]; then \
	  echo "check-asan: $$n sanitizer report(s):"; \
	  for f in "$$rep"/*; do echo "--- $$f"; head -60 "$$f"; done; rc=1; \
	fi; \
	echo "check-asan: sanitizer reports: $$n; $$( [ $$rc -eq 0 ] && echo passed || echo FAILED)"; \
	exit $$rc

valgrind: sanitize-deps $(UNIT_BIN)
	@pass=0 fail=0; \
	for t in $(UNIT_BIN); do \
	  log=$$t.valgrind.log; \
	  if $(VALGRIND) --log-file=$$log $$t >$$t.out 2>&1 && [ ! -s $$log ]; then \
	    pass=$$((pass + 1)); echo "ok - memcheck $$t"; \
	  else \
	    fail=$$((fail + 1)); echo "not ok - memcheck $$t"; cat $$log; tail -20 $$t.out; \
	  fi; \
	done; \
	echo "valgrind: $$pass passed, $$fail failed"; \
	[ $$((pass + fail)) -gt 0 ] && [ $$fail -eq 0 ]

TEST_TARGETS += check-asan valgrind
