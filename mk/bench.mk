# `make bench`: the performance benchmark (bench/README: what it measures and how).
# Not part of `make test` (it takes minutes and wants a quiet machine), but `make test` builds the
# bench programs (bench-build) so that they keep compiling.

BENCH_BIN := $(B)/bench/loadgen $(B)/bench/nullserver $(B)/bench/synth

$(B)/bench/loadgen: $(B)/bench/loadgen.o
	$(CC) $(LDFLAGS) -o $@ $^ -lpthread

$(B)/bench/nullserver: $(B)/bench/nullserver.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/bench/synth: $(B)/bench/synth.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: bench bench-build
bench-build: $(BENCH_BIN)

bench: $(B)/arandu-authz $(BENCH_BIN)
	@bench/bench.sh $(B)

TEST_TARGETS += bench-build
