#!/usr/bin/env bash
# End-to-end smoke test of arandu-authz against a real, private dockerd.
#
# Usage: tests/e2e/smoke.sh BINARY        (as root; Debian's docker.io and busybox-static installed)
#
# Starts the plugin (BINARY serve) on a socket in a private temp dir, registers it under a unique name
# in /etc/docker/plugins/NAME.spec, starts a private dockerd (own data root, exec root, socket, pidfile,
# no bridge, no iptables) with --authorization-plugin=NAME, builds the image bb:latest from
# /bin/busybox with `docker import` (never a registry pull), and drives it with the engine's own CLI
# and /usr/local/bin/docker when present (override with E2E_DOCKER_CLIS="cli1 cli2").
# E2E_ENGINE=DIR runs it against an unpacked engine instead of the system's (tests/engines/engine.sh).
# Prints one "ok N - ..." / "not ok N - ..." line per check, and ends with exactly "N passed, M failed".
# Exit status: 0 when every check passed (and at least one ran), else 1.
# Whatever happens (failure, error, Ctrl-C, SIGTERM), the EXIT trap stops dockerd, its containerd and
# shims, and the plugin, unmounts everything under the temp dir, removes the spec file and the temp dir,
# and checks that nothing was left behind.
# E2E_KEEP=1 keeps the temp dir (logs, audit log) for a post-mortem; processes, mounts and the spec file
# are removed all the same.
# shellcheck disable=SC2002,SC2317
# (SC2002: `cat FILE 2>/dev/null |` keeps the shell quiet when a /proc entry vanishes;
#  SC2317: functions run from traps.)
set -euo pipefail

PASS=0
FAIL=0
FINISHED=0
ABORT=""
SIGNALLED=""
DENIALS=0               # requests this run expects the plugin to deny (and to log as deny)

ok()    { PASS=$((PASS + 1)); echo "ok $((PASS + FAIL)) - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok $((PASS + FAIL)) - $*"; }
diag()  { printf '%s\n' "$@" | sed -e 's/^/#   /'; }
note()  { echo "# $*"; }
# gq ARGS: grep quietly, reading all its input (grep -q may exit early and, under pipefail, make the
# command feeding it fail with SIGPIPE).
gq()    { grep "$@" >/dev/null; }
# bail MESSAGE: a setup step failed; nothing after it can run.
bail()  { notok "$*"; ABORT="$*"; exit 1; }

usage_fail() {
        echo "Bail out! $*"
        echo "0 passed, 1 failed"
        exit 1
}

[ $# -eq 1 ] || usage_fail "usage: $0 BINARY"
[ -x "$1" ] || usage_fail "$1 is not an executable file (run make first)"
BIN=$(realpath "$1")
[ "$(id -u)" -eq 0 ] || usage_fail "must run as root (it starts a private dockerd)"
for tool in curl busybox tar timeout setsid realpath; do
        command -v "$tool" >/dev/null 2>&1 || usage_fail "$tool not found (make deps installs curl, busybox-static)"
done
# shellcheck source=tests/engines/engine.sh
. "$(dirname "$0")/../engines/engine.sh"
why=$(engine_usable) || usage_fail "$why"
BUSYBOX=$(command -v busybox)

CLI=${CLIS[0]}          # the one used for the lifecycle, fail-closed and audit checks

# Nothing from the caller's environment may change the policy or where the CLI connects.
unset DOCKER_USER DOCKER_USER_UID DOCKER_CPU_LIMIT DOCKER_MEMORY_LIMIT DOCKER_NETWORK_MODE \
      DOCKER_READONLY_ROOTFS DOCKER_ALLOWLIST_DOMAINS DOCKER_REPOS_DIR DOCKER_ARTIFACTS_DIR \
      DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION DOCKER_DEFAULT_PLATFORM \
      DOCKER_CONTENT_TRUST DOCKER_BUILDKIT

# --- process helpers --------------------------------------------------------------------------------

# ours_t: T is set and is one of our temp dirs (every sweep below is scoped to it: never the host's).
ours_t() { case "${T:-}" in /tmp/arandu-e2e.?*) return 0 ;; *) return 1 ;; esac; }

