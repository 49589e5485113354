#!/usr/bin/env bash
# The managed plugin end to end: build it (plugin-config/build.sh via `make plugin`), create and
# enable it on a private dockerd, restart that dockerd with it as --authorization-plugin, and see a
# compliant `docker run` allowed and a privileged one denied, with the audit line on the host.
#
# Usage: tests/e2e/managed-plugin.sh BINARY     (as root; docker.io, busybox-static, jq, curl)
# The private dockerd has its own data root, exec root and socket (nothing of the host's dockerd is
# touched), no bridge and no iptables.  The test image is made with `docker import` (never pulled).
# Prints "ok N - ..." / "not ok N - ..." and ends with "N passed, M failed"; exit 0 only if all passed.
# Teardown (always): dockerd stopped (it stops the plugin), leftover processes of the run killed,
# mounts under the temp dir unmounted, the temp dir removed.  E2E_KEEP=1 keeps the temp dir.
set -euo pipefail

PASS=0
FAIL=0
ok()    { PASS=$((PASS + 1)); echo "ok $((PASS + FAIL)) - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok $((PASS + FAIL)) - $*"; }
diag()  { printf '%s\n' "$@" | sed -e 's/^/#   /'; }
bail()  { notok "$*"; exit 1; }

usage_fail() { echo "Bail out! $*"; echo "0 passed, 1 failed"; exit 1; }
[ $# -eq 1 ] && [ -x "$1" ] || usage_fail "usage: $0 BINARY"
BIN=$(realpath "$1")
B=$(dirname "$BIN")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" -eq 0 ] || usage_fail "must run as root (it starts a private dockerd)"
for t in dockerd docker busybox jq curl setsid; do
        command -v "$t" >/dev/null || usage_fail "$t not found (make deps)"
done
CLI=$(command -v docker)
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION DOCKER_BUILDKIT

T=$(mktemp -d /tmp/arandu-mp.XXXXXX)
NAME="arandu-authz-e2e-$$:latest"
DSOCK="$T/api/docker.sock"       # its own directory: the plugin mounts it to reach dockerd
DATA="$T/data"
EXEC="$T/exec"
DPID_FILE="$T/dockerd.pid"
DOCKERD_PID=""
export DOCKER_HOST="unix://$DSOCK" DOCKER_CONFIG="$T/cli"
mkdir -p "$DOCKER_CONFIG" "$T/api" "$T/etc" "$T/log" "$T/repos/demo" "$T/artifacts/demo" "$DATA" "$EXEC" "$T/tmp"

alive() { [ -n "$1" ] && [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
stop_pid() {
        local pid=$1 n
        alive "$pid" || return 0
        kill -TERM "$pid" 2>/dev/null || true
        for ((n = 0; n < $2 * 10; n++)); do alive "$pid" || return 0; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
}
our_pids() {
        local d
        for d in /proc/[0-9]*; do
                [ "${d#/proc/}" = "$$" ] && continue
                tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -qF -- "$T/" && echo "${d#/proc/}"
        done
        return 0
}
stop_dockerd() {
        [ -n "$DOCKERD_PID" ] || return 0
        stop_pid "$DOCKERD_PID" 60
        wait "$DOCKERD_PID" 2>/dev/null || true
        DOCKERD_PID=""
}
cleanup() {
        local rc=$? pid m n
        set +e
        trap - EXIT
        [ "$rc" -eq 0 ] || notok "harness stopped early (exit status $rc)"
        if [ "$FAIL" -gt 0 ]; then
                echo "# dockerd.log (last 15 lines):"; tail -n 15 "$T/dockerd.log" 2>/dev/null | sed -e 's/^/#   /'
        fi
        stop_dockerd
        # The plugin (its command line names our policy path) and any shim left behind.
        for pid in $(our_pids); do stop_pid "$pid" 5; done
        for n in 1 2 3 4 5; do
                m=$(awk -v t="$T" 'index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r -u)
                [ -n "$m" ] || break
                while read -r mp; do umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null; done <<<"$m"
        done
        left=$(our_pids)
        if [ -z "$left" ]; then ok "teardown left no process behind"; else notok "teardown left processes: $left"; fi
        if [ "${E2E_KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf --one-file-system "$T"; fi
        echo "$PASS passed, $FAIL failed"
        [ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_dockerd [ARGS...]: the private dockerd, with deploy/daemon.json's settings (minus the plugin
# list, given on the command line instead).
start_dockerd() {
        local code=000 deadline=$((SECONDS + 60))
        jq --arg key "$T/key.json" 'del(."authorization-plugins") | ."deprecated-key-path" = $key' \
                "$ROOT/deploy/daemon.json" >"$T/daemon.json"
        TMPDIR="$T/tmp" setsid dockerd --config-file "$T/daemon.json" \
                --data-root "$DATA" --exec-root "$EXEC" --pidfile "$DPID_FILE" -H "$DOCKER_HOST" \
                --bridge=none --iptables=false --ip-forward=false --ip-masq=false --userland-proxy=false \
                --shutdown-timeout 3 "$@" </dev/null >>"$T/dockerd.log" 2>&1 &
        DOCKERD_PID=$!
        while [ "$SECONDS" -lt "$deadline" ]; do
                code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 --unix-socket "$DSOCK" http://docker/_ping 2>/dev/null) || true
                [ "$code" = 000 ] || break
                alive "$DOCKERD_PID" || break
                sleep 0.2
        done
        [ "$code" = 200 ]
}

run() {
        RC=0
        timeout -k 5 120 "$@" >"$T/out" 2>"$T/err" </dev/null || RC=$?
        OUT=$(cat "$T/out")
        ERR=$(cat "$T/err")
}
show() { diag "exit status: $RC" "stdout: $(head -c 400 <<<"$OUT")" "stderr: $(head -c 600 <<<"$ERR")"; }

# --- a private dockerd, the plugin created and enabled on it ------------------------------------------
start_dockerd || bail "private dockerd did not start (with deploy/daemon.json's settings)"
ok "private dockerd is up with deploy/daemon.json's settings"

cat >"$T/etc/policy.json" <<JSON
{"memory_limit": "2g", "repos_dir": "$T/repos", "artifacts_dir": "$T/artifacts"}
JSON
echo hello >"$T/repos/demo/README"
chown 1000:1000 "$T/artifacts/demo"
run make -s -C "$ROOT" B="$B" plugin PLUGIN_NAME="$NAME" PLUGIN_DIR="$T/plugin" \
        PLUGIN_POLICY_DIR="$T/etc" PLUGIN_LOG_DIR="$T/log" PLUGIN_REPOS_DIR="$T/repos" PLUGIN_ARTIFACTS_DIR="$T/artifacts" \
        PLUGIN_DOCKER_SOCKET="$DSOCK"
if [ "$RC" -eq 0 ]; then ok "make plugin built the rootfs and ran docker plugin create"; else show; bail "make plugin failed"; fi
run jq -e '.interface.types == ["docker.authz/1.0"] and .network.type == "none"
        and ([.mounts[] | select(.settable)] | length == 0)
        and (.mounts[] | select(.name == "policy") | .options | index("ro"))' "$T/plugin/config.json"
if [ "$RC" -eq 0 ]; then ok "config.json: docker.authz/1.0, no network, read-only policy mount, nothing settable"; else notok "config.json shape"; show; fi

run "$CLI" plugin enable "$NAME"
if [ "$RC" -eq 0 ]; then ok "docker plugin enable $NAME"; else show; bail "docker plugin enable failed"; fi
run "$CLI" plugin inspect -f '{{.Enabled}}' "$NAME"
[ "$OUT" = true ] && ok "the plugin is enabled" || { notok "the plugin is enabled"; show; }

# The test image (never pulled).
R="$T/rootfs"
mkdir -p "$R/bin" "$R/etc" "$R/tmp"
cp "$(command -v busybox)" "$R/bin/busybox"
for a in sh id cat echo; do ln -sf busybox "$R/bin/$a"; done
printf 'root:x:0:0:root:/:/bin/sh\narandu-user:x:1000:1000::/tmp:/bin/sh\n' >"$R/etc/passwd"
tar --numeric-owner -C "$R" -cf "$T/rootfs.tar" .
run "$CLI" import "$T/rootfs.tar" bb:latest
[ "$RC" -eq 0 ] || { show; bail "docker import failed"; }

# --- dockerd again, now with the managed plugin as its authorization plugin -----------------------------
stop_dockerd
start_dockerd --authorization-plugin="$NAME" || bail "dockerd did not come back with --authorization-plugin=$NAME"
ok "dockerd restarted with --authorization-plugin=$NAME"
run "$CLI" info --format '{{json .Plugins.Authorization}}'
if [ "$RC" -eq 0 ] && grep -qF "\"$NAME\"" <<<"$OUT"; then ok "docker info lists it as the authorization plugin"; else notok "docker info lists it"; show; fi

OK_FLAGS=(--user 1000 --cpus 1 --memory 1g --network none --read-only --pids-limit 512 --security-opt no-new-privileges
        -v "$T/repos/demo:/workspace:ro" -v "$T/artifacts/demo:/artifacts")
run "$CLI" run --rm --pull never "${OK_FLAGS[@]}" bb sh -c 'id -u; cat /workspace/README'
if [ "$RC" -eq 0 ] && [ "$OUT" = $'1000\nhello' ]; then
        ok "a compliant docker run is allowed (bind sources checked through the plugin's mounts)"
else
        notok "a compliant docker run is allowed"; show
fi
run "$CLI" run --rm --pull never --privileged "${OK_FLAGS[@]}" bb id -u
if [ "$RC" -ne 0 ] && grep -q "authorization denied by plugin $NAME: privileged" <<<"$ERR"; then
        ok "docker run --privileged is denied by the managed plugin naming privileged"
else
        notok "docker run --privileged is denied by the managed plugin naming privileged"; show
fi
run "$CLI" run --rm --pull never --user 1000 --cpus 1 --memory 3g --network none --read-only --pids-limit 512 --security-opt no-new-privileges bb id -u
if [ "$RC" -ne 0 ] && grep -q "authorization denied by plugin $NAME: memory" <<<"$ERR"; then
        ok "the policy file from the read-only mount is in force (memory 3g > 2g denied)"
else
        notok "the policy file from the read-only mount is in force"; show
fi
run "$CLI" plugin disable "$NAME"
if [ "$RC" -ne 0 ] && grep -q "authorization denied" <<<"$ERR"; then
        ok "docker plugin disable of the authorization plugin is denied"
else
        notok "docker plugin disable of the authorization plugin is denied"; show
fi

# The audit log, written through the mount, on the host.
if [ -s "$T/log/audit.log" ] &&
        jq -e -s 'any(.decision == "deny" and (.rules | index("privileged")))' "$T/log/audit.log" >/dev/null; then
        ok "the audit log on the host has the privileged denial"
else
        notok "the audit log on the host has the privileged denial"
fi
# The compliant run's start passed the second look: the plugin asked dockerd for the container
# (its GET goes through the authorization chain too) with libcurl, which it loads at run time from
# its rootfs (plugin-config/build.sh copies it; without it every start is denied).
if jq -e -s 'any(.route == "GET /containers/{name:.*}/json" and .decision == "allow")
        and any(.route == "POST /containers/{name:.*}/start" and .decision == "allow")' "$T/log/audit.log" >/dev/null; then
        ok "the start was allowed after the plugin's own lookup of the container (libcurl loaded in the plugin)"
else
        notok "the start was allowed after the plugin's own lookup of the container (libcurl loaded in the plugin)"
        diag "$(jq -c '[.decision, .route, .reasons]' "$T/log/audit.log" 2>/dev/null | tail -n 8)"
fi
