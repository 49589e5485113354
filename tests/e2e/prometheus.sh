#!/usr/bin/env bash
# A real Prometheus scrapes a real plugin: `serve --metrics-listen 127.0.0.1:PORT` is sent real
# AuthZReq envelopes (recorded from dockerd, tests/fixtures/), Debian's /usr/bin/prometheus, with a
# config, storage and web port of its own, scrapes it every second, and its query API must show the
# exact allow and deny counts sent and the target up.  Then promtool checks docs/alerts.yml and runs
# its unit tests (tests/e2e/alerts_test.yml).  Also: --metrics-listen refuses a non-loopback address
# (exit 78) and a port in use (exit 1), and no packaged prometheus (the Debian service) is running.
#
# Usage: tests/e2e/prometheus.sh BINARY     (as root: the fixtures' bind sources are made on a tmpfs
# at /srv in a private mount namespace; `make e2e-prometheus` installs prometheus, curl and jq)
# Talks only to 127.0.0.1; everything it starts it stops; bounded by timeouts (about 20 s, 100 s at
# most).  Prints "ok N - ..." / "not ok N - ..." and ends with "N passed, M failed"; exit 0 only when
# all passed and at least one ran.
set -euo pipefail

PASS=0
FAIL=0
ok()    { PASS=$((PASS + 1)); echo "ok $((PASS + FAIL)) - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok $((PASS + FAIL)) - $*"; }
diag()  { printf '%s\n' "$@" | sed -e 's/^/#   /'; }
check() { local d=$1; shift; if "$@" >/dev/null; then ok "$d"; else notok "$d"; fi; }

[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: $0 BINARY"; echo "0 passed, 1 failed"; exit 1; }
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")/../.." && pwd)
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
for t in "$PROMETHEUS" "$PROMTOOL" curl jq unshare; do
        command -v "$t" >/dev/null || { echo "Bail out! $t not found (make e2e-prometheus installs it)"; echo "0 passed, 1 failed"; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "Bail out! run as root"; echo "0 passed, 1 failed"; exit 1; }

FIX=$HERE/tests/fixtures/dockerd-20.10.24
ALLOW_REQ=$FIX/compliant.cli28.2.2.req.json     # docker create --user 1000 --cpus 1 ... bb id
DENY_REQ=$FIX/privileged.cli28.2.2.req.json     # docker create --privileged bb id
N_ALLOW=3
N_DENY=2
JOB=arandu-authz