# alive PID: the process exists and is not a zombie.
alive() {
        local pid=$1 st
        [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
        st=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
        [ -n "$st" ] && [ "$st" != Z ]
}

# wait_gone PID SECONDS: wait until PID is gone; 0 if it went.
wait_gone() {
        local pid=$1 n=$(($2 * 10))
        while [ "$n" -gt 0 ]; do
                alive "$pid" || return 0
                sleep 0.1
                n=$((n - 1))
        done
        ! alive "$pid"
}

# stop_pid PID SECONDS: SIGTERM, wait, then SIGKILL.
stop_pid() {
        local pid=$1 secs=$2
        alive "$pid" || return 0
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" "$secs"; then
                echo "# pid $pid did not stop within ${secs}s of SIGTERM: SIGKILL" >&2
                kill -KILL "$pid" 2>/dev/null || true
                wait_gone "$pid" 5 || true
        fi
}

# Processes whose command line mentions the temp dir: dockerd, its containerd, the shims, the plugin.
our_pids() {
        local d cmd
        ours_t || return 0
        for d in /proc/[0-9]*; do
                [ "${d#/proc/}" = "$$" ] && continue
                cmd=$(cat "$d/cmdline" 2>/dev/null | tr '\0' ' ') || continue
                case "$cmd" in *"$T/"* | *"$T "*) alive "${d#/proc/}" && echo "${d#/proc/}" ;; esac
        done
        return 0
}

# Mount points at or under the temp dir, deepest first.
our_mounts() {
        ours_t || return 0
        awk -v t="$T" '$5 == t || index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r -u
}

# --- teardown ----------------------------------------------------------------------------------------

