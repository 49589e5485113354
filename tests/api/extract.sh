#!/usr/bin/env bash
# Read, from one tag of moby's source, the JSON field names of the request bodies that the plugin
# decodes and the routes of dockerd's API, one file each:
#
#   tests/api/extract.sh MOBY_GIT_DIR TAG OUTDIR
#
# MOBY_GIT_DIR is a clone of github.com/moby/moby (a bare one will do: files are read with
# `git show TAG:PATH`, nothing is checked out).  OUTDIR gets, for each struct, NAME.txt (the names
# encoding/json matches, one a line, sorted: a field's Go name, or its `json:"..."` tag name; no
# `json:"-"` fields, no unexported ones; an embedded struct's fields promoted as Go promotes them),
# routes.txt ("METHOD /path/{var}" as the routers register them), and SOURCES.txt (which Go type
# and file each list came from, at which commit).  A struct that does not exist at TAG (ImageOptions
# before API 1.48) gets no file.  The Go files are read with gostruct.awk (next to this script).
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 MOBY_GIT_DIR TAG OUTDIR" >&2; exit 2; }
G=$1 TAG=$2 OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
AWK="$HERE/gostruct.awk"

git -C "$G" rev-parse -q --verify "$TAG^{commit}" >/dev/null || { echo "$0: no commit $TAG in $G" >&2; exit 1; }
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

warn() { echo "extract: $TAG: $*" >&2; }

# Does the tree at TAG have this directory?
have_dir() { [ -n "$(git -C "$G" ls-tree -d --name-only "$TAG" "$1" 2>/dev/null)" ]; }

# The Go files of one package directory that a linux build compiles: no tests, no files for other
# systems (by name suffix or by a //go:build line that names only other systems).
package_files() {
        local dir=$1 f
        git -C "$G" ls-tree --name-only "$TAG" "$dir/" | while read -r f; do
                case "$f" in
                *_test.go) continue ;;
                *_windows.go | *_darwin.go | *_freebsd.go | *_openbsd.go | *_netbsd.go | *_solaris.go | *_illumos.go | *_aix.go | *_plan9.go | *_js.go | *_wasm.go) continue ;;
                *.go) ;;
                *) continue ;;
                esac
                local build
                build=$(git -C "$G" show "$TAG:$f" | sed -n '1,/^package /{/^\/\/go:build /p}' | head -1)
                if [ -n "$build" ]; then
                        case "$build" in
                        *linux* | *unix* | *'!windows'* | *'!'*) ;;
                        *windows* | *darwin* | *freebsd*) continue ;;
                        esac
                fi
                echo "$f"
        done
}

# A Go import path to a directory of the tree at TAG: moby's own packages by their path in the
# repository (module github.com/docker/docker up to v28, github.com/moby/moby/{v2,api,client}
# after), others under vendor/.  Empty when not found.
import_dir() {
        local p=$1 d
        for d in "${p#github.com/docker/docker/}" "${p#github.com/moby/moby/v2/}" \
                 "api/${p#github.com/moby/moby/api/}" "client/${p#github.com/moby/moby/client/}" "vendor/$p"; do
                [ "$d" = "$p" ] && continue
                if have_dir "$d"; then echo "$d"; return; fi
        done
        if have_dir "vendor/$p"; then echo "vendor/$p"; fi
}

# The record lines of gostruct.awk for type $2 in package directory $1, from the one file that
# declares it; the file's name goes to $TMP/file.
struct_records() {
        local dir=$1 type=$2 f found=""
        : >"$TMP/rec"
        while read -r f; do
                git -C "$G" show "$TAG:$f" | awk -v T="$type" -f "$AWK" >"$TMP/one"
                [ -s "$TMP/one" ] || continue     # gostruct.awk prints nothing without T
                if [ -n "$found" ]; then
                        warn "$type is declared in $found and $f; using $found"
                        continue
                fi
                found=$f
                cp "$TMP/one" "$TMP/rec"
        done < <(package_files "$dir")
        echo "$found" >"$TMP/file"
        [ -n "$found" ]
}

