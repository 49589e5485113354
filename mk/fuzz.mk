# Fuzzing.  Included by the Makefile (`-include mk/*.mk`).
#
#   make fuzz          build the libFuzzer targets (clang, ASan+UBSan) and run each for FUZZ_SECONDS
#                      (default 600), FUZZ_JOBS at a time (default: the number of CPUs).  New inputs go
#                      to $(B)/fuzz/corpus/<target>, crashes to $(B)/fuzz/artifacts/<target>/.
#   make fuzz-replay   (part of `make test`) replay every committed corpus file through the gcc build of
#                      each target; then, when clang with libFuzzer is available, run each target for
#                      FUZZ_SMOKE_SECONDS (default 20) under ASan+UBSan.
#   make fuzz-merge    fold what `make fuzz` found into the committed corpus (libFuzzer -merge=1: only
#                      inputs that add coverage).
#
# Targets are tests/fuzz/fuzz_<name>.c; seeds in tests/fuzz/corpus/<name>/; dictionary tests/fuzz/docker.dict.

FUZZ_TARGETS       := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS       ?= 600
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_JOBS          ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_CC            ?= clang
FUZZ_B             := $(B)/fuzz
FUZZ_SAN           := -fsanitize=address,undefined -fno-sanitize-recover=all
# No -Werror: a newer clang's new warning must not stop a fuzzing run (the gcc build keeps -Werror).
FUZZ_CFLAGS        := -std=gnu11 -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
                      $(filter-out -Werror,$(WARN)) -MMD -MP -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_LIB_OBJ       := $(patsubst %.c,$(FUZZ_B)/obj/%.o,$(POLICY_SRC) $(AUTHZ_SRC))
FUZZ_BINS          := $(patsubst %,$(FUZZ_B)/fuzz_%,$(FUZZ_TARGETS))
FUZZ_REPLAY_BINS   := $(patsubst %,$(B)/fuzz-replay/%,$(FUZZ_TARGETS))
# Debian 12 packages for `make fuzz`: clang and its runtime libraries (libFuzzer, the sanitizers).
FUZZ_DEPS          := clang libclang-rt-dev

.PHONY: fuzz fuzz-build fuzz-replay fuzz-merge fuzz-deps

$(FUZZ_B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_B)/libarandu-fuzz.a: $(FUZZ_LIB_OBJ)
	ar rcs $@ $^

$(FUZZ_B)/fuzz_%: $(FUZZ_B)/obj/tests/fuzz/fuzz_%.o $(FUZZ_B)/libarandu-fuzz.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# The same target code built with $(CC) and the ordinary flags, with replay.c as its main.
$(B)/fuzz-replay/%: $(B)/tests/fuzz/fuzz_%.o $(B)/tests/fuzz/replay.o $(B)/libarandu.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

fuzz-deps:
	$(call install_missing,$(FUZZ_DEPS))

fuzz-build: $(FUZZ_BINS)

fuzz: deps fuzz-deps
	$(MAKE) fuzz-build
	@tests/fuzz/run.sh fuzz $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  [ -d $(FUZZ_B)/corpus/$$t ] || continue; \
	  $(FUZZ_B)/fuzz_$$t -merge=1 -dict=tests/fuzz/docker.dict tests/fuzz/corpus/$$t $(FUZZ_B)/corpus/$$t || exit 1; \
	done

# Replay with gcc always; the short libFuzzer runs only where clang can build them (the check
# compiles a one-line target, so a clang without its libFuzzer runtime counts as missing).
fuzz-replay: $(FUZZ_REPLAY_BINS)
	@tests/fuzz/run.sh replay $(B)/fuzz-replay $(FUZZ_TARGETS)
	@if tests/fuzz/run.sh have-libfuzzer $(FUZZ_CC); then \
	  $(MAKE) --no-print-directory fuzz-build && \
	  tests/fuzz/run.sh fuzz $(FUZZ_B) $(FUZZ_SMOKE_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS); \
	else \
	  echo "fuzz-replay: $(FUZZ_CC) with libFuzzer not available; corpus replayed, short fuzzing runs skipped (make fuzz installs clang)"; \
	fi

TEST_TARGETS += fuzz-replay