T=$(mktemp -d /tmp/arandu-prometheus.XXXXXX)
PLUGIN_PID=""
PROM_PID=""
WATCHDOG_PID=""
stop_pid() {   # stop_pid PID: SIGTERM, then SIGKILL after 10 s
        local pid=$1
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true   # its exit status is not ours
        return 0
}
cleanup() {
        local rc=$?
        set +e
        stop_pid "$PROM_PID"
        stop_pid "$PLUGIN_PID"
        [ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null && wait "$WATCHDOG_PID" 2>/dev/null
        if [ "$FAIL" -gt 0 ] || [ "$rc" -ne 0 ]; then
                echo "# plugin log (last 15 lines):"
                tail -n 15 "$T/plugin.log" 2>/dev/null | sed -e 's/^/#   /'
                echo "# prometheus log (last 15 lines):"
                tail -n 15 "$T/prometheus.log" 2>/dev/null | sed -e 's/^/#   /'
        fi
        rm -rf --one-file-system "$T"
        [ "$rc" -eq 0 ] || notok "harness stopped early (exit status $rc)"
        echo "$PASS passed, $FAIL failed"
        [ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ] && exit 0
        exit 1
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The whole test is bounded: past 100 s the watchdog ends it (and the trap stops what it started).
# (Its sleep goes with it, and holds no output open: a pipe reading the test ends with the test.)
( trap 'kill "$s" 2>/dev/null; exit 0' TERM; sleep 100 >/dev/null 2>&1 & s=$!; wait "$s"
  echo "# watchdog: the test took over 100 s"; kill -TERM $$ ) &
WATCHDOG_PID=$!

# A TCP port nobody listens on (127.0.0.1 or any address), from /proc/net/tcp{,6}: state 0A is LISTEN.
listening_ports() {
        local _sl local _rem st _rest
        cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | while read -r _sl local _rem st _rest; do
                [ "$st" = 0A ] && echo $((16#${local##*:}))
        done
        return 0
}
free_port() {
        local p used
        used=$(listening_ports)
        for _ in $(seq 100); do
                p=$((20000 + RANDOM % 40000))
                grep -qx "$p" <<<"$used" || { echo "$p"; return 0; }
        done
        return 1
}
# wait_for SECONDS CMD...: until CMD succeeds.
wait_for() {
        local n=$(($1 * 10)); shift
        while [ "$n" -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
        return 1
}

# ---- the alert rules ------------------------------------------------------------------------------

out=$("$PROMTOOL" check rules "$HERE/docs/alerts.yml" 2>&1) && r=0 || r=$?
check "promtool check rules docs/alerts.yml ($(grep -o '[0-9]* rules found' <<<"$out" || echo "$out"))" test "$r" -eq 0
[ "$r" -eq 0 ] || diag "$out"
out=$("$PROMTOOL" test rules "$HERE/tests/e2e/alerts_test.yml" 2>&1) && r=0 || r=$?
check "promtool test rules tests/e2e/alerts_test.yml (deny rate and failed reload fire, a quiet host does not)" test "$r" -eq 0
[ "$r" -eq 0 ] || diag "$out"
# Every metric the rules name is one the plugin exports (authz/metrics.c).
missing=""
for m in $(grep -o 'arandu_authz_[a-z_]*' "$HERE/docs/alerts.yml" | sort -u); do
        grep -q "\"${m#arandu_authz_}\"" "$HERE/authz/metrics.c" || missing="$missing $m"
done
check "every metric docs/alerts.yml names is exported${missing:+ (not:$missing)}" test -z "$missing"

# ---- the plugin -------------------------------------------------------------------------------------

# The fixtures were recorded with repositories and artifacts under /srv/arandu, and predate the pids
# and no-new-privileges rules (as tests/fixtures.sh judges them).
export DOCKER_REPOS_DIR=/srv/arandu/repos DOCKER_ARTIFACTS_DIR=/srv/arandu/artifacts \
       DOCKER_PIDS_LIMIT=0 DOCKER_NO_NEW_PRIVILEGES=false
unset DOCKER_USER DOCKER_USER_UID DOCKER_CPU_LIMIT DOCKER_MEMORY_LIMIT DOCKER_NETWORK_MODE \
      DOCKER_READONLY_ROOTFS DOCKER_ALLOWLIST_DOMAINS DOCKER_HOST
PSOCK=$T/plugin.sock
MPORT=$(free_port)
PPORT=$(free_port)
while [ "$PPORT" = "$MPORT" ]; do PPORT=$(free_port); done

# unshare execs the plugin itself (no fork): $! is the plugin's pid.
ARANDU_BIN=$BIN ARANDU_ARGS="serve --socket $PSOCK --metrics-listen 127.0.0.1:$MPORT --audit-log $T/audit.log" \
unshare --mount sh -c 'mount --make-rprivate / && mount -t tmpfs -o mode=0755,nosuid,nodev arandu-prometheus /srv &&
        mkdir -p /srv/arandu/repos/demo /srv/arandu/artifacts/demo && exec "$ARANDU_BIN" $ARANDU_ARGS' \
        2>"$T/plugin.log" &
PLUGIN_PID=$!
metrics() { curl -sS --max-time 5 "http://127.0.0.1:$MPORT/metrics"; }
# (A private mount namespace is a copy of every mount: slow on a host busy with mounts.)
wait_for 30 metrics || true
check "the plugin serves GET /metrics on 127.0.0.1:$MPORT" metrics
metrics >/dev/null 2>&1 || diag "plugin pid $PLUGIN_PID $(kill -0 "$PLUGIN_PID" 2>/dev/null && echo running || echo gone)" \
        "$(ls -l "$T" 2>&1)" "$(listening_ports | grep -x "$MPORT" || echo "nothing listens on $MPORT")"
check "it logs where" grep -qF "serving GET /metrics on http://127.0.0.1:$MPORT/metrics" "$T/plugin.log"

# --metrics-listen refusals, on a throwaway socket: configuration errors exit 78, a port in use 1.
refused() {   # refused STATUS TEXT ADDR
        local r=0
        timeout 10 "$BIN" serve --socket "$T/other.sock" --metrics-listen "$3" 2>"$T/refused.log" || r=$?
        [ "$r" -eq "$1" ] && grep -qF -- "$2" "$T/refused.log"
}
check "--metrics-listen 0.0.0.0:$PPORT is refused (exit 78)" refused 78 "--metrics-listen: \"0.0.0.0:$PPORT\": only a loopback address" "0.0.0.0:$PPORT"
check "--metrics-listen localhost:$PPORT is refused (exit 78)" refused 78 "names are not resolved" "localhost:$PPORT"
check "--metrics-listen 127.0.0.1 (no port) is refused (exit 78)" refused 78 "has no port" "127.0.0.1"
check "--metrics-listen on the port in use is a startup error (exit 1)" refused 1 "127.0.0.1:$MPORT: the port is already in use" "127.0.0.1:$MPORT"
check "the refused ones left no socket behind" test ! -e "$T/other.sock"

# The envelopes, as dockerd posts them.
authz() { curl -sS --max-time 5 --unix-socket "$PSOCK" -H 'Content-Type: application/json' --data-binary @"$1" \
                http://plugin/AuthZPlugin.AuthZReq; }
n_allowed=0
n_denied=0
for _ in $(seq "$N_ALLOW"); do authz "$ALLOW_REQ" | jq -e '.Allow == true' >/dev/null && n_allowed=$((n_allowed + 1)); done
for _ in $(seq "$N_DENY"); do
        authz "$DENY_REQ" | jq -e '.Allow == false and (.Msg | test("privileged: HostConfig.Privileged is true"))' >/dev/null &&
                n_denied=$((n_denied + 1))
done
check "the compliant create is allowed $N_ALLOW times (allowed: $n_allowed)" test "$n_allowed" -eq "$N_ALLOW"
check "the privileged create is denied $N_DENY times, naming the rule (denied: $n_denied)" test "$n_denied" -eq "$N_DENY"
sample() { metrics | awk -v k="$1" '{ v = $NF; sub(/ [^ ]*$/, "") } $0 == k { print v }'; }
check "the plugin's own scrape counts them" test \
        "$(sample 'arandu_authz_decisions_total{result="allow"}') $(sample 'arandu_authz_decisions_total{result="deny"}')" = "$N_ALLOW $N_DENY"

# ---- Prometheus -------------------------------------------------------------------------------------

cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $HERE/docs/alerts.yml
scrape_configs:
  - job_name: $JOB
    static_configs:
      - targets: ["127.0.0.1:$MPORT"]
EOF
"$PROMETHEUS" --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
        --web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$T/prometheus.log" 2>&1 &
PROM_PID=$!
API=http://127.0.0.1:$PPORT
query() { curl -sS --max-time 5 --get --data-urlencode "query=$1" "$API/api/v1/query"; }
wait_for 30 curl -sf --max-time 2 "$API/-/ready" || true
check "prometheus is ready on 127.0.0.1:$PPORT" curl -sf --max-time 2 "$API/-/ready"

# The exact counts sent, on the series of this job and target.
counts_match() {
        query arandu_authz_decisions_total | jq -e --arg job "$JOB" --arg inst "127.0.0.1:$MPORT" \
                --arg a "$N_ALLOW" --arg d "$N_DENY" '
                .status == "success" and
                ([.data.result[] | select(.metric.job == $job and .metric.instance == $inst)] as $r |
                 ([$r[] | select(.metric.result == "allow") | .value[1]] == [$a]) and
                 ([$r[] | select(.metric.result == "deny") | .value[1]] == [$d]) and
                 ([$r[] | select(.metric.result == "dry_run_deny") | .value[1]] == ["0"]))'
}
wait_for 30 counts_match || true
check "prometheus has scraped arandu_authz_decisions_total: allow $N_ALLOW, deny $N_DENY" counts_match
counts_match >/dev/null || diag "$(query arandu_authz_decisions_total 2>&1 | head -c 1500)"
# qval QUERY: the values of the query's series, as a compact JSON list (["1"]).
qval() { query "$1" | jq -c '[.data.result[].value[1]]'; }
check "up{job=\"$JOB\"} is 1" test "$(qval "up{job=\"$JOB\"}")" = '["1"]'
check "the privileged rule is counted $N_DENY times" \
        test "$(qval 'arandu_authz_rule_violations_total{rule="privileged",result="deny"}')" = "[\"$N_DENY\"]"
check "audit lines written: $((N_ALLOW + N_DENY))" \
        test "$(qval 'arandu_authz_audit_lines_total{state="written"}')" = "[\"$((N_ALLOW + N_DENY))\"]"
health=$(curl -sS --max-time 5 "$API/api/v1/targets" | jq -c --arg job "$JOB" '[.data.activeTargets[] | select(.labels.job == $job) | .health]')
check "the scrape target is healthy in /api/v1/targets ($health)" test "$health" = '["up"]'
n_alerts=$(grep -c '^      - alert:' "$HERE/docs/alerts.yml")
loaded=$(curl -sS --max-time 5 "$API/api/v1/rules?type=alert" | jq '[.data.groups[].rules[]] | length')
check "prometheus loaded docs/alerts.yml ($loaded of $n_alerts alerts)" test "$loaded" = "$n_alerts"
firing=$(curl -sS --max-time 5 "$API/api/v1/alerts" | jq -c '[.data.alerts[] | select(.state == "firing") | .labels.alertname]')
check "no alert fires on this quiet plugin ($firing)" test "$firing" = '[]'

# The Debian package's own prometheus (user prometheus, :9090) must not be running.
packaged_not_running() {
        if [ -d /run/systemd/system ] && systemctl is-active --quiet prometheus.service; then return 1; fi
        ! id prometheus >/dev/null 2>&1 || ! pgrep -u prometheus -x prometheus >/dev/null
}
check "the packaged prometheus service is not running" packaged_not_running

stop_pid "$PROM_PID"; PROM_PID=""
stop_pid "$PLUGIN_PID"; p=$PLUGIN_PID; PLUGIN_PID=""
check "the plugin stopped, and its metrics port is closed" sh -c "! kill -0 $p 2>/dev/null && ! curl -s --max-time 2 http://127.0.0.1:$MPORT/metrics >/dev/null"
