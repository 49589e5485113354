#!/usr/bin/env bash
# `make bench`: how fast arandu-authz decides, against the floor (bench/nullserver.c) and in dockerd.
#
# Usage: bench/bench.sh BUILD_DIR        (as root for the end-to-end part; the rest runs as anyone)
#
# 1. Start to first decision: fork/exec of `arandu-authz serve` to the first complete AuthZReq answer.
# 2. Load: bench/loadgen (C, raw HTTP/1.1 keep-alive over the unix socket, closed loop) at 1, 16 and 64
#    connections over the real envelope mix of ../shared/fixtures/dockerd-20.10.24 (creates, execs,
#    updates, network/volume calls, reads, AuthZReq and AuthZRes alike), against the plugin (with its
#    audit log on, as deployed) and against the null server, with ratios.  `start` envelopes are left
#    out: a passed start makes the plugin ask dockerd for its view (recheck), a round trip to a dockerd
#    the load generator does not have.
# 3. Cost curves at one connection: envelope size (1 KiB to the 1 MiB dockerd 20.10 forwards), number of
#    binds, of mounts, of Env entries, and concurrent connections (up to 1,000); each step's growth is
#    compared with the input's growth and a super-linear step is flagged.
# 4. End to end: two private dockerds (own data root, exec root, socket; no bridge, no iptables), one
#    with the plugin in its chain and one without, built image bb:latest by `docker import` (never a
#    pull); `docker create`, `docker ps`, `docker inspect` timed alternately on each; overhead of medians.
#
# Environment: BENCH_DURATION (seconds per load point, default 3), BENCH_E2E_N (iterations per docker
# command, default 30), BENCH_E2E=0 skips the end-to-end part, BENCH_FIXTURES (envelope dir).
# Exit status 0 when everything ran (targets missed are reported, not failed), 1 on a setup error.
set -euo pipefail

B=${1:?usage: bench.sh BUILD_DIR}
BIN=$(realpath "$B/arandu-authz")
LG=$(realpath "$B/bench/loadgen")
NS=$(realpath "$B/bench/nullserver")
SY=$(realpath "$B/bench/synth")
HERE=$(cd "$(dirname "$0")/.." && pwd)
FIX=${BENCH_FIXTURES:-$HERE/../shared/fixtures/dockerd-20.10.24}
DUR=${BENCH_DURATION:-3}
E2E_N=${BENCH_E2E_N:-30}
[ -d "$FIX" ] || { echo "bench: no fixtures at $FIX (set BENCH_FIXTURES)"; exit 1; }

T=$(mktemp -d /tmp/arandu-bench.XXXXXX)
PLUGIN_PID="" NULL_PID="" DPIDS=() SPEC=""
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
echo "mix: ${#MIX[@]} envelopes from $FIX (start left out), ${DUR}s per point after 0.5s warm-up"
hr

# --- 1. start to first decision --------------------------------------------------------------------
L=$("$LG" --socket "$T/first.sock" --first-decision "$COMPLIANT" --runs 7 --label plugin -- \
        "$BIN" serve --socket "$T/first.sock" --audit-log "$T/first-audit.log")
FIRST_MS=$(field first_decision_ms "$L")
L=$("$LG" --socket "$T/first-null.sock" --first-decision "$COMPLIANT" --runs 7 --label null -- \
        "$NS" --socket "$T/first-null.sock")
printf 'start to first decision (median of 7): plugin %s ms, null server %s ms\n' "$FIRST_MS" "$(field first_decision_ms "$L")"
hr

# --- 2. load over the fixture mix ------------------------------------------------------------------
"$BIN" serve --socket "$T/plugin.sock" --audit-log "$T/audit.log" </dev/null >"$T/plugin.log" 2>&1 &
PLUGIN_PID=$!
"$NS" --socket "$T/null.sock" </dev/null >"$T/null.log" 2>&1 &
NULL_PID=$!
for _ in $(seq 100); do [ -S "$T/plugin.sock" ] && [ -S "$T/null.sock" ] && break; sleep 0.05; done

