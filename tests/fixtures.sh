#!/usr/bin/env bash
# Decision tests on the real envelopes that each engine's dockerd sent to an AuthZ plugin.
#
# Usage: tests/fixtures.sh BINARY
#
# For every engine directory tests/fixtures/dockerd-VERSION (FIXTURES_DIR overrides the parent, or
# names one such directory), runs `BINARY check FILE` on each *.req.json under the default policy with
# DOCKER_REPOS_DIR=/srv/arandu/repos DOCKER_ARTIFACTS_DIR=/srv/arandu/artifacts DOCKER_PIDS_LIMIT=0
# DOCKER_NO_NEW_PRIVILEGES=false (the recordings predate those two rules), and compares the
# decision, the exit status and the named rule ids with that directory's expected.tsv.
# *.res.json files (AuthZRes, audit only) are not decisions and are skipped.
# Prints "ok N - ..." / "not ok N - ..." per check and ends with exactly "N passed, M failed";
# exits 1 on any failure or when nothing was tested.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

# The recordings bind /srv/arandu/{repos,artifacts}/demo, which must exist as directories: made on
# a tmpfs at /srv in a private mount namespace (a user namespace too when not root), so that the
# host's /srv is neither needed nor touched.
if [ -z "${ARANDU_FIXTURES_NS:-}" ]; then
        if [ "$(id -u)" -eq 0 ]; then ns=(unshare --mount); else ns=(unshare --mount --map-root-user); fi
        exec env ARANDU_FIXTURES_NS=1 "${ns[@]}" "$0" "$@"
fi
mount --make-rprivate / && mount -t tmpfs -o mode=0755,nosuid,nodev arandu-fixtures /srv &&
        mkdir -p /srv/arandu/repos/demo /srv/arandu/artifacts/demo ||
        { echo "not ok 1 - a private /srv for the recorded bind sources"; echo "0 passed, 1 failed"; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 BINARY"; echo "0 passed, 1 failed"; exit 1; }
BIN=$1
top=${FIXTURES_DIR:-$here/fixtures}

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
[ -d "$top" ] || { notok "fixtures directory $top not found"; summary; }
if [ -r "$top/expected.tsv" ]; then
        dirs=("$top")
else
        shopt -s nullglob
        dirs=("$top"/dockerd-*/)
        shopt -u nullglob
        dirs=("${dirs[@]%/}")
fi
[ "${#dirs[@]}" -gt 0 ] || { notok "no dockerd-*/ directory in $top"; summary; }

# The default policy, with the fixtures' directories; nothing else from the caller's environment.
unset DOCKER_USER DOCKER_USER_UID DOCKER_CPU_LIMIT DOCKER_MEMORY_LIMIT DOCKER_NETWORK_MODE \
      DOCKER_READONLY_ROOTFS DOCKER_ALLOWLIST_DOMAINS DOCKER_HOST ARANDU_FIXTURES_NS
export DOCKER_REPOS_DIR=/srv/arandu/repos DOCKER_ARTIFACTS_DIR=/srv/arandu/artifacts
# the recorded compliant flags predate the pids and no-new-privileges rules
export DOCKER_PIDS_LIMIT=0 DOCKER_NO_NEW_PRIVILEGES=false

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check_dir DIR: every envelope of one engine against its expected.tsv.
check_dir() {
        local dir=$1
        # scenario -> "decision<TAB>rules"
        declare -A want used
        while IFS=$'\t' read -r name decision rules extra || [ -n "$name" ]; do
                case "$name" in '' | '#'*) continue ;; esac
                if [ -n "${extra:-}" ] || { [ "$decision" != allow ] && [ "$decision" != deny ]; }; then
                        notok "$(basename "$dir")/expected.tsv: malformed line for \"$name\""
                        continue
                fi
                if [ -n "${want[$name]+x}" ]; then
                        notok "$(basename "$dir")/expected.tsv: \"$name\" appears twice"
                        continue
                fi
                want[$name]="$decision"$'\t'"${rules:-}"
                used[$name]=0
        done <"$dir/expected.tsv"

        shopt -s nullglob
        dfiles=("$dir"/*.req.json)
        shopt -u nullglob
        [ "${#dfiles[@]}" -gt 0 ] || notok "no *.req.json in $dir"
        files+=("${dfiles[@]}")

        for f in "${dfiles[@]}"; do
                base=$(basename "$f" .req.json)
                # NAME.cliX.Y.Z or NAME.cliX.Y.Z.N (the Nth request of the same command)
                if [[ $base =~ ^(.+)\.cli([0-9]+\.[0-9]+\.[0-9]+[^.]*)(\.([0-9]+))?$ ]]; then
                        key=${BASH_REMATCH[1]}
                        [ -n "${BASH_REMATCH[4]}" ] && key="$key.${BASH_REMATCH[4]}"
                else
                        notok "$(basename "$dir")/$base: file name does not look like NAME.cliVERSION[.N].req.json"
                        continue
                fi
                if [ -z "${want[$key]+x}" ]; then
                        notok "$(basename "$dir")/$base: no expectation for \"$key\" in expected.tsv"
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
                desc="$(basename "$dir")/$base: $decision${rules:+ ($rules)}"
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
                [ "${used[$key]}" -eq 1 ] || notok "$(basename "$dir")/expected.tsv: \"$key\" matches no *.req.json in $dir"
        done
}

files=()
allowed_files=()
for d in "${dirs[@]}"; do
        check_dir "$d"
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
