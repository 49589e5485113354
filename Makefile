# arandu-authz: Docker Engine authorization plugin.
# `make` builds build/arandu-authz; `make test` installs what is missing (Debian 12, as root) and runs
# every test; `make run` shows the plugin deciding for a sandbox dockerd.

CC      ?= cc
PKGS    := libmicrohttpd jansson libcurl libcrypto
PREFIX  ?= /usr/local
DESTDIR ?=
B       := build

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
           -Wcast-qual -Wwrite-strings -Wvla -Wswitch-enum -Wno-missing-field-initializers
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT     ?= -O2 -g
CFLAGS  += -std=gnu11 $(OPT) $(WARN) $(HARDEN) -MMD -MP -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS += -pie -Wl,-z,relro,-z,now
# Not libcurl: its headers are used, the library is loaded at run time (authz/curl_lazy.h), and
# its ~20 dependencies would otherwise be loaded at every start.  dlopen is in glibc's libc (2.34+).
LDLIBS  += $(shell pkg-config --libs $(filter-out libcurl,$(PKGS)) 2>/dev/null) -lpthread

POLICY_SRC := $(wildcard policy/*.c)
AUTHZ_SRC  := $(filter-out authz/main.c,$(wildcard authz/*.c))
LIB_OBJ    := $(patsubst %.c,$(B)/%.o,$(POLICY_SRC) $(AUTHZ_SRC))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

.PHONY: all run test unit fixtures e2e deps clean install uninstall
.SECONDARY:
all: $(B)/arandu-authz

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libarandu.a: $(LIB_OBJ)
	ar rcs $@ $^

$(B)/arandu-authz: $(B)/authz/main.o $(B)/libarandu.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: $(B)/tests/unit/%.o $(B)/libarandu.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs cunit)

# Install the Debian 12 packages named in $(1) that are missing (as root, with apt-get).  Used by
# `deps` and by the mk/ fragments for their own tools.
define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

# Debian 12 packages the build and the tests need; installed only when missing.  libcurl4-openssl-dev
# brings libcurl's headers and libcurl4, the library the daemon loads at run time.
DEPS := gcc libc6-dev make pkg-config libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libssl-dev libcunit1-dev \
        docker.io busybox-static curl python3-docker docker-compose
deps:
	$(call install_missing,$(DEPS))

# The plugin and a sandbox dockerd wired to it, each decision streamed, until Ctrl-C
# (deploy/run.sh; ARANDU_RUN=host: only the plugin, for the host's dockerd).
run: deps
	$(MAKE) all
	@deploy/run.sh $(B)/arandu-authz

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN) tests/api/selftest.sh

fixtures: $(B)/arandu-authz
	@tests/fixtures.sh $(B)/arandu-authz

e2e: $(B)/arandu-authz
	@tests/e2e/smoke.sh $(B)/arandu-authz

# What `make test` runs.  Files in mk/ add their own targets (fuzz replay, lint, sanitizers ...)
# to TEST_TARGETS.
# (e2e and e2e-attacks run on every engine through e2e-engines, mk/engines.mk.)
TEST_TARGETS := unit fixtures
-include mk/*.mk

test: deps
	$(MAKE) all $(TEST_TARGETS)

# install, uninstall: mk/install.mk

clean:
	rm -rf $(B)

# (not under engines/ or nspawn/: unpacked Debian trees have /etc/*.d directories)
-include $(shell find $(B) \( -path $(B)/engines -o -path $(B)/nspawn \) -prune -o -name '*.d' -type f -print 2>/dev/null)
