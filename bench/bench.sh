#!/usr/bin/env bash
# `make bench`: how fast arandu-authz decides, against the floor (bench/nullserver.c) and in dockerd.
#
# Usage: bench/bench.sh BUILD_DIR        (as root for the end-to-end part; the rest runs as anyone)
#
# 1. Start to first decision: fork/exec of `arandu-authz serve` to the first complete AuthZReq answer.
# 2. Load: bench/loadgen (C, raw HTTP/1.1 keep-alive over the unix socket, closed loop) at 1, 16 and 64
#    connections over the real envelope mix of tests/fixtures/dockerd-20.10.24 (creates, execs,
#    updates, network/volume calls, reads, AuthZReq and AuthZRes alike), against the plugin (with its
#    audit log on, as deployed) and against the null server, with ratios.  `start` envelopes are left
#    out: a passed start makes the plugin ask dockerd for its view (recheck), a round trip to a dockerd
#    the load generator does not have.
# 3. Cost curves at one connection: envelope size (1 KiB to the 1 MiB dockerd 20.10 forwards), number of
#    binds, of mounts, of Env entries, and concurrent connections (up to 1,000); each step's growth is
#    compared with the input's growth and a super-linear step is flagged.
# 4. End to end: private dockerds (own data root, exec root, socket; no bridge, no iptables), one with
#    the plugin in its chain, one without, and one with the null server as its AuthZ plugin when the
#    null server can be one; image bb:latest built by `docker import` (never a pull); `docker create`,
#    `docker ps`, `docker inspect` timed in rotated order, container removed each round; overhead as
#    the median of paired differences with a 95% CI; then the same requests replayed over the sockets
#    (python3) for the daemon-side cost per request, CPU time and Go GCs (see part 4 below).
#
# Environment: BENCH_DURATION (seconds per load run, default 3), BENCH_ROUNDS (runs per load point,
# default 3; the medians are reported), BENCH_E2E_N (rounds of docker CLI
# commands, default 40), BENCH_E2E_API_N (rounds of replayed requests, default 150), BENCH_CLI (the
# docker CLI, default /usr/bin/docker), BENCH_E2E=0 skips the end-to-end part, BENCH_FIXTURES
# (envelope dir).
# Exit status 0 when everything ran (targets missed are reported, not failed), 1 on a setup error.
set -euo pipefail

B=${1:?usage: bench.sh BUILD_DIR}
BIN=$(realpath "$B/arandu-authz")
LG=$(realpath "$B/bench/loadgen")
NS=$(realpath "$B/bench/nullserver")
SY=$(realpath "$B/bench/synth")
HERE=$(cd "$(dirname "$0")/.." && pwd)
FIX=${BENCH_FIXTURES:-$HERE/tests/fixtures/dockerd-20.10.24}
DUR=${BENCH_DURATION:-3}
ROUNDS=${BENCH_ROUNDS:-3}
E2E_N=${BENCH_E2E_N:-40}
[ -d "$FIX" ] || { echo "bench: no fixtures at $FIX (set BENCH_FIXTURES)"; exit 1; }

