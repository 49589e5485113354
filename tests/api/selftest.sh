#!/usr/bin/env bash
# gostruct.awk over a Go file made of the cases it must read (no moby checkout needed):
#   tests/api/selftest.sh    prints "gostruct: N passed, M failed"
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat >"$TMP/t.go" <<'GO'
package x

import (
	"fmt"
	ctr "github.com/docker/docker/api/types/container"
	"github.com/docker/go-units"
)

/* type T struct { Fake int } */

type (
	Other struct{ A int }
	T     struct {
		A, B   int    // two names
		c      string // unexported
		Skip   int    `json:"-"`
		Dash   int    `json:"-,"`
		Ren    int    `yaml:"x" json:"renamed,omitempty"`
		Omit   int    `json:",omitempty"`
		Inner  struct {
			Deep int
		}
		/* a block
		   comment Fake2 int */
		M map[string]struct{} // braces on the line
		*ctr.Config
		units.Ulimit `json:"U"`
		Hidden       `json:"-"`
		embedded
		Str string `json:"s"` // "quoted // not a comment"
	}
)

type Alias = ctr.HostConfig

type Empty struct{}
GO
pass=0 fail=0
check() {
        local type=$1 want=$2 got
        got=$(awk -v T="$type" -f "$HERE/gostruct.awk" "$TMP/t.go" | grep -v '^I' | tr '\t\n' ': ' | sed 's/ $//')
        if [ "$got" = "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $type: got '$got', want '$want'"; fi
}
check T 'F:A F:B F:- F:renamed F:Omit F:Inner F:M E:*ctr.Config F:U E:embedded F:s'
check Other 'F:A'
check Alias 'A:ctr.HostConfig'
check Empty ''
check Fake ''
check Inner ''
imports=$(awk -v T=T -f "$HERE/gostruct.awk" "$TMP/t.go" | grep '^I' | tr '\t\n' ': ' | sed 's/ $//')
if [ "$imports" = 'I:-:fmt I:ctr:github.com/docker/docker/api/types/container I:-:github.com/docker/go-units' ]; then
        pass=$((pass + 1))
else
        fail=$((fail + 1)); echo "FAIL imports: $imports"
fi
echo "gostruct: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
