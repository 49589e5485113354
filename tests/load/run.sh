#!/usr/bin/env bash
# Load and fault tests of arandu-authz, each bounded in time and printing what it
# measured.  Usage (as root): tests/load/run.sh BINARY LOADGEN ACTIVATE
# (LOADGEN is bench/loadgen.c, the benchmark's load generator, in its fault modes.)
#
#   conc      1,000 connections open at once, all answered correctly
#   slow      100 clients send half a request and stall; 40 others must each be answered within
#             1 s meanwhile; the stallers are cut off by the server's connection timeout
#   bad       oversized and malformed envelopes: denied (or an HTTP error), the server stays up
#   sighup    20 SIGHUPs during 8 s of load: not one failed or wrong answer
#   auditfull the audit log on a 64 KiB tmpfs that fills up: the plugin keeps deciding and reports
#             the failure; with deny_on_audit_failure it denies from the first failed write on
#   kill9     kill -9 of the plugin twice during load under socket activation (tests/load/activate.c
#             holds the socket and restarts it): no wrong allow, and how long service was out
#             (skipped when `serve` does not take LISTEN_FDS)
# Prints "ok N - ..." / "not ok N - ..." and ends with "N passed, M failed".  Whatever happens, the
# EXIT trap stops every process it started, unmounts the tmpfs and removes its temp dir.
set -euo pipefail

PASS=0 FAIL=0 SKIP=0
ok()    { PASS=$((PASS + 1)); echo "ok $((PASS + FAIL)) - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok $((PASS + FAIL)) - $*"; }
skip()  { SKIP=$((SKIP + 1)); echo "# SKIP $*"; }

[ $# -eq 3 ] || { echo "usage: $0 BINARY LOADGEN ACTIVATE"; echo "0 passed, 1 failed"; exit 1; }
BIN=$(realpath "$1") LOADGEN=$(realpath "$2") ACTIVATE=$(realpath "$3")
REPO=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "must run as root (mounts a tmpfs)"; echo "0 passed, 1 failed"; exit 1; }