teardown() {
        local pid n m id cg
        ours_t || return 0
        # 1. dockerd (it stops its containers within --shutdown-timeout, then its containerd).
        pid=""
        [ -s "$DPID_FILE" ] && pid=$(cat "$DPID_FILE" 2>/dev/null)
        [ -n "$pid" ] || pid=$DOCKERD_PID
        if [ -n "$pid" ] && alive "$pid" && cat "/proc/$pid/cmdline" 2>/dev/null | tr '\0' ' ' | gq -F -- "$T/"; then
                stop_pid "$pid" 60
        fi
        [ -n "$DOCKERD_PID" ] && { stop_pid "$DOCKERD_PID" 10; wait "$DOCKERD_PID" 2>/dev/null || true; }
        # 2. the plugin.
        [ -n "$PLUGIN_PID" ] && { stop_pid "$PLUGIN_PID" 10; wait "$PLUGIN_PID" 2>/dev/null || true; }
        # 3. anything else of ours still running (containerd, shims after a dockerd SIGKILL).
        for n in 1 2; do
                for pid in $(our_pids); do
                        echo "# leftover process $pid: $(cat "/proc/$pid/cmdline" 2>/dev/null | tr '\0' ' ' | cut -c1-160)" >&2
                        if [ "$n" -eq 1 ]; then stop_pid "$pid" 10; else kill -KILL "$pid" 2>/dev/null || true; fi
                done
        done
        # Container processes outlive a SIGKILLed shim: kill what is left in their cgroups.
        if [ -d "$DATA/containers" ]; then
                for id in "$DATA"/containers/*; do
                        id=${id##*/}
                        for cg in /sys/fs/cgroup/*/docker/"$id" /sys/fs/cgroup/docker/"$id"; do
                                [ -d "$cg" ] || continue
                                while read -r pid; do
                                        echo "# leftover container process $pid" >&2
                                        kill -KILL "$pid" 2>/dev/null || true
                                done < <(cat "$cg/cgroup.procs" 2>/dev/null)
                                rmdir "$cg" 2>/dev/null || true
                        done
                done
        fi
        # 4. mounts under the temp dir (overlay, netns, shm, the graph driver's private bind).
        for n in 1 2 3 4 5; do
                m=$(our_mounts)
                [ -n "$m" ] || break
                while read -r mp; do
                        umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || true
                done <<<"$m"
        done
        # 5. the spec file (not /etc/docker/plugins: concurrent runs may be using it).
        if [ "$SPEC_WRITTEN" -eq 1 ]; then rm -f "$SPEC"; fi
        # 6. the temp dir (never across a mount that would not go away).
        if [ "${E2E_KEEP:-0}" = 1 ]; then
                echo "# E2E_KEEP=1: kept $T" >&2
        else
                rm -rf --one-file-system "$T" 2>/dev/null || true
        fi
}

verify_teardown() {
        local left=() p m
        p=$(our_pids)
        [ -z "$p" ] || left+=("processes: ${p//$'\n'/ }")
        m=$(our_mounts)
        [ -z "$m" ] || left+=("mounts: ${m//$'\n'/ }")
        [ ! -e "$SPEC" ] || left+=("spec file $SPEC")
        if [ "${E2E_KEEP:-0}" != 1 ] && [ -e "$T" ]; then left+=("temp dir $T"); fi
        if [ "${#left[@]}" -eq 0 ]; then
                ok "teardown left no process, mount, spec file or temp dir behind"
        else
                notok "teardown left things behind"
                diag "${left[@]}"
        fi
}

finish() {
        local rc=$?
        set +e
        trap '' INT TERM HUP    # a second Ctrl-C must not interrupt the cleanup
        trap - EXIT
        if [ -n "$RUN_PID" ]; then stop_pid "$RUN_PID" 5; wait "$RUN_PID" 2>/dev/null; fi
        if [ "$FINISHED" -ne 1 ]; then
                if [ -n "$SIGNALLED" ]; then
                        notok "interrupted by $SIGNALLED"
                        echo "Bail out! interrupted by $SIGNALLED"
                elif [ -n "$ABORT" ]; then
                        echo "Bail out! $ABORT"
                else
                        notok "harness stopped early (exit status $rc, line ${ERR_LINE:-?})"
                fi
                for f in plugin.log dockerd.log; do
                        if [ -s "$T/$f" ]; then
                                echo "# last lines of $f:"
                                tail -n 15 "$T/$f" | sed -e 's/^/#   /'
                        fi
                done
        fi
        teardown
        verify_teardown
        echo "$PASS passed, $FAIL failed"
        if [ "$FAIL" -gt 0 ] || [ "$PASS" -eq 0 ]; then exit 1; fi
        exit 0
}
# --- the run's private state; from here on the EXIT trap cleans up ------------------------------------

# Unix socket paths must stay short (108 bytes): a short temp dir under /tmp.
T=$(mktemp -d /tmp/arandu-e2e.XXXXXX)
NAME="arandu-authz-e2e-$$"
SPEC_DIR=/etc/docker/plugins
SPEC="$SPEC_DIR/$NAME.spec"
PSOCK="$T/plugin.sock"
DSOCK="$T/docker.sock"
DATA="$T/data"
EXEC="$T/exec"
DPID_FILE="$T/dockerd.pid"
AUDIT="$T/audit.log"
REPOS="$T/repos"
ARTS="$T/artifacts"
PLUGIN_PID=""
DOCKERD_PID=""
RUN_PID=""
SPEC_WRITTEN=0

export DOCKER_HOST="unix://$DSOCK"      # the CLIs and the plugin (for its own look-ups) use our dockerd
export DOCKER_CONFIG="$T/cli-config"     # no user CLI config, contexts or credentials

trap finish EXIT
trap 'ERR_LINE=$LINENO' ERR
trap 'SIGNALLED=SIGINT; exit 130' INT
trap 'SIGNALLED=SIGTERM; exit 143' TERM
trap 'SIGNALLED=SIGHUP; exit 129' HUP
mkdir -p "$DOCKER_CONFIG"

# --- command helpers ---------------------------------------------------------------------------------

# run CMD...: run with a bound, capture stdout in OUT, stderr in ERR, status in RC.
# The command runs in the background and is waited for, so that a signal to this script (Ctrl-C,
# SIGTERM) runs the trap at once instead of after the command; finish() then stops the command.
run() {
        RC=0
        timeout "${RUN_TIMEOUT:-120}" "$@" >"$T/out" 2>"$T/err" </dev/null &
        RUN_PID=$!
        wait "$RUN_PID" || RC=$?
        RUN_PID=""
        OUT=$(cat "$T/out")
        ERR=$(cat "$T/err")
}

show() { diag "exit status: $RC" "stdout: $(printf '%s' "$OUT" | head -c 600)" "stderr: $(printf '%s' "$ERR" | head -c 900)"; }

# expect_ok DESC: the last run succeeded.
expect_ok() {
        if [ "$RC" -eq 0 ]; then ok "$1"; else notok "$1"; show; fi
}

# The rule ids of our Msg, comma-separated: "authorization denied by plugin NAME: rule1: text1; rule2:
# text2" names each rule at the start of its own text.
denied_rules() {
        printf '%s\n' "$ERR" | sed -n -e "s/.*authorization denied by plugin $NAME: //p" | sed -n 1p |
                sed -e 's/; /\n/g' | sed -n -e 's/^\([a-z][a-z0-9-]*\): .*/\1/p' | sort -u | paste -sd, -
}

