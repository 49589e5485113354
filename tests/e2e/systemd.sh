#!/usr/bin/env bash
# The Debian package under a real systemd as PID 1: a Debian 12 tree made with debootstrap (cached
# in BUILD_DIR/nspawn), booted with systemd-nspawn, docker.io inside.  The package is installed with
# apt; enforcement enabled with `arandu-authz dockerd enable --reload`; then a compliant run works and
# a privileged one is denied, the plugin restarts under a client's loop without losing a request
# (socket activation), dockerd refuses requests while the plugin is stopped (fail closed), journald
# has the plugin's lines with their priorities, `systemd-analyze security` is printed and bounded,
# an upgrade keeps an edited policy, disable switches enforcement off, remove and purge clean up.
#
# The container has its own network namespace (loopback only: nothing it does reaches the host's
# network); dockerd in it needs every capability, the keyring and bpf system calls, and writable
# cgroup controllers, which nspawn mounts read-only on a cgroup v1 host (a unit inside remounts them).
#
# Usage: tests/e2e/systemd.sh DEB BUILD_DIR      (as root)
# Prints "ok N - ..." / "not ok N - ..." and ends with "N passed, M failed".
set -euo pipefail

PASS=0
FAIL=0
ok()    { PASS=$((PASS + 1)); echo "ok $((PASS + FAIL)) - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok $((PASS + FAIL)) - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }

[ $# -eq 2 ] && [ -f "$1" ] || { echo "usage: $0 DEB BUILD_DIR"; echo "0 passed, 1 failed"; exit 1; }
DEB=$(realpath "$1")
CACHE=$(realpath -m "$2/nspawn")
MIRROR=${ARANDU_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What the tree needs beside minbase: systemd as init, docker, the package's dependencies (so that
# apt installs it without reaching a mirror), and what the checks use.
INCLUDE=systemd,systemd-sysv,dbus,docker.io,busybox-static,libmicrohttpd12,libjansson4,libcurl4,logrotate,ca-certificates,procps

T=$(mktemp -d /var/tmp/arandu-systemd.XXXXXX)
NSPAWN_PID=""
MOUNTED_RUN=""
cleanup() {
        local rc=$?
        set +e
        if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
                in_box systemctl poweroff >/dev/null 2>&1
                for _ in $(seq 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.2; done
                kill -KILL "$NSPAWN_PID" 2>/dev/null
                wait "$NSPAWN_PID" 2>/dev/null
        fi
        if [ "$FAIL" -gt 0 ] || [ "$rc" -ne 0 ]; then
                echo "# console:"; tail -n 15 "$T/console.log" 2>/dev/null | sed -e 's/^/#   /'
        fi
        [ -n "$MOUNTED_RUN" ] && umount /run/systemd/nspawn 2>/dev/null
        rm -rf --one-file-system "$T"
        [ "$rc" -eq 0 ] || notok "harness stopped early (exit status $rc)"
        echo "$PASS passed, $FAIL failed"
        [ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
}
trap cleanup EXIT

# --- the tree ---------------------------------------------------------------------------------------
STAMP="bookworm $INCLUDE"
if [ ! -f "$CACHE/stamp" ] || [ "$(cat "$CACHE/stamp")" != "$STAMP" ]; then
        rm -rf --one-file-system "$CACHE"
        mkdir -p "$CACHE"
        echo "# debootstrap bookworm from $MIRROR (cached in $CACHE)"
        debootstrap --variant=minbase --include="$INCLUDE" bookworm "$CACHE/base" "$MIRROR" >"$T/debootstrap.log" 2>&1 ||
                { tail -20 "$T/debootstrap.log"; echo "Bail out! debootstrap failed"; exit 1; }
        echo "$STAMP" >"$CACHE/stamp"
fi
R="$T/root"
cp -a "$CACHE/base" "$R"
echo arandu-systemd >"$R/etc/hostname"
cat >"$R/etc/systemd/system/cgroup-rw.service" <<'EOF'
[Unit]
Description=Writable cgroup controllers for dockerd (systemd-nspawn mounts them read-only)
DefaultDependencies=no
Before=containerd.service docker.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'for d in /sys/fs/cgroup/*/; do mount -o remount,rw,bind "$d"; done'
RemainAfterExit=yes
[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/cgroup-rw.service "$R/etc/systemd/system/multi-user.target.wants/cgroup-rw.service"
cp "$DEB" "$R/root/"
DEBNAME=$(basename "$DEB")
# The same package one version up, for the upgrade: its policy.json is the same, so dpkg keeps an
# edited one without asking.
dpkg-deb -R "$DEB" "$T/up"
sed -i 's/^Version: \(.*\)$/Version: \1+up1/' "$T/up/DEBIAN/control"
dpkg-deb -b "$T/up" "$R/root/upgrade.deb" >/dev/null

# --- boot -------------------------------------------------------------------------------------------
# Without systemd as the host's PID 1, nspawn keeps its state in /run/systemd/nspawn, which must be
# a tmpfs, and registers with no machined.
mkdir -p /run/systemd/nspawn
if ! mountpoint -q /run/systemd/nspawn; then
        mount -t tmpfs -o mode=0755 tmpfs /run/systemd/nspawn
        MOUNTED_RUN=1
fi
setsid systemd-nspawn --boot --register=no --keep-unit --private-network --capability=all \
        --system-call-filter='add_key keyctl bpf' -D "$R" --machine="arandu-$$" >"$T/console.log" 2>&1 </dev/null &
NSPAWN_PID=$!
INIT=""
for _ in $(seq 100); do
        INIT=$(pgrep -P "$NSPAWN_PID" | head -1 || true)
        [ -n "$INIT" ] && break
        sleep 0.1
done
[ -n "$INIT" ] || { echo "Bail out! systemd-nspawn did not start"; exit 1; }
in_box() { nsenter -t "$INIT" -a "$@"; }
state=""
for _ in $(seq 120); do
        state=$(in_box systemctl is-system-running 2>/dev/null || true)
        [ "$state" = running ] || [ "$state" = degraded ] && break
        sleep 0.5
done
check "booted: systemd is PID 1 and the system is running (is-system-running: $state)" test "$state" = running
[ "$state" = running ] || in_box systemctl --failed --no-legend | sed -e 's/^/#   /'
in_box sh -c 'mkdir -p /tmp/img/bin && cp /bin/busybox /tmp/img/bin/ && for c in sh id true sleep; do ln -sf busybox /tmp/img/bin/$c; done &&
              tar -C /tmp/img -c . | docker import - bb:latest >/dev/null'
check "docker.service is active inside, and can run a container" in_box docker run --rm --network none bb:latest true

RUN_OK=(docker run --rm --network none --user 1000:1000 --read-only --cpus 1 --memory 512m --pids-limit 100
        --security-opt no-new-privileges bb:latest id)

# --- install ----------------------------------------------------------------------------------------
in_box sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -q /root/$DEBNAME" >"$T/apt.log" 2>&1 ||
        { tail -20 "$T/apt.log" | sed -e 's/^/#   /'; false; }
ok "apt-get install ./$DEBNAME"
check "install: both units enabled" in_box systemctl is-enabled --quiet arandu-authz.socket arandu-authz.service
check "install: the socket listens" in_box systemctl is-active --quiet arandu-authz.socket
check "install: /etc/arandu-authz/policy.json is a conffile" in_box grep -qx /etc/arandu-authz/policy.json /var/lib/dpkg/info/arandu-authz.conffiles
check "install: the man page is there" in_box test -f /usr/share/man/man8/arandu-authz.8.gz
# (--privileged itself cannot run in this box: nspawn's capabilities are fewer than all.)
check "installing switched nothing on: a run as root is still allowed" in_box docker run --rm bb:latest true
out=$(in_box arandu-authz dockerd status 2>&1 || true)
check "status before enable: not enforcing" grep -q "^NOT ENFORCING: dockerd" <<<"$out"

# --- enable -----------------------------------------------------------------------------------------
out=$(in_box arandu-authz dockerd enable --reload 2>&1) || true
printf '%s\n' "$out" | sed -e 's/^/#   /'
check "enable --reload: dockerd enforces" grep -q "^ENFORCING: dockerd .* consults arandu-authz" <<<"$out"
check "enable wrote authorization-plugins into daemon.json" in_box grep -q '"authorization-plugins": \["arandu-authz"\]' /etc/docker/daemon.json
check "dockerd kept running: enabled by a reload, not a restart" in_box systemctl is-active --quiet docker.service
out=$(in_box "${RUN_OK[@]}" 2>&1 || true)
check "a compliant docker run is allowed (id: $out)" grep -q "uid=1000 gid=1000" <<<"$out"
out=$(in_box docker run --rm --privileged bb:latest true 2>&1 || true)
check "a --privileged docker run is denied, naming the rule" grep -q "privileged: HostConfig.Privileged is true" <<<"$out"
out=$(in_box docker run --rm bb:latest true 2>&1 || true)
check "a docker run as root is denied, naming the rule" grep -q "user: Config.User is empty" <<<"$out"
out=$(in_box arandu-authz dockerd status 2>&1 || true)
printf '%s\n' "$out" | sed -e 's/^/#   /'
check "status: enforcing" grep -q "^ENFORCING: dockerd" <<<"$out"
check "status: the policy in force, by its digest" grep -q "policy: in force sha256 [0-9a-f]\{64\}" <<<"$out"

# --- restart under load -----------------------------------------------------------------------------
in_box sh -c 'fails=0; for i in $(seq 300); do docker version --format "{{.Server.Version}}" >/dev/null 2>&1 || fails=$((fails+1)); done; echo $fails >/tmp/fails' &
LOOP=$!
for _ in 1 2 3; do sleep 0.7; in_box systemctl restart arandu-authz.service; done
wait "$LOOP" || true
fails=$(in_box cat /tmp/fails)
check "systemctl restart arandu-authz 3 times under a client's loop of 300 requests: $fails failed" test "$fails" = 0

# --- fail closed ------------------------------------------------------------------------------------
# The plugin down for good (masked, so that socket activation cannot start it again; stopping the
# socket would stop docker.service with it, by design): the first request waits in the socket's
# backlog until systemd gives the socket up, and then dockerd refuses every request.
in_box systemctl mask --runtime --quiet arandu-authz.service
in_box systemctl stop arandu-authz.service
in_box timeout 10 docker ps >/dev/null 2>&1 || true
check "plugin down: the first request got no answer, and the socket was given up" \
        test "$(in_box systemctl is-active arandu-authz.socket || true)" = failed
out=$(in_box timeout 120 docker run --rm bb:latest true 2>&1 || true)
check "plugin down: dockerd refuses requests ($(head -c 160 <<<"$out"))" grep -q "plugin arandu-authz failed" <<<"$out"
in_box systemctl unmask --runtime --quiet arandu-authz.service
in_box systemctl reset-failed arandu-authz.socket arandu-authz.service
in_box systemctl start arandu-authz.socket
check "plugin back: requests pass again" in_box docker ps -q

# --- journald ---------------------------------------------------------------------------------------
j=$(in_box journalctl -u arandu-authz.service -o json --no-pager 2>/dev/null || true)
check "journalctl -u arandu-authz: 'serving on' at priority 6 (info)" \
        sh -c 'grep "serving on" | grep -q "\"PRIORITY\":\"6\""' <<<"$j"
check "journalctl -u arandu-authz: a warning at priority 4" grep -q '"PRIORITY":"4"' <<<"$j"
in_box journalctl -u arandu-authz.service -o short-precise --no-pager -n 5 | sed -e 's/^/#   /'

# --- systemd-analyze security -----------------------------------------------------------------------
sec=$(in_box systemd-analyze security arandu-authz.service --no-pager 2>&1 || true)
printf '%s\n' "$sec" | grep -E '^[✗✓] |Overall exposure' | grep -E '✗|Overall' | sed -e 's/^/#   /'
score=$(sed -n 's/.*Overall exposure level for arandu-authz.service: \([0-9.]*\).*/\1/p' <<<"$sec")
check "systemd-analyze security: exposure $score (at most 2.5)" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.5) }'

# --- upgrade keeps an edited policy -----------------------------------------------------------------
in_box sed -i 's/"pids_limit": 1024/"pids_limit": 256/' /etc/arandu-authz/policy.json
in_box sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -q /root/upgrade.deb" >"$T/apt-up.log" 2>&1 ||
        { tail -20 "$T/apt-up.log" | sed -e 's/^/#   /'; false; }
version=$(in_box dpkg-query -W -f='${Version}' arandu-authz)
check "upgrade: installed $version" grep -q '+up1$' <<<"$version"
check "upgrade: the edited policy is kept" in_box grep -q '"pids_limit": 256' /etc/arandu-authz/policy.json
in_box systemctl restart arandu-authz.service
out=$(in_box docker run --rm --network none --user 1000:1000 --read-only --cpus 1 --memory 512m --pids-limit 300 \
        --security-opt no-new-privileges bb:latest true 2>&1 || true)
check "upgrade: the edited policy is in force (--pids-limit 300 over 256 denied)" grep -q "pids:" <<<"$out"

# --- disable, remove, purge -------------------------------------------------------------------------
out=$(in_box arandu-authz dockerd disable --reload 2>&1) || true
printf '%s\n' "$out" | sed -e 's/^/#   /'
check "disable --reload: dockerd no longer enforces" grep -q "^NOT ENFORCING: dockerd" <<<"$out"
check "disabled: a run as root is allowed again" in_box docker run --rm bb:latest true
in_box sh -c 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -q arandu-authz' >>"$T/apt.log" 2>&1
check "remove: the binary is gone" in_box test ! -e /usr/bin/arandu-authz
check "remove: the policy stays" in_box test -f /etc/arandu-authz/policy.json
in_box sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q arandu-authz' >>"$T/apt.log" 2>&1
check "purge: the policy and logrotate file are gone" in_box sh -c '! test -e /etc/arandu-authz/policy.json && ! test -e /etc/logrotate.d/arandu-authz'
check "purge: no unit symlink is left" in_box sh -c '! ls /etc/systemd/system/*/arandu-authz.* 2>/dev/null | grep -q .'
check "docker still works after purge" in_box docker run --rm --network none bb:latest true
