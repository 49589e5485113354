#!/usr/bin/env bash
# `make run` as a newcomer sees it: deploy/run.sh starts the plugin and its sandbox dockerd and
# prints the three commands to try; each does what it says (one allowed, two denied), each decision
# shows up in the stream, and Ctrl-C (SIGINT) removes everything it made.
#
# Usage: tests/e2e/run.sh BINARY     (as root)
# Prints "ok N - ..." / "not ok N - ..." and ends with "N passed, M failed".
set -euo pipefail

PASS=0
FAIL=0
ok()    { PASS=$((PASS + 1)); echo "ok $((PASS + FAIL)) - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok $((PASS + FAIL)) - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

BIN=$(realpath "${1:?usage: run.sh BINARY}")
HERE=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mktemp /tmp/arandu-run-test.XXXXXX)
RUN_PID=""
cleanup() {
        local rc=$?
        set +e
        if [ -n "$RUN_PID" ] && kill -0 "$RUN_PID" 2>/dev/null; then
                kill -INT "$RUN_PID"
                for _ in $(seq 200); do kill -0 "$RUN_PID" 2>/dev/null || break; sleep 0.1; done
                kill -KILL -- "-$RUN_PID" 2>/dev/null
        fi
        # What make run failed to remove, so that no test leaves it behind.
        if [ -n "${T:-}" ] && [ -d "$T" ]; then
                awk -v t="$T" 'index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
                        xargs -r -n1 umount -l 2>/dev/null
                rm -rf --one-file-system "$T"
        fi
        [ -n "${spec:-}" ] && rm -f "$spec"
        if [ "$FAIL" -gt 0 ] || [ "$rc" -ne 0 ]; then
                echo "# make run printed:"; sed -e 's/^/#   /' "$OUT" | tail -40
        fi
        rm -f "$OUT"
        [ "$rc" -eq 0 ] || notok "harness stopped early (exit status $rc)"
        echo "$PASS passed, $FAIL failed"
        [ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ] && exit 0
        exit 1
}
trap cleanup EXIT

start=$(date +%s.%N)
# A background job starts with SIGINT ignored, and bash cannot trap what was ignored at its start:
# give it back its default, as a terminal's foreground job has it.
setsid env --default-signal=INT "$HERE/deploy/run.sh" "$BIN" >"$OUT" 2>&1 &
RUN_PID=$!
for _ in $(seq 600); do grep -q "^Decisions, as dockerd asks" "$OUT" && break; kill -0 "$RUN_PID" 2>/dev/null || break; sleep 0.1; done
check "make run says it is ready and how to reach the sandbox" grep -q "^  export DOCKER_HOST=unix:///tmp/arandu-run\." "$OUT"
host=$(sed -n 's/^  export DOCKER_HOST=//p' "$OUT")
T=${host#unix://}
T=${T%/docker.sock}
# The three commands exactly as printed.
mapfile -t CMDS < <(grep '^  docker run ' "$OUT" | sed 's/^  //')
check "three commands to try" test "${#CMDS[@]}" = 3
out=()
for c in "${CMDS[@]}"; do out+=("$(DOCKER_HOST=$host bash -c "$c" 2>&1 || true)"); done
first_deny=$(date +%s.%N)
check "the allowed one runs (${out[0]:-})" grep -q "uid=1000 gid=1000" <<<"${out[0]:-}"
check "the plain one is denied, naming the user rule" grep -q "authorization denied by plugin arandu-run-.*: user: Config.User is empty" <<<"${out[1]:-}"
check "the privileged one is denied, naming the rule" grep -q "privileged: HostConfig.Privileged is true" <<<"${out[2]:-}"
echo "# from make run to the first denied docker run: $(awk -v a="$start" -v b="$first_deny" 'BEGIN { printf "%.1f", b - a }') s (build excluded)"
for _ in $(seq 50); do [ "$(grep -c 'POST /containers/create' "$OUT")" -ge 3 ] && break; sleep 0.1; done
C='[0-9T:.-]+Z  '
check "the stream shows the allowed create with its image" grep -qE "^${C}allow  enforce .* POST /containers/create +arandu-try +-$" "$OUT"
check "the stream shows the denied create with its rule ids" grep -qE "^${C}deny   enforce .* POST /containers/create +arandu-try +user,cpu,memory,pids,network,rootfs,privileges$" "$OUT"
check "the stream shows the privileged create denied" grep -qE "^${C}deny   enforce .* POST /containers/create +arandu-try +privileged$" "$OUT"
check "the stream shows the second look at the start" grep -qE "^${C}allow  enforce .* POST /containers/\{name:\.\*\}/start" "$OUT"
sed -n '/^Decisions, as dockerd asks/,$p' "$OUT" | grep "POST /containers" | head -6 | sed -e 's/^/#   /' || true

dockerd_pid=$(cat "$T/dockerd.pid" 2>/dev/null || echo 0)
spec=/etc/docker/plugins/arandu-run-$RUN_PID.spec
check "the sandbox's plugin spec is in place" test -e "$spec"
kill -INT "$RUN_PID"
for _ in $(seq 300); do kill -0 "$RUN_PID" 2>/dev/null || break; sleep 0.1; done
check "Ctrl-C stops it" sh -c "! kill -0 $RUN_PID 2>/dev/null"
check "it says so" grep -q "stopped; nothing of it is left" "$OUT"
check "the sandbox dockerd is gone" sh -c "[ $dockerd_pid -gt 0 ] && ! kill -0 $dockerd_pid 2>/dev/null"
check "its directory is gone ($T)" test ! -e "$T"
check "its plugin spec is gone" test ! -e "$spec"
check "nothing is mounted under it" sh -c "! grep -qF '$T/' /proc/self/mountinfo"