# expect_denied DESC [RULE...]: the last run failed with our plugin's denial naming every RULE.
expect_denied() {
        local desc=$1 rules missing=() r
        shift
        DENIALS=$((DENIALS + 1))
        if [ "$RC" -eq 0 ]; then
                notok "$desc (it was allowed)"
                show
                return
        fi
        if ! printf '%s' "$ERR" | gq -F "authorization denied by plugin $NAME"; then
                notok "$desc (failed, but not with the plugin's denial)"
                show
                return
        fi
        rules=$(denied_rules)
        for r in "$@"; do
                case ",$rules," in *",$r,"*) ;; *) missing+=("$r") ;; esac
        done
        if [ "${#missing[@]}" -eq 0 ]; then
                ok "$desc"
        else
                notok "$desc (rule ids \"$rules\" do not name: ${missing[*]})"
                show
        fi
}

# expect_eq DESC GOT WANT
expect_eq() {
        if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; diag "got:  $2" "want: $3"; fi
}

# container_count CLI: how many containers exist (any state).
container_count() {
        run "$1" ps -aq
        if [ "$RC" -ne 0 ]; then echo "?"; else printf '%s\n' "$OUT" | grep -c . || true; fi
}

# --- the plugin -----------------------------------------------------------------------------------------

start_plugin() {
        local n
        rm -f "$PSOCK"
        DOCKER_REPOS_DIR="$REPOS" DOCKER_ARTIFACTS_DIR="$ARTS" \
                setsid "$BIN" serve --socket "$PSOCK" --audit-log "$AUDIT" </dev/null >>"$T/plugin.log" 2>&1 &
        PLUGIN_PID=$!
        for ((n = 0; n < 150; n++)); do
                [ -S "$PSOCK" ] && return 0
                alive "$PLUGIN_PID" || return 1
                sleep 0.1
        done
        return 1
}

# --- setup ---------------------------------------------------------------------------------------------

note "temp dir $T, plugin name $NAME, dockerd $DOCKERD, CLIs: ${CLIS[*]}"
mkdir -p "$REPOS/demo" "$ARTS/demo" "$DATA" "$EXEC"
echo "hello from the repository" >"$REPOS/demo/README"
chown 1000:1000 "$ARTS/demo"            # the container's user writes its artifacts here
# Not /etc/docker/daemon.json (nothing of the host's config), and not /etc/docker/key.json either.
printf '{"deprecated-key-path": "%s"}\n' "$T/key.json" >"$T/daemon.json"

if start_plugin; then
        ok "plugin serves on its socket"
else
        bail "plugin did not create its socket $PSOCK within 15 s"
fi
mode=$(stat -c %a "$PSOCK")
expect_eq "plugin socket mode is 0600" "$mode" "600"
run curl -sS --max-time 10 --unix-socket "$PSOCK" -X POST -H 'Content-Type: application/json' -d '{}' \
        http://plugin/Plugin.Activate
if [ "$RC" -eq 0 ] && printf '%s' "$OUT" | tr -d ' \n' | gq -F '"Implements":["authz"]'; then
        ok "Plugin.Activate answers Implements [\"authz\"]"
else
        notok "Plugin.Activate answers Implements [\"authz\"]"
        show
fi

mkdir -p "$SPEC_DIR"
SPEC_WRITTEN=1
echo "unix://$PSOCK" >"$SPEC"

