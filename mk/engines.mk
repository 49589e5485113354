# The engines the end-to-end suites run on: Debian 12's docker.io (the system's, from `make deps`),
# and the docker.io, containerd and docker-cli of Debian 13 (trixie) and Debian unstable (sid),
# fetched from Debian's archive into $(B)/engines/SUITE/root without touching the host's apt
# configuration (tests/engines/fetch.sh).  Whatever version a suite has today is the one tested.
#
#   make engines                  fetch (or keep, when unchanged) the newer engines
#   make e2e-engines              smoke, attack and ordinary suites on each engine, side by side:
#                                 one line "engine VERSION (NAME): N passed, M failed, K skipped" per engine
#   make e2e-engines ENGINES=sid  only some of them (system, trixie, sid)
#   E2E_ENGINE=$(B)/engines/sid/root tests/e2e/smoke.sh $(B)/arandu-authz     one suite, one engine

ENGINE_SUITES ?= trixie sid
ENGINES       ?= system $(ENGINE_SUITES)

.PHONY: engines e2e-engines

engines:
	@tests/engines/fetch.sh $(B)/engines $(filter-out system,$(ENGINES))

e2e-engines: $(B)/arandu-authz $(E2E_BIN) $(if $(filter-out system,$(ENGINES)),engines)
	@tests/engines/run.sh $(B)/arandu-authz $(E2E_BIN) \
	  $(foreach e,$(ENGINES),$(if $(filter system,$(e)),system,$(B)/engines/$(e)/root))

TEST_TARGETS += e2e-engines
