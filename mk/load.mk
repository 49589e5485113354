# Load and fault tests: `make load`, part of `make test` (about a minute).
# tests/load/run.sh drives the plugin with the benchmark's load generator (bench/loadgen.c, built by
# mk/bench.mk) and, for the kill -9 test, holds the socket with tests/load/activate.c; see the script
# for what each test measures.

LOAD_TOOLS := $(B)/bench/loadgen $(B)/tests/load/activate

.PHONY: load

$(B)/tests/load/%: tests/load/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

load: $(B)/arandu-authz $(LOAD_TOOLS)
	@tests/load/run.sh $(B)/arandu-authz $(LOAD_TOOLS)

TEST_TARGETS += load