# TMPDIR: containerd writes stack dumps and such to the temp dir, keep them in ours.
mkdir -p "$T/tmp"
TMPDIR="$T/tmp" setsid "$DOCKERD" \
        --config-file "$T/daemon.json" \
        --data-root "$DATA" --exec-root "$EXEC" --pidfile "$DPID_FILE" -H "unix://$DSOCK" \
        --authorization-plugin="$NAME" \
        --bridge=none --iptables=false --ip-forward=false --ip-masq=false --userland-proxy=false \
        --shutdown-timeout 3 \
        </dev/null >"$T/dockerd.log" 2>&1 &
DOCKERD_PID=$!
code=000
deadline=$((SECONDS + 60))
while [ "$SECONDS" -lt "$deadline" ]; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 --unix-socket "$DSOCK" http://docker/_ping 2>/dev/null) || true
        [ "$code" = 000 ] || break
        alive "$DOCKERD_PID" || break
        sleep 0.1
done
[ "$code" != 000 ] || bail "private dockerd did not answer /_ping within 60 s (see dockerd.log)"
[ "$code" = 200 ] || bail "private dockerd answers /_ping with HTTP $code, not 200 (see dockerd.log)"
ok "private dockerd is up with --authorization-plugin=$NAME"

run "$CLI" info --format '{{json .Plugins.Authorization}}'
if [ "$RC" -eq 0 ] && printf '%s' "$OUT" | gq -F "\"$NAME\""; then
        ok "docker info lists $NAME as the authorization plugin"
else
        notok "docker info lists $NAME as the authorization plugin"
        show
fi

# The image: busybox-static and its applet links, imported (never pulled).
R="$T/rootfs"
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/root"
cp "$BUSYBOX" "$R/bin/busybox"
for a in $("$BUSYBOX" --list); do
        case "$a" in busybox | */*) ;; *) ln -sf busybox "$R/bin/$a" ;; esac
done
printf 'root:x:0:0:root:/root:/bin/sh\narandu-user:x:1000:1000::/tmp:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\narandu-user:x:1000:\n' >"$R/etc/group"
tar --numeric-owner -C "$R" -cf "$T/rootfs.tar" .
run "$CLI" import "$T/rootfs.tar" bb:latest
if [ "$RC" -ne 0 ]; then
        show
        bail "docker import bb:latest was not allowed or failed"
fi
ok "docker import bb:latest is allowed"

# --- checks --------------------------------------------------------------------------------------------

OK_FLAGS=(--user 1000 --cpus 1 --memory 1g --network none --read-only --pids-limit 512 --security-opt no-new-privileges
        -v "$REPOS/demo:/workspace:ro" -v "$ARTS/demo:/artifacts")
# Same but without the network flag, for the network checks.
OK_NONET=(--user 1000 --cpus 1 --memory 1g --read-only --pids-limit 512 --security-opt no-new-privileges
        -v "$REPOS/demo:/workspace:ro" -v "$ARTS/demo:/artifacts")

for cli in "${CLIS[@]}"; do
        v=$(timeout 10 "$cli" --version 2>/dev/null | sed -n -e 's/^Docker version \([^, ]*\).*/\1/p' || true)
        [ -n "$v" ] || v=$(basename "$(dirname "$cli")")
        tag="cli $v"
        f="from-${v//[^0-9A-Za-z.]/_}.txt"

        run "$cli" run --rm --pull never "${OK_FLAGS[@]}" bb id -u
        if [ "$RC" -eq 0 ] && [ "$OUT" = 1000 ]; then
                ok "$tag: compliant docker run works and runs as uid 1000"
        else
                notok "$tag: compliant docker run works and runs as uid 1000"
                show
        fi

        run "$cli" run --rm --pull never "${OK_FLAGS[@]}" bb sh -c "echo written-by-$v > /artifacts/$f"
        if [ "$RC" -eq 0 ] && [ "$(cat "$ARTS/demo/$f" 2>/dev/null)" = "written-by-$v" ] &&
                [ "$(stat -c %u "$ARTS/demo/$f")" = 1000 ]; then
                ok "$tag: a file written to /artifacts appears on the host, owned by uid 1000"
        else
                notok "$tag: a file written to /artifacts appears on the host, owned by uid 1000"
                show
        fi

        run "$cli" run --rm --pull never "${OK_FLAGS[@]}" bb sh -c \
                'cat /workspace/README; touch /workspace/x 2>/dev/null && echo workspace-writable; touch /x 2>/dev/null && echo rootfs-writable; true'
        if [ "$RC" -eq 0 ] && [ "$OUT" = "hello from the repository" ]; then
                ok "$tag: /workspace is readable and read-only, the root filesystem is read-only"
        else
                notok "$tag: /workspace is readable and read-only, the root filesystem is read-only"
                show
        fi

        before=$(container_count "$cli")

        run "$cli" run --rm --pull never --privileged "${OK_FLAGS[@]}" bb id
        expect_denied "$tag: docker run --privileged (otherwise compliant) is denied naming privileged" privileged

        run "$cli" run --rm --pull never bb id
        expect_denied "$tag: plain docker run is denied naming user, cpu, memory, pids, network, rootfs, privileges" \
                user cpu memory pids network rootfs privileges

        run "$cli" run --rm --pull never "${OK_FLAGS[@]}" -v /:/host bb id
        expect_denied "$tag: -v /:/host is denied naming mounts" mounts

        run "$cli" run --rm --pull never --network host "${OK_NONET[@]}" bb id
        expect_denied "$tag: --network host is denied naming network" network

        run "$cli" run --rm --pull never --cap-add SYS_ADMIN "${OK_FLAGS[@]}" bb id
        expect_denied "$tag: --cap-add SYS_ADMIN is denied naming privileges" privileges

        after=$(container_count "$cli")
        expect_eq "$tag: denied requests created no container" "$after" "$before"
