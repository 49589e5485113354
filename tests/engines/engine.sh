# The engine an end-to-end script runs against, sourced by the scripts under tests/.
#
# E2E_ENGINE names the root of an unpacked engine (tests/engines/fetch.sh: DIR/SUITE/root, holding
# usr/sbin/dockerd, usr/bin/containerd, usr/bin/docker ...); unset or empty: the system's own
# (Debian 12's docker.io).  Sets:
#   ENGINE_ROOT  the root ("" for the system's)
#   DOCKERD      its dockerd
#   ENGINE_CLI   its own docker CLI
#   CLIS         the CLIs to drive it with: E2E_DOCKER_CLIS if set, else its own CLI and
#                /usr/local/bin/docker when present
#   PATH         the engine's usr/bin and usr/sbin first, so that dockerd starts its own containerd
#                and shims (runc stays Debian 12's)
# Returns 1 after printing why when the engine is not usable.
ENGINE_ROOT=${E2E_ENGINE:-}
ENGINE_ROOT=${ENGINE_ROOT%/}
[ -z "$ENGINE_ROOT" ] || ENGINE_ROOT=$(realpath -- "$ENGINE_ROOT")
DOCKERD="$ENGINE_ROOT/usr/sbin/dockerd"
ENGINE_CLI="$ENGINE_ROOT/usr/bin/docker"
if [ -n "$ENGINE_ROOT" ]; then
        PATH="$ENGINE_ROOT/usr/bin:$ENGINE_ROOT/usr/sbin:$PATH"
        export PATH
fi
CLIS=()
if [ -n "${E2E_DOCKER_CLIS:-}" ]; then
        read -r -a CLIS <<<"$E2E_DOCKER_CLIS"
else
        [ -x "$ENGINE_CLI" ] && CLIS+=("$ENGINE_CLI")
        [ -x /usr/local/bin/docker ] && [ "$ENGINE_CLI" != /usr/local/bin/docker ] && CLIS+=(/usr/local/bin/docker)
fi
engine_usable() {
        [ -x "$DOCKERD" ] || { echo "dockerd not found at $DOCKERD (make deps installs docker.io; make engines the newer ones)"; return 1; }
        [ -x "$ENGINE_ROOT/usr/bin/containerd" ] || { echo "containerd not found at $ENGINE_ROOT/usr/bin/containerd"; return 1; }
        command -v runc >/dev/null 2>&1 || { echo "runc not found (Debian 12's runc package)"; return 1; }
        [ "${#CLIS[@]}" -gt 0 ] || { echo "no docker CLI found"; return 1; }
}
