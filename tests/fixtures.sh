#!/usr/bin/env bash
# Decision tests on the real envelopes that dockerd 20.10.24 sent to an AuthZ plugin.
#
# Usage: tests/fixtures.sh BINARY
#
# Runs `BINARY check FILE` on every *.req.json of the fixtures directory (default
# ../shared/fixtures/dockerd-20.10.24 beside the repository; FIXTURES_DIR overrides it, and may name
# either that directory or its parent) under the default policy with
# DOCKER_REPOS_DIR=/srv/arandu/repos DOCKER_ARTIFACTS_DIR=/srv/arandu/artifacts, and compares the
# decision, the exit status and the named rule ids with tests/data/fixtures-expected.tsv.
# *.res.json files (AuthZRes, audit only) are not decisions and are skipped.
# Prints "ok N - ..." / "not ok N - ..." per check and ends with exactly "N passed, M failed";
# exits 1 on any failure or when nothing was tested.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

[ $# -eq 1 ] || { echo "usage: $0 BINARY"; echo "0 passed, 1 failed"; exit 1; }
BIN=$1
EXPECTED="$here/data/fixtures-expected.tsv"
dir=${FIXTURES_DIR:-$root/../shared/fixtures}
[ -d "$dir/dockerd-20.10.24" ] && dir="$dir/dockerd-20.10.24"

PASS=0
FAIL=0
ok()    { PASS=$((PASS + 1)); echo "ok $((PASS + FAIL)) - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok $((PASS + FAIL)) - $*"; }
diag()  { printf '%s\n' "$@" | sed -e 's/^/#   /'; }
summary() {
        echo "$PASS passed, $FAIL failed"
        if [ "$FAIL" -gt 0 ] || [ "$PASS" -eq 0 ]; then exit 1; fi
        exit 0
}

[ -x "$BIN" ] || { notok "$BIN is not an executable file (run make first)"; summary; }
[ -r "$EXPECTED" ] || { notok "$EXPECTED is missing"; summary; }
[ -d "$dir" ] || { notok "fixtures directory $dir not found (set FIXTURES_DIR)"; summary; }

# The default policy, with the fixtures' directories; nothing else from the caller's environment.
unset DOCKER_USER DOCKER_USER_UID DOCKER_CPU_LIMIT DOCKER_MEMORY_LIMIT DOCKER_NETWORK_MODE \
      DOCKER_READONLY_ROOTFS DOCKER_ALLOWLIST_DOMAINS DOCKER_HOST
export DOCKER_REPOS_DIR=/srv/arandu/repos DOCKER_ARTIFACTS_DIR=/srv/arandu/artifacts

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# scenario -> "decision<TAB>rules"
declare -A want used
while IFS=$'\t' read -r name decision rules extra || [ -n "$name" ]; do
        case "$name" in '' | '#'*) continue ;; esac
        if [ -n "${extra:-}" ] || { [ "$decision" != allow ] && [ "$decision" != deny ]; }; then
                notok "fixtures-expected.tsv: malformed line for \"$name\""
                continue
        fi
        if [ -n "${want[$name]+x}" ]; then
                notok "fixtures-expected.tsv: \"$name\" appears twice"
                continue
        fi
        want[$name]="$decision"$'\t'"${rules:-}"
        used[$name]=0
done <"$EXPECTED"