T=$(mktemp -d /tmp/arandu-load.XXXXXX)
PIDS=()
cleanup() {
        local rc=$?
        for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
        for p in "${PIDS[@]}"; do
                for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
                kill -KILL "$p" 2>/dev/null || true
        done
        if mountpoint -q "$T/auditfs" 2>/dev/null; then umount "$T/auditfs" || umount -l "$T/auditfs"; fi
        if mountpoint -q "$T/auditfs" 2>/dev/null; then echo "# could not unmount $T/auditfs"; rc=1; fi
        [ -n "${LOAD_KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"
        echo "$PASS passed, $FAIL failed ($SKIP skipped)"
        if [ "$FAIL" -gt 0 ] || [ "$PASS" -eq 0 ] || [ "$rc" -ne 0 ]; then exit 1; fi
        exit 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

unset DOCKER_USER DOCKER_USER_UID DOCKER_CPU_LIMIT DOCKER_MEMORY_LIMIT DOCKER_NETWORK_MODE \
      DOCKER_READONLY_ROOTFS DOCKER_ALLOWLIST_DOMAINS DOCKER_REPOS_DIR DOCKER_ARTIFACTS_DIR DOCKER_HOST
export ARANDU_AUTHZ_LOG_LEVEL=info

# start_plugin NAME ARGS...: serve on $T/NAME.sock, log to $T/NAME.log; sets PID.
start_plugin() {
        local name=$1; shift
        "$BIN" serve --socket "$T/$name.sock" "$@" </dev/null >>"$T/$name.log" 2>&1 &
        PID=$!
        PIDS+=("$PID")
        for _ in $(seq 100); do [ -S "$T/$name.sock" ] && return 0; sleep 0.05; done
        echo "# plugin $name did not start:"; sed 's/^/#   /' "$T/$name.log"; return 1
}
stop_plugin() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
mem() { awk '/VmHWM|VmRSS|Threads/ { printf "%s %s%s ", $1, $2, $3 }' "/proc/$1/status"; }
# check DESC COMMAND...: run COMMAND, print its output, ok if it succeeded.
check() {
        local desc=$1 out rc=0; shift
        out=$("$@" 2>&1) || rc=$?
        printf '%s\n' "$out" | sed 's/^/# /'
        LAST=$out
        if [ "$rc" -eq 0 ]; then ok "$desc"; else notok "$desc (exit $rc)"; fi
}
field() { printf '%s\n' "$LAST" | grep -o "$1=[0-9.-]*" | head -1 | cut -d= -f2; }

printf '{ "deny_on_audit_failure": false }\n' >"$T/policy.json"
printf '{ "deny_on_audit_failure": true }\n' >"$T/policy-strict.json"

# --- conc, slow, bad, sighup: one plugin ----------------------------------------------------------
start_plugin main --policy "$T/policy.json" --audit-log "$T/audit.log"
MAIN=$PID
echo "# plugin at start: $(mem "$MAIN")"

check "1,000 concurrent connections, every one answered correctly" "$LOADGEN" conc --socket "$T/main.sock" --conns 1000
echo "# plugin after 1,000 connections: $(mem "$MAIN")"

check "100 stalled half-requests: 40 others each answered within 1 s" "$LOADGEN" slow --socket "$T/main.sock" --stalled 100 --requests 40 --bound-ms 1000

check "oversized and malformed envelopes are denied and the server stays up" "$LOADGEN" bad --socket "$T/main.sock"
echo "# plugin after the bad envelopes (one of 8 MiB): $(mem "$MAIN")"
kill -0 "$MAIN" 2>/dev/null && ok "plugin still running after the fault cases" || notok "plugin still running after the fault cases"

"$LOADGEN" steady --socket "$T/main.sock" --duration 8 --conns 8 >"$T/sighup.out" 2>&1 &
LG=$!
for _ in $(seq 20); do sleep 0.35; kill -HUP "$MAIN"; done
rc=0; wait "$LG" || rc=$?
LAST=$(cat "$T/sighup.out"); sed 's/^/# /' "$T/sighup.out"
hups=$(grep -c SIGHUP "$T/main.log" || true)
echo "# SIGHUP lines in the plugin's log: $hups"
if [ "$rc" -eq 0 ] && [ "$(field failed)" = 0 ] && kill -0 "$MAIN" 2>/dev/null; then
        ok "20 SIGHUPs during load: no failed or wrong answer"
else
        notok "20 SIGHUPs during load: no failed or wrong answer"
fi
stop_plugin "$MAIN"

# --- the audit log's disk fills up ----------------------------------------------------------------
mkdir -p "$T/auditfs"
if mount -t tmpfs -o size=64k,mode=0700 arandu-load "$T/auditfs"; then
        start_plugin full --policy "$T/policy.json" --audit-log "$T/auditfs/audit.log"
        check "audit disk full: every request still decided (no deny_on_audit_failure)" "$LOADGEN" audit --socket "$T/full.sock" --requests 1500
        used=$(du -k "$T/auditfs/audit.log" | cut -f1)
        if [ "$(field allowed)" = 1500 ]; then ok "all 1500 allowed while the audit disk is full (log: $used KiB)"; else notok "all 1500 allowed while the audit disk is full"; fi
        sleep 1
        if grep -qi "space" "$T/full.log"; then
                ok "the plugin reports the audit write failure: $(grep -i -m1 space "$T/full.log")"
        else
                notok "the plugin reports the audit write failure"; sed 's/^/#   /' "$T/full.log" | tail -5
        fi
        stop_plugin "$PID"

        : >"$T/auditfs/audit.log"; head -c 60k /dev/zero >"$T/auditfs/filler" 2>/dev/null || true
        start_plugin strict --policy "$T/policy-strict.json" --audit-log "$T/auditfs/audit.log"
        check "audit disk full with deny_on_audit_failure: requests decided" "$LOADGEN" audit --socket "$T/strict.sock" --requests 400
        if [ "$(field denied_audit)" -gt 0 ] && [ "$(field allowed_after_first_audit_deny)" = 0 ]; then
                ok "deny_on_audit_failure: denied from request $(field first_audit_deny_at) on, never allowed again"
        else
                notok "deny_on_audit_failure: denies once the audit log cannot be written"
        fi
        stop_plugin "$PID"
        umount "$T/auditfs"
        mountpoint -q "$T/auditfs" && notok "tmpfs unmounted" || ok "tmpfs unmounted"
else
        notok "mount a 64 KiB tmpfs for the audit log"
fi

# --- kill -9 under socket activation --------------------------------------------------------------
if ! grep -q LISTEN_FDS "$REPO"/authz/*.c; then
        skip "kill -9 under socket activation: arandu-authz serve does not take LISTEN_FDS yet"
else
        "$ACTIVATE" "$T/sa.sock" "$T/sa.pid" -- "$BIN" serve --socket "$T/sa.sock" \
                --policy "$T/policy.json" </dev/null >"$T/sa.log" 2>&1 &
        PIDS+=("$!")
        for _ in $(seq 100); do [ -s "$T/sa.pid" ] && [ -S "$T/sa.sock" ] && break; sleep 0.05; done
        sleep 0.3
        "$LOADGEN" steady --socket "$T/sa.sock" --duration 10 --conns 8 >"$T/kill9.out" 2>&1 &
        LG=$!
        sleep 3; kill -KILL "$(cat "$T/sa.pid")"
        sleep 3; kill -KILL "$(cat "$T/sa.pid")"
        rc=0; wait "$LG" || rc=$?
        LAST=$(cat "$T/kill9.out"); sed 's/^/# /' "$T/kill9.out"
        grep "activate:" "$T/sa.log" | sed 's/^/# /'
        gap=$(field longest_without_answer_ms)
        if [ "$(field wrong_allow)" = 0 ] && [ "$rc" -eq 0 ]; then
                ok "kill -9 twice during load: no request allowed that should not be ($(field failed) failed, fail-closed)"
        else
                notok "kill -9 twice during load: no wrong answer"
        fi
        if [ "${gap%.*}" -lt 5000 ]; then ok "service resumed after kill -9: longest time without an answer ${gap} ms"; else notok "service resumed within 5 s of kill -9 (longest gap ${gap} ms)"; fi
fi
