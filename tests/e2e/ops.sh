#!/usr/bin/env bash
# Operations end to end, without dockerd: live policy reload (SIGHUP), the metrics socket, and audit
# shipping to a local HTTP receiver that goes down and comes back.
#
# Usage: tests/e2e/ops.sh BINARY      (python3, curl and jq needed; no root needed)
# Drives the plugin with AuthZReq envelopes as dockerd posts them.  Prints "ok N - ..." /
# "not ok N - ..." per check and ends with "N passed, M failed"; exit 0 only when all passed.
set -euo pipefail

PASS=0
FAIL=0
ok()    { PASS=$((PASS + 1)); echo "ok $((PASS + FAIL)) - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok $((PASS + FAIL)) - $*"; }
diag()  { printf '%s\n' "$@" | sed -e 's/^/#   /'; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: $0 BINARY"; echo "0 passed, 1 failed"; exit 1; }
BIN=$(realpath "$1")
for t in python3 curl jq base64; do
        command -v "$t" >/dev/null || { echo "Bail out! $t not found"; echo "0 passed, 1 failed"; exit 1; }
done
HERE=$(cd "$(dirname "$0")" && pwd)

T=$(mktemp -d /tmp/arandu-ops.XXXXXX)
PLUGIN_PID=""
RECV_PID=""
cleanup() {
        local rc=$?
        set +e
        [ -n "$PLUGIN_PID" ] && kill "$PLUGIN_PID" 2>/dev/null && wait "$PLUGIN_PID" 2>/dev/null
        [ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null && wait "$RECV_PID" 2>/dev/null
        if [ "$FAIL" -gt 0 ] || [ "$rc" -ne 0 ]; then
                echo "# plugin log (last 25 lines):"
                tail -n 25 "$T/plugin.log" 2>/dev/null | sed -e 's/^/#   /'
        fi
        rm -rf "$T"
        [ "$rc" -eq 0 ] || notok "harness stopped early (exit status $rc)"
        echo "$PASS passed, $FAIL failed"
        [ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
}
trap cleanup EXIT

unset DOCKER_USER DOCKER_USER_UID DOCKER_CPU_LIMIT DOCKER_MEMORY_LIMIT DOCKER_NETWORK_MODE \
      DOCKER_READONLY_ROOTFS DOCKER_ALLOWLIST_DOMAINS
export DOCKER_REPOS_DIR="$T/repos" DOCKER_ARTIFACTS_DIR="$T/artifacts"
mkdir -p "$DOCKER_REPOS_DIR" "$DOCKER_ARTIFACTS_DIR"
PSOCK="$T/plugin.sock"
MSOCK="$T/metrics/metrics.sock"

# decide MEMORY: POST a container create asking for MEMORY bytes; prints the plugin's JSON answer.
decide() {
        local body env
        body=$(printf '{"Image":"bb","User":"1000","HostConfig":{"NanoCpus":1000000000,"Memory":%s,"NetworkMode":"none","ReadonlyRootfs":true,"PidsLimit":512,"SecurityOpt":["no-new-privileges"]}}' "$1")
        env=$(printf '{"RequestMethod":"POST","RequestUri":"/v1.41/containers/create","RequestBody":"%s","RequestHeaders":{"Content-Type":"application/json"}}' \
                "$(printf '%s' "$body" | base64 -w0)")
        curl -sS --max-time 5 --unix-socket "$PSOCK" -H 'Content-Type: application/json' -d "$env" \
                http://plugin/AuthZPlugin.AuthZReq
}
allowed() { decide "$1" | jq -e '.Allow == true' >/dev/null; }
denied_for() { decide "$1" | jq -e --arg r "$2" '.Allow == false and (.Msg | startswith($r))' >/dev/null; }
metrics() { curl -sS --max-time 5 --unix-socket "$MSOCK" http://plugin/metrics; }
# metric NAME{LABELS}: the value of one series (empty if absent).
metric() { metrics | awk -v k="$1" '{ v = $NF; sub(/ [^ ]*$/, "") } $0 == k { print v }'; }
# wait_log TEXT SECONDS: the plugin log gains a line containing TEXT (counted from mark_log).
mark_log() { LOGMARK=$(wc -l <"$T/plugin.log"); }
wait_log() {
        local n=$(($2 * 10))
        while [ "$n" -gt 0 ]; do
                tail -n +"$((LOGMARK + 1))" "$T/plugin.log" | grep -qF -- "$1" && return 0
                sleep 0.1
                n=$((n - 1))
        done
        return 1
}
start_receiver() {  # start_receiver PORT STATUS
        rm -f "$T/port"
        python3 "$HERE/receiver.py" "$T/port" "$T/received" "$1" "$2" 2>>"$T/receiver.log" &
        RECV_PID=$!
        for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
        PORT=$(cat "$T/port")
}
stop_receiver() { kill "$RECV_PID"; wait "$RECV_PID" 2>/dev/null || true; RECV_PID=""; }
received_lines() { if [ -f "$T/received" ]; then grep -c . "$T/received" || true; else echo 0; fi; }
# wait_received N SECONDS
wait_received() {
        local n=$(($2 * 10))
        while [ "$n" -gt 0 ]; do
                [ "$(received_lines)" -ge "$1" ] && return 0
                sleep 0.1
                n=$((n - 1))
        done
        return 1
}

start_receiver 0 204
echo '{"memory_limit": "4g"}' >"$T/policy.json"
"$BIN" serve --socket "$PSOCK" --policy "$T/policy.json" --audit-log "$T/audit.log" \
        --metrics-socket "$MSOCK" --audit-url "http://user:secret@127.0.0.1:$PORT/ingest" \
        </dev/null >"$T/plugin.log" 2>&1 &
PLUGIN_PID=$!
for _ in $(seq 100); do [ -S "$PSOCK" ] && [ -S "$MSOCK" ] && break; sleep 0.1; done
check "plugin serves its socket and the metrics socket" test -S "$PSOCK" -a -S "$MSOCK"
check "metrics socket is mode 0600" test "$(stat -c %a "$MSOCK")" = 600
check "the collector's password is never logged" bash -c "! grep -q secret '$T/plugin.log'"

# --- live reload -------------------------------------------------------------------------------------
G2=2147483648; M512=536870912
check "policy 4g: a 2g create is allowed" allowed $G2

echo '{"memory_limit": "1g"}' >"$T/policy.json"
mark_log; kill -HUP "$PLUGIN_PID"
check "SIGHUP with a valid file: the new policy is announced" wait_log "new policy in force" 5
check "after reload to 1g: the 2g create is denied naming memory" denied_for $G2 memory
check "after reload to 1g: a 512m create is allowed" allowed $M512

echo '{"memory_limit": "1g", ' >"$T/policy.json"
mark_log; kill -HUP "$PLUGIN_PID"
check "SIGHUP with a broken file: rejected, the old policy kept" wait_log "keeping the current one" 5
check "broken file: the 2g create is still denied (1g policy, not defaults)" denied_for $G2 memory
check "broken file: a 512m create is still allowed" allowed $M512

echo '{"memory_limit": "1g", "user": "root"}' >"$T/policy.json"
mark_log; kill -HUP "$PLUGIN_PID"
check "SIGHUP with an unsafe file: its error is logged naming the setting" wait_log "user" 5
check "unsafe file: the 1g policy still holds" denied_for $G2 memory
rm -f "$T/policy.json"
mark_log; kill -HUP "$PLUGIN_PID"
check "SIGHUP with the file gone: rejected, old policy kept" wait_log "keeping the current one" 5
check "file gone: the 1g policy still holds" denied_for $G2 memory
check "plugin survived the failed reloads" kill -0 "$PLUGIN_PID"

# Decisions keep coming while reloads happen: every one answered, with one policy or the other.
echo '{"memory_limit": "4g"}' >"$T/policy.json"
( for _ in $(seq 60); do decide $G2 | jq -r '.Allow'; done >"$T/race.out" 2>&1 ) &
RACE=$!
for _ in $(seq 20); do kill -HUP "$PLUGIN_PID"; sleep 0.02; done
wait "$RACE" || true
check "60 decisions during 20 reloads: all answered" test "$(grep -cE '^(true|false)$' "$T/race.out")" = 60
sleep 0.5
check "after the reloads settle, the 4g policy is in force" allowed $G2

# --- metrics ---------------------------------------------------------------------------------------------
out=$(metrics)
check "GET /metrics answers Prometheus text" grep -q '^# TYPE arandu_authz_decisions_total counter' <<<"$out"
allow=$(metric 'arandu_authz_decisions_total{result="allow"}')
deny=$(metric 'arandu_authz_decisions_total{result="deny"}')
check "decisions_total counts allows and denies (allow=$allow deny=$deny)" test "${allow:-0}" -ge 5 -a "${deny:-0}" -ge 4
check "rule_violations_total names the memory rule" test "$(metric 'arandu_authz_rule_violations_total{rule="memory",result="deny"}')" -ge 4
check "route_decisions_total names the create route" test -n "$(metric 'arandu_authz_route_decisions_total{route="POST /containers/create",result="deny"}')"
cnt=$(metric arandu_authz_decision_duration_seconds_count)
inf=$(metric 'arandu_authz_decision_duration_seconds_bucket{le="+Inf"}')
check "latency histogram: count ($cnt) = +Inf bucket = allow+deny" test "$cnt" = "$inf" -a "$cnt" = $((allow + deny))
check "policy_reloads_total counts successes" test "$(metric 'arandu_authz_policy_reloads_total{result="success"}')" -ge 2
check "policy_reloads_total counts the 3 failures" test "$(metric 'arandu_authz_policy_reloads_total{result="failure"}')" -ge 3
check "errors_total is exposed" test -n "$(metric 'arandu_authz_errors_total{kind="incomplete"}')"
code=$(curl -sS -o /dev/null -w '%{http_code}' --unix-socket "$MSOCK" http://plugin/other)
check "metrics socket: another path is 404" test "$code" = 404

# --- audit shipping ---------------------------------------------------------------------------------------
lines=$(grep -c . "$T/audit.log" || true)
check "every audit line reached the collector ($lines)" wait_received "$lines" 10
check "the batch is posted as application/x-ndjson" test "$(cat "$T/received.ctype")" = application/x-ndjson
check "every received line is one JSON object" bash -c "jq -e -s 'all(type == \"object\")' '$T/received' >/dev/null"

stop_receiver
mark_log
slow=0
for _ in $(seq 10); do
        s=$(date +%s%N)
        allowed $M512 || slow=$((slow + 1000))
        e=$(date +%s%N)
        [ $(((e - s) / 1000000)) -lt 1000 ] || slow=$((slow + 1))
done
check "receiver down: 10 decisions answered at once (none slower than 1 s)" test "$slow" = 0
check "receiver down: the failure is logged" wait_log "audit-url: cannot send" 5
sleep 2
start_receiver "$PORT" 204
lines=$(grep -c . "$T/audit.log" || true)
check "receiver back: the queued lines arrive after a retry ($lines)" wait_received "$lines" 30
check "receiver back: recovery is logged" wait_log "accepts lines again" 5
sent=$(metric 'arandu_authz_audit_ship_lines_total{state="sent"}')
fails=$(metric arandu_authz_audit_ship_failures_total)
check "metrics: ship sent ($sent) = audit lines, failures ($fails) > 0" test "$sent" = "$lines" -a "$fails" -gt 0

# A collector that rejects a batch (4xx): dropped, counted, logged; decisions unaffected.
stop_receiver
start_receiver "$PORT" 400
mark_log
allowed $M512 || true
check "collector rejects (400): the batch is dropped and logged" wait_log "rejected a batch" 10
check "metrics: the dropped line is counted" test "$(metric 'arandu_authz_audit_ship_lines_total{state="dropped"}')" -ge 1
stop_receiver

# --- stop --------------------------------------------------------------------------------------------------
kill -TERM "$PLUGIN_PID"
rc=0; wait "$PLUGIN_PID" || rc=$?
PLUGIN_PID=""
check "plugin stops on SIGTERM with status 0" test "$rc" = 0
check "both sockets removed" test ! -e "$PSOCK" -a ! -e "$MSOCK"
