#!/usr/bin/env bash
# `make deb`: build the Debian package with debhelper (dpkg-buildpackage) from a copy of the tree,
# check it with lintian (any error fails), and leave it in OUT_DIR.
#
# Usage: deploy/deb.sh OUT_DIR
set -euo pipefail

OUT=${1:?usage: deb.sh OUT_DIR}
HERE=$(cd "$(dirname "$0")/.." && pwd)
VERSION=$(sed -n 's/^#define VERSION "\(.*\)"$/\1/p' "$HERE/authz/version.h")
CHANGELOG=$(dpkg-parsechangelog -l "$HERE/debian/changelog" -S Version)
if [ "$VERSION" != "$CHANGELOG" ]; then
        echo "deb: authz/version.h says $VERSION, debian/changelog $CHANGELOG: give both the same version" >&2
        exit 1
fi

mkdir -p "$OUT"
OUT=$(realpath "$OUT")
W=$(mktemp -d /tmp/arandu-deb.XXXXXX)
trap 'rm -rf "$W"' EXIT
# The tree as it is (uncommitted changes included), without build products or git's own files.
mkdir "$W/arandu-authz-$VERSION"
tar -C "$HERE" --exclude=./build --exclude=./.git -cf - . | tar -C "$W/arandu-authz-$VERSION" -xf -

echo "deb: dpkg-buildpackage in $W"
(cd "$W/arandu-authz-$VERSION" && dpkg-buildpackage -b -us -uc) >"$W/build.log" 2>&1 || {
        tail -40 "$W/build.log"
        echo "deb: dpkg-buildpackage failed (log above)" >&2
        exit 1
}
DEB=$(ls "$W"/arandu-authz_"$VERSION"_*.deb)
cp "$DEB" "$OUT/"
DEB="$OUT/$(basename "$DEB")"

echo "deb: lintian $DEB"
lintian --fail-on error --info "$DEB" | tee "$W/lintian.log" || {
        echo "deb: lintian reports errors (above)" >&2
        exit 1
}
echo "deb: lintian: $(grep -c '^E:' "$W/lintian.log" || true) errors, $(grep -c '^W:' "$W/lintian.log" || true) warnings"
dpkg-deb --info "$DEB" | sed -n 's/^ *\(Package\|Version\|Architecture\|Depends\|Installed-Size\):/  &/p'
echo "deb: built $DEB"
