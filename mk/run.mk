# `make e2e-run`: `make run` as a newcomer uses it (tests/e2e/run.sh): ready, the three commands it
# prints do what it says, the decision stream, and Ctrl-C removes everything.

.PHONY: e2e-run
e2e-run: $(B)/arandu-authz
	@tests/e2e/run.sh $(B)/arandu-authz

TEST_TARGETS += e2e-run
