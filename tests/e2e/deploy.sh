#!/usr/bin/env bash
# Deployment end to end: `make install`/`uninstall` into a temporary DESTDIR, the units' syntax, and
# socket activation for real with systemd-socket-activate (the same LISTEN_FDS protocol as
# arandu-authz.socket): the socket exists before the plugin runs, the first request starts it, and a
# request sent while the plugin restarts waits in the backlog and is answered once it is up.
#
# Usage: tests/e2e/deploy.sh BINARY    (BINARY in the build dir B: B/arandu-authz)
# Prints "ok N - ..." / "not ok N - ..." and ends with "N passed, M failed"; exit 0 only if all passed.
set -euo pipefail

PASS=0
FAIL=0
ok()    { PASS=$((PASS + 1)); echo "ok $((PASS + FAIL)) - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok $((PASS + FAIL)) - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: $0 BINARY"; echo "0 passed, 1 failed"; exit 1; }
BIN=$(realpath "$1")
B=$(dirname "$BIN")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v systemd-socket-activate >/dev/null || { echo "Bail out! systemd-socket-activate not found (package systemd)"; echo "0 passed, 1 failed"; exit 1; }

T=$(mktemp -d /tmp/arandu-deploy.XXXXXX)
ACT_PID=""
cleanup() {
        local rc=$?
        set +e
        if [ -n "$ACT_PID" ]; then kill -TERM -- "-$ACT_PID" 2>/dev/null; wait "$ACT_PID" 2>/dev/null; fi
        if [ "$FAIL" -gt 0 ] || [ "$rc" -ne 0 ]; then
                echo "# plugin log:"; tail -n 20 "$T/plugin.log" 2>/dev/null | sed -e 's/^/#   /'
        fi
        rm -rf "$T"
        [ "$rc" -eq 0 ] || notok "harness stopped early (exit status $rc)"
        echo "$PASS passed, $FAIL failed"
        [ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
}
trap cleanup EXIT

# --- make install / uninstall -----------------------------------------------------------------------
D="$T/dest"
make -s -C "$ROOT" B="$B" DESTDIR="$D" PREFIX=/usr install >"$T/install.log" 2>&1 || { cat "$T/install.log"; false; }
check "install: binary in PREFIX/bin, executable" test -x "$D/usr/bin/arandu-authz"
check "install: service and socket units in /lib/systemd/system" \
        test -f "$D/lib/systemd/system/arandu-authz.service" -a -f "$D/lib/systemd/system/arandu-authz.socket"
check "install: ExecStart follows PREFIX" grep -q '^ExecStart=/usr/bin/arandu-authz serve' "$D/lib/systemd/system/arandu-authz.service"
check "install: README, docs and daemon.json in the doc dir" test -f "$D/usr/share/doc/arandu-authz/README.md" -a -f "$D/usr/share/doc/arandu-authz/daemon.json" -a -f "$D/usr/share/doc/arandu-authz/docs/rules.md"
check "install: the man page renders" sh -c "MANPATH='$D/usr/share/man' man arandu-authz 2>/dev/null | grep -q arandu-authz"
if [ -f "$ROOT/deploy/logrotate" ]; then
        check "install: logrotate config" test -f "$D/etc/logrotate.d/arandu-authz"
fi
if command -v systemd-analyze >/dev/null; then
        # Only the installed binary's absence could be reported: point the units at it.
        out=$(cd "$D/lib/systemd/system" && sed -i "s|/usr/bin/arandu-authz|$D/usr/bin/arandu-authz|" arandu-authz.service &&
              MANPATH="$D/usr/share/man" systemd-analyze verify ./arandu-authz.socket ./arandu-authz.service 2>&1 | grep -v -e 'docker.service' -e '^$' || true)
        check "systemd-analyze verify finds nothing in the units" test -z "$out"
        [ -z "$out" ] || printf '%s\n' "$out" | sed -e 's/^/#   /'
fi
make -s -C "$ROOT" B="$B" DESTDIR="$D" PREFIX=/usr UNITDIR=/lib/systemd/system uninstall >>"$T/install.log" 2>&1
left=$(find "$D" -type f | wc -l)
check "uninstall removes every installed file" test "$left" = 0
make -s -C "$ROOT" B="$B" DESTDIR="$T/d2" UNITDIR=/etc/systemd/system install >/dev/null 2>&1
check "install: UNITDIR override, default PREFIX /usr/local" \
        test -f "$T/d2/etc/systemd/system/arandu-authz.socket" -a -x "$T/d2/usr/local/bin/arandu-authz"

# --- socket activation ---------------------------------------------------------------------------------
SOCK="$T/run/plugin.sock"
mkdir -p "$T/run" "$T/repos" "$T/artifacts"
export DOCKER_REPOS_DIR="$T/repos" DOCKER_ARTIFACTS_DIR="$T/artifacts"
# systemd-socket-activate execs the command with the socket as fd 3.  The loop plays systemd's
# Restart=always: every plugin instance gets LISTEN_PID = its own pid (the inner sh execs the plugin).
cat >"$T/loop.sh" <<LOOP
#!/bin/sh
while :; do
        echo "starting" >>"$T/starts"
        sh -c 'LISTEN_PID=\$\$ exec "\$0" serve --socket "\$1"' "$BIN" "$SOCK" >>"$T/plugin.log" 2>&1
        sleep 2
done
LOOP
chmod +x "$T/loop.sh"
setsid systemd-socket-activate -E DOCKER_REPOS_DIR -E DOCKER_ARTIFACTS_DIR -l "$SOCK" "$T/loop.sh" >>"$T/plugin.log" 2>&1 &
ACT_PID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
check "the socket exists before the plugin runs" test -S "$SOCK" -a ! -e "$T/starts"

activate() { curl -sS --max-time "${1:-10}" --unix-socket "$SOCK" -X POST -d '{}' http://plugin/Plugin.Activate; }
out=$(activate 10 || true)
check "the first request starts the plugin and is answered" grep -q '"Implements":\["authz"\]' <<<"$out"
check "the plugin took the socket from systemd (not its own)" grep -q 'serving on' "$T/plugin.log"
pid=$(pgrep -f -n -- "$BIN serve --socket $SOCK" || true)
check "the plugin runs as its own process" test -n "$pid"

# Restart: stop the plugin; while it is down (2 s), send a request; it must be answered when it is up.
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "socket kept while the plugin is down" test -S "$SOCK"
s=$(date +%s%N)
out=$(activate 20 || true)
e=$(date +%s%N)
waited=$(((e - s) / 1000000))
check "a request sent during the restart is answered once the plugin is up (after ${waited} ms)" \
        grep -q '"Implements":\["authz"\]' <<<"$out"
check "...and it did wait for the restart (>= 1000 ms)" test "$waited" -ge 1000
check "the plugin was started twice" test "$(grep -c starting "$T/starts")" = 2

# LISTEN_PID naming another process: the plugin ignores the variables and creates its own socket.
OWN="$T/run/own.sock"
LISTEN_PID=1 LISTEN_FDS=1 "$BIN" serve --socket "$OWN" >"$T/own.log" 2>&1 3</dev/null &
own=$!
for _ in $(seq 50); do [ -S "$OWN" ] && break; sleep 0.1; done
check "LISTEN_PID of another process: ignored, own socket created" test -S "$OWN"
kill -TERM "$own"; wait "$own" || true
# LISTEN_PID ours but fd 3 not a socket: refused.
rc=0
sh -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" serve --socket "$1"' "$BIN" "$T/run/x.sock" 3<"$T/loop.sh" >"$T/bad.log" 2>&1 || rc=$?
check "LISTEN_FDS with fd 3 not a listening socket: refused (exit $rc)" \
        bash -c "[ $rc -ne 0 ] && grep -q 'not a listening unix stream socket' '$T/bad.log'"