shopt -s nullglob
files=("$dir"/*.req.json)
shopt -u nullglob
[ "${#files[@]}" -gt 0 ] || notok "no *.req.json in $dir"
allowed_files=()

for f in "${files[@]}"; do
        base=$(basename "$f" .req.json)
        # NAME.cliX.Y.Z or NAME.cliX.Y.Z.N (the Nth request of the same command)
        if [[ $base =~ ^(.+)\.cli([0-9]+\.[0-9]+\.[0-9]+[^.]*)(\.([0-9]+))?$ ]]; then
                key=${BASH_REMATCH[1]}
                [ -n "${BASH_REMATCH[4]}" ] && key="$key.${BASH_REMATCH[4]}"
        else
                notok "$base: file name does not look like NAME.cliVERSION[.N].req.json"
                continue
        fi
        if [ -z "${want[$key]+x}" ]; then
                notok "$base: no expectation for \"$key\" in fixtures-expected.tsv"
                continue
        fi
        used[$key]=1
        IFS=$'\t' read -r decision rules <<<"${want[$key]}"

        rc=0
        timeout 30 "$BIN" check "$f" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
        first=$(sed -n 1p "$tmp/out")
        named=$(sed -n -e 's/^[[:space:]]\{1,\}\([A-Za-z0-9_.-]\{1,\}\): .*/\1/p' "$tmp/out" | sort -u | paste -sd, -)
        problems=()
        if [ "$decision" = allow ]; then want_rc=0; else want_rc=1; fi
        [ "$rc" -eq "$want_rc" ] || problems+=("exit status $rc, want $want_rc")
        [ "$first" = "$f: $decision" ] || problems+=("first line \"$first\", want \"$f: $decision\"")
        if [ "$decision" = allow ] && [ -n "$named" ]; then problems+=("allowed but names rules: $named"); fi
        if [ "$decision" = deny ] && [ -z "$named" ]; then problems+=("denied without any reason line"); fi
        exact=0
        case "$rules" in =*) exact=1; rules=${rules#=} ;; esac
        IFS=, read -r -a need <<<"$rules"
        for r in "${need[@]}"; do
                case ",$named," in *",$r,"*) ;; *) problems+=("rule \"$r\" not named (named: ${named:-none})") ;; esac
        done
        if [ "$exact" -eq 1 ]; then
                IFS=, read -r -a got <<<"$named"
                for r in "${got[@]}"; do
                        case ",$rules," in *",$r,"*) ;; *) problems+=("unexpected rule \"$r\" named") ;; esac
                done
        fi
        desc="$base: $decision${rules:+ ($rules)}"
        if [ "${#problems[@]}" -eq 0 ]; then
                ok "$desc"
        else
                notok "$desc"
                diag "${problems[@]}" "output:"
                sed -e 's/^/#     /' "$tmp/out" "$tmp/err" | head -n 20
        fi
        [ "$decision" = allow ] && allowed_files+=("$f")
done

for key in "${!used[@]}"; do
        [ "${used[$key]}" -eq 1 ] || notok "fixtures-expected.tsv: \"$key\" matches no *.req.json in $dir"
done

# The CLI contract over several files: one decision line each; exit 1 if any is denied, 0 if none.
if [ "${#files[@]}" -gt 0 ]; then
        rc=0
        timeout 60 "$BIN" check "${files[@]}" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
        lines=$(grep -cE ': (allow|deny)$' "$tmp/out" || true)
        if [ "$rc" -eq 1 ] && [ "$lines" -eq "${#files[@]}" ]; then
                ok "check of all ${#files[@]} requests at once: one decision line each, exit status 1"
        else
                notok "check of all ${#files[@]} requests at once: one decision line each, exit status 1"
                diag "exit status $rc, $lines decision lines"
        fi
fi
if [ "${#allowed_files[@]}" -gt 0 ]; then
        rc=0
        timeout 60 "$BIN" check "${allowed_files[@]}" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
        if [ "$rc" -eq 0 ]; then
                ok "check of the ${#allowed_files[@]} allowed requests at once: exit status 0"
        else
                notok "check of the ${#allowed_files[@]} allowed requests at once: exit status 0"
                diag "exit status $rc" "$(head -c 600 "$tmp/out")"
        fi
fi
rc=0
timeout 30 "$BIN" check "$tmp/does-not-exist.json" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
if [ "$rc" -eq 2 ]; then
        ok "check of a missing file: exit status 2"
else
        notok "check of a missing file: exit status 2"
        diag "exit status $rc"
fi

summary
