# `make e2e-prometheus`, part of `make test`: a real Prometheus scrapes a real plugin over
# --metrics-listen (tests/e2e/prometheus.sh), and promtool checks and unit-tests docs/alerts.yml
# (tests/e2e/alerts_test.yml).  Everything on 127.0.0.1, under a minute.
#
# Debian's prometheus package starts prometheus.service at install, listening on every address on
# :9090 and scraping itself.  The test runs its own Prometheus, never the packaged one: when the
# package is missing, it is installed with a policy-rc.d that refuses every start (invoke-rc.d(8),
# exit 101) in place when the machine has none, removed after; then, under systemd, the unit the
# package enabled is disabled and stopped; without systemd as PID 1 the unit is disabled (offline:
# its symlink removed) and the init script stopped if it did start and taken out of the runlevels.
# A prometheus installed before is left as it was; the test itself checks that no packaged
# prometheus runs.

PROMETHEUS_DEPS := prometheus curl jq
POLICY_RC       := /usr/sbin/policy-rc.d
POLICY_RC_MARK  := arandu-authz e2e-prometheus: no service starts during the install
# Evaluated when the recipe is expanded, before its first line runs: was the package there before?
PROMETHEUS_MISSING = $(shell dpkg-query -W -f='$${Status}' prometheus 2>/dev/null | grep -q 'ok installed' || echo yes)

.PHONY: e2e-prometheus e2e-prometheus-deps

e2e-prometheus-deps:
	@if [ "$(PROMETHEUS_MISSING)" = yes ] && [ ! -e $(POLICY_RC) ]; then \
	  printf '#!/bin/sh\n# %s\nexit 101\n' '$(POLICY_RC_MARK)' >$(POLICY_RC) && chmod 0755 $(POLICY_RC); \
	fi
	-$(call install_missing,$(PROMETHEUS_DEPS))
	@if grep -qF '$(POLICY_RC_MARK)' $(POLICY_RC) 2>/dev/null; then rm -f $(POLICY_RC); fi
	@if [ "$(PROMETHEUS_MISSING)" = yes ] && dpkg-query -W -f='$${Status}' prometheus 2>/dev/null | grep -q 'ok installed'; then \
	  if [ -d /run/systemd/system ]; then \
	    systemctl disable --now prometheus.service >/dev/null 2>&1 || true; \
	    echo "prometheus: the packaged prometheus.service is disabled and stopped"; \
	  else \
	    command -v systemctl >/dev/null && systemctl disable prometheus.service >/dev/null 2>&1 || true; \
	    if [ -x /etc/init.d/prometheus ]; then \
	      /etc/init.d/prometheus status >/dev/null 2>&1 && /etc/init.d/prometheus stop; \
	      update-rc.d prometheus disable >/dev/null 2>&1 || true; \
	    fi; \
	    echo "prometheus: no systemd as PID 1; the packaged unit and init script are disabled (not started)"; \
	  fi; \
	fi
	@for p in $(PROMETHEUS_DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || { echo "$$p could not be installed"; exit 1; }; \
	done

e2e-prometheus: $(B)/arandu-authz e2e-prometheus-deps
	@tests/e2e/prometheus.sh $(B)/arandu-authz

TEST_TARGETS += e2e-prometheus