T=$(mktemp -d /tmp/arandu-bench.XXXXXX)
PLUGIN_PID="" NULL_PID="" DPIDS=() SPEC="" NULL_SPEC=""
cleanup() {
        set +e
        for p in "${DPIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
        for p in "${DPIDS[@]}"; do
                for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
                kill -KILL "$p" 2>/dev/null
        done
        [ -n "$PLUGIN_PID" ] && kill -TERM "$PLUGIN_PID" 2>/dev/null
        [ -n "$NULL_PID" ] && kill -TERM "$NULL_PID" 2>/dev/null
        wait 2>/dev/null
        # Leftover containerd/shims of our dockerds: their command lines name our temp dir.
        for d in /proc/[0-9]*; do
                { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF -- "$T/" && kill -KILL "${d#/proc/}" 2>/dev/null
        done
        awk -v t="$T" 'index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
                umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
        done
        [ -n "$SPEC" ] && rm -f "$SPEC"
        [ -n "$NULL_SPEC" ] && rm -f "$NULL_SPEC"
        rm -rf --one-file-system "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export DOCKER_REPOS_DIR=/srv/arandu/repos DOCKER_ARTIFACTS_DIR=/srv/arandu/artifacts
unset DOCKER_USER DOCKER_USER_UID DOCKER_CPU_LIMIT DOCKER_MEMORY_LIMIT DOCKER_NETWORK_MODE \
      DOCKER_READONLY_ROOTFS DOCKER_ALLOWLIST_DOMAINS

# field KEY LINE: the value of KEY=... in a loadgen line.
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
hr() { printf '%s\n' "----------------------------------------------------------------------------------------------"; }

mapfile -t MIX < <(ls "$FIX"/*.json | grep -v '/start\.')
COMPLIANT="$FIX/compliant.cli20.10.24.req.json"

echo "arandu-authz benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: nproc $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
echo "mix: ${#MIX[@]} envelopes from $FIX (start left out), ${DUR}s per run after 0.5s warm-up, medians of $ROUNDS rounds"
hr

# --- 1. start to first decision --------------------------------------------------------------------
L=$("$LG" first --socket "$T/first.sock" --runs 7 --label plugin "$COMPLIANT" -- \
        "$BIN" serve --socket "$T/first.sock" --audit-log "$T/first-audit.log")
FIRST_MS=$(field first_decision_ms "$L")
L=$("$LG" first --socket "$T/first-null.sock" --runs 7 --label null "$COMPLIANT" -- \
        "$NS" --socket "$T/first-null.sock")
printf 'start to first decision (median of 7): plugin %s ms, null server %s ms\n' "$FIRST_MS" "$(field first_decision_ms "$L")"
hr

# --- 2. load over the fixture mix ------------------------------------------------------------------
"$BIN" serve --socket "$T/plugin.sock" --audit-log "$T/audit.log" </dev/null >"$T/plugin.log" 2>&1 &
PLUGIN_PID=$!
"$NS" --socket "$T/null.sock" </dev/null >"$T/null.log" 2>&1 &
NULL_PID=$!
for _ in $(seq 100); do [ -S "$T/plugin.sock" ] && [ -S "$T/null.sock" ] && break; sleep 0.05; done

# Each point is run ROUNDS times, plugin and null server alternating (which goes first alternates
# too), and each figure is the median over the rounds: one 3 s run on a 2-CPU machine moves by 20%.
printf '%-6s %-7s %10s %9s %9s %10s %9s %9s %6s\n' conns server "decisions/s" "p50 µs" "p99 µs" "p99.9 µs" "CPU µs/d" "HWM KiB" errors
med() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A R ALL
for c in 1 16 64; do
        RATIOS=""
        for r in $(seq "$ROUNDS"); do
                if [ $((r % 2)) = 1 ]; then order="plugin null"; else order="null plugin"; fi
                for s in $order; do
                        if [ "$s" = plugin ]; then sock=$T/plugin.sock pid=$PLUGIN_PID; else sock=$T/null.sock pid=$NULL_PID; fi
                        L=$("$LG" rate --socket "$sock" --conns "$c" --duration "$DUR" --pid "$pid" --label "$s" "${MIX[@]}")
                        for k in rps p50_us p99_us p999_us cpu_us hwm_kb errors; do ALL[$s,$c,$k]+="$(field $k "$L") "; done
                        R[$s,$c,last_rps]=$(field rps "$L")
                done
                RATIOS+="$(ratio "${R[plugin,$c,last_rps]}" "${R[null,$c,last_rps]}") "
        done
        for s in plugin null; do
                for k in rps p50_us p99_us p999_us cpu_us hwm_kb; do R[$s,$c,$k]=$(printf '%s' "${ALL[$s,$c,$k]}" | med); done
                R[$s,$c,errors]=$(printf '%s' "${ALL[$s,$c,errors]}" | tr ' ' '\n' | grep . | awk '{ n += $1 } END { print n + 0 }')
                printf '%-6s %-7s %10s %9s %9s %10s %9s %9s %6s\n' "$c" "$s" "${R[$s,$c,rps]}" "${R[$s,$c,p50_us]}" \
                        "${R[$s,$c,p99_us]}" "${R[$s,$c,p999_us]}" "${R[$s,$c,cpu_us]}" "${R[$s,$c,hwm_kb]}" "${R[$s,$c,errors]}"
        done
        printf '%-6s %-7s %10s %9s %9s %10s %9s   (decisions/s ratio per round: %s)\n' "$c" "ratio" \
                "$(ratio "${R[plugin,$c,rps]}" "${R[null,$c,rps]}")" \
                "$(ratio "${R[plugin,$c,p50_us]}" "${R[null,$c,p50_us]}")" "$(ratio "${R[plugin,$c,p99_us]}" "${R[null,$c,p99_us]}")" \
                "$(ratio "${R[plugin,$c,p999_us]}" "${R[null,$c,p999_us]}")" "$(ratio "${R[plugin,$c,cpu_us]}" "${R[null,$c,cpu_us]}")" "$RATIOS"
done
HWM_MIX=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$PLUGIN_PID/status")
echo "plugin peak RSS (VmHWM) after the mix: $HWM_MIX"
hr

# --- 3. cost curves --------------------------------------------------------------------------------
# curve NAME UNIT N...: synthesise one envelope per N (synth KIND), time it at one connection.
# Prints N, body bytes, p50, p99 and the growth of p50 against the growth of N.
declare -A P50
curve() {
        local kind=$1 title=$2; shift 2
        local prev_n="" prev_t="" n bytes L t flag
        echo "decision time vs $title (1 connection, p50 of ${CURVE_DUR}s)"
        printf '  %10s %10s %10s %10s %s\n' "$kind" "body B" "p50 µs" "p99 µs" "growth (time / input)"
        for n in "$@"; do
                bytes=$("$SY" "$COMPLIANT" "$kind" "$n" "$T/$kind-$n.req.json")
                L=$("$LG" rate --socket "$T/plugin.sock" --conns 1 --duration "$CURVE_DUR" --warmup 0.2 \
                        --pid "$PLUGIN_PID" --label "$kind$n" "$T/$kind-$n.req.json")
                t=$(field p50_us "$L")
                P50[$kind,$n]=$t
                flag=""
                if [ -n "$prev_n" ] && [ "$prev_n" != 0 ]; then
                        flag=$(awk -v n0="$prev_n" -v n1="$n" -v t0="$prev_t" -v t1="$t" 'BEGIN {
                                g = n1 / n0; h = t1 / t0
                                printf "x%.1f / x%.1f", h, g
                                if (h > 1.5 * g && t1 > 200) printf "  SUPER-LINEAR"
                        }')
                fi
                printf '  %10s %10s %10s %10s %s\n' "$n" "$bytes" "$t" "$(field p99_us "$L")" "$flag"
                prev_n=$n prev_t=$t
        done
}
CURVE_DUR=1
curve size "envelope size (create body padded with 128-byte Env entries)" 1024 4096 16384 65536 262144 1048575
curve env "number of Env entries" 1 10 100 1000 10000
curve binds "number of HostConfig.Binds" 1 4 16 64 256
curve mounts "number of HostConfig.Mounts" 1 4 16 64 256
echo "decision time vs concurrent connections (fixture mix, p50/p99 over ${DUR}s)"
printf '  %10s %10s %10s %10s %10s %6s %s\n' conns "decisions/s" "p50 µs" "p99 µs" "p99.9 µs" errors "p50 growth / conns growth"
prev_c="" prev_t=""
for c in 1 16 64 256 512 1000; do
        L=$("$LG" rate --socket "$T/plugin.sock" --conns "$c" --duration "$DUR" --pid "$PLUGIN_PID" --label "c$c" "${MIX[@]}")
        t=$(field p50_us "$L")
        flag=""
        [ -n "$prev_c" ] && flag=$(awk -v n0="$prev_c" -v n1="$c" -v t0="$prev_t" -v t1="$t" 'BEGIN {
                g = n1 / n0; h = t1 / t0; printf "x%.1f / x%.1f", h, g; if (h > 1.5 * g && t1 > 200) printf "  SUPER-LINEAR" }')
        printf '  %10s %10s %10s %10s %10s %6s %s\n' "$c" "$(field rps "$L")" "$t" "$(field p99_us "$L")" \
                "$(field p999_us "$L")" "$(field errors "$L")" "$flag"
        prev_c=$c prev_t=$t
done
HWM_ALL=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$PLUGIN_PID/status")
echo "plugin peak RSS (VmHWM) after the curves (1 MiB bodies, 1,000 connections): $HWM_ALL"
hr

# --- 4. end to end ---------------------------------------------------------------------------------
# Private dockerds (own data root, exec root, socket; no bridge, no iptables), each with bb:latest made
# by `docker import` (never a pull): "without" (no AuthZ plugin), "with" (this plugin in its chain) and,
# when bench/nullserver answers /Plugin.Activate, "null" (an AuthZ plugin that allows everything at
# once: what dockerd's AuthZ machinery costs by itself, whatever the plugin).
# a) The docker CLI: each round times `docker create`, `docker ps -a`, `docker inspect` on every daemon,
#    in an order rotated each round, then removes the container (untimed), so that every round sees the
#    same daemon state (a container list that grows makes `ps` slower, and the daemons' GC work
#    differently).  The CLI's own start-up is most of its ~100 ms and moves by tens of ms with machine
#    load, so the overhead is the median of the per-round differences (with - without, timed next to
#    each other) over the median without, with a distribution-free 95% confidence interval; a 6 ms
#    difference of two medians of 30 runs is within the noise on a busy 2-CPU machine.
# b) The daemon side, precisely (needs python3): the same requests the CLI makes (HEAD /_ping, then the
#    call; create with the CLI 20.10.24 body of the compliant fixture, without its binds), replayed on a
#    fresh connection per command, rotated the same way; mean and quartiles per request, dockerd's and
#    the plugin's CPU time per round, and dockerd's Go garbage collections (GODEBUG=gctrace=1): dockerd
#    20.10's AuthZ middleware reads every JSON request body into a new 1 MiB buffer before asking the
#    plugins (pkg/authorization drainBody), so with any AuthZ plugin a create costs dockerd a GC every
#    few requests.
E2E_LINE="skipped" E2E_CI="" E2E_LO="" E2E_HI=""
if [ "${BENCH_E2E:-1}" = 1 ] && [ "$(id -u)" -eq 0 ] && command -v dockerd >/dev/null && command -v busybox >/dev/null; then
        CLI=${BENCH_CLI:-/usr/bin/docker}
        [ -x "$CLI" ] || CLI=$(command -v docker)
        NAME="arandu-authz-bench-$$"
        mkdir -p /etc/docker/plugins
        SPEC=/etc/docker/plugins/$NAME.spec
        echo "unix://$T/plugin.sock" >"$SPEC"
        ARMS=(without with)
        # dockerd refuses an AuthZ plugin whose /Plugin.Activate does not list "authz".
        if command -v curl >/dev/null && curl -s -m 2 --unix-socket "$T/null.sock" -X POST -d '{}' \
                http://plugin/Plugin.Activate 2>/dev/null | grep -q '"authz"'; then
                NULL_SPEC=/etc/docker/plugins/$NAME-null.spec
                echo "unix://$T/null.sock" >"$NULL_SPEC"
                ARMS=(without null with)
        fi
        declare -A DPID
        start_dockerd() {   # start_dockerd TAG [dockerd flags]
                local tag=$1; shift
                mkdir -p "$T/$tag/data" "$T/$tag/exec" "$T/$tag/tmp"
                printf '{"deprecated-key-path": "%s"}\n' "$T/$tag/key.json" >"$T/$tag/daemon.json"
                TMPDIR="$T/$tag/tmp" GODEBUG=gctrace=1 setsid dockerd --config-file "$T/$tag/daemon.json" \
                        --data-root "$T/$tag/data" --exec-root "$T/$tag/exec" --pidfile "$T/$tag/dockerd.pid" \
                        -H "unix://$T/$tag/docker.sock" --bridge=none --iptables=false --ip-forward=false \
                        --ip-masq=false --userland-proxy=false --shutdown-timeout 3 "$@" \
                        </dev/null >"$T/$tag/dockerd.log" 2>&1 &
                DPIDS+=($!)
                DPID[$tag]=$!
        }
        start_dockerd without
        start_dockerd with --authorization-plugin="$NAME"
        if [ -n "$NULL_SPEC" ]; then start_dockerd null --authorization-plugin="$NAME-null"; fi
        R=$T/rootfs
        mkdir -p "$R/bin" "$R/etc" "$R/tmp"
        cp "$(command -v busybox)" "$R/bin/busybox"
        ln -s busybox "$R/bin/sh"; ln -s busybox "$R/bin/id"; ln -s busybox "$R/bin/true"
        tar --numeric-owner -C "$R" -cf "$T/rootfs.tar" .
        ok=1
        for tag in "${ARMS[@]}"; do
                for _ in $(seq 600); do
                        DOCKER_HOST="unix://$T/$tag/docker.sock" "$CLI" version >/dev/null 2>&1 && break
                        sleep 0.1
                done
                DOCKER_HOST="unix://$T/$tag/docker.sock" "$CLI" import "$T/rootfs.tar" bb:latest >/dev/null 2>&1 || ok=0
        done
        if [ "$ok" = 1 ]; then
                export DOCKER_CONFIG=$T/cli-config
                mkdir -p "$DOCKER_CONFIG"
                OK_FLAGS=(--user 1000 --cpus 1 --memory 1g --network none --read-only)
                declare -A TIMES
                now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
                # timed TAG OP CMD...: run the CLI against TAG's dockerd, append the µs it took.
                timed() {
                        local tag=$1 op=$2 t0 t1; shift 2
                        t0=$(now_us)
                        DOCKER_HOST="unix://$T/$tag/docker.sock" "$CLI" "$@" >"$T/out" 2>&1 || { echo "bench: $CLI $* on $tag failed: $(cat "$T/out")"; return 1; }
                        t1=$(now_us)
                        TIMES[$tag,$op]+="$((t1 - t0)) "
                }
                cli() { DOCKER_HOST="unix://$T/$1/docker.sock" "$CLI" "${@:2}"; }
                for tag in "${ARMS[@]}"; do   # warm-up: the first create loads the image, caches, ...
                        id=$(cli "$tag" create "${OK_FLAGS[@]}" bb id)
                        cli "$tag" rm "$id" >/dev/null
                done
                na=${#ARMS[@]}
                for r in $(seq 0 $((E2E_N - 1))); do
                        for k in $(seq 0 $((na - 1))); do
                                tag=${ARMS[(r + k) % na]}
                                timed "$tag" create create "${OK_FLAGS[@]}" bb id
                                id=$(cat "$T/out")
                                timed "$tag" ps ps -a
                                timed "$tag" inspect inspect "$id"
                                cli "$tag" rm "$id" >/dev/null
                        done
                done
                # pstats "A..." "B...": median p25 p75 of A and of B (µs), then the median of the paired
                # differences A_i - B_i and the bounds of its 95% confidence interval (order statistics).
                pstats() {
                        printf '%s\n%s\n' "$1" "$2" | awk '
                                function isort(v, n,   i, j, x) { for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x } }
                                function q(v, n, p,   k, f) { k = (n - 1) * p + 1; f = int(k); return v[f] + (f < n ? (v[f + 1] - v[f]) * (k - f) : 0) }
                                NR == 1 { na = split($0, a, " ") }
                                NR == 2 { nb = split($0, b, " ") }
                                END {
                                        n = na < nb ? na : nb
                                        for (i = 1; i <= n; i++) d[i] = a[i] - b[i]
                                        isort(a, n); isort(b, n); isort(d, n)
                                        k = int((n - 1.959964 * sqrt(n)) / 2); if (k < 1) k = 1
                                        printf "%.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", q(a, n, .5), q(a, n, .25), q(a, n, .75),
                                                q(b, n, .5), q(b, n, .25), q(b, n, .75), q(d, n, .5), d[k], d[n - k + 1]
                                }'
                }
                pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", a * 100 / b }'; }
                ms() { awk -v a="$1" 'BEGIN { printf "%.1f", a / 1000 }'; }
                echo "end to end: $CLI against private dockerds, $E2E_N rounds (daemon order rotated each round, container removed after each round)"
                echo "  overhead = median of the per-round differences over the median without, with its 95% confidence interval; ms are medians [p25, p75]"
                row() { printf '  %-15s %14s %14s %10s %18s %16s %16s\n' "$@"; }
                row command "with plugin ms" "without ms" overhead "95% CI" "with p25-p75" "without p25-p75"
                for op in create ps inspect; do
                        read -r wm w25 w75 om o25 o75 dm dlo dhi < <(pstats "${TIMES[with,$op]}" "${TIMES[without,$op]}")
                        oh=$(pct "$dm" "$om")
                        row "docker $op" "$(ms "$wm")" "$(ms "$om")" "$oh" "[$(pct "$dlo" "$om"), $(pct "$dhi" "$om")]" \
                                "[$(ms "$w25"), $(ms "$w75")]" "[$(ms "$o25"), $(ms "$o75")]"
                        if [ "$na" = 3 ]; then   # the null plugin's figures in the "with" columns
                                read -r nm n25 n75 _ _ _ nd nlo nhi < <(pstats "${TIMES[null,$op]}" "${TIMES[without,$op]}")
                                row "  (null plugin)" "$(ms "$nm")" "" "$(pct "$nd" "$om")" "[$(pct "$nlo" "$om"), $(pct "$nhi" "$om")]" \
                                        "[$(ms "$n25"), $(ms "$n75")]" ""
                        fi
                        if [ "$op" = create ]; then
                                E2E_LINE=$oh E2E_CI="[$(pct "$dlo" "$om"), $(pct "$dhi" "$om")]"
                                E2E_LO=$(pct "$dlo" "$om") E2E_HI=$(pct "$dhi" "$om")
                                CLI_CREATE_US=$om
                        fi
                done
                [ "$na" = 3 ] || echo "  (no null-plugin row: bench/nullserver does not answer /Plugin.Activate with {\"Implements\":[\"authz\"]})"
                if command -v python3 >/dev/null; then
                        arms=()
                        for tag in "${ARMS[@]}"; do
                                case $tag in with) pp=$PLUGIN_PID ;; null) pp=$NULL_PID ;; *) pp=- ;; esac
                                arms+=("$tag=$T/$tag/docker.sock=${DPID[$tag]}=$pp=$T/$tag/dockerd.log")
                        done
                        python3 - "${BENCH_E2E_API_N:-150}" "$COMPLIANT" "$CLI_CREATE_US" "${arms[@]}" <<'PY' || echo "  daemon side: replay failed"
import base64, http.client, json, os, socket, sys, time
n, fixture, cli_us = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
arms = [dict(zip(('tag', 'sock', 'dpid', 'ppid', 'log'), a.split('='))) for a in sys.argv[4:]]
env = json.load(open(fixture))
body = json.loads(base64.b64decode(env['RequestBody']))
body['HostConfig']['Binds'] = None           # the timed CLI create has no binds
BODY = json.dumps(body, separators=(',', ':')).encode()
HDR = {'User-Agent': env['RequestHeaders'].get('User-Agent', 'Docker-Client'), 'Content-Type': 'application/json'}
class Conn(http.client.HTTPConnection):
    def __init__(self, path): super().__init__('localhost'); self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); self.sock.connect(self.path)
def call(c, method, uri, body=None):
    c.request(method, uri, body=body, headers=HDR if body else {'User-Agent': HDR['User-Agent']})
    r = c.getresponse(); d = r.read()
    if r.status >= 300: raise SystemExit(f'  daemon side: {method} {uri}: {r.status} {d[:200]!r}')
    return d
def command(a, method, uri, body=None):   # one CLI command: a new connection, HEAD /_ping, the call
    c = Conn(a['sock']); t0 = time.perf_counter()
    call(c, 'HEAD', '/_ping'); d = call(c, method, uri, body)
    t = (time.perf_counter() - t0) * 1e6; c.close(); return t, d
TCK = os.sysconf('SC_CLK_TCK')
def cpu(pid):
    if pid == '-': return 0.0
    f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split(); return (int(f[11]) + int(f[12])) * 1e6 / TCK
def gcs(a): return sum(1 for l in open(a['log'], errors='replace') if l.startswith('gc '))
R = {(a['tag'], o): [] for a in arms for o in ('create', 'ps', 'inspect')}
for i in range(n + 3):
    if i == 3: s0 = {a['tag']: (cpu(a['dpid']), cpu(a['ppid']), gcs(a)) for a in arms}
    for a in arms[i % len(arms):] + arms[:i % len(arms)]:
        t, d = command(a, 'POST', '/v1.41/containers/create', BODY); cid = json.loads(d)['Id']
        if i >= 3: R[a['tag'], 'create'].append(t)
        t, _ = command(a, 'GET', '/v1.41/containers/json?all=1')
        if i >= 3: R[a['tag'], 'ps'].append(t)
        t, _ = command(a, 'GET', f'/v1.41/containers/{cid}/json')
        if i >= 3: R[a['tag'], 'inspect'].append(t)
        c = Conn(a['sock']); call(c, 'DELETE', f'/v1.41/containers/{cid}'); c.close()
s1 = {a['tag']: (cpu(a['dpid']), cpu(a['ppid']), gcs(a)) for a in arms}
def q(v, p):
    v = sorted(v); k = (len(v) - 1) * p; f = int(k); return v[f] + (v[min(f + 1, len(v) - 1)] - v[f]) * (k - f)
def mean(v): return sum(v) / len(v)
tags = [a['tag'] for a in arms]
print(f'daemon side: the CLI\'s requests replayed over each socket (a new connection, HEAD /_ping, the call), {n} rounds;')
print('  µs per command: mean, median [p25, p75]; extra = mean with (or null) - mean without')
print('  %-24s' % 'command' + ''.join('%32s' % t for t in tags) + '%9s' % 'extra' + ('%9s' % 'null' if 'null' in tags else ''))
names = {'create': 'POST /containers/create', 'ps': 'GET /containers/json', 'inspect': 'GET /containers/ID/json'}
for o in ('create', 'ps', 'inspect'):
    line = '  %-24s' % names[o]
    for t in tags:
        v = R[t, o]; line += '%32s' % f'{mean(v):.0f}, {q(v, .5):.0f} [{q(v, .25):.0f}, {q(v, .75):.0f}]'
    line += '%9s' % f'{mean(R["with", o]) - mean(R["without", o]):+.0f}'
    if 'null' in tags: line += '%9s' % f'{mean(R["null", o]) - mean(R["without", o]):+.0f}'
    print(line)
print('  per round (create, ps, inspect, rm): ' + ';  '.join(
    f'{t}: dockerd {(s1[t][0] - s0[t][0]) / n:.0f} µs CPU' + (f' + plugin {(s1[t][1] - s0[t][1]) / n:.0f}' if t != 'without' else '')
    + f', {(s1[t][2] - s0[t][2]) * 100 / n:.0f} GCs/100' for t in tags))
def ci(x, y):   # mean of the paired differences x_i - y_i (same round) and its 95% half-width, µs
    d = [a - b for a, b in zip(x, y)]; m = mean(d)
    return m, 1.96 * (sum((e - m) ** 2 for e in d) / (len(d) - 1) / len(d)) ** .5
dc, hw = ci(R['with', 'create'], R['without', 'create'])
msg = (f'  docker create, daemon side: {dc / 1000:+.2f} ms (95% CI ±{hw / 1000:.2f}) per create with the plugin'
       f' = {dc * 100 / cli_us:+.1f}% of the CLI\'s {cli_us / 1000:.1f} ms median')
if 'null' in tags:
    dn, _ = ci(R['null', 'create'], R['without', 'create'])
    dp, hp = ci(R['with', 'create'], R['null', 'create'])
    msg += (f';\n  of which a null plugin {dn / 1000:+.2f} ms (dockerd\'s AuthZ machinery, any plugin),'
            f' this plugin over the null one {dp / 1000:+.2f} ms (95% CI ±{hp / 1000:.2f})')
print(msg)
PY
                fi
        else
                echo "end to end: a private dockerd did not come up or import failed; see $T/*/dockerd.log"
        fi
else
        echo "end to end: skipped (needs root, dockerd and busybox; BENCH_E2E=0 skips it)"
fi
hr

# --- summary against the performance targets ------------------------------------------------------------
chk() { if awk "BEGIN { exit !($2) }"; then printf '  %-52s %-22s met\n' "$1" "$3"; else printf '  %-52s %-22s NOT met\n' "$1" "$3"; fi; }
echo "targets"
chk "throughput at 16 conns >= 60% of null" "${R[plugin,16,rps]} >= 0.6 * ${R[null,16,rps]}" \
        "$(ratio "${R[plugin,16,rps]}" "${R[null,16,rps]}")x"
chk "p99 at 16 conns <= 2x null" "${R[plugin,16,p99_us]} <= 2 * ${R[null,16,p99_us]}" \
        "$(ratio "${R[plugin,16,p99_us]}" "${R[null,16,p99_us]}")x"
chk "p50 at 1 conn < 100 µs" "${R[plugin,1,p50_us]} < 100" "${R[plugin,1,p50_us]} µs"
chk "1 MiB create body decided < 5 ms (p50)" "${P50[size,1048575]} < 5000" "${P50[size,1048575]} µs"
hwm_kb=${HWM_MIX%% *}
chk "peak RSS under load (fixture mix) < 16 MiB" "$hwm_kb < 16384" "$HWM_MIX"
chk "start to first decision < 20 ms" "$FIRST_MS < 20" "$FIRST_MS ms"
if [ "$E2E_LINE" = skipped ]; then
        printf '  %-52s %-22s skipped\n' "docker create overhead < 3%" "-"
elif awk "BEGIN { exit !(${E2E_LO%\%} < 3 && ${E2E_HI%\%} >= 3) }"; then
        # The point estimate alone would flip between met and not met from run to run.
        printf '  %-52s %-22s undecided (95%% CI spans 3%%; more rounds: BENCH_E2E_N)\n' \
                "docker create overhead < 3%" "$E2E_LINE $E2E_CI"
else
        chk "docker create overhead < 3%" "${E2E_LINE%\%} < 3" "$E2E_LINE $E2E_CI"
fi
