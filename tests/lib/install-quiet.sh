#!/usr/bin/env bash
# Install Debian packages whose services a test runs itself, never as the package would start them
# (nginx on :80, prometheus on :9090, rsyslog): a missing package is installed with a policy-rc.d
# that refuses every start (invoke-rc.d(8), exit 101) in place when the machine has none (removed
# after); then each SERVICE the install enabled is disabled and, under systemd, stopped; without
# systemd as PID 1 its init script is stopped if it did start and taken out of the runlevels.  A
# package installed before is left as it was.
#
# Usage: tests/lib/install-quiet.sh "PKG..." SERVICE...     (as root; the archive is Debian's)
set -euo pipefail

PKGS=$1
shift
POLICY_RC=/usr/sbin/policy-rc.d
MARK="arandu-authz tests: no service starts during the install"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

missing=()
for p in $PKGS; do installed "$p" || missing+=("$p"); done
[ "${#missing[@]}" -eq 0 ] && exit 0

placed=""
if [ ! -e "$POLICY_RC" ]; then
        printf '#!/bin/sh\n# %s\nexit 101\n' "$MARK" >"$POLICY_RC"
        chmod 0755 "$POLICY_RC"
        placed=yes
fi
echo "installing (no service started):" "${missing[@]}"
rc=0
{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } || rc=$?
[ -n "$placed" ] && grep -qF "$MARK" "$POLICY_RC" && rm -f "$POLICY_RC"
[ "$rc" -eq 0 ] || { echo "cannot install ${missing[*]}" >&2; exit "$rc"; }

for svc in "$@"; do
        if [ -d /run/systemd/system ]; then
                systemctl disable --now "$svc.service" >/dev/null 2>&1 || true
        else
                command -v systemctl >/dev/null && systemctl disable "$svc.service" >/dev/null 2>&1 || true
                if [ -x "/etc/init.d/$svc" ]; then
                        "/etc/init.d/$svc" status >/dev/null 2>&1 && "/etc/init.d/$svc" stop >/dev/null 2>&1
                        update-rc.d "$svc" disable >/dev/null 2>&1 || true
                fi
        fi
        echo "$svc: the packaged service is disabled and not running"
done
for p in $PKGS; do installed "$p" || { echo "$p could not be installed" >&2; exit 1; }; done