printf '%-6s %-7s %10s %9s %9s %10s %9s %9s %6s\n' conns server "decisions/s" "p50 µs" "p99 µs" "p99.9 µs" "CPU µs/d" "HWM KiB" errors
declare -A R
for c in 1 16 64; do
        for s in plugin null; do
                if [ "$s" = plugin ]; then sock=$T/plugin.sock pid=$PLUGIN_PID; else sock=$T/null.sock pid=$NULL_PID; fi
                L=$("$LG" --socket "$sock" --conns "$c" --duration "$DUR" --pid "$pid" --label "$s" "${MIX[@]}")
                for k in rps p50_us p99_us p999_us cpu_us hwm_kb errors; do R[$s,$c,$k]=$(field $k "$L"); done
                printf '%-6s %-7s %10s %9s %9s %10s %9s %9s %6s\n' "$c" "$s" "${R[$s,$c,rps]}" "${R[$s,$c,p50_us]}" \
                        "${R[$s,$c,p99_us]}" "${R[$s,$c,p999_us]}" "${R[$s,$c,cpu_us]}" "${R[$s,$c,hwm_kb]}" "${R[$s,$c,errors]}"
        done
        printf '%-6s %-7s %10s %9s %9s %10s %9s\n' "$c" "ratio" "$(ratio "${R[plugin,$c,rps]}" "${R[null,$c,rps]}")" \
                "$(ratio "${R[plugin,$c,p50_us]}" "${R[null,$c,p50_us]}")" "$(ratio "${R[plugin,$c,p99_us]}" "${R[null,$c,p99_us]}")" \
                "$(ratio "${R[plugin,$c,p999_us]}" "${R[null,$c,p999_us]}")" "$(ratio "${R[plugin,$c,cpu_us]}" "${R[null,$c,cpu_us]}")"
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
                L=$("$LG" --socket "$T/plugin.sock" --conns 1 --duration "$CURVE_DUR" --warmup 0.2 \
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
        L=$("$LG" --socket "$T/plugin.sock" --conns "$c" --duration "$DUR" --pid "$PLUGIN_PID" --label "c$c" "${MIX[@]}")
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
E2E_LINE="skipped"
if [ "${BENCH_E2E:-1}" = 1 ] && [ "$(id -u)" -eq 0 ] && command -v dockerd >/dev/null && command -v busybox >/dev/null; then
        CLI=/usr/bin/docker
        [ -x "$CLI" ] || CLI=$(command -v docker)
        NAME="arandu-authz-bench-$$"
        mkdir -p /etc/docker/plugins
        SPEC=/etc/docker/plugins/$NAME.spec
        echo "unix://$T/plugin.sock" >"$SPEC"
        start_dockerd() {   # start_dockerd TAG [dockerd flags]
                local tag=$1; shift
                mkdir -p "$T/$tag/data" "$T/$tag/exec" "$T/$tag/tmp"
                printf '{"deprecated-key-path": "%s"}\n' "$T/$tag/key.json" >"$T/$tag/daemon.json"
                TMPDIR="$T/$tag/tmp" setsid dockerd --config-file "$T/$tag/daemon.json" \
                        --data-root "$T/$tag/data" --exec-root "$T/$tag/exec" --pidfile "$T/$tag/dockerd.pid" \
                        -H "unix://$T/$tag/docker.sock" --bridge=none --iptables=false --ip-forward=false \
                        --ip-masq=false --userland-proxy=false --shutdown-timeout 3 "$@" \
                        </dev/null >"$T/$tag/dockerd.log" 2>&1 &
                DPIDS+=($!)
        }
        start_dockerd with --authorization-plugin="$NAME"
        start_dockerd without
        R=$T/rootfs
        mkdir -p "$R/bin" "$R/etc" "$R/tmp"
        cp "$(command -v busybox)" "$R/bin/busybox"
        ln -s busybox "$R/bin/sh"; ln -s busybox "$R/bin/id"; ln -s busybox "$R/bin/true"
        tar --numeric-owner -C "$R" -cf "$T/rootfs.tar" .
        ok=1
        for tag in with without; do
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
                for tag in with without; do   # warm-up: first create loads the image, caches, ...
                        DOCKER_HOST="unix://$T/$tag/docker.sock" "$CLI" create "${OK_FLAGS[@]}" bb id >/dev/null
                done
                for _ in $(seq "$E2E_N"); do
                        for tag in with without; do
                                timed "$tag" create create "${OK_FLAGS[@]}" bb id
                                id=$(cat "$T/out")
                                timed "$tag" ps ps -a
                                timed "$tag" inspect inspect "$id"
                        done
                done
                median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
                echo "end to end: $CLI against private dockerds, median of $E2E_N alternating runs"
                printf '  %-8s %14s %14s %10s\n' command "with plugin ms" "without ms" overhead
                for op in create ps inspect; do
                        w=$(printf '%s' "${TIMES[with,$op]}" | median)
                        wo=$(printf '%s' "${TIMES[without,$op]}" | median)
                        oh=$(awk -v a="$w" -v b="$wo" 'BEGIN { printf "%+.1f%%", (a - b) * 100 / b }')
                        printf '  %-8s %14.1f %14.1f %10s\n' "docker $op" "$(awk -v a="$w" 'BEGIN{print a/1000}')" \
                                "$(awk -v a="$wo" 'BEGIN{print a/1000}')" "$oh"
                        [ "$op" = create ] && E2E_LINE=$oh
                done
        else
                echo "end to end: a private dockerd did not come up or import failed; see $T/*/dockerd.log"
        fi
else
        echo "end to end: skipped (needs root, dockerd and busybox; BENCH_E2E=0 skips it)"
fi
hr

# --- summary against the targets of issue 5 ---------------------------------------------------------
chk() { if awk "BEGIN { exit !($2) }"; then printf '  %-52s %-22s met\n' "$1" "$3"; else printf '  %-52s %-22s NOT met\n' "$1" "$3"; fi; }
echo "targets (issue 5)"
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
else
        chk "docker create overhead < 3%" "${E2E_LINE%\%} < 3" "$E2E_LINE"
fi
