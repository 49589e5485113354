# `make e2e-prometheus`, part of `make test`: a real Prometheus scrapes a real plugin over
# --metrics-listen (tests/e2e/prometheus.sh), and promtool checks and unit-tests docs/alerts.yml
# (tests/e2e/alerts_test.yml).  Everything on 127.0.0.1, under a minute.
#
# Debian's prometheus package starts prometheus.service at install, listening on every address on
# :9090 and scraping itself.  The test runs its own Prometheus, never the packaged one:
# tests/lib/install-quiet.sh installs it with no service started and leaves the unit disabled; the
# test itself checks that no packaged prometheus runs.

PROMETHEUS_DEPS := prometheus curl jq

.PHONY: e2e-prometheus e2e-prometheus-deps

e2e-prometheus-deps:
	@tests/lib/install-quiet.sh "$(PROMETHEUS_DEPS)" prometheus

e2e-prometheus: $(B)/arandu-authz e2e-prometheus-deps
	@tests/e2e/prometheus.sh $(B)/arandu-authz

TEST_TARGETS += e2e-prometheus
