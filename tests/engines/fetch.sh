#!/usr/bin/env bash
# Fetch the newer Docker engines the end-to-end tests run on, from Debian's own archive, without
# touching the host's apt configuration.
#
# Usage: tests/engines/fetch.sh DIR SUITE...      (for example: build/engines trixie sid)
#
# For each SUITE, `apt-get download docker.io containerd docker-cli` (and the suite's clients:
# python3-docker, docker-compose v2) through a private source list
# (DIR/apt/sources/engines.sources: the mirror and key of the system's own deb822 source for
# Debian, the suites asked for) with private lists and cache, then `dpkg-deb -x` of the three
# packages into DIR/SUITE/root.  DIR/SUITE/version holds the docker.io version the suite had
# (suites move: whatever version comes is what gets tested).  An engine already unpacked at the
# version the suite has now is kept.  Debian 12's runc is used with all of them (it is not fetched).
# Prints one line per engine; exit status 0 when every suite was fetched.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 DIR SUITE..." >&2; exit 2; }
DIR=$(mkdir -p "$1" && cd "$1" && pwd)
shift
PKGS=(docker.io containerd docker-cli python3-docker docker-compose)

# The mirror and key of the system's Debian source (deb822 first, then one-line lists).
mirror="" key=""
for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        # Stanzas are separated by blank lines; take the first whose URIs end in /debian.
        read -r mirror key < <(awk '
                function flush() { if (uri ~ /\/debian\/?$/ && !done) { print uri, key; done = 1 } uri = key = "" }
                /^[[:space:]]*$/ { flush(); next }
                /^[[:space:]]*#/ { next }
                tolower($1) == "uris:" { uri = $2 }
                tolower($1) == "signed-by:" { key = $2 }
                END { flush() }' "$f") || true
        mirror=${mirror%/}
        [ -n "$mirror" ] && break
done
if [ -z "$mirror" ]; then
        mirror=$(grep -hsE '^deb +(\[[^]]*\] +)?[a-z]+://[^ ]*/debian/? ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
                 sed -E 's/^deb +(\[[^]]*\] +)?//; s/ .*//; s,/$,,' | head -n 1)
fi
[ -n "$mirror" ] || { echo "no Debian mirror found in /etc/apt/sources.list.d/ or sources.list" >&2; exit 1; }
[ -n "$key" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$key" ] || { echo "the archive key $key is not readable" >&2; exit 1; }

A="$DIR/apt"
mkdir -p "$A/sources" "$A/lists/partial" "$A/cache/archives/partial"
{
        echo "Types: deb"
        echo "URIs: $mirror"
        echo "Suites: $*"
        echo "Components: main"
        echo "Signed-By: $key"
} >"$A/sources/engines.sources"
APT=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$A/sources"
     -o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache" -o APT::Sandbox::User=root
     -o APT::Get::AllowUnauthenticated=false)
apt-get "${APT[@]}" -qq update

# The candidate version of PACKAGE in SUITE, from the private lists.
version_in() {
        apt-cache "${APT[@]}" show "$1/$2" 2>/dev/null | awk '/^Version:/ { print $2; exit }'
}

for suite in "$@"; do
        v=$(version_in docker.io "$suite")
        [ -n "$v" ] || { echo "suite $suite has no docker.io" >&2; exit 1; }
        E="$DIR/$suite"
        if [ -x "$E/root/usr/sbin/dockerd" ] && [ -d "$E/root/usr/lib/python3/dist-packages/docker" ] &&
           [ -x "$E/root/usr/libexec/docker/cli-plugins/docker-compose" ] &&
           [ "$(cat "$E/version" 2>/dev/null)" = "$v" ]; then
                echo "engine $suite: docker.io $v (already unpacked in $E/root)"
                continue
        fi
        rm -rf "$E"
        mkdir -p "$E/debs" "$E/root"
        (cd "$E/debs" && apt-get "${APT[@]}" -qq download "${PKGS[@]/%//$suite}")
        for deb in "$E"/debs/*.deb; do
                dpkg-deb -x "$deb" "$E/root"
        done
        rm -rf "$E/debs"
        "$E/root/usr/sbin/dockerd" --version >/dev/null
        echo "$v" >"$E/version"
        echo "engine $suite: docker.io $v, containerd $(version_in containerd "$suite"), docker-cli $(version_in docker-cli "$suite"), python3-docker $(version_in python3-docker "$suite"), docker-compose $(version_in docker-compose "$suite") in $E/root"
done