# Resolve a type reference ("Resources", "*container.Config", "units.Ulimit") made in file $1 of
# package $2 to "DIR TYPE".  Empty when the package is outside the tree.
resolve_type() {
        local file=$1 dir=$2 ref=${3#\*} imports=$4 qual name path alias last
        if [[ $ref != *.* ]]; then echo "$dir $ref"; return; fi
        qual=${ref%%.*} name=${ref#*.}
        while IFS=$'\t' read -r _ alias path; do
                last=${path##*/}
                [[ $last =~ ^v[0-9]+$ ]] && { last=${path%/*}; last=${last##*/}; }
                if [ "$alias" = "$qual" ] || { [ "$alias" = - ] && { [ "$last" = "$qual" ] || [ "${last#go-}" = "$qual" ]; }; }; then
                        local d
                        d=$(import_dir "$path")
                        [ -n "$d" ] && echo "$d $name"
                        return
                fi
        done < <(grep '^I' "$imports" || true)
}

# Print "DEPTH NAME" for every JSON field of type $2 in directory $1 (DEPTH: how deep the field is
# in embedded structs, as Go's rules for promoted fields need it), and the type's "DIR TYPE FILE"
# on fd 3 for SOURCES.txt.
fields_of() {
        local dir=$1 type=$2 depth=${3:-0} chain=${4:-}
        local key="$dir.$type"
        if [[ " $chain " == *" $key "* ]]; then warn "embedding cycle at $key"; return 1; fi
        struct_records "$dir" "$type" || { warn "type $type not found in $dir"; return 1; }
        local file rec
        file=$(cat "$TMP/file")
        rec=$(mktemp -p "$TMP")
        cp "$TMP/rec" "$rec"
        echo "$dir $type $file" >&3
        { grep '^W' "$rec" || true; } | cut -f2- | while read -r w; do warn "$file: $w"; done
        local kind val target
        while IFS=$'\t' read -r kind val; do
                case $kind in
                F) echo "$depth $val" ;;
                A)  # the same fields as the named type
                        target=$(resolve_type "$file" "$dir" "$val" "$rec")
                        [ -n "$target" ] || { warn "$type: cannot find $val"; return 1; }
                        # shellcheck disable=SC2086
                        fields_of $target "$depth" "$chain $key" || return 1
                        ;;
                E)
                        target=$(resolve_type "$file" "$dir" "$val" "$rec")
                        local base=${val#\*}
                        base=${base##*.}
                        # shellcheck disable=SC2086
                        if [ -n "$target" ] && struct_records $target && grep -q '^[FEA]' "$TMP/rec"; then
                                fields_of $target $((depth + 1)) "$chain $key" || return 1
                        elif [ -n "$target" ] && [ -n "$(cat "$TMP/file")" ]; then
                                # a struct without fields, or not a struct: a struct adds nothing;
                                # any other exported type is one field named after it
                                if ! git -C "$G" show "$TAG:$(cat "$TMP/file")" | grep -Eq "^type[[:space:]]+$base[[:space:]]+struct"; then
                                        [[ $base =~ ^[A-Z] ]] && echo "$depth $base"
                                fi
                        else
                                warn "$type: embedded $val is outside the tree; counted as a field $base"
                                [[ $base =~ ^[A-Z] ]] && echo "$depth $base"
                        fi
                        ;;
                esac
        done < <(grep '^[FAE]' "$rec")
}

# Go keeps, of fields with one name, the shallowest; several at that depth cancel out (none is
# decoded).  (Go lets a tagged one win such a tie; no struct here has one.)
dominant() {
        sort -k2,2 -k1,1n | awk '
                { if ($2 != name) { flush(); name = $2; best = $1; n = 1 } else if ($1 == best) n++ }
                function flush() { if (name != "") { if (n == 1) print name; else printf "%s\n", name > "/dev/stderr" } }
                END { flush() }' 2>"$TMP/ties" | LC_ALL=C sort
        if [ -s "$TMP/ties" ]; then warn "fields that cancel out (same name, same depth): $(tr '\n' ' ' <"$TMP/ties")"; fi
}

# emit NAME "DIR:TYPE ..." : the first candidate that exists at TAG gives OUT/NAME.txt.
emit() {
        local name=$1 cand dir type
        shift
        for cand in "$@"; do
                dir=${cand%:*} type=${cand#*:}
                have_dir "$dir" || continue
                if struct_records "$dir" "$type" 2>/dev/null; then
                        fields_of "$dir" "$type" 3>"$TMP/src" | dominant >"$OUT/$name.txt"
                        [ -s "$OUT/$name.txt" ] || { warn "$name: no fields"; exit 1; }
                        printf '%s\t%s.%s\t%s\n' "$name" "$dir" "$type" \
                                "$(awk '{ print $2 " " $3 }' "$TMP/src" | paste -sd, - | sed 's/,/, /g')" >>"$TMP/sources"
                        return
                fi
        done
        rm -f "$OUT/$name.txt"
        printf '%s\t-\tnot at %s\n' "$name" "$TAG" >>"$TMP/sources"
}

: >"$TMP/sources"
# The create body: dockerd decodes container.CreateRequest (v27+) or runconfig's
# ContainerConfigWrapper (which also promotes a deprecated HostConfig to the top level).
emit CreateRequest  api/types/container:CreateRequest runconfig:ContainerConfigWrapper
emit Config         api/types/container:Config
emit HostConfig     api/types/container:HostConfig
emit RestartPolicy  api/types/container:RestartPolicy
emit LogConfig      api/types/container:LogConfig
emit NetworkingConfig   api/types/network:NetworkingConfig
emit EndpointSettings   api/types/network:EndpointSettings
emit EndpointIPAMConfig api/types/network:EndpointIPAMConfig
emit Mount          api/types/mount:Mount
emit BindOptions    api/types/mount:BindOptions
emit VolumeOptions  api/types/mount:VolumeOptions
emit ImageOptions   api/types/mount:ImageOptions
emit TmpfsOptions   api/types/mount:TmpfsOptions
emit Driver         api/types/mount:Driver
# POST /containers/{id}/exec: container.ExecOptions from v27 (types.ExecConfig is its alias
# there), types.ExecConfig before, container.ExecCreateRequest after v28.
emit ExecOptions    api/types/container:ExecCreateRequest api/types/container:ExecOptions api/types:ExecConfig
emit UpdateConfig   api/types/container:UpdateConfig
# The other bodies the plugin reads: network connect and create, volume create.
emit NetworkConnect api/types/network:ConnectRequest api/types/network:ConnectOptions api/types:NetworkConnect
emit NetworkCreateRequest api/types/network:CreateRequest api/types:NetworkCreateRequest
emit VolumeCreate   api/types/volume:CreateRequest api/types/volume:CreateOptions api/types/volume:VolumeCreateBody

# Routes: every router.NewXxxRoute("path", ...) call of the routers, the call and its path on one
# line or split across two.  The debug router's paths were "/vars", "/pprof/..." and mounted under
# "/debug" (any method) up to v26; from v27 they are "/debug/..." in the router itself.
ROUTERS=api/server/router
have_dir "$ROUTERS" || ROUTERS=daemon/server/router
: >"$TMP/routes"
while read -r f; do
        git -C "$G" show "$TAG:$f" | awk -v debug="$([[ $f == */debug/* ]] && echo 1 || echo 0)" '
                { line = $0; sub(/\/\/.*/, "", line) }
                pending != "" {
                        if (match(line, /^[ \t]*"[^"]*"/)) { emit(pending, line) }
                        pending = ""
                }
                {
                        while (match(line, /New(Get|Post|Put|Delete|Head|Options)Route\(/)) {
                                m = substr(line, RSTART + 3, RLENGTH - 9)
                                line = substr(line, RSTART + RLENGTH)
                                if (match(line, /^[ \t]*"[^"]*"/)) emit(m, line)
                                else if (line ~ /^[ \t]*$/) pending = m
                        }
                }
                function emit(m, s,    p) {
                        match(s, /"[^"]*"/)
                        p = substr(s, RSTART + 1, RLENGTH - 2)
                        if (debug == 1 && p !~ /^\/debug\//) p = "/debug" p
                        print toupper(m) " " p
                }' >>"$TMP/routes"
done < <(git -C "$G" ls-tree -r --name-only "$TAG" "$ROUTERS/" | grep '\.go$' | grep -v '_test\.go$')
LC_ALL=C sort -u "$TMP/routes" >"$OUT/routes.txt"
[ -s "$OUT/routes.txt" ] || { warn "no routes found under $ROUTERS"; exit 1; }

{
        echo "# moby $TAG ($(git -C "$G" rev-parse "$TAG^{commit}")), read by tests/api/extract.sh"
        echo "# file	Go type	the types read (the embedded ones too) and where each is declared"
        LC_ALL=C sort "$TMP/sources"
        echo "routes.txt	$ROUTERS/*/ New*Route calls	$(git -C "$G" ls-tree -r --name-only "$TAG" "$ROUTERS/" | grep -c '\.go$') files"
} >"$OUT/SOURCES.txt"
for f in "$OUT"/*.txt; do
        [ "$(basename "$f")" = SOURCES.txt ] && continue
        printf '%s %s\n' "$(wc -l <"$f")" "$(basename "$f" .txt)"
done
