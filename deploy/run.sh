#!/usr/bin/env bash
# `make run`: the plugin and a private sandbox dockerd wired to it, each decision shown as it is
# made, until Ctrl-C; then everything it made is removed.
#
# The sandbox dockerd has its own data root, exec root, socket and plugin name, no bridge and no
# iptables rules; the host's dockerd is not touched.  The test image is made from busybox-static with
# `docker import` (no registry).  ARANDU_RUN=host starts only the plugin, on the socket the host's
# dockerd looks for (/run/docker/plugins/arandu-authz.sock), with the same decision stream.
#
# Usage: deploy/run.sh BINARY
set -euo pipefail

BIN=$(realpath "${1:?usage: run.sh BINARY}")
MODE=${ARANDU_RUN:-sandbox}
[ "$(id -u)" = 0 ] || { echo "make run starts dockerd (or serves on dockerd's plugin directory): run it as root" >&2; exit 1; }
for tool in dockerd docker busybox; do
        command -v "$tool" >/dev/null || { echo "make run needs $tool (make deps installs it)" >&2; exit 1; }
done

T=$(mktemp -d /tmp/arandu-run.XXXXXX)
NAME="arandu-run-$$"
SPEC=/etc/docker/plugins/$NAME.spec
PLUGIN_PID="" DOCKERD_PID="" STREAM_PID=""
cleanup() {
        set +e
        trap - INT TERM
        echo
        echo "stopping: removing the sandbox ($T)"
        if [ -n "$DOCKERD_PID" ]; then
                DOCKER_HOST=unix://$T/docker.sock docker ps -aq 2>/dev/null | xargs -r env DOCKER_HOST=unix://$T/docker.sock docker rm -f >/dev/null 2>&1
                kill -TERM "$DOCKERD_PID" 2>/dev/null
                for _ in $(seq 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
                kill -KILL "$DOCKERD_PID" 2>/dev/null
        fi
        [ -n "$PLUGIN_PID" ] && kill -TERM "$PLUGIN_PID" 2>/dev/null
        [ -n "$STREAM_PID" ] && kill -TERM "$STREAM_PID" 2>/dev/null
        wait 2>/dev/null
        # containerd shims of the sandbox's dockerd name its directory
        for d in /proc/[0-9]*; do
                { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF -- "$T/" && kill -KILL "${d#/proc/}" 2>/dev/null
        done
        awk -v t="$T" 'index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
                umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
        done
        rm -f "$SPEC"
        rm -rf --one-file-system "$T"
        echo "stopped; nothing of it is left"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One line per decision, as `arandu-authz audit` prints them (it shows strings from requests
# escaped, so that none can act on the terminal).
stream() {
        printf '%-28s %-6s %-8s %-12s %-32s %-20s %s\n' time "" mode user route image rules
        exec "$BIN" audit --follow "$T/audit.log"
}

mkdir -p "$T/repos" "$T/artifacts"
if [ "$MODE" = host ]; then
        "$BIN" serve --audit-log "$T/audit.log" 2>"$T/plugin.log" &
        PLUGIN_PID=$!
        for _ in $(seq 50); do [ -e "$T/audit.log" ] && break; sleep 0.1; done
        stream &
        STREAM_PID=$!
        echo "plugin serving on /run/docker/plugins/arandu-authz.sock (built-in default policy); its log: $T/plugin.log"
        echo "the host's dockerd asks it once it is enabled:  $BIN dockerd enable --reload   (disable --reload undoes it)"
        echo "decisions (Ctrl-C stops):"
        wait "$STREAM_PID"
        exit 0
fi

export DOCKER_HOST=unix://$T/docker.sock   # the plugin's second look asks this dockerd
DOCKER_REPOS_DIR=$T/repos DOCKER_ARTIFACTS_DIR=$T/artifacts \
        "$BIN" serve --socket "$T/plugin.sock" --audit-log "$T/audit.log" 2>"$T/plugin.log" &
PLUGIN_PID=$!
for _ in $(seq 50); do [ -S "$T/plugin.sock" ] && break; sleep 0.1; done
[ -S "$T/plugin.sock" ] || { cat "$T/plugin.log" >&2; echo "the plugin did not start" >&2; exit 1; }
mkdir -p /etc/docker/plugins
echo "unix://$T/plugin.sock" >"$SPEC"

dockerd --data-root "$T/data" --exec-root "$T/exec" -H "$DOCKER_HOST" --pidfile "$T/dockerd.pid" \
        --authorization-plugin="$NAME" --bridge=none --iptables=false >"$T/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 300); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
docker version >/dev/null 2>&1 || { tail -20 "$T/dockerd.log" >&2; echo "the sandbox dockerd did not start" >&2; exit 1; }
mkdir -p "$T/img/bin"
cp "$(command -v busybox)" "$T/img/bin/"
for c in sh id true sleep; do ln -s busybox "$T/img/bin/$c"; done
tar -C "$T/img" -c . | docker import - arandu-try >/dev/null

OK="--user 1000:1000 --cpus 1 --memory 1g --pids-limit 512 --network none --read-only --security-opt no-new-privileges"
cat <<EOF

arandu-authz is deciding for a sandbox dockerd ($(docker version --format '{{.Server.Version}}'), data in $T),
with the built-in default policy.  In another terminal, as root:

  export DOCKER_HOST=$DOCKER_HOST

  docker run --rm $OK arandu-try id
      allowed: prints uid=1000 gid=1000
  docker run --rm arandu-try id
      denied: names every rule a plain docker run breaks (user, cpu, memory, pids, network, rootfs, privileges)
  docker run --rm --privileged $OK arandu-try id
      denied: privileged: HostConfig.Privileged is true; remove --privileged ...

Decisions, as dockerd asks (Ctrl-C stops and removes the sandbox):
EOF
stream &
STREAM_PID=$!
wait "$DOCKERD_PID"
echo "the sandbox dockerd exited:" >&2
tail -5 "$T/dockerd.log" >&2
