#!/usr/bin/env bash
# Build the managed-plugin directory for `docker plugin create`: OUT/config.json and OUT/rootfs/ with
# our binary, the shared libraries it links (from ldd, at the same paths), libcurl and what it links
# (loaded at run time, not linked: authz/curl_lazy.h) and the few files it needs.
# No image, no registry.
#
# Usage: plugin-config/build.sh BINARY OUT
# The host paths the plugin mounts are fixed in config.json (an admin cannot change them with
# `docker plugin set`: no mount is settable); to build for other paths, set any of
#   PLUGIN_POLICY_DIR PLUGIN_LOG_DIR PLUGIN_REPOS_DIR PLUGIN_ARTIFACTS_DIR
# (absolute; each is mounted at the same path inside the plugin), and PLUGIN_DOCKER_SOCKET (default
# /run/docker.sock: its directory is mounted read-only at /run/arandu-host).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BINARY OUT" >&2; exit 2; }
BIN=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
command -v jq >/dev/null || { echo "$0: jq is needed" >&2; exit 1; }

POLICY_DIR=${PLUGIN_POLICY_DIR:-/etc/arandu-authz}
LOG_DIR=${PLUGIN_LOG_DIR:-/var/log/arandu-authz}
REPOS_DIR=${PLUGIN_REPOS_DIR:-/var/lib/arandu/repos}
ARTIFACTS_DIR=${PLUGIN_ARTIFACTS_DIR:-/var/lib/arandu/artifacts}
DOCKER_SOCKET=${PLUGIN_DOCKER_SOCKET:-/run/docker.sock}
for d in "$POLICY_DIR" "$LOG_DIR" "$REPOS_DIR" "$ARTIFACTS_DIR" "$DOCKER_SOCKET"; do
        case "$d" in /*) ;; *) echo "$0: $d is not an absolute path" >&2; exit 2 ;; esac
done

rm -rf "$OUT"
R="$OUT/rootfs"
mkdir -p "$R/usr/bin" "$R/etc/ssl/certs" "$R/tmp" "$R/run/docker/plugins" "$R/run/arandu-host" "$R$POLICY_DIR" "$R$LOG_DIR" \
        "$R$REPOS_DIR" "$R$ARTIFACTS_DIR" "$R/proc" "$R/dev" "$R/sys"
chmod 1777 "$R/tmp"
install -m 0755 "$BIN" "$R/usr/bin/arandu-authz"

# The shared libraries and the dynamic loader, at the paths the binary asks for.
ldd_paths() { ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'; }
libs=$(ldd_paths "$BIN" | sort -u)
[ -n "$libs" ] || { echo "$0: ldd found no libraries for $BIN" >&2; exit 1; }
loader=$(ldd "$BIN" | awk '$1 ~ /^\// && !n++ { print $1 }')   # no early exit: pipefail

# libcurl.so.4, which the binary dlopen()s for the rechecks and --audit-url (ldd cannot see it): the
# one the host's loader would pick (ld.so.cache, as `ldconfig -p` lists it) for the binary's ABI (the
# tag of the libc it links), and everything it links.  Without it every start would be denied.
ldconfig_p() { if command -v ldconfig >/dev/null; then ldconfig -p; else /sbin/ldconfig -p; fi; }
cache_entries() {   # SONAME: "ABI|PATH" of each ld.so.cache entry for SONAME, in the loader's order
        ldconfig_p | sed -n 's/^[[:space:]]*\([^ ]*\) (\(.*\)) => \(.*\)$/\1|\2|\3/p' |
                awk -F'|' -v n="$1" '$1 == n { print $2 "|" $3 }'
}
libc=$(echo "$libs" | awk '/\/libc\.so\.6$/ && !n++')
abi=$(cache_entries libc.so.6 | awk -F'|' -v p="$libc" '$2 == p && !n++ { print $1 }')
curl=$(cache_entries libcurl.so.4 | awk -F'|' -v a="$abi" '$1 == a && !n++ { print $2 }')
[ -n "$abi" ] && [ -n "$curl" ] && [ -f "$curl" ] || {
        echo "$0: libcurl.so.4 (${abi:-unknown ABI}) not found by ldconfig -p: the plugin needs it (apt-get install libcurl4)" >&2
        exit 1
}
libs=$( { echo "$libs"; echo "$curl"; ldd_paths "$curl"; } | sort -u)
for l in $libs; do
        mkdir -p "$R$(dirname "$l")"
        cp -L "$l" "$R$l"
done
# CA certificates, for --audit-url https:// (the plugin has no network by default: see README).
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp -L /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/certs/"
printf 'root:x:0:0:root:/:/usr/sbin/nologin\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"

# config.json with the chosen host paths.
jq --arg sockdir "$(dirname "$DOCKER_SOCKET")" --arg sock "unix:///run/arandu-host/$(basename "$DOCKER_SOCKET")" \
   --arg policy "$POLICY_DIR" --arg log "$LOG_DIR" --arg repos "$REPOS_DIR" --arg arts "$ARTIFACTS_DIR" '
        .entrypoint |= map(if . == "/etc/arandu-authz/policy.json" then $policy + "/policy.json"
                           elif . == "/var/log/arandu-authz/audit.log" then $log + "/audit.log" else . end)
        | .mounts |= map(if .name == "policy" then .source = $policy | .destination = $policy
                         elif .name == "audit" then .source = $log | .destination = $log
                         elif .name == "repos" then .source = $repos | .destination = $repos
                         elif .name == "artifacts" then .source = $arts | .destination = $arts
                         elif .name == "docker" then .source = $sockdir
                         else . end)
        | .env |= map(if .name == "DOCKER_HOST" then .value = $sock
                      elif .name == "DOCKER_REPOS_DIR" then .value = $repos
                      elif .name == "DOCKER_ARTIFACTS_DIR" then .value = $arts else . end)
' "$HERE/config.json" >"$OUT/config.json"

# The plugin must start in that rootfs: check the binary runs there with only what we copied.
# And libcurl must load there as dlopen will load it, without an ld.so.cache: the loader lists
# what it links and fails on what is missing.
if [ "$(id -u)" -eq 0 ] && command -v chroot >/dev/null; then
        chroot "$R" /usr/bin/arandu-authz version >/dev/null || { echo "$0: the binary does not run in $R" >&2; exit 1; }
        chroot "$R" "$loader" --list "$curl" >/dev/null || { echo "$0: $curl does not load in $R" >&2; exit 1; }
fi
echo "plugin directory: $OUT ($(du -sh "$R" | cut -f1) rootfs, $(echo "$libs" | wc -l) libraries)"