done

# Raw HTTP: the plugin sees what dockerd acts on, whatever the framing of the body.
# post_create BODYFILE [CURL ARGS...]: POST /containers/create, status in OUT, response body in $T/body.
post_create() {
        local body=$1
        shift
        run curl -sS -o "$T/body" -w '%{http_code}' --unix-socket "$DSOCK" -X POST \
                -H 'Content-Type: application/json' "$@" --data-binary @"$body" \
                http://docker/v1.41/containers/create
}
# expect_http_denied DESC: the last post_create got 403 from our plugin.
expect_http_denied() {
        DENIALS=$((DENIALS + 1))
        if [ "$RC" -eq 0 ] && [ "$OUT" = 403 ] && gq -F "authorization denied by plugin $NAME" "$T/body"; then
                ok "$1"
        else
                notok "$1"
                show
                diag "body: $(head -c 400 "$T/body" 2>/dev/null)"
        fi
}
cat >"$T/ok.json" <<JSON
{"Image":"bb","Cmd":["id","-u"],"User":"1000","NetworkDisabled":false,
 "HostConfig":{"NanoCpus":1000000000,"Memory":1073741824,"NetworkMode":"none","ReadonlyRootfs":true,"PidsLimit":512,"SecurityOpt":["no-new-privileges"],
  "Binds":["$REPOS/demo:/workspace:ro","$ARTS/demo:/artifacts"]}}
JSON
cat >"$T/priv.json" <<JSON
{"Image":"bb","Cmd":["id","-u"],"User":"1000",
 "HostConfig":{"NanoCpus":1000000000,"Memory":1073741824,"NetworkMode":"none","ReadonlyRootfs":true,"PidsLimit":512,"SecurityOpt":["no-new-privileges"],
  "Privileged":true}}
JSON
# Over 1 MiB: dockerd does not forward such a body to the plugin, but still acts on it.
{
        printf '{"Image":"bb","Cmd":["id"],"User":"1000","Labels":{"pad":"'
        head -c 1100000 /dev/zero | tr '\0' 'x'
        printf '"},"HostConfig":{"NanoCpus":1000000000,"Memory":1073741824,"NetworkMode":"none","ReadonlyRootfs":true,"PidsLimit":512,"SecurityOpt":["no-new-privileges"],"Privileged":true}}'
} >"$T/big.json"
before=$(container_count "$CLI")
post_create "$T/ok.json"
if [ "$RC" -eq 0 ] && [ "$OUT" = 201 ]; then
        ok "raw HTTP: a compliant POST /containers/create is allowed (201)"
        id=$(sed -n -e 's/.*"Id":"\([0-9a-f]*\)".*/\1/p' "$T/body")
        run curl -sS -o /dev/null -w '%{http_code}' --unix-socket "$DSOCK" -X DELETE "http://docker/v1.41/containers/$id?force=1"
        [ "$OUT" = 204 ] || { notok "raw HTTP: DELETE /containers/$id"; show; }
