# `make e2e-bundles`, part of `make test`: 200 plugin instances poll one real nginx for a signed
# policy bundle (tests/e2e/bundles.sh): a new serial reaches all within an interval and a few
# seconds (printed); tampered, truncated and replayed bundles are refused by all; nginx down and
# back loses no policy.  nginx-light is installed with its service left stopped and disabled
# (tests/lib/install-quiet.sh); the test runs its own nginx on 127.0.0.1.

BUNDLES_DEPS := nginx-light curl jq

.PHONY: e2e-bundles e2e-bundles-deps

e2e-bundles-deps:
	@tests/lib/install-quiet.sh "$(BUNDLES_DEPS)" nginx

e2e-bundles: $(B)/arandu-authz e2e-bundles-deps
	@tests/e2e/bundles.sh $(B)/arandu-authz

TEST_TARGETS += e2e-bundles
