# The adversarial end-to-end suite: tests/e2e/*.c, one CUnit program driving a private
# dockerd with the plugin in its chain, over raw HTTP (libcurl) and both docker CLIs.
# `make e2e-attacks` builds and runs it (as root, a few minutes); `make test` runs it on every engine.
# ARANDU_E2E_RECHECK=1 also runs the cases of the second look after a policy was tightened;
# ARANDU_E2E_ONLY=holds, ordinary or clients runs that suite alone.

E2E_SRC := tests/e2e/e2e_main.c tests/e2e/harness.c tests/e2e/test_attacks.c tests/e2e/test_ordinary.c \
           tests/e2e/test_recheck.c tests/e2e/test_holds.c tests/e2e/test_clients.c
# and the one piece of the library it shares (policy/buf.c, the response bodies)
E2E_OBJ := $(patsubst %.c,$(B)/%.o,$(E2E_SRC)) $(B)/policy/buf.o
E2E_BIN := $(B)/e2e/arandu-e2e

$(B)/tests/e2e/%.o: CFLAGS += $(shell pkg-config --cflags cunit 2>/dev/null)

E2E_CLIENTS := $(patsubst tests/e2e/%,$(B)/e2e/%,$(wildcard tests/e2e/clients/*.py))

$(E2E_BIN): $(E2E_OBJ) $(B)/e2e/euid $(E2E_CLIENTS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(E2E_OBJ) $(shell pkg-config --libs jansson libcurl cunit 2>/dev/null)

# The real-client programs (docker-py, compose), run by the clients suite (tests/e2e/test_clients.c).
$(B)/e2e/clients/%.py: tests/e2e/clients/%.py
	@mkdir -p $(dir $@)
	cp $< $@

# Static, so that it runs in the busybox test images (which have no libc); installed setuid there.
$(B)/e2e/euid: tests/e2e/euid.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -o $@ $<

.PHONY: e2e-attacks
# The clients suite takes its current docker-py and compose v2 from the newest engine fetched
# (`make engines`).
e2e-attacks: $(B)/arandu-authz $(E2E_BIN)
	@E2E_CLIENTS=$${E2E_CLIENTS:-$(abspath $(B))/engines/sid/root} $(E2E_BIN) $(B)/arandu-authz

# `make test` runs it on every engine: e2e-engines (mk/engines.mk).