else
        notok "raw HTTP: a compliant POST /containers/create is allowed (201)"
        show
        diag "body: $(head -c 400 "$T/body" 2>/dev/null)"
fi
post_create "$T/priv.json"
expect_http_denied "raw HTTP: a privileged create is denied (403)"
post_create "$T/priv.json" -H 'Transfer-Encoding: chunked'
expect_http_denied "raw HTTP: a privileged create with a chunked body is denied (403)"
post_create "$T/big.json"
expect_http_denied "raw HTTP: a privileged create with a body over 1 MiB is denied (403)"
after=$(container_count "$CLI")
expect_eq "raw HTTP: the denied creates created no container" "$after" "$before"

# Ordinary docker use keeps working (one CLI).
C=e2e-long
run "$CLI" create --pull never --name "$C" "${OK_FLAGS[@]}" bb sh -c 'echo e2e-hello; exec sleep 300'
expect_ok "docker create of a compliant long-running container is allowed"
run "$CLI" start "$C"
expect_ok "docker start is allowed"
run "$CLI" ps --format '{{.Names}}'
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | gq -x "$C"; then ok "docker ps lists the running container"; else notok "docker ps lists the running container"; show; fi

run "$CLI" inspect --format '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.NetworkMode}} {{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.Privileged}}' "$C"
if [ "$RC" -eq 0 ]; then
        expect_eq "docker inspect: the container has the hardened settings" "$OUT" "1000 true none 1000000000 1073741824 false"
else
        notok "docker inspect is allowed"
        show
fi

for ((n = 0; n < 50; n++)); do
        run "$CLI" logs "$C"
        [ "$RC" -eq 0 ] && [ "$OUT" = e2e-hello ] && break
        sleep 0.1
done
if [ "$RC" -eq 0 ] && [ "$OUT" = e2e-hello ]; then ok "docker logs shows the container's output"; else notok "docker logs shows the container's output"; show; fi

run "$CLI" exec "$C" id -u
if [ "$RC" -eq 0 ] && [ "$OUT" = 1000 ]; then ok "docker exec (container's user) is allowed and runs as uid 1000"; else notok "docker exec (container's user) is allowed and runs as uid 1000"; show; fi

run "$CLI" exec -u root "$C" id -u
expect_denied "docker exec -u root is denied naming user" user

run "$CLI" exec --privileged "$C" id -u
expect_denied "docker exec --privileged is denied naming privileged" privileged

run "$CLI" top "$C"
if [ "$RC" -eq 0 ] && printf '%s' "$OUT" | gq sleep; then ok "docker top is allowed"; else notok "docker top is allowed"; show; fi

run "$CLI" update --memory 512m "$C"
expect_ok "docker update --memory 512m is allowed"
run "$CLI" inspect --format '{{.HostConfig.Memory}}' "$C"
expect_eq "docker update --memory 512m took effect" "$OUT" "536870912"

run "$CLI" update --memory 8g "$C"
expect_denied "docker update --memory 8g is denied naming memory" memory
run "$CLI" inspect --format '{{.HostConfig.Memory}}' "$C"
expect_eq "the denied update changed nothing" "$OUT" "536870912"

run "$CLI" stop -t 1 "$C"
expect_ok "docker stop is allowed"
run "$CLI" inspect --format '{{.State.Running}}' "$C"
expect_eq "the stopped container is not running" "$OUT" "false"
run "$CLI" rm "$C"
expect_ok "docker rm is allowed"
run "$CLI" ps -a --format '{{.Names}}'
if [ "$RC" -eq 0 ] && ! printf '%s\n' "$OUT" | gq -x "$C"; then ok "the removed container is gone"; else notok "the removed container is gone"; show; fi

run "$CLI" images --format '{{.Repository}}:{{.Tag}}'
if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | gq -x 'bb:latest'; then ok "docker images is allowed and lists bb:latest"; else notok "docker images is allowed and lists bb:latest"; show; fi
run "$CLI" version
expect_ok "docker version is allowed"
run "$CLI" info
expect_ok "docker info is allowed"

# Fail closed: without the plugin, dockerd must refuse requests.
stop_rc=0
kill -TERM "$PLUGIN_PID" 2>/dev/null || true
if wait_gone "$PLUGIN_PID" 10; then
        wait "$PLUGIN_PID" 2>/dev/null || stop_rc=$?
        ok "plugin exits on SIGTERM (exit status $stop_rc)"
else
        notok "plugin exits within 10 s of SIGTERM"
        stop_pid "$PLUGIN_PID" 1
fi
PLUGIN_PID=""
if [ ! -e "$PSOCK" ]; then ok "plugin removed its socket file on exit"; else notok "plugin removed its socket file on exit"; rm -f "$PSOCK"; fi

# dockerd retries a plugin it cannot reach with back-off (~15 s per request) before it answers with
# an error; the CLI may send two pings first.  Bound each wait.
RUN_TIMEOUT=60 run curl -sS -o "$T/body" -w '%{http_code}' --unix-socket "$DSOCK" http://docker/v1.41/containers/json
code=$OUT
if [ "$RC" -eq 0 ] && [ "${code:0:1}" != 2 ] && [ "$code" != 000 ]; then
        ok "with the plugin down, GET /containers/json is refused (HTTP $code)"
else
        notok "with the plugin down, GET /containers/json is refused"
        show
        diag "body: $(head -c 300 "$T/body" 2>/dev/null)"
fi
t0=$(date +%s)
RUN_TIMEOUT=60 run "$CLI" ps
t1=$(date +%s)
if [ "$RC" -eq 124 ]; then
        ok "with the plugin down, docker ps is refused (no answer within 60 s)"
elif [ "$RC" -ne 0 ] && printf '%s' "$ERR" | gq -F "plugin $NAME"; then
        ok "with the plugin down, docker ps is refused (failed after $((t1 - t0)) s)"
        diag "$(printf '%s' "$ERR" | head -c 300)"
else
        notok "with the plugin down, docker ps is refused by dockerd, naming the plugin"
        show
fi

if start_plugin; then ok "plugin restarted"; else bail "plugin did not come back after a restart"; fi
run "$CLI" ps
expect_ok "with the plugin back, docker ps works again"
run "$CLI" run --rm --pull never --privileged "${OK_FLAGS[@]}" bb id
expect_denied "with the plugin back, docker run --privileged is still denied" privileged

# The audit log: one JSON object per line, one deny line per denied request.
if [ -s "$AUDIT" ]; then
        lines=$(wc -l <"$AUDIT")
        if command -v jq >/dev/null 2>&1; then
                bad=$(jq -R -c 'fromjson? // "BAD" | if type == "object" then empty else "BAD" end' "$AUDIT" 2>/dev/null | grep -c BAD || true)
                expect_eq "audit log: each of its $lines lines is one JSON object" "$bad" "0"
                denies=$(jq -R -c 'fromjson? | select(.decision == "deny")' "$AUDIT" 2>/dev/null | grep -c . || true)
                priv=$(jq -R -c 'fromjson? | select(.decision == "deny" and (.rules | index("privileged")) and .route == "POST /containers/create")' "$AUDIT" 2>/dev/null | grep -c . || true)
                allows=$(jq -R -c 'fromjson? | select(.decision == "allow")' "$AUDIT" 2>/dev/null | grep -c . || true)
        else
                bad=$(grep -cv '^{.*}$' "$AUDIT" || true)
                expect_eq "audit log: each of its $lines lines looks like one JSON object (jq not installed)" "$bad" "0"
                denies=$(grep -c '"decision":"deny"' "$AUDIT" || true)
                priv=$(grep '"decision":"deny"' "$AUDIT" | grep -c '"privileged"' || true)
                allows=$(grep -c '"decision":"allow"' "$AUDIT" || true)
        fi
        expect_eq "audit log: one deny line per denied request" "$denies" "$DENIALS"
        if [ "$priv" -ge 1 ]; then
                ok "audit log: a container-create deny line whose rules include privileged"
        else
                notok "audit log: a container-create deny line whose rules include privileged"
                diag "$(grep '"deny"' "$AUDIT" | head -n 3)"
        fi
        if [ "$allows" -ge 1 ]; then ok "audit log has allow lines"; else notok "audit log has allow lines"; fi
else
        notok "audit log $AUDIT exists and is not empty"
fi

FINISHED=1
exit 0
